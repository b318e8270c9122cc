"""Score a classifier against labelled rows (the taxonomy's row format)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..labels import LABELS
from .base import Classifier, ClassifierInput


def _ratio(numerator: int, denominator: int) -> float:
    return round(numerator / denominator, 4) if denominator else 0.0


def evaluate(classifier: Classifier, rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Per-label precision/recall/F1 of ``classifier`` on ``rows``.

    Each row is ``{"text", "context", "labels"}``. Returns ``{"labels": {label:
    {precision, recall, f1, support, tp, fp, fn}}, "macro_f1", "rows",
    "unlabelled_rows", "false_alarm_rate"}``, where the false-alarm rate is the
    share of rows with no gold label that get any predicted label. Macro-F1 is
    over labels with support or predictions, so labels absent from a small set
    do not count as zero.
    """
    rows = list(rows)
    items = [ClassifierInput(text=row["text"], context=row.get("context")) for row in rows]
    predictions = classifier.predict(items)
    counts = {label: {"tp": 0, "fp": 0, "fn": 0} for label in LABELS}
    unlabelled = false_alarms = 0
    for row, prediction in zip(rows, predictions, strict=True):
        gold = set(row.get("labels") or [])
        predicted = set(prediction.labels)
        if not gold:
            unlabelled += 1
            false_alarms += bool(predicted)
        for label in LABELS:
            if label in predicted and label in gold:
                counts[label]["tp"] += 1
            elif label in predicted:
                counts[label]["fp"] += 1
            elif label in gold:
                counts[label]["fn"] += 1
    per_label: dict[str, dict[str, float | int]] = {}
    f1s = []
    for label in LABELS:
        tp, fp, fn = counts[label]["tp"], counts[label]["fp"], counts[label]["fn"]
        precision = _ratio(tp, tp + fp)
        recall = _ratio(tp, tp + fn)
        f1 = round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0
        per_label[label] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": tp + fn,
            "tp": tp,
            "fp": fp,
            "fn": fn,
        }
        if tp + fp + fn:
            f1s.append(f1)
    return {
        "labels": per_label,
        "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else 0.0,
        "rows": len(rows),
        "unlabelled_rows": unlabelled,
        "false_alarm_rate": _ratio(false_alarms, unlabelled),
    }


def format_report(figures: dict[str, Any]) -> str:
    """The figures of :func:`evaluate` as a plain-text table."""
    lines = [
        f"{figures.get('classifier', '')}  {figures['rows']} rows, "
        f"{figures['unlabelled_rows']} with no label".strip(),
        f"{'label':<12} {'P':>6} {'R':>6} {'F1':>6} {'support':>8}",
    ]
    for label in LABELS:
        m = figures["labels"][label]
        lines.append(
            f"{label:<12} {m['precision']:>6.3f} {m['recall']:>6.3f} {m['f1']:>6.3f} "
            f"{m['support']:>8}"
        )
    lines.append(f"{'macro-F1':<12} {figures['macro_f1']:>20.3f}")
    lines.append(f"false-alarm rate on rows with no label: {figures['false_alarm_rate']:.3f}")
    return "\n".join(lines) + "\n"
