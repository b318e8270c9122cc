"""The results database, on SQLite and (under scripts/with-postgres) PostgreSQL."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import random
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import insert, inspect, text

from tests.conftest import make_predictions, make_transcript
from transcript_lens.cli.store import COMMANDS, EMPTY, EXPORT_COLUMNS, export, history, trends
from transcript_lens.errors import StoreError
from transcript_lens.identity import fingerprint
from transcript_lens.labels import ANTI_PATTERNS, LABELS, REQUIREMENTS
from transcript_lens.scorecard import Scorecard
from transcript_lens.scorecard.config import load_config
from transcript_lens.scorecard.scoring import score_transcript
from transcript_lens.store import (
    SCHEMA_VERSION,
    MeetingRecord,
    Store,
    connection,
    core,
    default_url,
    migrations,
    rows,
    schema_v1,
    tables,
)

CONFIG = load_config()


def make_card(
    labels: Sequence[Sequence[str]],
    speakers: Sequence[str] = ("Ana", "Ben", "Chloé", "Dev"),
    texts: Sequence[str] | None = None,
    title: str = "test",
) -> Scorecard:
    turns = [
        (speakers[i % len(speakers)], texts[i] if texts else f"turn {i} about the rollout plan")
        for i in range(len(labels))
    ]
    transcript = make_transcript(turns).model_copy(update={"title": title})
    return score_transcript(transcript, make_predictions(labels), CONFIG, classifier="test/1")


def random_labels(seed: int, n: int = 24) -> list[list[str]]:
    rng = random.Random(seed)
    return [[label for label in LABELS if rng.random() < 0.12] for _ in range(n)]


def make_record(
    name: str,
    date: str,
    *,
    seed: int = 0,
    speakers: Sequence[str] = ("Ana", "Ben", "Chloé", "Dev"),
    tags: Sequence[str] = (),
    team: str | None = None,
    texts: Sequence[str] | None = None,
) -> MeetingRecord:
    n = len(texts) if texts else 24
    card = make_card(random_labels(seed, n), speakers, texts, title=name.title())
    return MeetingRecord(
        key=hashlib.sha256(f"key:{name}".encode()).hexdigest(),
        # Every test meeting speaks the same turns; a word of its own sets it apart.
        fingerprint=fingerprint([u.text for u in card.utterances] + [name.encode().hex()]),
        source=f"meetings/{name}.vtt",
        content_hash=hashlib.sha256(f"content:{name}".encode()).hexdigest(),
        date=datetime.fromisoformat(date),
        date_source="metadata",
        scorecard=card,
        tags=tuple(tags),
        team=team,
    )


# Dates chosen to sit on period edges: 23:30 at -02:00 on 31 January is
# February in UTC, and 30 December 2024 is ISO week 2025-W01.
MEETINGS = (
    make_record(
        "kickoff", "2024-01-08T09:00:00+00:00", seed=1, tags=("planning",), team="core",
        speakers=("Ana", "Ben", "Chloé"),
    ),
    make_record(
        "retro-jan", "2024-01-31T23:30:00-02:00", seed=2, tags=("retro",), team="core"
    ),
    make_record(
        "sync-feb", "2024-02-14T15:00:00+00:00", seed=3, tags=("sync", "planning"), team="data",
        speakers=("Ben", "Dev"),
    ),
    make_record(
        "retro-feb", "2024-02-28T10:00:00+00:00", seed=4, tags=("retro",), team="data",
        speakers=("Ana", "Dev", "CHLOÉ"),
    ),
    make_record("year-end", "2024-12-30T10:00:00+00:00", seed=5),
)  # fmt: skip
BY_NAME = {r.scorecard.meeting.title.lower(): r for r in MEETINGS}


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with Store(db_url) as opened:
        yield opened


@pytest.fixture
def filled(store: Store) -> Store:
    for record in reversed(MEETINGS):
        assert store.save(record)
    return store


def invoke(command, *args: str):
    return CliRunner().invoke(command, list(args), catch_exceptions=False)


# Saving ----------------------------------------------------------------------


def test_store_save_twice_stores_the_meeting_once(store):
    record = MEETINGS[0]
    assert store.save(record) is True
    assert store.save(record) is False
    assert store.done_keys() == {record.key}
    snap = store.snapshot()
    assert len(snap["meetings"]) == 1
    assert len(snap["utterances"]) == record.scorecard.meeting.turns
    assert len(snap["scorecards"]) == 1


def test_store_save_keeps_every_part_of_the_scorecard(store):
    record = MEETINGS[1]
    card = record.scorecard
    store.save(record)
    snap = store.snapshot()
    assert len(snap["requirement_scores"]) == 4
    assert len(snap["speakers"]) == card.meeting.speakers
    assert len(snap["flags"]) == len(card.flags) > 0
    assert snap["meeting_tags"] == [(record.key, "retro")]
    [(key, version, stored)] = snap["scorecards"]
    assert (key, version) == (record.key, card.schema_version)
    assert Scorecard.model_validate_json(stored) == card
    [row] = store.history()
    assert row["overall"] == card.overall.score
    for name in REQUIREMENTS:
        assert row[name] == card.requirements[name].score
    for label in ANTI_PATTERNS:
        assert row[label] == sum(f.label == label for f in card.flags)


def test_store_duplicate_saves_at_the_same_moment_store_one_meeting(db_url):
    Store(db_url).close()
    record = MEETINGS[2]
    workers = 6
    barrier = threading.Barrier(workers)
    results: list[bool] = []

    def save() -> None:
        with Store(db_url) as own:
            barrier.wait()
            results.append(own.save(record))

    threads = [threading.Thread(target=save) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * (workers - 1) + [True]
    with Store(db_url) as store:
        assert len(store.snapshot()["meetings"]) == 1


def test_store_save_that_loses_the_race_for_its_key_returns_false(db_url):
    record = MEETINGS[3]
    with Store(db_url) as store, Store(db_url) as rival:
        results: list[bool] = []
        with rival._write() as conn:
            rows._insert_analysis(conn, record, None)
            # Our save checks for the key, finds nothing committed and inserts:
            # PostgreSQL makes it wait on the unique key, SQLite on the write lock.
            thread = threading.Thread(target=lambda: results.append(store.save(record)))
            thread.start()
            time.sleep(0.5)
            assert results == []
        thread.join()
        assert results == [False]
        assert len(store.snapshot()["utterances"]) == record.scorecard.meeting.turns


def test_store_save_with_an_unknown_run_is_a_store_error(store):
    with pytest.raises(StoreError, match="cannot save meetings/kickoff.vtt"):
        store.save(MEETINGS[0], run_id=999)
    assert store.done_keys() == set()


def test_store_dates_come_back_timezone_aware_in_utc(store):
    store.save(MEETINGS[1])
    [row] = store.history()
    assert row["date"] == datetime(2024, 2, 1, 1, 30, tzinfo=UTC)
    assert row["date"].utcoffset() == timedelta(0)


def test_store_record_needs_an_aware_date_and_a_known_date_source():
    card = MEETINGS[0].scorecard
    with pytest.raises(ValueError, match="timezone-aware"):
        MeetingRecord("k", "f", "s", "h", datetime(2024, 1, 1), "metadata", card)
    with pytest.raises(ValueError, match="date_source"):
        MeetingRecord("k", "f", "s", "h", datetime(2024, 1, 1, tzinfo=UTC), "guess", card)


def test_store_runs_and_errors_are_recorded(store):
    run = store.begin_run(
        engine="local", jobs=2, inputs=["a/", "b.zip"], classifier="test/1", scoring="1/x"
    )
    assert store.save(MEETINGS[0], run_id=run)
    store.record_error(run, "b.zip!bad.vtt", "ab" * 32, "line 3: no speaker")
    store.record_error(None, "gone.vtt", None, "cannot read")
    store.end_run(run, done=1, skipped=0, failed=2, status="finished")
    with store._engine.connect() as conn:
        status = conn.execute(text("SELECT status, done, failed, inputs FROM runs")).one()
        meeting_run = conn.scalar(text("SELECT run_id FROM analyses"))
    assert tuple(status) == ("finished", 1, 2, '["a/", "b.zip"]')
    assert meeting_run == run
    assert store.snapshot()["errors"] == [
        ("b.zip!bad.vtt", "ab" * 32, "line 3: no speaker"),
        ("gone.vtt", None, "cannot read"),
    ]
    with pytest.raises(ValueError, match="status"):
        store.end_run(run, done=0, skipped=0, failed=0, status="done")


# History and trends ----------------------------------------------------------


def test_store_history_is_ordered_by_date_then_source_with_every_field(filled):
    rows = filled.history()
    assert [r["source"] for r in rows] == [
        "meetings/kickoff.vtt",
        "meetings/retro-jan.vtt",
        "meetings/sync-feb.vtt",
        "meetings/retro-feb.vtt",
        "meetings/year-end.vtt",
    ]
    first = rows[0]
    assert list(first) == [
        "id", "analysis", "analyses", "date", "date_source", "source", "content_hash", "title",
        "format", "duration", "turns", "speakers", "overall", "band", "purpose", "dissent",
        "ownership", "candor", "resignation", "blame", "silencing", "note", "tags", "team",
        "classifier",
        "scoring",
    ]  # fmt: skip
    card = BY_NAME["kickoff"].scorecard
    assert first["title"] == "Kickoff"
    assert first["speakers"] == 3
    assert first["turns"] == card.meeting.turns
    assert first["duration"] == card.meeting.duration
    assert first["band"] == card.overall.band
    assert first["tags"] == ["planning"]
    assert first["team"] == "core"
    assert first["classifier"] == "test/1"
    assert first["scoring"] == card.producer.scoring


def test_store_history_same_date_orders_by_source(store):
    for name in ("b", "B", "a", "é"):
        store.save(make_record(name, "2024-05-01T10:00:00+00:00"))
    assert [r["source"] for r in store.history()] == [
        "meetings/B.vtt",
        "meetings/a.vtt",
        "meetings/b.vtt",
        "meetings/é.vtt",
    ]


def test_store_history_filters_by_tag_and_team(filled):
    assert [r["title"] for r in filled.history(tag="retro")] == ["Retro-Jan", "Retro-Feb"]
    assert [r["title"] for r in filled.history(team="data")] == ["Sync-Feb", "Retro-Feb"]
    assert [r["title"] for r in filled.history(tag="planning", team="data")] == ["Sync-Feb"]
    assert filled.history(tag="nope") == []
    assert filled.history(tag="planning")[1]["tags"] == ["planning", "sync"]


def _expected(names: Sequence[str]) -> dict[str, object]:
    cards = [BY_NAME[name].scorecard for name in names]
    row: dict[str, object] = {"meetings": len(cards)}
    row["overall"] = pytest.approx(sum(c.overall.score for c in cards) / len(cards), abs=0.006)
    for name in REQUIREMENTS:
        mean = sum(c.requirements[name].score for c in cards) / len(cards)
        row[name] = pytest.approx(mean, abs=0.006)
    for label in ANTI_PATTERNS:
        row[label] = sum(f.label == label for c in cards for f in c.flags)
    return row


def test_store_trends_by_month_bucket_the_utc_date(filled):
    rows = filled.trends(by="month")
    assert [r["period"] for r in rows] == ["2024-01", "2024-02", "2024-12"]
    groups = [["kickoff"], ["retro-jan", "sync-feb", "retro-feb"], ["year-end"]]
    for row, names in zip(rows, groups, strict=True):
        assert row == {"period": row["period"], **_expected(names)}
    assert list(rows[0]) == ["period", "meetings", "overall", *REQUIREMENTS, *ANTI_PATTERNS]


def test_store_trends_by_week_use_iso_weeks(filled):
    rows = filled.trends(by="week")
    assert [(r["period"], r["meetings"]) for r in rows] == [
        ("2024-W02", 1),
        ("2024-W05", 1),
        ("2024-W07", 1),
        ("2024-W09", 1),
        ("2025-W01", 1),
    ]


def test_store_trends_for_a_speaker_match_any_case_and_add_their_counts(filled):
    rows = filled.trends(by="month", speaker="chloé")
    assert [(r["period"], r["meetings"]) for r in rows] == [
        ("2024-01", 1),
        ("2024-02", 2),
        ("2024-12", 1),
    ]
    feb = rows[1]
    own = [
        s
        for name in ("retro-jan", "retro-feb")
        for s in BY_NAME[name].scorecard.speakers
        if s.name.casefold() == "chloé"
    ]
    assert [s.name for s in own] == ["Chloé", "CHLOÉ"]
    assert feb["speaker_turns"] == sum(s.turns for s in own)
    assert feb["speaker_words"] == sum(s.words for s in own)
    for label in LABELS:
        assert feb[f"speaker_{label}"] == sum(s.label_counts[label] for s in own)
    assert {k: v for k, v in feb.items() if not k.startswith("speaker_")} == {
        "period": "2024-02",
        **_expected(["retro-jan", "retro-feb"]),
    }
    assert filled.trends(speaker="CHLOE\u0301") == rows  # decomposed é, upper case
    assert filled.trends(speaker="nobody") == []


def test_store_trends_filter_by_team_as_history_does(filled):
    rows = filled.trends(team="data")
    assert [(r["period"], r["meetings"]) for r in rows] == [("2024-02", 2)]
    assert rows[0] == {"period": "2024-02", **_expected(["sync-feb", "retro-feb"])}
    assert filled.trends(team="data", tag="retro")[0]["meetings"] == 1
    assert filled.trends(team="nobody") == []


def test_store_trends_for_a_tag_and_a_speaker_together(filled):
    rows = filled.trends(tag="retro")
    assert [(r["period"], r["meetings"]) for r in rows] == [("2024-02", 2)]
    assert rows[0] == {"period": "2024-02", **_expected(["retro-jan", "retro-feb"])}
    both = filled.trends(tag="planning", speaker="Dev")
    assert [(r["period"], r["meetings"]) for r in both] == [("2024-02", 1)]


def test_store_trends_refuse_an_unknown_period(store):
    with pytest.raises(StoreError, match="cannot group by 'year'"):
        store.trends(by="year")


def test_store_results_match_a_sqlite_database(db_url, tmp_path):
    """Run on PostgreSQL this proves the two backends answer alike."""
    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    with Store(reference) as sqlite, Store(db_url) as other:
        for record in MEETINGS:
            sqlite.save(record)
        for record in reversed(MEETINGS):
            other.save(record)

        def strip(rows: list[dict]) -> list[dict]:
            ids = ("id", "meeting_id", "analysis", "analysis_id")
            return [{k: v for k, v in r.items() if k not in ids} for r in rows]

        assert other.snapshot() == sqlite.snapshot()
        assert strip(other.history()) == strip(sqlite.history())
        for kwargs in (
            {"by": "month"},
            {"by": "week"},
            {"by": "week", "speaker": "ana"},
            {"by": "month", "speaker": "CHLOÉ", "tag": "retro"},
            {"by": "month", "tag": "planning"},
        ):
            assert other.trends(**kwargs) == sqlite.trends(**kwargs), kwargs
        assert strip(list(other.export_utterances())) == strip(list(sqlite.export_utterances()))


def test_store_snapshot_is_the_same_whatever_the_insert_order(db_url, tmp_path):
    with Store(db_url) as first, Store(f"sqlite:///{tmp_path / 'second.db'}") as second:
        for record in MEETINGS[:3]:
            first.save(record)
        for record in reversed(MEETINGS[:3]):
            second.save(record)
        assert first.snapshot() == second.snapshot()
        second.save(MEETINGS[3])
        assert first.snapshot() != second.snapshot()
    assert set(first.snapshot()) == {
        "meetings", "analyses", "meeting_tags", "requirement_scores", "speakers", "utterances",
        "flags", "scorecards", "errors",
    }  # fmt: skip


# Export ----------------------------------------------------------------------


def test_store_export_streams_every_utterance_in_meeting_order(filled):
    rows = filled.export_utterances()
    assert isinstance(rows, Iterator)
    first = next(rows)
    assert list(first) == list(EXPORT_COLUMNS)
    card = BY_NAME["kickoff"].scorecard
    u = card.utterances[0]
    assert first["source"] == "meetings/kickoff.vtt"
    assert (first["utterance_id"], first["index"], first["speaker"], first["text"]) == (
        u.id,
        0,
        u.speaker,
        u.text,
    )
    assert (first["start"], first["end"]) == (u.start, u.end)
    assert first["labels"] == ";".join(label for label in LABELS if label in u.labels)
    assert {label: first[label] for label in LABELS} == u.scores
    rest = list(rows)
    assert 1 + len(rest) == sum(r.scorecard.meeting.turns for r in MEETINGS)
    assert [r["index"] for r in rest[: card.meeting.turns - 1]] == list(
        range(1, card.meeting.turns)
    )


def test_store_keeps_unicode_text_and_names(store):
    texts = [
        "Je ne suis pas d’accord — on recommence ?",
        "Straße: 山田さんの案は良いと思います 👍",
        "שלום, אני לא מסכים",
        "e\u0301 combining and 🧑🏽‍💻 zwj",
    ]
    record = make_record(
        "ünïcödé", "2024-03-01T10:00:00+01:00", texts=texts, speakers=("Zoë", "山田 太郎")
    )
    assert store.save(record)
    assert [row["text"] for row in store.export_utterances()] == texts
    assert store.history()[0]["source"] == "meetings/ünïcödé.vtt"
    assert store.trends(speaker="ZOË")[0]["speaker_turns"] == 2
    assert store.trends(speaker="山田 太郎")[0]["meetings"] == 1
    [(_, _, stored)] = store.snapshot()["scorecards"]
    assert Scorecard.model_validate_json(stored) == record.scorecard


# Migrations and opening --------------------------------------------------------


def _indexes(conn, table: str) -> set[str]:
    # PostgreSQL also lists the index behind each unique constraint.
    found = inspect(conn).get_indexes(table)
    return {i["name"] for i in found if not i.get("duplicates_constraint")}


def test_store_migrations_build_the_declared_schema(store):
    assert store.schema_version == SCHEMA_VERSION == migrations.LATEST
    with store._engine.connect() as conn:
        found = inspect(conn)
        assert set(found.get_table_names()) == set(tables.metadata.tables)
        for table in tables.metadata.sorted_tables:
            assert [c["name"] for c in found.get_columns(table.name)] == [
                c.name for c in table.columns
            ], table.name
            declared = {index.name for index in table.indexes}
            assert _indexes(conn, table.name) == declared, table.name
        [unique] = found.get_unique_constraints("meetings")
        assert (unique["name"], unique["column_names"]) == (
            "uq_meetings_fingerprint",
            ["fingerprint"],
        )
        [unique] = found.get_unique_constraints("analyses")
        assert (unique["name"], unique["column_names"]) == ("uq_meetings_key", ["key"])
        versions = conn.execute(text("SELECT version FROM schema_version ORDER BY version"))
        assert [v for (v,) in versions] == [m.version for m in migrations.MIGRATIONS]


def _insert_v1(conn, record: MeetingRecord) -> None:
    """``record`` as transcript-lens wrote it before migration 3: one ``meetings``
    row per analysis, its children under ``meeting_id``."""
    values, children = rows.analysis_rows(record, None)
    for added in ("scope", "note"):  # by migration 4
        del values[added]
    meeting_id = conn.execute(
        insert(schema_v1.meetings).values(**values).returning(schema_v1.meetings.c.id)
    ).scalar_one()
    for table, table_rows in children.items():
        if table_rows:
            old = schema_v1.metadata.tables[table.name]
            conn.execute(insert(old), [{"meeting_id": meeting_id, **row} for row in table_rows])


def test_store_opening_an_older_database_upgrades_it(db_url):
    engine = connection.connect(db_url)
    first = MEETINGS[0]
    # The same meeting analyzed again with another classifier: before migration
    # 3 it was a second meeting.
    again = dataclasses.replace(
        first,
        key=hashlib.sha256(b"again").hexdigest(),
        scorecard=first.scorecard.model_copy(
            update={"producer": first.scorecard.producer.model_copy(update={"classifier": "t/2"})}
        ),
    )
    other = make_record(
        "other", "2024-01-20T10:00:00+00:00", texts=[f"another meeting, turn {i}" for i in range(8)]
    )
    with engine.connect() as conn:
        conn.execution_options(transcript_lens_write=True)
        with conn.begin():
            assert migrations.migrate(conn, target=1) == 1
            _insert_v1(conn, first)
            _insert_v1(conn, other)
        with conn.begin():
            assert migrations.migrate(conn, target=2) == 2
            _insert_v1(conn, again)
    with engine.connect() as conn:
        assert migrations.current_version(conn) == 2
        assert "ix_meetings_date" in _indexes(conn, "meetings")
    engine.dispose()

    with Store(db_url) as store:
        assert store.schema_version == migrations.LATEST
        assert (store.meeting_count(), store.analysis_count()) == (2, 3)
        rows = store.history()
        assert [(r["title"], r["analyses"], r["classifier"]) for r in rows] == [
            ("Kickoff", 2, "t/2"),
            ("Other", 1, "test/1"),
        ]
        assert len(store.history(all_analyses=True)) == 3
        assert store.trends(speaker="ana")[0]["meetings"] == 2
        assert store.scorecard(rows[0]["analysis"]) == again.scorecard
        with store._engine.connect() as conn:
            assert "ix_analyses_date" in _indexes(conn, "analyses")
            assert _indexes(conn, "meetings") == set()
        # The migration fingerprinted the stored words, as a new analysis does,
        # so a new analysis of the migrated meeting joins it.
        words = fingerprint([u.text for u in first.scorecard.utterances])
        assert store.save(dataclasses.replace(first, key="c" * 64, fingerprint=words))
        assert [r["analyses"] for r in store.history()] == [3, 1]
        assert store.meeting_count() == 2


def test_store_refuses_a_database_newer_than_it_knows(db_url):
    with Store(db_url) as store, store._engine.begin() as conn:
        conn.execute(
            insert(tables.schema_version).values(
                version=99, description="from the future", applied_at=datetime.now(UTC)
            )
        )
    with pytest.raises(StoreError) as info:
        Store(db_url)
    message = str(info.value)
    assert (
        f"schema version 99 is newer than this transcript-lens knows ({migrations.LATEST})"
        in message
    )
    assert "upgrade transcript-lens" in message
    assert "\n" not in message


def test_store_a_failing_migration_changes_nothing(db_url, monkeypatch):
    Store(db_url).close()

    def broken(conn) -> None:
        conn.execute(text("CREATE TABLE half_done (x INTEGER)"))
        conn.execute(text("INSERT INTO half_done VALUES (1)"))
        raise RuntimeError("the next step failed")

    latest = migrations.LATEST
    steps = (*migrations.MIGRATIONS, migrations.Migration(latest + 1, "broken", broken))
    monkeypatch.setattr(migrations, "MIGRATIONS", steps)
    monkeypatch.setattr(migrations, "LATEST", latest + 1)
    monkeypatch.setattr(core, "LATEST", latest + 1)
    with pytest.raises(RuntimeError, match="the next step failed"):
        Store(db_url)
    monkeypatch.undo()
    with Store(db_url) as store, store._engine.connect() as conn:
        assert store.schema_version == latest
        assert not inspect(conn).has_table("half_done")


def test_store_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    path = tmp_path / "wal.db"
    with Store(f"sqlite:///{path}") as store, store._engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    assert path.is_file()


def test_store_default_url_honours_TRANSCRIPT_LENS_DB(monkeypatch, tmp_path):
    monkeypatch.setenv("TRANSCRIPT_LENS_DB", "postgresql+psycopg://me@db.example/results")
    assert default_url() == "postgresql+psycopg://me@db.example/results"
    url = f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.setenv("TRANSCRIPT_LENS_DB", url)
    with Store() as store:
        assert store.url == url
    assert (tmp_path / "env.db").is_file()


def test_store_default_url_is_a_file_in_the_user_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("TRANSCRIPT_LENS_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    folder = tmp_path / "data" / "transcript-lens"
    assert default_url() == f"sqlite:///{folder / 'transcript-lens.db'}"
    assert folder.is_dir()


@pytest.mark.parametrize(
    "url, fragment",
    [
        ("not a url", "not a database URL: 'not a url'"),
        ("mysql://me@localhost/results", "unsupported database 'mysql'"),
        ("sqlite:////no/such/folder/results.db", "/no/such/folder: folder does not exist"),
        ("postgresql://me:secret@127.0.0.1:1/results", "cannot open database"),
    ],
)
def test_store_bad_urls_give_one_line_errors(url, fragment):
    with pytest.raises(StoreError) as info:
        Store(url)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message
    assert "secret" not in message


def test_store_a_file_that_is_not_a_database_gives_one_line_error(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database " * 100)
    with pytest.raises(StoreError, match="cannot open database .*notes.db: file is not a database"):
        Store(f"sqlite:///{path}")


# Commands --------------------------------------------------------------------


def test_cli_store_commands_are_exported():
    assert [c.name for c in COMMANDS] == ["history", "trends", "export"]


def test_cli_store_history_json_and_csv(filled, db_url):
    result = invoke(history, "--db", db_url, "--format", "json", "--tag", "retro")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [r["title"] for r in data] == ["Retro-Jan", "Retro-Feb"]
    assert data[0]["date"] == "2024-02-01T01:30:00+00:00"
    assert data[0]["tags"] == ["retro"]
    again = invoke(history, "--db", db_url, "--format", "json", "--tag", "retro")
    assert again.stdout_bytes == result.stdout_bytes

    result = invoke(history, "--db", db_url, "--format", "csv")
    lines = list(csv.reader(io.StringIO(result.stdout)))
    assert lines[0][:8] == [
        "id", "analysis", "analyses", "date", "date_source", "source", "content_hash", "title"
    ]  # fmt: skip
    assert [line[7] for line in lines[1:]] == [
        "Kickoff",
        "Retro-Jan",
        "Sync-Feb",
        "Retro-Feb",
        "Year-End",
    ]
    assert lines[3][lines[0].index("tags")] == "planning;sync"
    assert result.stderr == ""


def test_cli_store_history_table(filled, db_url):
    result = invoke(history, "--db", db_url)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Meetings (5)\n")
    assert "2024-02-01  Retro-Jan" in result.stdout
    assert "planning, sync" in result.stdout
    assert "pur dis own can: requirement scores" in result.stdout
    # Each row starts with the id that report and compare take.
    rows = {r["title"]: r["id"] for r in filled.history()}
    line = next(x for x in result.stdout.splitlines() if "Retro-Jan" in x)
    assert line.split()[0] == str(rows["Retro-Jan"])


def test_cli_store_trends_formats(filled, db_url):
    result = invoke(trends, "--db", db_url, "--by", "week", "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "period,meetings,overall,purpose,dissent,ownership,candor," + (
        "resignation,blame,silencing"
    )
    assert [line.split(",")[:2] for line in lines[1:]] == [
        ["2024-W02", "1"],
        ["2024-W05", "1"],
        ["2024-W07", "1"],
        ["2024-W09", "1"],
        ["2025-W01", "1"],
    ]
    result = invoke(trends, "--db", db_url, "--speaker", "ana", "--format", "json")
    assert json.loads(result.stdout) == filled.trends(speaker="ana")
    result = invoke(trends, "--db", db_url, "--speaker", "ana", "--tag", "retro")
    assert "Trends by month, meetings with ana" in result.stdout
    assert "2024-02" in result.stdout and "2024-01" not in result.stdout


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_cli_store_export_to_a_file(filled, db_url, tmp_path, fmt):
    out = tmp_path / f"utterances.{fmt}"
    result = invoke(export, "--db", db_url, "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == f"wrote {out}\n"
    content = out.read_text(encoding="utf-8")
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(content)))
    else:
        rows = [json.loads(line) for line in content.splitlines()]
    expected = list(filled.export_utterances())
    assert len(rows) == len(expected) == sum(r.scorecard.meeting.turns for r in MEETINGS)
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    assert rows[0]["text"] == expected[0]["text"]
    assert rows[0]["date"] == "2024-01-08T09:00:00+00:00"
    assert float(rows[0]["purpose"]) == expected[0]["purpose"]
    assert not list(tmp_path.glob(".utterances*"))  # no temporary file left


def test_cli_store_export_to_stdout_is_byte_identical(filled, db_url):
    first = invoke(export, "--db", db_url, "--format", "jsonl")
    second = invoke(export, "--db", db_url, "--format", "jsonl")
    assert first.exit_code == 0
    assert first.stdout_bytes == second.stdout_bytes
    assert first.stdout.count("\n") == sum(r.scorecard.meeting.turns for r in MEETINGS)


def test_cli_store_export_needs_a_format(store, db_url):
    result = CliRunner().invoke(export, ["--db", db_url])
    assert result.exit_code == 2
    assert "Missing option '--format'" in result.stderr


def test_cli_store_empty_database_says_how_to_fill_it(store, db_url):
    for command, args in (
        (history, []),
        (trends, ["--by", "week"]),
        (history, ["--format", "json"]),
        (export, ["--format", "csv"]),
    ):
        result = invoke(command, "--db", db_url, *args)
        assert result.exit_code == 0, result.output
        assert result.stderr == EMPTY + "\n"
    assert invoke(history, "--db", db_url, "--format", "json").stdout == "[]\n"
    assert invoke(history, "--db", db_url).stdout == ""
    assert (
        invoke(export, "--db", db_url, "--format", "csv").stdout == ",".join(EXPORT_COLUMNS) + "\n"
    )
    assert EMPTY == (
        "no meetings yet — run `transcript-lens batch PATH` "
        "or `transcript-lens analyze FILE --save`"
    )


def test_cli_store_no_matches_is_not_the_empty_message(filled, db_url):
    result = invoke(history, "--db", db_url, "--tag", "nope", "--team", "x")
    assert result.exit_code == 0
    assert result.stderr == "no meetings with tag 'nope' and with team 'x'\n"
    result = invoke(trends, "--db", db_url, "--team", "x")
    assert result.exit_code == 0
    assert result.stderr == "no meetings with team 'x'\n"
    result = invoke(trends, "--db", db_url, "--team", "data", "--format", "json")
    assert [(r["period"], r["meetings"]) for r in json.loads(result.stdout)] == [("2024-02", 2)]


@pytest.mark.parametrize(
    "url", ["sqlite:////no/such/folder/x.db", "postgresql://me@127.0.0.1:1/x", "bogus"]
)
@pytest.mark.parametrize("command", [history, trends, export])
def test_cli_store_bad_database_is_one_line_and_exit_1(command, url):
    args = ["--db", url] + (["--format", "csv"] if command is export else [])
    result = CliRunner().invoke(command, args)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr


def test_store_tz_offsets_on_input_do_not_change_the_stored_instant(store):
    record = make_record("offset", "2024-06-01T12:00:00+05:30")
    store.save(record)
    date = store.history()[0]["date"]
    assert date == datetime(2024, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    assert date.tzinfo == UTC


# Meetings and their analyses ------------------------------------------------


def _reanalyzed(record: MeetingRecord, classifier: str, **changes: object) -> MeetingRecord:
    """``record``'s meeting analyzed again, with another classifier."""
    card = record.scorecard
    producer = card.producer.model_copy(update={"classifier": classifier})
    return dataclasses.replace(
        record,
        key=hashlib.sha256(f"{record.key}|{classifier}".encode()).hexdigest(),
        scorecard=card.model_copy(update={"producer": producer}),
        **changes,
    )


