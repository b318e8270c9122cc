"""``transcript-lens batch``: discovery, dates, storage, resume, engines."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import SAMPLES
from transcript_lens.archive.dates import from_metadata, from_name, meeting_date
from transcript_lens.archive.sources import discover
from transcript_lens.cli import cli
from transcript_lens.identity import fingerprint

RULES = ["--classifier", "rules"]


@pytest.fixture(autouse=True)
def _private_default_database(tmp_path, monkeypatch):
    """Never touch the user's own default database."""
    monkeypatch.setenv("TRANSCRIPT_LENS_DB", f"sqlite:///{tmp_path / 'default.db'}")


def _turns(n: int, seed: int) -> str:
    """A small plain-text meeting whose words are unique to ``seed``, long enough to
    be scored (at least 12 turns)."""
    lines = []
    for i in range(max(n, 10)):
        speaker = ("Ana", "Ben", "Cleo")[i % 3]
        lines.append(
            f"{speaker}: Item {seed}-{i}. I think we should ship the report on time, "
            "the figures for the board are nearly done."
        )
    lines.append("Ben: No, I disagree, the numbers are not ready and I won't sign them off.")
    lines.append("Ana: That one's on me, I missed the deadline.")
    return "\n".join(lines) + "\n"


def make_archive(root: Path, copies: int = 3) -> Path:
    """Samples in nested folders, a zip, a duplicate export, a broken file."""
    archive = root / "archive"
    (archive / "2024" / "q1").mkdir(parents=True)
    (archive / "2024" / "q1" / "2024-03-07 steering.jsonl").write_bytes(
        (SAMPLES / "steering_committee.jsonl").read_bytes()
    )
    (archive / "2024" / "retro.srt").write_bytes((SAMPLES / "postmortem_blame.srt").read_bytes())
    for i in range(copies):
        (archive / f"team-{i}.txt").write_text(_turns(6, i), "utf-8")
    # The same meeting again under another name: a duplicate, not a new meeting.
    (archive / "2024" / "team-0 copy.txt").write_text(_turns(6, 0), "utf-8")
    with zipfile.ZipFile(archive / "old.zip", "w") as zf:
        zf.writestr("2023/vendor_20231115.txt", (SAMPLES / "vendor_review.txt").read_text())
        zf.writestr("2023/notes.pdf", b"%PDF-1.4 not a transcript")
        zf.writestr("__MACOSX/2023/._vendor_20231115.txt", b"\x00\x05\x16\x07")
    (archive / "broken.vtt").write_bytes(b"\x00\x01\x02 binary junk \xff\xfe")
    (archive / ".hidden.txt").write_text("Ana: hidden\n")
    (archive / "readme.md").write_text("not a transcript\n")
    return archive


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


# -- discovery and dates ----------------------------------------------------------


def test_batch_discover_walks_folders_and_zips_and_filters(tmp_path):
    archive = make_archive(tmp_path)
    names = [s.name.removeprefix(str(archive) + "/") for s in discover([archive])]
    # A folder's own files first, then its subfolders, each in name order.
    assert names == [
        "broken.vtt",
        "old.zip!2023/vendor_20231115.txt",
        "team-0.txt",
        "team-1.txt",
        "team-2.txt",
        "2024/retro.srt",
        "2024/team-0 copy.txt",
        "2024/q1/2024-03-07 steering.jsonl",
    ]
    only = [s.file_name for s in discover([archive], include=["*.txt"], exclude=["*copy*"])]
    assert only == ["vendor_20231115.txt", "team-0.txt", "team-1.txt", "team-2.txt"]
    member = next(s for s in discover([archive]) if s.member)
    assert b"Vendor" in member.read() or len(member.read()) > 100
    assert member.relative == "old.zip/2023/vendor_20231115.txt"


