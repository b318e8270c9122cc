"""The current shape of the results database, for queries (Core tables, no ORM).

A **meeting** is one row of ``meetings``, known by the fingerprint of its
spoken words (the same meeting exported as VTT and as text is one meeting).
Each time it is analyzed (another classifier, scoring, people map, coach or
redaction) it gains a row of ``analyses``; scores, speakers, utterances, flags
and the scorecard belong to an analysis.

The database itself is built and upgraded only by ``migrations.py``; a test
checks that a migrated database has exactly these tables, columns and indexes.
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


def _analysis_fk() -> Column[int]:
    return Column(
        "analysis_id",
        Integer,
        ForeignKey("analyses.id", ondelete="CASCADE"),
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
    Column("fingerprint", String(64), nullable=False, comment="SHA-256 of the spoken words"),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("fingerprint", name="uq_meetings_fingerprint"),
)

analyses = Table(
    "analyses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(64), nullable=False, comment="meeting, classifier and scoring"),
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
    # Null when the meeting was not scored (migration 4): ``note`` says why.
    Column("overall", Float),
    Column("band", String(40)),
    Column("balance", Float, nullable=False),
    Column("gini", Float, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="SET NULL")),
    # Added by migration 3, so last; always set (SQLite cannot add a NOT NULL
    # foreign key to a table that has rows).
    Column("meeting_id", Integer, ForeignKey("meetings.id", ondelete="CASCADE")),
    # Added by migration 4: what was judged (meeting, q_and_a, none; null before
    # it: the meeting) and the scorecard's reason in plain words, if any.
    Column("scope", String(10)),
    Column("note", Text),
    # The name is from before migration 3, when this table was ``meetings``
    # (SQLite cannot rename a constraint).
    UniqueConstraint("key", name="uq_meetings_key"),
)

meeting_tags = Table(
    "meeting_tags",
    metadata,
    _analysis_fk(),
    Column("tag", Text, primary_key=True),
)

requirement_scores = Table(
    "requirement_scores",
    metadata,
    _analysis_fk(),
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
    _analysis_fk(),
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
    _analysis_fk(),
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
    _analysis_fk(),
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
    _analysis_fk(),
    Column("schema_version", String(20), nullable=False),
    Column("json", Text, nullable=False, comment="Scorecard.model_dump_json()"),
)

corrections = Table(
    "corrections",
    metadata,
    Column("id", Integer, primary_key=True),
    # Of the meeting, not of one analysis: a re-analysis keeps them.
    Column(
        "meeting_id",
        Integer,
        ForeignKey("meetings.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("utterance_id", Text, nullable=False),
    Column("text_hash", String(64), nullable=False, comment="SHA-256 of the turn's text"),
    Column("labels", Text, nullable=False, comment="the labels a person set, ';'-joined"),
    Column("previous", Text, nullable=False, comment="the labels before, ';'-joined"),
    Column("by", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
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

#: Indexes for the history and trend queries and for finding a meeting's analyses.
INDEXES = (
    Index("ix_analyses_date", analyses.c.date),
    Index("ix_analyses_month", analyses.c.month),
    Index("ix_analyses_week", analyses.c.week),
    Index("ix_analyses_team", analyses.c.team),
    Index("ix_corrections_meeting", corrections.c.meeting_id),
    Index("ix_analyses_meeting", analyses.c.meeting_id),
    Index("ix_meeting_tags_tag", meeting_tags.c.tag),
    Index("ix_speakers_name_key", speakers.c.name_key),
    Index("ix_flags_label", flags.c.label),
)
