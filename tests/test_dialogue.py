"""Corrections that need the conversation: overrules and people cut off."""

from __future__ import annotations

import pytest

from tests.conftest import make_predictions, make_transcript
from transcript_lens.classifiers.dialogue import DIALOGUE_FEATURES, check_dialogue, refine


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
    assert labels_after(turns, [["dissent"], ["dissent", "silencing"]]) == [
        ["dissent"],
        ["silencing"],
    ]


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
    out = labels_after(turns, [["dissent"], ["silencing"], ["resignation"]])
    assert out == [["dissent"], ["silencing"], ["resignation"]]


def test_dialogue_acknowledgement_alone_carries_no_label_but_ownership():
    turns = [
        ("Omar", "Could we look at the other supplier again?"),
        ("Dana", "We're not revisiting the supplier; the contract's signed."),
        ("Omar", "Okay. Right."),
        ("Dana", "Can you send the signed copy round?"),
        ("Omar", "Sure."),
    ]
    labels = [["dissent"], ["silencing"], ["resignation", "dissent"], [], ["ownership"]]
    out = labels_after(turns, labels)
    assert out == [["dissent"], ["silencing"], [], [], ["ownership"]]


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
    predictions = make_predictions(labels)
    # "whatever you think" and "not going to fight it" are the rules' explicit phrases.
    predictions[3] = _explicit(predictions[3], "resignation")
    predictions[5] = _explicit(predictions[5], "resignation")
    out = [p.labels for p in refine(make_transcript(turns), predictions)]
    assert out == [[], [], [], ["resignation"], [], ["resignation"]]


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


def _explicit(prediction, label):
    """The prediction with ``label`` carried by a rule's phrase (explicit wording)."""
    evidence = [
        e if e.label != label else e.model_copy(update={"rule": f"{label}.phrase"})
        for e in prediction.evidence
    ]
    return prediction.model_copy(update={"evidence": evidence})


def test_dialogue_firm_objection_with_nothing_to_shut_down_is_dissent_not_silencing():
    turns = [
        ("Dana", "We ship rebooking first, then the reminders."),
        ("Omar", "I'd push back on that. The money is tied to missed appointments."),
    ]
    assert labels_after(turns, [[], ["dissent", "silencing"]]) == [[], ["dissent"]]


def test_dialogue_answering_back_to_a_shut_down_is_not_silencing():
    turns = [
        ("Dana", "We go live on the first."),
        ("Omar", "The rural clinics aren't trained; I'd phase them."),
        ("Dana", "We've been through this. Let's not reopen it."),
        ("Omar", "I'm not reopening it, I'm asking for two minutes before we sign."),
    ]
    out = labels_after(turns, [[], ["dissent"], ["silencing"], ["silencing"]])
    assert out == [[], ["dissent"], ["silencing"], []]


def test_dialogue_giving_up_needs_a_fight_before_it():
    turns = [
        ("Dana", "Sorry I'm late, is there still coffee?"),
        ("Omar", "You're fine. Coffee's on the side if you want it."),
    ]
    assert labels_after(turns, [[], ["resignation"]]) == [[], []]
    overruled = [
        ("Dana", "We go live on the first."),
        ("Omar", "The rural clinics aren't trained; I'd phase them."),
        ("Dana", "No. Do it as planned."),
        ("Omar", "Your call. We'll do whatever you decide."),
    ]
    out = labels_after(overruled, [[], ["dissent"], ["silencing"], ["resignation"]])
    assert out == [[], ["dissent"], ["silencing"], ["resignation"]]


def test_dialogue_explicit_wording_stands_without_context():
    transcript = make_transcript(
        [("Dana", "Morning all."), ("Omar", "If that's what you want, it's all yours.")]
    )
    predictions = make_predictions([[], ["resignation"]])
    predictions[1] = _explicit(predictions[1], "resignation")
    assert [p.labels for p in refine(transcript, predictions)] == [[], ["resignation"]]


