"""The default classifier on real speech: the demo's classes, long turns, the real gold."""

from __future__ import annotations

import json

import pytest

from tests.conftest import SAMPLES, SHARED, make_transcript
from transcript_lens.api import analyze, label_transcript
from transcript_lens.classifiers import get_classifier
from transcript_lens.classifiers.learned import default_model_dir
from transcript_lens.classifiers.realgold import (
    GOLD_PATH,
    HELD_OUT,
    TEST_MEETINGS,
    TUNE_MEETINGS,
    agreement,
)

needs_model = pytest.mark.skipif(
    not (default_model_dir() / "model.onnx").exists(), reason="no trained model in models/"
)


@pytest.fixture(scope="module")
def ensemble():
    return get_classifier("ensemble")


def test_real_gold_is_split_by_meeting_and_leaves_the_reserved_meetings_out():
    rows = [json.loads(line) for line in GOLD_PATH.read_text("utf-8").splitlines()]
    meetings = {r["file"].removesuffix(".jsonl") for r in rows}
    assert not meetings & set(HELD_OUT)
    assert not set(TEST_MEETINGS) & set(TUNE_MEETINGS)
    for r in rows:
        meeting = r["file"].removesuffix(".jsonl")
        assert r["split"] == ("test" if meeting in TEST_MEETINGS else "tune")
    assert sum(r["kind"] == "stretch" for r in rows) >= 3000
    assert sum(r["kind"] == "candidate" for r in rows) >= 500
    # The second round is read from the tuning meetings only, once per turn.
    assert all(r["split"] == "tune" for r in rows if r["kind"] == "active")
    keys = [(r["file"], r["line"]) for r in rows]
    assert len(keys) == len(set(keys))


def test_real_gold_agreement_is_recomputed_from_the_readers():
    figures = agreement()
    assert figures["any"]["kappa"] > 0.8
    assert figures["resignation"]["kappa"] is None


def test_real_gold_resolves_against_the_corpora():
    if not (SHARED / "corpora" / "realmeetings").is_dir():
        pytest.skip("../shared/corpora is not beside the checkout")
    from transcript_lens.classifiers.realgold import load_gold

    turns = load_gold(split="test")
    assert len(turns) > 1000
    assert all(t.meeting in TEST_MEETINGS for t in turns)
    # The context is the turn answered: the last one by somebody else.
    assert all(t.context_speaker != t.speaker for t in turns if t.context_speaker)


def test_real_gold_tuning_meetings_are_whole_and_natural_test_turns_are_stretches():
    if not (SHARED / "corpora" / "realmeetings").is_dir():
        pytest.skip("../shared/corpora is not beside the checkout")
    from transcript_lens.classifiers.realgold import load_gold

    tune = load_gold(split="tune")
    assert {t.meeting for t in tune} == set(TUNE_MEETINGS)
    for meeting in TUNE_MEETINGS:
        lines = (SHARED / "corpora" / "realmeetings" / f"{meeting}.jsonl").read_text("utf-8")
        assert sorted(t.line for t in tune if t.meeting == meeting) == list(
            range(1, len(lines.splitlines()) + 1)
        ), meeting
    assert all(t.whole_meeting and t.natural for t in tune)
    # The test part is not labelled whole: only its stretches are natural.
    test = load_gold(split="test")
    assert [t.natural for t in test] == [t.kind == "stretch" for t in test]
    assert not any(t.kind == "rest" for t in test)


@pytest.mark.slow
@needs_model
def test_real_speech_demo_reads_right(ensemble):
    card = analyze(SAMPLES / "order_taker.vtt", classifier=ensemble)
    by_text = {u.text: u for u in card.utterances}
    ben_cut_off = by_text["I'm only saying the commission reports will"]
    assert "silencing" not in ben_cut_off.labels
    overrules = [u for u in card.utterances if u.text.startswith(("No. This isn't", "Ben, I've"))]
    assert len(overrules) == 2
    for u in overrules:
        assert "silencing" in u.labels and "dissent" not in u.labels
    assert any(f.label == "resignation" and "It's all yours" in f.text for f in card.flags)
    for exchange in card.dynamics.dissent:
        if exchange.outcome == "silenced":
            assert exchange.response.speaker != exchange.dissent.speaker
            assert exchange.response.speaker == "Richard Hale"


