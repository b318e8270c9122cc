"""Classifiers from installed packages, through the transcript_lens.classifiers entry points."""

from __future__ import annotations

import importlib
import json
import textwrap

import pytest
from click.testing import CliRunner

import transcript_lens as tl
from tests.conftest import SAMPLES
from transcript_lens import classifiers
from transcript_lens.cli import cli
from transcript_lens.errors import ClassifierError

PLUGIN = '''
from transcript_lens.classifiers import UtteranceLabels
from transcript_lens.labels import LABELS


class Shouty:
    """Dissent wherever someone uses an exclamation mark."""

    name = "shouty"
    version = "1"

    def __init__(self, device="cpu", **_):
        self.device = device

    def predict(self, items):
        out = []
        for item in items:
            hit = "!" in item.text
            scores = {label: 0.0 for label in LABELS}
            scores["dissent"] = 0.9 if hit else 0.0
            out.append(UtteranceLabels(labels=["dissent"] if hit else [], scores=scores))
        return out


def make(**options):
    return Shouty(**options)
'''


def _install(tmp_path, entries: dict[str, str]) -> None:
    """What pip leaves behind for a package that declares these entry points."""
    (tmp_path / "shouty_classifier.py").write_text(textwrap.dedent(PLUGIN), "utf-8")
    info = tmp_path / "shouty_classifier-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: shouty-classifier\nVersion: 0.1\n", "utf-8"
    )
    lines = [f"{name} = {target}" for name, target in entries.items()]
    (info / "entry_points.txt").write_text(
        "[transcript_lens.classifiers]\n" + "\n".join(lines) + "\n", "utf-8"
    )


@pytest.fixture
def installed(tmp_path, monkeypatch):
    def install(entries: dict[str, str]) -> None:
        _install(tmp_path, entries)
        monkeypatch.syspath_prepend(str(tmp_path))
        importlib.invalidate_caches()
        # A registry of its own, so that nothing leaks into other tests.
        monkeypatch.setattr(classifiers, "_REGISTRY", dict(classifiers._REGISTRY))
        classifiers.load_plugins(again=True)

    yield install
    monkeypatch.undo()
    classifiers.load_plugins(again=True)


def test_plugin_classifier_is_chosen_by_name_everywhere(installed):
    installed({"shouty": "shouty_classifier:make"})
    assert "shouty" in classifiers.available_classifiers()
    results = tl.classify(["We are not doing that!", "Fine."], classifier="shouty")
    assert [r.labels for r in results] == [["dissent"], []]
    card = tl.analyze(SAMPLES / "order_taker.vtt", classifier="shouty")
    assert card.producer.classifier == "shouty/1"
    result = CliRunner().invoke(
        cli,
        ["analyze", str(SAMPLES / "order_taker.vtt"), "--classifier", "shouty", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["producer"]["classifier"] == "shouty/1"


def test_plugin_cannot_take_a_built_in_name(installed):
    installed({"rules": "shouty_classifier:make"})
    assert classifiers.get_classifier("rules").name == "rules"


def test_broken_plugin_is_one_clear_error(installed):
    installed({"broken": "no_such_module:make"})
    with pytest.raises(ClassifierError, match="classifier 'broken' .* failed to load"):
        classifiers.get_classifier("broken")
    result = CliRunner().invoke(
        cli, ["analyze", str(SAMPLES / "order_taker.vtt"), "--classifier", "broken"]
    )
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "failed to load" in lines[0], result.stderr


def test_unknown_classifier_names_the_installed_ones():
    result = CliRunner().invoke(cli, ["analyze", "x.vtt", "--classifier", "nope"])
    assert result.exit_code == 2
    assert "'nope' is not one of " in result.stderr
    named = result.stderr.split("is not one of ", 1)[1].strip().split(", ")
    assert {"ensemble", "learned", "rules"} <= set(named)
