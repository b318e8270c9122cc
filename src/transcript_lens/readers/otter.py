"""Otter.ai text exports: a ``Name  0:05`` header, then the turn's text."""

from __future__ import annotations

import re

from ..errors import InputError
from ._common import UNKNOWN_SPEAKER, RawTurn, is_speaker_label, join_bodies, parse_timestamp
from ._registry import register_reader

# Otter separates name and time with two spaces; one space is accepted only where a
# header can start (first line of a paragraph), so "see you at 10:30" stays text.
# The name ends with a non-space, so it never competes with the gap for spaces
# (quadratic on a long run of them).
HEADER = re.compile(r"^(?P<name>\S(?:.*?\S)?)(?P<gap>\s+)(?P<time>(?:\d+:)?\d{1,2}:\d{2})\s*$")
# "otter.ai" is looked for in the URL afterwards: "\S*otter\.ai\S*" backtracks
# quadratically on a long word.
_FOOTER = re.compile(r"^\s*transcribed by\s+(?P<url>\S+)\s*$", re.IGNORECASE)


def header(line: str, *, paragraph_start: bool) -> tuple[str, float] | None:
    """``("Ana Lopez", 5.0)`` for ``Ana Lopez  0:05``, else None."""
    match = HEADER.match(line)
    if match is None or not is_speaker_label(match["name"]):
        return None
    if not paragraph_start and not (len(match["gap"]) >= 2 or "\t" in match["gap"]):
        return None
    start = parse_timestamp(match["time"])
    return (" ".join(match["name"].split()), start) if start is not None else None


def is_footer(line: str) -> bool:
    match = _FOOTER.match(line)
    return match is not None and "otter.ai" in match["url"].lower()


@register_reader(
    "otter",
    extensions=(".txt",),
    detection="`Name  0:05` header lines, or the `Transcribed by https://otter.ai` footer",
    example="`Ana Lopez  0:05` then the text on the next line",
)
def parse(text: str, source: str) -> list[RawTurn]:
    """Header-and-text turns; the 'Transcribed by https://otter.ai' footer is dropped."""
    turns: list[RawTurn] = []
    bodies: list[list[str]] = []  # joined at the end; concatenating as we go is quadratic
    paragraph_start = True
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            paragraph_start = True
            continue
        found = header(line, paragraph_start=paragraph_start)
        paragraph_start = False
        if found is not None:
            turns.append(RawTurn(found[0], "", found[1], None, number))
            bodies.append([])
        elif is_footer(line):
            continue
        elif turns:
            bodies[-1].append(line)
        else:
            turns.append(RawTurn(UNKNOWN_SPEAKER, "", None, None, number))
            bodies.append([line])
    if not any(turn.start is not None for turn in turns):
        raise InputError(
            "no 'Name  0:05' speaker header found",
            path=source,
            line=1,
            hint="an Otter export starts each turn with the speaker and time; "
            "pass --input-format txt for 'Speaker: text' lines",
        )
    return join_bodies(turns, bodies)
