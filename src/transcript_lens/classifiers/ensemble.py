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

import threading
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
        #: The dialogue stage's settings (see :mod:`.dialogue`), applied after
        #: the classifier, with the whole conversation in view.
        self.dialogue: dict[str, Any] | None = settings.get("dialogue")
        if self.dialogue is not None:
            from .dialogue import check_dialogue

            try:
                check_dialogue(self.dialogue)
            except (KeyError, TypeError, ValueError) as error:
                raise ClassifierError(
                    f"the dialogue stage in {learned.model_dir} does not fit this version: {error}",
                    hint="retrain it with `transcript-lens train`",
                ) from None
            self.version += f"d{self.dialogue['version']}"
        self._assert_rules, self._assert_phrases = _strong_phrases(
            rules, settings.get("rule_asserts", {})
        )

    def _warm_rules(self) -> threading.Thread | None:
        """Load the rules' spaCy pipeline in the background while the model runs.

        Loading spaCy is mostly Python (it holds the interpreter) and the model
        runs in ONNX Runtime's threads (it does not), so on two cores the load
        is nearly free. Started once the model's own runtime is loaded, so the
        two never import the same packages at once. A failed load is not
        swallowed: the rules load again, on this thread, and raise there.
        """
        build = getattr(self.rules, "load", None)
        if build is None or getattr(self.rules, "loaded", True):
            return None
        self.learned._load()

        def load() -> None:
            try:
                build()
            except Exception:  # noqa: BLE001 - re-raised by the rules on the caller's thread
                pass

        thread = threading.Thread(target=load, name="transcript-lens-rules", daemon=True)
        thread.start()
        return thread

    def predict(self, items: Sequence[ClassifierInput]) -> list[UtteranceLabels]:
        if not items:
            return []
        pieces = expand(items)
        inputs = [p.as_input() for p in pieces]
        calibration = self.learned.config["calibration"]
        warming = self._warm_rules()
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
        # Parse only the pieces where the rules could change a decision: where a
        # full rule match would lift a label over its threshold (the rules'
        # weight in the combiner is never negative), or where a strong match of
        # an explicit anti-pattern phrase is possible at all.
        asserts: dict[str, float] = settings.get("rule_asserts", {})

        def could_matter(i: int) -> bool:
            if not pieces[i].text.strip():
                return False
            if asserts and _may_assert(gates[i], pieces[i].text, self._assert_phrases):
                return True
            return any(
                combine.turn_probability(
                    settings,
                    label,
                    base[i][label] + max(0.0, combine.rules_weight(settings["weights"][label])),
                )
                >= settings["thresholds"][label]
                for label in LABELS
            )

        needed = [i for i in range(len(pieces)) if could_matter(i)]
        if warming is not None:
            warming.join()
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
        return _merge(items, per_piece, settings, gates, self._assert_rules)


_Entry = tuple[Piece, dict[Label, float], UtteranceLabels | None]


def _strongest(entries: Sequence[_Entry], label: Label) -> _Entry:
    """The piece whose logit for ``label`` is highest (the first, on a tie)."""
    return max(entries, key=lambda entry: entry[1][label])


def _strong_phrases(
    rules: Any, asserts: dict[str, float]
) -> tuple[frozenset[str], tuple[str, ...]]:
    """The phrase patterns strong enough by themselves to assert their label:
    their ids, and their phrases in lower case.

    A piece that holds none of the phrases is not parsed for a strong match
    (the rules' parse costs twice the model).
    """
    ids: set[str] = set()
    phrases: set[str] = set()
    for pattern in getattr(getattr(rules, "patterns", None), "patterns", ()):
        labels = set(pattern.labels) & set(asserts)
        if pattern.veto or pattern.kind != "phrases" or not labels:
            continue
        if pattern.weight >= min(asserts[label] for label in labels):
            ids.add(pattern.id)
            phrases.update(" ".join(str(p).lower().split()) for p in pattern.body)
    return frozenset(ids), tuple(sorted(phrases))


def _normal(text: str) -> str:
    return " ".join(text.lower().replace("\u2019", "'").split())


def _may_assert(gate: Sequence[float], text: str, phrases: Sequence[str]) -> bool:
    if gate[1] or gate[2]:  # a fragment or a cut-off asserts nothing
        return False
    normal = _normal(text)
    return any(phrase in normal for phrase in phrases)


def _merge(
    items: Sequence[ClassifierInput],
    per_piece: Sequence[tuple[Piece, dict[Label, float], UtteranceLabels | None]],
    settings: dict[str, Any],
    gates: Sequence[Sequence[float]] = (),
    assert_rules: frozenset[str] = frozenset(),
) -> list[UtteranceLabels]:
    grouped: list[list[tuple[Piece, dict[Label, float], UtteranceLabels | None]]] = [
        [] for _ in items
    ]
    asserted: dict[int, dict[Label, tuple[float, LabelEvidence]]] = {}
    asserts: dict[str, float] = settings.get("rule_asserts", {})
    for i, entry in enumerate(per_piece):
        grouped[entry[0].owner].append(entry)
        rule = entry[2]
        if not rule or not asserts or (gates and (gates[i][1] or gates[i][2])):
            continue
        # A strong match of an explicit anti-pattern phrase ("it's all yours",
        # "this isn't up for discussion") stands on its own.
        for e in rule.evidence:
            strength = rule.scores[e.label]
            if e.rule in assert_rules and e.label in asserts and strength >= asserts[e.label]:
                found = asserted.setdefault(entry[0].owner, {})
                if strength > found.get(e.label, (0.0, e))[0]:
                    found[e.label] = (strength, e)
    results = []
    for owner, entries in enumerate(grouped):
        strong = asserted.get(owner, {})
        scores: dict[Label, float] = {}
        labels: list[Label] = []
        evidence: list[LabelEvidence] = []
        several = len(entries) > 1
        for label in LABELS:
            piece, z, rule = _strongest(entries, label)
            confidence = combine.turn_probability(settings, label, z[label])
            if label in strong and confidence < settings.get("assert_floor", 0.0):
                # The model rules the reading out ("They did their job." about a
                # crew that flew home is no blame), so the phrase does not count.
                del strong[label]
            if label in strong:
                confidence = max(confidence, strong[label][0])
            scores[label] = round(confidence, 4)
            if label in strong and scores[label] < settings["thresholds"][label]:
                labels.append(label)
                evidence.append(strong[label][1])
                continue
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
