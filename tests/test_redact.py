"""Redaction: pseudonyms for speakers and the people they mention."""

from __future__ import annotations

import re

import pytest

from tests.conftest import make_predictions, make_transcript
from transcript_lens.classifiers.base import LabelEvidence
from transcript_lens.errors import ClassifierError
from transcript_lens.model import Transcript
from transcript_lens.readers import read_transcript
from transcript_lens.redact import REDACTED_SOURCE, Redactor, load_ner, person_name
from transcript_lens.speakers import apply_speaker_map, load_speaker_map, roles_for

pytestmark = pytest.mark.slow  # loads the spaCy model for its named-entity recogniser

NAMES = ("Dana", "Kowalski", "Sam", "Osei", "Lee", "Chen", "Claire", "Dupont", "Tom", "Whitfield")


@pytest.fixture(scope="module")
def meeting() -> Transcript:
    transcript = make_transcript(
        [
            ("Dana Kowalski", "Morning all. Sam, can you start?"),
            ("Sam Osei", "Sure. Thanks, Dana. Dana's plan looks fine, but Claire Dupont runs it."),
            ("Lee Chen", "I met Claire on Monday. Claire's team is short. Tom Whitfield agrees."),
            ("Unknown Speaker", "Can Dana repeat that?"),
            ("Dana Kowalski", "Sure. Mr. Osei knows, and so does dana kowalski. Ask Tom."),
            ("Sam Osei", "Will do. Let's take the bill to Claire."),
        ]
    )
    return transcript.model_copy(update={"title": "Dana and Sam weekly", "source": "dana.txt"})


@pytest.fixture(scope="module")
def redactor(meeting) -> Redactor:
    return Redactor(meeting)


def test_redact_speakers_get_letters_in_order_and_unknown_stays(meeting, redactor):
    redacted = redactor.redact_transcript(meeting)
    assert [u.speaker for u in redacted.utterances] == [
        "Speaker A",
        "Speaker B",
        "Speaker C",
        "Unknown Speaker",
        "Speaker A",
        "Speaker B",
    ]
    assert [u.id for u in redacted.utterances] == [u.id for u in meeting.utterances]
    assert [u.reply_to for u in redacted.utterances] == [u.reply_to for u in meeting.utterances]
    assert redacted.source == REDACTED_SOURCE


def test_redact_mentioned_names_take_the_same_pseudonym_each_time(meeting, redactor):
    texts = [u.text for u in redactor.redact_transcript(meeting).utterances]
    assert texts == [
        "Morning all. Speaker B, can you start?",
        "Sure. Thanks, Speaker A. Speaker A's plan looks fine, but Person 1 runs it.",
        "I met Person 1 on Monday. Person 1's team is short. Person 2 agrees.",
        "Can Speaker A repeat that?",
        "Sure. Speaker B knows, and so does Speaker A. Ask Person 2.",
        "Will do. Let's take the bill to Person 1.",
    ]
    assert redactor.redact_transcript(meeting).title == "Speaker A and Speaker B weekly"


def test_redact_pseudonym_and_roles(redactor):
    assert redactor.pseudonym("Sam Osei") == "Speaker B"
    assert redactor.pseudonym("claire dupont") == "Person 1"
    assert redactor.pseudonym("Claire") == "Person 1"
    assert redactor.pseudonym("Unknown Speaker") == "Unknown Speaker"
    with pytest.raises(KeyError):
        redactor.pseudonym("Nobody Here")
    assert redactor.rename_roles({"Dana Kowalski": "coach", "Sam Osei": "coachee"}) == {
        "Speaker A": "coach",
        "Speaker B": "coachee",
    }


def test_redact_leaves_no_original_name_in_the_json(meeting, redactor):
    dumped = redactor.redact_transcript(meeting).model_dump_json()
    for name in NAMES:
        assert not re.search(rf"\b{name}\b", dumped, flags=re.IGNORECASE), name


def test_redact_is_deterministic_across_runs(meeting, redactor):
    again = Redactor(meeting)
    assert again.redact_transcript(meeting).model_dump_json() == (
        redactor.redact_transcript(meeting).model_dump_json()
    )


def test_redact_evidence_phrases(redactor):
    predictions = make_predictions([["candor"], []])
    predictions[0] = predictions[0].model_copy(
        update={
            "evidence": [
                LabelEvidence(label="candor", phrase="honestly, Dana's plan is late", rule="r1"),
                LabelEvidence(label="candor", phrase="Claire Dupont was right", rule="r2"),
            ]
        }
    )
    redacted = redactor.redact_predictions(predictions)
    assert [e.phrase for e in redacted[0].evidence] == [
        "honestly, Speaker A's plan is late",
        "Person 1 was right",
    ]
    assert [e.rule for e in redacted[0].evidence] == ["r1", "r2"]
    assert redacted[0].scores == predictions[0].scores
    assert redacted[1] == predictions[1]


