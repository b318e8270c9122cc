"""One pipeline: the Analyzer reads each meeting once and gives one typed result."""

from __future__ import annotations

from click.testing import CliRunner

from tests.conftest import SAMPLES, make_transcript
from transcript_lens import Analysis, Analyzer, analyze
from transcript_lens.cli import cli
from transcript_lens.identity import fingerprint
from transcript_lens.store import Store


def test_analyzer_gives_one_typed_result_with_its_identity():
    analyzer = Analyzer(classifier="rules")
    analysis = analyzer.analyze(SAMPLES / "order_taker.vtt")
    assert isinstance(analysis, Analysis)
    meeting = analysis.meeting
    assert meeting.source == str((SAMPLES / "order_taker.vtt").resolve())
    assert meeting.fingerprint == fingerprint([u.text for u in meeting.transcript.utterances])
    assert len(meeting.content_hash or "") == 64 and meeting.date is not None
    assert analysis.key == analyzer.key(meeting.fingerprint)
    producer = analysis.scorecard.producer
    assert (producer.classifier, producer.scoring) == (
        analyzer.classifier_version,
        analyzer.scoring_version,
    )
    # The library's one-call form is the same pipeline.
    card = analyze(SAMPLES / "order_taker.vtt", classifier="rules")
    assert card.model_dump(exclude={"producer"}) == analysis.scorecard.model_dump(
        exclude={"producer"}
    )


def test_analyzer_a_coach_changes_the_scoring_version_and_so_the_key():
    plain = Analyzer(classifier="rules")
    coached = Analyzer(classifier="rules", coach=["Helen Park"])
    assert coached.scoring_version.startswith(plain.scoring_version + "+people-")
    assert coached.key("f" * 64) != plain.key("f" * 64)
    card = coached.analyze(SAMPLES / "coaching_session.txt").scorecard
    assert card.producer.scoring == coached.scoring_version


def test_analyzer_a_transcript_in_memory_is_analyzed_but_not_stored():
    transcript = make_transcript([("Ana", "We should ship on Friday."), ("Ben", "No, not yet.")])
    analysis = Analyzer(classifier="rules").analyze(transcript)
    assert analysis.meeting.content_hash is None
    try:
        analysis.record()
    except ValueError as error:
        assert "no file to store it by" in str(error)
    else:
        raise AssertionError("record() of an in-memory transcript must refuse")


def test_batch_parses_each_file_once(tmp_path, monkeypatch):
    import transcript_lens.readers as readers

    calls: list[str] = []
    real = readers.read_text

    def counting(text, **kwargs):
        calls.append(kwargs["source"])
        return real(text, **kwargs)

    monkeypatch.setattr(readers, "read_text", counting)
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("order_taker.vtt", "coaching_session.txt"):
        (folder / name).write_bytes((SAMPLES / name).read_bytes())
    url = f"sqlite:///{tmp_path / 'r.db'}"
    result = CliRunner().invoke(cli, ["batch", str(folder), "--db", url, "--classifier", "rules"])
    assert result.exit_code == 0, result.output
    assert sorted(calls) == sorted(
        str(folder / n) for n in ("order_taker.vtt", "coaching_session.txt")
    )
    with Store(url) as store:
        assert store.meeting_count() == 2


def test_analyze_save_stores_the_analysis_it_shows(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    runner = CliRunner()
    shown = runner.invoke(
        cli,
        ["analyze", str(SAMPLES / "order_taker.vtt"), "--classifier", "rules", "--db", url,
         "--format", "json"],
    )  # fmt: skip
    assert shown.exit_code == 0, shown.output
    assert "stored in" in shown.stderr
    with Store(url) as store:
        [row] = store.history()
        stored = store.scorecard(row["analysis"])
    assert stored.model_dump_json(indent=2) + "\n" == shown.stdout
