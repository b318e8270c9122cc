"""Classifiers that label utterances, behind one small protocol and a registry.

Built-in classifiers register themselves here the same way a plugin would:

    register_classifier("rules", lambda: RuleClassifier())
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import ClassifierError
from .base import Classifier, ClassifierInput, LabelEvidence, UtteranceLabels

ClassifierFactory = Callable[[], Classifier]

_REGISTRY: dict[str, ClassifierFactory] = {}


def register_classifier(name: str, factory: ClassifierFactory) -> None:
    """Make ``get_classifier(name)`` call ``factory``; a later registration wins."""
    _REGISTRY[name] = factory


def available_classifiers() -> list[str]:
    """Registered classifier names, sorted."""
    return sorted(_REGISTRY)


def get_classifier(name: str) -> Classifier:
    """Build the classifier registered as ``name``."""
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise ClassifierError(
            f"unknown classifier {name!r}",
            hint=f"choose one of: {', '.join(available_classifiers())}",
        ) from None
    return factory()


def _rules() -> Classifier:
    from .rules import RuleClassifier

    return RuleClassifier()


register_classifier("rules", _rules)

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
