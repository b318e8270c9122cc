"""What the CSV and JSON readers share: the names of a turn's parts, and times."""

from __future__ import annotations

import math
import tomllib
from functools import lru_cache
from importlib import resources

from ._common import parse_timestamp

PARTS = ("speaker", "text", "start", "end")


@lru_cache(maxsize=1)
def _names() -> dict[str, dict[str, tuple[str, ...]]]:
    raw = resources.files("transcript_lens").joinpath("data/fields.toml").read_text("utf-8")
    return {
        table: {part: tuple(names) for part, names in parts.items()}
        for table, parts in tomllib.loads(raw).items()
    }


def names_for(table: str, part: str) -> tuple[str, ...]:
    """The accepted names of ``part`` in the ``csv`` or ``json`` table of fields.toml."""
    return _names()[table][part]


def normalise_name(name: str) -> str:
    """``"Start Time"`` and ``"start-time"`` to ``"start_time"``."""
    return "_".join(name.strip().lower().replace("-", " ").split())


def seconds(value: object) -> float | None:
    """Seconds from a number, ``"12.5"`` or ``"0:01:02.5"``; None for null or blank.

    Raises ValueError for anything else, and for negative or infinite times.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("not a time")
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        stamp = parse_timestamp(value)
        if stamp is not None:
            return stamp
        value = float(value)
    # abs() < 1e308 first: math.isfinite() of a longer int raises OverflowError.
    if not isinstance(value, int | float) or not (abs(value) < 1e308 and math.isfinite(value)):
        raise ValueError("not a time")
    if value < 0:
        raise ValueError("negative")
    return round(float(value), 3)