def test_redact_shared_first_name_names_both_speakers():
    transcript = make_transcript(
        [
            ("Hon. Bill Morneau (Minister of Finance)", "Thank you."),
            ("Hon. Bill Blair", "Thanks, Bill. The bill is ready, Mr. Morneau."),
        ]
    )
    redacted = Redactor(transcript).redact_transcript(transcript)
    assert redacted.utterances[1].text == (
        "Thanks, Speaker A or Speaker B. The bill is ready, Speaker A."
    )


def test_redact_contraction_is_not_a_name_and_a_common_word_needs_its_full_name():
    transcript = make_transcript(
        [
            ("Don Davies", "Don't worry about it. Thanks, Don."),
            ("Ana Silva", "I asked Claire Dupont, and Dupont said no. It is a clear case."),
            ("Don Davies", "We met Hazel Clear at the centre. Clear as day, Hazel said."),
        ]
    )
    texts = [u.text for u in Redactor(transcript).redact_transcript(transcript).utterances]
    assert texts == [
        "Don't worry about it. Thanks, Speaker A.",
        "I asked Person 1, and Person 1 said no. It is a clear case.",
        "We met Person 2 at the centre. Clear as day, Person 2 said.",
    ]


def test_redact_speaker_letters_continue_past_z():
    transcript = make_transcript([(f"p{i:02d}", "Yes.") for i in range(28)])
    redacted = Redactor(transcript).redact_transcript(transcript)
    assert redacted.speakers[-3:] == ("Speaker Z", "Speaker AA", "Speaker AB")


def test_redact_refuses_a_speaker_it_was_not_built_for(redactor):
    stranger = make_transcript([("Someone New", "Hello.")])
    with pytest.raises(ValueError, match="'Someone New' is not in the meeting"):
        redactor.redact_transcript(stranger)


def test_redact_person_name_reads_labels():
    assert person_name("Hon. Bill Morneau (Minister of Finance)") == ("Bill", "Morneau")
    assert person_name("The Chair (Hon. Anthony Rota (Nipissing, Lib.))") == ("Anthony", "Rota")
    assert person_name("Lynne Neagle AM") == ("Lynne", "Neagle")
    assert person_name("Right Hon. Justin Trudeau") == ("Justin", "Trudeau")
    assert person_name("Mr. Chris d'Entremont") == ("Chris", "d'Entremont")
    assert person_name("The Chair") is None
    assert person_name("Speaker 2") is None
    assert person_name("me011") is None


def test_redact_missing_model_is_a_classifier_error():
    with pytest.raises(ClassifierError, match="'no_such_model' is not installed; --redact"):
        load_ner("no_such_model")


def test_redact_real_meeting_after_speaker_map(realmeetings, tmp_path):
    transcript = read_transcript(realmeetings / "qmsum-committee_covid_2.jsonl")
    path = tmp_path / "map.toml"
    path.write_text(
        '[match]\n"The Chair (*" = "The Chair"\n"The Acting Chair (*" = "Bruce Stanton"\n'
        "'re:^(?P<name>[^(]+?) \\(.*\\)$' = '\\g<name>'\n",
        encoding="utf-8",
    )
    speaker_map = load_speaker_map(path)
    mapped = apply_speaker_map(transcript, speaker_map)
    roles = roles_for(mapped, speaker_map, coach=["bruce stanton"])
    redactor = Redactor(mapped)
    redacted = redactor.redact_transcript(mapped)
    assert len(redacted.speakers) == len(mapped.speakers)
    assert redactor.rename_roles(roles) == {redactor.pseudonym("Bruce Stanton"): "coach"}
    dumped = redacted.model_dump_json()
    for name in ("Morneau", "Poilievre", "Trudeau", "Stanton", "Freeland", "Scheer"):
        assert name not in dumped, name


def test_redact_scorecard_keeps_every_figure_and_leaves_no_name(meeting):
    from transcript_lens.redact import redact_scorecard
    from transcript_lens.scorecard.config import load_config
    from transcript_lens.scorecard.scoring import score_transcript

    labels = [[], ["purpose"], ["candor"], [], ["ownership"], ["ownership"]]
    card = score_transcript(
        meeting,
        make_predictions(labels),
        load_config(),
        classifier="test/1",
        roles={"Dana Kowalski": "coach"},
    )
    redacted = redact_scorecard(card)
    text = redacted.model_dump_json()
    for name in NAMES:
        assert not re.search(rf"\b{name}\b", text, flags=re.I), name
    assert redacted.meeting.source == REDACTED_SOURCE
    assert [s.talk_share for s in redacted.speakers] == [s.talk_share for s in card.speakers]
    assert redacted.overall == card.overall and redacted.balance == card.balance
    assert [s.name for s in redacted.speakers][:3] == ["Speaker A", "Speaker B", "Speaker C"]
    assert redacted.coaching is not None and redacted.coaching.coaches == ["Speaker A"]
    assert redact_scorecard(card) == redacted


