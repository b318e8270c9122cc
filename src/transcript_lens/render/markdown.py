"""Scorecard -> Markdown, for pasting into notes and emails."""

from __future__ import annotations

import re

from ..labels import ANTI_PATTERNS, LABELS
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

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    """Escape transcript text so it reads as text, never as Markdown or HTML."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _said(q: Quote) -> str:
    return f"{clock(q.start)} **{_md(q.speaker)}**: “{_md(shorten(q.text, 300))}”"


def _dynamics(card: Scorecard) -> list[str]:
    d = card.dynamics
    if d is None:
        return []
    out = ["## Exchanges", ""]
    if d.dissent:
        counts = ", ".join(f"{OUTCOME_TEXT[k]} {v}" for k, v in d.outcomes.items())
        turns = "turn" if len(d.dissent) == 1 else "turns"
        out += [f"Dissent: {len(d.dissent)} {turns} ({counts}).", ""]
        for x in d.dissent:
            line = f"- {_said(x.dissent)} → **{OUTCOME_TEXT[x.outcome]}**"
            if x.response is not None:
                line += f": {_said(x.response)}"
            if x.resigned is not None and x.resigned != x.response:
                line += f"; then **gave up**: {_said(x.resigned)}"
            out.append(line)
    else:
        out.append("No dissent was voiced.")
    out += ["", "Purpose questions:", ""]
    for pq in d.purpose_questions:
        answer = f"answered by {_said(pq.answer)}" if pq.answer else "**no answer**"
        out.append(f"- {_said(pq.question)} → {answer}")
    if not d.purpose_questions:
        out.append("No one asked about purpose.")
    out += ["", "Commitments (owners and dates only as stated):", ""]
    for c in d.commitments:
        owner = _md(c.owner) if c.owner else "owner not stated"
        due = f", due {_md(c.due)}" if c.due else ""
        said = f"({clock(c.quote.start)}, said by {_md(c.made_by)})"
        out.append(f"- [ ] **{owner}**{due}: “{_md(shorten(c.quote.text, 300))}” {said}")
    if not d.commitments:
        out.append("No one took ownership of an action.")
    return out + [""]


def _coaching(card: Scorecard) -> list[str]:
    c = card.coaching
    if c is None:
        return []
    out = [
        "## Coaching review",
        "",
        f"Coach {_md(', '.join(c.coaches))}, coachee {_md(', '.join(c.coachees))}: the coach "
        f"spoke {c.coach_talk_share:.0%} of the words and asked {c.coach_questions} questions, "
        f"{len(c.purpose_questions)} about purpose; {len(c.invitations)} invitations to "
        f"disagree; the coachee disagreed {len(c.coachee_dissent)} times and took ownership "
        f"{len(c.coachee_ownership)} times; {len(c.resignation)} resignation moments.",
        "",
    ]
    for title, items in (
        ("The coach's purpose questions", c.purpose_questions),
        ("Invitations to disagree", c.invitations),
        ("The coachee disagreeing", c.coachee_dissent),
        ("Ownership the coachee took", c.coachee_ownership),
        ("Resignation, either side", c.resignation),
    ):
        out += [f"### {title} ({len(items)})", ""]
        out += [f"- {_said(q)}" for q in items] or ["None."]
        out.append("")
    return out


def _speakers(card: Scorecard) -> list[str]:
    shown = LABELS if card.overall is not None else ()  # nothing was labelled
    out = ["## Speakers", ""]
    header = "| Speaker | Turns | Words | Talk share |" + "".join(f" {x} |" for x in shown)
    out += [header, "|---|---:|---:|---:|" + "---:|" * len(shown)]
    for s in card.speakers:
        counts = "".join(f" {s.label_counts[label]} |" for label in shown)
        role = f" ({_md(s.role)})" if s.role else ""
        side = f" [{_md(s.side)}]" if s.side else ""
        figures = f"{s.turns} | {s.words} | {s.talk_share:.0%} |{counts}"
        out.append(f"| {_md(s.name)}{role}{side} | {figures}")
    out += [
        "",
        f"Talk balance: Gini {card.balance.gini:.2f} (balance score {card.balance.score:.0f}).",
        "",
    ]
    return out + _sides(card)


def _sides(card: Scorecard) -> list[str]:
    if card.sides is None:
        return []
    shown = LABELS if card.overall is not None else ()
    out = ["## Sides", ""]
    out.append("| Side | Speakers | Turns | Talk share |" + "".join(f" {x} |" for x in shown))
    out.append("|---|---:|---:|---:|" + "---:|" * len(shown))
    for side in card.sides.sides:
        counts = "".join(f" {side.turns_by_label[label]} |" for label in shown)
        out.append(
            f"| {_md(side.side)} | {side.speakers} | {side.turns} | {side.talk_share:.0%} |{counts}"
        )
    out.append("")
    if card.sides.unassigned:
        out += [f"{card.sides.unassigned} speaker(s) on no side.", ""]
    if card.sides.exchanges:
        out += ["Who says no to whom (the speaker's side → the side answered):", ""]
        for x in card.sides.exchanges:
            out.append(f"- {_md(x.by)} → {_md(x.to)}: {x.label} {x.turns}")
        out.append("")
    if card.sides.reading:
        out += ["What is one-sided:", ""]
        out += [f"- {_md(line)}" for line in card.sides.reading]
        out.append("")
    return out


def to_markdown(card: Scorecard) -> str:
    m = card.meeting
    out: list[str] = [f"# Partnership scorecard: {_md(m.title)}", ""]
    out.append(
        f"{_md(m.source)} · {m.format} · {duration(m.duration)} · {m.turns} turns · "
        f"{m.speakers} speakers · classifier {card.producer.classifier}"
    )
    if card.overall is None:
        out += ["", f"**Not scored:** {_md(card.assessment.message or 'too little to judge')}", ""]
        out += _speakers(card)
        out.append(
            "No index, band or labels: there was not enough to judge. Scorecards are for "
            "reflection, not for judging people."
        )
        return "\n".join(out) + "\n"
    out += ["", f"**Partnership index: {card.overall.score:.0f}/100, {card.overall.band}**", ""]
    if card.assessment.scope == "q_and_a":
        out += [f"Scored on the Q&A only: {_md(card.assessment.message or '')}.", ""]

    out += [
        "| Requirement | Score | Turns | Per 100 turns | Voices | Lowered by |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for key, req in card.requirements.items():
        lowered = ", ".join(f"{k} −{v:.0%}" for k, v in req.penalties.items() if v > 0) or "—"
        out.append(
            f"| {REQUIREMENT_TITLES[key]} ({key}) | {req.score:.0f} | {req.count} | "
            f"{req.rate:.1f} | {len(req.voices)} | {lowered} |"
        )
    out.append("")

    steps = next_steps(card)
    if steps:
        out += ["## What to try next", ""]
        out += [f"- **{REQUIREMENT_TITLES[x.requirement]}**: {_md(x.text)}" for x in steps]
        out.append("")

    out += ["## Flags", ""]
    if card.flags:
        for flag in card.flags:
            out.append(
                f"- {clock(flag.start)} **{_md(flag.speaker)}** ({flag.label}, "
                f"{sureness(flag)}): “{_md(flag.quote or flag.text)}”"
            )
    else:
        out.append("No resignation, blame or silencing was detected.")
    out.append("")

    out += _dynamics(card)
    out += _coaching(card)

    out += ["## Evidence", "", f"*Confidence.* {confidence_text()}", ""]
    for key, req in card.requirements.items():
        out.append(f"### {REQUIREMENT_TITLES[key]}: {req.score:.0f}")
        out.append("")
        if not req.evidence:
            out.append("No utterance carried this label.")
        for ev in req.evidence[:5]:
            out.append(
                f"- {clock(ev.start)} **{_md(ev.speaker)}** ({sureness(ev)}): "
                f"“{_md(shorten(ev.quote or ev.text, 300))}”"
            )
        if len(req.evidence) > 5:
            out.append(f"- … and {len(req.evidence) - 5} more in the JSON scorecard")
        out.append("")

    out += _speakers(card)

    out += ["## How the index was computed", ""]
    out += [index_working(card, times=" × "), ""]
    anti = ", ".join(ANTI_PATTERNS)
    out.append(
        f"Scores are normalised per 100 turns, reward several voices, and are lowered by {anti}. "
        f"Scoring config {card.producer.scoring}. Scorecards are for reflection, not for "
        "judging people."
    )
    out += ["", "## What the bands mean", ""]
    for name, meaning in band_scale().items():
        here = " (this meeting)" if name == card.overall.band else ""
        out.append(f"- **{name}**{here}: {meaning}")
    return "\n".join(out) + "\n"
