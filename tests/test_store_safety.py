"""The database under stress: two runs at once, a read-only database, a full disk.

Each case ends the same way: a clear one-line message when the run cannot go
on, no traceback, a database that passes its integrity check and holds every
meeting whole, and a next run that completes what is missing.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import make_url

from transcript_lens.cli import cli
from transcript_lens.store import Store

RULES = ["--classifier", "rules"]


@pytest.fixture(autouse=True)
def _private_default_database(tmp_path, monkeypatch):
    """Never touch the user's own default database."""
    monkeypatch.setenv("TRANSCRIPT_LENS_DB", f"sqlite:///{tmp_path / 'default.db'}")


def _meeting(seed: int, turns: int = 12) -> str:
    # Long enough to be scored (at least 12 turns and 150 words).
    lines = [
        f"{('Ana', 'Ben', 'Cleo')[i % 3]}: Item {seed}-{i}. I think we should ship the "
        "report on Monday morning."
        for i in range(turns)
    ]
    lines.append("Ben: No, I disagree, the numbers are not ready and I won't sign them off.")
    return "\n".join(lines) + "\n"


def _folder(root: Path, name: str, seeds: range, turns: int = 12) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    for seed in seeds:
        (folder / f"m{seed:03d}.txt").write_text(_meeting(seed, turns))
    return folder


