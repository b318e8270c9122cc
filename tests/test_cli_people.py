"""--speakers, --coach and --redact through the CLI, for analyze and batch."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from tests.conftest import SAMPLES
from transcript_lens.cli import cli
from transcript_lens.store import Store

pytestmark = pytest.mark.slow
COACHING = str(SAMPLES / "coaching_session.txt")
SPEAKER_MAP = str(SAMPLES / "coaching_session.speakers.toml")
NAMES = ("Helen", "Park", "Sam", "Osei", "Ravi", "Menon", "Claire")


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _card(*args: str) -> dict:
    result = run("analyze", COACHING, "--classifier", "rules", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_cli_people_coach_adds_the_coaching_review():
    card = _card("--coach", "helen park")
    assert card["coaching"]["coaches"] == ["Helen Park"]
    assert card["coaching"]["coachees"] == ["Sam Osei", "Ravi Menon"]
    roles = {s["name"]: s["role"] for s in card["speakers"]}
    assert roles == {"Helen Park": "coach", "Sam Osei": None, "Ravi Menon": None}
    assert card["coaching"]["coachee_ownership"]
    assert _card()["coaching"] is None


def test_cli_people_speaker_map_gives_roles():
    card = _card("--speakers", SPEAKER_MAP)
    assert card["coaching"]["coachees"] == ["Sam Osei"]
    assert {s["name"]: s["role"] for s in card["speakers"]}["Ravi Menon"] == "observer"


def test_cli_people_speaker_map_merges_speakers(tmp_path):
    people = tmp_path / "map.toml"
    people.write_text('[rename]\n"Ravi Menon" = "Sam Osei"\n', encoding="utf-8")
    plain, merged = _card(), _card("--speakers", str(people))
    turns = {s["name"]: s["turns"] for s in plain["speakers"]}
    assert [s["name"] for s in merged["speakers"]] == ["Helen Park", "Sam Osei"]
    assert merged["speakers"][1]["turns"] == turns["Sam Osei"] + turns["Ravi Menon"]


@pytest.mark.parametrize("fmt", ["json", "html", "markdown", "table"])
def test_cli_people_redact_leaves_no_name(fmt):
    result = run(
        "analyze",
        COACHING,
        "--classifier",
        "rules",
        "--coach",
        "Helen Park",
        "--redact",
        "--format",
        fmt,
    )
    assert result.exit_code == 0, result.output
    for name in NAMES:
        assert not re.search(rf"\b{name}\b", result.stdout), name
    assert "Speaker A" in result.stdout


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("--coach", "Nobody Here"), "coach 'Nobody Here' is not a speaker"),
        (("--speakers", "missing.toml"), "missing.toml"),
    ],
)
def test_cli_people_bad_options_are_one_line_errors(args, fragment):
    result = run("analyze", COACHING, "--classifier", "rules", *args)
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and fragment in lines[0], lines


def test_cli_people_bad_speaker_map_is_one_line_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[roels]\nx = 1\n", encoding="utf-8")
    result = run("analyze", COACHING, "--classifier", "rules", "--speakers", str(bad))
    assert result.exit_code == 1
    assert "unknown table [roels]" in result.stderr and "Traceback" not in result.stderr
    batch = run(
        "batch", str(SAMPLES), "--db", f"sqlite:///{tmp_path / 'x.db'}", "--speakers", str(bad)
    )
    assert batch.exit_code == 1 and "unknown table [roels]" in batch.stderr


def test_cli_people_batch_coach_applies_where_the_coach_speaks(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    result = run(
        "batch",
        str(SAMPLES),
        "--db",
        url,
        "--classifier",
        "rules",
        "--coach",
        "Helen Park",
        "--quiet",
        "--include",
        "*.txt",
        "--include",
        "*.vtt",
    )
    assert result.exit_code == 0, result.output
    with Store(url) as store:
        cards = {row["title"]: store.scorecard(row["id"]) for row in store.history()}
    assert cards["coaching_session"].coaching is not None
    assert cards["order_taker"].coaching is None


def test_cli_people_report_fills_dynamics_of_older_scorecards(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    assert run("analyze", COACHING, "--classifier", "rules", "--db", url).exit_code == 0
    with Store(url) as store:
        from sqlalchemy import update

        from transcript_lens.store.tables import scorecards

        row = store.history()[0]
        card = store.scorecard(row["id"])
        old = card.model_copy(update={"dynamics": None, "schema_version": "1.0"})
        with store._write() as conn:
            conn.execute(update(scorecards).values(json=old.model_dump_json()))
        again = store.scorecard(row["id"])
    assert again.schema_version == "1.0" and again.dynamics == card.dynamics


def test_cli_people_report_and_compare_redact_stored_and_saved_scorecards(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    assert run("analyze", COACHING, "--classifier", "rules", "--db", url).exit_code == 0
    shown = run("report", "1", "--db", url, "--redact", "--format", "json")
    assert shown.exit_code == 0, shown.output
    for name in NAMES:
        assert not re.search(rf"\b{name}\b", shown.stdout), name
    redacted = json.loads(shown.stdout)
    at_analysis = _card("--redact")
    assert [s["name"] for s in redacted["speakers"]] == ["Speaker A", "Speaker B", "Speaker C"]
    assert redacted["overall"] == at_analysis["overall"]
    assert [u["speaker"] for u in redacted["utterances"]] == [
        u["speaker"] for u in at_analysis["utterances"]
    ]
    card = tmp_path / "c.json"
    card.write_text(run("report", "1", "--db", url, "--format", "json").stdout, encoding="utf-8")
    both = run("compare", str(card), str(card), "--redact", "--format", "json")
    over_time = run("compare", "--speaker", "Helen Park", "--db", url, "--redact")
    for result in (both, over_time):
        assert result.exit_code == 0, result.output
        for name in NAMES:
            assert not re.search(rf"\b{name}\b", result.stdout), name


def test_cli_people_a_map_or_coach_makes_a_different_stored_result(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    plain = run("analyze", COACHING, "--classifier", "rules", "--db", url)
    coached = run(
        "analyze", COACHING, "--classifier", "rules", "--db", url, "--coach", "Helen Park"
    )
    again = run("analyze", COACHING, "--classifier", "rules", "--db", url, "--coach", "helen park")
    assert "stored in" in plain.stderr and "stored in" in coached.stderr
    assert "already stored" in again.stderr
    with Store(url) as store:
        rows = store.history(all_analyses=True)
        # One meeting, analyzed two ways.
        assert [row["analyses"] for row in store.history()] == [2]
    assert len(rows) == 2
    assert rows[0]["scoring"] != rows[1]["scoring"]
    assert {"+people-" in row["scoring"] for row in rows} == {True, False}
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "s.txt").write_bytes((SAMPLES / "coaching_session.txt").read_bytes())
    batch = run("batch", str(folder), "--db", url, "--classifier", "rules", "--quiet")
    assert "0 analyzed" in batch.output  # the same bytes were stored from another path
    batch = run(
        "batch",
        str(folder),
        "--db",
        url,
        "--classifier",
        "rules",
        "--quiet",
        "--speakers",
        SPEAKER_MAP,
    )
    assert "1 analyzed" in batch.output
