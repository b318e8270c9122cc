"""Views of a relationship (a series of meetings): terminal table and Markdown.

JSON is the model itself (``Relationship.model_dump_json``).
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ..labels import ANTI_PATTERNS, REQUIREMENTS
from ..scorecard.relationship import STATUSES, LedgerEntry, Relationship
from .common import clock, shorten

_SHORT = {"purpose": "pur", "dissent": "dis", "ownership": "own", "candor": "can"}


def _who(e: LedgerEntry) -> str:
    """Who took it on: the owner as said, or the speaker (and "we" when they said so)."""
    if e.owner is None:
        return e.commitment.speaker
    if e.owner == "we":
        return f"{e.commitment.speaker} (we)"
    return e.owner


def to_table(rel: Relationship, *, width: int = 100) -> str:
    meetings = Table(
        title=Text(rel.title),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    meetings.add_column("#", justify="right")
    meetings.add_column("Meeting")
    meetings.add_column("Date", no_wrap=True)
    meetings.add_column("Index", justify="right")
    meetings.add_column("Band")
    for r in REQUIREMENTS:
        meetings.add_column(_SHORT[r], justify="right")
    for a in ANTI_PATTERNS:
        meetings.add_column(a[:3], justify="right")
    for n, m in enumerate(rel.meetings, 1):
        meetings.add_row(
            str(n),
            Text(shorten(m.title, 28)),
            m.date or "",
            f"{m.index:.0f}" if m.index is not None else "-",
            Text(m.band or "not scored"),
            *(f"{m.requirements[r]:.0f}" if m.requirements else "-" for r in REQUIREMENTS),
            *(str(m.anti_patterns[a]) for a in ANTI_PATTERNS),
        )
    parts: list[Table | Text] = [meetings]
    recurring = [f"{a} in {n} of {len(rel.meetings)}" for a, n in rel.recurring.items() if n > 1]
    if recurring:
        parts.append(Text("Recurring: " + ", ".join(recurring) + " meetings."))
    sided = [(n, m) for n, m in enumerate(rel.meetings, 1) if m.sides is not None]
    if sided:
        parts.append(Text(""))
        parts.append(Text("Sides over time", style="bold"))
        for n, m in sided:
            assert m.sides is not None
            shares = ", ".join(f"{s.side} {s.talk_share:.0%}" for s in m.sides.sides)
            parts.append(Text(f"  {n}. talk: {shares}"))
            for line in m.sides.reading:
                parts.append(Text(f"     ▸ {line}"))
    parts.append(Text(""))
    counts = ", ".join(f"{rel.statuses[s]} {s}" for s in STATUSES)
    parts.append(Text(f"Commitments: {len(rel.commitments)} ({counts})", style="bold"))
    for e in rel.commitments:
        due = f", due {e.due}" if e.due else ""
        parts.append(
            Text(f"  [{e.meeting}] {e.status:<8} ", style="bold")
            + Text(f"{_who(e)}{due}: “{shorten(e.task, 90)}”")
        )
        if e.evidence is not None:
            q = e.evidence.quote
            parts.append(
                Text(
                    f"             {e.status} in meeting {e.evidence.meeting}, "
                    f"{clock(q.start)} {q.speaker}: “{shorten(q.text, 90)}”",
                    style="dim",
                )
            )
    parts.append(
        Text(
            "A commitment is kept, slipped or dropped only when a later turn says so (quoted); "
            "otherwise it stays open. For reflection, not for judging people.",
            style="dim",
        )
    )
    buffer = io.StringIO()
    Console(file=buffer, width=width, no_color=True, highlight=False).print(Group(*parts))
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def _md(text: str) -> str:
    from .markdown import _md as escape

    return escape(text)


def to_markdown(rel: Relationship) -> str:
    out = [f"# Relationship: {_md(rel.title)}", ""]
    head = "| # | Meeting | Date | Index | Band |" + "".join(f" {r} |" for r in REQUIREMENTS)
    head += "".join(f" {a} |" for a in ANTI_PATTERNS)
    out += [head, "|---:|---|---|---:|---|" + "---:|" * (len(REQUIREMENTS) + len(ANTI_PATTERNS))]
    for n, m in enumerate(rel.meetings, 1):
        reqs = "".join(
            f" {m.requirements[r]:.0f} |" if m.requirements else " - |" for r in REQUIREMENTS
        )
        antis = "".join(f" {m.anti_patterns[a]} |" for a in ANTI_PATTERNS)
        index = f"{m.index:.0f}" if m.index is not None else "-"
        out.append(
            f"| {n} | {_md(m.title)} | {m.date or ''} | {index} | {_md(m.band or 'not scored')} |"
            f"{reqs}{antis}"
        )
    out.append("")
    for n, m in enumerate(rel.meetings, 1):
        if m.sides is None:
            continue
        shares = ", ".join(f"{_md(s.side)} {s.talk_share:.0%}" for s in m.sides.sides)
        out.append(f"- Meeting {n}: talk {shares}")
        out += [f"  - {_md(line)}" for line in m.sides.reading]
    out += ["", f"## Commitments ({len(rel.commitments)})", ""]
    out += [
        "| Made in | Status | Owner | Due | Commitment | Decided by |",
        "|---:|---|---|---|---|---|",
    ]
    for e in rel.commitments:
        decided = (
            f"meeting {e.evidence.meeting}, {_md(e.evidence.quote.speaker)}: "
            f"“{_md(shorten(e.evidence.quote.text, 120))}”"
            if e.evidence
            else "—"
        )
        out.append(
            f"| {e.meeting} | {e.status} | {_md(_who(e))} | "
            f"{_md(e.due or '')} | “{_md(shorten(e.task, 120))}” | {decided} |"
        )
    out += [
        "",
        "A commitment is kept, slipped or dropped only when a later turn says so (quoted); "
        "otherwise it stays open. For reflection, not for judging people.",
        "",
    ]
    return "\n".join(out)


def to_html(rel: Relationship, links: dict[int, str] | None = None) -> str:
    """One self-contained page: the scores and talk by side over time as charts,
    the meetings (linked to their reports when ``links`` gives them), the
    sides readings and the ledger with its quotes."""
    from . import svg
    from .common import REQUIREMENT_TITLES
    from .html import _environment

    periods = [m.date or str(n) for n, m in enumerate(rel.meetings, 1)]
    if len(set(periods)) < len(periods):
        periods = [f"{n}. {p}" if p != str(n) else p for n, p in enumerate(periods, 1)]
    lines = [svg.Series("Partnership index", [m.index for m in rel.meetings])]
    lines += [
        svg.Series(
            REQUIREMENT_TITLES[r],
            [m.requirements[r] if m.requirements else None for m in rel.meetings],
        )
        for r in REQUIREMENTS
    ]
    title = "The partnership index and the four requirements, 0 to 100"
    charts = [(title, svg.line_chart("trend", title, periods, lines))]
    names = list(dict.fromkeys(s.side for m in rel.meetings if m.sides for s in m.sides.sides))
    if names:
        talk = [
            svg.Series(
                name if len(name) <= 22 else name[:21] + "…",
                [
                    next((100 * s.talk_share for s in m.sides.sides if s.side == name), None)
                    if m.sides
                    else None
                    for m in rel.meetings
                ],
            )
            for name in names
        ]
        title = "Each side's share of the words, %"
        charts.append((title, svg.line_chart("sides", title, periods, talk)))
    return (
        _environment()
        .get_template("relationship.html.j2")
        .render(rel=rel, charts=charts, links=links or {})
    )
