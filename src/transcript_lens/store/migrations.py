"""Versioned migrations: an ordered list of steps, each applied once and recorded.

Opening a database applies every step above its recorded version, in one
transaction (see ``Store``), so an older database is upgraded in place and a
half-applied upgrade never exists. A database newer than the last step here
is refused rather than guessed at.

A released step never changes. Steps 1 and 2 take their tables from
``schema_v1.py``, frozen when step 3 changed them; ``tables.py`` is the shape
after the last step, and ``test_store_migrations_build_the_declared_schema``
checks that the steps build exactly it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, func, insert, inspect, select, text, update
from sqlalchemy.schema import CreateTable

from ..errors import StoreError
from ..identity import fingerprint
from . import schema_v1
from .tables import INDEXES, analyses, corrections, meetings, schema_version, utterances


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


def _create_tables(conn: Connection) -> None:
    for table in schema_v1.V1_TABLES:
        conn.execute(CreateTable(table))  # the table alone; its indexes come in step 2


def _create_trend_indexes(conn: Connection) -> None:
    for index in schema_v1.TREND_INDEXES:
        index.create(conn)


#: Tables whose rows belonged to a v1 ``meetings`` row and now to an analysis.
_CHILDREN = ("meeting_tags", "requirement_scores", "speakers", "utterances", "flags", "scorecards")


def _meetings_and_analyses(conn: Connection) -> None:
    """Step 3: a meeting is one row, each analysis of it another.

    The v1 ``meetings`` table held one row per analysis; it becomes
    ``analyses``, its children point at it by ``analysis_id``, and a new
    ``meetings`` table holds one row per fingerprint of the spoken words,
    recomputed from each analysis's stored utterances, so that two analyses
    of one meeting (another classifier, a coach, a people map) meet in it.
    """
    postgres = conn.dialect.name == "postgresql"
    for index in schema_v1.TREND_INDEXES[:4]:  # the four on v1 meetings
        index.drop(conn)
    conn.execute(text("ALTER TABLE meetings RENAME TO analyses"))
    if postgres:
        # Names PostgreSQL derived from the old table name; SQLite keeps none.
        conn.execute(text("ALTER SEQUENCE meetings_id_seq RENAME TO analyses_id_seq"))
        conn.execute(text("ALTER TABLE analyses RENAME CONSTRAINT meetings_pkey TO analyses_pkey"))
        conn.execute(
            text(
                "ALTER TABLE analyses RENAME CONSTRAINT meetings_run_id_fkey "
                "TO analyses_run_id_fkey"
            )
        )
    for child in _CHILDREN:
        conn.execute(text(f"ALTER TABLE {child} RENAME COLUMN meeting_id TO analysis_id"))
    conn.execute(CreateTable(meetings))
    conn.execute(
        text(
            "ALTER TABLE analyses ADD COLUMN meeting_id INTEGER "
            "REFERENCES meetings (id) ON DELETE CASCADE"
        )
    )
    found: dict[str, int] = {}
    rows = conn.execute(select(analyses.c.id, analyses.c.created_at).order_by(analyses.c.id))
    for analysis_id, created_at in rows.all():
        texts = conn.scalars(
            select(utterances.c.text)
            .where(utterances.c.analysis_id == analysis_id)
            .order_by(utterances.c.position)
        ).all()
        print_ = fingerprint(list(texts))
        if print_ not in found:
            found[print_] = conn.execute(
                insert(meetings)
                .values(fingerprint=print_, created_at=created_at)
                .returning(meetings.c.id)
            ).scalar_one()
        conn.execute(
            update(analyses)
            .where(analyses.c.id == bindparam("a"))
            .values(meeting_id=found[print_]),
            {"a": analysis_id},
        )
    for index in INDEXES:
        if index.table is analyses:
            index.create(conn)


def _not_scored(conn: Connection) -> None:
    """Step 4: an analysis may have no index and band (a meeting not scored),
    and says what was judged and why (``scope``, ``note``)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("ALTER TABLE analyses ALTER COLUMN overall DROP NOT NULL"))
        conn.execute(text("ALTER TABLE analyses ALTER COLUMN band DROP NOT NULL"))
        conn.execute(text("ALTER TABLE analyses ADD COLUMN scope VARCHAR(10)"))
        conn.execute(text("ALTER TABLE analyses ADD COLUMN note TEXT"))
        return
    # SQLite cannot drop NOT NULL with ALTER TABLE, and rebuilding the table
    # would cascade to every child row (foreign keys cannot be turned off inside
    # the migration's transaction). Removing a NOT NULL changes nothing stored,
    # so the table's definition is edited in place, the way SQLite's
    # documentation of ALTER TABLE gives for exactly this change.
    sql = conn.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'analyses'")
    ).scalar_one()
    for column in ("overall FLOAT NOT NULL", "band VARCHAR(40) NOT NULL"):
        if sql.count(column) != 1:
            raise StoreError(
                f"cannot upgrade the analyses table: its definition has {column!r} "
                f"{sql.count(column)} times, not once",
                hint="this database was changed by something other than transcript-lens",
            )
        sql = sql.replace(column, column.removesuffix(" NOT NULL"))
    version = conn.execute(text("PRAGMA schema_version")).scalar_one()
    conn.execute(text("PRAGMA writable_schema = ON"))
    try:
        conn.execute(
            text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'analyses'"),
            {"sql": sql},
        )
        conn.execute(text(f"PRAGMA schema_version = {int(version) + 1}"))
    finally:
        conn.execute(text("PRAGMA writable_schema = OFF"))
    problems = conn.execute(text("PRAGMA integrity_check")).scalars().all()
    if problems != ["ok"]:
        raise StoreError(f"the upgraded database fails its integrity check: {problems[0]}")
    conn.execute(text("ALTER TABLE analyses ADD COLUMN scope VARCHAR(10)"))
    conn.execute(text("ALTER TABLE analyses ADD COLUMN note TEXT"))


