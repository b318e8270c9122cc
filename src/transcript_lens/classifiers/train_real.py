"""Fit the combiner of the default classifier on real meeting turns.

The learned model reads written utterances well and real speech badly: on
real meetings it labels one turn in five where careful readers label one in
twenty-five. The combiner (:mod:`.classifiers.combine`) corrects that. It is
fitted here, per label, on the tuning part of the real-speech gold
(``data/real/gold.jsonl``, turns of public meetings read by two annotators),
with the written corpus' dev split at a small weight so that labels real
meetings seldom show (resignation, blame, silencing) still have positives.

Turns are read in pieces as the classifier reads them; a label a reader
quoted belongs to the pieces its quote falls in. A label too rare in real
meetings to learn there (resignation, blame, silencing) is fitted on the
written rows alone, and its threshold keeps it to at most 0.2% of real turns.
The other labels' thresholds come from predictions made out of fold (four
folds of the tuning meetings, on real turns the network did not train on
either): the threshold with the best F0.5 among those that show the label on
natural stretches no more than 1.5 times as often as the readers did. A
turn-level Platt scaling, also out of fold and fitted on the natural
stretches, makes a label's confidence the chance that a careful reader
agrees on a turn of a real meeting. The gold's test part is never read here.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..labels import LABELS, Label
from . import combine
from .base import ClassifierInput
from .realgold import GoldTurn
from .segment import expand, gate_features, pieces_holding

#: Version of the combiner's recipe (part of the classifier's version string).
COMBINER_VERSION = "3"
#: Weight of a written row beside a real turn.
WRITTEN_WEIGHT = 0.2
#: L2 penalty of the logistic regressions.
L2 = 2.0
#: A label's threshold maximises F-beta (beta 0.5: precision weighs four times
#: recall), out of fold, among thresholds that show it on natural stretches no
#: more often than this many times the readers did.
BETA = 0.5
MAX_SHARE_RATIO = 1.5
#: A label with fewer real positives than this is set from the written rows,
#: capped so that it flags at most this share of real turns.
MIN_REAL_POSITIVES = 12
MAX_RARE_SHARE = 0.002
#: For those rare labels, a rule match at least this strong (an explicit phrase
#: such as "it's all yours") asserts the label on a piece that is not a fragment
#: or cut off: on the tuning meetings such matches hit at most one turn in
#: 2,456, and on the written dev split 78-89% of them are right.
RULE_ASSERT = 0.8
#: ... unless the combiner gives the label less than this: the model rules the
#: reading out.
ASSERT_FLOOR = 0.1
FOLDS = 4


@dataclass
class PieceRow:
    group: str
    turn: str
    kind: str
    weight: float
    logits: dict[Label, float]
    rules: dict[Label, float]
    gate: list[float]
    targets: set[Label] = field(default_factory=set)

    def features(self, label: Label) -> list[float]:
        return combine.feature_row(self.logits[label], self.rules[label], self.gate)


def write_piece_rows(path: Path, rows: Sequence[PieceRow]) -> None:
    """``rows`` as JSON Lines (see :func:`read_piece_rows`)."""
    with open(path, "w", encoding="utf-8") as out:
        for row in rows:
            data = asdict(row)
            data["targets"] = [label for label in LABELS if label in row.targets]
            out.write(json.dumps(data) + "\n")


def read_piece_rows(path: Path) -> list[PieceRow]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        data["targets"] = set(data["targets"])
        rows.append(PieceRow(**data))
    return rows


def score_pieces(
    learned: Any, rules: Any, items: Sequence[ClassifierInput]
) -> list[tuple[int, str, dict[Label, float], dict[Label, float], list[float]]]:
    """(owner, piece text, learned logits, rules scores, gate) for every piece of ``items``."""
    pieces = expand(items)
    inputs = [p.as_input() for p in pieces]
    calibration = learned.config["calibration"]
    raw = learned.logits(inputs)
    ruled = rules.predict(inputs)
    out = []
    for piece, item, row, rule in zip(pieces, inputs, raw, ruled, strict=True):
        logits = {
            label: combine.learned_logit(row[j], calibration[label])
            for j, label in enumerate(LABELS)
        }
        out.append((piece.owner, piece.text, logits, dict(rule.scores), gate_features(item)))
    return out


def _piece_targets(
    turn: GoldTurn, texts: Sequence[str], logits: Sequence[dict[Label, float]]
) -> list[set[Label]]:
    """Which of a turn's pieces carry each of its labels."""
    targets: list[set[Label]] = [set() for _ in texts]
    if len(texts) == 1:
        targets[0].update(turn.labels)
        return targets
    spans = {label: (s, e) for label, s, e in turn.spans}
    for label in turn.labels:
        hit = pieces_holding(texts, turn.text[slice(*spans[label])]) if label in spans else []
        if not hit:
            hit = [max(range(len(texts)), key=lambda i: logits[i][label])]
        for i in hit:
            targets[i].add(label)
    return targets


