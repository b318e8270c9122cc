"""Dynamics: what followed dissent and purpose questions, and the commitments made."""

from __future__ import annotations

import pytest

from tests.conftest import SAMPLES, make_predictions, make_transcript
from transcript_lens.scorecard import Dynamics, Scorecard
from transcript_lens.scorecard.config import load_config
from transcript_lens.scorecard.dynamics import analyze_dynamics, is_backchannel, is_question
from transcript_lens.scorecard.scoring import score_transcript

CONFIG = load_config()


def _card(rows: list[tuple[str, str, list[str]]]) -> Scorecard:
    turns = [(speaker, text) for speaker, text, _ in rows]
    labels = [row for _, _, row in rows]
    return score_transcript(
        make_transcript(turns), make_predictions(labels), CONFIG, classifier="test/1"
    )


def _dynamics(rows: list[tuple[str, str, list[str]]]) -> Dynamics:
    dynamics = _card(rows).dynamics
    assert dynamics is not None
    return dynamics


def _outcome(rows: list[tuple[str, str, list[str]]]) -> tuple[str, str | None]:
    (exchange,) = _dynamics(rows).dissent
    return exchange.outcome, exchange.response.utterance_id if exchange.response else None


DISSENT = ("Chloe", "I'd push back on March; the data says the opposite.", ["dissent"])


def test_dynamics_dissent_answered_by_the_next_speakers_reply():
    rows = [DISSENT, ("Ana", "The data is from last year, before the new clinics.", [])]
    assert _outcome(rows) == ("answered", "u0002")


def test_dynamics_a_cut_off_word_answers_nothing_but_a_one_word_question_does():
    fragment = [DISSENT, ("Ana", "Th", []), ("Ben", "Anyway, lunch is at one.", [])]
    assert _outcome(fragment) == ("unanswered", None)
    assert _outcome([DISSENT, ("Ana", "Why?", [])]) == ("answered", "u0002")
    question = ("Ana", "What are we trying to achieve here?", ["purpose"])
    (asked,) = _dynamics([question, ("Ben", "Th", []), ("Ana", "Anyone?", [])]).purpose_questions
    assert asked.answer is None


def test_dynamics_dissent_silenced_by_another_speaker():
    rows = [DISSENT, ("Ana", "This isn't up for discussion.", ["silencing"])]
    assert _outcome(rows) == ("silenced", "u0002")


def test_dynamics_dissent_lost_voice_when_the_dissenter_resigns():
    rows = [
        DISSENT,
        ("Ana", "Okay.", []),
        ("Chloe", "Fine. Whatever you think.", ["resignation"]),
    ]
    assert _outcome(rows) == ("lost_voice", "u0003")


def test_dynamics_dissent_unanswered_when_nobody_replies():
    rows = [DISSENT, ("Chloe", "Anyway, that's my view.", [])]
    assert _outcome(rows) == ("unanswered", None)
    assert _outcome([DISSENT]) == ("unanswered", None)


def test_dynamics_backchannel_is_not_an_answer():
    rows = [
        DISSENT,
        ("Ana", "Mm-hmm. Okay, right.", []),
        ("Ben", "Yeah, got it, thanks Chloe.", []),
        ("Ana", "Item four is the catering order.", []),
    ]
    assert _outcome(rows) == ("unanswered", None)


def test_dynamics_later_reply_answers_only_when_it_engages():
    asks = [DISSENT, ("Ana", "Okay.", []), ("Ben", "Which data do you mean", [])]
    assert _outcome(asks) == ("answered", "u0003")
    shares_a_word = [DISSENT, ("Ana", "Okay.", []), ("Ben", "March is fixed by the board.", [])]
    assert _outcome(shares_a_word) == ("answered", "u0003")
    labelled = [DISSENT, ("Ana", "Okay.", []), ("Ben", "I'll own the re-plan.", ["ownership"])]
    assert _outcome(labelled) == ("answered", "u0003")


def test_dynamics_silencing_beats_an_earlier_answer_and_a_resignation():
    rows = [
        DISSENT,
        ("Ben", "The data is from last year, before the new clinics.", []),
        ("Ana", "We're not debating this.", ["silencing"]),
        ("Chloe", "Fine. Whatever you think.", ["resignation"]),
    ]
    assert _outcome(rows) == ("silenced", "u0003")


