"""``batch`` against hostile names: nothing is ever read or written outside where it should be."""

from __future__ import annotations

import fcntl
import os
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from transcript_lens.archive.runner import MAX_DEPTH, MAX_NAME_BYTES, _out_name
from transcript_lens.archive.sources import Source, discover, unsafe_member
from transcript_lens.cli import cli
from transcript_lens.errors import InputError

RULES = ["--classifier", "rules"]


@pytest.fixture(autouse=True)
def _private_default_database(tmp_path, monkeypatch):
    """Never touch the user's own default database."""
    monkeypatch.setenv("TRANSCRIPT_LENS_DB", f"sqlite:///{tmp_path / 'default.db'}")


def _meeting(seed: int) -> str:
    """A meeting whose words are unique to ``seed``, long enough to be scored."""
    lines = []
    for i in range(6):
        lines.append(f"Ana: Item {seed}-{i}. I think we should ship the report on time, Monday.")
        lines.append(f"Ben: No, I disagree, the numbers for {seed}-{i} are not ready this week.")
    lines.append("Ana: That one's on me, I missed the deadline.")
    return "\n".join(lines) + "\n"


def _tree(root: Path) -> set[str]:
    """Every path under ``root``, links included but not followed."""
    found = set()
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            found.add(os.path.relpath(os.path.join(folder, name), root))
    return found


def _batch(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["batch", *args, "--quiet", *RULES])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def work(tmp_path, monkeypatch) -> Path:
    """A working folder deep enough below tmp_path that climbing out of it stays in tmp_path,
    where the before/after snapshot sees it; also the current folder."""
    folder = tmp_path / "l1" / "l2" / "l3" / "l4" / "work"
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder)
    return folder


HOSTILE = {
    "../../escape-dotdot.txt": "climbs out of the archive with '..'",
    "ok/../../../escape-inner.txt": "climbs out of the archive with '..'",
    "/tmp/escape-absolute.txt": "is an absolute path",
    "..\\..\\escape-backslash.txt": "climbs out of the archive with '..'",
    "\\escape-backslash-root.txt": "is an absolute path",
    "C:/Windows/escape-drive.txt": "is an absolute path",
    "C:escape-drive-relative.txt": "is an absolute path",
    "ctrl\x1b[31m.txt": "has control characters",
    "../../../../etc/x": "climbs out of the archive with '..'",
    "..\\..\\.hidden.txt": "climbs out of the archive with '..'",
}


def test_batch_paths_hostile_zip_members_are_refused_and_nothing_escapes(tmp_path, work):
    archive = work / "hostile.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i, name in enumerate(HOSTILE):
            zf.writestr(zipfile.ZipInfo(name), _meeting(i))
        zf.writestr(zipfile.ZipInfo("ok/meeting.txt"), _meeting(100))
        # Written by a Windows tool: backslashes, but nothing hostile.
        zf.writestr(zipfile.ZipInfo("sub\\windows.txt"), _meeting(101))
    out = work / "out"
    db = work / "db" / "x.db"
    db.parent.mkdir()
    before = _tree(tmp_path)

    code, stdout, stderr = _batch(str(archive), "--db", f"sqlite:///{db}", "--out", str(out))

    assert code == 1, stderr
    assert "Traceback" not in stdout + stderr
    total = len(HOSTILE) + 2
    assert f"{total} files: 2 analyzed, 0 already done, 0 duplicates, {len(HOSTILE)} failed" in (
        stdout
    )
    failures = [line for line in stdout.splitlines() if line.startswith("failed: ")]
    assert len(failures) == len(HOSTILE)
    for (name, reason), line in zip(sorted(HOSTILE.items()), failures, strict=True):
        shown = name.replace("\x1b", "\\x1b")
        assert line == f"failed: {archive}!{shown}: refused: its name {reason}"

    new = _tree(tmp_path) - before
    outside = {p for p in new if not p.startswith(("l1/l2/l3/l4/work/out", "l1/l2/l3/l4/work/db"))}
    assert outside == set()
    cards = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json"))
    assert cards == ["hostile.zip/ok/meeting.txt.json", "hostile.zip/sub/windows.txt.json"]
    assert not Path("/tmp/escape-absolute.txt.json").exists()


