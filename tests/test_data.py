"""The project's labelled data: valid rows, a fixed split, no leaks into training."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import REPO
from transcript_lens.classifiers.train import (
    TrainConfig,
    corpus,
    dialogue_acts,
    load_splits,
    training_rows,
)
from transcript_lens.labels import LABELS

DATA = REPO / "data"
ROW_FILES = sorted((DATA / "corpus").glob("*.jsonl")) + [
    DATA / "dev.jsonl",
    DATA / "rules_tune.jsonl",
    DATA / "rules_tune2.jsonl",
]


@pytest.mark.parametrize("path", ROW_FILES, ids=lambda p: p.name)
def test_data_rows_follow_the_taxonomy_format(path: Path):
    seen = set()
    for line in path.read_text("utf-8").splitlines():
        row = json.loads(line)
        assert list(row) == ["text", "context", "labels"]
        assert isinstance(row["text"], str) and row["text"].strip()
        assert row["context"] is None or isinstance(row["context"], str)
        assert row["labels"] == [label for label in LABELS if label in row["labels"]]
        key = (row["text"], row["context"])
        assert key not in seen, key
        seen.add(key)


def test_data_dev_split_is_by_group_and_never_trained_on():
    splits = load_splits(DATA)
    groups = {p.stem for p in (DATA / "corpus").glob("*.jsonl")}
    assert set(splits["dev_groups"]) <= groups
    train, dev = corpus(DATA)
    assert len(dev) == sum(
        len((DATA / "corpus" / f"{g}.jsonl").read_text("utf-8").splitlines())
        for g in splits["dev_groups"]
    )
    everything, _ = training_rows(DATA, TrainConfig())
    dev_texts = {(r.text, r.context) for r in dev}
    independent = {
        (row["text"], row["context"])
        for row in map(json.loads, (DATA / "dev.jsonl").read_text("utf-8").splitlines())
    }
    trained = {(r.text, r.context) for r in everything}
    assert not {(r.source) for r in everything} & set(splits["dev_groups"])
    assert not {(r.source) for r in everything} & set(splits["dialogue_act_dev_meetings"])
    # Short generic turns ("No.", "Yeah.") may recur; whole rows of the dev sets may not.
    assert len(trained & dev_texts) <= 0.02 * len(dev_texts)
    assert len(trained & independent) <= 0.03 * len(independent)


def test_data_dialogue_act_meetings_are_split_and_exclude_the_evaluation_meetings():
    train, held = dialogue_acts(DATA)
    assert train and held
    assert not {r.source for r in train} & {r.source for r in held}
    for row in train + held:
        assert not any(
            m in row.source for m in ("TS3003c", "TS3003d", "Bmr021", "Bed016", "Buw001")
        )
        assert row.known == ("dissent", "ownership", "candor")


def test_data_corpus_meets_its_size_targets():
    train, dev = corpus(DATA)
    rows = train + dev
    assert len(rows) >= 4000
    for label in LABELS:
        assert sum(label in r.labels for r in rows) >= 300, label
    assert sum(not r.labels for r in rows) >= 0.4 * len(rows)
