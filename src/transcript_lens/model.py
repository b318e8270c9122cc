"""The input domain: a transcript of speaker turns."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Utterance(BaseModel):
    """One speaker turn. Times are float seconds from the start of the meeting."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    speaker: str
    text: str
    # NaN or infinite times would break the JSON round trip and every sort by time.
    start: float | None = Field(default=None, allow_inf_nan=False)
    end: float | None = Field(default=None, allow_inf_nan=False)
    reply_to: str | None = Field(
        default=None, description="id of the previous turn by another speaker"
    )

    @property
    def words(self) -> int:
        return len(self.text.split())


class Transcript(BaseModel):
    """A meeting as a sequence of utterances, in meeting order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(description="path the transcript was read from, or '-'")
    title: str
    format: str = Field(description="reader that produced it: vtt, srt, txt, otter, jsonl")
    utterances: tuple[Utterance, ...]

    @property
    def speakers(self) -> tuple[str, ...]:
        """Speakers in order of first appearance."""
        seen: dict[str, None] = {}
        for utterance in self.utterances:
            seen.setdefault(utterance.speaker, None)
        return tuple(seen)

    @property
    def duration(self) -> float | None:
        """Seconds from the first start to the last end, or None without times."""
        starts = [u.start for u in self.utterances if u.start is not None]
        ends = [u.end if u.end is not None else u.start for u in self.utterances]
        ends_known = [e for e in ends if e is not None]
        if not starts or not ends_known:
            return None
        return round(max(ends_known) - min(starts), 3)