def test_store_a_meeting_analyzed_twice_counts_once(filled, db_url):
    kickoff = BY_NAME["kickoff"]
    assert filled.save(_reanalyzed(kickoff, "other/2", tags=("coached",)))
    assert (filled.meeting_count(), filled.analysis_count()) == (5, 6)
    rows = filled.history()
    assert len(rows) == 5
    first = rows[0]
    assert (first["title"], first["analyses"], first["classifier"]) == ("Kickoff", 2, "other/2")
    assert first["tags"] == ["coached"]
    assert [r["analyses"] for r in rows[1:]] == [1, 1, 1, 1]
    # Every analysis on request, the same meeting id on both.
    every = filled.history(all_analyses=True)
    assert len(every) == 6
    assert [r["id"] for r in every if r["title"] == "Kickoff"] == [first["id"]] * 2
    # Trends: each meeting once, by its latest analysis.
    january = filled.trends()[0]
    assert january["period"] == "2024-01" and january["meetings"] == 1
    assert filled.trends(all_analyses=True)[0]["meetings"] == 2
    # A filter keeps the latest analysis that matches it.
    [planned] = [r for r in filled.history(tag="planning") if r["title"] == "Kickoff"]
    assert (planned["classifier"], planned["analysis"]) == ("test/1", every[0]["analysis"])
    # Export: the latest analysis's utterances only, unless every one is asked for.
    turns = sum(r["turns"] for r in rows)
    assert len(list(filled.export_utterances())) == turns
    assert len(list(filled.export_utterances(all_analyses=True))) == turns + first["turns"]
    # find() names the meeting once, by its latest analysis.
    [found] = filled.find(str(first["id"]))
    assert found["analysis"] == first["analysis"]


