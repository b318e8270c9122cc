"""Rows from the results database -> terminal table, JSON, CSV or JSON Lines.

JSON and CSV are deterministic: keys keep the library's order, dates are ISO
8601 in UTC, floats are written as Python prints them, CSV lines end in ``\\n``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, TextIO

from rich import box
from rich.console import Console
from rich.table import Table

from ..labels import ANTI_PATTERNS, LABELS, REQUIREMENTS
from ..scorecard.compare import NOT_SCORED
from .common import shorten


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return str(_plain(value))


def to_json(rows: Sequence[dict[str, Any]]) -> str:
    data = [{key: _plain(value) for key, value in row.items()} for row in rows]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str], out: TextIO) -> None:
    """Header, then one line per row (lists joined with ``;``, None empty)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])


def write_jsonl(rows: Iterable[dict[str, Any]], out: TextIO) -> None:
    for row in rows:
        out.write(json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False) + "\n")


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    write_csv(rows, columns, buffer)
    return buffer.getvalue()


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def _mean(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _table(title: str) -> Table:
    return Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )


def _print(table: Table, note: str, *, width: int, color: bool) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, force_terminal=color, no_color=not color, highlight=False
    )
    console.print(table)
    console.print(note, style="dim")
    # Rich pads every line to the console width; trailing blanks only get in the way.
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def history_table(
    rows: Sequence[dict[str, Any]],
    *,
    width: int = 100,
    color: bool = False,
    all_analyses: bool = False,
) -> str:
    title = f"Analyses ({len(rows)})" if all_analyses else f"Meetings ({len(rows)})"
    table = _table(title)
    table.add_column("Id", justify="right", no_wrap=True)
    if all_analyses:
        table.add_column("Analysis", justify="right", no_wrap=True)
    table.add_column("Date", no_wrap=True)
    table.add_column("Meeting", overflow="ellipsis", no_wrap=True, max_width=40)
    table.add_column("Index", justify="right", no_wrap=True)
    table.add_column("Band", no_wrap=True)
    for name in (*REQUIREMENTS, *ANTI_PATTERNS):
        table.add_column(name[:3], justify="right", no_wrap=True)
    table.add_column("Tags", overflow="fold")
    for row in rows:
        table.add_row(
            str(row["id"]),
            *([str(row["analysis"])] if all_analyses else []),
            f"{row['date']:%Y-%m-%d}",
            shorten(row["title"], 40),
            _score(row["overall"]),
            row["band"] or NOT_SCORED,
            *(_score(row[name]) for name in REQUIREMENTS),
            *(str(row[name]) for name in ANTI_PATTERNS),
            ", ".join(row["tags"]),
        )
    note = (
        "pur dis own can: requirement scores 0-100; res bla sil: resignation, blame and "
        "silencing flags. `report ID` renders a meeting; `--format json` has every field."
    )
    if any(row["band"] is None for row in rows):
        note += " A meeting 'not scored' had too little to judge; `report ID` says why."
    if all_analyses:
        note += " `report ID --analysis N` renders one analysis of it."
    elif any(row["analyses"] > 1 for row in rows):
        note += (
            " A meeting analyzed more than once shows its latest analysis;"
            " --all-analyses lists each."
        )
    return _print(table, note, width=width, color=color)


def trends_table(
    rows: Sequence[dict[str, Any]],
    *,
    by: str,
    speaker: str | None = None,
    width: int = 100,
    color: bool = False,
) -> str:
    title = f"Trends by {by}" + (f", meetings with {speaker}" if speaker else "")
    table = _table(title)
    table.add_column(by.capitalize(), no_wrap=True)
    table.add_column("Meetings", justify="right", no_wrap=True)
    table.add_column("Index", justify="right", no_wrap=True)
    for name in (*REQUIREMENTS, *ANTI_PATTERNS):
        table.add_column(name[:3], justify="right", no_wrap=True)
    if speaker:
        table.add_column("│ turns", justify="right", no_wrap=True)
        for label in LABELS:
            table.add_column(label[:3], justify="right", no_wrap=True, style="cyan")
    for row in rows:
        cells = [
            row["period"],
            str(row["meetings"]),
            _mean(row["overall"]),
            *(_mean(row[name]) for name in REQUIREMENTS),
            *(str(row[name]) for name in ANTI_PATTERNS),
        ]
        if speaker:
            cells.append(str(row.get("speaker_turns", 0)))
            cells.extend(str(row.get(f"speaker_{label}", 0)) for label in LABELS)
        table.add_row(*cells)
    note = "Index and pur dis own can: mean scores 0-100; res bla sil: flags summed" + (
        f"; after │, {speaker}'s own turns and labels." if speaker else "."
    )
    return _print(table, note, width=width, color=color)