@pytest.mark.slow
@needs_model
@pytest.mark.parametrize(
    ("turns", "index", "label"),
    [
        (
            [
                ("Maya", "We'll go live for all branches on March first."),
                ("Jon", "March first isn't realistic."),
            ],
            1,
            "dissent",
        ),
        (
            [
                ("Maya", "Why is the onboarding portal still not live?"),
                ("Jon", "IT always finds a reason why things can't be done."),
            ],
            1,
            "blame",
        ),
        pytest.param(
            [
                ("Maya", "We go with the vendor's standard package."),
                ("Jon", "I'd want our security team to review it before we sign."),
                ("Maya", "Jon, I've made myself clear. Sign it as it stands."),
            ],
            2,
            "silencing",
            marks=pytest.mark.xfail(
                strict=True,
                reason="version 4's network gives this overrule silencing 0.03 (version 3 "
                "caught it), and the rules' 'I've made myself clear' alone (0.75) does not "
                "carry it (issue 11 stays open)",
            ),
        ),
    ],
)
def test_real_speech_demo_classes_on_other_texts(ensemble, turns, index, label):
    predictions = label_transcript(make_transcript(turns), ensemble)
    assert label in predictions[index].labels, predictions[index].scores


@pytest.mark.slow
@needs_model
def test_real_speech_interrupted_speaker_is_not_the_silencer(ensemble):
    turns = [
        ("Maya", "We switch the clinics to the new booking system on Monday."),
        ("Jon", "The two rural clinics haven't had training yet, so I'd hold them back a week."),
        ("Maya", "Noted. Next item."),
        ("Jon", "I'm only saying the rural clinics will"),
    ]
    predictions = label_transcript(make_transcript(turns), ensemble)
    assert "silencing" not in predictions[3].labels
    assert "dissent" not in predictions[2].labels


def _webinar_path():
    path = SHARED / "corpora" / "realworld" / "zoom_webinar.vtt"
    if not path.is_file():
        pytest.skip("../shared/corpora is not beside the checkout")
    return path


def _webinar_card(ensemble):
    """The webinar labelled and scored as if it were a meeting: ``analyze`` does
    not label a presentation at all, but its long turns must still read right
    in pieces."""
    from transcript_lens.api import label_transcript
    from transcript_lens.readers import read_transcript
    from transcript_lens.scorecard.config import load_config
    from transcript_lens.scorecard.scoring import score_transcript

    transcript = read_transcript(_webinar_path())
    predictions = label_transcript(transcript, ensemble)
    return score_transcript(transcript, predictions, load_config(), classifier="ensemble")


@pytest.mark.slow
@needs_model
def test_real_speech_the_webinar_is_a_presentation_and_not_scored(ensemble):
    card = analyze(_webinar_path(), classifier=ensemble)
    assert card.overall is None and not card.flags
    assert card.assessment.reason == "presentation"
    assert card.assessment.presenter == "Paul McCartney"


@pytest.mark.slow
@needs_model
def test_real_speech_webinar_lecturer_is_not_silencing_or_resigning(ensemble):
    card = _webinar_card(ensemble)
    assert not [f for f in card.flags if f.label in ("silencing", "resignation")]


@pytest.mark.slow
@needs_model
def test_real_speech_webinar_lecturer_gets_no_anti_pattern(ensemble):
    card = _webinar_card(ensemble)
    assert not card.flags, [(f.label, f.quote or f.text) for f in card.flags]


@pytest.mark.slow
@needs_model
def test_real_speech_the_default_decides_anti_patterns_in_the_conversation(ensemble):
    assert ensemble.dialogue is not None and ensemble.version.endswith("d1")
    turns = [
        ("Maya", "Sorry I'm late, the lift was out again. Is there any tea left?"),
        ("Jon", "You're fine. Tea's by the window if you want it."),
        ("Maya", "Great. So, the intake form: where did we land with legal?"),
        ("Jon", "They signed it off yesterday, so the new form goes live next week."),
    ]
    predictions = label_transcript(make_transcript(turns), ensemble)
    assert not any(
        label in p.labels for p in predictions for label in ("resignation", "blame", "silencing")
    ), [p.labels for p in predictions]
