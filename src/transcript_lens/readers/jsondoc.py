"""One JSON document: a Fireflies export, or an array of turn objects.

Fireflies writes ``{"sentences": [...]}`` (its API nests the same list under
``data.transcript``); each sentence has ``speaker_name``, ``text`` and
``start_time``/``end_time`` in seconds. Other tools write a plain array of
``{"speaker", "text", "start", "end"}`` objects; the names accepted for each
part are in data/fields.toml. JSON Lines (one object per line) is the ``jsonl``
reader's.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import InputError
from ._common import RawTurn
from ._fields import names_for, seconds
from ._registry import register_reader
from .jsonl import json_limit

# Where exports keep their list of turns, most common first.
_LIST_PATHS = (("sentences",), ("data", "transcript", "sentences"), ("transcript", "sentences"))
_HINT = (
    'expected {"sentences": [{"speaker_name", "text", "start_time", "end_time"}, ...]} '
    'or [{"speaker", "text", "start", "end"}, ...]'
)


def is_single_document(text: str) -> bool:
    """Whether ``text`` holds exactly one JSON value that is not a lone turn record.

    One line holding one ``{"speaker": ..., "text": ...}`` object is a JSON Lines
    file with one record, and stays with the ``jsonl`` reader.
    """
    text = text.strip()
    if not text.startswith(("{", "[")):
        return False
    try:
        value, end = json.JSONDecoder().raw_decode(text)
    except (ValueError, RecursionError) as error:
        if not isinstance(error, json.JSONDecodeError):
            return True  # JSON too deep or long-numbered to parse is still one document
        # Broken JSON: an object spread over lines is a document, one per line is
        # not; "[00:01] Ana: hi" is a text line, not an array.
        if text.startswith("["):
            return text[1:].lstrip()[:1] in ("{", "[", '"', "]")
        return not text.split("\n", 1)[0].rstrip().endswith("}")
    if text[end:].strip():
        return False
    return not (isinstance(value, dict) and "\n" not in text and "text" in value)


@register_reader(
    "json",
    extensions=(".json",),
    merge=True,
    detection="`.json` holding one JSON document (not one object per line)",
    example='Fireflies: `{"sentences": [{"speaker_name": "Ana Lopez", "text": "Hi.", '
    '"start_time": 0.4, "end_time": 1.2}]}`; or `[{"speaker", "text", "start", "end"}]`',
)
def parse(text: str, source: str) -> list[RawTurn]:
    """Sentences or turn objects to turns, in the order written.

    Times are seconds, as numbers or strings (``"12.5"``, ``"0:00:12.5"``), and
    may be missing. A sentence without ``speaker_name`` but with a
    ``speaker_id`` is "Speaker <id>", as Fireflies shows it.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"bad JSON ({error.msg} at column {error.colno})",
            path=source,
            line=error.lineno,
            hint="fix the JSON; for one object per line use a .jsonl file",
        ) from None
    except (ValueError, RecursionError) as error:
        raise InputError(
            f"bad JSON ({json_limit(error)})",
            path=source,
            hint="fix the JSON; for one object per line use a .jsonl file",
        ) from None
    records, where = _records(document, source)
    return [_turn(record, f"{where}[{index}]", source) for index, record in enumerate(records)]


def _records(document: Any, source: str) -> tuple[list[Any], str]:
    if isinstance(document, list):
        return document, ""
    if not isinstance(document, dict):
        raise InputError(
            f"expected a JSON object or array, found {_kind(document)}", path=source, hint=_HINT
        )
    for keys in _LIST_PATHS:
        value: Any = document
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if value is not None:
            where = ".".join(keys)
            if not isinstance(value, list):
                raise InputError(
                    f"{where}: expected an array, found {_kind(value)}", path=source, hint=_HINT
                )
            return value, where
    raise InputError('has no "sentences" array', path=source, hint=_HINT)


def _turn(record: Any, where: str, source: str) -> RawTurn:
    if not isinstance(record, dict):
        raise InputError(
            f"{where}: expected an object, found {_kind(record)}", path=source, hint=_HINT
        )
    fields = {key.lower(): value for key, value in record.items()}
    return RawTurn(
        _speaker(fields, where, source),
        _text(fields, where, source),
        _time(fields, "start", where, source),
        _time(fields, "end", where, source),
    )


def _first(fields: dict[str, Any], part: str) -> tuple[str, Any] | None:
    for name in names_for("json", part):
        if fields.get(name) is not None:
            return name, fields[name]
    return None


def _speaker(fields: dict[str, Any], where: str, source: str) -> str:
    found = _first(fields, "speaker")
    value = found[1] if found else None
    # Diarisation tools number speakers; a number is still a name.
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and value.strip():
        return value
    speaker_id = fields.get("speaker_id")
    if isinstance(speaker_id, int | str) and not isinstance(speaker_id, bool):
        return f"Speaker {speaker_id}"
    names = ", ".join(names_for("json", "speaker"))
    raise InputError(f"{where}: no speaker (one of {names})", path=source, hint=_HINT)


def _text(fields: dict[str, Any], where: str, source: str) -> str:
    found = _first(fields, "text")
    if found is None:
        raise InputError(f"{where}: no text", path=source, hint=_HINT)
    name, value = found
    if isinstance(value, list):
        # Word-level output: ["Hello", "there"] or [{"word": "Hello"}, ...].
        value = " ".join(_word(item) for item in value)
    if not isinstance(value, str):
        raise InputError(
            f'{where}: "{name}" must be a string, not {_kind(value)}', path=source, hint=_HINT
        )
    return value


def _word(item: Any) -> str:
    if isinstance(item, dict):
        item = item.get("word", item.get("text", ""))
    return item if isinstance(item, str) else ""


def _time(fields: dict[str, Any], part: str, where: str, source: str) -> float | None:
    found = _first(fields, part)
    if found is None:
        return None
    name, value = found
    try:
        return seconds(value)
    except ValueError:
        raise InputError(
            f'{where}: "{name}" must be seconds or h:mm:ss, not {json.dumps(value)}',
            path=source,
            hint=_HINT,
        ) from None


def _kind(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "true/false"}.get(
        type(value), "null" if value is None else "a number"
    )
