"""Classifiers that label utterances, behind one small protocol and a registry.

Built-in classifiers register themselves here:

    register_classifier("rules", lambda **options: RuleClassifier())

An installed package adds one through the entry point group
``transcript_lens.classifiers``: the entry point's name is the classifier's
name (``--classifier NAME``), its object a callable that takes keyword
options (``device``, ``model_dir``, ``threads``; it may ignore them) and
returns a :class:`Classifier`. In ``pyproject.toml``:

    [project.entry-points."transcript_lens.classifiers"]
    shouty = "my_package:make_classifier"

A plugin cannot take a built-in name. Plugins are looked up on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import ClassifierError
from .base import Classifier, ClassifierInput, LabelEvidence, UtteranceLabels

ClassifierFactory = Callable[..., Classifier]

_REGISTRY: dict[str, ClassifierFactory] = {}
#: The entry point group installed packages register classifiers in.
ENTRY_POINT_GROUP = "transcript_lens.classifiers"
BUILT_IN = ("ensemble", "learned", "rules")
_plugins_loaded = False


def register_classifier(name: str, factory: ClassifierFactory) -> None:
    """Make ``get_classifier(name)`` call ``factory``; a later registration wins."""
    _REGISTRY[name] = factory


def _plugin(entry: Any) -> ClassifierFactory:
    def factory(**options: Any) -> Classifier:
        try:
            make = entry.load()
            classifier = make(**options)
        except ClassifierError:
            raise
        except Exception as error:  # noqa: BLE001 - a broken plugin is one clear line
            raise ClassifierError(
                f"classifier {entry.name!r} ({entry.value}) failed to load: "
                f"{type(error).__name__}: {error}",
                hint="reinstall or upgrade the package that provides it",
            ) from None
        for attribute in ("name", "version", "predict"):
            if not hasattr(classifier, attribute):
                raise ClassifierError(
                    f"classifier {entry.name!r} ({entry.value}) has no {attribute!r}",
                    hint="a classifier has name, version and predict(items)",
                )
        return classifier  # type: ignore[no-any-return]

    return factory


def load_plugins(*, again: bool = False) -> None:
    """Register the classifiers installed packages provide (once, unless ``again``)."""
    global _plugins_loaded
    if _plugins_loaded and not again:
        return
    _plugins_loaded = True
    from importlib.metadata import entry_points

    for entry in entry_points(group=ENTRY_POINT_GROUP):
        if entry.name not in BUILT_IN:
            register_classifier(entry.name, _plugin(entry))


def available_classifiers() -> list[str]:
    """Registered classifier names (built-in and installed), sorted."""
    load_plugins()
    return sorted(_REGISTRY)


def get_classifier(name: str, **options: Any) -> Classifier:
    """Build the classifier registered as ``name``.

    ``options`` (``device``, ``model_dir``, ``threads``) go to classifiers that take them.
    """
    if name not in _REGISTRY:
        load_plugins()
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
    "BUILT_IN",
    "ENTRY_POINT_GROUP",
    "Classifier",
    "ClassifierFactory",
    "ClassifierInput",
    "LabelEvidence",
    "UtteranceLabels",
    "available_classifiers",
    "load_plugins",
    "get_classifier",
    "register_classifier",
]