def test_cli_store_history_all_analyses_and_report_one_of_them(filled, db_url):
    from transcript_lens.cli.report import report

    kickoff = BY_NAME["kickoff"]
    filled.save(_reanalyzed(kickoff, "other/2"))
    table = invoke(history, "--db", db_url)
    assert "Meetings (5)" in table.stdout
    assert "--all-analyses lists each" in table.stdout
    every = invoke(history, "--db", db_url, "--all-analyses")
    assert "Analyses (6)" in every.stdout and "Analysis" in every.stdout
    rows = json.loads(invoke(history, "--db", db_url, "--all-analyses", "--format", "json").stdout)
    meeting = rows[0]["id"]
    older, newer = sorted(r["analysis"] for r in rows if r["id"] == meeting)
    latest = json.loads(invoke(report, str(meeting), "--db", db_url, "--format", "json").stdout)
    assert latest["producer"]["classifier"] == "other/2"
    chosen = invoke(
        report, str(meeting), "--db", db_url, "--format", "json", "--analysis", str(older)
    )
    assert json.loads(chosen.stdout)["producer"]["classifier"] == "test/1"
    wrong = CliRunner().invoke(report, [str(meeting), "--db", db_url, "--analysis", "999"])
    assert wrong.exit_code == 1
    assert f"meeting {meeting} has no analysis 999 (its analyses: {older}, {newer})" in (
        wrong.stderr
    )


