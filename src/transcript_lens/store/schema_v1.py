"""The results database as migrations 1 and 2 built it, frozen.

Migration 3 turned ``meetings`` into ``analyses`` and added a ``meetings``
table of its own (see ``migrations.py``); these definitions stay as they were
so that steps 1 and 2 build the same tables they always did. Queries use
``tables.py``, the current shape.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ..labels import LABELS
from .types import UTCDateTime


def _meeting_fk() -> Column[int]:
    return Column(
        "meeting_id",
        Integer,
        ForeignKey("meetings.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )


def _label_columns(prefix: str, type_: type[Integer] | type[Float]) -> list[Column[Any]]:
    return [Column(f"{prefix}{label}", type_, nullable=False) for label in LABELS]


metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("description", Text, nullable=False),
    Column("applied_at", UTCDateTime, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("engine", String(40), nullable=False),
    Column("jobs", Integer, nullable=False),
    Column("inputs", Text, nullable=False, comment="JSON list of the paths given"),
    Column("classifier", Text, nullable=False),
    Column("scoring", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("done", Integer),
    Column("skipped", Integer),
    Column("failed", Integer),
)

meetings = Table(
    "meetings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(64), nullable=False),
    Column("source", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("format", String(20), nullable=False),
    Column("date", UTCDateTime, nullable=False),
    Column("date_source", String(20), nullable=False),
    # Periods are cut from the UTC date in Python so both backends bucket alike.
    Column("month", String(7), nullable=False, comment="YYYY-MM of date"),
    Column("week", String(8), nullable=False, comment="ISO YYYY-Www of date"),
    Column("duration", Float),
    Column("turns", Integer, nullable=False),
    Column("words", Integer, nullable=False),
    Column("speakers", Integer, nullable=False),
    Column("team", Text),
    Column("classifier", Text, nullable=False),
    Column("scoring", Text, nullable=False),
    Column("overall", Float, nullable=False),
    Column("band", String(40), nullable=False),
    Column("balance", Float, nullable=False),
    Column("gini", Float, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="SET NULL")),
    UniqueConstraint("key", name="uq_meetings_key"),
)

meeting_tags = Table(
    "meeting_tags",
    metadata,
    _meeting_fk(),
    Column("tag", Text, primary_key=True),
)

requirement_scores = Table(
    "requirement_scores",
    metadata,
    _meeting_fk(),
    Column("requirement", String(20), primary_key=True),
    Column("score", Float, nullable=False),
    Column("count", Integer, nullable=False),
    Column("rate", Float, nullable=False),
    Column("volume", Float, nullable=False),
    Column("breadth", Float, nullable=False),
    Column("voices", Text, nullable=False, comment="JSON list of speaker names"),
    Column("penalties", Text, nullable=False, comment="JSON object: anti-pattern -> share"),
)

speakers = Table(
    "speakers",
    metadata,
    _meeting_fk(),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("name", Text, nullable=False),
    # Folded in Python (rows.name_key): SQLite's lower() folds ASCII only,
    # PostgreSQL's follows the server's locale.
    Column("name_key", Text, nullable=False, comment="NFC casefolded name, for lookups"),
    Column("turns", Integer, nullable=False),
    Column("words", Integer, nullable=False),
    Column("talk_share", Float, nullable=False),
    *_label_columns("", Integer),
)

utterances = Table(
    "utterances",
    metadata,
    _meeting_fk(),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("utterance_id", Text, nullable=False),
    Column("speaker", Text, nullable=False),
    Column("start", Float),
    Column("end", Float),
    Column("text", Text, nullable=False),
    Column("labels", Text, nullable=False, comment="labels given, ';'-joined in taxonomy order"),
    *_label_columns("score_", Float),
)

flags = Table(
    "flags",
    metadata,
    _meeting_fk(),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("label", String(20), nullable=False),
    Column("utterance_id", Text, nullable=False),
    Column("speaker", Text, nullable=False),
    Column("start", Float),
    Column("confidence", Float, nullable=False),
    Column("phrase", Text),
)

scorecards = Table(
    "scorecards",
    metadata,
    _meeting_fk(),
    Column("schema_version", String(20), nullable=False),
    Column("json", Text, nullable=False, comment="Scorecard.model_dump_json()"),
)

errors = Table(
    "errors",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="SET NULL")),
    Column("source", Text, nullable=False),
    Column("content_hash", String(64)),
    Column("reason", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
)

#: The tables created by migration 1, in dependency order.
V1_TABLES = (
    runs,
    meetings,
    meeting_tags,
    requirement_scores,
    speakers,
    utterances,
    flags,
    scorecards,
    errors,
)

#: Indexes for the history and trend queries (migration 2).
TREND_INDEXES = (
    Index("ix_meetings_date", meetings.c.date),
    Index("ix_meetings_month", meetings.c.month),
    Index("ix_meetings_week", meetings.c.week),
    Index("ix_meetings_team", meetings.c.team),
    Index("ix_meeting_tags_tag", meeting_tags.c.tag),
    Index("ix_speakers_name_key", speakers.c.name_key),
    Index("ix_flags_label", flags.c.label),
)