def test_batch_paths_discover_raises_for_a_hostile_member_without_on_error(tmp_path):
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(zipfile.ZipInfo("../x.txt"), _meeting(1))
    with pytest.raises(InputError, match=r"a\.zip!\.\./x\.txt: refused"):
        list(discover([archive]))
    assert unsafe_member("folder/meeting..final.txt") == ""
    assert unsafe_member("a/./b.txt") == ""


@pytest.mark.parametrize(
    "relative",
    [
        "../../../etc/passwd",
        "/etc/passwd",
        "..\\..\\windows\\system32\\x.txt",
        "C:\\Users\\x.txt",
        "a/\x00/b.txt",
        "line\nbreak.txt",
        "bell\x07.txt",
        "rtl\u202etxt.exe",
        "CON",
        "con.txt",
        "LPT1.vtt",
        "aux/prn/nul.txt",
        'a<b>c:d"e|f?g*.txt',
        "trailing dot.",
        "trailing space ",
        ".hidden/.x.json.abc.tmp",
        "x" * 400 + ".txt",
        "é" * 200 + ".txt",
        "/".join(["deep"] * 60) + "/x.txt",
        "bad\udcffbyte.txt",
        "",
        "..",
        "./.",
    ],
)
def test_batch_paths_output_name_stays_inside_out_and_is_portable(tmp_path, relative):
    out = tmp_path / "out"
    target = _out_name(out, Source(str(tmp_path / "archive.zip"), "m", relative))
    assert target.resolve().is_relative_to(out.resolve())
    parts = target.relative_to(out).parts
    assert len(parts) <= MAX_DEPTH + 1
    assert target.name.endswith(".json")
    for part in parts:
        assert part not in ("", ".", "..")
        assert len(part.encode()) <= MAX_NAME_BYTES
        assert not part.startswith(".")
        assert all(c.isprintable() for c in part)
        assert not any(c in part for c in '<>:"/\\|?*')
        assert part.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "LPT1"}
    # Long and deep paths can be created for real.
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("{}")


def test_batch_paths_output_names_stay_distinct():
    names = [
        "a?.txt",
        "a_.txt",
        "a*.txt",
        "x" * 400 + "1.txt",
        "x" * 400 + "2.txt",
        "con.txt",
        "_con.txt",
        "line\nbreak.txt",
        "line_break.txt",
        "meeting.txt",
        "meeting.txt.",
    ]
    out = Path("/out")
    targets = {_out_name(out, Source("/in", None, name)) for name in names}
    assert len(targets) == len(names)
    # Ordinary names come through unchanged.
    assert _out_name(out, Source("/in", None, "2024/q1/steering 2024-03-07.vtt")) == Path(
        "/out/2024/q1/steering 2024-03-07.vtt.json"
    )


def test_batch_paths_odd_file_names_in_a_folder_are_analyzed_under_safe_names(tmp_path, work):
    folder = work / "in"
    folder.mkdir()
    odd = ["line\nbreak.txt", "CON.txt", "a?b*c.txt", "x" * 240 + ".txt", " spaced .txt"]
    for i, name in enumerate(odd):
        (folder / name).write_text(_meeting(i))
    out = work / "out"
    before = _tree(tmp_path)
    code, stdout, stderr = _batch(
        str(folder), "--db", f"sqlite:///{work / 'x.db'}", "--out", str(out)
    )
    assert code == 0, stdout + stderr
    assert f"{len(odd)} files: {len(odd)} analyzed" in stdout
    new = _tree(tmp_path) - before
    assert {p for p in new if not p.startswith("l1/l2/l3/l4/work/")} == set()
    assert len(list(out.rglob("*.json"))) == len(odd)
    for path in out.rglob("*.json"):
        assert len(path.name.encode()) <= MAX_NAME_BYTES
        assert "\n" not in path.name


