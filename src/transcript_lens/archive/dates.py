"""When a meeting took place: the file's own metadata, its name, or its mtime.

The first that gives a date wins, and the scorecard record says which:

- ``metadata``: a date the transcript carries itself — a ``date`` /
  ``meeting_date`` / ``recorded`` / ``start_time`` field on the first JSON
  line, or a ``Date:`` / ``Recorded:`` / ``NOTE date`` line in the first lines
  of a text, Otter, SRT or VTT file;
- ``filename``: a date in the file name (``2024-03-07``, ``2024_03_07``,
  ``20240307``, optionally followed by a time ``T1430`` / ``_14-30``);
- ``modified``: the file's (or zip member's) modification time.

Dates without a zone are taken as UTC.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

_HEAD_LINES = 12
_META_KEYS = ("date", "meeting_date", "recorded", "recorded_at", "start_time", "started_at")
_META_LINE = re.compile(
    r"^\s*(?:NOTE\s+)?(?:date|meeting date|recorded(?: on| at)?|start time)"
    r"\s*[:=]\s*(?P<value>.+)$",
    re.IGNORECASE,
)
_NAME_DATE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})[-_.]?(?P<m>0[1-9]|1[0-2])[-_.]?(?P<d>0[1-9]|[12]\d|3[01])"
    r"(?:[T_ -]?(?P<H>[01]\d|2[0-3])[-_.:h]?(?P<M>[0-5]\d))?(?!\d)"
)


def parse_date(value: str) -> datetime | None:
    """An ISO-8601 date or date-time (``Z`` allowed); ``None`` if it is not one."""
    value = value.strip().strip('"').strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        found = _NAME_DATE.search(value)
        if not found:
            return None
        return _from_match(found)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _from_match(found: re.Match[str]) -> datetime | None:
    try:
        return datetime(
            int(found["y"]),
            int(found["m"]),
            int(found["d"]),
            int(found["H"] or 0),
            int(found["M"] or 0),
            tzinfo=UTC,
        )
    except ValueError:  # 2023-02-30 and the like
        return None


def from_metadata(text: str) -> datetime | None:
    head = text.lstrip("\ufeff").lstrip()
    if head.startswith("{"):
        first = head.split("\n", 1)[0]
        try:
            row = json.loads(first)
        except json.JSONDecodeError:
            return None
        if isinstance(row, dict):
            for holder in (row, row.get("meeting"), row.get("metadata")):
                if isinstance(holder, dict):
                    for key in _META_KEYS:
                        if isinstance(holder.get(key), str):
                            parsed = parse_date(holder[key])
                            if parsed:
                                return parsed
        return None
    for line in head.split("\n", _HEAD_LINES)[:_HEAD_LINES]:
        found = _META_LINE.match(line)
        if found:
            parsed = parse_date(found["value"])
            if parsed:
                return parsed
    return None


def from_name(name: str) -> datetime | None:
    for found in _NAME_DATE.finditer(name):
        parsed = _from_match(found)
        if parsed:
            return parsed
    return None


def meeting_date(file_name: str, text: str, modified: datetime) -> tuple[datetime, str]:
    """(date, how it was found): ``metadata``, ``filename`` or ``modified``."""
    found = from_metadata(text)
    if found:
        return found, "metadata"
    found = from_name(file_name)
    if found:
        return found, "filename"
    return modified.astimezone(UTC), "modified"
