"""WebVTT as Zoom, Teams and caption tools write it."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import InputError
from ._common import RawTurn, repeated_labels
from ._cues import Block, blocks, clean_markup, cue_turns, last_speaker, parse_timing, timing_index
from ._registry import register_reader

_SKIPPED_BLOCKS = frozenset({"NOTE", "STYLE", "REGION"})
EXAMPLE = "00:00:01.000 --> 00:00:04.000"


@register_reader("vtt", extensions=(".vtt", ".webvtt"), merge=True)
def parse(text: str, source: str) -> list[RawTurn]:
    """Cues to turns; speakers from ``<v Name>`` or a ``Name:`` prefix.

    A cue without a speaker continues the previous cue's speaker ("Unknown
    Speaker" before any). The WEBVTT header is optional so headerless files
    still read; NOTE, STYLE and REGION blocks and cue settings are ignored.
    """
    turns: list[RawTurn] = []
    known = repeated_labels(clean_markup(line) for line in text.split("\n"))
    cues = 0
    previous_times: tuple[float, float, int] | None = None
    for block in _body_blocks(text):
        if block.lines[0].split(maxsplit=1)[0] in _SKIPPED_BLOCKS:
            continue
        at = timing_index(block)
        if at is None:
            if previous_times is None:
                raise InputError(
                    "expected a cue timing line",
                    path=source,
                    line=block.line,
                    hint=f"a cue starts with a line like '{EXAMPLE}'; fix the line",
                )
            # Text after a stray blank line inside a cue still belongs to that cue.
            start, end, line = previous_times
            turns.extend(cue_turns(block.lines, start, end, line, last_speaker(turns), known))
            continue
        line = block.line + at
        start, end = parse_timing(block.lines[at], line, source, EXAMPLE)
        cues += 1
        previous_times = (start, end, line)
        turns.extend(cue_turns(block.lines[at + 1 :], start, end, line, last_speaker(turns), known))
    if cues == 0:
        raise InputError(
            "has no cues",
            path=source,
            hint=f"a WebVTT cue needs a timing line like '{EXAMPLE}' followed by text",
        )
    return turns


def _body_blocks(text: str) -> Iterator[Block]:
    """Blocks after the WEBVTT header line and its metadata (Kind:, Language:)."""
    for index, block in enumerate(blocks(text)):
        if index > 0 or not block.lines[0].lstrip().startswith("WEBVTT"):
            yield block
            continue
        # Some writers run the first cue straight on from the header.
        rest = block.lines[1:]
        for offset, line in enumerate(rest):
            if "-->" in line:
                yield Block(block.line + 1 + offset, rest[offset:])
                break