def test_batch_paths_links_inside_out_are_never_written_through(tmp_path, work):
    folder = work / "in"
    (folder / "team").mkdir(parents=True)
    (folder / "team" / "a.txt").write_text(_meeting(1))
    (folder / "b.txt").write_text(_meeting(2))
    (folder / "c.txt").write_text(_meeting(3))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    precious = elsewhere / "precious.txt"
    precious.write_text("keep me\n")
    out = work / "out"
    (out / "in").mkdir(parents=True)
    (out / "in" / "team").symlink_to(elsewhere, target_is_directory=True)
    (out / "in" / "b.txt.json").symlink_to(precious)
    before = _tree(elsewhere)

    code, stdout, stderr = _batch(
        str(folder), "--db", f"sqlite:///{work / 'x.db'}", "--out", str(out)
    )

    assert code == 1, stderr
    assert "3 files: 1 analyzed, 0 already done, 0 duplicates, 2 failed" in stdout
    assert f"{out / 'in' / 'team'} is a symbolic link" in stdout
    assert f"{out / 'in' / 'b.txt.json'} is a symbolic link" in stdout
    assert "--out never writes through links" in stdout
    assert _tree(elsewhere) == before
    assert precious.read_text() == "keep me\n"
    assert (out / "in" / "c.txt.json").is_file()
    # Not stored either: once the links are gone, the next run writes them.
    (out / "in" / "team").unlink()
    (out / "in" / "b.txt.json").unlink()
    code, stdout, _ = _batch(str(folder), "--db", f"sqlite:///{work / 'x.db'}", "--out", str(out))
    assert code == 0 and "2 analyzed, 1 already done" in stdout
    assert (out / "in" / "team" / "a.txt.json").is_file()


def test_batch_paths_links_in_a_scanned_folder(tmp_path, work):
    """File links are followed (an archive may link a shared file); folder links are not
    walked, so a loop or a link to the whole disk is never scanned; a broken link fails."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "linked.txt").write_text(_meeting(1))
    (elsewhere / "private.txt").write_text(_meeting(2))
    folder = work / "in"
    folder.mkdir()
    (folder / "own.txt").write_text(_meeting(3))
    (folder / "shared.txt").symlink_to(elsewhere / "linked.txt")
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    (folder / "outside").symlink_to(elsewhere, target_is_directory=True)
    (folder / "root").symlink_to("/", target_is_directory=True)
    (folder / "broken.txt").symlink_to(tmp_path / "missing.txt")
    out = work / "out"

    code, stdout, _ = _batch(str(folder), "--db", f"sqlite:///{work / 'x.db'}", "--out", str(out))

    assert code == 1
    assert "3 files: 2 analyzed, 0 already done, 0 duplicates, 1 failed" in stdout
    assert f"failed: {folder / 'broken.txt'}: cannot read: No such file or directory" in stdout
    cards = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json"))
    assert cards == ["in/own.txt.json", "in/shared.txt.json"]


def test_batch_paths_cleanup_leaves_a_temp_file_another_run_is_writing(tmp_path):
    from transcript_lens.archive.runner import _remove_stale_temp_files

    out = tmp_path / "out"
    out.mkdir()
    stale = out / ".a.txt.json.x1.tmp"
    busy = out / ".b.txt.json.x2.tmp"
    stale.write_text("{")
    busy.write_text("{")
    (tmp_path / "target.json.tmp").write_text("outside")
    (out / ".c.txt.json.x3.tmp").symlink_to(tmp_path / "target.json.tmp")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".d.txt.json.x4.tmp").write_text("not ours")
    (out / "link").symlink_to(elsewhere, target_is_directory=True)
    with busy.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        _remove_stale_temp_files(out)
    assert not stale.exists()
    assert busy.exists()
    assert (tmp_path / "target.json.tmp").read_text() == "outside"
    assert (elsewhere / ".d.txt.json.x4.tmp").read_text() == "not ours"


def test_batch_paths_a_file_name_that_is_not_utf8_is_refused_not_a_crash(tmp_path, work):
    folder = work / "in"
    folder.mkdir()
    (folder / os.fsdecode(b"bad\xffname.txt")).write_text(_meeting(1))
    (folder / "good.txt").write_text(_meeting(2))
    code, stdout, stderr = _batch(str(folder), "--db", f"sqlite:///{work / 'x.db'}")
    assert code == 1, stderr
    assert "Traceback" not in stdout + stderr
    assert "2 files: 1 analyzed, 0 already done, 0 duplicates, 1 failed" in stdout
    assert f"failed: {folder}/bad\\xffname.txt: refused: its name is not valid UTF-8" in stdout
