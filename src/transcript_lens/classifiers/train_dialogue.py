"""Fit the dialogue stage: the anti-patterns decided with the conversation in view.

Resignation, blame and silencing are rare in real recorded meetings (the
real gold's tuning part has almost none), so the classifier cannot learn
from real turns where they begin and end. ``data/index/gold.jsonl`` labels
every turn of 48 whole meetings written for the project, where they are
common; its tune part (``data/index/split.json``) fits, per anti-pattern, a
logistic regression over the classifier's own confidence and the features of
:data:`.dialogue.DIALOGUE_FEATURES`, with every turn of the real gold's
tuning meetings as further rows (almost all negatives, at their real rate).

The threshold comes from a four-fold cross-validation by meeting: the best
F0.5 (precision counts four times recall) on the written meetings' held-out
turns among thresholds that label at most :data:`MAX_REAL_SHARE` of the
held-out real turns. The test part of the index meetings and the real
gold's test part are never read here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..labels import ANTI_PATTERNS, Label
from ..model import Transcript, Utterance
from .base import UtteranceLabels
from .combine import fit_logistic
from .dialogue import DIALOGUE_FEATURES, dialogue_rows

VERSION = "1"
FOLDS = 4
L2 = 4.0
BETA = 0.5
#: At most this share of real turns may carry each anti-pattern.
MAX_REAL_SHARE = 0.002

#: (meeting, transcript, the classifier's predictions, gold labels per turn or None).
Meeting = tuple[str, Transcript, list[UtteranceLabels], list[list[str] | None]]


def _fold(meeting: str) -> int:
    return int(hashlib.sha1(meeting.encode()).hexdigest(), 16) % FOLDS


def index_meetings(classifier: Any, data_dir: Path) -> list[Meeting]:
    """The tune part of the index meetings with their turn gold, as the classifier reads them."""
    from ..api import classifier_inputs
    from ..readers import read_transcript

    index = data_dir / "index"
    tune = set(json.loads((index / "split.json").read_text("utf-8"))["tune"])
    gold: dict[str, list[list[str]]] = {}
    for line in (index / "gold.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        if row["meeting"] in tune:
            gold.setdefault(row["meeting"], []).append(row["labels"])
    out: list[Meeting] = []
    for meeting in sorted(gold):
        [path] = sorted((index / "meetings").glob(f"{meeting}_*.txt"))
        transcript = read_transcript(path)
        if len(transcript.utterances) != len(gold[meeting]):
            raise ValueError(f"{meeting}: the gold does not match the meeting's turns")
        predictions = classifier.predict(classifier_inputs(transcript))
        labels: list[list[str] | None] = list(gold[meeting])
        out.append((meeting, transcript, predictions, labels))
    return out


def real_meetings(classifier: Any, gold: Sequence[Any], meetings_dir: Path) -> list[Meeting]:
    """The real gold's tuning meetings, whole, with the labels of their natural turns."""
    from ..api import classifier_inputs
    from ..speakers import link_replies

    by: dict[str, dict[int, list[str]]] = {}
    for turn in gold:
        if turn.natural:
            by.setdefault(turn.meeting, {})[turn.line] = list(turn.labels)
    out = []
    for meeting in sorted(by):
        rows = [
            json.loads(line)
            for line in (meetings_dir / f"{meeting}.jsonl").read_text("utf-8").splitlines()
        ]
        utterances = link_replies(
            Utterance(id=f"u{n}", speaker=row["speaker"], text=row["text"])
            for n, row in enumerate(rows, 1)
        )
        transcript = Transcript(
            source=meeting, title=meeting, format="jsonl", utterances=utterances
        )
        predictions = classifier.predict(classifier_inputs(transcript))
        labels = [by[meeting].get(n) for n in range(1, len(rows) + 1)]
        out.append((meeting, transcript, predictions, labels))
    return out


