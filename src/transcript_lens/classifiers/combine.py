"""The combiner: one calibrated probability per label from the model, the rules and the gate.

For each piece of a turn (see :mod:`.segment`) and each label, a logistic
regression reads the learned model's logit for the label, the rules' score
for it, and the gate features (how many content words, a bare fragment, a
cut-off, a question, a question before it), with the logit's interaction with
the fragment and cut-off marks. It was fitted on real meeting turns labelled
by two readers (the tuning part of ``data/real/gold.jsonl``), with the
written corpus' dev split at a small weight for labels real meetings rarely
show; so its output is a probability that a careful reader agrees, at the
rate things happen in real meetings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..labels import LABELS, Label
from .segment import GATE_FEATURES

#: Names of the combiner's inputs, in order (the intercept first).
FEATURES = (
    "bias",
    "learned_logit",
    "rules_score",
    *GATE_FEATURES,
    "learned_x_fragment",
    "learned_x_cut_off",
)

#: The learned logit is clipped to this range so one piece cannot dominate.
LOGIT_CLIP = 8.0


def learned_logit(raw: float, calibration: Sequence[float]) -> float:
    """The model's Platt-scaled logit for one label, clipped."""
    a, b = calibration
    return max(-LOGIT_CLIP, min(LOGIT_CLIP, a * raw + b))


def feature_row(logit: float, rules_score: float, gate: Sequence[float]) -> list[float]:
    fragment, cut_off = gate[1], gate[2]
    return [1.0, logit, rules_score, *gate, logit * fragment, logit * cut_off]


def piece_logit(weights: Sequence[float], row: Sequence[float]) -> float:
    return sum(w * x for w, x in zip(weights, row, strict=True))


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


def turn_probability(combiner: dict[str, Any], label: Label, z: float) -> float:
    """A turn's confidence for ``label`` from its strongest piece's logit."""
    a, b = combiner["turn_calibration"][label]
    return sigmoid(a * z + b)


def rules_weight(weights: Sequence[float]) -> float:
    return weights[FEATURES.index("rules_score")]


def fit_logistic(
    rows: Sequence[Sequence[float]],
    targets: Sequence[float],
    sample_weights: Sequence[float],
    l2: float = 1.0,
    iterations: int = 50,
) -> list[float]:
    """L2-regularised logistic regression by Newton's method (numpy only).

    The intercept is not penalised. Deterministic for the same inputs.
    """
    import numpy as np

    x = np.asarray(rows, dtype=np.float64)
    y = np.asarray(targets, dtype=np.float64)
    sw = np.asarray(sample_weights, dtype=np.float64)
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -60, 60)))
        gradient = x.T @ (sw * (p - y)) + penalty * w
        hessian = (x * (sw * p * (1 - p))[:, None]).T @ x + np.diag(penalty) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return [round(float(v), 6) for v in w]


def check_config(config: dict[str, Any]) -> None:
    """Raise ``ValueError`` when a combiner section does not fit this code."""
    if tuple(config.get("features", ())) != FEATURES:
        raise ValueError("combiner features differ from this version's")
    for label in LABELS:
        if len(config["weights"][label]) != len(FEATURES):
            raise ValueError(f"combiner weights for {label} have the wrong length")
        float(config["thresholds"][label])
        if len(config["turn_calibration"][label]) != 2:
            raise ValueError(f"combiner calibration for {label} is not a pair")


def piece_logits(
    combiner: dict[str, Any],
    logits: dict[Label, float],
    rules: dict[Label, float],
    gate: Sequence[float],
) -> dict[Label, float]:
    return {
        label: piece_logit(
            combiner["weights"][label], feature_row(logits[label], rules[label], gate)
        )
        for label in LABELS
    }
