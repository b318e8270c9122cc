"""Plain text: one ``Speaker: text`` line per turn, optionally time-stamped."""

from __future__ import annotations

from ..errors import InputError
from ._common import UNKNOWN_SPEAKER, RawTurn, join_bodies, repeated_labels, split_speaker
from ._registry import register_reader


@register_reader(
    "txt",
    extensions=(".txt",),
    detection="`.txt` or no extension, with `Speaker: text` lines (when no other format fits)",
    example="`[00:01:05] Ana Lopez: Hello.`; stamps `[mm:ss]`, `(mm:ss)` optional",
)
def parse(text: str, source: str) -> list[RawTurn]:
    """Lines to turns; a line without a speaker label continues the turn before it.

    Stamps such as ``[00:01:05] Ana: hi``, ``(01:05) Ana: hi`` or ``Ana (01:05): hi``
    give the start time. Lines before the first label (a title, say) are kept as
    "Unknown Speaker" rather than silently dropped.
    """
    turns: list[RawTurn] = []
    bodies: list[list[str]] = []  # joined at the end; concatenating as we go is quadratic
    labelled = False
    lines = text.split("\n")
    known = repeated_labels(lines)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        speaker, start, body = split_speaker(line, known)
        if speaker is not None:
            labelled = True
            turns.append(RawTurn(speaker, "", start, None, number))
            bodies.append([body])
        elif turns:
            bodies[-1].append(line)
        else:
            turns.append(RawTurn(UNKNOWN_SPEAKER, "", None, None, number))
            bodies.append([line])
    if not labelled:
        raise InputError(
            "no line has a 'Speaker: text' prefix",
            path=source,
            line=1,
            hint="start each turn with 'Name: ', or pass --input-format for another format",
        )
    return join_bodies(turns, bodies)
