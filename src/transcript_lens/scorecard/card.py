"""The result domain: a per-meeting partnership scorecard.

Field names here are the JSON contract (``schema_version`` says which one);
``transcript-lens schema`` prints the JSON Schema.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..labels import Label, Requirement

SCHEMA_VERSION = "1.4"


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Quote(_Result):
    """One utterance quoted whole, with who said it and when."""

    utterance_id: str
    speaker: str
    start: float | None
    text: str


class Evidence(Quote):
    """One labelled utterance quoted as evidence for a number."""

    confidence: float = Field(ge=0, le=1)
    phrase: str | None = Field(default=None, description="the words that triggered the label")
    quote: str | None = Field(
        default=None,
        description="the part of a long turn that carries the label (null: the whole turn does)",
    )
    corrected: bool = Field(
        default=False, description="a person set this label (labels import), not the classifier"
    )


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
    role: str | None = Field(default=None, description="role from --coach or a speaker map")
    side: str | None = Field(
        default=None, description="side from --side or a speaker map's [sides] (schema 1.4 on)"
    )
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
    mean: float | None = Field(
        default=None, description="the weighted mean of the inputs (schema 1.3 on)"
    )
    kept: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="the share of the mean that resignation, blame and silencing leave, "
        "beyond the rate tolerated as noise or repaired (schema 1.3 on)",
    )
    anti_rates: dict[str, float] = Field(
        default_factory=dict, description="resignation, blame, silencing turns per 100 turns"
    )


DissentOutcome = Literal["answered", "silenced", "lost_voice", "unanswered"]


class DissentExchange(_Result):
    """A dissent and what the meeting did with it."""

    dissent: Quote
    outcome: DissentOutcome = Field(
        description="answered: another speaker engaged with it; silenced: a silencing turn "
        "followed; lost_voice: the dissenter resigned soon after; unanswered: none of these"
    )
    response: Quote | None = Field(
        description="the turn that answered or silenced it, or the dissenter's resignation"
    )
    resigned: Quote | None = Field(
        default=None,
        description="the dissenter's own resignation in their next few turns, if any, "
        "also when the outcome is silenced or answered",
    )


class PurposeQuestion(_Result):
    """A question about purpose and the answer someone else gave, if any."""

    question: Quote
    answer: Quote | None


class Commitment(_Result):
    """An ownership statement listed as an action item; nothing is invented."""

    quote: Quote
    made_by: str = Field(description="the speaker who said it")
    owner: str | None = Field(
        description="who takes it on, only as the transcript states it (the speaker for "
        "'I'll', 'we' for 'we'll', a named speaker), else null"
    )
    due: str | None = Field(description="a deadline in the speaker's words, else null")


class Dynamics(_Result):
    """Partnership in the exchanges: what followed dissent and purpose questions."""

    dissent: list[DissentExchange]
    outcomes: dict[DissentOutcome, int] = Field(description="dissent exchanges per outcome")
    purpose_questions: list[PurposeQuestion]
    commitments: list[Commitment]


class CoachingReview(_Result):
    """The coaching view: present when a speaker has the role coach."""

    coaches: list[str]
    coachees: list[str]
    coach_talk_share: float = Field(ge=0, le=1, description="coaches' share of the words")
    coach_questions: int = Field(ge=0, description="questions the coach asked")
    purpose_questions: list[Quote] = Field(description="the coach's questions about purpose")
    invitations: list[Quote] = Field(description="the coach inviting disagreement")
    coachee_dissent: list[Quote]
    coachee_ownership: list[Quote]
    resignation: list[Flag] = Field(description="resignation moments, either side")


NotScoredReason = Literal[
    "not_english", "no_speaker_names", "one_speaker", "too_short", "presentation"
]


class Assessment(_Result):
    """Whether the meeting gave enough to judge, and which part was judged."""

    scored: bool = Field(description="false: no index, no band, no requirement scores")
    scope: Literal["meeting", "q_and_a", "none"] = Field(
        description="what the scores describe: the whole meeting, only the Q&A of a "
        "presentation, or nothing"
    )
    reason: NotScoredReason | None = Field(
        default=None,
        description="why the meeting, or all but its Q&A, was not judged",
    )
    message: str | None = Field(default=None, description="the reason in plain words")
    language: str | None = Field(default=None, description="ISO 639-1 code of the language read")
    presenter: str | None = Field(default=None, description="the voice of a presentation")
    scored_from: str | None = Field(
        default=None, description="id of the first utterance judged, when only the Q&A is"
    )


#: Cards from before schema 1.3 were always scored on the whole meeting.
SCORED = Assessment(scored=True, scope="meeting")


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
    corrected_from: list[Label] | None = Field(
        default=None,
        description="the classifier's labels, when a person corrected them (labels import)",
    )


class SideStats(_Result):
    """One side of the relationship: how much it spoke and what it did."""

    side: str
    speakers: int = Field(ge=0, description="speakers on this side")
    turns: int = Field(ge=0)
    words: int = Field(ge=0)
    talk_share: float = Field(ge=0, le=1, description="share of the meeting's words")
    turns_by_label: dict[Label, int] = Field(description="turns carrying each label")
    voices_by_label: dict[Label, int] = Field(description="speakers who voiced each label")


class SideExchange(_Result):
    """Turns of one kind by one side answering a turn of another (or the same) side."""

    label: Label = Field(description="dissent, silencing or blame")
    by: str = Field(description="the side of the speaker")
    to: str = Field(description="the side of the turn answered")
    turns: int = Field(ge=1)


class Sides(_Result):
    """The two (or more) parties of the relationship, side by side (schema 1.4 on)."""

    sides: list[SideStats] = Field(description="in the order the map names them")
    unassigned: int = Field(ge=0, description="speakers on no side")
    exchanges: list[SideExchange] = Field(description="who says no to, shuts down or blames whom")
    reading: list[str] = Field(description="what is one-sided, in plain words")


class Producer(_Result):
    tool: str
    classifier: str
    scoring: str = Field(
        description="scoring config version and digest, then '+people-<digest>' when a "
        "speaker map, coach or redaction shaped the scorecard"
    )


class Scorecard(_Result):
    """The partnership scorecard of one meeting."""

    schema_version: str = SCHEMA_VERSION
    producer: Producer
    meeting: MeetingInfo
    requirements: dict[Requirement, RequirementScore]
    flags: list[Flag]
    speakers: list[SpeakerStats]
    balance: Balance
    overall: Overall | None = Field(description="the index and band; null when not scored")
    assessment: Assessment = SCORED
    dynamics: Dynamics | None = None
    coaching: CoachingReview | None = None
    sides: Sides | None = None
    utterances: list[LabelledUtterance]