def test_dynamics_resignation_in_the_dissenters_next_turns_is_kept_beside_the_outcome():
    rows = [
        DISSENT,
        ("Ana", "Noted. Moving on.", ["silencing"]),
        *[("Ana" if i % 2 else "Ben", f"status item {i}", []) for i in range(6)],
        ("Chloe", "Sure, the lists are ready.", []),
        ("Ben", "Chloe, are we clear then?", []),
        ("Chloe", "All right, fine. It's all yours.", ["resignation"]),
    ]
    exchange = _dynamics(rows).dissent[0]
    assert exchange.outcome == "silenced" and exchange.response.utterance_id == "u0002"
    assert exchange.resigned is not None and exchange.resigned.utterance_id == "u0011"
    # Three own turns later is no longer the same moment.
    late = rows[:-1] + [("Chloe", "Another point.", []), rows[-1]]
    assert _dynamics(late).dissent[0].resigned is None


def test_dynamics_lost_voice_beats_an_answer():
    rows = [
        DISSENT,
        ("Ben", "The data is from last year, before the new clinics.", []),
        ("Chloe", "If that's what you want, it's all yours.", ["resignation"]),
    ]
    assert _outcome(rows) == ("lost_voice", "u0003")


def test_dynamics_own_silencing_or_others_resignation_do_not_decide():
    rows = [
        DISSENT,
        ("Chloe", "Let's not reopen it.", ["silencing"]),
        ("Ana", "Fine. Whatever you think.", ["resignation"]),
    ]
    assert _outcome(rows) == ("answered", "u0003")


def test_dynamics_window_limits_what_follows():
    rows = [DISSENT] + [("Chloe", f"more detail {i}", []) for i in range(4)]
    rows.append(("Ana", "This isn't up for discussion.", ["silencing"]))
    assert _outcome(rows) == ("unanswered", None)
    card = _card(rows)
    (wide,) = analyze_dynamics(card.utterances, window=5).dissent
    assert wide.outcome == "silenced"


def test_dynamics_silencing_turn_is_not_counted_as_dissent():
    rows = [
        ("Ben", "Could we phase it instead?", []),
        ("Ana", "No. This isn't up for discussion.", ["dissent", "silencing"]),
        ("Ben", "Okay.", ["resignation"]),
    ]
    assert _dynamics(rows).dissent == []


def test_dynamics_outcomes_count_every_outcome_in_order():
    rows = [
        DISSENT,
        ("Ana", "This isn't up for discussion.", ["silencing"]),
        ("Ben", "No, I don't think we should commit to March.", ["dissent"]),
        ("Ana", "Then what date would you back?", []),
    ]
    outcomes = _dynamics(rows).outcomes
    assert list(outcomes) == ["answered", "silenced", "lost_voice", "unanswered"]
    assert outcomes == {"answered": 1, "silenced": 1, "lost_voice": 0, "unanswered": 0}


PURPOSE_Q = ("Ana", "What are we actually trying to achieve with this rollout?", ["purpose"])


def test_dynamics_purpose_question_answered_by_another_speaker():
    rows = [
        PURPOSE_Q,
        ("Ana", "I mean for the clinics.", []),
        ("Ben", "Mm-hmm.", []),
        ("Chloe", "Good question?", []),
        ("Ben", "Clinics booking without calling us.", []),
    ]
    (question,) = _dynamics(rows).purpose_questions
    assert question.question.utterance_id == "u0001"
    assert question.answer is not None and question.answer.utterance_id == "u0005"


def test_dynamics_purpose_question_without_an_answer():
    rows = [PURPOSE_Q, ("Ben", "Okay.", []), ("Chloe", "Why do you ask?", [])]
    (question,) = _dynamics(rows).purpose_questions
    assert question.answer is None


def test_dynamics_purpose_statement_is_not_a_question():
    rows = [("Ben", "For me, success is clinics booking without calling us.", ["purpose"])]
    assert _dynamics(rows).purpose_questions == []


def test_dynamics_unpunctuated_purpose_question_counts():
    rows = [("Ana", "so why are we doing this at all", ["purpose"]), ("Ben", "for the clinics", [])]
    (question,) = _dynamics(rows).purpose_questions
    assert question.answer is not None and question.answer.speaker == "Ben"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Is that fair?", True),
        ("Stay with that. If I asked Claire, what would she say?", True),
        ("so what are we trying to achieve here", True),
        ("what's the point of this", True),
        ("does this feel like yours", True),
        ("when will it ship", True),
        ("What I mean is we ship in March.", False),
        ("Do it the way it's written.", False),
        ("Will do.", False),
        ("When we launched, it broke.", False),
        ("Tell me about that.", False),
    ],
)
def test_dynamics_is_question(text, expected):
    assert is_question(text) is expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Okay.", True),
        ("Mm-hmm, right.", True),
        ("All right. Got it, thanks.", True),
        ("", True),
        ("Okay, but the data says otherwise.", False),
        ("No.", False),
    ],
)
def test_dynamics_is_backchannel(text, expected):
    assert is_backchannel(text) is expected


