"""Long turns read in pieces, and the gate's view of pieces that say nothing."""

from __future__ import annotations

from transcript_lens.classifiers.base import ClassifierInput
from transcript_lens.classifiers.segment import (
    GATE_FEATURES,
    WINDOW_WORDS,
    expand,
    gate_features,
    is_cut_off,
    windows,
)


def test_segment_short_turn_is_read_whole():
    assert windows("No, I don't think we should commit to March.") == [
        "No, I don't think we should commit to March."
    ]


def test_segment_long_turn_is_cut_into_sentence_windows_that_rejoin():
    text = " ".join(
        f"This is sentence {i} of a long statement about the budget." for i in range(12)
    )
    parts = windows(text)
    assert len(parts) > 1
    assert " ".join(parts) == text
    assert all(len(p.split()) <= WINDOW_WORDS for p in parts)
    assert all(p.endswith("budget.") for p in parts)


def test_segment_unpunctuated_speech_is_cut_by_words():
    text = " ".join(["um so we were looking at the data and"] * 20)
    parts = windows(text)
    assert len(parts) > 1
    assert " ".join(parts) == " ".join(text.split())
    assert all(len(p.split()) <= WINDOW_WORDS for p in parts)


def test_segment_first_window_reads_the_previous_turn_later_ones_the_window_before():
    text = "First point here. Second point here. Third point here, and it goes on."
    pieces = expand([ClassifierInput(text=text * 3, context="What do you think?")])
    assert pieces[0].context == "What do you think?"
    for before, after in zip(pieces, pieces[1:], strict=False):
        assert after.context == before.text
        assert after.owner == 0


def test_segment_cut_off_turns_are_recognised():
    assert is_cut_off("I'm only saying the commission reports will")
    assert is_cut_off("so we th-")
    assert not is_cut_off("I'll send that over this afternoon.")
    # Unpunctuated speech-recogniser text is not taken for a cut-off.
    assert not is_cut_off("i think we should wait until the pilot is done")
    # A sentence closed before a bracket, tag or emoji is finished.
    assert not is_cut_off("That's their fault, the vendor drops the ball. <b>note</b>")
    assert not is_cut_off("We agreed on Friday. [laughs]")
    assert not is_cut_off("Fine, it's all yours. 🙂")
    assert is_cut_off("We could move the launch to, ")


def test_segment_gate_marks_fragments_and_questions():
    names = dict(
        zip(
            GATE_FEATURES,
            gate_features(ClassifierInput(text="Yeah.", context="Shall we?")),
            strict=True,
        )
    )
    assert names["fragment"] == 1.0
    assert names["context_question"] == 1.0
    full = dict(
        zip(
            GATE_FEATURES,
            gate_features(ClassifierInput(text="Why are we doing this migration at all?")),
            strict=True,
        )
    )
    assert full["fragment"] == 0.0
    assert full["question"] == 1.0
