"""The README is a contract with new users: check what it promises."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from tests.conftest import REPO
from transcript_lens.cli import cli

README = (REPO / "README.md").read_text("utf-8")


def _blocks(text: str) -> list[str]:
    return re.findall(r"^```[^\n]*\n(.*?)^```", text, flags=re.S | re.M)


def test_docs_first_block_is_setup_then_tests():
    assert _blocks(README)[0].splitlines() == ["make demo", "make test"]


def test_docs_ci_runs_the_readme_test_command():
    test_command = _blocks(README)[0].splitlines()[1]
    ci = (REPO / ".ci" / "run").read_text("utf-8")
    assert test_command in ci.splitlines()


def test_docs_demo_target_analyzes_a_shipped_sample():
    makefile = (REPO / "Makefile").read_text("utf-8")
    demo = re.search(r"^demo:.*\n\t(.+)$", makefile, flags=re.M)
    assert demo is not None
    sample = demo.group(1).split()[-1]
    assert (REPO / sample).is_file()


def test_docs_have_no_unfilled_placeholders():
    assert not re.search(r"\b[A-Z]+_(OUTPUT|TABLE)\b", README)


def test_docs_every_command_shown_exists():
    shown = {
        command
        for block in _blocks(README)
        for command in re.findall(r"(?:^|\| |\$ )transcript-lens (\w+)", block, flags=re.M)
    }
    assert {"analyze", "classify"} <= shown
    commands = set(cli.commands)  # type: ignore[attr-defined]
    assert shown <= commands, shown - commands
    for command in commands:
        result = CliRunner().invoke(cli, [command, "--help"])
        assert result.exit_code == 0


@pytest.mark.slow
def test_docs_demo_output_is_what_analyze_prints():
    marker = "`make demo` prints this (from `transcript-lens analyze samples/order_taker.vtt`):"
    shown = _blocks(README[README.index(marker) :])[0]
    result = CliRunner().invoke(cli, ["analyze", str(REPO / "samples" / "order_taker.vtt")])
    assert result.exit_code == 0, result.output
    assert result.stdout == shown


PYTHON_API = REPO / "docs" / "python-api.md"


def test_docs_python_api_examples_run(monkeypatch):
    import doctest

    monkeypatch.chdir(REPO)
    monkeypatch.setenv("TRANSCRIPT_LENS_DB", "sqlite:////nonexistent/never-used.db")
    result = doctest.testfile(str(PYTHON_API), module_relative=False, report=True)
    assert result.attempted >= 20
    assert result.failed == 0


def test_docs_python_api_documents_every_public_name():
    import transcript_lens

    text = PYTHON_API.read_text("utf-8")
    table = text[text.index("## Every public name") :]
    missing = [name for name in transcript_lens.__all__ if f"| `{name}` |" not in table]
    assert missing == []
    # ... and documents nothing that is not public.
    listed = re.findall(r"^\| `([^`]+)` \|", table, flags=re.M)
    assert sorted(listed) == sorted(transcript_lens.__all__)
