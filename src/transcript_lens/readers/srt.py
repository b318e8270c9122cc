"""SubRip (SRT) captions."""

from __future__ import annotations

from ..errors import InputError
from ._common import RawTurn
from ._cues import blocks, read_cues
from ._registry import register_reader

EXAMPLE = "00:00:01,000 --> 00:00:04,000"


@register_reader(
    "srt",
    extensions=(".srt",),
    merge=True,
    detection="`.srt`, or numbered cues with `00:00:01,000 -->` timings",
    example="`1`, `00:00:01,000 --> 00:00:04,000`, `Ana Lopez: Hello.`",
)
def parse(text: str, source: str) -> list[RawTurn]:
    """Numbered cues to turns; speakers from ``Name:``, ``[Name]`` or ``<v Name>``.

    As in WebVTT, a cue without a speaker continues the previous cue's speaker
    ("Unknown Speaker" before any).
    """
    turns, cues = read_cues(
        blocks(text),
        text,
        source,
        EXAMPLE,
        no_timing=(
            "expected a cue number and timing line",
            f"an SRT cue starts with '1' then a line like '{EXAMPLE}'; fix the line",
        ),
    )
    if cues == 0:
        raise InputError(
            "has no cues",
            path=source,
            hint=f"an SRT cue needs a number, a timing line like '{EXAMPLE}' and text",
        )
    return turns
