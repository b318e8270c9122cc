"""Transcript readers: a file in one of several formats to a ``Transcript``.

Formats: WebVTT (``vtt``), SubRip (``srt``), plain ``Speaker: text`` (``txt``),
Otter.ai exports (``otter``) and JSON Lines (``jsonl``). Each registers itself
with ``register_reader``, as a plugin would.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..model import Transcript

# The format modules are imported for their register_reader side effect.
from . import jsonl, otter, srt, vtt  # noqa: F401
from . import text as _plain_text  # noqa: F401
from ._common import (
    MAX_BYTES,
    UNKNOWN_SPEAKER,
    RawTurn,
    check_text,
    decode,
    merge_turns,
    normalise_newlines,
    to_utterances,
    too_large,
)
from ._detect import detect_format
from ._registry import FORMATS, Reader, register_reader

__all__ = [
    "FORMATS",
    "MAX_BYTES",
    "UNKNOWN_SPEAKER",
    "RawTurn",
    "Reader",
    "detect_format",
    "read_bytes",
    "read_file_bytes",
    "read_text",
    "read_transcript",
    "register_reader",
]


def read_transcript(
    path: str | Path,
    *,
    input_format: str | None = None,
    merge_gap: float = 2.0,
    merge: bool | None = None,
    title: str | None = None,
) -> Transcript:
    """Read a transcript file; the format is detected unless ``input_format`` is given.

    ``merge`` joins consecutive turns by one speaker at most ``merge_gap`` seconds
    apart; ``None`` means the format's default (on for vtt and srt only). The
    title defaults to the file name without its extension.
    """
    path = Path(path)
    data = read_file_bytes(path)
    return read_bytes(
        data,
        source=str(path),
        input_format=input_format,
        merge_gap=merge_gap,
        merge=merge,
        title=title if title is not None else path.stem,
    )


def read_bytes(
    data: bytes,
    *,
    source: str,
    input_format: str | None = None,
    merge_gap: float = 2.0,
    merge: bool | None = None,
    title: str | None = None,
) -> Transcript:
    """Read a transcript from raw bytes (standard input, say) named ``source``.

    The encoding is found from a BOM, else UTF-16 by its NUL bytes, UTF-8, and
    cp1252 as a last resort.
    """
    return read_text(
        decode(data, source),
        source=source,
        input_format=input_format,
        merge_gap=merge_gap,
        merge=merge,
        title=title,
    )


def read_text(
    text: str,
    *,
    source: str,
    input_format: str | None = None,
    merge_gap: float = 2.0,
    merge: bool | None = None,
    title: str | None = None,
) -> Transcript:
    """Read a transcript from text; ``source`` names it in errors and the result.

    The title defaults to the stem of ``source``, or "stdin" when it is ``-``.
    """
    if merge_gap < 0:
        raise ValueError(f"merge_gap must be 0 or more seconds, not {merge_gap}")
    text = normalise_newlines(text)
    if len(text) > MAX_BYTES:
        raise too_large(source)
    check_text(text, source)
    name = input_format if input_format is not None else detect_format(source, text)
    reader = FORMATS.get(name)
    if reader is None:
        raise InputError(
            f"unknown input format {name!r}",
            path=source,
            hint=f"use one of: {', '.join(sorted(FORMATS))}",
        )
    turns = reader.parse(text, source)
    merged = merge_turns(turns, merge_gap if (reader.merge if merge is None else merge) else None)
    if not merged:
        raise InputError(
            "has no speaker turns with text",
            path=source,
            hint=f"check that this is a {name} transcript, or pass --input-format",
        )
    if title is None:
        title = "stdin" if source == "-" else Path(source).stem
    return Transcript(source=source, title=title, format=name, utterances=to_utterances(merged))


def read_file_bytes(path: Path) -> bytes:
    source = str(path)
    try:
        if path.is_dir():
            raise InputError(
                "is a directory, not a transcript file", path=source, hint="pass one file inside it"
            )
        # Read one byte past the limit rather than trusting stat: pipes and
        # special files report no size.
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError("no such file", path=source, hint="check the path") from None
    except PermissionError:
        raise InputError(
            "permission denied", path=source, hint="check the file's permissions"
        ) from None
    except OSError as error:
        raise InputError(
            f"cannot read the file ({error.strerror or error})", path=source, hint="check the path"
        ) from None
    if len(data) > MAX_BYTES:
        raise too_large(source)
    return data
