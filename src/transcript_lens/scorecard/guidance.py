"""Reasons in plain words: the band scale, what a confidence means, and what to
try next where a requirement scored low, grounded in the meeting's own turns.

The wording lives in ``data/guidance.toml``; this module only decides which
of its texts apply to a scorecard and fills in the quotes.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from ..labels import REQUIREMENTS, Requirement
from .card import Quote, Scorecard


@dataclass(frozen=True)
class NextStep:
    """One thing to try, for one requirement, about one moment of the meeting."""

    requirement: str
    text: str
    #: The turn it is about (None for advice about something absent).
    utterance_id: str | None = None


@lru_cache(maxsize=1)
def guidance() -> dict[str, Any]:
    """The wording, as ``data/guidance.toml`` has it."""
    text = resources.files("transcript_lens").joinpath("data/guidance.toml").read_text("utf-8")
    return tomllib.loads(text)


def band_scale() -> dict[str, str]:
    """Each band's name and what a meeting in it sounds like, lowest first."""
    return dict(guidance()["bands"])


def confidence_text() -> str:
    return str(guidance()["confidence"])


def _clock(seconds: float | None) -> str:
    from ..render.common import clock

    return clock(seconds) if seconds is not None else "no time given"


def _short(text: str, limit: int = 90) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


#: Each condition: the quote that grounds it in this meeting, or None when it
#: does not hold. ``absent`` holds with no quote.
_Finder = Callable[[Scorecard, Requirement], Quote | None | bool]


def _silenced(card: Scorecard, _: Requirement) -> Quote | None:
    if card.dynamics is not None:
        for x in card.dynamics.dissent:
            if x.outcome == "silenced" and x.response is not None:
                return x.response
    flag = next((f for f in card.flags if f.label == "silencing"), None)
    return flag


def _flagged(label: str) -> _Finder:
    def find(card: Scorecard, _: str) -> Quote | None:
        return next((f for f in card.flags if f.label == label), None)

    return find


def _unanswered(card: Scorecard, _: Requirement) -> Quote | None:
    if card.dynamics is None:
        return None
    return next((q.question for q in card.dynamics.purpose_questions if q.answer is None), None)


def _one_voice(card: Scorecard, requirement: Requirement) -> Quote | None:
    req = card.requirements[requirement]
    if len(req.voices) != 1 or not req.evidence:
        return None
    return req.evidence[0]


def _absent(card: Scorecard, requirement: Requirement) -> bool:
    return card.requirements[requirement].count == 0


_CONDITIONS: dict[str, _Finder] = {
    "silenced": _silenced,
    "resigned": _flagged("resignation"),
    "blamed": _flagged("blame"),
    "unanswered": _unanswered,
    "one_voice": _one_voice,
    "absent": _absent,
}


def next_steps(card: Scorecard) -> list[NextStep]:
    """For each requirement scored below ``low_score``, up to ``per_requirement``
    things to try, each about a turn of this meeting where there is one."""
    if card.overall is None:
        return []
    words = guidance()
    steps: list[NextStep] = []
    for requirement in REQUIREMENTS:
        score = card.requirements.get(requirement)
        if score is None or score.score >= words["low_score"]:
            continue
        found = 0
        for case in words["next"][requirement]:
            if found >= words["per_requirement"]:
                break
            hit = _CONDITIONS[case["when"]](card, requirement)
            if hit is None or hit is False:
                continue
            if isinstance(hit, Quote):
                text = case["text"].format(
                    speaker=hit.speaker, time=_clock(hit.start), quote=_short(hit.text)
                )
                steps.append(NextStep(requirement, " ".join(text.split()), hit.utterance_id))
            else:
                steps.append(NextStep(requirement, " ".join(case["text"].split())))
            found += 1
    return steps
