"""Writing one analysis: the record the store keeps and the rows it becomes."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Table,
    insert,
    select,
)

from ..labels import LABELS
from ..scorecard import Scorecard
from .tables import (
    analyses,
    flags,
    meeting_tags,
    meetings,
    requirement_scores,
    scorecards,
    speakers,
    utterances,
)

DATE_SOURCES = ("metadata", "filename", "modified")


@dataclass(frozen=True)
class MeetingRecord:
    """One analysis of a meeting as the store keeps it.

    ``fingerprint`` (of the spoken words) names the meeting; ``key`` (the
    meeting, classifier and scoring) names the analysis, which is kept once.
    """

    key: str
    fingerprint: str
    source: str
    content_hash: str
    date: datetime
    date_source: str
    scorecard: Scorecard
    tags: tuple[str, ...] = ()
    team: str | None = None

    def __post_init__(self) -> None:
        if self.date.tzinfo is None:
            raise ValueError("MeetingRecord.date must be timezone-aware")
        if self.date_source not in DATE_SOURCES:
            raise ValueError(f"date_source must be one of {DATE_SOURCES}, not {self.date_source!r}")


def name_key(name: str) -> str:
    """How speaker names are matched: any case, any Unicode normal form."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


def _now() -> datetime:
    return datetime.now(UTC)


def _meeting_id(conn: Connection, fingerprint: str) -> int:
    """The meeting with these spoken words, added if it is new."""
    found = conn.scalar(select(meetings.c.id).where(meetings.c.fingerprint == fingerprint))
    if found is not None:
        return int(found)
    added = conn.execute(
        insert(meetings).values(fingerprint=fingerprint, created_at=_now()).returning(meetings.c.id)
    )
    return int(added.scalar_one())


def _insert_analysis(conn: Connection, record: MeetingRecord, run_id: int | None) -> None:
    values, children = analysis_rows(record, run_id)
    values["meeting_id"] = _meeting_id(conn, record.fingerprint)
    analysis_id = conn.execute(
        insert(analyses).values(**values).returning(analyses.c.id)
    ).scalar_one()
    for table, rows in children.items():
        if rows:
            conn.execute(insert(table), [{"analysis_id": analysis_id, **row} for row in rows])


def analysis_rows(
    record: MeetingRecord, run_id: int | None
) -> tuple[dict[str, Any], dict[Table, list[dict[str, Any]]]]:
    """The ``analyses`` row of ``record`` (without its meeting) and its child rows
    per table (without their ``analysis_id``)."""
    card = record.scorecard
    info = card.meeting
    date = record.date.astimezone(UTC)
    iso = date.isocalendar()
    values: dict[str, Any] = dict(
        key=record.key,
        source=record.source,
        content_hash=record.content_hash,
        title=info.title,
        format=info.format,
        date=date,
        date_source=record.date_source,
        month=f"{date:%Y-%m}",
        week=f"{iso.year}-W{iso.week:02d}",
        duration=info.duration,
        turns=info.turns,
        words=info.words,
        speakers=info.speakers,
        team=record.team,
        classifier=card.producer.classifier,
        scoring=card.producer.scoring,
        overall=card.overall.score if card.overall else None,
        band=card.overall.band if card.overall else None,
        scope=card.assessment.scope,
        note=card.assessment.message,
        balance=card.balance.score,
        gini=card.balance.gini,
        created_at=_now(),
        run_id=run_id,
    )
    children: dict[Table, list[dict[str, Any]]] = {}
    children[meeting_tags] = [{"tag": t} for t in dict.fromkeys(record.tags)]
    children[requirement_scores] = [
        {
            "requirement": name,
            "score": req.score,
            "count": req.count,
            "rate": req.rate,
            "volume": req.volume,
            "breadth": req.breadth,
            "voices": json.dumps(req.voices, ensure_ascii=False),
            "penalties": json.dumps(req.penalties, sort_keys=True),
        }
        for name, req in card.requirements.items()
    ]
    children[speakers] = [
        {
            "position": i,
            "name": s.name,
            "name_key": name_key(s.name),
            "turns": s.turns,
            "words": s.words,
            "talk_share": s.talk_share,
            **{label: s.label_counts.get(label, 0) for label in LABELS},
        }
        for i, s in enumerate(card.speakers)
    ]
    children[utterances] = [
        {
            "position": i,
            "utterance_id": u.id,
            "speaker": u.speaker,
            "start": u.start,
            "end": u.end,
            "text": u.text,
            "labels": ";".join(label for label in LABELS if label in u.labels),
            **{f"score_{label}": u.scores.get(label, 0.0) for label in LABELS},
        }
        for i, u in enumerate(card.utterances)
    ]
    children[flags] = [
        {
            "position": i,
            "label": f.label,
            "utterance_id": f.utterance_id,
            "speaker": f.speaker,
            "start": f.start,
            "confidence": f.confidence,
            "phrase": f.phrase,
        }
        for i, f in enumerate(card.flags)
    ]
    children[scorecards] = [{"schema_version": card.schema_version, "json": card.model_dump_json()}]
    return values, children
