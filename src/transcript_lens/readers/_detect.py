"""Which reader fits a file: its extension first, its content when that is ambiguous."""

from __future__ import annotations

import re
from pathlib import PurePath

from . import otter
from ._common import normalise_newlines, split_speaker
from ._registry import FORMATS
from .csvfile import looks_like_csv
from .jsondoc import is_single_document
from .rev import looks_like_rev

# [ \t]*, not \s*, after ^: \s* ran over every following blank line from each
# line start (quadratic), and a match found so also starts at a later line.
_SRT_CUE = re.compile(
    r"^[ \t]*\d+[ \t]*\n[ \t]*(?:\d+:)?\d{1,2}:\d{2},\d{1,3}[ \t]*-->", re.MULTILINE
)
_VTT_TIMING = re.compile(r"^[ \t]*(?:\d+:)?\d{2}:\d{2}\.\d{1,3}[ \t]*-->", re.MULTILINE)
_SRT_TIMING = re.compile(r"^[ \t]*(?:\d+:)?\d{1,2}:\d{2},\d{1,3}[ \t]*-->", re.MULTILINE)
# Enough to see the pattern without scanning the whole of a long meeting.
_SNIFF_CHARS = 64 * 1024
_SNIFF_LINES = 200


def _suffix(path_name: str) -> str:
    return PurePath(path_name).suffix.lower() if path_name != "-" else ""


def detect_binary_format(path_name: str, data: bytes) -> str | None:
    """Name of the binary reader (``docx``) for ``data``, or None for a text file.

    The extension decides first, so a ``.docx`` that is not a Word document gets
    the Word reader's error rather than a guess; then the bytes themselves.
    """
    suffix = _suffix(path_name)
    binary = [reader for reader in FORMATS.values() if reader.to_text is not None]
    for reader in binary:
        if suffix and suffix in reader.extensions:
            return reader.name
    for reader in binary:
        if reader.magic is not None and reader.magic(data):
            return reader.name
    return None


def detect_format(path_name: str, text: str) -> str:
    """Name of the reader for a file called ``path_name`` holding ``text``.

    A file starting with ``WEBVTT`` is vtt whatever its name. Otherwise an
    extension claimed by one reader decides (``.vtt``, ``.srt``, ``.jsonl``,
    ``.csv``, ``.docx``); ``.json`` is json when it holds one JSON document and
    jsonl otherwise; for ``.txt``, other or no extension (``-``), the content
    decides.
    """
    text = normalise_newlines(text)
    stripped = text.lstrip()
    if stripped.startswith("WEBVTT"):
        return "vtt"
    suffix = _suffix(path_name)
    claimed = [reader.name for reader in FORMATS.values() if suffix and suffix in reader.extensions]
    if len(claimed) == 1:
        return claimed[0]
    # Both JSON readers claim .json: JSON Lines files are often named so.
    if claimed and set(claimed) <= {"json", "jsonl"}:
        return "json" if is_single_document(stripped) else "jsonl"
    return _from_content(stripped[:_SNIFF_CHARS], stripped)


def _from_content(head: str, text: str) -> str:
    if head.startswith(("{", "[")) and is_single_document(text):
        return "json"
    if head.startswith("{"):
        return "jsonl"
    if _SRT_CUE.search(head):
        return "srt"
    if _VTT_TIMING.search(head):
        return "vtt"
    if _SRT_TIMING.search(head):
        return "srt"
    if looks_like_csv(head):
        return "csv"
    if looks_like_rev([line for line in head.split("\n") if line.strip()][:_SNIFF_LINES]):
        return "rev"
    if _looks_like_otter(head, text):
        return "otter"
    return "txt"


def _looks_like_otter(head: str, text: str) -> bool:
    last = text.rstrip().rsplit("\n", 1)[-1]
    if otter.is_footer(last):
        return True
    headers = labelled = 0
    lines = [line for line in head.split("\n") if line.strip()]
    for line in lines[:_SNIFF_LINES]:
        # Only the strict two-space form counts here, so a plain line ending in a
        # time ("we stopped at 10:30") does not turn a text file into Otter.
        if otter.header(line, paragraph_start=False) is not None:
            headers += 1
        elif split_speaker(line)[0] is not None:
            labelled += 1
    return headers > 0 and headers >= labelled
