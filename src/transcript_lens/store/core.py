"""Store: scorecards in SQLite or PostgreSQL, written one meeting per transaction."""

from __future__ import annotations

import json
import os
import sqlite3
import time
import unicodedata
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import platformdirs
from pydantic import ValidationError
from sqlalchemy import (
    URL,
    ColumnElement,
    Connection,
    Engine,
    Select,
    Table,
    case,
    create_engine,
    event,
    func,
    insert,
    make_url,
    select,
    text,
    update,
)
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, NoSuchModuleError

from ..errors import StoreError
from ..labels import ANTI_PATTERNS, LABELS, REQUIREMENTS
from ..scorecard import Scorecard
from .migrations import LATEST, check_version, current_version, migrate
from .tables import (
    analyses,
    errors,
    flags,
    meeting_tags,
    meetings,
    requirement_scores,
    runs,
    scorecards,
    speakers,
    utterances,
)

DATE_SOURCES = ("metadata", "filename", "modified")
RUN_STATUSES = ("finished", "failed", "interrupted")
PERIODS = ("month", "week")

# Any constant will do; it only has to be the same in every process.
_MIGRATION_LOCK = 0x7472_616E_736C  # "transl"
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


def name_key(name: str) -> str:
    """How speaker names are matched: any case, any Unicode normal form."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


def _now() -> datetime:
    return datetime.now(UTC)


class Store:
    """The results database. Opening it upgrades its schema to the current version.

    One ``Store`` per process: open a new one in each worker rather than
    passing one across ``fork``.
    """

    url: str
    schema_version: int

    def __init__(self, url: str | None = None) -> None:
        self.url = url if url is not None else default_url()
        self._shown = _shown(self.url)
        self._engine = connect(self.url)
        self._postgres = self._engine.dialect.name == "postgresql"
        # Byte order on both backends: PostgreSQL would otherwise sort by its locale.
        self._binary = "C" if self._postgres else "BINARY"
        try:
            hint = (
                "check the URL and that the server is up"
                if self._postgres
                else "check the path and that you may write to its folder"
            )
            with self._database_errors(f"cannot open database {self._shown}", hint):
                with self._engine.connect() as conn:
                    version = current_version(conn)
                check_version(version)
                if version < LATEST:
                    with self._write() as conn:
                        if self._postgres:
                            conn.execute(
                                text("SELECT pg_advisory_xact_lock(:key)"),
                                {"key": _MIGRATION_LOCK},
                            )
                        version = migrate(conn)
        except BaseException:
            self._engine.dispose()
            raise
        self.schema_version = version

    def __repr__(self) -> str:
        return f"Store({self._shown!r})"

    @property
    def shown(self) -> str:
        """The database's URL without its password, fit to print."""
        return self._shown

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _database_errors(self, action: str, hint: str | None = None) -> Iterator[None]:
        """Database failures as one :class:`StoreError` line, with what to do about them."""
        try:
            yield
        except DBAPIError as error:
            raise StoreError(
                f"{action}: {_first_line(error)}", hint=_hint_for(error) or hint
            ) from None

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._engine.connect() as conn:
            conn.execution_options(**{_WRITE: True})
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self, action: str) -> Iterator[Connection]:
        with self._database_errors(f"{action} in {self._shown}"), self._engine.connect() as conn:
            yield conn

    # Runs and errors ---------------------------------------------------------

    def begin_run(
        self, *, engine: str, jobs: int, inputs: Sequence[str], classifier: str, scoring: str
    ) -> int:
        """Record the start of a batch run; return its id."""
        with self._database_errors(f"cannot record the run in {self._shown}"), self._write() as c:
            result = c.execute(
                insert(runs)
                .values(
                    started_at=_now(),
                    engine=engine,
                    jobs=jobs,
                    inputs=json.dumps(list(inputs), ensure_ascii=False),
                    classifier=classifier,
                    scoring=scoring,
                    status="running",
                )
                .returning(runs.c.id)
            )
            return int(result.scalar_one())

    def end_run(self, run_id: int, *, done: int, skipped: int, failed: int, status: str) -> None:
        if status not in RUN_STATUSES:
            raise ValueError(f"status must be one of {RUN_STATUSES}, not {status!r}")
        with self._database_errors(f"cannot record the run in {self._shown}"), self._write() as c:
            c.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(
                    finished_at=_now(), done=done, skipped=skipped, failed=failed, status=status
                )
            )

    def record_error(
        self, run_id: int | None, source: str, content_hash: str | None, reason: str
    ) -> None:
        """Record why ``source`` could not be scored."""
        with self._database_errors(f"cannot record an error in {self._shown}"), self._write() as c:
            c.execute(
                insert(errors).values(
                    run_id=run_id,
                    source=source,
                    content_hash=content_hash,
                    reason=reason,
                    at=_now(),
                )
            )

    # Meetings ----------------------------------------------------------------

    def done_keys(self) -> set[str]:
        """Keys of every stored analysis (a resumed batch skips these)."""
        with self._read("cannot read meetings") as conn:
            return set(conn.scalars(select(analyses.c.key)))

    def meeting_count(self) -> int:
        """Meetings, each counted once however often it was analyzed."""
        with self._read("cannot read meetings") as conn:
            return int(conn.scalar(select(func.count()).select_from(meetings)) or 0)

    def analysis_count(self) -> int:
        with self._read("cannot read meetings") as conn:
            return int(conn.scalar(select(func.count()).select_from(analyses)) or 0)

    def _has(self, key: str) -> bool:
        with self._read("cannot read meetings") as conn:
            return conn.scalar(select(analyses.c.id).where(analyses.c.key == key)) is not None

    def save(self, record: MeetingRecord, *, run_id: int | None = None) -> bool:
        """Store one analysis and all its rows in one transaction, under its
        meeting (found by fingerprint, or added).

        Returns False, storing nothing, when an analysis with ``record.key`` is
        already there, also when another process stores it at the same moment.
        """
        with self._database_errors(f"cannot save {record.source} to {self._shown}"):
            for attempt in (1, 2):
                try:
                    with self._write() as conn:
                        found = conn.scalar(
                            select(analyses.c.id).where(analyses.c.key == record.key)
                        )
                        if found is not None:
                            return False
                        _insert_analysis(conn, record, run_id)
                    break
                except IntegrityError:
                    # Lost a race (PostgreSQL, where writers do not wait for each
                    # other up front): for the analysis, it is stored; for a new
                    # meeting's row, it exists now, so one more try joins it.
                    if self._has(record.key):
                        return False
                    if attempt == 2:
                        raise
        return True

    # Queries -----------------------------------------------------------------

    def _filters(
        self,
        *,
        tag: str | None = None,
        team: str | None = None,
        speaker: str | None = None,
        all_analyses: bool = False,
    ) -> list[ColumnElement[bool]]:
        """The analyses a query keeps: those matching the filters, and of each
        meeting only the latest of them unless ``all_analyses``."""
        where: list[ColumnElement[bool]] = []
        if tag is not None:
            tagged = select(meeting_tags.c.analysis_id).where(meeting_tags.c.tag == tag)
            where.append(analyses.c.id.in_(tagged))
        if team is not None:
            where.append(analyses.c.team == team)
        if speaker is not None:
            spoke = select(speakers.c.analysis_id).where(speakers.c.name_key == name_key(speaker))
            where.append(analyses.c.id.in_(spoke))
        if all_analyses:
            return where
        # A meeting counts once: its latest analysis among those that match.
        latest = (
            select(func.max(analyses.c.id))
            .where(*where)
            .group_by(analyses.c.meeting_id)
            .correlate(None)
        )
        return [analyses.c.id.in_(latest)]

    def _meeting_order(self) -> list[ColumnElement[Any]]:
        return [
            analyses.c.date,
            analyses.c.source.collate(self._binary),
            analyses.c.key.collate(self._binary),
        ]

    def history(
        self,
        *,
        tag: str | None = None,
        team: str | None = None,
        speaker: str | None = None,
        all_analyses: bool = False,
    ) -> list[dict[str, Any]]:
        """One row per meeting, by date then source, with its scores and flag counts.

        ``id`` is the meeting, ``analysis`` the analysis shown (the latest
        that matches; with ``all_analyses`` one row per analysis) and
        ``analyses`` how many the meeting has. With ``speaker`` (any case)
        only the meetings they spoke in.
        """
        rs = requirement_scores
        scores = (
            select(
                rs.c.analysis_id,
                *(
                    func.max(case((rs.c.requirement == r, rs.c.score))).label(r)
                    for r in REQUIREMENTS
                ),
            )
            .group_by(rs.c.analysis_id)
            .subquery()
        )
        flagged = (
            select(
                flags.c.analysis_id,
                *(func.count(case((flags.c.label == a, 1))).label(a) for a in ANTI_PATTERNS),
            )
            .group_by(flags.c.analysis_id)
            .subquery()
        )
        counted = (
            select(analyses.c.meeting_id, func.count().label("analyses"))
            .group_by(analyses.c.meeting_id)
            .subquery()
        )
        m = analyses.c
        where = self._filters(tag=tag, team=team, speaker=speaker, all_analyses=all_analyses)
        query = (
            select(
                m.meeting_id.label("id"),
                m.id.label("analysis"),
                counted.c.analyses,
                m.date,
                m.date_source,
                m.source,
                m.content_hash,
                m.title,
                m.format,
                m.duration,
                m.turns,
                m.speakers,
                m.overall,
                m.band,
                *(scores.c[r] for r in REQUIREMENTS),
                *(func.coalesce(flagged.c[a], 0).label(a) for a in ANTI_PATTERNS),
                m.team,
                m.classifier,
                m.scoring,
            )
            .join(counted, counted.c.meeting_id == m.meeting_id)
            .outerjoin(scores, scores.c.analysis_id == m.id)
            .outerjoin(flagged, flagged.c.analysis_id == m.id)
            .where(*where)
            .order_by(*self._meeting_order())
        )
        tag_query = (
            select(meeting_tags.c.analysis_id, meeting_tags.c.tag)
            .join(analyses, analyses.c.id == meeting_tags.c.analysis_id)
            .where(*where)
            .order_by(meeting_tags.c.tag.collate(self._binary))
        )
        with self._read("cannot read history") as conn:
            tags: dict[int, list[str]] = {}
            for analysis_id, name in conn.execute(tag_query):
                tags.setdefault(analysis_id, []).append(name)
            rows = []
            for row in conn.execute(query).mappings():
                item = dict(row)
                tail = {key: item.pop(key) for key in ("team", "classifier", "scoring")}
                rows.append({**item, "tags": tags.get(item["analysis"], []), **tail})
        return rows

    def trends(
        self,
        *,
        by: str = "month",
        speaker: str | None = None,
        tag: str | None = None,
        team: str | None = None,
        all_analyses: bool = False,
    ) -> list[dict[str, Any]]:
        """Per period: meetings, mean requirement scores and index, summed flags.

        ``tag``, ``team`` and ``all_analyses`` keep the analyses ``history``
        keeps for them: each meeting once, by its latest analysis, by default.
        With ``speaker`` (any case) only meetings they spoke in count, and their
        own turns, words and label counts are added as ``speaker_*`` columns.
        Means are taken over scores in tenths, which add exactly, so SQLite and
        PostgreSQL give the same figures to the last digit.
        """
        if by not in PERIODS:
            raise StoreError(f"cannot group by {by!r}", hint="use month or week")
        period = analyses.c[by].label("period")
        where = self._filters(tag=tag, team=team, speaker=speaker, all_analyses=all_analyses)
        tenths = func.round(analyses.c.overall * 10.0)
        per_meeting: Select[Any] = (
            select(period, func.count(), func.sum(tenths)).where(*where).group_by(period)
        )
        rs = requirement_scores
        per_requirement: Select[Any] = (
            select(period, rs.c.requirement, func.count(), func.sum(func.round(rs.c.score * 10.0)))
            .join(analyses, analyses.c.id == rs.c.analysis_id)
            .where(*where)
            .group_by(period, rs.c.requirement)
        )
        per_flag: Select[Any] = (
            select(period, flags.c.label, func.count())
            .join(analyses, analyses.c.id == flags.c.analysis_id)
            .where(*where)
            .group_by(period, flags.c.label)
        )
        rows: dict[str, dict[str, Any]] = {}
        with self._read("cannot read trends") as conn:
            for name, count, total in conn.execute(per_meeting):
                rows[name] = {"period": name, "meetings": count, "overall": _mean(total, count)}
                rows[name].update({r: None for r in REQUIREMENTS})
                rows[name].update({a: 0 for a in ANTI_PATTERNS})
            for name, requirement, count, total in conn.execute(per_requirement):
                if requirement in REQUIREMENTS:
                    rows[name][requirement] = _mean(total, count)
            for name, label, count in conn.execute(per_flag):
                if label in ANTI_PATTERNS:
                    rows[name][label] = count
            if speaker is not None:
                sp = speakers.c
                own = (
                    select(
                        period,
                        func.sum(sp.turns),
                        func.sum(sp.words),
                        *(func.sum(sp[label]) for label in LABELS),
                    )
                    .join(analyses, analyses.c.id == sp.analysis_id)
                    .where(*where, sp.name_key == name_key(speaker))
                    .group_by(period)
                )
                for name, turns, words, *counts in conn.execute(own):
                    rows[name].update(speaker_turns=int(turns), speaker_words=int(words))
                    rows[name].update(
                        {
                            f"speaker_{label}": int(n)
                            for label, n in zip(LABELS, counts, strict=True)
                        }
                    )
        return [rows[name] for name in sorted(rows)]

    def find(self, ref: str) -> list[dict[str, Any]]:
        """History rows of the meetings ``ref`` names: an id, a title, a key or hash prefix,
        a source.

        Each meeting comes once, by its latest analysis (the row's ``analysis``).
        A number is a meeting id; otherwise the meetings whose title is ``ref``
        (any case, whole or as the history table shortens it), whose key or
        content hash starts with ``ref`` (at least 6 characters), or whose
        source path is ``ref`` or ends with it.
        """
        ref = ref.strip()
        rows = self.history()
        if ref.isdigit():
            return [row for row in rows if row["id"] == int(ref)]
        with self._read("cannot look up the meeting") as conn:
            keys = dict(conn.execute(select(analyses.c.id, analyses.c.key)).all())
        found = []
        for row in rows:
            source = str(row["source"])
            hexes = (keys.get(row["analysis"], ""), str(row["content_hash"]))
            by_hash = len(ref) >= 6 and any(h.startswith(ref) for h in hexes)
            by_source = source == ref or source.endswith("/" + ref) or source.endswith(ref)
            title = str(row["title"]).casefold()
            wanted = ref.casefold()
            # The history table cuts a long title at a word and ends it with " …".
            cut = wanted.removesuffix("…").rstrip()
            by_title = title == wanted or (wanted.endswith("…") and title.startswith(cut))
            if by_hash or by_source or by_title:
                found.append(row)
        return found

    def scorecard(self, analysis_id: int) -> Scorecard:
        """The stored scorecard of one analysis (a history row's ``analysis``), as saved."""
        query = select(scorecards.c.json).where(scorecards.c.analysis_id == analysis_id)
        with self._read("cannot read the scorecard") as conn:
            text = conn.execute(query).scalar_one_or_none()
        if text is None:
            raise StoreError(
                f"no analysis with id {analysis_id}",
                hint="`transcript-lens history --all-analyses` lists them",
            )
        try:
            card = Scorecard.model_validate_json(text)
        except ValidationError as error:
            raise StoreError(
                f"the stored scorecard of analysis {analysis_id} does not read as this "
                f"version's scorecard ({error.error_count()} problems)",
                hint="analyze the transcript again",
            ) from None
        if card.dynamics is None:
            # Saved before scorecards had dynamics (schema 1.0); they follow
            # from the labelled utterances alone, so they can be filled in.
            from ..dynamics import analyze_dynamics

            card = card.model_copy(update={"dynamics": analyze_dynamics(card.utterances)})
        return card

    def export_utterances(
        self, *, all_analyses: bool = False
    ) -> Generator[dict[str, Any], None, None]:
        """Every utterance with its meeting, labels and per-label scores, streamed.

        Each meeting once, by its latest analysis, unless ``all_analyses``.
        Rows come in meeting order (date, source) then utterance order; the
        score of each label is under the label's name. The connection stays
        open until the iterator is exhausted or closed.
        """
        u = utterances.c
        query = (
            select(
                analyses.c.meeting_id,
                analyses.c.id.label("analysis_id"),
                analyses.c.source,
                analyses.c.date,
                u.utterance_id,
                u.position.label("index"),
                u.speaker,
                u.start,
                u.end,
                u.text,
                u.labels,
                *(u[f"score_{label}"].label(label) for label in LABELS),
            )
            .join(analyses, analyses.c.id == u.analysis_id)
            .where(*self._filters(all_analyses=all_analyses))
            .order_by(*self._meeting_order(), u.position)
        )
        with self._read("cannot export utterances") as conn:
            result = conn.execution_options(yield_per=1000).execute(query)
            for row in result.mappings():
                yield dict(row)

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every data table's rows without surrogate ids, run ids or timestamps, sorted.

        Child rows name their analysis by ``key``, an analysis its meeting by
        ``fingerprint``. Two databases that hold the
        same results give equal snapshots, whatever order they were written in.
        Runs are left out: they describe how results were made, not what they are.
        """
        skip = {"id", "meeting_id", "analysis_id", "run_id", "created_at", "at"}
        tables = (
            meetings,
            analyses,
            meeting_tags,
            requirement_scores,
            speakers,
            utterances,
            flags,
            scorecards,
            errors,
        )
        out: dict[str, list[tuple[Any, ...]]] = {}
        with self._read("cannot read the database") as conn:
            for table in tables:
                columns = [c for c in table.c if c.name not in skip]
                query = select(*columns)
                if "analysis_id" in table.c:
                    query = select(analyses.c.key, *columns).join(
                        analyses, analyses.c.id == table.c.analysis_id
                    )
                elif table is analyses:
                    query = select(meetings.c.fingerprint, *columns).join(
                        meetings, meetings.c.id == analyses.c.meeting_id
                    )
                rows = [tuple(row) for row in conn.execute(query)]
                out[table.name] = sorted(rows, key=_sort_key)
        return out


def _sort_key(row: tuple[Any, ...]) -> tuple[tuple[bool, Any], ...]:
    return tuple((value is not None, value) for value in row)


def _mean(total: float | None, count: int) -> float | None:
    if total is None or not count:
        return None
    return round(float(total) / (10 * count), 2)


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
        overall=card.overall.score,
        band=card.overall.band,
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