def test_redact_scorecard_covers_the_quote_and_phrases_of_a_long_turn(meeting):
    from transcript_lens.classifiers.base import UtteranceLabels
    from transcript_lens.labels import LABELS
    from transcript_lens.redact import redact_scorecard
    from transcript_lens.scorecard.config import load_config
    from transcript_lens.scorecard.scoring import score_transcript

    window = "Honestly, Claire Dupont told Tom Whitfield the date was never going to hold."
    long_turn = " ".join(["We went through the plan line by line last week."] * 5) + " " + window
    turns = [(u.speaker, u.text) for u in meeting.utterances] + [("Lee Chen", long_turn)]
    transcript = make_transcript(turns)
    predictions = make_predictions([[] for _ in meeting.utterances])
    scores = {label: 0.0 for label in LABELS}
    predictions.append(
        UtteranceLabels(
            labels=["candor"],
            scores={**scores, "candor": 0.8},
            evidence=[LabelEvidence(label="candor", phrase=window, rule="ensemble")],
        )
    )
    card = score_transcript(transcript, predictions, load_config(), classifier="test/1")
    [evidence] = card.requirements["candor"].evidence
    assert evidence.quote is not None and window in evidence.quote
    assert len(evidence.quote) < len(long_turn)
    text = redact_scorecard(card).model_dump_json()
    for name in ("Claire", "Dupont", "Whitfield"):
        assert name not in text, name


def _string_fields() -> tuple[set[str], set[str]]:
    """Every field of the scorecard schema that holds text (a string, a list of
    them, a map to them), and every field that is a map (whose keys could hold text)."""
    from transcript_lens.scorecard import Scorecard

    schema = Scorecard.model_json_schema()

    def stringy(part: dict) -> bool:
        if part.get("type") == "string":
            return True
        if any(stringy(x) for x in part.get("anyOf", [])):
            return True
        if part.get("type") == "array":
            return stringy(part.get("items", {}))
        return part.get("type") == "object" and stringy(part.get("additionalProperties", {}))

    texts: set[str] = set()
    maps: set[str] = set()
    for model in [schema, *schema.get("$defs", {}).values()]:
        for name, part in model.get("properties", {}).items():
            if stringy(part):
                texts.add(name)
            if any(
                x.get("type") == "object" and "additionalProperties" in x
                for x in [part, *part.get("anyOf", [])]
            ):
                maps.add(name)
    return texts, maps


def test_redact_every_text_field_of_the_scorecard_is_redacted_or_known_to_hold_no_name():
    """A field added to the scorecard must be classified here before it ships:
    ``redact_scorecard`` rewrites fields by name, so an unknown one would leak."""
    from transcript_lens import redact

    texts, maps = _string_fields()
    rewritten = redact._SPEAKER_FIELDS | redact._SPEAKER_LISTS | redact._TEXT_FIELDS
    rewritten |= {"source", "phrases"}  # dropped; label -> quoted words
    # Version strings, ids, labels, bands, outcomes, roles and sides (the parties'
    # names a user gives, e.g. "provider"; the reading is made of them): never a
    # person's name.
    no_names = {
        "band", "classifier", "format", "id", "label", "labels", "outcome", "role",
        "schema_version", "scoring", "tool", "utterance_id", "scope", "reason", "language",
        "scored_from", "corrected_from", "side", "by", "to", "reading",
    }  # fmt: skip
    assert texts - rewritten - no_names == set()
    assert not (rewritten & no_names)
    # Maps are keyed by labels, requirements or outcomes, never by a person.
    assert maps == {
        "outcomes", "scores", "phrases", "inputs", "weights", "penalties", "label_counts",
        "requirements", "anti_rates", "turns_by_label", "voices_by_label",
    }  # fmt: skip


def test_redact_title_taken_from_a_file_name_loses_the_name(tmp_path):
    from click.testing import CliRunner

    from transcript_lens.cli import cli

    path = tmp_path / "2024-03-19_coaching_jordan.txt"
    path.write_text(
        "Helen Park: Jordan, how did the week go?\n"
        "Jordan Lee: Honestly, I missed two deadlines and I own that.\n"
        "Helen Park: What would you do differently?\n",
        "utf-8",
    )
    result = CliRunner().invoke(
        cli, ["analyze", str(path), "--redact", "--classifier", "rules", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert "jordan" not in result.stdout.lower()
    assert '"title": "2024-03-19 coaching Speaker B"' in result.stdout
    # A word that is not a name keeps its case; a name inside a word is left alone.
    redactor = Redactor(read_transcript(path))
    assert redactor.redact_title("park_review_for_jordan-lee") == "Speaker A review for Speaker B"
    assert redactor.redact_title("parking_plan") == "parking plan"