def _stage(weights_by_label, thresholds=None):
    """Dialogue settings with the given weights by feature name (others 0)."""
    return {
        "version": "t",
        "features": list(DIALOGUE_FEATURES),
        "weights": {
            label: [weights.get(name, 0.0) for name in DIALOGUE_FEATURES]
            for label, weights in weights_by_label.items()
        },
        "thresholds": thresholds or {label: 0.5 for label in weights_by_label},
    }


def test_dialogue_stage_decides_the_anti_patterns_from_the_conversation():
    # Silencing only where someone else objected just before.
    stage = _stage({"silencing": {"bias": -4.0, "objection_before": 3.0}})
    turns = [
        ("Dana", "We go live on the first."),
        ("Omar", "I don't think the rural clinics are ready."),
        ("Dana", "The date is the date."),
        ("Dana", "Next, the budget."),
    ]
    predictions = make_predictions([[], ["dissent"], [], ["silencing"]])
    out = refine(make_transcript(turns), predictions, stage)
    assert [p.labels for p in out] == [[], ["dissent"], ["silencing"], ["silencing"]]
    assert out[2].evidence[0].rule == "dialogue" and out[2].evidence[0].phrase == ""
    quiet = make_predictions([[], [], [], ["silencing"]])
    assert [p.labels for p in refine(make_transcript(turns), quiet, stage)][3] == []
    # The stage leaves the requirements alone and scores every turn.
    assert all(0.0 <= p.scores["silencing"] <= 1.0 for p in out)
    assert out[1].scores["dissent"] == predictions[1].scores["dissent"]


def test_dialogue_stage_keeps_explicit_wording_and_the_other_rules():
    stage = _stage({"resignation": {"bias": -10.0}, "silencing": {"bias": -10.0}})
    turns = [
        ("Dana", "We go live on the first."),
        ("Omar", "This isn't up for discussion."),
        ("Dana", "Fine, it's all yours, I'm not going to"),
    ]
    predictions = make_predictions([[], ["silencing"], ["resignation"]])
    predictions[1] = _explicit(predictions[1], "silencing")
    predictions[2] = _explicit(predictions[2], "resignation")
    out = refine(make_transcript(turns), predictions, stage)
    # Explicit wording stands; a turn cut off mid-sentence still carries no anti-pattern.
    assert [p.labels for p in out] == [[], ["silencing"], []]


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s.update(features=["bias"]),
        lambda s: s["weights"].update(purpose=[0.0] * len(DIALOGUE_FEATURES)),
        lambda s: s["weights"].update(blame=[0.0]),
        lambda s: s["thresholds"].pop("blame"),
    ],
)
def test_dialogue_settings_that_do_not_fit_are_refused(change):
    stage = _stage({"blame": {"bias": 1.0}})
    check_dialogue(stage)
    change(stage)
    with pytest.raises((KeyError, ValueError)):
        check_dialogue(stage)


def test_dialogue_agreement_holding_a_negation_is_not_dissent():
    turns = [
        ("Dana", "I think we should move the launch to May."),
        ("Omar", "I don't disagree. May works for us."),
        ("Dana", "And the budget stays where it is?"),
        ("Omar", "No, that's right, it stays."),
        ("Dana", "Then May it is, with the full team."),
        ("Omar", "No objection to May, but not with the full team; the rural staff can't start."),
    ]
    labels = [[], ["dissent"], [], ["dissent"], [], ["dissent"]]
    assert labels_after(turns, labels) == [[], [], [], [], [], ["dissent"]]


def test_dialogue_a_repair_that_takes_ownership_is_not_silencing():
    turns = [
        ("Dana", "Your volumes went up twenty percent without any notice."),
        ("Omar", "We briefed you in September."),
        (
            "Dana",
            "Let's not turn this into who said what. We both under-planned it; "
            "I'll own the forecast from now on.",
        ),
        ("Omar", "This isn't up for discussion, and I'll send the minutes."),
    ]
    predictions = make_predictions(
        [["blame"], ["blame"], ["ownership", "silencing"], ["ownership", "silencing"]]
    )
    predictions[3] = _explicit(predictions[3], "silencing")
    out = [p.labels for p in refine(make_transcript(turns), predictions)]
    assert out == [["blame"], ["blame"], ["ownership"], ["ownership", "silencing"]]
