from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.conftest import REPO
from transcript_lens import __version__
from transcript_lens.cli import cli
from transcript_lens.labels import LABELS
from transcript_lens.scorecard import SCHEMA_VERSION, Scorecard

# A short meeting of two people, long enough to be scored.
MEETING = str(REPO / "tests" / "data" / "partners.vtt")
pytestmark = pytest.mark.slow


def run(*args: str, input: str | bytes | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_cli_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"transcript-lens, version {__version__}\n"


def test_cli_analyze_prints_table_to_stdout():
    result = run("analyze", MEETING)
    assert result.exit_code == 0, result.output
    assert "Partnership index" in result.stdout
    for title in (
        "Exchange of purpose",
        "Right to say no",
        "Joint accountability",
        "Absolute honesty",
    ):
        assert title in result.stdout
    assert "Ana Lopez" in result.stdout
    assert result.stderr == ""


def test_cli_analyze_json_validates_and_is_byte_identical():
    first, second = (
        run("analyze", MEETING, "--format", "json"),
        run("analyze", MEETING, "--format", "json"),
    )
    assert first.exit_code == 0
    assert first.stdout_bytes == second.stdout_bytes
    card = Scorecard.model_validate_json(first.stdout)
    assert card.schema_version == SCHEMA_VERSION == "1.4"
    assert card.meeting.format == "vtt"
    assert [s.name for s in card.speakers][:2] == ["Ana Lopez", "Ben Kim"]
    assert len(card.utterances) == card.meeting.turns


def test_cli_analyze_markdown():
    result = run("analyze", MEETING, "--format", "markdown")
    assert result.exit_code == 0
    assert result.stdout.startswith("# Partnership scorecard: partners\n")
    assert "## Flags" in result.stdout and "## How the index was computed" in result.stdout


def test_cli_analyze_writes_output_file_and_reports_on_stderr(tmp_path):
    out = tmp_path / "card.json"
    result = run("analyze", MEETING, "--format", "json", "-o", str(out))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == f"wrote {out}\n"
    Scorecard.model_validate_json(out.read_text())
    assert [p.name for p in tmp_path.iterdir()] == ["card.json"]


def test_cli_analyze_refuses_to_overwrite_its_input(tmp_path):
    source = tmp_path / "meeting.txt"
    source.write_text("Ana: We should ship.\nBen: No, I don't think we should.\n")
    result = run("analyze", str(source), "-o", str(source))
    one_line_error(result, "refusing to overwrite the input transcript")
    assert source.read_text() == "Ana: We should ship.\nBen: No, I don't think we should.\n"


def test_cli_analyze_reads_stdin_with_input_format():
    text = "Ana: What are we actually trying to achieve here?\nBen: Fine. Whatever you think.\n"
    result = run("analyze", "-", "--format", "json", "--input-format", "txt", input=text)
    assert result.exit_code == 0, result.output
    card = Scorecard.model_validate_json(result.stdout)
    assert card.meeting.source == "-"
    assert [s.name for s in card.speakers] == ["Ana", "Ben"]


def test_cli_analyze_input_format_override(tmp_path):
    path = tmp_path / "notes.log"
    path.write_text("[00:00:05] Ana: Let's begin.\n[00:00:09] Ben: Sure.\n")
    result = run("analyze", str(path), "--format", "json", "--input-format", "txt")
    assert result.exit_code == 0, result.output
    card = Scorecard.model_validate_json(result.stdout)
    assert card.utterances[1].start == 9.0


@pytest.mark.parametrize(
    "name, content, fragment",
    [
        ("empty.vtt", b"", "is empty"),
        ("blob.txt", bytes(range(256)) * 4, "binary"),
        ("nocues.vtt", b"WEBVTT\n\nNOTE nothing here\n", "no cues"),
        (
            "prose.txt",
            b"this is a line of prose with no speaker at all\nand another one\n",
            "no line has a 'Speaker: text' prefix",
        ),
        ("bad.jsonl", b'{"speaker": "A", "text": "hi"}\n{oops\n', ":2:"),
    ],
)
def test_cli_analyze_bad_input_is_one_line_error(tmp_path, name, content, fragment):
    path = tmp_path / name
    path.write_bytes(content)
    one_line_error(run("analyze", str(path)), str(path), fragment)


def test_cli_analyze_missing_file_and_directory(tmp_path):
    one_line_error(run("analyze", str(tmp_path / "nope.vtt")), "nope.vtt", "no such file")
    one_line_error(run("analyze", str(tmp_path)), str(tmp_path), "directory")


def test_cli_analyze_bad_config_is_one_line_error(tmp_path):
    config = tmp_path / "weights.toml"
    config.write_text("[overall]\nbalance = 0.9\n")
    one_line_error(run("analyze", MEETING, "--config", str(config)), "must sum to 1")


def test_cli_analyze_config_changes_the_scoring_digest(tmp_path):
    config = tmp_path / "weights.toml"
    config.write_text("[meeting]\nmin_turns = 5\n")
    default = Scorecard.model_validate_json(run("analyze", MEETING, "--format", "json").stdout)
    custom = Scorecard.model_validate_json(
        run("analyze", MEETING, "--format", "json", "--config", str(config)).stdout
    )
    assert default.producer.scoring != custom.producer.scoring


def test_cli_bad_option_exits_2():
    result = run("analyze", MEETING, "--format", "pdf")
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.stderr


def test_cli_classify_keeps_order_and_contract():
    rows = [
        {"text": "Fine. Whatever you think.", "context": "We're going with the vendor's plan."},
        {"text": "No problem, happy to help.", "context": None},
        {"text": "That one's on me, I didn't escalate early enough.", "context": None},
    ]
    result = run("classify", "-", input="".join(json.dumps(r) + "\n" for r in rows))
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 3
    for item in out:
        assert set(item) == {"labels", "scores"}
        assert list(item["scores"]) == list(LABELS)
        assert all(0.0 <= v <= 1.0 for v in item["scores"].values())
    assert "resignation" in out[0]["labels"]
    assert out[1]["labels"] == []
    assert "ownership" in out[2]["labels"]


def test_cli_classify_reads_file_and_writes_output(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"text": "This isn\'t up for discussion.", "context": "I disagree with the plan."}\n\n'
    )
    out = tmp_path / "out.jsonl"
    result = run("classify", str(source), "-o", str(out))
    assert result.exit_code == 0, result.output
    (line,) = out.read_text().splitlines()
    assert json.loads(line)["labels"] == ["silencing"]


@pytest.mark.parametrize(
    "content, fragment",
    [
        ('{"text": "ok"}\nnot json\n', "<stdin>:2: not valid JSON"),
        ('{"context": "x"}\n', '<stdin>:1: needs a "text" string'),
        ('{"text": "ok", "context": 5}\n', '"context" must be a string or null'),
    ],
)
def test_cli_classify_bad_line_is_one_line_error(content, fragment):
    one_line_error(run("classify", "-", input=content), fragment)


def test_cli_classify_missing_file():
    one_line_error(run("classify", "/no/such/file.jsonl"), "/no/such/file.jsonl", "check the path")


def test_cli_schema_is_the_scorecard_json_schema():
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "Scorecard"
    assert {
        "schema_version",
        "meeting",
        "requirements",
        "flags",
        "speakers",
        "overall",
        "utterances",
    } <= set(schema["properties"])


@pytest.mark.parametrize("command", ["analyze", "classify", "schema"])
def test_cli_every_command_has_help(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Usage: " in result.stdout
    if command != "schema":
        assert "Example" in result.stdout
