"""Which reader fits a file: its extension first, its content when that is ambiguous."""

from __future__ import annotations

import re
from pathlib import PurePath

from . import otter
from ._common import normalise_newlines, split_speaker
from ._registry import FORMATS

_SRT_CUE = re.compile(r"^\s*\d+[ \t]*\n[ \t]*(?:\d+:)?\d{1,2}:\d{2},\d{1,3}[ \t]*-->", re.MULTILINE)
_VTT_TIMING = re.compile(r"^[ \t]*(?:\d+:)?\d{2}:\d{2}\.\d{1,3}[ \t]*-->", re.MULTILINE)
_SRT_TIMING = re.compile(r"^[ \t]*(?:\d+:)?\d{1,2}:\d{2},\d{1,3}[ \t]*-->", re.MULTILINE)
# Enough to see the pattern without scanning the whole of a long meeting.
_SNIFF_CHARS = 64 * 1024
_SNIFF_LINES = 200


def detect_format(path_name: str, text: str) -> str:
    """Name of the reader for a file called ``path_name`` holding ``text``.

    A file starting with ``WEBVTT`` is vtt whatever its name. Otherwise an
    extension claimed by one reader decides (``.vtt``, ``.srt``, ``.json``,
    ``.jsonl``); for ``.txt``, other or no extension (``-``), the content does.
    """
    text = normalise_newlines(text)
    stripped = text.lstrip()
    if stripped.startswith("WEBVTT"):
        return "vtt"
    suffix = PurePath(path_name).suffix.lower() if path_name != "-" else ""
    claimed = [reader.name for reader in FORMATS.values() if suffix and suffix in reader.extensions]
    if len(claimed) == 1:
        return claimed[0]
    return _from_content(stripped[:_SNIFF_CHARS], stripped)


def _from_content(head: str, text: str) -> str:
    if head.startswith("{"):
        return "jsonl"
    if _SRT_CUE.search(head):
        return "srt"
    if _VTT_TIMING.search(head):
        return "vtt"
    if _SRT_TIMING.search(head):
        return "srt"
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