def real_rows(learned: Any, rules: Any, turns: Sequence[GoldTurn]) -> list[PieceRow]:
    items = [ClassifierInput(text=t.text, context=t.context) for t in turns]
    scored = score_pieces(learned, rules, items)
    by_owner: dict[int, list[tuple[str, dict[Label, float], dict[Label, float], list[float]]]] = (
        defaultdict(list)
    )
    for owner, text, logits, rule, gate in scored:
        by_owner[owner].append((text, logits, rule, gate))
    rows = []
    for owner, turn in enumerate(turns):
        entries = by_owner[owner]
        targets = _piece_targets(turn, [e[0] for e in entries], [e[1] for e in entries])
        for (_, logits, rule, gate), target in zip(entries, targets, strict=True):
            rows.append(PieceRow(turn.meeting, turn.id, turn.kind, 1.0, logits, rule, gate, target))
    return rows


def written_rows(learned: Any, rules: Any, rows: Sequence[Any]) -> list[PieceRow]:
    items = [ClassifierInput(text=r.text, context=r.context) for r in rows]
    out = []
    for owner, _, logits, rule, gate in score_pieces(learned, rules, items):
        out.append(
            PieceRow(
                "written",
                f"written:{owner}",
                "written",
                WRITTEN_WEIGHT,
                logits,
                rule,
                gate,
                set(rows[owner].labels),
            )
        )
    return out


def _fit(rows: Sequence[PieceRow], label: Label, rare: bool = False) -> list[float]:
    """One label's weights. A label too rare in real meetings to learn there is
    fitted on the written rows alone, at full weight; its threshold is what
    keeps it quiet on real speech."""
    if rare:
        rows = [r for r in rows if r.kind == "written"]
    return combine.fit_logistic(
        [r.features(label) for r in rows],
        [1.0 if label in r.targets else 0.0 for r in rows],
        [1.0 if rare else r.weight for r in rows],
        l2=L2,
    )


def rare_labels(real: Sequence[PieceRow]) -> frozenset[Label]:
    """Labels with fewer than MIN_REAL_POSITIVES real turns carrying them."""
    carried: dict[Label, set[str]] = {label: set() for label in LABELS}
    for r in real:
        for label in r.targets:
            carried[label].add(r.turn)
    return frozenset(label for label in LABELS if len(carried[label]) < MIN_REAL_POSITIVES)


def _turn_logits(
    rows: Sequence[PieceRow], weights: dict[Label, list[float]]
) -> dict[str, dict[Label, float]]:
    """The highest piece logit per turn and label."""
    out: dict[str, dict[Label, float]] = {}
    for r in rows:
        best = out.setdefault(r.turn, {label: -1e9 for label in LABELS})
        for label in LABELS:
            best[label] = max(best[label], combine.piece_logit(weights[label], r.features(label)))
    return out


def out_of_fold(
    real: Sequence[PieceRow], written: Sequence[PieceRow]
) -> dict[str, dict[Label, float]]:
    """Turn-level logits for every real turn from combiners fitted without its meeting's fold."""
    meetings = sorted({r.group for r in real})
    fold_of = {m: i % FOLDS for i, m in enumerate(meetings)}
    rare = rare_labels(real)
    result: dict[str, dict[Label, float]] = {}
    for fold in range(FOLDS):
        train = [r for r in real if fold_of[r.group] != fold] + list(written)
        held = [r for r in real if fold_of[r.group] == fold]
        weights = {label: _fit(train, label, label in rare) for label in LABELS}
        result.update(_turn_logits(held, weights))
    return result


def _precision_recall(
    scores: Sequence[float], gold: Sequence[bool], threshold: float
) -> tuple[int, int, int]:
    tp = sum(1 for s, y in zip(scores, gold, strict=True) if s >= threshold and y)
    fp = sum(1 for s, y in zip(scores, gold, strict=True) if s >= threshold and not y)
    fn = sum(1 for s, y in zip(scores, gold, strict=True) if s < threshold and y)
    return tp, fp, fn


def _f_beta(tp: int, fp: int, fn: int, beta: float) -> float:
    if not tp:
        return 0.0
    b2 = beta * beta
    return (1 + b2) * tp / ((1 + b2) * tp + b2 * fn + fp)


