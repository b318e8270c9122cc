"""Cue blocks shared by the WebVTT and SRT readers."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Set
from dataclasses import dataclass

from ..errors import InputError
from ._common import (
    UNKNOWN_SPEAKER,
    RawTurn,
    is_speaker_label,
    parse_timestamp,
    repeated_labels,
    split_speaker,
)

_TIMING = re.compile(r"^\s*(?P<start>[^\s-]+)\s*-->\s*(?P<end>\S+)(?:\s.*)?$")
# Tags stop at the next "<": scanning on for ">" from every "<v" of a long line
# without one was quadratic.
_VOICE = re.compile(r"<v(?:\.[^\s<>]*)?(?:\s(?P<name>[^<>]*))?>")
_VOICE_END = re.compile(r"</v\s*>")
# Only the tags cue text may hold, so a bare "a < b" in sloppy files survives.
_TAGS = re.compile(
    r"</?(?:c|i|b|u|s|em|strong|sub|sup|ruby|rt|lang|font|span)(?:[.\s][^<>]*)?/?>"
    r"|<(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}>"
    # SubStation override codes ({\an8}, {\i1}) that SRT converters leave in.
    r"|\{\\[^{}]*\}",
    re.IGNORECASE,
)
# Line and block breaks separate words, so they become spaces, not nothing.
_BREAKS = re.compile(r"</?(?:br|p|div)(?:\s[^<>]*)?/?>", re.IGNORECASE)
_BRACKETED_NAME = re.compile(r"^\s*\[(?P<name>[^\]\[]+)\]\s*(?P<text>\S.*)$")


@dataclass(frozen=True, slots=True)
class Block:
    """Lines between blank lines, with the file line number of the first."""

    line: int
    lines: list[str]


def blocks(text: str) -> Iterator[Block]:
    current: list[str] = []
    first = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                first = number
            current.append(line)
        elif current:
            yield Block(first, current)
            current = []
    if current:
        yield Block(first, current)


def timing_index(block: Block) -> int | None:
    """Index of the timing line: first line, or second after a cue id/number."""
    for index, line in enumerate(block.lines[:2]):
        if "-->" in line:
            return index
    return None


def parse_timing(line: str, number: int, source: str, example: str) -> tuple[float, float]:
    match = _TIMING.match(line)
    start = parse_timestamp(match["start"]) if match else None
    end = parse_timestamp(match["end"]) if match else None
    if start is None or end is None:
        raise InputError(
            f"cannot read the cue timing {line.strip()!r}",
            path=source,
            line=number,
            hint=f"expected a line like '{example}'; fix the line",
        )
    return start, end


def clean_markup(text: str) -> str:
    """Strip styling and timestamp tags, then decode entities such as ``&amp;``.

    Entities are decoded last so that an escaped ``&lt;i&gt;`` stays as text.
    """
    return html.unescape(_TAGS.sub("", _BREAKS.sub(" ", text)))


def cue_turns(
    payload: list[str],
    start: float,
    end: float,
    line: int,
    previous: str | None,
    known: Set[str] = frozenset(),
) -> list[RawTurn]:
    """Split a cue's text into speaker turns.

    Speakers come from ``<v Name>`` tags, else a ``Name: text`` or ``[Name] text``
    prefix on a line. Text with neither belongs to the speaker of the text before
    it, in this cue or the previous one (Zoom drops the prefix on continuation
    cues), or to "Unknown Speaker" at the start of a file. ``known`` is as for
    ``is_speaker_label``.
    """
    segments: list[tuple[str, str]] = []
    fallback = previous or UNKNOWN_SPEAKER
    text = "\n".join(payload)
    if _VOICE.search(text):
        # A missing </v> (Teams does this) ends the voice at the next <v> anyway.
        pieces = _VOICE.split(_VOICE_END.sub("", text))
        if pieces[0].strip():
            segments.append((fallback, clean_markup(pieces[0])))
        for name, body in zip(pieces[1::2], pieces[2::2], strict=True):
            speaker = " ".join(clean_markup(name or "").split())
            segments.append((speaker or UNKNOWN_SPEAKER, clean_markup(body)))
    else:
        for raw in payload:
            named, body = _line_speaker(clean_markup(raw), known)
            if named is not None:
                segments.append((named, body))
            elif segments:
                speaker, earlier = segments[-1]
                segments[-1] = (speaker, f"{earlier} {body}")
            else:
                segments.append((fallback, body))
    return [RawTurn(speaker, body, start, end, line) for speaker, body in segments]


def _line_speaker(line: str, known: Set[str]) -> tuple[str | None, str]:
    speaker, _, body = split_speaker(line, known)
    if speaker is not None:
        return speaker, body
    match = _BRACKETED_NAME.match(line)
    if match and is_speaker_label(match["name"], known) and parse_timestamp(match["name"]) is None:
        return " ".join(match["name"].split()), match["text"]
    return None, line


def last_speaker(turns: list[RawTurn]) -> str | None:
    return turns[-1].speaker if turns else None


def read_cues(
    cue_blocks: Iterable[Block], text: str, source: str, example: str, *, no_timing: tuple[str, str]
) -> tuple[list[RawTurn], int]:
    """Turn timed cue blocks into turns; returns the turns and the number of cues.

    ``no_timing`` is the (message, hint) of the error raised when text comes
    before any timing line. Text after a stray blank line inside a cue still
    belongs to that cue.
    """
    turns: list[RawTurn] = []
    known = repeated_labels(clean_markup(line) for line in text.split("\n"))
    cues = 0
    previous_times: tuple[float, float, int] | None = None
    for block in cue_blocks:
        at = timing_index(block)
        if at is None:
            if previous_times is None:
                message, hint = no_timing
                raise InputError(message, path=source, line=block.line, hint=hint)
            start, end, line = previous_times
            turns.extend(cue_turns(block.lines, start, end, line, last_speaker(turns), known))
            continue
        line = block.line + at
        start, end = parse_timing(block.lines[at], line, source, example)
        cues += 1
        previous_times = (start, end, line)
        turns.extend(cue_turns(block.lines[at + 1 :], start, end, line, last_speaker(turns), known))
    return turns, cues
