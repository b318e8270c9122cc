"""Versioned migrations: an ordered list of steps, each applied once and recorded.

Opening a database applies every step above its recorded version, in one
transaction (see ``Store``), so an older database is upgraded in place and a
half-applied upgrade never exists. A database newer than the last step here
is refused rather than guessed at.

A released step never changes. Step 1 takes its tables from ``tables.py``,
which stays right while no later step alters those tables; the first step that
does must first copy step 1's table definitions in here.
``test_store_migrations_build_the_declared_schema`` fails until it does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, func, insert, inspect, select
from sqlalchemy.schema import CreateTable

from ..errors import StoreError
from .tables import TREND_INDEXES, V1_TABLES, schema_version


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


def _create_tables(conn: Connection) -> None:
    for table in V1_TABLES:
        conn.execute(CreateTable(table))  # the table alone; its indexes come in step 2


def _create_trend_indexes(conn: Connection) -> None:
    for index in TREND_INDEXES:
        index.create(conn)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "meetings, their scores and utterances, runs and errors", _create_tables),
    Migration(
        2, "indexes for history and trends: date, period, team, tag, speaker", _create_trend_indexes
    ),
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
