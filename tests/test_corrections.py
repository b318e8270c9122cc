"""Corrections that count: labels export, edit, labels import, and every figure follows."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from tests.conftest import SAMPLES
from transcript_lens.cli import cli
from transcript_lens.store import Store

SAMPLE = str(SAMPLES / "order_taker.vtt")


@pytest.fixture
def db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'results.db'}"
    monkeypatch.setenv("TRANSCRIPT_LENS_DB", url)
    result = CliRunner().invoke(cli, ["analyze", SAMPLE, "--classifier", "rules", "--save"])
    assert result.exit_code == 0, result.output
    return url


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def _sheet(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _write(path, rows: list[dict[str, str]]) -> str:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


def _figures(url: str) -> tuple[dict, dict]:
    with Store(url) as store:
        [row] = store.history()
        [month] = store.trends()
        return row, month


def test_corrections_a_csv_round_trip_moves_flags_scores_and_trends(db, tmp_path):
    exported = run("labels", "export", "1")
    assert exported.exit_code == 0, exported.output
    rows = _sheet(exported.stdout)
    assert list(rows[0]) == ["meeting_id", "utterance_id", "speaker", "start", "text", "labels"]
    assert [r["utterance_id"] for r in rows][:2] == ["u0001", "u0002"]
    before, month_before = _figures(db)

    # A reader sees Priya give up where the classifier saw nothing.
    [turn] = [r for r in rows if r["text"] == "We'll make it work."]
    assert turn["labels"] == "ownership"
    turn["labels"] = "resignation"
    sheet = _write(tmp_path / "edited.csv", rows)

    first = run("labels", "import", sheet, "--by", "Dana Reviewer")
    assert first.exit_code == 0, first.output
    assert "1 label(s) corrected by Dana Reviewer" in first.stdout
    assert "ownership -> resignation" in first.stdout
    after, month_after = _figures(db)
    assert after["resignation"] == before["resignation"] + 1
    assert after["ownership"] < before["ownership"]
    assert after["analyses"] == 2 and after["analysis"] != before["analysis"]
    assert month_after["resignation"] == month_before["resignation"] + 1
    assert month_after["meetings"] == 1  # the meeting counts once, corrected

    # The report says which label a person set, and what the classifier said.
    html = run("report", "1", "--format", "html").stdout
    assert "corrected; the classifier said ownership" in html
    assert "corrected by a person" in html
    with Store(db) as store:
        card = store.scorecard(after["analysis"])
    [flag] = [f for f in card.flags if f.text == "We'll make it work."]
    assert flag.corrected and flag.label == "resignation"

    # The same file again changes nothing.
    again = run("labels", "import", sheet)
    assert again.exit_code == 0
    assert "no label changed; nothing stored" in again.stdout
    assert _figures(db) == (after, month_after)


def test_corrections_a_bad_row_is_one_line_and_nothing_is_imported(db, tmp_path):
    rows = _sheet(run("labels", "export", "1").stdout)
    rows[2]["labels"] = "resignation"
    rows[5]["labels"] = "ownership; dissnt"
    result = run("labels", "import", _write(tmp_path / "bad.csv", rows))
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Error: ") and "row 7: 'dissnt' is not a label" in line
    rows[5]["labels"] = "ownership"
    rows[6]["utterance_id"] = "u9999"
    result = run("labels", "import", _write(tmp_path / "bad2.csv", rows))
    assert result.exit_code == 1 and "row 8: meeting 1 has no utterance 'u9999'" in result.stderr
    with Store(db) as store:
        assert store.corrections(meeting_id=1) == {}
        assert store.analysis_count() == 1


def test_corrections_a_new_analysis_of_the_meeting_keeps_them(db, tmp_path):
    rows = _sheet(run("labels", "export", "1").stdout)
    [turn] = [r for r in rows if r["text"] == "We'll make it work."]
    turn["labels"] = "resignation"
    assert run("labels", "import", _write(tmp_path / "e.csv", rows)).exit_code == 0
    # Analyzed again with other scoring weights: a new analysis, corrected too.
    config = tmp_path / "weights.toml"
    config.write_text("[meeting]\nmin_turns = 20\n")
    result = run(
        "analyze", SAMPLE, "--classifier", "rules", "--config", str(config), "--save",
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "with its stored corrections" in result.stderr
    card = json.loads(result.stdout)
    [turn_out] = [u for u in card["utterances"] if u["text"] == "We'll make it work."]
    assert turn_out["labels"] == ["resignation"]
    assert turn_out["corrected_from"] == ["ownership"]


def test_corrections_export_as_training_rows(db, tmp_path):
    rows = _sheet(run("labels", "export", "1").stdout)
    [turn] = [r for r in rows if r["text"] == "We'll make it work."]
    turn["labels"] = "resignation"
    assert run("labels", "import", _write(tmp_path / "e.csv", rows)).exit_code == 0
    out = tmp_path / "corrections.jsonl"
    result = run("labels", "export", "--all", "--corrected", "-o", str(out))
    assert result.exit_code == 0, result.output
    [row] = [json.loads(line) for line in out.read_text().splitlines()]
    assert row["text"] == "We'll make it work." and row["labels"] == ["resignation"]
    assert row["context"]  # the turn it answers
    # train takes them, and refuses a bad file before training starts.
    from transcript_lens.classifiers.train import TrainConfig, read_rows, training_rows

    assert len(read_rows(out)) == 1
    data = SAMPLES.parent / "data"
    plain, _ = training_rows(data, TrainConfig())
    more, _ = training_rows(data, TrainConfig(extra_data=(str(out),)))
    assert len(more) == len(plain) + 1
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "labels": ["nope"]}\n')
    refused = run("train", "--out", str(tmp_path / "m"), "--extra", str(bad))
    assert refused.exit_code == 1 and "unknown label 'nope'" in refused.stderr


def test_corrections_cells_that_look_like_formulas_are_made_inert_and_come_back(tmp_path):
    from transcript_lens.corrections import _safe_cell, _unsafe_cell

    for text in ("=HYPERLINK(1)", "+1", "-2", "@SUM(A1)"):
        assert _safe_cell(text) == "'" + text
        assert _unsafe_cell(_safe_cell(text)) == text
    assert _safe_cell("plain") == "plain" and _unsafe_cell("'quoted") == "'quoted"
