"""The default classifier: the learned model, the rules and the gate, combined per label.

Each utterance is read in pieces (:mod:`.segment`): short turns whole, long
turns in windows of a sentence or two. For every piece the learned model
gives a logit per label; the combiner (:mod:`.combine`, fitted on real
meeting turns read by two annotators) turns that logit, the rules' score and
the gate features into a probability that a careful reader agrees. The rules
only run on pieces where they could change a decision: wherever even a full
rule match would leave every label below its threshold, their parse is
skipped. The utterance carries the union of its pieces' labels; a label's
confidence is its strongest piece's, and that piece (or the rule's phrase
inside it) is the quote.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import ClassifierError
from ..labels import LABELS, Label
from . import combine
from .base import Classifier, ClassifierInput, LabelEvidence, UtteranceLabels
from .segment import Piece, expand, gate_features


class EnsembleClassifier:
    name = "ensemble"

    def __init__(self, learned: Any, rules: Classifier) -> None:
        self.learned = learned
        self.rules = rules
        settings: dict[str, Any] | None = learned.config.get("combiner")
        if settings is None:
            raise ClassifierError(
                f"the model in {learned.model_dir} has no combiner settings",
                hint="retrain it with `transcript-lens train`",
            )
        try:
            combine.check_config(settings)
        except (KeyError, TypeError, ValueError) as error:
            raise ClassifierError(
                f"the combiner in {learned.model_dir} does not fit this version: {error}",
                hint="retrain it with `transcript-lens train`",
            ) from None
        self.settings = settings
        self.version = f"{learned.version}+{rules.version}+c{settings['version']}"

    def predict(self, items: Sequence[ClassifierInput]) -> list[UtteranceLabels]:
        if not items:
            return []
        pieces = expand(items)
        inputs = [p.as_input() for p in pieces]
        calibration = self.learned.config["calibration"]
        raw = self.learned.logits(inputs)
        logits = [
            {
                label: combine.learned_logit(row[j], calibration[label])
                for j, label in enumerate(LABELS)
            }
            for row in raw
        ]
        gates = [gate_features(item) for item in inputs]
        settings = self.settings
        zero = {label: 0.0 for label in LABELS}
        base = [
            combine.piece_logits(settings, logits[i], zero, gates[i]) for i in range(len(pieces))
        ]
        # Parse only the pieces where a full rule match could lift a label over
        # its threshold (the rules' weight in the combiner is never negative).
        needed = [
            i
            for i, piece in enumerate(pieces)
            if piece.text.strip()
            and any(
                combine.turn_probability(
                    settings,
                    label,
                    base[i][label] + max(0.0, combine.rules_weight(settings["weights"][label])),
                )
                >= settings["thresholds"][label]
                for label in LABELS
            )
        ]
        ruled = self.rules.predict([inputs[i] for i in needed]) if needed else []
        rules_out: dict[int, UtteranceLabels] = dict(zip(needed, ruled, strict=True))
        per_piece = []
        for i, piece in enumerate(pieces):
            rule = rules_out.get(i)
            z = (
                combine.piece_logits(settings, logits[i], dict(rule.scores), gates[i])
                if rule
                else base[i]
            )
            per_piece.append((piece, z, rule))
        return _merge(items, per_piece, settings)


def _merge(
    items: Sequence[ClassifierInput],
    per_piece: Sequence[tuple[Piece, dict[Label, float], UtteranceLabels | None]],
    settings: dict[str, Any],
) -> list[UtteranceLabels]:
    grouped: list[list[tuple[Piece, dict[Label, float], UtteranceLabels | None]]] = [
        [] for _ in items
    ]
    for entry in per_piece:
        grouped[entry[0].owner].append(entry)
    results = []
    for entries in grouped:
        scores: dict[Label, float] = {}
        labels: list[Label] = []
        evidence: list[LabelEvidence] = []
        several = len(entries) > 1
        for label in LABELS:
            piece, z, rule = max(entries, key=lambda e, lab=label: e[1][lab])
            confidence = combine.turn_probability(settings, label, z[label])
            scores[label] = round(confidence, 4)
            if not piece.text.strip() or scores[label] < settings["thresholds"][label]:
                continue
            labels.append(label)
            phrase = next((e for e in (rule.evidence if rule else []) if e.label == label), None)
            if phrase is not None:
                evidence.append(phrase)
            else:
                # The quote is the piece that carries the label (the whole turn when short).
                evidence.append(
                    LabelEvidence(
                        label=label, phrase=piece.text if several else "", rule="ensemble"
                    )
                )
        results.append(UtteranceLabels(labels=labels, scores=scores, evidence=evidence))
    return results
