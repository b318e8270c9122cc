"""Storing one analyzed meeting exactly as ``batch`` would (``analyze --save``)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from .batch.dates import meeting_date
from .identity import analysis_key, content_hash, fingerprint
from .model import Transcript
from .readers import decode
from .scorecard import Scorecard


def store_meeting(
    file: str,
    data: bytes,
    transcript: Transcript,
    card: Scorecard,
    *,
    db_url: str | None,
    tags: Sequence[str] = (),
    team: str | None = None,
) -> str:
    """Save ``card`` (idempotently); returns the line to show the user."""
    from .store import MeetingRecord, Store

    if file == "-":
        modified, name = datetime.now(tz=UTC), "stdin"
    else:
        path = Path(file)
        modified, name = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC), path.name
    date, date_source = meeting_date(name, decode(data, file), modified)
    words = fingerprint([u.text for u in transcript.utterances])
    record = MeetingRecord(
        key=analysis_key(words, card.producer.classifier, card.producer.scoring),
        fingerprint=words,
        source=file if file == "-" else os.path.abspath(file),
        content_hash=content_hash(data),
        date=date,
        date_source=date_source,
        scorecard=card,
        tags=tuple(tags),
        team=team,
    )
    with Store(db_url) as store:
        saved = store.save(record)
        where = _redact(store.url)
    when = f"{date:%Y-%m-%d} (from the {_how(date_source)})"
    if saved:
        return f"stored in {where}: meeting of {when}"
    return f"already stored in {where} (same meeting, classifier and scoring); nothing changed"


def _how(date_source: str) -> str:
    return {"metadata": "transcript", "filename": "file name", "modified": "file's time"}[
        date_source
    ]


def _redact(url: str) -> str:
    """A database URL without its password, fit to print."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - printing must never fail
        return "the database"