def test_batch_dates_prefer_metadata_then_name_then_mtime():
    mtime = datetime(2020, 1, 2, 3, 4, tzinfo=UTC)
    meta = '{"speaker": "A", "text": "hi", "date": "2024-05-06T09:30:00+02:00"}\n'
    assert meeting_date("x.jsonl", meta, mtime) == (
        datetime(2024, 5, 6, 7, 30, tzinfo=UTC),
        "metadata",
    )
    assert from_metadata("WEBVTT\nNOTE date: 2023-11-01\n\n00:00.000 --> 00:01.000\nA: hi\n")
    assert from_metadata("Date: 2022-12-24\nAna: hello\n") == datetime(2022, 12, 24, tzinfo=UTC)
    assert meeting_date("standup_20240229_0915.vtt", "WEBVTT\n", mtime) == (
        datetime(2024, 2, 29, 9, 15, tzinfo=UTC),
        "filename",
    )
    assert from_name("review 2023-02-30.txt") is None  # no such day
    assert from_name("call-12345678.txt") is None
    assert meeting_date("notes.txt", "Ana: hi\n", mtime) == (mtime, "modified")


def test_batch_fingerprint_ignores_format_punctuation_and_turn_splits():
    assert fingerprint(["Hello, World.", "It's me!"]) == fingerprint(["hello world it's", "me"])
    assert fingerprint(["hello world"]) != fingerprint(["hello", "word"])


# -- the command ------------------------------------------------------------------


def test_batch_stores_every_meeting_once_and_resumes(tmp_path, db_url):
    archive = make_archive(tmp_path)
    out = tmp_path / "out"
    code, stdout, stderr = run_cli("batch", str(archive), "--db", db_url, "--out", str(out), *RULES)
    assert code == 1, stderr  # broken.vtt failed
    assert "8 files: 6 analyzed, 0 already done, 1 duplicates, 1 failed" in stdout
    assert "broken.vtt" in stdout and "binary" in stdout
    assert "Traceback" not in stdout + stderr

    code, stdout, _ = run_cli("history", "--db", db_url, "--format", "json")
    assert code == 0
    history = json.loads(stdout)
    assert len(history) == 6
    assert len({row["content_hash"] for row in history}) == 6
    steering = next(row for row in history if "steering" in row["source"])
    assert steering["date"].startswith("2024-03-07") and steering["date_source"] == "filename"
    vendor = next(row for row in history if "vendor" in row["source"])
    assert vendor["source"].endswith("old.zip!2023/vendor_20231115.txt")
    assert vendor["date"].startswith("2023-11-15")

    cards = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json"))
    assert cards == [
        "archive/2024/q1/2024-03-07 steering.jsonl.json",
        "archive/2024/retro.srt.json",
        "archive/team-0.txt.json",
        "archive/team-1.txt.json",
        "archive/team-2.txt.json",
        "old.zip/2023/vendor_20231115.txt.json",
    ]
    rows = list(csv.DictReader((out / "summary.csv").open()))
    assert [r["status"] for r in rows].count("analyzed") == 6
    duplicate = next(r for r in rows if r["status"] == "duplicate")
    assert duplicate["source"].endswith("team-0 copy.txt")
    assert duplicate["duplicate_of"].endswith("team-0.txt")

    code, stdout, _ = run_cli("batch", str(archive), "--db", db_url, "--out", str(out), *RULES)
    assert code == 1
    assert "8 files: 0 analyzed, 6 already done, 1 duplicates, 1 failed" in stdout
    code, stdout, _ = run_cli("history", "--db", db_url, "--format", "json")
    assert len(json.loads(stdout)) == 6
    rows = list(csv.DictReader((out / "summary.csv").open()))
    assert all(r["overall"] for r in rows if r["status"] == "skipped")
    # Flag counts are filled in, and they are the stored ones.
    stored = {m["source"]: m for m in json.loads(stdout)}
    for r in rows:
        if r["status"] == "skipped":
            for a in ("resignation", "blame", "silencing"):
                assert r[f"{a}_flags"] == str(stored[r["source"]][a]), (r, a)


