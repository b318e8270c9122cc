"""The default classifier: the learned model and the rules, combined per label.

For each label the score is ``w * p_learned + (1 - w) * p_rules``; the weight
``w`` and the per-label thresholds were chosen on the dev split when the model
was trained (``ensemble`` in the model's config.json). Where the rules fired,
their matched phrase is the evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..errors import ClassifierError
from ..labels import LABELS, Label
from .base import Classifier, ClassifierInput, LabelEvidence, UtteranceLabels


def combine(
    learned: UtteranceLabels, rules: UtteranceLabels, ensemble: dict[str, Any]
) -> UtteranceLabels:
    weight = float(ensemble["weight"])
    scores: dict[Label, float] = {
        label: round(weight * learned.scores[label] + (1 - weight) * rules.scores[label], 4)
        for label in LABELS
    }
    labels: list[Label] = [
        label for label in LABELS if scores[label] >= ensemble["thresholds"][label]
    ]
    evidence: list[LabelEvidence] = []
    for label in labels:
        phrase = next((e for e in rules.evidence if e.label == label), None)
        if phrase is None:
            phrase = next((e for e in learned.evidence if e.label == label), None)
        evidence.append(phrase or LabelEvidence(label=label, phrase="", rule="ensemble"))
    return UtteranceLabels(labels=labels, scores=scores, evidence=evidence)


class EnsembleClassifier:
    name = "ensemble"

    def __init__(self, learned: Any, rules: Classifier) -> None:
        self.learned = learned
        self.rules = rules
        self.settings: dict[str, Any] | None = learned.config.get("ensemble")
        if self.settings is None:
            raise ClassifierError(
                f"the model in {learned.model_dir} has no ensemble settings",
                hint="retrain it with `transcript-lens train`",
            )
        self.version = f"{learned.version}+{rules.version}"

    def predict(self, items: Sequence[ClassifierInput]) -> list[UtteranceLabels]:
        assert self.settings is not None
        # The rules (spaCy) run in a second thread while the model runs: both
        # release the GIL in their heavy loops, so on two cores they overlap.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(self.rules.predict, items)
            learned = self.learned.predict(items)
            rules = pending.result()
        return [combine(a, b, self.settings) for a, b in zip(learned, rules, strict=True)]
