"""Utterances to label one by one (``transcript-lens classify``): JSON Lines of
``{"text": ..., "context": <the turn it answers, or null>}``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable

from ..errors import InputError

_HINT = 'each line must be {"text": ..., "context": ...}'


def read_utterances(source: str) -> list[tuple[str, str | None]]:
    """(text, context) pairs from a JSON Lines file, or standard input for "-"."""
    if source == "-":
        return _parse(sys.stdin, "<stdin>")
    try:
        with open(source, encoding="utf-8-sig") as handle:
            return _parse(handle, source)
    except OSError as error:
        raise InputError(
            f"cannot read: {error.strerror or error}", path=source, hint="check the path"
        ) from None
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text", path=source) from None


def _parse(lines: Iterable[str], name: str) -> list[tuple[str, str | None]]:
    pairs: list[tuple[str, str | None]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(
                f"not valid JSON ({error.msg})", path=name, line=number, hint=_HINT
            ) from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise InputError('needs a "text" string', path=name, line=number, hint=_HINT)
        context = row.get("context")
        if context is not None and not isinstance(context, str):
            raise InputError('"context" must be a string or null', path=name, line=number)
        pairs.append((row["text"], context))
    return pairs