def fit_combiner(
    learned: Any,
    rules: Any,
    gold_tune: Sequence[GoldTurn],
    written: Sequence[Any],
    *,
    held_out: Sequence[PieceRow] | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """The ``combiner`` section of the model config, fitted on the gold's tuning part.

    ``held_out`` are the real turns' pieces as scored by networks that did not
    train on them (cross-fitting); without it the final network scores them.
    """
    real = list(held_out) if held_out is not None else real_rows(learned, rules, gold_tune)
    wrote = written_rows(learned, rules, written)
    log(f"combiner: {len(real)} real pieces of {len(gold_tune)} turns, {len(wrote)} written pieces")
    oof = out_of_fold(real, wrote)
    turns = {t.id: t for t in gold_tune}
    ids = sorted(oof)
    rare = rare_labels(real)
    weights = {label: _fit(list(real) + wrote, label, label in rare) for label in LABELS}
    calibration: dict[str, list[float]] = {}
    thresholds: dict[str, float] = {}
    from .train import fit_platt

    natural = [i for i, t in enumerate(ids) if turns[t].natural]
    for label in LABELS:
        z = [oof[i][label] for i in ids]
        y = [label in turns[i].labels for i in ids]
        positives = sum(y)
        # A confidence is the chance a reader agrees on a turn as meetings hold
        # them, so the scaling is fitted on natural turns (stretches and the
        # meetings labelled whole), not on turns picked because they looked likely.
        if sum(y[i] for i in natural) >= MIN_REAL_POSITIVES:
            a, b = fit_platt([z[i] for i in natural], [float(y[i]) for i in natural])
        elif positives >= MIN_REAL_POSITIVES:
            a, b = fit_platt(z, [float(v) for v in y])
        else:
            a, b = 1.0, 0.0
        calibration[label] = [round(a, 6), round(b, 6)]
        probs = [combine.sigmoid(a * v + b) for v in z]
        grid = [step / 100 for step in range(5, 96)]
        chosen = 0.95
        if positives >= MIN_REAL_POSITIVES:
            gold_natural = sum(y[i] for i in natural)
            best = -1.0
            for t in grid:
                tp_n, fp_n, _ = _precision_recall(
                    [probs[i] for i in natural], [y[i] for i in natural], t
                )
                if tp_n + fp_n > MAX_SHARE_RATIO * gold_natural:
                    continue
                tp, fp, fn = _precision_recall(probs, y, t)
                score = _f_beta(tp, fp, fn, BETA)
                if score > best:
                    best, chosen = score, t
            tp, fp, fn = _precision_recall(probs, y, chosen)
            tp_n, fp_n, fn_n = _precision_recall(
                [probs[i] for i in natural], [y[i] for i in natural], chosen
            )
            log(
                f"  {label:<11} {positives:>3} real positives; threshold {chosen:.2f}: out of "
                f"fold, natural P {tp_n / max(tp_n + fp_n, 1):.2f} "
                f"R {tp_n / max(tp_n + fn_n, 1):.2f}"
                f" ({tp_n + fp_n} shown, {gold_natural} gold); all P {tp / max(tp + fp, 1):.2f} "
                f"R {tp / max(tp + fn, 1):.2f}"
            )
        else:
            # Too rare in real meetings to tune there: the written rows' best F1,
            # raised until real turns are flagged no more than MAX_RARE_SHARE.
            wprobs: dict[str, float] = {}
            for r in wrote:
                zz = combine.piece_logit(weights[label], r.features(label))
                wprobs[r.turn] = max(wprobs.get(r.turn, 0.0), combine.sigmoid(a * zz + b))
            wy = {r.turn: label in r.targets for r in wrote}
            wids = sorted(wprobs)
            best_f1 = -1.0
            for t in grid:
                flagged = sum(1 for p, yy in zip(probs, y, strict=True) if p >= t and not yy)
                if flagged > MAX_RARE_SHARE * len(probs):
                    continue
                tp, fp, fn = _precision_recall([wprobs[i] for i in wids], [wy[i] for i in wids], t)
                f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
                if f1 > best_f1:
                    best_f1, chosen = f1, t
            log(
                f"  {label:<11} {positives:>3} real positives; threshold {chosen:.2f} "
                f"(written F1 {best_f1:.2f}, real false flags capped at {MAX_RARE_SHARE:.1%})"
            )
        thresholds[label] = chosen
    return {
        "version": COMBINER_VERSION,
        "features": list(combine.FEATURES),
        "weights": weights,
        "turn_calibration": calibration,
        "thresholds": thresholds,
        "rule_asserts": {label: RULE_ASSERT for label in LABELS if label in rare},
        "assert_floor": ASSERT_FLOOR,
        "fitted_on": {
            "real_turns": len(gold_tune),
            "real_pieces": len(real),
            "written_rows": len(written),
            "written_weight": WRITTEN_WEIGHT,
            "l2": L2,
            "beta": BETA,
            "max_share_ratio": MAX_SHARE_RATIO,
        },
    }


def load_combiner_data(data_dir: Path, corpora: Path | None) -> tuple[list[GoldTurn], list[Any]]:
    """The gold's tuning turns and the written corpus' dev split."""
    from .realgold import load_gold
    from .train import corpus

    gold = load_gold(data_dir / "real" / "gold.jsonl", corpora=corpora, split="tune")
    _, dev = corpus(data_dir)
    return gold, dev
