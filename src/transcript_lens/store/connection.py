"""Opening a results database: URLs, the default file, engines and their
pragmas, and one-line reasons for the errors a database gives."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import (
    URL,
    Connection,
    Engine,
    create_engine,
    event,
    make_url,
)
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from ..errors import StoreError

_WRITE = "transcript_lens_write"
_URL_HINT = "give a URL like sqlite:///path/to/results.db or postgresql+psycopg://user@host/db"


def default_file() -> Path:
    """Where the default SQLite database lives (the file may not exist yet)."""
    return (
        Path(platformdirs.user_data_dir("transcript-lens", appauthor=False)) / "transcript-lens.db"
    )


def creates_default(db: str | None) -> bool:
    """Opening ``Store(db)`` would create the default SQLite file (none exists yet)."""
    return db is None and not os.environ.get("TRANSCRIPT_LENS_DB") and not default_file().is_file()


def default_url() -> str:
    """``$TRANSCRIPT_LENS_DB``, else a SQLite file in the user's data folder (created)."""
    url = os.environ.get("TRANSCRIPT_LENS_DB")
    if url:
        return url
    folder = default_file().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(
            f"cannot create the data folder: {error.strerror or error}",
            path=folder,
            hint="set TRANSCRIPT_LENS_DB or pass --db with a database URL",
        ) from None
    return f"sqlite:///{default_file()}"


def _first_line(error: BaseException) -> str:
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__


_FULL_HINT = (
    "the disk holding the database is full: free some space and run the command again "
    "(batch goes on where it stopped)"
)
_IO_HINT = "the disk may be full or failing: check its free space and run the command again"
#: How long a SQLite write waits for another writer before giving up.
BUSY_SECONDS = 30
_BUSY_HINT = (
    f"another transcript-lens (or other program) kept the database busy for over "
    f"{BUSY_SECONDS} s: run the command again when it has finished"
)
_READ_ONLY_HINT = (
    "the database is read-only: check the permissions of the file and its folder, "
    "or pass --db with a database you may write to"
)
# SQLite's primary result codes (the low byte of extended ones) and PostgreSQL
# SQLSTATEs for the failures a user can do something about.
_SQLITE_HINTS = {5: _BUSY_HINT, 6: _BUSY_HINT, 8: _READ_ONLY_HINT, 10: _IO_HINT, 13: _FULL_HINT}
_POSTGRES_HINTS = {
    "53100": _FULL_HINT,  # disk_full
    "25006": _READ_ONLY_HINT,  # read_only_sql_transaction (a standby, or a read-only role)
    "55P03": _BUSY_HINT,  # lock_not_available
    "40P01": _BUSY_HINT,  # deadlock_detected
}


def _hint_for(error: DBAPIError) -> str | None:
    """What to do about ``error`` when it is one a user can act on, else None."""
    cause = error.orig
    code = getattr(cause, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in _SQLITE_HINTS:
        return _SQLITE_HINTS[code & 0xFF]
    state = getattr(cause, "sqlstate", None)
    if isinstance(state, str) and state in _POSTGRES_HINTS:
        return _POSTGRES_HINTS[state]
    text = str(cause).lower()
    if "no space left" in text or "disk is full" in text:
        return _FULL_HINT
    return None


def _shown(url: URL | str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return str(url)


def connect(url: str) -> Engine:
    """An engine for ``url`` with the pragmas and transaction handling the store relies on.

    ``postgresql://`` means psycopg 3, the driver in the ``postgres`` extra.
    Raises :class:`StoreError` for a URL that cannot work; connecting happens later.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"not a database URL: {url!r}", hint=_URL_HINT) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    backend = parsed.get_backend_name()
    options: dict[str, Any] = {}
    if backend == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            folder = Path(database).expanduser().absolute().parent
            if not folder.is_dir():
                raise StoreError(
                    "folder does not exist", path=folder, hint="create it or choose another --db"
                )
    elif backend == "postgresql":
        options = {"connect_args": {"connect_timeout": 10}, "pool_pre_ping": True}
    else:
        raise StoreError(f"unsupported database {backend!r}: {_shown(parsed)}", hint=_URL_HINT)
    try:
        engine = create_engine(parsed, **options)
    except (ImportError, NoSuchModuleError) as error:
        raise StoreError(
            f"no driver for {_shown(parsed)}: {_first_line(error)}",
            hint="use postgresql+psycopg:// (pip install 'transcript-lens[postgres]')",
        ) from None
    except ArgumentError as error:
        raise StoreError(f"bad database URL {_shown(parsed)}: {error}", hint=_URL_HINT) from None
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (see _sqlite_begin): the sqlite3 module's
    # own transaction handling skips DDL, so a migration could half-apply.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_SECONDS * 1000}")
    _use_wal(cursor)
    # With WAL, NORMAL keeps the file consistent; a power cut may lose the
    # last few commits, which a resumed batch simply redoes.
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _use_wal(cursor: Any) -> None:
    """Switch the database to WAL, waiting for another process doing the same.

    Changing the journal mode of a new file needs an exclusive lock, and SQLite
    answers "database is locked" at once, without busy_timeout, when another
    connection holds one: two batch runs opening a new database together failed
    half the time. So the switch waits here, as long as busy_timeout would.
    """
    deadline = time.monotonic() + BUSY_SECONDS
    pause = 0.005
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(2 * pause, 0.1)


def _sqlite_begin(conn: Connection) -> None:
    # A writer takes the lock up front: a read transaction that later writes
    # fails at once with SQLITE_BUSY when another writer got in first, with no
    # wait on busy_timeout.
    immediate = conn.get_execution_options().get(_WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
