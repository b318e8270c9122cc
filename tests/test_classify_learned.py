"""The learned classifier, the ensemble and the training pipeline."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from tests.conftest import REPO
from transcript_lens.classifiers import get_classifier
from transcript_lens.classifiers.base import ClassifierInput, LabelEvidence, UtteranceLabels
from transcript_lens.classifiers.learned import (
    LearnedClassifier,
    calibrated,
    chunk_text,
    default_model_dir,
    export_onnx,
    trim_context,
)
from transcript_lens.classifiers.train import best_threshold, fit_platt
from transcript_lens.cli import cli
from transcript_lens.errors import ClassifierError
from transcript_lens.labels import LABELS

SHIPPED = default_model_dir()
needs_model = pytest.mark.skipif(
    not (SHIPPED / "weights.safetensors").exists(), reason="no trained model in models/"
)


def test_classify_learned_chunks_keep_sentences_whole():
    text = " ".join(f"Sentence number {i} has exactly seven words." for i in range(20))
    chunks = chunk_text(text, max_words=30)
    assert all(len(c.split()) <= 30 for c in chunks)
    assert " ".join(chunks) == text
    assert all(c.endswith("words.") for c in chunks)
    assert chunk_text("short one") == ["short one"]


def test_classify_learned_chunks_split_a_sentence_longer_than_a_chunk():
    text = " ".join(["word"] * 130)
    assert [len(c.split()) for c in chunk_text(text, max_words=60)] == [60, 60, 10]


def test_classify_learned_context_keeps_its_end():
    context = " ".join(str(i) for i in range(100))
    assert trim_context(context).split()[-1] == "99"
    assert len(trim_context(context).split()) == 48
    assert trim_context(None) == ""


def test_classify_learned_calibration_is_monotonic_and_bounded():
    config = {"calibration": {label: [2.0, -1.0] for label in LABELS}}
    low = calibrated([-3.0] * 7, config)
    high = calibrated([3.0] * 7, config)
    assert all(0.0 <= low[k] < high[k] <= 1.0 for k in LABELS)
    assert calibrated([1e9] * 7, config)["purpose"] == 1.0


def test_train_platt_fit_recovers_a_known_slope():
    xs = [x / 10 for x in range(-50, 51)]
    ys = [
        1.0 if 1 / (1 + math.exp(-(2 * x - 1))) > (i * 7919 % 100) / 100 else 0.0
        for i, x in enumerate(xs)
    ]
    a, b = fit_platt(xs, ys)
    assert 1.0 < a < 4.0 and -2.0 < b < 0.0


def test_train_best_threshold_prefers_precision_on_ties():
    assert best_threshold([0.9, 0.8, 0.3, 0.1], [1, 1, 0, 0]) == pytest.approx(0.8)


def test_classify_learned_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(ClassifierError, match="no trained model"):
        get_classifier("learned", model_dir=str(tmp_path))


def test_classify_learned_cli_missing_model_exits_1(tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSCRIPT_LENS_MODEL", str(tmp_path))
    result = CliRunner().invoke(
        cli, ["classify", "--classifier", "learned"], input='{"text": "hi"}\n'
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no trained model in ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_classify_ensemble_quotes_the_piece_that_carries_a_label():
    from transcript_lens.classifiers.ensemble import _merge
    from transcript_lens.classifiers.segment import Piece

    settings = {
        "turn_calibration": {label: [1.0, 0.0] for label in LABELS},
        "thresholds": {label: 0.5 for label in LABELS},
    }
    low = {label: -3.0 for label in LABELS}
    items = [ClassifierInput(text="A. B.", context=None)]
    pieces = [
        (Piece(0, 0, "We started the review last week.", None), low, None),
        (
            Piece(0, 1, "Honestly I think the plan is wrong.", "We started the review last week."),
            {**low, "dissent": 2.0, "candor": 1.0},
            UtteranceLabels(
                labels=["candor"],
                scores={**{label: 0.0 for label in LABELS}, "candor": 0.9},
                evidence=[LabelEvidence(label="candor", phrase="Honestly", rule="candor.frame")],
            ),
        ),
    ]
    [out] = _merge(items, pieces, settings)
    assert out.labels == ["dissent", "candor"]
    assert out.scores["dissent"] == pytest.approx(1 / (1 + math.exp(-2.0)), abs=1e-4)
    # The model's label is quoted by its piece; the rule's by its phrase.
    assert out.evidence[0].phrase == "Honestly I think the plan is wrong."
    assert out.evidence[1].phrase == "Honestly"


def test_classify_combiner_fits_a_separable_signal():
    from transcript_lens.classifiers.combine import fit_logistic

    rows = [[1.0, x / 10] for x in range(-20, 21)]
    targets = [1.0 if r[1] > 0.5 else 0.0 for r in rows]
    weights = fit_logistic(rows, targets, [1.0] * len(rows), l2=0.1)
    assert weights[1] > 0
    assert weights == fit_logistic(rows, targets, [1.0] * len(rows), l2=0.1)


@pytest.mark.slow
@needs_model
def test_classify_learned_keeps_the_classify_contract():
    model = get_classifier("learned")
    items = [
        ClassifierInput(
            text="I'd want to see the numbers before we go there.",
            context="Let's commit to the March launch.",
        ),
        ClassifierInput(text="Thanks, see you all next week.", context=None),
        ClassifierInput(text="", context=None),
    ]
    first, second = model.predict(items), model.predict(items)
    assert first == second
    assert len(first) == 3
    for result in first:
        assert list(result.scores) == list(LABELS)
        assert all(0.0 <= v <= 1.0 for v in result.scores.values())
    assert first[1].labels == [] and first[2].labels == []


@pytest.mark.slow
@needs_model
@pytest.mark.parametrize(
    ("text", "context", "label"),
    [
        ("I'd want to see the numbers before we go there.", "Let's commit to March.", "dissent"),
        pytest.param(
            "The missed hand-off happened on my watch.",
            "Why did the ward not get the list?",
            "ownership",
            marks=pytest.mark.xfail(
                strict=True,
                reason="versions 3 and 4 read a failure named on one's own watch as blame, and the "
                "combiner no longer lets the rules' 'on my watch' outvote it (model card, limits)",
            ),
        ),
        ("sure. you decide.", "We're going with my plan, I've heard enough.", "resignation"),
    ],
)
def test_classify_learned_reads_meaning_without_trigger_words(text, context, label):
    # One at a time: int8 activations are scaled per batch, so a score near its
    # threshold can move with the company it is batched in (model card, limits).
    [result] = get_classifier("ensemble").predict([ClassifierInput(text=text, context=context)])
    assert label in result.labels, (text, result.scores)


@pytest.mark.slow
@needs_model
def test_classify_shipped_model_is_small_and_has_a_card():
    size = sum(p.stat().st_size for p in SHIPPED.iterdir())
    assert size < 25 * 1024 * 1024
    card = (REPO / "models" / "README.md").read_text("utf-8")
    for heading in ("Data", "Training", "Limits", "Intended use"):
        assert heading in card
    config = json.loads((SHIPPED / "config.json").read_text())
    assert set(config["thresholds"]) == set(LABELS)
    combiner = config["combiner"]
    assert set(combiner["thresholds"]) == set(LABELS)
    assert combiner["fitted_on"]["real_turns"] > 2000


@pytest.mark.slow
def test_train_writes_a_model_that_loads(tmp_path):
    data = tmp_path / "data"
    (data / "corpus").mkdir(parents=True)
    rows = [
        {
            "text": "No, I don't think we should commit to March.",
            "context": "Let's go for March.",
            "labels": ["dissent"],
        },
        {"text": "That one's on me, I'll fix it today.", "context": None, "labels": ["ownership"]},
        {"text": "Thanks everyone.", "context": None, "labels": []},
        {
            "text": "Fine. Whatever you think.",
            "context": "We're doing it my way.",
            "labels": ["resignation"],
        },
    ]
    for group in ("a", "b"):
        lines = "".join(json.dumps(r) + "\n" for r in rows)
        (data / "corpus" / f"{group}.jsonl").write_text(lines)
    (data / "splits.json").write_text(
        json.dumps({"dev_groups": ["b"], "dialogue_act_dev_meetings": []})
    )
    out = tmp_path / "model"
    result = CliRunner().invoke(
        cli, ["train", "--data", str(data), "--out", str(out), "--epochs", "1"]
    )
    assert result.exit_code == 0, result.output
    config = json.loads((out / "config.json").read_text())
    assert config["training"]["train_rows"] == 4 and config["training"]["dev_rows"] == 4
    model = get_classifier("learned", model_dir=str(out))
    assert len(model.predict([ClassifierInput(text="hello")])) == 1
    again = CliRunner().invoke(cli, ["train", "--data", str(data), "--out", str(out)])
    assert again.exit_code == 1 and "folder is not empty" in again.stderr
    assert (out / "weights.safetensors").exists()
    assert (out / "model.onnx").exists()


@pytest.mark.slow
@needs_model
def test_classify_learned_onnx_graph_matches_the_torch_network():
    items = [
        ClassifierInput(text="I'd want to see the numbers before we go there.", context="Sign?"),
        ClassifierInput(text="um yeah so i i think that's on me actually", context=None),
        ClassifierInput(text=" ".join(["We reviewed the plan in detail."] * 30), context="Go on."),
    ]
    onnx = LearnedClassifier(runtime="onnx").logits(items)
    torch_fp32 = LearnedClassifier(runtime="torch", quantize=False).logits(items)
    for a, b in zip(onnx, torch_fp32, strict=True):
        # int8 weights move logits a little; they must not move them far.
        assert max(abs(x - y) for x, y in zip(a, b, strict=True)) < 1.0


@pytest.mark.slow
@needs_model
def test_classify_learned_export_reproduces_the_shipped_graph(tmp_path):
    for name in ("config.json", "weights.safetensors"):
        shutil.copy(SHIPPED / name, tmp_path / name)
    export_onnx(tmp_path)
    assert (tmp_path / "model.onnx").read_bytes() == (SHIPPED / "model.onnx").read_bytes()


def test_classify_learned_missing_graph_is_a_clear_error(tmp_path):
    for name in ("config.json", "weights.safetensors"):
        shutil.copy(SHIPPED / name, tmp_path / name)
    model = LearnedClassifier(tmp_path)
    with pytest.raises(ClassifierError, match="no model.onnx"):
        model.predict([ClassifierInput(text="hello")])
    with pytest.raises(ClassifierError, match="CPU only"):
        LearnedClassifier(tmp_path, device="cuda", runtime="onnx")


def test_train_needs_a_data_folder(tmp_path):
    result = CliRunner().invoke(
        cli, ["train", "--data", str(tmp_path), "--out", str(tmp_path / "m")]
    )
    assert result.exit_code == 1
    assert "no splits.json here" in result.stderr


def test_evaluate_cli_prints_figures_and_writes_json(tmp_path):
    rows = tmp_path / "rows.jsonl"
    rows.write_text(
        json.dumps(
            {
                "text": "This isn't up for discussion.",
                "context": "I object.",
                "labels": ["silencing"],
            }
        )
        + "\n"
        + json.dumps({"text": "Thanks all.", "context": None, "labels": []})
        + "\n"
    )
    out = tmp_path / "figures.json"
    result = CliRunner().invoke(
        cli, ["evaluate", str(rows), "--classifier", "rules", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "silencing" in result.stdout and "macro-F1" in result.stdout
    figures = json.loads(out.read_text())
    assert figures["labels"]["silencing"]["tp"] == 1
    assert figures["false_alarm_rate"] == 0.0


def test_evaluate_cli_bad_rows_are_one_line_errors(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "labels": ["wisdom"]}\n')
    result = CliRunner().invoke(cli, ["evaluate", str(bad), "--classifier", "rules"])
    assert result.exit_code == 1
    assert "unknown label 'wisdom'" in result.stderr
    missing = CliRunner().invoke(cli, ["evaluate", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 1 and "no such file" in missing.stderr


@pytest.mark.slow
def test_train_cross_fits_and_writes_a_combiner_the_default_classifier_loads(tmp_path):
    from transcript_lens.classifiers.realgold import text_hash

    data = tmp_path / "data"
    (data / "corpus").mkdir(parents=True)
    (data / "real").mkdir()
    written = [
        {
            "text": "No, I don't think we should commit to March.",
            "context": "March?",
            "labels": ["dissent"],
        },
        {"text": "That one's on me, I'll fix it today.", "context": None, "labels": ["ownership"]},
        {"text": "Thanks everyone.", "context": None, "labels": []},
    ]
    for group in ("a", "b"):
        (data / "corpus" / f"{group}.jsonl").write_text(
            "".join(json.dumps(r) + "\n" for r in written)
        )
    (data / "splits.json").write_text(
        json.dumps({"dev_groups": ["b"], "dialogue_act_dev_meetings": []})
    )
    meetings = tmp_path / "corpora" / "realmeetings"
    meetings.mkdir(parents=True)
    turns = [
        ("A", "So the plan is to ship the remote in March."),
        ("B", "I don't think March works, the casing isn't ready."),
        ("A", "Okay."),
        ("B", "I'll ask the supplier about the casing tomorrow."),
    ]
    gold = []
    for m in range(5):
        name = f"m{m}"
        (meetings / f"{name}.jsonl").write_text(
            "".join(
                json.dumps({"speaker": s, "text": t, "start": None, "end": None}) + "\n"
                for s, t in turns
            )
        )
        for line, (_, text) in enumerate(turns, 1):
            labels = {2: ["dissent"], 4: ["ownership"]}.get(line, [])
            gold.append(
                {
                    "file": f"{name}.jsonl",
                    "line": line,
                    "sha1": text_hash(text),
                    # m4 stands for a round labelled after the network was trained.
                    "kind": "rest" if m == 4 else "stretch",
                    "split": "tune",
                    "labels": labels,
                }
            )
    (data / "real" / "gold.jsonl").write_text("".join(json.dumps(g) + "\n" for g in gold))
    out = tmp_path / "model"
    result = CliRunner().invoke(
        cli,
        [
            "train",
            "--data",
            str(data),
            "--out",
            str(out),
            "--epochs",
            "1",
            "--corpora",
            str(tmp_path / "corpora"),
            "--held-out",
            str(tmp_path / "held_out.jsonl"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "fold 2/2" in result.stderr
    config = json.loads((out / "config.json").read_text())
    # The rest fits the combiner only: the network trains on the other 16 turns.
    assert config["combiner"]["fitted_on"]["real_turns"] == 20
    assert config["training"]["real_turns"] == 16
    # The fold networks' scores (and the final network's of the rest), kept,
    # refit the same combiner without training; turns missing from the file
    # are scored again by the final network.
    held_out = (tmp_path / "held_out.jsonl").read_text().splitlines()
    kinds = [json.loads(r)["kind"] for r in held_out]
    assert (kinds.count("stretch"), kinds.count("rest")) == (16, 4)
    (tmp_path / "held_out.jsonl").write_text(
        "".join(r + "\n" for r in held_out if json.loads(r)["kind"] != "rest")
    )
    refit = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "refit_combiner.py"),
            str(out),
            str(tmp_path / "held_out.jsonl"),
            "--data",
            str(data),
            "--corpora",
            str(tmp_path / "corpora"),
        ],
        capture_output=True,
        text=True,
    )
    assert refit.returncode == 0, refit.stderr
    assert json.loads((out / "config.json").read_text())["combiner"] == config["combiner"]
    model = get_classifier("ensemble", model_dir=str(out))
    [labels] = model.predict([ClassifierInput(text="hello there")])
    assert set(labels.scores) == set(LABELS)
