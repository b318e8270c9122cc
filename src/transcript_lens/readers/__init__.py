"""Transcript readers: a file in one of several formats to a ``Transcript``.

Formats: WebVTT (``vtt``), SubRip (``srt``), plain ``Speaker: text`` (``txt``),
Otter.ai exports (``otter``), Rev exports (``rev``), JSON Lines (``jsonl``), one
JSON document such as a Fireflies export (``json``), CSV (``csv``) and Teams
Word documents (``docx``). Each registers itself with ``register_reader``, as a
plugin would; ``describe_formats`` lists them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..errors import InputError
from ..model import Transcript

# The format modules are imported for their register_reader side effect.
from . import _limits, csvfile, jsondoc, jsonl, otter, rev, srt, vtt, word  # noqa: F401
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
)
from ._describe import FormatDescription, describe_formats, formats_table
from ._detect import detect_binary_format, detect_format
from ._registry import FORMATS, Reader, register_reader
from .csvfile import parse_columns

__all__ = [
    "FORMATS",
    "MAX_BYTES",
    "FormatDescription",
    "UNKNOWN_SPEAKER",
    "RawTurn",
    "Reader",
    "describe_formats",
    "detect_binary_format",
    "detect_format",
    "formats_table",
    "parse_columns",
    "read_bytes",
    "read_file_bytes",
    "read_stdin_bytes",
    "read_text",
    "read_transcript",
    "register_reader",
    "to_text",
]


def read_transcript(
    path: str | Path,
    *,
    input_format: str | None = None,
    merge_gap: float = 2.0,
    merge: bool | None = None,
    title: str | None = None,
    columns: Mapping[str, str] | None = None,
    max_bytes: int | None = None,
    max_turns: int | None = None,
) -> Transcript:
    """Read a transcript file; the format is detected unless ``input_format`` is given.

    ``merge`` joins consecutive turns by one speaker at most ``merge_gap`` seconds
    apart; ``None`` means the format's default (on for the caption-like vtt, srt,
    docx and json). The title defaults to the file name without its extension.
    ``columns`` maps a CSV file's columns (``{"speaker": "Who"}``); other formats
    ignore it. ``max_bytes`` and ``max_turns`` bound the input (see ``_limits``:
    None is the environment's limit, else 50 MB and 200,000 turns).
    """
    path = Path(path)
    data = read_file_bytes(path, max_bytes=max_bytes)
    return read_bytes(
        data,
        source=str(path),
        input_format=input_format,
        merge_gap=merge_gap,
        merge=merge,
        title=title if title is not None else path.stem,
        columns=columns,
        max_bytes=max_bytes,
        max_turns=max_turns,
    )


def read_bytes(
    data: bytes,
    *,
    source: str,
    input_format: str | None = None,
    merge_gap: float = 2.0,
    merge: bool | None = None,
    title: str | None = None,
    columns: Mapping[str, str] | None = None,
    max_bytes: int | None = None,
    max_turns: int | None = None,
) -> Transcript:
    """Read a transcript from raw bytes (standard input, say) named ``source``.

    A Word document is read as its paragraphs. Text is decoded as ``decode``
    says: a BOM, else UTF-16 by its NUL bytes, else UTF-8, else the legacy
    encoding charset-normalizer finds.
    """
    _limits.check_size(len(data), source, max_bytes)
    text, name = to_text(data, source, input_format, max_bytes=max_bytes)
    return read_text(
        text,
        source=source,
        input_format=name,
        merge_gap=merge_gap,
        merge=merge,
        title=title,
        columns=columns,
        max_bytes=max_bytes,
        max_turns=max_turns,
    )


def to_text(
    data: bytes, source: str, input_format: str | None = None, *, max_bytes: int | None = None
) -> tuple[str, str | None]:
    """The text a reader parses, and the format when the bytes decide it.

    A binary format (a ``.docx``, or any Word document's bytes) is turned into
    text by its reader and named; other bytes are decoded and the format stays
    ``input_format`` (None: detect it from the text).
    """
    name = input_format if input_format is not None else detect_binary_format(source, data)
    reader = FORMATS.get(name) if name is not None else None
    if reader is not None and reader.to_text is not None:
        return reader.to_text(data, source), name
    return decode(data, source, max_bytes), input_format


def read_text(
    text: str,
    *,
    source: str,
    input_format: str | None = None,
    merge_gap: float = 2.0,
    merge: bool | None = None,
    title: str | None = None,
    columns: Mapping[str, str] | None = None,
    max_bytes: int | None = None,
    max_turns: int | None = None,
) -> Transcript:
    """Read a transcript from text; ``source`` names it in errors and the result.

    The title defaults to the stem of ``source``, or "stdin" when it is ``-``.
    ``columns`` is for the csv reader, as in ``read_transcript``.
    """
    if merge_gap < 0:
        raise ValueError(f"merge_gap must be 0 or more seconds, not {merge_gap}")
    text = normalise_newlines(text)
    _limits.check_size(len(text), source, max_bytes)
    check_text(text, source)
    _limits.check_lines(text, source, max_turns)
    name = input_format if input_format is not None else detect_format(source, text)
    reader = FORMATS.get(name)
    if reader is None:
        raise InputError(
            f"unknown input format {name!r}",
            path=source,
            hint=f"use one of: {', '.join(sorted(FORMATS))}",
        )
    if columns and reader.name == "csv":
        turns = csvfile.parse_rows(text, source, columns)
    else:
        turns = reader.parse(text, source)
    merging = reader.merge if merge is None else merge
    # Unmerged, the parsed turns are the final ones: refuse now, before cleaning them.
    _limits.check_turns(len(turns), source, max_turns, raw=merging)
    merged = merge_turns(turns, merge_gap if merging else None)
    _limits.check_turns(len(merged), source, max_turns, raw=False)
    _limits.check_turn_lengths(merged, source)
    if not merged:
        raise InputError(
            "has no speaker turns with text",
            path=source,
            hint=f"check that this is a {name} transcript, or pass --input-format",
        )
    if title is None:
        title = "stdin" if source == "-" else Path(source).stem
    return Transcript(source=source, title=title, format=name, utterances=to_utterances(merged))


def read_file_bytes(path: Path, *, max_bytes: int | None = None) -> bytes:
    """The file's bytes; a file larger than ``max_bytes`` is refused before it is read."""
    source = str(path)
    try:
        if path.is_dir():
            raise InputError(
                "is a directory, not a transcript file", path=source, hint="pass one file inside it"
            )
        with path.open("rb") as handle:
            return _limits.read_limited(handle, source, max_bytes)
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


def read_stdin_bytes(*, max_bytes: int | None = None) -> bytes:
    """Standard input's bytes, read no further than one byte past ``max_bytes``."""
    import sys

    return _limits.read_limited(sys.stdin.buffer, "-", max_bytes)