def _corrections(conn: Connection) -> None:
    """Step 5: labels a person corrected, kept per meeting."""
    conn.execute(CreateTable(corrections))  # as tables.py has it at step 5
    for index in INDEXES:
        if index.table is corrections:
            index.create(conn)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "meetings, their scores and utterances, runs and errors", _create_tables),
    Migration(
        2, "indexes for history and trends: date, period, team, tag, speaker", _create_trend_indexes
    ),
    Migration(
        3,
        "a meeting is one row, known by its spoken words; each analysis of it is a row of analyses",
        _meetings_and_analyses,
    ),
    Migration(
        4,
        "an analysis can be 'not scored': no index or band, what was judged and why",
        _not_scored,
    ),
    Migration(5, "corrections: labels a person changed, per meeting", _corrections),
)

LATEST = MIGRATIONS[-1].version


def current_version(conn: Connection) -> int:
    """The database's schema version: 0 for an empty database."""
    if not inspect(conn).has_table(schema_version.name):
        return 0
    return conn.scalar(select(func.max(schema_version.c.version))) or 0


def check_version(version: int) -> None:
    if version > LATEST:
        raise StoreError(
            f"database schema version {version} is newer than this transcript-lens knows "
            f"({LATEST})",
            hint="upgrade transcript-lens, or point --db at another database",
        )


def migrate(conn: Connection, *, target: int | None = None) -> int:
    """Apply the steps above the database's version up to ``target``, in ``conn``'s
    transaction; return the version reached.

    The caller holds the write lock, so two processes opening a new database at
    once do not both build it.
    """
    target = LATEST if target is None else target
    schema_version.create(conn, checkfirst=True)
    version = current_version(conn)
    check_version(version)
    for step in MIGRATIONS:
        if version < step.version <= target:
            step.apply(conn)
            conn.execute(
                insert(schema_version).values(
                    version=step.version,
                    description=step.description,
                    applied_at=datetime.now(UTC),
                )
            )
            version = step.version
    return version
