"""Shared fixtures: hand-built transcripts and predictions, and the shared corpora."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from transcript_lens.classify.base import LabelEvidence, UtteranceLabels
from transcript_lens.labels import LABELS
from transcript_lens.model import Transcript, Utterance

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
SHARED = REPO.parent / "shared"
REALMEETINGS = SHARED / "corpora" / "realmeetings"


def make_transcript(turns: Sequence[tuple[str, str]], *, step: float = 10.0) -> Transcript:
    """A transcript from (speaker, text) pairs, one turn every ``step`` seconds."""
    utterances = []
    last_by: dict[str, str] = {}
    previous: tuple[str, str] | None = None
    for i, (speaker, text) in enumerate(turns):
        uid = f"u{i + 1:04d}"
        reply_to = None
        if previous is not None:
            reply_to = previous[1] if previous[0] != speaker else last_by.get("other:" + speaker)
        utterances.append(
            Utterance(
                id=uid,
                speaker=speaker,
                text=text,
                start=i * step,
                end=i * step + step - 1,
                reply_to=reply_to,
            )
        )
        for other in {s for s, _ in turns} - {speaker}:
            last_by["other:" + other] = uid
        previous = (speaker, uid)
    return Transcript(source="test.txt", title="test", format="txt", utterances=tuple(utterances))


def make_predictions(
    labels: Sequence[Sequence[str]], confidence: float = 0.9
) -> list[UtteranceLabels]:
    """Predictions with the given labels per utterance, each at ``confidence``."""
    out = []
    for row in labels:
        scores = {label: (confidence if label in row else 0.0) for label in LABELS}
        evidence = [LabelEvidence(label=label, phrase="x", rule="test") for label in row]
        out.append(UtteranceLabels(labels=list(row), scores=scores, evidence=evidence))
    return out


@pytest.fixture
def realmeetings() -> Path:
    if not REALMEETINGS.is_dir():
        pytest.skip("../shared/corpora/realmeetings is not beside the checkout")
    return REALMEETINGS
