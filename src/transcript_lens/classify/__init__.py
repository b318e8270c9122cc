"""Classifiers that label utterances, behind one small protocol and a registry.

Built-in classifiers register themselves here the same way a plugin would:

    register_classifier("rules", lambda: RuleClassifier())
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import ClassifierError
from .base import Classifier, ClassifierInput, LabelEvidence, UtteranceLabels

ClassifierFactory = Callable[..., Classifier]

_REGISTRY: dict[str, ClassifierFactory] = {}


def register_classifier(name: str, factory: ClassifierFactory) -> None:
    """Make ``get_classifier(name)`` call ``factory``; a later registration wins."""
    _REGISTRY[name] = factory


def available_classifiers() -> list[str]:
    """Registered classifier names, sorted."""
    return sorted(_REGISTRY)


def get_classifier(name: str, **options: Any) -> Classifier:
    """Build the classifier registered as ``name``.

    ``options`` (``device``, ``model_dir``, ``threads``) go to classifiers that take them.
    """
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise ClassifierError(
            f"unknown classifier {name!r}",
            hint=f"choose one of: {', '.join(available_classifiers())}",
        ) from None
    return factory(**options)


def _rules(**_: Any) -> Classifier:
    from .rules import RuleClassifier

    return RuleClassifier()


def _learned(
    device: str = "cpu", model_dir: str | None = None, threads: int = 0, **_: Any
) -> Classifier:
    from .learned import LearnedClassifier

    return LearnedClassifier(model_dir, device=device, threads=threads)


def _ensemble(
    device: str = "cpu", model_dir: str | None = None, threads: int = 0, **_: Any
) -> Classifier:
    from .ensemble import EnsembleClassifier
    from .learned import LearnedClassifier
    from .rules import RuleClassifier

    # The model runs first, on every core (``threads``, 0: one per core), while
    # spaCy loads beside it; the rules then parse only the pieces that need them.
    learned = LearnedClassifier(model_dir, device=device, threads=threads)
    return EnsembleClassifier(learned, RuleClassifier())


register_classifier("rules", _rules)
register_classifier("learned", _learned)
register_classifier("ensemble", _ensemble)

__all__ = [
    "Classifier",
    "ClassifierFactory",
    "ClassifierInput",
    "LabelEvidence",
    "UtteranceLabels",
    "available_classifiers",
    "get_classifier",
    "register_classifier",
]
