"""JSON Lines: one ``{"speaker", "text", "start", "end"}`` object per line."""

from __future__ import annotations

import json
import math
from typing import Any

from ..errors import InputError
from ._common import RawTurn
from ._registry import register_reader


def json_limit(error: ValueError | RecursionError) -> str:
    """What a JSON parser that is not a syntax error refused, in a person's words."""
    if isinstance(error, RecursionError):
        return "nested too deeply"
    return "a number with too many digits"


_HINT = 'each line must be an object like {"speaker": "Ana", "text": "Hello"}; fix the line'


@register_reader(
    "jsonl",
    extensions=(".jsonl", ".json", ".ndjson"),
    detection="`.jsonl`, `.ndjson`, or `.json` and `{` lines holding one object each",
    example='`{"speaker": "Ana Lopez", "text": "Hello.", "start": 1.0, "end": 2.5}` per line',
)
def parse(text: str, source: str) -> list[RawTurn]:
    """Records to turns. ``start``/``end`` may be null or missing; ``id`` and other
    keys are accepted and ignored (ids are reassigned in meeting order)."""
    turns: list[RawTurn] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(
                f"bad JSON ({error.msg} at column {error.colno})",
                path=source,
                line=number,
                hint=_HINT,
            ) from None
        except (ValueError, RecursionError) as error:
            raise InputError(
                f"bad JSON ({json_limit(error)})", path=source, line=number, hint=_HINT
            ) from None
        if not isinstance(record, dict):
            raise InputError(
                f"expected a JSON object, found {type(record).__name__}",
                path=source,
                line=number,
                hint=_HINT,
            )
        turns.append(
            RawTurn(
                _speaker(record, number, source),
                _text(record, number, source),
                _seconds(record, "start", number, source),
                _seconds(record, "end", number, source),
                number,
            )
        )
    return turns


def _speaker(record: dict[str, Any], number: int, source: str) -> str:
    speaker = record.get("speaker")
    # Diarisation tools often number speakers; a number is still a name.
    if isinstance(speaker, int) and not isinstance(speaker, bool):
        speaker = str(speaker)
    if not isinstance(speaker, str) or not speaker.strip():
        raise InputError(
            'missing "speaker" (a non-empty string)', path=source, line=number, hint=_HINT
        )
    return speaker


def _text(record: dict[str, Any], number: int, source: str) -> str:
    text = record.get("text")
    if not isinstance(text, str):
        raise InputError('missing "text" (a string)', path=source, line=number, hint=_HINT)
    return text


def _seconds(record: dict[str, Any], key: str, number: int, source: str) -> float | None:
    value = record.get(key)
    if value is None:
        return None
    # abs() < 1e308 first: math.isfinite() of a longer int raises OverflowError.
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not (abs(value) < 1e308 and math.isfinite(value))
    ):
        raise InputError(
            f'"{key}" must be seconds (a number) or null, not {json.dumps(value)}',
            path=source,
            line=number,
            hint=_HINT,
        )
    if value < 0:
        raise InputError(f'"{key}" is negative ({value})', path=source, line=number, hint=_HINT)
    return float(value)
