"""The index meetings' turn gold and the dialogue stage fitted on it."""

from __future__ import annotations

import hashlib
import json
import random

from tests.conftest import REPO, make_predictions, make_transcript
from transcript_lens.classifiers.dialogue import check_dialogue
from transcript_lens.classifiers.realgold import cohen_kappa
from transcript_lens.classifiers.train_dialogue import MAX_REAL_SHARE, fit_dialogue
from transcript_lens.labels import LABELS

INDEX = REPO / "data" / "index"


def _gold() -> list[dict]:
    return [json.loads(line) for line in (INDEX / "gold.jsonl").read_text("utf-8").splitlines()]


def test_index_gold_covers_every_turn_and_matches_the_meetings():
    rows = _gold()
    split = json.loads((INDEX / "split.json").read_text("utf-8"))
    test = set(split["test"])
    by_meeting: dict[str, list[dict]] = {}
    for row in rows:
        by_meeting.setdefault(row["meeting"], []).append(row)
        assert set(row["labels"]) <= set(LABELS)
        assert row["split"] == ("test" if row["meeting"] in test else "tune")
    assert sorted(by_meeting) == sorted(split["test"] + split["tune"])
    for meeting, turns in by_meeting.items():
        [path] = sorted((INDEX / "meetings").glob(f"{meeting}_*.txt"))
        lines = path.read_text("utf-8").splitlines()
        numbered = [n for n, line in enumerate(lines, 1) if line.strip()]
        assert [t["line"] for t in turns] == numbered
        for t in turns:
            assert t["sha1"] == hashlib.sha1(lines[t["line"] - 1].encode()).hexdigest()


def test_index_gold_readers_agree_and_the_adjudicated_labels_follow_them():
    rows = _gold()
    for label in LABELS:
        a = [label in r.get("readers", [[], []])[0] for r in rows]
        b = [label in r.get("readers", [[], []])[1] for r in rows]
        assert cohen_kappa(a, b) > 0.8, label
    for r in rows:
        readers = r.get("readers", [[], []])
        if readers[0] == readers[1]:
            assert r["labels"] == readers[0]
    assert sum(bool(r["labels"]) for r in rows if r["split"] == "tune") == 670


def _meeting(name: str, rng: random.Random, n: int = 60):
    """A synthetic meeting in which silencing follows an objection by someone else."""
    turns, labels, gold = [], [], []
    for i in range(n):
        speaker = "Dana" if i % 2 else "Omar"
        objection = rng.random() < 0.2
        turns.append((speaker, f"turn {i}"))
        labels.append(["dissent"] if objection else [])
        gold.append([])
    for i in range(1, n):
        if labels[i - 1] == ["dissent"] and rng.random() < 0.7:
            labels[i] = ["silencing"]
            gold[i] = ["silencing"]
    predictions = make_predictions(labels, confidence=0.6)
    for i in range(n):  # a model that also fires without an objection before
        if not labels[i] and rng.random() < 0.1:
            predictions[i] = make_predictions([["silencing"]], confidence=0.6)[0]
    return (name, make_transcript(turns), predictions, gold)


def test_dialogue_fit_learns_from_the_conversation_and_keeps_real_meetings_quiet():
    rng = random.Random(7)
    written = [_meeting(f"w{k}", rng) for k in range(12)]
    quiet = make_transcript([("Ann" if i % 2 else "Bo", f"real {i}") for i in range(200)])
    real = [(f"r{k}", quiet, make_predictions([[]] * 200), [[]] * 200) for k in range(4)]
    settings = fit_dialogue(written, real, log=lambda _: None)
    check_dialogue(settings)
    weights = dict(zip(settings["features"], settings["weights"]["silencing"], strict=True))
    assert weights["objection_before"] > 0
    assert settings["fitted_on"]["max_real_share"] == MAX_REAL_SHARE
    held = settings["held_out"]["silencing"]
    assert held["gold"] > 0 and held["true"] / max(held["shown"], 1) > 0.7
