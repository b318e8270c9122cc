"""Corrections that need the conversation: overrules and people cut off."""

from __future__ import annotations

from tests.conftest import make_predictions, make_transcript
from transcript_lens.classifiers.dialogue import refine


def labels_after(turns, labels):
    transcript = make_transcript(turns)
    return [p.labels for p in refine(transcript, make_predictions(labels))]


def test_dialogue_person_cut_off_is_not_the_silencer():
    turns = [
        ("Dana", "We're switching the warehouse to the new scanners on Monday."),
        ("Omar", "The night shift hasn't been trained on them yet, so I'd hold it a week."),
        ("Dana", "Noted. Next item."),
        ("Omar", "I'm just saying the night shift will"),
    ]
    out = labels_after(turns, [[], ["dissent"], ["silencing"], ["silencing"]])
    assert out == [[], ["dissent"], ["silencing"], []]


def test_dialogue_overrule_by_the_person_deciding_is_not_dissent():
    turns = [
        ("Dana", "We go live with all six clinics on the first."),
        ("Omar", "I don't think the two rural clinics are ready; can we phase them?"),
        ("Dana", "No. Use the plan as it stands."),
    ]
    out = labels_after(turns, [[], ["dissent"], ["dissent"]])
    assert out == [[], ["dissent"], []]


def test_dialogue_silencing_turn_keeps_silencing_but_loses_dissent():
    turns = [
        ("Dana", "Could we revisit the vendor choice?"),
        ("Omar", "No, this isn't up for discussion."),
    ]
    assert labels_after(turns, [[], ["dissent", "silencing"]]) == [[], ["silencing"]]


def test_dialogue_reasoned_counter_argument_stays_dissent():
    turns = [
        ("Dana", "We go live with all six clinics on the first."),
        ("Omar", "I don't think the two rural clinics are ready; can we phase them?"),
        (
            "Dana",
            "I'd disagree, because the rural clinics finished training last week and the "
            "data from the pilot shows no drop in bookings.",
        ),
    ]
    out = labels_after(turns, [[], ["dissent"], ["dissent"]])
    assert out == [[], ["dissent"], ["dissent"]]


def test_dialogue_dissent_from_a_third_person_is_kept():
    turns = [
        ("Dana", "We go live with all six clinics on the first."),
        ("Omar", "I don't think the two rural clinics are ready."),
        ("Lena", "No, I'm with Omar, phase it."),
    ]
    out = labels_after(turns, [[], ["dissent"], ["dissent"]])
    assert out == [[], ["dissent"], ["dissent"]]


def test_dialogue_a_finished_turn_with_markup_after_it_keeps_its_anti_pattern():
    """Pasted chat markup or an emoji after the last sentence is not a cut-off."""
    turns = [
        ("Omar", "Can we talk about the scanner rollout?"),
        ("Dana", "Let's not go there, moving on. <a href='#'>agenda</a>"),
        ("Omar", "Fine, whatever, it's all yours. 🙃"),
    ]
    out = labels_after(turns, [[], ["silencing"], ["resignation"]])
    assert out == [[], ["silencing"], ["resignation"]]


def test_dialogue_acknowledgement_alone_carries_no_label_but_ownership():
    turns = [
        ("Dana", "We're not revisiting the supplier; the contract's signed."),
        ("Omar", "Okay. Right."),
        ("Dana", "Can you send the signed copy round?"),
        ("Omar", "Sure."),
    ]
    out = labels_after(turns, [["silencing"], ["resignation", "dissent"], [], ["ownership"]])
    assert out == [["silencing"], [], [], ["ownership"]]


def test_dialogue_taking_an_instruction_is_not_resignation_unless_it_withdraws():
    turns = [
        ("Dana", "Close the tickets on Thursday; only the leads can reopen them."),
        ("Omar", "Understood. Closed on Thursday, reopening by the leads only."),
        ("Dana", "And the rota stays as it is."),
        ("Omar", "Okay, fine, whatever you think. It's your call."),
        ("Dana", "We keep the rota."),
        ("Omar", "Yes. I'm not going to fight it any more."),
    ]
    labels = [[], ["resignation"], [], ["resignation"], [], ["resignation"]]
    assert labels_after(turns, labels) == [[], [], [], ["resignation"], [], ["resignation"]]


def test_dialogue_a_question_about_what_was_meant_is_not_dissent():
    turns = [
        ("Dana", "From May the archive is read-only for everyone outside finance."),
        ("Omar", "Just to clarify, read-only for the auditors too, or do they keep write access?"),
        ("Dana", "Read-only."),
        ("Omar", "Then the auditors can't file their notes; I'd keep them writing."),
    ]
    out = labels_after(turns, [[], ["dissent"], [], ["dissent"]])
    assert out == [[], [], [], ["dissent"]]


def test_dialogue_setting_out_ones_own_list_is_not_dissent():
    turns = [
        ("Nadia", "What do you need from the finance report?"),
        ("Tom", "Point one, the report needs totals by month, not by week."),
        ("Nadia", "Noted."),
        ("Tom", "That works. Three, we need it before the board meets."),
        ("Nadia", "Item two, I don't think we can get the data by then."),
    ]
    labels = [[], ["dissent"], [], ["dissent"], ["dissent", "candor"]]
    assert labels_after(turns, labels) == [[], [], [], [], ["dissent", "candor"]]


def test_dialogue_a_list_item_that_refuses_stays_dissent():
    turns = [
        ("Ana", "Let's ship the beta to every customer on Friday."),
        ("Ben", "No. Number one, the load tests are not done."),
    ]
    assert labels_after(turns, [[], ["dissent"]]) == [[], ["dissent"]]
