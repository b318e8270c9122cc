"""WebVTT as Zoom, Teams and caption tools write it."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import InputError
from ._common import RawTurn
from ._cues import Block, blocks, read_cues
from ._registry import register_reader

_SKIPPED_BLOCKS = frozenset({"NOTE", "STYLE", "REGION"})
EXAMPLE = "00:00:01.000 --> 00:00:04.000"


@register_reader(
    "vtt",
    extensions=(".vtt", ".webvtt"),
    merge=True,
    detection="a `WEBVTT` first line, `.vtt`, or `00:00:01.000 -->` cue timings",
    example="`00:00:01.000 --> 00:00:04.000` then `<v Ana Lopez>Hello.</v>` or `Ana Lopez: Hello.`",
)
def parse(text: str, source: str) -> list[RawTurn]:
    """Cues to turns; speakers from ``<v Name>`` or a ``Name:`` prefix.

    A cue without a speaker continues the previous cue's speaker ("Unknown
    Speaker" before any). The WEBVTT header is optional so headerless files
    still read; NOTE, STYLE and REGION blocks and cue settings are ignored.
    """
    cue_blocks = (
        block
        for block in _body_blocks(text)
        if block.lines[0].split(maxsplit=1)[0] not in _SKIPPED_BLOCKS
    )
    turns, cues = read_cues(
        cue_blocks,
        text,
        source,
        EXAMPLE,
        no_timing=(
            "expected a cue timing line",
            f"a cue starts with a line like '{EXAMPLE}'; fix the line",
        ),
    )
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