def test_batch_again_with_a_coach_adds_analyses_not_meetings(tmp_path, db_url):
    archive = make_archive(tmp_path)
    run_cli("batch", str(archive), "--db", db_url, *RULES)
    before = json.loads(run_cli("trends", "--db", db_url, "--format", "json")[1])
    code, stdout, stderr = run_cli("batch", str(archive), "--db", db_url, "--coach", "Ana", *RULES)
    assert code == 1, stderr  # broken.vtt again
    assert "6 analyzed" in stdout  # a new analysis of each, with the coaching review
    after = json.loads(run_cli("trends", "--db", db_url, "--format", "json")[1])
    assert sum(p["meetings"] for p in after) == sum(p["meetings"] for p in before) == 6
    flags = ("resignation", "blame", "silencing")
    assert [[p[a] for a in flags] for p in after] == [[p[a] for a in flags] for p in before]
    history = json.loads(run_cli("history", "--db", db_url, "--format", "json")[1])
    assert len(history) == 6 and {row["analyses"] for row in history} == {2}
    every = json.loads(run_cli("history", "--db", db_url, "--all-analyses", "--format", "json")[1])
    assert len(every) == 12
    # The same title now names one meeting, not two.
    code, _, stderr = run_cli("report", "retro", "--db", db_url, "--format", "json")
    assert code == 0, stderr
    # Run again: nothing new.
    _, stdout, _ = run_cli("batch", str(archive), "--db", db_url, "--coach", "Ana", *RULES)
    assert "0 analyzed, 6 already done" in stdout


