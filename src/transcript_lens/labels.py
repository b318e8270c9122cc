"""The seven labels of the partnership taxonomy, in the taxonomy's order."""

from __future__ import annotations

from typing import Literal

Label = Literal["purpose", "dissent", "ownership", "candor", "resignation", "blame", "silencing"]

Requirement = Literal["purpose", "dissent", "ownership", "candor"]
AntiPattern = Literal["resignation", "blame", "silencing"]

LABELS: tuple[Label, ...] = (
    "purpose",
    "dissent",
    "ownership",
    "candor",
    "resignation",
    "blame",
    "silencing",
)

#: Block's four requirements of partnership (positive signals).
REQUIREMENTS: tuple[Requirement, ...] = ("purpose", "dissent", "ownership", "candor")

#: The anti-patterns, reported as flags.
ANTI_PATTERNS: tuple[AntiPattern, ...] = ("resignation", "blame", "silencing")


def sort_labels(labels: set[str] | list[str]) -> list[Label]:
    """Return ``labels`` in taxonomy order (unknown names are dropped)."""
    present = set(labels)
    return [label for label in LABELS if label in present]
