"""The scorecard stage: from labelled utterances to the per-meeting scorecard.

- ``card``: the scorecard itself (pydantic models; its JSON is the contract);
- ``config``: the scoring config (weights, bands; ``data/scoring.toml``);
- ``scoring``: labels and transcript to scorecard;
- ``dynamics``: who answered whom (dissent exchanges, purpose questions,
  commitments);
- ``coaching``: the coaching review of a coaching session;
- ``compare``: several scorecards, or a stored history, side by side.
"""

from .card import (
    SCHEMA_VERSION,
    Balance,
    CoachingReview,
    Commitment,
    DissentExchange,
    Dynamics,
    Evidence,
    Flag,
    LabelledUtterance,
    MeetingInfo,
    Overall,
    Producer,
    PurposeQuestion,
    Quote,
    RequirementScore,
    Scorecard,
    SpeakerStats,
)

__all__ = [
    "Balance",
    "CoachingReview",
    "Commitment",
    "DissentExchange",
    "Dynamics",
    "Evidence",
    "Flag",
    "LabelledUtterance",
    "MeetingInfo",
    "Overall",
    "Producer",
    "PurposeQuestion",
    "Quote",
    "RequirementScore",
    "SCHEMA_VERSION",
    "Scorecard",
    "SpeakerStats",
]
