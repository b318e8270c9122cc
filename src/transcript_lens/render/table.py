"""Scorecard -> a readable terminal view (rich)."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..labels import LABELS
from ..scorecard import Quote, Scorecard
from ..scorecard.guidance import band_scale, confidence_text, next_steps
from .common import (
    OUTCOME_TEXT,
    REQUIREMENT_TITLES,
    clock,
    duration,
    index_working,
    shorten,
    sureness,
)

_FLAG_STYLE = {"resignation": "magenta", "blame": "red", "silencing": "yellow"}

#: The terminal lists at most this many of each kind (flags, exchanges,
#: commitments, speakers); the HTML report and the JSON hold them all.
CAP = 8


def _more(n: int, what: str) -> Text:
    return Text(f"  {n} more {what}: see --format html", style="dim")


def _bar(score: float, width: int = 15) -> Text:
    filled = round(score / 100 * width)
    return Text("━" * filled + "─" * (width - filled), style="cyan")


def _quote(speaker: str, start: float | None, text: str, note: str) -> Text:
    line = Text()
    line.append(f"{clock(start)} ", style="dim")
    line.append(speaker, style="bold")
    line.append(f" ({note}) ", style="dim")
    line.append(f"“{shorten(text)}”")
    return line


def _said(q: Quote, note: str) -> Text:
    return _quote(q.speaker, q.start, q.text, note)


def _exchanges(card: Scorecard) -> list[Text]:
    """Dynamics and the coaching review in a few lines; the reports list them whole."""
    d = card.dynamics
    if d is None:
        return []
    out = [Text("Exchanges", style="bold")]
    if d.dissent:
        counts = ", ".join(f"{OUTCOME_TEXT[k]} {v}" for k, v in d.outcomes.items() if v)
        turns = "turn" if len(d.dissent) == 1 else "turns"
        out.append(Text(f"Dissent: {len(d.dissent)} {turns}: {counts}"))
        quoted = 0
        for x in d.dissent:
            # Only what went wrong is quoted here: silencing, or the dissenter giving up.
            gave_up = x.resigned if x.resigned != x.response else None
            stopped = x.outcome in ("silenced", "lost_voice") and x.response is not None
            if gave_up is None and not stopped:
                continue
            quoted += 1
            if quoted > CAP:
                continue
            out.append(Text("  ") + _said(x.dissent, "dissent"))
            if x.response is not None:
                out.append(Text("    ") + _said(x.response, OUTCOME_TEXT[x.outcome]))
            if gave_up is not None:
                out.append(Text("    ") + _said(gave_up, "then gave up"))
        if quoted > CAP:
            out.append(_more(quoted - CAP, "silenced or given-up dissents"))
    else:
        out.append(Text("Dissent: none voiced", style="dim"))
    answered = sum(1 for q in d.purpose_questions if q.answer is not None)
    out.append(Text(f"Purpose questions: {len(d.purpose_questions)}, answered {answered}"))
    out.append(Text(f"Commitments: {len(d.commitments)}"))
    for item in d.commitments[:CAP]:
        owner = item.owner or "owner not stated"
        due = f", due {item.due}" if item.due else ""
        out.append(Text(f"  {owner}{due}: ") + _said(item.quote, "said"))
    if len(d.commitments) > CAP:
        out.append(_more(len(d.commitments) - CAP, "commitments"))
    c = card.coaching
    if c is not None:
        out.append(Text(""))
        out.append(Text("Coaching review", style="bold"))
        out.append(
            Text(
                f"Coach {', '.join(c.coaches)}: {c.coach_talk_share:.0%} of the words, "
                f"{c.coach_questions} questions ({len(c.purpose_questions)} on purpose), "
                f"{len(c.invitations)} invitations to disagree. Coachee "
                f"{', '.join(c.coachees)}: dissent {len(c.coachee_dissent)}, ownership "
                f"{len(c.coachee_ownership)}. Resignation moments: {len(c.resignation)}."
            )
        )
    out.append(Text(""))
    return out


def _sides(card: Scorecard) -> list[Table | Text]:
    """The sides view: a row per side, who says no to whom, and the reading."""
    if card.sides is None:
        return []
    table = Table(
        title="Sides",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column("Side", no_wrap=True)
    table.add_column("Speakers", justify="right")
    table.add_column("Turns", justify="right")
    table.add_column("Share", justify="right")
    shown = LABELS if card.overall is not None else ()
    for label in shown:
        table.add_column(label[:3], justify="right", no_wrap=True)
    for side in card.sides.sides:
        name = side.side if len(side.side) <= 24 else side.side[:23] + "…"
        table.add_row(
            Text(name),
            str(side.speakers),
            str(side.turns),
            f"{side.talk_share:.0%}",
            *(str(side.turns_by_label[label]) for label in shown),
        )
    out: list[Table | Text] = [table]
    if card.sides.unassigned:
        out.append(Text(f"{card.sides.unassigned} speaker(s) on no side.", style="dim"))
    for exchange in card.sides.exchanges:
        out.append(Text(f"  {exchange.by} → {exchange.to}: {exchange.label} {exchange.turns}"))
    for line in card.sides.reading:
        out.append(Text("▸ " + line))
    out.append(Text(""))
    return out


def to_table(card: Scorecard, *, width: int = 100, show: int = 3, color: bool = False) -> str:
    """The default ``analyze`` view. Rendered to a string so tests see exact output."""
    m = card.meeting
    header = Text()
    header.append(f"{m.title}\n", style="bold")
    header.append(
        f"{m.format} · {duration(m.duration)} · {m.turns} turns · {m.speakers} speakers · "
        f"classifier {card.producer.classifier}\n"
    )
    judged = card.assessment
    if card.overall is None:
        header.append("Not scored: ", style="bold")
        header.append(judged.message or "too little to judge")
    else:
        header.append("Partnership index ", style="bold")
        header.append(f"{card.overall.score:.0f}/100", style="bold cyan")
        header.append(f"  {card.overall.band}", style="bold")
        if judged.scope == "q_and_a":
            header.append(f"\nScored on the Q&A only: {judged.message}", style="dim")
    legend = Text(
        "Speaker columns: pur purpose, dis dissent, own ownership, can candor, "
        "res resignation, bla blame, sil silencing",
        style="dim",
    )

    reqs = Table(
        title="Requirements",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    reqs.add_column("Requirement", no_wrap=True)
    reqs.add_column("Score", justify="right", no_wrap=True)
    reqs.add_column("", no_wrap=True)
    reqs.add_column("Turns", justify="right", no_wrap=True)
    reqs.add_column("Voices", justify="right", no_wrap=True)
    lowered: list[Text] = []
    for key, req in card.requirements.items():
        reqs.add_row(
            f"{REQUIREMENT_TITLES[key]} ({key})",
            f"{req.score:.0f}",
            _bar(req.score),
            str(req.count),
            str(len(req.voices)),
        )
        cuts = ", ".join(f"{k} -{v:.0%}" for k, v in req.penalties.items() if v > 0)
        if cuts:
            lowered.append(Text(f"{key} lowered by {cuts}", style="dim"))

    flags: list[Text] = [Text("Flags", style="bold")]
    if not card.flags:
        flags.append(Text("No resignation, blame or silencing detected.", style="dim"))
    for flag in card.flags[:CAP]:
        line = _quote(flag.speaker, flag.start, flag.quote or flag.text, sureness(flag))
        line.stylize(_FLAG_STYLE.get(flag.label, ""), 0, 0)
        flags.append(Text.assemble((f"{flag.label:<12}", _FLAG_STYLE[flag.label]), line))
    if len(card.flags) > CAP:
        flags.append(_more(len(card.flags) - CAP, "flags"))

    evidence: list[Text] = [Text("Evidence (strongest first)", style="bold")]
    for key, req in card.requirements.items():
        evidence.append(Text(f"{REQUIREMENT_TITLES[key]}: {req.count} turns", style="underline"))
        for ev in req.evidence[:show]:
            evidence.append(
                Text("  ") + _quote(ev.speaker, ev.start, ev.quote or ev.text, sureness(ev))
            )
        if not req.evidence:
            evidence.append(Text("  none", style="dim"))

    exchanges = _exchanges(card)
    steps = next_steps(card)
    advice: list[Text] = []
    if steps:
        advice.append(Text("What to try next", style="bold"))
        for step in steps:
            advice.append(
                Text(f"  {REQUIREMENT_TITLES[step.requirement]}: ", style="bold") + Text(step.text)
            )
        advice.append(Text(""))
    scale = [Text("What the bands mean", style="bold")]
    band = card.overall.band if card.overall else None
    for name, meaning in band_scale().items():
        mark = "▸ " if name == band else "  "
        scale.append(Text(mark) + Text(f"{name}: ", style="bold") + Text(meaning))
    scale.append(Text(f"Confidence: {confidence_text()}", style="dim"))

    people = Table(
        title="Speakers",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    people.add_column("Speaker", no_wrap=True)
    people.add_column("Turns", justify="right")
    people.add_column("Words", justify="right")
    people.add_column("Share", justify="right")
    shown = LABELS if card.overall is not None else ()  # nothing was labelled
    for label in shown:
        people.add_column(label[:3], justify="right", no_wrap=True)
    # The most talkative first when there are more than the terminal lists.
    listed = card.speakers
    if len(listed) > CAP:
        listed = sorted(listed, key=lambda s: -s.words)[:CAP]
    for s in listed:
        name = s.name if len(s.name) <= 24 else s.name[:23] + "…"
        people.add_row(
            name + (f" ({s.role})" if s.role else ""),
            str(s.turns),
            str(s.words),
            f"{s.talk_share:.0%}",
            *(str(s.label_counts[label]) for label in shown),
        )
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, force_terminal=color, no_color=not color, highlight=False
    )
    if card.overall is None:
        footer = Text(
            "No index, band or labels: there was not enough to judge. "
            "For reflection, not for judging people.",
            style="dim",
        )
        console.print(Group(Panel(header, expand=False), people, *_sides(card), footer))
        return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())
    more_people = [_more(len(card.speakers) - CAP, "speakers")] if len(card.speakers) > CAP else []
    footer = Text(
        f"Talk balance: Gini {card.balance.gini:.2f}. {index_working(card)}\n"
        "For reflection, not for judging people. `--format json` has every quote and score.",
        style="dim",
    )
    console.print(
        Group(
            Panel(header, expand=False),
            reqs,
            *lowered,
            Text(""),
            *advice,
            *flags,
            Text(""),
            *evidence,
            Text(""),
            *exchanges,
            people,
            *more_people,
            legend,
            Text(""),
            *_sides(card),
            *scale,
            footer,
        )
    )
    # Rich pads every line to the console width; trailing blanks only get in the way.
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())
