"""The shipped samples: one per format, with clearly different partnership profiles."""

from __future__ import annotations

import pytest

from tests.conftest import SAMPLES
from transcript_lens.api import analyze
from transcript_lens.classifiers import get_classifier
from transcript_lens.scorecard import Scorecard

pytestmark = pytest.mark.slow

EXPECTED_FORMATS = {
    "healthy_partnership.vtt": "vtt",
    "order_taker.vtt": "vtt",
    "postmortem_blame.srt": "srt",
    "coaching_session.txt": "otter",
    "vendor_review.txt": "txt",
    "steering_committee.jsonl": "jsonl",
    "teams_transcript.docx": "docx",
    "fireflies_export.json": "json",
    "turns.csv": "csv",
    "rev_export.txt": "rev",
}


@pytest.fixture(scope="module")
def cards() -> dict[str, Scorecard]:
    rules = get_classifier("rules")
    return {name: analyze(SAMPLES / name, classifier=rules) for name in EXPECTED_FORMATS}


def test_samples_one_per_format(cards):
    assert {name: card.meeting.format for name, card in cards.items()} == EXPECTED_FORMATS
    transcripts = [
        p.name
        for p in SAMPLES.iterdir()
        if p.name != "README.md" and not p.name.endswith(".speakers.toml")
    ]
    assert sorted(transcripts) == sorted(EXPECTED_FORMATS)


def test_samples_order_taker_ends_in_resignation_and_silencing(cards):
    flags = cards["order_taker.vtt"].flags
    resignation = [f.text for f in flags if f.label == "resignation"]
    assert any("It's all yours" in text for text in resignation)
    assert any("isn't up for discussion" in f.text for f in flags if f.label == "silencing")
    assert not [f for f in flags if f.label == "resignation" and f.speaker == "Richard Hale"]


def test_samples_healthy_partnership_outscores_the_order_taker(cards):
    healthy, order = cards["healthy_partnership.vtt"], cards["order_taker.vtt"]
    assert not [f for f in healthy.flags if f.label in ("resignation", "silencing")]
    assert healthy.overall.score > order.overall.score + 20
    assert len(healthy.requirements["purpose"].voices) >= 2
    assert healthy.requirements["dissent"].score > order.requirements["dissent"].score


def test_samples_postmortem_is_blame_heavy(cards):
    card = cards["postmortem_blame.srt"]
    blamers = {f.speaker for f in card.flags if f.label == "blame"}
    assert len(blamers) >= 2
    assert card.requirements["ownership"].penalties["blame"] > 0.2


def test_samples_coaching_session_has_the_coachee_owning_a_mistake(cards):
    card = cards["coaching_session.txt"]
    assert "Sam Osei" in card.requirements["ownership"].voices
    assert "Helen Park" in card.requirements["purpose"].voices


def test_samples_teams_docx_has_owned_bad_news(cards):
    card = cards["teams_transcript.docx"]
    assert "Priyanka Desai" in card.requirements["ownership"].voices
    assert "Joe Turner" in card.requirements["dissent"].voices
    assert not card.flags


def test_samples_fireflies_export_answers_dissent(cards):
    card = cards["fireflies_export.json"]
    assert {"Lucia Romero", "Oscar Nyberg"} <= set(card.requirements["dissent"].voices)
    assert card.requirements["dissent"].score > card.requirements["candor"].score


def test_samples_csv_readout_ends_resigned(cards):
    card = cards["turns.csv"]
    assert [(f.label, f.speaker) for f in card.flags] == [("resignation", "Tom Reilly")]
    assert card.overall.score < cards["fireflies_export.json"].overall.score - 40


def test_samples_rev_export_shares_ownership(cards):
    card = cards["rev_export.txt"]
    assert len(card.requirements["ownership"].voices) >= 3
    assert "Elif Kaya" in card.requirements["purpose"].voices
