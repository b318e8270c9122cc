"""The result domain: a per-meeting partnership scorecard.

Field names here are the JSON contract (``schema_version`` says which one);
``transcript-lens schema`` prints the JSON Schema.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from .labels import Label, Requirement

SCHEMA_VERSION = "1.0"


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Evidence(_Result):
    """One labelled utterance quoted as evidence for a number."""

    utterance_id: str
    speaker: str
    start: float | None
    text: str
    confidence: float = Field(ge=0, le=1)
    phrase: str | None = Field(default=None, description="the words that triggered the label")


class Flag(Evidence):
    """A resignation, blame or silencing moment."""

    label: Label


class RequirementScore(_Result):
    """One of Block's four requirements, scored 0-100 with the working shown."""

    score: float = Field(ge=0, le=100)
    count: int = Field(ge=0, description="utterances carrying the label")
    rate: float = Field(ge=0, description="labelled utterances per 100 turns (length-normalised)")
    volume: float = Field(ge=0, le=1, description="1 - exp(-rate / target_rate)")
    voices: list[str] = Field(description="speakers who voiced it, by first appearance")
    breadth: float = Field(ge=0, le=1, description="voices / min(breadth_target, active speakers)")
    penalties: dict[str, float] = Field(
        default_factory=dict, description="share of the score removed, per anti-pattern"
    )
    evidence: list[Evidence]


class SpeakerStats(_Result):
    name: str
    turns: int
    words: int
    talk_share: float = Field(ge=0, le=1, description="share of the meeting's words")
    label_counts: dict[Label, int]


class Balance(_Result):
    gini: float = Field(ge=0, le=1, description="Gini coefficient of talk share by words")
    score: float = Field(ge=0, le=100, description="100 * (1 - gini)")
    active_speakers: int


class Overall(_Result):
    score: float = Field(ge=0, le=100)
    band: str
    inputs: dict[str, float] = Field(description="the scores that make up the index")
    weights: dict[str, float]


class MeetingInfo(_Result):
    source: str
    title: str
    format: str
    duration: float | None = Field(description="seconds, or null when the format has no times")
    turns: int
    words: int
    speakers: int


class LabelledUtterance(_Result):
    """An utterance as the scorecard saw it: text, labels and every label's score."""

    id: str
    speaker: str
    start: float | None
    end: float | None
    text: str
    labels: list[Label]
    scores: dict[Label, float]
    phrases: dict[Label, str] = Field(
        default_factory=dict, description="for each label given, the words that triggered it"
    )


class Producer(_Result):
    tool: str
    classifier: str
    scoring: str = Field(description="scoring config version and digest")


class Scorecard(_Result):
    """The partnership scorecard of one meeting."""

    schema_version: str = SCHEMA_VERSION
    producer: Producer
    meeting: MeetingInfo
    requirements: dict[Requirement, RequirementScore]
    flags: list[Flag]
    speakers: list[SpeakerStats]
    balance: Balance
    overall: Overall
    utterances: list[LabelledUtterance]