def test_dynamics_backchannel_may_name_a_speaker():
    assert is_backchannel("Thanks, Megan.", names=frozenset({"megan"}))
    assert not is_backchannel("Thanks, Megan.")


def _commitment(speaker: str, text: str, others: tuple[str, ...] = ("Sam Osei",)):
    rows = [(name, "hello", []) for name in others]
    rows.append((speaker, text, ["ownership"]))
    (commitment,) = _dynamics(rows).commitments
    assert commitment.made_by == speaker
    return commitment.owner, commitment.due


@pytest.mark.parametrize(
    "text, owner, due",
    [
        ("I'll own the vendor follow-up and report back by Friday.", "Ana Ruiz", "by Friday"),
        ("That one's on me.", "Ana Ruiz", None),
        ("Let me take the action to rewrite the intake form.", "Ana Ruiz", None),
        ("We'll have the fix in by the end of the month.", "we", "by the end of the month"),
        ("It's ours to fix, and we will, next week.", "we", "next week"),
        ("Sam will draft it tomorrow, I've checked.", "Sam Osei", "tomorrow"),
        ("Sam Osei is going to send it by March 3.", "Sam Osei", "by March 3"),
        ("Priya will handle it.", None, None),
        ("Someone should look at that.", None, None),
        ("That's not mine, but I take the point.", None, None),
        ("I should have sent it by Friday.", None, None),
        ("Tomorrow is busy, that one's on me.", "Ana Ruiz", None),
    ],
)
def test_dynamics_commitment_owner_and_due_only_as_stated(text, owner, due):
    assert _commitment("Ana Ruiz", text) == (owner, due)


def test_dynamics_commitments_come_only_from_ownership_turns():
    rows = [
        ("Ana", "I'll send the deck by Friday.", []),
        ("Ben", "I'll raise a ticket.", ["ownership"]),
    ]
    commitments = _dynamics(rows).commitments
    assert [(c.quote.utterance_id, c.owner, c.due) for c in commitments] == [("u0002", "Ben", None)]


def test_dynamics_first_name_is_an_owner_only_when_unambiguous():
    rows = [("Sam Osei", "hi", []), ("Sam Ward", "hi", []), ("Ana", "hi", [])]
    rows.append(("Ana", "Sam will take it.", ["ownership"]))
    (commitment,) = _dynamics(rows).commitments
    assert commitment.owner is None


def test_dynamics_recomputes_from_a_stored_scorecard():
    rows = [
        DISSENT,
        ("Ana", "This isn't up for discussion.", ["silencing"]),
        PURPOSE_Q,
        ("Ben", "I'll send the numbers by Friday.", ["ownership"]),
    ]
    card = _card(rows)
    stored = Scorecard.model_validate_json(card.model_dump_json())
    assert analyze_dynamics(stored.utterances) == card.dynamics
    assert _card(rows).model_dump_json() == card.model_dump_json()


@pytest.mark.slow
def test_dynamics_order_taker_sample_credits_no_override_and_invents_nothing():
    from transcript_lens.api import analyze

    card = analyze(SAMPLES / "order_taker.vtt", classifier="rules")
    dynamics = card.dynamics
    assert dynamics is not None
    # "No. This isn't up for discussion." overrides Ben's objection: not a voice of dissent.
    assert not [x for x in dynamics.dissent if "isn't up for discussion" in x.dissent.text]
    assert dynamics.outcomes["answered"] == len(
        [x for x in dynamics.dissent if x.outcome == "answered"]
    )
    by_text = {c.quote.text: (c.made_by, c.owner, c.due) for c in dynamics.commitments}
    assert by_text["I'll send that over this afternoon."] == (
        "Megan Doyle",
        "Megan Doyle",
        "this afternoon",
    )
    assert by_text["We'll make it work."] == ("Priya Nair", "we", None)
    speakers = {s.name for s in card.speakers}
    for c in dynamics.commitments:
        assert c.owner in speakers | {"we", None}
        assert c.due is None or c.due in c.quote.text
