"""No judgement without evidence: what transcript-lens cannot read gets no band."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.conftest import REALMEETINGS, SAMPLES, SHARED, make_transcript
from transcript_lens.cli import cli
from transcript_lens.language import detect_language
from transcript_lens.readers import read_transcript
from transcript_lens.scorecard.assess import assess_transcript
from transcript_lens.scorecard.config import load_config

JUDGE = load_config().judge

SPANISH = [
    ("Lucía Romero", "Buenos días a todos, empezamos con el presupuesto del trimestre."),
    ("Pablo Ortega", "Sí, yo creo que el equipo necesita dos personas más para el proyecto."),
    ("Lucía Romero", "No estoy de acuerdo, primero hay que cerrar la migración de datos."),
    ("Pablo Ortega", "Vale, pero si no tenemos gente la fecha de marzo no es realista."),
] * 4
GERMAN = [
    ("Jonas Weber", "Guten Morgen, fangen wir mit dem Budget für das nächste Quartal an."),
    ("Lena Fischer", "Ich glaube, wir brauchen zwei weitere Leute für das Projekt."),
    ("Jonas Weber", "Das sehe ich anders, zuerst müssen wir die Migration abschließen."),
    ("Lena Fischer", "Gut, aber ohne Leute ist der Termin im März nicht realistisch."),
] * 4
ENGLISH = [
    ("Ana Ruiz", "Morning all, let's start with the budget for next quarter."),
    ("Ben Cole", "I think the team needs two more people for the project."),
    ("Ana Ruiz", "I see it differently, we have to finish the data migration first."),
    ("Ben Cole", "Okay, but without people the March date isn't realistic."),
] * 4


def _analyze(tmp_path, name: str, body: str, *extra: str):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["analyze", str(path), "--classifier", "rules", *extra], catch_exceptions=False
    )
    return result


def _lines(turns) -> str:
    return "".join(f"[00:{i // 60:02d}:{i % 60:02d}] {s}: {t}\n" for i, (s, t) in enumerate(turns))


@pytest.mark.parametrize(
    ("turns", "language"), [(SPANISH, "Spanish (es)"), (GERMAN, "German (de)")]
)
def test_assess_a_meeting_not_in_english_gets_no_band(tmp_path, turns, language):
    result = _analyze(tmp_path, "meeting.txt", _lines(turns), "--format", "json")
    assert result.exit_code == 0
    card = json.loads(result.stdout)
    assert card["overall"] is None and card["requirements"] == {} and card["flags"] == []
    assert card["assessment"]["reason"] == "not_english"
    assert all(u["labels"] == [] for u in card["utterances"])
    # One warning line on stderr, naming the language.
    [warning] = result.stderr.splitlines()
    assert warning.startswith("warning: not scored: ") and language in warning


def test_assess_an_english_meeting_is_scored():
    judged = assess_transcript(make_transcript(ENGLISH), JUDGE)
    assert (judged.scored, judged.scope, judged.language) == (True, "meeting", "en")


def test_assess_a_vtt_without_speaker_names_is_not_scored(tmp_path):
    cues = "".join(
        f"{i}\n00:00:{i:02d}.000 --> 00:00:{i + 1:02d}.000\n{text}\n\n"
        for i, (_, text) in enumerate(ENGLISH, 1)
    )
    result = _analyze(tmp_path, "call.vtt", "WEBVTT\n\n" + cues)
    assert result.exit_code == 0
    assert "Not scored: 100% of the words have no speaker name" in result.stdout
    assert "Partnership index" not in result.stdout
    assert result.stderr.count("\n") == 1 and "no speaker name" in result.stderr


def test_assess_one_speaker_is_not_scored(tmp_path):
    turns = [("Ana Ruiz", text) for _, text in ENGLISH]
    result = _analyze(tmp_path, "memo.txt", _lines(turns), "--format", "markdown")
    assert result.exit_code == 0
    assert "**Not scored:** only one speaker (Ana Ruiz)" in result.stdout
    # Nothing was labelled, so no label columns of zeros either.
    assert "| purpose |" not in result.stdout


def test_assess_too_few_turns_or_words_is_not_scored():
    judged = assess_transcript(make_transcript(ENGLISH[:6]), JUDGE)
    assert (judged.scored, judged.reason) == (False, "too_short")
    assert "6 turns" in (judged.message or "")
    few_words = [(s, "Yes, fine.") for s, _ in ENGLISH * 2]
    assert assess_transcript(make_transcript(few_words), JUDGE).reason == "too_short"


def _lecture(qa_rounds: int):
    talk = " ".join(["The survey asked how people weigh data against their own judgement."] * 35)
    turns = [("Host Person", "Welcome everyone, our speaker today needs no introduction.")]
    turns += [("Dr Lee", talk)] * 6
    for i in range(qa_rounds):
        turns.append(("Sam Okoro", f"Thanks. Question {i}: how would a team use that at work?"))
        turns.append(("Dr Lee", "Start with the decision you want to make, then the data."))
    return make_transcript(turns)


def test_assess_a_presentation_without_enough_q_and_a_is_not_scored(tmp_path):
    judged = assess_transcript(_lecture(3), JUDGE)
    assert (judged.scored, judged.reason, judged.presenter) == (False, "presentation", "Dr Lee")
    assert "its Q&A has 6 turns" in (judged.message or "")
    path = tmp_path / "lecture.txt"
    path.write_text(
        "".join(f"{u.speaker}: {u.text}\n" for u in _lecture(3).utterances), encoding="utf-8"
    )
    result = CliRunner().invoke(
        cli, ["analyze", str(path), "--classifier", "rules", "--format", "html"]
    )
    assert result.exit_code == 0
    assert "Not scored" in result.stdout and "a presentation: Dr Lee holds" in result.stdout
    assert 'id="evidence"' not in result.stdout and 'id="method"' not in result.stdout


def test_assess_a_presentation_with_its_q_and_a_is_scored_on_the_q_and_a_only():
    from transcript_lens.analyzer import Analyzer

    lecture = _lecture(15)
    judged = assess_transcript(lecture, JUDGE)
    assert (judged.scored, judged.scope, judged.reason) == (True, "q_and_a", "presentation")
    card = Analyzer(classifier="rules").analyze(lecture).scorecard
    assert card.overall is not None and card.assessment == judged
    assert card.meeting.turns == len(lecture.utterances)
    start = [u.id for u in card.utterances].index(judged.scored_from)
    assert start == 7  # the host's welcome and the six long turns are not judged
    assert all(u.scores == {} for u in card.utterances[:start])
    assert all(u.scores for u in card.utterances[start:])
    # Talk share is the Q&A's: the lecture's words do not drown the questions.
    shares = {s.name: s.talk_share for s in card.speakers}
    assert shares["Sam Okoro"] > 0.3


def test_assess_batch_stores_a_meeting_not_scored_and_says_why(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "es.txt").write_text(_lines(SPANISH), encoding="utf-8")
    (tmp_path / "in" / "en.txt").write_text(_lines(ENGLISH), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'r.db'}"
    run = CliRunner().invoke(
        cli, ["batch", str(tmp_path / "in"), "--db", db, "--classifier", "rules", "--quiet"]
    )
    assert run.exit_code == 0, run.output
    assert "2 analyzed (1 not scored)" in run.output
    assert "not scored: " in run.output and "reads as Spanish" in run.output
    rows = json.loads(CliRunner().invoke(cli, ["history", "--db", db, "--format", "json"]).stdout)
    by_title = {r["title"]: r for r in rows}
    assert by_title["es"]["band"] is None and "Spanish" in by_title["es"]["note"]
    assert by_title["en"]["band"] is not None and by_title["en"]["note"] is None
    trends = json.loads(CliRunner().invoke(cli, ["trends", "--db", db, "--format", "json"]).stdout)
    assert [t["meetings"] for t in trends] == [1]


def test_assess_language_detection_is_local_and_quick_for_english():
    found = detect_language([text for _, text in ENGLISH])
    assert found is not None and (found.code, found.method) == ("en", "function words")
    spanish = detect_language([text for _, text in SPANISH])
    assert spanish is not None and (spanish.code, spanish.method) == ("es", "py3langid")
    assert detect_language(["", "  "]) is None


SAMPLE_FILES = sorted(
    p for p in SAMPLES.iterdir() if p.suffix not in (".toml", ".md") and p.is_file()
)


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_assess_no_sample_meeting_is_refused(path):
    judged = assess_transcript(read_transcript(path), JUDGE)
    assert judged.scored and judged.scope == "meeting", judged.message


@pytest.mark.skipif(
    not REALMEETINGS.is_dir(), reason="../shared/corpora is not beside the checkout"
)
def test_assess_no_real_meeting_is_refused_and_the_webinar_is_a_presentation():
    meetings = sorted(REALMEETINGS.glob("*.jsonl"))
    assert len(meetings) == 30
    for path in meetings:
        judged = assess_transcript(read_transcript(path), JUDGE)
        assert judged.scored and judged.scope == "meeting", (path.name, judged.message)
    webinar = read_transcript(SHARED / "corpora" / "realworld" / "zoom_webinar.vtt")
    judged = assess_transcript(webinar, JUDGE)
    assert (judged.scored, judged.reason) == (False, "presentation")
    assert judged.presenter == "Paul McCartney"
