"""report (a stored meeting again) and compare (meetings side by side), through the CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.conftest import SAMPLES
from transcript_lens.cli import cli

pytestmark = pytest.mark.slow
ORDER = str(SAMPLES / "order_taker.vtt")
HEALTHY = str(SAMPLES / "healthy_partnership.vtt")
COACHING = str(SAMPLES / "coaching_session.txt")


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _one_line_error(result, fragment: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and fragment in lines[0], lines


@pytest.fixture
def stored(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    for path, team in ((ORDER, "sales"), (HEALTHY, "clinical")):
        result = run("analyze", path, "--classifier", "rules", "--db", url, "--team", team)
        assert result.exit_code == 0, result.output
    return url


def test_cli_report_writes_the_stored_meeting_as_html(stored, tmp_path):
    out = tmp_path / "m.html"
    result = run("report", "order_taker.vtt", "--db", stored, "-o", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text("utf-8")
    assert "Partnership report: order_taker" in html and 'data-chart="timeline"' in html
    by_id = run("report", "1", "--db", stored, "--format", "json")
    assert json.loads(by_id.stdout)["meeting"]["title"] == "order_taker"
    # A title as history shows it, in any case, names the meeting too.
    by_title = run("report", "Healthy_Partnership", "--db", stored, "--format", "json")
    assert json.loads(by_title.stdout)["meeting"]["title"] == "healthy_partnership"
    cut = run("report", "healthy_partn …", "--db", stored, "--format", "json")
    assert json.loads(cut.stdout)["meeting"]["title"] == "healthy_partnership"


def test_cli_compare_takes_stored_meetings_beside_files(stored):
    result = run("compare", "1", "healthy_partnership", "--db", stored, "--format", "json")
    assert result.exit_code == 0, result.output
    names = [m["name"] for m in json.loads(result.stdout)["meetings"]]
    assert names == ["order_taker", "healthy_partnership"]
    mixed = run("compare", "2", COACHING, "--db", stored, "--classifier", "rules")
    assert mixed.exit_code == 0, mixed.output
    _one_line_error(
        run("compare", "1", "no-such-meeting.vtt", "--db", stored),
        "no such file, and no stored meeting matches 'no-such-meeting.vtt'",
    )


def test_cli_compare_mistyped_file_creates_no_database(tmp_path, monkeypatch):
    monkeypatch.delenv("TRANSCRIPT_LENS_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path))
    _one_line_error(run("compare", str(tmp_path / "nope.vtt"), ORDER), "no such file")
    assert not list(tmp_path.rglob("*.db"))


def test_cli_report_unknown_and_ambiguous_meetings_are_one_line_errors(stored):
    _one_line_error(run("report", "nothing-like-this", "--db", stored), "no stored meeting")
    _one_line_error(run("report", ".vtt", "--db", stored), "2 stored meetings match")


def test_cli_compare_two_files_side_by_side(tmp_path):
    result = run("compare", ORDER, HEALTHY, "--classifier", "rules", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    names = [m["name"] for m in data["meetings"]]
    assert names == ["order_taker", "healthy_partnership"]
    order, healthy = data["meetings"]
    assert healthy["overall"] > order["overall"]
    assert order["flags"]["resignation"] >= 1
    table = run("compare", ORDER, HEALTHY, "--classifier", "rules")
    assert "Partnership index" in table.stdout and "order_taker" in table.stdout
    out = tmp_path / "c.html"
    html = run(
        "compare", ORDER, HEALTHY, "--classifier", "rules", "--format", "html", "-o", str(out)
    )
    assert html.exit_code == 0
    assert 'data-chart="compare"' in out.read_text("utf-8")


def test_cli_compare_reads_json_scorecards(tmp_path):
    card = tmp_path / "order.json"
    run("analyze", ORDER, "--classifier", "rules", "--format", "json", "-o", str(card))
    result = run("compare", str(card), str(card), "--format", "json")
    assert result.exit_code == 0, result.output
    names = [m["name"] for m in json.loads(result.stdout)["meetings"]]
    assert names == ["order_taker (1)", "order_taker (2)"]


def test_cli_compare_coaching_sessions_shows_coach_share():
    result = run(
        "compare",
        COACHING,
        ORDER,
        "--classifier",
        "rules",
        "--coach",
        "Helen Park",
        "--format",
        "json",
    )
    # Helen Park is not in order_taker: the coach must be a speaker of every file.
    _one_line_error(result, "Helen Park")
    ok = run("compare", COACHING, COACHING, "--classifier", "rules", "--coach", "helen park")
    assert ok.exit_code == 0, ok.output
    assert "Coach's talk share" in ok.stdout


def test_cli_compare_team_over_time_from_the_database(stored, tmp_path):
    out = tmp_path / "team.html"
    result = run("compare", "--team", "sales", "--db", stored, "--format", "html", "-o", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text("utf-8")
    assert "Over time: team sales" in html and 'data-chart="trend"' in html
    speaker = run("compare", "--speaker", "nadia okafor", "--db", stored, "--format", "json")
    titles = [m["name"] for m in json.loads(speaker.stdout)["meetings"]]
    assert titles == ["healthy_partnership (2)"]
    _one_line_error(run("compare", "--team", "nobody", "--db", stored), "no stored meetings")


def test_cli_compare_needs_two_meetings_or_a_filter():
    result = run("compare", ORDER)
    assert result.exit_code == 2


def test_cli_output_files_get_the_users_usual_permissions(tmp_path):
    import os
    import stat

    out = tmp_path / "report.html"
    old = os.umask(0o027)
    try:
        result = run("analyze", ORDER, "--classifier", "rules", "--format", "html", "-o", str(out))
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_cli_max_size_refuses_and_raises_the_limit(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("Ana: " + "word " * 300_000 + "\n", encoding="utf-8")  # about 1.5 MB
    small = run("analyze", str(big), "--classifier", "rules", "--max-size", "1")
    _one_line_error(small, "larger than 1 MB, the size limit; pass --max-size MB")
    stdin = CliRunner().invoke(
        cli, ["analyze", "-", "--classifier", "rules", "--max-size", "1"], input=big.read_bytes()
    )
    _one_line_error(stdin, "the size limit")
    url = f"sqlite:///{tmp_path / 'r.db'}"
    batch = run("batch", str(tmp_path), "--db", url, "--classifier", "rules", "--max-size", "1")
    assert batch.exit_code == 1 and "larger than 1 MB" in batch.output
