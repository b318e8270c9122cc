"""Spreadsheet exports: a header row naming the speaker, text and time columns.

The delimiter (comma, semicolon or tab) is sniffed from the header. Columns are
found by name (data/fields.toml: speaker, name, participant; text, transcript,
utterance, content; ...) or mapped with ``columns`` (``--columns
speaker=Who,text=Said``). Times are seconds or ``h:mm:ss(.ms)``.
"""

from __future__ import annotations

import _csv
import csv
import re
from collections.abc import Iterator, Mapping

from ..errors import InputError
from ._common import RawTurn
from ._fields import PARTS, names_for, normalise_name, seconds
from ._registry import register_reader

_DELIMITERS = ",;\t"
_SNIFF_CHARS = 4096
_SPACE = re.compile(r"\s+")
_HINT = "the first row names the columns, like speaker,text,start,end"
_COLUMNS_HINT = "or pass --columns speaker=NAME,text=NAME,start=NAME,end=NAME"


def parse_columns(spec: str) -> dict[str, str]:
    """``"speaker=Who,text=Said"`` to ``{"speaker": "Who", "text": "Said"}``.

    Raises ValueError naming the problem: a part other than speaker, text,
    start and end, a part given twice, or an item without ``=``.
    """
    columns: dict[str, str] = {}
    for item in spec.split(","):
        part, equals, name = item.partition("=")
        part, name = part.strip().lower(), name.strip()
        if not equals or not part or not name:
            raise ValueError(f"expected PART=COLUMN, not {item.strip()!r}")
        if part not in PARTS:
            raise ValueError(f"unknown part {part!r}; use {', '.join(PARTS)}")
        if part in columns:
            raise ValueError(f"{part!r} is given twice")
        columns[part] = name
    return columns


def looks_like_csv(head: str) -> bool:
    """Whether the first line of ``head`` is a header with speaker and text columns."""
    first = head.split("\n", 1)[0]
    delimiter = _delimiter(first)
    if delimiter is None:
        return False
    names = {normalise_name(cell) for cell in next(csv.reader([first], delimiter=delimiter))}
    return all(names & set(names_for("csv", part)) for part in ("speaker", "text"))


def _delimiter(header: str) -> str | None:
    try:
        # The sniffer's patterns are quadratic in the length of what they are given.
        return csv.Sniffer().sniff(header[:_SNIFF_CHARS], delimiters=_DELIMITERS).delimiter
    except csv.Error:
        # The sniffer gives up on a header of two plain names; counting does not.
        counts = {delimiter: header.count(delimiter) for delimiter in _DELIMITERS}
        best = max(counts, key=lambda delimiter: counts[delimiter])
        return best if counts[best] else None


@register_reader(
    "csv",
    extensions=(".csv", ".tsv"),
    detection="`.csv`, `.tsv`, or a first row naming speaker and text columns",
    example="`speaker,text,start,end` then `Ana Lopez,Hello.,0:00:03,4.5`",
)
def parse(text: str, source: str) -> list[RawTurn]:
    """Rows to turns, with columns found by their names."""
    return parse_rows(text, source)


def parse_rows(text: str, source: str, columns: Mapping[str, str] | None = None) -> list[RawTurn]:
    """Rows to turns; ``columns`` maps parts (speaker, text, start, end) to header names.

    Rows are numbered as a spreadsheet shows them, the header being row 1.
    """
    # Line ends kept, so a quoted cell may span lines.
    lines = [line + "\n" for line in text.split("\n")]
    first = next((index for index, line in enumerate(lines) if line.strip()), 0)
    delimiter = _delimiter(lines[first])
    if delimiter is None:
        raise InputError(
            "row 1: no comma, semicolon or tab between column names",
            path=source,
            hint=f"{_HINT}; pass --input-format for another format",
        )
    rows = _checked(csv.reader(lines[first:], delimiter=delimiter), source)
    header = next(rows)
    where = _columns(header, columns or {}, source)
    turns: list[RawTurn] = []
    for number, row in enumerate(rows, start=first + 2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {part: _cell(row, index, part, number, header, source) for part, index in where}
        speaker = cells["speaker"]
        if not speaker.strip():
            raise InputError(
                f"row {number}: no speaker in column {header[dict(where)['speaker']]!r}",
                path=source,
                hint="fill in the speaker",
            )
        turns.append(
            RawTurn(
                speaker,
                cells["text"],
                _time(cells.get("start"), "start", number, source),
                _time(cells.get("end"), "end", number, source),
            )
        )
    return turns


def _checked(rows: _csv.Reader, source: str) -> Iterator[list[str]]:
    """The rows, with the csv module's errors (a cell over its size limit) as InputError."""
    try:
        yield from rows
    except csv.Error as error:
        raise InputError(
            f"row {rows.line_num}: {error}",
            path=source,
            hint="look for a quote that is never closed, or split the long cell",
        ) from None


def _columns(header: list[str], columns: Mapping[str, str], source: str) -> list[tuple[str, int]]:
    """(part, column index) for each part the file has; speaker and text must be there."""
    by_name = {normalise_name(name): index for index, name in reversed(list(enumerate(header)))}
    found: list[tuple[str, int]] = []
    for part in PARTS:
        if part in columns:
            index = by_name.get(normalise_name(columns[part]))
            if index is None:
                raise InputError(
                    f"row 1: no column {columns[part]!r} (the header has "
                    f"{', '.join(repr(name) for name in header)})",
                    path=source,
                    hint=f"check --columns {part}=...",
                )
            found.append((part, index))
            continue
        index = next((by_name[name] for name in names_for("csv", part) if name in by_name), None)
        if index is not None:
            found.append((part, index))
        elif part in ("speaker", "text"):
            looked = ", ".join(names_for("csv", part))
            raise InputError(
                f"row 1: no {part} column (looked for {looked})",
                path=source,
                hint=f"{_HINT}; {_COLUMNS_HINT}",
            )
    return found


def _cell(
    row: list[str], index: int, part: str, number: int, header: list[str], source: str
) -> str:
    if index < len(row):
        return row[index]
    if part in ("start", "end"):
        return ""
    raise InputError(
        f"row {number}: has {len(row)} cells, so no {part} (column {header[index]!r})",
        path=source,
        hint="check the row's delimiters and quotes",
    )


def _time(value: str | None, part: str, number: int, source: str) -> float | None:
    try:
        return seconds(value)
    except ValueError:
        raise InputError(
            f"row {number}: cannot read the {part} time {_SPACE.sub(' ', value or '')!r}",
            path=source,
            hint="write seconds (12.5) or h:mm:ss (0:00:12.5)",
        ) from None
