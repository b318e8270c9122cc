"""Score a classifier against labelled rows (the taxonomy's row format)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..labels import LABELS
from .base import Classifier, ClassifierInput


def _ratio(numerator: float, denominator: int) -> float:
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


def _counts(pairs: list[tuple[set[str], set[str]]], label: str) -> dict[str, float | int]:
    tp = sum(1 for gold, pred in pairs if label in gold and label in pred)
    fp = sum(1 for gold, pred in pairs if label not in gold and label in pred)
    fn = sum(1 for gold, pred in pairs if label in gold and label not in pred)
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    f1 = round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "support": tp + fn,
        "predicted": tp + fp,
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def calibration_error(confidences: list[float], correct: list[bool], bins: int = 10) -> float:
    """Expected calibration error: the bin-weighted gap between confidence and accuracy."""
    if not confidences:
        return 0.0
    total = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [
            i for i, c in enumerate(confidences) if lo <= c < hi or (b == bins - 1 and c == 1.0)
        ]
        if inside:
            mean_conf = sum(confidences[i] for i in inside) / len(inside)
            accuracy = sum(correct[i] for i in inside) / len(inside)
            total += len(inside) / len(confidences) * abs(mean_conf - accuracy)
    return round(total, 4)


def evaluate_real(classifier: Classifier, turns: Sequence[Any]) -> dict[str, Any]:
    """Score ``classifier`` on real gold turns (:class:`~.realgold.GoldTurn`).

    Each meeting is labelled whole, as ``analyze`` labels it (each turn read with
    the turn it answers, then corrected with who answers whom), and the gold
    turns are looked up in it. Returns figures for the natural stretches
    (``natural``: turns at the rate they occur) and for all gold turns
    (``all``: with the candidates picked to give every label support):
    per-label counts and P/R/F1, the share of turns with any label (gold and
    predicted), micro-precision, macro-F1 over the four requirements, and the
    expected calibration error of the confidences over every (turn, label)
    pair (``ece``) and over the labels shown (``ece_shown``).
    """
    from ..api import label_transcript
    from ..labels import REQUIREMENTS
    from ..model import Transcript, Utterance
    from ..speakers import link_replies
    from .realgold import MEETINGS_DIR

    wanted: dict[str, dict[int, Any]] = {}
    for turn in turns:
        wanted.setdefault(turn.meeting, {})[turn.line] = turn
    predicted: dict[tuple[str, int], Any] = {}
    for meeting, lines in sorted(wanted.items()):
        rows = [
            json.loads(line)
            for line in (MEETINGS_DIR / f"{meeting}.jsonl").read_text("utf-8").splitlines()
        ]
        utterances = link_replies(
            Utterance(
                id=f"u{n:05d}",
                speaker=row["speaker"],
                text=row["text"],
                start=row.get("start"),
                end=row.get("end"),
            )
            for n, row in enumerate(rows, 1)
        )
        transcript = Transcript(
            source=f"{meeting}.jsonl", title=meeting, format="jsonl", utterances=tuple(utterances)
        )
        labelled = label_transcript(transcript, classifier)
        for line in lines:
            predicted[meeting, line] = labelled[line - 1]
    out: dict[str, Any] = {}
    for part in ("natural", "all"):
        chosen = [t for t in turns if part == "all" or t.natural]
        pairs = [(set(t.labels), set(predicted[t.meeting, t.line].labels)) for t in chosen]
        per_label = {label: _counts(pairs, label) for label in LABELS}
        tp = sum(int(m["tp"]) for m in per_label.values())
        shown = sum(int(m["predicted"]) for m in per_label.values())
        confidences: list[float] = []
        correct: list[bool] = []
        shown_conf: list[float] = []
        shown_correct: list[bool] = []
        for t in chosen:
            p = predicted[t.meeting, t.line]
            for label in LABELS:
                confidences.append(float(p.scores.get(label, 0.0)))
                correct.append(label in t.labels)
                if label in p.labels:
                    shown_conf.append(float(p.scores.get(label, 0.0)))
                    shown_correct.append(label in t.labels)
        out[part] = {
            "turns": len(chosen),
            "labels": per_label,
            "gold_share": _ratio(sum(1 for g, _ in pairs if g), len(pairs)),
            "predicted_share": _ratio(sum(1 for _, p in pairs if p), len(pairs)),
            "micro_precision": _ratio(tp, shown),
            "macro_f1_requirements": round(
                sum(float(per_label[label]["f1"]) for label in REQUIREMENTS) / len(REQUIREMENTS), 4
            ),
            "ece": calibration_error(confidences, correct),
            "ece_shown": calibration_error(shown_conf, shown_correct),
            # Beside micro_precision: whether the labels shown are over- or under-confident.
            "mean_confidence_shown": _ratio(sum(shown_conf), len(shown_conf)),
        }
    return out


def format_real_report(figures: dict[str, Any], title: str) -> str:
    """The figures of :func:`evaluate_real` as a plain-text table."""
    lines = []
    for part, name in (("natural", "natural stretches"), ("all", "with candidates")):
        f = figures[part]
        lines.append(
            f"{title}, {name}: {f['turns']} turns; labelled share gold {f['gold_share']:.3f}, "
            f"predicted {f['predicted_share']:.3f}; micro-P {f['micro_precision']:.3f}; "
            f"macro-F1 (requirements) {f['macro_f1_requirements']:.3f}; ECE {f['ece']:.3f} "
            f"(shown labels {f['ece_shown']:.3f})"
        )
        lines.append(f"  {'label':<12} {'P':>6} {'R':>6} {'F1':>6} {'gold':>5} {'shown':>6}")
        for label in LABELS:
            m = f["labels"][label]
            lines.append(
                f"  {label:<12} {m['precision']:>6.3f} {m['recall']:>6.3f} {m['f1']:>6.3f} "
                f"{m['support']:>5} {m['predicted']:>6}"
            )
    return "\n".join(lines) + "\n"
