"""Store: scorecards in SQLite or PostgreSQL, written one analysis per transaction.

The Store opens (and upgrades) a database, records runs and errors, saves
analyses and answers the history, trends and export queries. Opening a URL
is ``connection.py``'s job, turning an analysis into rows ``rows.py``'s,
the schema ``tables.py``'s and its upgrades ``migrations.py``'s.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any

from pydantic import ValidationError
from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    case,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError

from ..errors import StoreError
from ..labels import ANTI_PATTERNS, LABELS, REQUIREMENTS
from ..scorecard import Scorecard
from .connection import (
    _WRITE,
    _first_line,
    _hint_for,
    _shown,
    connect,
    default_url,
)
from .migrations import LATEST, check_version, current_version, migrate
from .rows import MeetingRecord, _insert_analysis, _now, name_key
from .tables import (
    analyses,
    corrections,
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

RUN_STATUSES = ("finished", "failed", "interrupted")
PERIODS = ("month", "week")

# Any constant will do; it only has to be the same in every process.
_MIGRATION_LOCK = 0x7472_616E_736C  # "transl"


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

    # Corrections ---------------------------------------------------------------

    def fingerprint_of(self, meeting_id: int) -> str | None:
        with self._read("cannot read meetings") as conn:
            found: str | None = conn.scalar(
                select(meetings.c.fingerprint).where(meetings.c.id == meeting_id)
            )
        return found

    def corrections(
        self, *, meeting_id: int | None = None, fingerprint: str | None = None
    ) -> dict[str, tuple[tuple[str, ...], str]]:
        """The labels a person set on a meeting's turns, the latest per turn:
        utterance id -> (labels, SHA-256 of the turn's text)."""
        c = corrections.c
        query = select(c.utterance_id, c.labels, c.text_hash).order_by(c.id)
        if meeting_id is not None:
            query = query.where(c.meeting_id == meeting_id)
        elif fingerprint is not None:
            query = query.join(meetings, meetings.c.id == c.meeting_id).where(
                meetings.c.fingerprint == fingerprint
            )
        else:
            raise ValueError("corrections of which meeting?")
        with self._read("cannot read corrections") as conn:
            rows = conn.execute(query).all()
        return {uid: (tuple(x for x in labels.split(";") if x), h) for uid, labels, h in rows}

    def save_corrections(
        self, plans: Sequence[tuple[int, Sequence[dict[str, Any]], MeetingRecord | None]]
    ) -> None:
        """Store corrections of meetings and the analyses they make, in one
        transaction: all of them or none. Each plan is (meeting id, correction
        rows, the corrected analysis or None)."""
        with self._database_errors(f"cannot save corrections to {self._shown}"):
            with self._write() as conn:
                for meeting_id, rows, record in plans:
                    if rows:
                        conn.execute(
                            insert(corrections),
                            [{"meeting_id": meeting_id, **row} for row in rows],
                        )
                    if (
                        record is not None
                        and conn.scalar(select(analyses.c.id).where(analyses.c.key == record.key))
                        is None
                    ):
                        _insert_analysis(conn, record, None)

    def corrected_turns(self) -> Generator[dict[str, Any], None, None]:
        """Every corrected turn of every meeting, as its latest analysis has it:
        text, the turn it answers, the labels a person set (taxonomy rows)."""
        corrected = {
            (meeting_id, uid)
            for meeting_id, uid in self._rows(
                select(corrections.c.meeting_id, corrections.c.utterance_id)
            )
        }
        if not corrected:
            return
        for row in self.history():
            if not any(m == row["id"] for m, _ in corrected):
                continue
            card = self.scorecard(row["analysis"])
            turns = card.utterances
            for i, u in enumerate(turns):
                if (row["id"], u.id) not in corrected:
                    continue
                # The turn it answers: the last one by someone else.
                context = next(
                    (t.text for t in reversed(turns[max(0, i - 32) : i]) if t.speaker != u.speaker),
                    None,
                )
                yield {"text": u.text, "context": context, "labels": list(u.labels)}

    def _rows(self, query: Any) -> list[Any]:
        with self._read("cannot read corrections") as conn:
            return list(conn.execute(query).all())

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
                m.note,
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
        # A meeting not scored has nothing to add to a trend.
        where.append(analyses.c.overall.is_not(None))
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
        if card.dynamics is None and card.overall is not None:
            # Saved before scorecards had dynamics (schema 1.0); they follow
            # from the labelled utterances alone, so they can be filled in.
            from ..scorecard.dynamics import analyze_dynamics

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
