"""How much a reader takes on: input size, lines and speaker turns.

A transcript past a limit is refused with a message naming the size, the limit
and how to raise it, before the work it would cost is done: a file's size is
checked before it is read, lines before parsing, turns before they become
utterances. The defaults fit any real meeting many times over (a ten-hour
meeting is a few MB and some thousands of turns) and keep a hostile or broken
file from taking minutes and gigabytes.

Each limit is a keyword argument of the reading functions; ``None`` means the
environment's (``TRANSCRIPT_LENS_MAX_SIZE_MB``, ``TRANSCRIPT_LENS_MAX_TURNS``),
else the default here.
"""

from __future__ import annotations

import math
import os
import stat
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

from ..errors import ConfigError, InputError

if TYPE_CHECKING:
    from ._common import RawTurn

MB = 1024 * 1024
DEFAULT_MAX_BYTES = 50 * MB
#: About 1.4 kB of memory each once read; 200,000 is some 50 times a long meeting.
DEFAULT_MAX_TURNS = 200_000
#: Lines are counted before parsing, as a cheap bound on the parser's own work.
#: A WebVTT cue takes three or four, a plain-text turn one or two.
LINES_PER_TURN = 5
#: The rule classifier takes some 5 kB of memory and 40 µs a character of one
#: turn (spaCy's parser), and refuses a million; 100,000 characters is over an
#: hour of one person speaking.
DEFAULT_MAX_TURN_CHARS = 100_000
SIZE_ENV = "TRANSCRIPT_LENS_MAX_SIZE_MB"
TURNS_ENV = "TRANSCRIPT_LENS_MAX_TURNS"
TURN_CHARS_ENV = "TRANSCRIPT_LENS_MAX_TURN_CHARS"

_SPLIT_HINT = "split the transcript into smaller files"


def _from_env(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ConfigError(
            f"{name} must be a positive number, not {raw!r}",
            hint=f"set it to a number or unset it for the default ({default:g})",
        )
    return value


def max_bytes(override: int | None = None) -> int:
    """The input size limit in bytes: ``override``, else the environment, else 50 MB."""
    if override is not None:
        return override
    return int(_from_env(SIZE_ENV, DEFAULT_MAX_BYTES / MB) * MB)


def max_turns(override: int | None = None) -> int:
    """The speaker-turn limit: ``override``, else the environment, else 200,000."""
    if override is not None:
        return override
    return int(_from_env(TURNS_ENV, DEFAULT_MAX_TURNS))


def max_turn_chars() -> int:
    """The longest speaker turn in characters: the environment's, else 100,000."""
    return int(_from_env(TURN_CHARS_ENV, DEFAULT_MAX_TURN_CHARS))


def amount(size: int) -> str:
    """``52428800`` to ``"50 MB"``; sizes under a tenth of a MB in bytes."""
    if size % MB == 0:
        return f"{size // MB} MB"
    if size >= MB // 10:
        return f"{size / MB:.1f} MB"
    return f"{size:,} bytes"


def too_large(source: str, limit: int, size: int | None = None) -> InputError:
    """The error for input over ``limit`` bytes; ``size`` is None when it is unknown (a pipe)."""
    shown = amount(size) if size is not None else ""
    # A size that rounds to the limit reads as a contradiction; say it exactly.
    if size is not None and shown.endswith("MB") and float(shown.split()[0]) * MB <= limit:
        shown = f"{size:,} bytes"
    what = f"is {shown}, larger than" if size is not None else "is larger than"
    return InputError(
        f"{what} {amount(limit)}, the size limit",
        path=source,
        hint=f"pass --max-size MB (or set {SIZE_ENV}) to raise it, or {_SPLIT_HINT}",
    )


def check_size(size: int, source: str, limit: int | None = None) -> None:
    limit = max_bytes(limit)
    if size > limit:
        raise too_large(source, limit, size)


def read_limited(handle: IO[bytes], source: str, limit: int | None = None) -> bytes:
    """All of ``handle`` (a file or a pipe such as standard input), or the size error.

    A regular file is measured before any of it is read; a pipe is read one
    byte past the limit, never further.
    """
    limit = max_bytes(limit)
    try:
        info = os.fstat(handle.fileno())
    except (OSError, AttributeError, ValueError):
        info = None
    if info is not None and stat.S_ISREG(info.st_mode):
        check_size(info.st_size, source, limit)
    data = handle.read(limit + 1)
    if len(data) > limit:
        raise too_large(
            source, limit, info.st_size if info and stat.S_ISREG(info.st_mode) else None
        )
    return data


def check_lines(text: str, source: str, turns_limit: int | None = None) -> None:
    """Refuse text with more lines than the turn limit allows, before parsing it."""
    allowed = LINES_PER_TURN * max_turns(turns_limit)
    lines = text.count("\n") + 1
    if lines > allowed:
        raise InputError(
            f"has {lines:,} lines, more than the {allowed:,} allowed "
            f"({LINES_PER_TURN} for each of {allowed // LINES_PER_TURN:,} speaker turns)",
            path=source,
            hint=f"{_SPLIT_HINT}, or raise the turn limit with {TURNS_ENV}",
        )


def check_turns(count: int, source: str, turns_limit: int | None = None, *, raw: bool) -> None:
    """Refuse more speaker turns than the limit.

    ``raw`` counts cues and records as parsed, before a speaker's consecutive
    cues merge into one turn; they are allowed ``LINES_PER_TURN`` times as many.
    """
    limit = max_turns(turns_limit)
    allowed = limit * LINES_PER_TURN if raw else limit
    if count <= allowed:
        return
    what = "cues, lines or records" if raw else "speaker turns"
    raise InputError(
        f"has {count:,} {what}, more than the {allowed:,} {what} allowed",
        path=source,
        hint=f"{_SPLIT_HINT}, or raise the limit of {limit:,} turns with {TURNS_ENV}",
    )


def check_turn_lengths(turns: Sequence[RawTurn], source: str) -> None:
    """Refuse a turn longer than the turn-length limit, naming its line when known."""
    longest = max_turn_chars()
    for turn in turns:
        if len(turn.text) > longest:
            raise InputError(
                f"has a speaker turn of {len(turn.text):,} characters, "
                f"more than the {longest:,} allowed",
                path=source,
                line=turn.line,
                hint=f"break the turn up or check the file's line breaks; "
                f"{TURN_CHARS_ENV} raises the limit",
            )
