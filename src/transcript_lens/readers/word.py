"""Microsoft Teams transcripts downloaded as Word documents (``.docx``).

Teams writes a heading paragraph per turn, ``Ana Lopez   0:03`` (newer builds put
the time first, ``0:03 Ana Lopez``), then the text. The older Stream export writes
caption cues instead: ``0:0:5.100 --> 0:0:8.250``, the speaker's name on its own
line (or ``<v Ana Lopez>``), then the text. The document's paragraphs become
lines of text, so ``parse`` also reads such a transcript pasted as plain text.
"""

from __future__ import annotations

import io
import re
import zipfile

from ..errors import InputError
from ._common import (
    MAX_BYTES,
    RawTurn,
    clean_speaker,
    is_speaker_label,
    join_bodies,
    parse_timestamp,
)
from ._cues import clean_markup, cue_turns, last_speaker
from ._registry import register_reader

_ZIP_MAGIC = b"PK\x03\x04"
_DOCUMENT = "word/document.xml"
# What zipfile raises for a damaged archive; NotImplementedError for an unknown
# "version needed to extract" (found by benchmarks/fuzz_readers.py).
_DAMAGED_ZIP = (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError)
# A .docx is compressed XML; a small file may expand a lot, a hostile one without
# limit. Real transcripts expand well under this.
MAX_EXPANDED = 4 * MAX_BYTES

_STAMP = r"(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
# Names end with a non-space so no two parts compete for a run of spaces, which
# took quadratic time on a long line.
_NAME_FIRST = re.compile(rf"^(?P<name>\S(?:.*?\S)?)\s+(?P<time>{_STAMP})\s*$")
_TIME_FIRST = re.compile(rf"^(?P<time>{_STAMP})\s+(?P<name>\S(?:.*\S)?)\s*$")
# Stream writes hours, minutes and seconds without padding: 0:0:5.1.
# Hours bounded: int() refuses 4,300 digits and float() 309.
_STREAM_TIME = r"\d{1,6}:\d{1,2}:\d{1,2}(?:\.\d+)?"
_STREAM_TIMING = re.compile(rf"^\s*(?P<start>{_STREAM_TIME})\s*-->\s*(?P<end>{_STREAM_TIME})\s*$")
_TRANSCRIPTION_EVENT = re.compile(r"^.{1,80}\b(?:started|stopped) transcription\.?$", re.I)
_HINT = (
    "download the transcript from Teams as .docx, or save the text and pass "
    "--input-format for its format"
)


def is_word_document(data: bytes) -> bool:
    """Whether ``data`` is a zip archive holding a Word document body."""
    if not data.startswith(_ZIP_MAGIC):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _DOCUMENT in archive.namelist()
    except _DAMAGED_ZIP:
        return False


def paragraphs_text(data: bytes, source: str) -> str:
    """The document's paragraphs, one per line (line breaks inside one split it)."""
    import docx  # python-docx; imported here so text formats never pay for lxml

    if not data.startswith(_ZIP_MAGIC):
        raise InputError("is not a Word document (not a zip file)", path=source, hint=_HINT)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            expanded = sum(info.file_size for info in archive.infolist())
    except _DAMAGED_ZIP:
        raise InputError(
            "is not a Word document (a damaged zip file)", path=source, hint=_HINT
        ) from None
    if _DOCUMENT not in names:
        raise InputError(
            f"is a zip archive but not a Word document (no {_DOCUMENT})", path=source, hint=_HINT
        )
    if expanded > MAX_EXPANDED:
        raise InputError(
            f"expands to more than {MAX_EXPANDED // (1024 * 1024)} MB",
            path=source,
            hint="split the transcript into smaller files",
        )
    try:
        document = docx.Document(io.BytesIO(data))
        # Inside the try: a body of the wrong shape fails only here (AttributeError).
        return "\n".join(paragraph.text for paragraph in document.paragraphs)
    # python-docx and lxml raise many types for a damaged package; all mean the same.
    except Exception as error:  # noqa: BLE001
        raise InputError(
            f"cannot read the Word document ({type(error).__name__})", path=source, hint=_HINT
        ) from None


@register_reader(
    "docx",
    extensions=(".docx",),
    merge=True,
    detection="`.docx`, or a zip file holding `word/document.xml`",
    example="Teams: `Ana Lopez   0:03` then the text; Stream: `0:0:3.100 --> 0:0:8.250`, "
    "`Ana Lopez`, text",
    to_text=paragraphs_text,
    magic=is_word_document,
)
def parse(text: str, source: str) -> list[RawTurn]:
    """Teams headings or Stream cues to turns; "started transcription" notes are dropped.

    Paragraphs before the first heading (the meeting's title, date and length)
    are not speech and are skipped.
    """
    lines = text.split("\n")
    if any(_STREAM_TIMING.match(line) for line in lines):
        turns = _stream_turns(lines)
    else:
        turns = _heading_turns(lines)
    if not turns:
        raise InputError(
            "has no Teams transcript: no 'Name  0:03' heading or '0:0:3.1 --> 0:0:8.2' cue",
            path=source,
            hint=_HINT,
        )
    return turns


def _heading(line: str) -> tuple[str, float] | None:
    for pattern in (_NAME_FIRST, _TIME_FIRST):
        match = pattern.match(line.strip())
        if match is not None and is_speaker_label(match["name"]):
            start = parse_timestamp(match["time"])
            if start is not None:
                return clean_speaker(match["name"]), start
    return None


def _heading_turns(lines: list[str]) -> list[RawTurn]:
    turns: list[RawTurn] = []
    bodies: list[list[str]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or _TRANSCRIPTION_EVENT.match(line.strip()):
            continue
        found = _heading(line)
        if found is not None:
            turns.append(RawTurn(found[0], "", found[1], None, number))
            bodies.append([])
        elif turns:
            bodies[-1].append(line)
    return join_bodies(turns, bodies)


def _stream_seconds(value: str) -> float:
    hours, minutes, seconds = value.split(":")
    return round(int(hours) * 3600 + int(minutes) * 60 + float(seconds), 3)


def _stream_turns(lines: list[str]) -> list[RawTurn]:
    """Cues to turns; lines before the first cue (a title) are skipped."""
    cues: list[tuple[int, float, float, list[str]]] = []
    for number, line in enumerate(lines, start=1):
        timing = _STREAM_TIMING.match(line)
        if timing is not None:
            start, end = _stream_seconds(timing["start"]), _stream_seconds(timing["end"])
            cues.append((number, start, end, []))
        elif line.strip() and cues:
            cues[-1][3].append(line)
    turns: list[RawTurn] = []
    for number, start, end, payload in cues:
        if len(payload) >= 2 and "<v" not in payload[0] and _is_name_line(payload[0]):
            speaker = clean_speaker(clean_markup(payload[0]))
            body = " ".join(clean_markup(line) for line in payload[1:])
            turns.append(RawTurn(speaker, body, start, end, number))
        else:
            turns.extend(cue_turns(payload, start, end, number, last_speaker(turns)))
    return turns


def _is_name_line(line: str) -> bool:
    line = clean_markup(line).strip()
    return ":" not in line and is_speaker_label(line)
