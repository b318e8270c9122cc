"""SubRip (SRT) captions."""

from __future__ import annotations

from ..errors import InputError
from ._common import RawTurn, repeated_labels
from ._cues import blocks, clean_markup, cue_turns, last_speaker, parse_timing, timing_index
from ._registry import register_reader

EXAMPLE = "00:00:01,000 --> 00:00:04,000"


@register_reader("srt", extensions=(".srt",), merge=True)
def parse(text: str, source: str) -> list[RawTurn]:
    """Numbered cues to turns; speakers from ``Name:``, ``[Name]`` or ``<v Name>``.

    As in WebVTT, a cue without a speaker continues the previous cue's speaker
    ("Unknown Speaker" before any).
    """
    turns: list[RawTurn] = []
    known = repeated_labels(clean_markup(line) for line in text.split("\n"))
    previous_times: tuple[float, float, int] | None = None
    for block in blocks(text):
        at = timing_index(block)
        if at is None:
            if previous_times is None:
                raise InputError(
                    "expected a cue number and timing line",
                    path=source,
                    line=block.line,
                    hint=f"an SRT cue starts with '1' then a line like '{EXAMPLE}'; fix the line",
                )
            # Text after a stray blank line inside a cue still belongs to that cue.
            start, end, line = previous_times
            turns.extend(cue_turns(block.lines, start, end, line, last_speaker(turns), known))
            continue
        line = block.line + at
        start, end = parse_timing(block.lines[at], line, source, EXAMPLE)
        previous_times = (start, end, line)
        turns.extend(cue_turns(block.lines[at + 1 :], start, end, line, last_speaker(turns), known))
    if previous_times is None:
        raise InputError(
            "has no cues",
            path=source,
            hint=f"an SRT cue needs a number, a timing line like '{EXAMPLE}' and text",
        )
    return turns