def test_store_keeps_a_meeting_not_scored_and_trends_leave_it_out(filled):
    from transcript_lens.scorecard.card import Assessment

    before = filled.trends()
    record = make_record("lecture", "2024-01-15T10:00:00+00:00", seed=9)
    judged = Assessment(
        scored=False, scope="none", reason="one_speaker", message="only one speaker (Ana)"
    )
    transcript = make_transcript([("Ana", f"slide {i} of the lecture") for i in range(24)])
    card = score_transcript(
        transcript, make_predictions([[]] * 24), CONFIG, classifier="test/1", assessment=judged
    )
    assert card.overall is None and card.requirements == {} and card.flags == []
    assert filled.save(dataclasses.replace(record, scorecard=card))

    [row] = [r for r in filled.history() if r["source"] == "meetings/lecture.vtt"]
    assert (row["overall"], row["band"], row["note"]) == (None, None, "only one speaker (Ana)")
    assert all(row[r] is None for r in REQUIREMENTS)
    assert filled.scorecard(row["analysis"]) == card
    # January had two scored meetings and still has: the lecture is left out.
    assert filled.trends() == before
    from transcript_lens.render.rows import history_table

    text_out = " ".join(history_table(filled.history()).split())
    assert "not scored" in text_out and "too little to judge" in text_out
