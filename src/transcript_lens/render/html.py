"""Scorecard -> one self-contained HTML page: no script, no network, prints well.

The page carries a Content-Security-Policy that allows no script and no
fetch at all, and Jinja2 escapes every transcript string, so a transcript
holding markup shows it as text. Charts are inline SVG (see :mod:`.svg`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

from .. import __version__
from ..labels import ANTI_PATTERNS, LABELS, REQUIREMENTS
from ..scorecard import LabelledUtterance, Scorecard
from ..scorecard.config import builtin_config_for
from ..scorecard.guidance import band_scale, confidence_text, next_steps
from . import svg
from .common import OUTCOME_TEXT, REQUIREMENT_TITLES, clock, duration, index_working

#: How many quotes each requirement shows before "more".
EVIDENCE_SHOWN = 3
#: Timeline rows before the quieter speakers share one.
MAX_LANES = 14
#: Quotes longer than this show their start, with the whole turn a click away.
QUOTE_CHARS = 360


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    folder = resources.files("transcript_lens").joinpath("render/templates")
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: folder.joinpath(name).read_text("utf-8")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["clock"] = clock
    env.filters["head"] = _head
    env.filters["at"] = _at
    env.filters["pct"] = lambda value: f"{value:.0%}"
    env.globals.update(
        REQUIREMENT_TITLES=REQUIREMENT_TITLES,
        LABELS=LABELS,
        REQUIREMENTS=REQUIREMENTS,
        ANTI_PATTERNS=ANTI_PATTERNS,
        OUTCOME_TEXT=OUTCOME_TEXT,
        COLOURS=svg.LABEL_COLOURS,
        version=__version__,
        marker=_marker_svg,
    )
    return env


def _at(start: float | None, utterance_id: str) -> str:
    """A turn's time, or its number when the transcript has no times."""
    if start is not None:
        return clock(start)
    digits = utterance_id.lstrip("u")
    return f"turn {int(digits)}" if digits.isdigit() else utterance_id


def _head(text: str) -> str:
    """The start of a long turn, cut at a word."""
    if len(text) <= QUOTE_CHARS:
        return text
    return text[:QUOTE_CHARS].rsplit(" ", 1)[0] + " …"


def _marker_svg(label: str) -> Markup:
    """A tiny inline marker so lists use the same shape and colour as the charts."""
    shape = svg.marker(label, 7, 7, 4.5)  # type: ignore[arg-type]
    return Markup(
        f'<svg class="mk" width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">'
        f"{shape}</svg>"
    )


def _lanes(card: Scorecard) -> tuple[list[str], dict[str, str]]:
    """Timeline rows: every speaker, or the most talkative and one row for the rest.

    A committee hearing can have eighty speakers; eighty thin rows help no one.
    """
    names = [s.name for s in card.speakers]
    if len(names) <= MAX_LANES:
        return names, {name: name for name in names}
    by_words = sorted(card.speakers, key=lambda s: (-s.words, names.index(s.name)))
    kept = {s.name for s in by_words[: MAX_LANES - 1]}
    rest = f"{len(names) - len(kept)} others"
    lane = {name: (name if name in kept else rest) for name in names}
    return [name for name in names if name in kept] + [rest], lane


def _turns(
    utterances: Sequence[LabelledUtterance], lane: dict[str, str]
) -> tuple[list[svg.Turn], bool]:
    timed = all(u.start is not None for u in utterances) and bool(utterances)
    turns = []
    for index, u in enumerate(utterances):
        if timed:
            start = float(u.start)  # type: ignore[arg-type]
            end = float(u.end) if u.end is not None else start
        else:
            start, end = float(index + 1), float(index + 1.8)
        tip = f"{clock(u.start) if timed else '#' + str(index + 1)} {u.speaker}"
        if u.labels:
            tip += " [" + ", ".join(u.labels) + "]"
        tip += ": " + (u.text if len(u.text) <= 240 else u.text[:239] + "…")
        turns.append(svg.Turn(u.id, lane[u.speaker], start, end, tuple(u.labels), tip))
    return turns, timed


def _nice_share(largest: float) -> float:
    """An axis end for shares: the next of 25 %, 50 %, 75 %, 100 % with room for the label."""
    for top in (0.25, 0.5, 0.75):
        if largest * 1.3 <= top:
            return top
    return 1.0


def report_context(card: Scorecard) -> dict[str, Any]:
    """Everything the template shows, charts drawn."""
    speakers, lane = _lanes(card)
    turns, timed = _turns(card.utterances, lane)
    links: list[svg.Link] = []
    if card.dynamics is not None:
        for x in card.dynamics.dissent:
            if x.response is not None and x.outcome in ("silenced", "lost_voice"):
                links.append(svg.Link(x.dissent.utterance_id, x.response.utterance_id, x.outcome))
            if x.resigned is not None and x.resigned != x.response:
                links.append(svg.Link(x.dissent.utterance_id, x.resigned.utterance_id, "resigned"))
    score_bars = [
        svg.Bar(f"{REQUIREMENT_TITLES[key]}", req.score) for key, req in card.requirements.items()
    ]
    score_bars.append(svg.Bar("Talk balance", card.balance.score))
    share_bars = [
        svg.Bar(
            s.name + (f" ({s.role})" if s.role else ""),
            s.talk_share,
            f" · {s.turns} turns",
        )
        for s in sorted(card.speakers, key=lambda s: (-s.talk_share, s.name))
    ]
    return {
        "card": card,
        "m": card.meeting,
        "duration": duration(card.meeting.duration),
        "timed": timed,
        "charts": {
            "scores": svg.bar_chart("scores", "Requirement scores, 0 to 100", score_bars),
            "timeline": svg.timeline(turns, speakers, timed=timed, links=links),
            "legend": svg.legend(),
            "talk": svg.bar_chart(
                "talk-share",
                "Talk share: each speaker's share of the words",
                share_bars,
                maximum=_nice_share(max([b.value for b in share_bars], default=0.0)),
                percent=True,
            ),
        },
        "shown": EVIDENCE_SHOWN,
        "steps": next_steps(card),
        "bands": band_scale(),
        "confidence": confidence_text(),
        "method": builtin_config_for(card.producer.scoring),
        "index_working": index_working(card, times=" × "),
        # A meeting not scored was not labelled: no label columns of zeros.
        "speaker_labels": LABELS if card.overall is not None else (),
        "labelled": sum(1 for u in card.utterances if u.labels),
    }


def to_html(card: Scorecard) -> str:
    """The meeting report as one HTML document."""
    return _environment().get_template("report.html.j2").render(**report_context(card))