def _rows(meetings: Sequence[Meeting], label: Label) -> tuple[list[list[float]], list[float]]:
    xs, ys = [], []
    for _, transcript, predictions, gold in meetings:
        rows = dialogue_rows(transcript.utterances, predictions, [label])
        for i, labels in enumerate(gold):
            if labels is None:
                continue
            xs.append(rows[i][label])
            ys.append(1.0 if label in labels else 0.0)
    return xs, ys


def _probabilities(weights: Sequence[float], rows: Sequence[Sequence[float]]) -> list[float]:
    import numpy as np

    if not rows:
        return []
    z = np.asarray(rows, dtype=np.float64) @ np.asarray(weights, dtype=np.float64)
    return list(1.0 / (1.0 + np.exp(-np.clip(z, -60, 60))))


def _fit(written: Sequence[Meeting], real: Sequence[Meeting], label: Label) -> list[float]:
    xw, yw = _rows(written, label)
    xr, yr = _rows(real, label)
    return fit_logistic(xw + xr, yw + yr, [1.0] * (len(xw) + len(xr)), l2=L2)


def _counts(ys: Sequence[float], ps: Sequence[float], threshold: float) -> tuple[int, int, int]:
    tp = sum(1 for y, p in zip(ys, ps, strict=True) if y and p >= threshold)
    shown = sum(1 for p in ps if p >= threshold)
    return tp, shown, int(sum(ys))


def fit_dialogue(
    written: Sequence[Meeting], real: Sequence[Meeting], *, log: Callable[[str], None] = print
) -> dict[str, Any]:
    """The dialogue stage's settings, fitted on the written and real tuning meetings."""
    weights: dict[str, list[float]] = {}
    thresholds: dict[str, float] = {}
    held_out: dict[str, dict[str, float]] = {}
    for label in ANTI_PATTERNS:
        yw_all: list[float] = []
        pw_all: list[float] = []
        pr_all: list[float] = []
        for fold in range(FOLDS):
            inside_w = [m for m in written if _fold(m[0]) != fold]
            inside_r = [m for m in real if _fold(m[0]) != fold]
            w = _fit(inside_w, inside_r, label)
            xw, yw = _rows([m for m in written if _fold(m[0]) == fold], label)
            xr, _ = _rows([m for m in real if _fold(m[0]) == fold], label)
            yw_all += yw
            # Explicit wording is always shown (see dialogue.reweigh).
            pw_all += [max(p, x[2]) for p, x in zip(_probabilities(w, xw), xw, strict=True)]
            pr_all += [max(p, x[2]) for p, x in zip(_probabilities(w, xr), xr, strict=True)]
        best = (-1.0, 0.5)
        for step in range(10, 96, 2):
            t = step / 100
            tp, shown, support = _counts(yw_all, pw_all, t)
            real_share = sum(p >= t for p in pr_all) / max(len(pr_all), 1)
            precision = tp / shown if shown else 0.0
            recall = tp / support if support else 0.0
            if real_share > MAX_REAL_SHARE or not precision + recall:
                continue
            f = (1 + BETA**2) * precision * recall / (BETA**2 * precision + recall)
            if f > best[0]:
                best = (f, t)
        thresholds[label] = best[1]
        tp, shown, support = _counts(yw_all, pw_all, best[1])
        held_out[label] = {"true": tp, "shown": shown, "gold": support}
        log(
            f"dialogue {label}: threshold {best[1]:.2f}, held out: {tp} right of {shown} shown, "
            f"{support} in the gold"
        )
        weights[label] = _fit(written, real, label)
    return {
        "version": VERSION,
        "features": list(DIALOGUE_FEATURES),
        "weights": weights,
        "thresholds": thresholds,
        "held_out": held_out,
        "fitted_on": {
            "written_meetings": len(written),
            "written_turns": sum(len(m[3]) for m in written),
            "real_meetings": len(real),
            "real_turns": sum(sum(x is not None for x in m[3]) for m in real),
            "l2": L2,
            "beta": BETA,
            "max_real_share": MAX_REAL_SHARE,
        },
    }
