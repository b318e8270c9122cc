"""The coaching review: present with a coach, built from the labelled turns."""

from __future__ import annotations

import pytest

from tests.conftest import SAMPLES, make_predictions, make_transcript
from transcript_lens.scorecard import CoachingReview, Scorecard
from transcript_lens.scorecard.coaching import coaching_review, invites_disagreement
from transcript_lens.scorecard.config import load_config
from transcript_lens.scorecard.scoring import score_transcript

CONFIG = load_config()

SESSION = [
    ("Helen", "What would you like to be different by the end of today?", ["purpose"]),
    ("Sam", "I want to know how to get back in the room with the finance director.", []),
    ("Helen", "Is that fair to her?", []),
    ("Sam", "Partly. I'd push back a bit, though.", ["dissent"]),
    ("Helen", "Good. Tell me if I'm wrong about this.", []),
    ("Sam", "That one's on me. I'll book thirty minutes with her.", ["ownership"]),
    ("Ravi", "I'd start with her goals instead.", ["dissent"]),
    ("Helen", "That's on me too, I rushed us.", ["ownership"]),
    ("Sam", "Fine. Whatever you think.", ["resignation"]),
    ("Helen", "If that's what you want, it's all yours.", ["resignation"]),
]


def _card(rows, roles) -> Scorecard:
    turns = [(speaker, text) for speaker, text, _ in rows]
    labels = [row for _, _, row in rows]
    return score_transcript(
        make_transcript(turns), make_predictions(labels), CONFIG, classifier="test/1", roles=roles
    )


def _review(rows=SESSION, roles=None) -> CoachingReview:
    review = _card(rows, roles or {"Helen": "coach"}).coaching
    assert review is not None
    return review


def _ids(quotes) -> list[str]:
    return [q.utterance_id for q in quotes]


def test_coaching_none_without_a_coach():
    assert _card(SESSION, None).coaching is None
    assert _card(SESSION, {"Sam": "coachee", "Ravi": "observer"}).coaching is None


def test_coaching_coachees_default_to_everyone_but_the_coach():
    review = _review()
    assert review.coaches == ["Helen"]
    assert review.coachees == ["Sam", "Ravi"]


def test_coaching_marked_coachees_only_and_role_case_ignored():
    review = _review(roles={"Helen": "Coach", "Sam": "coachee", "Ravi": "observer"})
    assert review.coaches == ["Helen"]
    assert review.coachees == ["Sam"]
    assert _ids(review.coachee_dissent) == ["u0004"]


def test_coaching_roles_shown_in_speaker_stats():
    card = _card(SESSION, {"Helen": "coach", "Sam": "coachee", "Nobody": "coach"})
    assert [(s.name, s.role) for s in card.speakers] == [
        ("Helen", "coach"),
        ("Sam", "coachee"),
        ("Ravi", None),
    ]


def test_coaching_coach_talk_share_is_by_words():
    rows = [
        ("Helen", "one two three", []),
        ("Sam", "one two three four five six seven eight nine", []),
    ]
    assert _review(rows).coach_talk_share == 0.25


def test_coaching_counts_only_the_coachs_questions():
    review = _review()
    assert review.coach_questions == 2
    assert _ids(review.purpose_questions) == ["u0001"]


def test_coaching_invitations_from_words_and_from_questions_met_with_dissent():
    review = _review()
    # u0003 "Is that fair to her?" is followed by Sam's dissent; u0005 asks in words.
    assert _ids(review.invitations) == ["u0003", "u0005"]


def test_coaching_question_followed_by_dissent_is_an_invitation():
    rows = [
        ("Helen", "And what does Claire get from it?", []),
        ("Sam", "No, I don't think that's the point.", ["dissent"]),
        ("Helen", "Where next?", []),
        ("Helen", "Fine then.", []),
        ("Sam", "I disagree with that.", ["dissent"]),
    ]
    assert _ids(_review(rows).invitations) == ["u0001"]


def test_coaching_silencing_is_never_an_invitation():
    rows = [("Helen", "Push back on me if you like, but it's decided.", ["silencing"])]
    assert _review(rows).invitations == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("What am I missing?", True),
        ("Push back on me any time, that's useful.", True),
        ("Does this feel like yours? Tell me if I'm off track.", True),
        ("To be honest, I think it's late.", False),
        ("I'd push back on that.", False),
    ],
)
def test_coaching_invites_disagreement(text, expected):
    assert invites_disagreement(text) is expected


def test_coaching_coachee_dissent_and_ownership_leave_out_the_coach():
    review = _review()
    assert _ids(review.coachee_dissent) == ["u0004", "u0007"]
    assert _ids(review.coachee_ownership) == ["u0006"]


def test_coaching_resignation_on_both_sides():
    review = _review()
    assert [(f.speaker, f.label, f.confidence) for f in review.resignation] == [
        ("Sam", "resignation", 0.9),
        ("Helen", "resignation", 0.9),
    ]


def test_coaching_recomputes_from_a_stored_scorecard():
    card = _card(SESSION, {"Helen": "coach"})
    stored = Scorecard.model_validate_json(card.model_dump_json())
    assert coaching_review(stored.utterances, {"Helen": "coach"}) == card.coaching


@pytest.mark.slow
def test_coaching_session_sample_with_the_rules_classifier():
    from transcript_lens.api import analyze

    card = analyze(SAMPLES / "coaching_session.txt", classifier="rules", coach=["Helen Park"])
    review = card.coaching
    assert review is not None
    assert review.coaches == ["Helen Park"]
    assert {s.name: s.role for s in card.speakers}["Helen Park"] == "coach"
    # A coach who mostly asks: under half the words, most turns questions.
    assert review.coach_talk_share < 0.5
    assert review.coach_questions >= 15
    texts = " | ".join(q.text for q in review.invitations)
    assert "Push back on me any time" in texts
    assert "Tell me if I'm off track" in texts
    assert {q.speaker for q in review.coachee_ownership} == {"Sam Osei"}
    assert any("on me" in q.text for q in review.coachee_ownership)
    assert any("push back" in q.text for q in review.coachee_dissent)
    assert review.resignation == []
    # Sam's pushback is answered, not shut down, and the purpose questions get answers.
    dynamics = card.dynamics
    assert dynamics is not None and dynamics.dissent
    assert {x.outcome for x in dynamics.dissent} == {"answered"}
    assert dynamics.purpose_questions
    assert all(q.answer and q.answer.speaker == "Sam Osei" for q in dynamics.purpose_questions)
