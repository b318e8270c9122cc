"""Comparison -> terminal table, JSON, Markdown or an HTML page with charts."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

from rich import box
from rich.console import Console
from rich.table import Table

from ..labels import ANTI_PATTERNS, REQUIREMENTS, AntiPattern, Requirement
from ..scorecard.compare import ComparedMeeting, Comparison
from ..scorecard.dynamics import OUTCOMES
from . import svg
from .common import REQUIREMENT_TITLES
from .html import _environment


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


Getter = Callable[[ComparedMeeting], str]


def _requirement(key: Requirement) -> Getter:
    return lambda m: _num(m.requirements[key])


def _flag(label: AntiPattern) -> Getter:
    return lambda m: str(m.flags[label])


def _outcome(outcome: str) -> Getter:
    return lambda m: "—" if m.dissent_outcomes is None else str(m.dissent_outcomes.get(outcome, 0))


def _share(m: ComparedMeeting) -> str:
    return "—" if m.coach_talk_share is None else f"{m.coach_talk_share:.0%}"


def rows(comparison: Comparison) -> list[tuple[str, Getter]]:
    """The compared figures, one (name, getter) per row, in reading order."""
    meetings = comparison.meetings
    out: list[tuple[str, Getter]] = []
    if any(m.date for m in meetings):
        out.append(("Date", lambda m: m.date or "—"))
    out += [
        ("Turns", lambda m: str(m.turns)),
        ("Partnership index", lambda m: _num(m.overall)),
        ("Band", lambda m: m.band),
    ]
    out += [(REQUIREMENT_TITLES[key], _requirement(key)) for key in REQUIREMENTS]
    if any(m.balance is not None for m in meetings):
        out.append(("Talk balance", lambda m: _num(m.balance)))
    out += [(f"Flags: {label}", _flag(label)) for label in ANTI_PATTERNS]
    if any(m.dissent_outcomes is not None for m in meetings):
        out += [(f"Dissent {o.replace('_', ' ')}", _outcome(o)) for o in OUTCOMES]
        out.append(("Commitments", lambda m: "—" if m.commitments is None else str(m.commitments)))
    if any(m.coach_talk_share is not None for m in meetings):
        out.append(("Coach's talk share", _share))
    return out


def to_table(comparison: Comparison, *, width: int = 120, color: bool = False) -> str:
    table = Table(title=comparison.title, title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("", no_wrap=True)
    for m in comparison.meetings:
        table.add_column(m.name, justify="right", overflow="fold")
    for name, get in rows(comparison):
        table.add_row(name, *(get(m) for m in comparison.meetings))
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, color_system="standard" if color else None, highlight=False
    )
    console.print(table)
    return buffer.getvalue()


def to_json(comparison: Comparison) -> str:
    return json.dumps(comparison.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def to_markdown(comparison: Comparison) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    head = "| | " + " | ".join(cell(m.name) for m in comparison.meetings) + " |"
    lines = [f"# {cell(comparison.title)}", "", head, "|---|" + "---:|" * len(comparison.meetings)]
    for name, get in rows(comparison):
        lines.append(f"| {name} | " + " | ".join(cell(get(m)) for m in comparison.meetings) + " |")
    return "\n".join(lines) + "\n"


def to_html(comparison: Comparison) -> str:
    meetings = comparison.meetings
    categories = ["Index", *(REQUIREMENT_TITLES[key] for key in REQUIREMENTS)]
    charts = []
    if len(meetings) <= 8 and not any(m.date for m in meetings):
        groups = [
            svg.Series(m.name, [m.overall, *(m.requirements[key] for key in REQUIREMENTS)])
            for m in meetings
        ]
        charts.append(
            svg.grouped_bars("compare", "Scores side by side, 0 to 100", categories, groups)
        )
    else:
        periods = [m.date or str(i + 1) for i, m in enumerate(meetings)]
        lines = [svg.Series("Partnership index", [m.overall for m in meetings])]
        lines += [
            svg.Series(REQUIREMENT_TITLES[key], [m.requirements[key] for m in meetings])
            for key in REQUIREMENTS
        ]
        charts.append(svg.line_chart("trend", "Scores over time, 0 to 100", periods, lines))
    flag_groups = [svg.Series(m.name, [float(m.flags[a]) for a in ANTI_PATTERNS]) for m in meetings]
    if len(meetings) <= 8:
        charts.append(
            svg.grouped_bars(
                "flags",
                "Resignation, blame and silencing moments",
                list(ANTI_PATTERNS),
                flag_groups,
                maximum=max([v or 0.0 for g in flag_groups for v in g.values] + [1.0]),
                integers=True,
            )
        )
    return (
        _environment()
        .get_template("compare.html.j2")
        .render(comparison=comparison, rows=rows(comparison), charts=charts)
    )
