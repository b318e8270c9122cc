"""The classifier protocol every labeller keeps."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from ..labels import Label


class LabelEvidence(BaseModel):
    """Why a label fired: the phrase matched and the rule (or model) behind it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: Label
    phrase: str
    rule: str


class UtteranceLabels(BaseModel):
    """The classifier's output for one utterance.

    ``scores`` holds a confidence in [0, 1] for every one of the seven labels;
    ``labels`` are those that passed their threshold, in taxonomy order.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    labels: list[Label] = Field(default_factory=list)
    scores: dict[Label, float]
    evidence: list[LabelEvidence] = Field(default_factory=list)


class ClassifierInput(BaseModel):
    """One utterance to label, with the previous turn as context."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str
    context: str | None = None


@runtime_checkable
class Classifier(Protocol):
    """Labels utterances in batches. ``name`` identifies it in scorecards."""

    name: str
    version: str

    def predict(self, items: Sequence[ClassifierInput]) -> list[UtteranceLabels]: ...
