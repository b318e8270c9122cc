"""Rev.com-style exports: ``Speaker 1 (00:05):`` then the text, a blank line between turns.

Only a line of exactly that shape starts a turn, so a line of text such as
"Budget: we are at 80%" stays in the turn it belongs to.
"""

from __future__ import annotations

import re

from ..errors import InputError
from ._common import (
    UNKNOWN_SPEAKER,
    RawTurn,
    clean_speaker,
    is_speaker_label,
    join_bodies,
    parse_timestamp,
    split_speaker,
)
from ._registry import register_reader

_HEADER = re.compile(
    # The name ends with a non-space: "[^():]*?\s*" was quadratic on a run of spaces.
    r"^(?P<name>[^():\s](?:[^():]*?[^():\s])?)\s*\((?P<time>(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)\):"
    r"(?:[ \t]+(?P<text>\S.*))?\s*$"
)
_EXAMPLE = "Speaker 1 (00:05):"


def header(line: str) -> tuple[str, float, str] | None:
    """``("Speaker 1", 5.0, "text")`` for ``Speaker 1 (00:05): text``, else None."""
    match = _HEADER.match(line.strip())
    if match is None or not is_speaker_label(match["name"]):
        return None
    start = parse_timestamp(match["time"])
    if start is None:
        return None
    return clean_speaker(match["name"]), start, match["text"] or ""


def looks_like_rev(lines: list[str]) -> bool:
    """Two or more Rev headers, and more of them than other ``Name: text`` labels."""
    headers = others = 0
    for line in lines:
        if header(line) is not None:
            headers += 1
        elif split_speaker(line)[0] is not None:
            others += 1
    return headers >= 2 and headers > others


@register_reader(
    "rev",
    extensions=(".txt",),
    detection="`Name (00:05):` lines, each alone or followed by the text",
    example="`Speaker 1 (00:05):` then the text on the next line",
)
def parse(text: str, source: str) -> list[RawTurn]:
    """Headers and their text to turns; text before the first header is "Unknown Speaker"."""
    turns: list[RawTurn] = []
    bodies: list[list[str]] = []  # joined at the end; concatenating as we go is quadratic
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        found = header(line)
        if found is not None:
            turns.append(RawTurn(found[0], "", found[1], None, number))
            bodies.append([found[2]])
        elif turns:
            bodies[-1].append(line)
        else:
            turns.append(RawTurn(UNKNOWN_SPEAKER, "", None, None, number))
            bodies.append([line])
    if not any(turn.start is not None for turn in turns):
        raise InputError(
            f"no '{_EXAMPLE}' speaker line found",
            path=source,
            line=1,
            hint="a Rev export starts each turn with the speaker and time in brackets; "
            "pass --input-format txt for 'Speaker: text' lines",
        )
    return join_bodies(turns, bodies)
