"""Scorecard -> JSON: stable key order, so identical input gives identical bytes."""

from __future__ import annotations

import json

from ..scorecard import Scorecard


def to_json(scorecard: Scorecard) -> str:
    return scorecard.model_dump_json(indent=2) + "\n"


def schema_json() -> str:
    """The JSON Schema of the scorecard."""
    return json.dumps(Scorecard.model_json_schema(), indent=2, sort_keys=True) + "\n"