def test_batch_fail_fast_stops_at_the_first_failure(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_broken.txt").write_text("no speaker prefix anywhere in this file\n")
    for i in range(3):
        (folder / f"b{i}.txt").write_text(_turns(4, i))
    db = f"sqlite:///{tmp_path / 'x.db'}"
    code, stdout, _ = run_cli("batch", str(folder), "--db", db, "--fail-fast", *RULES)
    assert code == 1
    assert "0 analyzed" in stdout and "1 failed" in stdout and "run failed" in stdout
    code, stdout, _ = run_cli("batch", str(folder), "--db", db, *RULES)
    assert code == 1 and "3 analyzed" in stdout


def test_batch_bad_paths_and_options_are_one_line_errors(tmp_path):
    code, _, stderr = run_cli("batch", str(tmp_path / "nope"), "--db", "sqlite:///x.db")
    assert code == 1 and "no such file or folder" in stderr and len(stderr.splitlines()) == 1
    code, _, stderr = run_cli("batch", str(tmp_path), "--engine", "spark")
    assert code == 2
    (tmp_path / "file").write_text("x")
    code, _, stderr = run_cli(
        "batch",
        str(tmp_path),
        "--db",
        f"sqlite:///{tmp_path / 'x.db'}",
        "--out",
        str(tmp_path / "file"),
        *RULES,
    )
    assert code == 1 and "not a folder" in stderr


def test_batch_plain_progress_when_not_a_terminal(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(_turns(4, 1))
    db = f"sqlite:///{tmp_path / 'x.db'}"
    code, _, stderr = run_cli("batch", str(folder), "--db", db, *RULES)
    assert code == 0
    assert "batch: 1 transcripts found" in stderr
    assert "1/1 files (1 analyzed" in stderr
    code, _, stderr = run_cli("batch", str(folder), "--db", db, "--quiet", *RULES)
    assert code == 0 and stderr == ""


def test_batch_jobs_2_matches_jobs_1(tmp_path, db_url):
    from transcript_lens.store import Store

    archive = make_archive(tmp_path, copies=2)
    one = f"sqlite:///{tmp_path / 'one.db'}"
    assert run_cli("batch", str(archive), "--db", one, *RULES)[0] == 1
    assert run_cli("batch", str(archive), "--db", db_url, "--jobs", "2", *RULES)[0] == 1
    with Store(one) as a, Store(db_url) as b:
        assert a.snapshot() == b.snapshot()


# -- analyze --save ---------------------------------------------------------------


def test_analyze_save_stores_once_like_batch(tmp_path, monkeypatch):
    db = tmp_path / "team.db"
    monkeypatch.setenv("TRANSCRIPT_LENS_DB", f"sqlite:///{db}")
    sample = str(SAMPLES / "vendor_review.txt")
    code, _, stderr = run_cli(
        "analyze", sample, "--save", "--tag", "vendors", "--format", "json", *RULES
    )
    assert code == 0 and "stored in sqlite:///" in stderr
    code, _, stderr = run_cli("analyze", sample, "--save", "--format", "json", *RULES)
    assert code == 0 and "already stored" in stderr
    code, stdout, _ = run_cli("history", "--format", "json", "--tag", "vendors")
    assert [row["source"] for row in json.loads(stdout)] == [sample]
    # The same file through batch is already done.
    code, stdout, _ = run_cli("batch", sample, *RULES)
    assert code == 0 and "0 analyzed, 1 already done" in stdout


def test_analyze_tag_without_a_database_is_a_usage_error():
    code, _, stderr = run_cli("analyze", str(SAMPLES / "vendor_review.txt"), "--tag", "x", *RULES)
    assert code == 2 and "--save" in stderr


# -- kill -9 and resume -----------------------------------------------------------


@pytest.mark.slow
def test_batch_survives_sigkill_and_resumes_without_duplicates(tmp_path, db_url):
    from transcript_lens.store import Store

    folder = tmp_path / "in"
    folder.mkdir()
    total = 40
    for i in range(total):
        (folder / f"m{i:03d}.txt").write_text(_turns(30, i))
    db = db_url
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "transcript_lens",
        "batch",
        str(folder),
        "--db",
        db,
        "--out",
        str(out),
        "--quiet",
        *RULES,
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
        try:
            with Store(db) as store:
                stored = len(store.done_keys())
        except Exception:  # noqa: BLE001 - the database may not exist yet
            continue
        if stored >= 5:
            break
    assert process.poll() is None, "the batch finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()

    with Store(db) as store:
        killed = store.history()
        assert 5 <= len(killed) < total
        # Every stored meeting is whole: all its utterances are there.
        counts = {}
        for row in store.export_utterances():
            counts[row["source"]] = counts.get(row["source"], 0) + 1
        assert all(counts[row["source"]] == row["turns"] for row in killed)
    # No half-written scorecard file: every JSON present parses.
    for path in out.rglob("*.json"):
        json.loads(path.read_text())

    finished = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert f"{total} files: {total - len(killed)} analyzed" in finished.stdout or (
        f"{total} files:" in finished.stdout
    )
    with Store(db) as store:
        history = store.history()
        assert len(history) == total
        assert len({row["source"] for row in history}) == total
    assert len(list(out.rglob("*.json"))) == total
    assert not list(out.rglob("*.tmp"))


# -- ray --------------------------------------------------------------------------


@pytest.mark.slow
def test_batch_ray_engine_gives_the_same_database_as_local(tmp_path, db_url):
    pytest.importorskip("ray")
    from transcript_lens.store import Store

    archive = make_archive(tmp_path, copies=2)
    local = f"sqlite:///{tmp_path / 'local.db'}"
    code, stdout, _ = run_cli("batch", str(archive), "--db", local, "--quiet", *RULES)
    assert code == 1 and "5 analyzed" in stdout
    code, stdout, stderr = run_cli(
        "batch", str(archive), "--db", db_url, "--engine", "ray", "--jobs", "1", "--quiet", *RULES
    )
    assert code == 1 and "5 analyzed" in stdout, stdout + stderr
    with Store(local) as a, Store(db_url) as b:
        assert a.snapshot() == b.snapshot()


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_batch_broken_model_stops_before_any_file_with_one_line(tmp_path, monkeypatch, jobs):
    from transcript_lens.classifiers.learned import default_model_dir

    broken = tmp_path / "model"
    broken.mkdir()
    for name in ("config.json", "weights.safetensors"):  # no model.onnx
        (broken / name).write_bytes((default_model_dir() / name).read_bytes())
    monkeypatch.setenv("TRANSCRIPT_LENS_MODEL", str(broken))
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(_turns(4, 1))
    code, stdout, stderr = run_cli("batch", str(folder), "--jobs", jobs, "--quiet")
    assert code == 1
    assert stderr.strip().splitlines() == [
        f"Error: no model.onnx in {broken}; run `transcript-lens train`, or pass --classifier rules"
    ]
    assert "analyzed" not in stdout