def _command(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("transcript-lens")
    base = [str(script)] if script.exists() else [sys.executable, "-m", "transcript_lens"]
    return [*base, "batch", *args, "--quiet", *RULES]


def _counts(stdout: str) -> dict[str, int]:
    found = re.search(
        r"(\d+) files: (\d+) analyzed, (\d+) already done, (\d+) duplicates, (\d+) failed", stdout
    )
    assert found, stdout
    keys = ("found", "analyzed", "skipped", "duplicates", "failed")
    return dict(zip(keys, map(int, found.groups()), strict=True))


def _error_line(stderr: str) -> str:
    """The one line a failed run prints; anything more (a traceback) fails the test."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


def _sqlite_ok(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        keys = [row[0] for row in conn.execute("SELECT key FROM analyses")]
    assert len(keys) == len(set(keys))


def _whole(url: str) -> list[dict]:
    """The stored meetings; each must have all its utterances and scorecard."""
    with Store(url) as store:
        history = store.history()
        counts: dict[str, int] = {}
        for row in store.export_utterances():
            counts[row["source"]] = counts.get(row["source"], 0) + 1
        for row in history:
            assert counts.get(row["source"], 0) == row["turns"], row["source"]
            assert store.scorecard(row["analysis"]).meeting.turns == row["turns"]
    assert len({row["source"] for row in history}) == len(history)
    return history


def _cards(out: Path) -> dict[str, bytes]:
    """Every scorecard file under ``out``, each a whole JSON document; no temp files."""
    assert not [p for p in out.rglob("*.tmp")]
    cards = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.json")}
    for text in cards.values():
        json.loads(text)
    return cards


# -- two runs at once ---------------------------------------------------------------


# Waits until the given moment, then opens the store and records a run.
_OPEN_AT_ONCE = """
import sys, time
from transcript_lens.store import Store
while time.time() < float(sys.argv[2]):
    pass
with Store(sys.argv[1]) as store:
    store.begin_run(engine="local", jobs=1, inputs=["x"], classifier="c", scoring="s")
"""


def test_store_safety_two_processes_creating_one_sqlite_database_both_succeed(tmp_path):
    # Switching a new file to WAL used to fail at once ("database is locked")
    # for one of two processes opening it together, about every other time.
    import time

    for round_ in range(8):
        url = f"sqlite:///{tmp_path / f'new{round_}.db'}"
        start = str(time.time() + 0.7)
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", _OPEN_AT_ONCE, url, start],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for run in runs:
            _, stderr = run.communicate(timeout=120)
            assert run.returncode == 0, (round_, stderr[-400:])
        with Store(url) as store:
            assert store.meeting_count() == 0


def test_store_safety_two_batch_runs_at_once_store_each_meeting_once(tmp_path, db_url):
    shared = _folder(tmp_path / "in", "shared", range(0, 12))
    first = _folder(tmp_path / "in", "first", range(100, 106))
    second = _folder(tmp_path / "in", "second", range(200, 206))
    out = tmp_path / "out"
    # Both start with the same files, so they race for the same meetings.
    runs = [
        subprocess.Popen(
            _command(str(shared), str(folder), "--db", db_url, "--out", str(out)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for folder in (first, second)
    ]
    results = [(run.wait(timeout=300), *run.communicate()) for run in runs]

    total = 12 + 6 + 6
    for code, stdout, stderr in results:
        assert "Traceback" not in stdout + stderr
        if code != 0:  # allowed only as a clear "busy" line
            assert "busy" in _error_line(stderr) or "locked" in _error_line(stderr)
    assert all(code == 0 for code, _, _ in results), results
    counts = [_counts(stdout) for _, stdout, _ in results]
    assert sum(c["analyzed"] for c in counts) == total
    assert all(c["failed"] == 0 for c in counts)
    # What one run lost to the other shows as done or duplicate, never as a second row.
    assert all(c["found"] == 18 for c in counts)
    if db_url.startswith("sqlite"):
        _sqlite_ok(Path(db_url.removeprefix("sqlite:///")))
    assert len(_whole(db_url)) == total
    assert len(_cards(out)) == total

    again = subprocess.run(
        _command(str(tmp_path / "in"), "--db", db_url, "--out", str(out)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    assert _counts(again.stdout) == {
        "found": total,
        "analyzed": 0,
        "skipped": total,
        "duplicates": 0,
        "failed": 0,
    }


def test_store_safety_a_database_held_too_long_is_a_one_line_busy_error(tmp_path, monkeypatch):
    from transcript_lens.store import connection

    db = tmp_path / "x.db"
    Store(f"sqlite:///{db}").close()
    folder = _folder(tmp_path, "in", range(2))
    connect = connection._sqlite_connect

    def impatient(dbapi_connection, record):
        connect(dbapi_connection, record)
        # The real wait is 30 s; the message is the same after a shorter one.
        dbapi_connection.execute("PRAGMA busy_timeout = 200")

    monkeypatch.setattr(connection, "_sqlite_connect", impatient)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = CliRunner().invoke(
            cli, ["batch", str(folder), "--db", f"sqlite:///{db}", "--quiet", *RULES]
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1
    assert _error_line(result.stderr) == (
        f"Error: cannot record the run in sqlite:///{db}: database is locked; another "
        "transcript-lens (or other program) kept the database busy for over 30 s: run the "
        "command again when it has finished"
    )
    _sqlite_ok(db)
    assert _whole(f"sqlite:///{db}") == []


# -- a read-only database -----------------------------------------------------------

READ_ONLY = (
    "attempt to write a readonly database; the database is read-only: check the permissions "
    "of the file and its folder, or pass --db with a database you may write to"
)


@contextmanager
def _read_only(db: Path, how: str) -> Iterator[str]:
    """A URL for ``db`` that cannot be written, made read-only the way ``how`` says."""
    if how == "uri":
        yield f"sqlite:///file:{db}?mode=ro&uri=true"
        return
    if os.geteuid() == 0:
        pytest.skip("file modes do not stop root; the uri case covers a read-only database")
    db.chmod(0o444)
    try:
        yield f"sqlite:///{db}"
    finally:
        db.chmod(0o644)


@pytest.mark.parametrize("how", ["uri", "mode-0444"])
def test_store_safety_a_read_only_database_is_one_line_and_loses_nothing(tmp_path, how):
    db = tmp_path / "x.db"
    folder = _folder(tmp_path, "in", range(3))
    out = tmp_path / "out"
    code, stdout, stderr = _run("batch", str(folder), "--db", f"sqlite:///{db}", "--out", str(out))
    assert code == 0, stderr
    before = _cards(out)
    (folder / "m100.txt").write_text(_meeting(100))

    with _read_only(db, how) as url:
        code, stdout, stderr = _run("batch", str(folder), "--db", url, "--out", str(out))
    assert code == 1
    shown = make_url(url).render_as_string(hide_password=True)
    assert _error_line(stderr) == f"Error: cannot record the run in {shown}: {READ_ONLY}"
    assert _cards(out) == before
    _sqlite_ok(db)
    assert len(_whole(f"sqlite:///{db}")) == 3

    code, stdout, _ = _run("batch", str(folder), "--db", f"sqlite:///{db}", "--out", str(out))
    assert code == 0 and _counts(stdout)["analyzed"] == 1
    assert len(_cards(out)) == 4


def test_store_safety_a_database_turning_read_only_mid_run_keeps_what_was_done(
    tmp_path, monkeypatch
):
    from transcript_lens.store import core

    db = tmp_path / "x.db"
    url = f"sqlite:///{db}"
    folder = _folder(tmp_path, "in", range(6))
    out = tmp_path / "out"
    write = core.Store._write
    saves = 0

    @contextmanager
    def turning_read_only(self):
        nonlocal saves
        with write(self) as conn:
            if saves >= 4:  # the migration, begin_run, then two meetings
                conn.exec_driver_sql("PRAGMA query_only = ON")
            saves += 1
            yield conn

    monkeypatch.setattr(core.Store, "_write", turning_read_only)
    code, _, stderr = _run("batch", str(folder), "--db", url, "--out", str(out))
    monkeypatch.undo()

    assert code == 1
    assert _error_line(stderr) == (
        f"Error: cannot save {folder / 'm002.txt'} to {url}: {READ_ONLY}"
    )
    _sqlite_ok(db)
    stored = _whole(url)
    assert [Path(row["source"]).name for row in stored] == ["m000.txt", "m001.txt"]
    # The scorecard file comes first, so the one whose save failed is there, whole.
    cards = _cards(out)
    assert sorted(cards) == ["in/m000.txt.json", "in/m001.txt.json", "in/m002.txt.json"]

    monkeypatch.setenv("TRANSCRIPT_LENS_DB", url)
    code, stdout, _ = _run("batch", str(folder), "--out", str(out))
    assert code == 0
    assert _counts(stdout) == {
        "found": 6,
        "analyzed": 4,
        "skipped": 2,
        "duplicates": 0,
        "failed": 0,
    }
    again = _cards(out)
    assert len(again) == 6 and again["in/m002.txt.json"] == cards["in/m002.txt.json"]
    assert len(_whole(url)) == 6


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [*args, "--quiet", *RULES])
    return result.exit_code, result.stdout, result.stderr


# -- a full disk --------------------------------------------------------------------


@contextmanager
def _small_disk(folder: Path, size: str) -> Iterator[None]:
    """A tmpfs of ``size`` mounted on ``folder``: a disk that really fills up."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    folder.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _file_size_limit(limit: int):
    def apply() -> None:
        # Writes past the limit then fail with EFBIG, as on a full disk,
        # instead of the process being killed by SIGXFSZ.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


FULL_DB = (
    "the disk holding the database is full: free some space and run the command again "
    "(batch goes on where it stopped)"
)
FAILING_DB = "the disk may be full or failing: check its free space and run the command again"


@pytest.mark.parametrize("where", ["database-rlimit", "database-tmpfs", "out-tmpfs"])
def test_store_safety_a_full_disk_stops_with_one_line_and_resumes(tmp_path, where):
    folder = _folder(tmp_path, "in", range(30), turns=30)
    db = tmp_path / "db" / "x.db"
    out = tmp_path / "out"
    limit = None
    if where == "database-rlimit":
        db.parent.mkdir()
        limit = _file_size_limit(300_000)
    disk = db.parent if where == "database-tmpfs" else out
    with _small_disk(disk, "400k") if where.endswith("tmpfs") else _nothing():
        if where != "database-tmpfs":
            db.parent.mkdir(exist_ok=True)
        full = subprocess.run(
            _command(str(folder), "--db", f"sqlite:///{db}", "--out", str(out)),
            capture_output=True,
            text=True,
            timeout=300,
            preexec_fn=limit,
        )
        assert full.returncode == 1, full.stdout + full.stderr
        line = _error_line(full.stderr)
        if where == "out-tmpfs":
            assert re.fullmatch(
                rf"Error: cannot write {re.escape(str(out))}/in/m\d+\.txt\.json: No space left "
                r"on device; the disk is full; make room \(or choose another --out\) and run "
                r"batch again; the \d+ meetings stored before it stopped are kept and the next "
                r"run goes on from there",
                line,
            ), line
        else:
            assert re.fullmatch(
                rf"Error: cannot save {re.escape(str(folder))}/m\d+\.txt to "
                rf"sqlite:///{re.escape(str(db))}: (database or disk is full; {re.escape(FULL_DB)}"
                rf"|disk I/O error; {re.escape(FAILING_DB)})",
                line,
            ), line
        _sqlite_ok(db)
        stored = _whole(f"sqlite:///{db}")
        assert 0 < len(stored) < 30
        if where == "out-tmpfs":
            cards = {name for name in _cards(out)}
            assert {f"in/{Path(row['source']).name}.json" for row in stored} <= cards
            assert f"the {len(stored)} meetings stored before it stopped" in line
        if where == "database-tmpfs":
            # The tmpfs goes when unmounted; the backup API reads through the WAL.
            copy = tmp_path / "copy.db"
            with sqlite3.connect(db) as source, sqlite3.connect(copy) as target:
                source.backup(target)
            source.close()
            target.close()

    if where == "database-tmpfs":
        db = copy
    elif where == "out-tmpfs":
        shutil.rmtree(out, ignore_errors=True)
    done = subprocess.run(
        _command(str(folder), "--db", f"sqlite:///{db}", "--out", str(out)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    counts = _counts(done.stdout)
    assert counts["analyzed"] == 30 - len(stored) and counts["skipped"] == len(stored)
    _sqlite_ok(db)
    assert len(_whole(f"sqlite:///{db}")) == 30


@contextmanager
def _nothing() -> Iterator[None]:
    yield
