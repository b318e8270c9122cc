"""Whole pipeline over real meetings and the shipped samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import REALMEETINGS
from transcript_lens.api import analyze
from transcript_lens.classifiers import get_classifier
from transcript_lens.scorecard import Scorecard

pytestmark = pytest.mark.slow

REAL_FILES = sorted(REALMEETINGS.glob("*.*")) if REALMEETINGS.is_dir() else []


@pytest.fixture(scope="module")
def rules():
    return get_classifier("rules")


def _speakers_in_jsonl(path: Path) -> set[str]:
    lines = path.read_text("utf-8").splitlines()
    return {json.loads(line)["speaker"] for line in lines if line.strip()}


@pytest.mark.skipif(
    not REAL_FILES, reason="../shared/corpora/realmeetings is not beside the checkout"
)
@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_end_to_end_every_real_meeting_analyzes(path: Path, rules):
    card = analyze(path, classifier=rules)
    again = Scorecard.model_validate_json(card.model_dump_json())
    assert again == card
    assert {s.name for s in card.speakers} == _speakers_in_jsonl(path.with_suffix(".jsonl"))
    assert card.meeting.turns == len(card.utterances) > 0
    assert sum(s.turns for s in card.speakers) == card.meeting.turns
    labelled = sum(1 for u in card.utterances if u.labels)
    assert labelled < 0.5 * card.meeting.turns, "most real turns should carry no label"
    for req in card.requirements.values():
        assert req.count == len(req.evidence)
    if path.suffix == ".jsonl":
        assert card.meeting.turns == len(path.read_text("utf-8").splitlines())
