"""Scale of the results database: insert 10,000 meetings, then time the queries.

    python benchmarks/db_scale.py [--meetings 10000] [--utterances 40] [--repeats 5]

Each synthetic meeting has 40 utterances by 3-6 of 40 speakers, with labels
drawn at random from a fixed seed and scored by the real scoring code. Real
meetings run 200-700 utterances; 40 keeps the run to a few minutes on two
cores while still putting 400,000 utterance rows in the database (utterance
rows grow linearly with that number, the trend queries do not read them).
Dates spread over two years; a fifth of meetings carry the tag "retro".

Prints the insert time (scoring is not counted), meetings per second, the
database size, and the median of ``--repeats`` runs of each query. With
TRANSCRIPT_LENS_TEST_PG set (``scripts/with-postgres``) the same is done
against a fresh PostgreSQL database as well. Figures only, no asserts.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from transcript_lens.classifiers.base import LabelEvidence, UtteranceLabels
from transcript_lens.labels import LABELS
from transcript_lens.model import Transcript, Utterance
from transcript_lens.scorecard.config import load_config
from transcript_lens.scorecard.scoring import score_transcript
from transcript_lens.store import MeetingRecord, Store
from transcript_lens.store.tables import scorecards

NAMES = [f"Speaker {i:02d}" for i in range(40)]
SPEAKER = NAMES[7]
TAGS = ("retro", "planning", "sync", "review", "incident")
TEAMS = ("core", "data", "platform", "design")
# How often each label is given; anti-patterns are rarer, as in real meetings.
RATES = {
    "purpose": 0.12,
    "dissent": 0.08,
    "ownership": 0.10,
    "candor": 0.08,
    "resignation": 0.03,
    "blame": 0.02,
    "silencing": 0.02,
}
WORDS = "we should ship the rollout plan after review but I am not sure the numbers hold".split()


def synthetic_records(count: int, utterances: int, seed: int = 13) -> Iterator[MeetingRecord]:
    rng = random.Random(seed)
    config = load_config()
    start = datetime(2023, 1, 1, tzinfo=UTC)
    for n in range(count):
        people = rng.sample(NAMES, rng.randint(3, 6))
        turns = []
        predictions = []
        for i in range(utterances):
            text = " ".join(rng.choices(WORDS, k=rng.randint(4, 25)))
            turns.append(
                Utterance(
                    id=f"u{i + 1:04d}",
                    speaker=rng.choice(people),
                    text=text,
                    start=i * 20.0,
                    end=i * 20.0 + 18.0,
                )
            )
            labels = [label for label in LABELS if rng.random() < RATES[label]]
            scores = {label: round(rng.random(), 4) for label in LABELS}
            scores.update({label: round(0.5 + rng.random() / 2, 4) for label in labels})
            evidence = [LabelEvidence(label=label, phrase="x", rule="bench") for label in labels]
            predictions.append(UtteranceLabels(labels=labels, scores=scores, evidence=evidence))
        transcript = Transcript(
            source=f"meetings/{n:05d}.vtt", title=f"Meeting {n}", format="vtt", utterances=turns
        )
        card = score_transcript(transcript, predictions, config, classifier="bench/1")
        date = start + timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
        tags = tuple(t for t in TAGS if rng.random() < 0.2)
        yield MeetingRecord(
            key=hashlib.sha256(f"key {n}".encode()).hexdigest(),
            source=transcript.source,
            content_hash=hashlib.sha256(f"content {n}".encode()).hexdigest(),
            date=date,
            date_source="metadata",
            scorecard=card,
            tags=tags,
            team=rng.choice(TEAMS),
        )


def median_time(func: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def show(name: str, figure: str, note: str = "") -> None:
    print(f"  {name:<40} {figure:>11}   {note}")


def run(url: str, args: argparse.Namespace, size: Callable[[], int]) -> None:
    print(f"\n{url.split('://')[0]}: {args.meetings:,} meetings × {args.utterances} utterances")
    saving = 0.0
    with Store(url) as store:
        run_id = store.begin_run(
            engine="bench", jobs=1, inputs=["synthetic"], classifier="bench/1", scoring="bench"
        )
        for record in synthetic_records(args.meetings, args.utterances):
            started = time.perf_counter()
            store.save(record, run_id=run_id)
            saving += time.perf_counter() - started
        store.end_run(run_id, done=args.meetings, skipped=0, failed=0, status="finished")
        show(
            "insert (one transaction per meeting)",
            f"{saving:8.1f} s",
            f"{args.meetings / saving:,.0f} meetings/s",
        )
        queries: list[tuple[str, Callable[[], Any]]] = [
            ("trends --by month", lambda: store.trends(by="month")),
            ("trends --tag retro", lambda: store.trends(tag="retro")),
            ("history", lambda: store.history()),
        ]
        queries.insert(
            1,
            (
                f"trends --by week --speaker '{SPEAKER}'",
                lambda: store.trends(by="week", speaker=SPEAKER),
            ),
        )
        for name, query in queries:
            rows = len(query())
            seconds = median_time(query, args.repeats)
            show(name, f"{seconds * 1000:8.1f} ms", f"{rows:,} rows")
        started = time.perf_counter()
        exported = sum(1 for _ in store.export_utterances())
        seconds = time.perf_counter() - started
        show("export (all utterances, once)", f"{seconds:8.1f} s", f"{exported:,} rows")
        with store._engine.connect() as conn:
            json_bytes = conn.scalar(select(func.sum(func.length(scorecards.c.json)))) or 0
    show("database size", f"{size() / 1e6:8.1f} MB", f"scorecard JSON {json_bytes / 1e6:,.1f} MB")


@contextlib.contextmanager
def fresh_postgres(base: str) -> Iterator[tuple[str, Callable[[], int]]]:
    import psycopg
    from sqlalchemy import make_url

    server = make_url(base)
    name = f"tl_bench_{uuid.uuid4().hex[:12]}"
    params = {
        "host": server.host,
        "port": server.port,
        "user": server.username,
        "password": server.password,
        "dbname": server.database,
    }
    params = {k: v for k, v in params.items() if v}
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def size() -> int:
        with psycopg.connect(**params, autocommit=True) as admin:
            row = admin.execute("SELECT pg_database_size(%s)", (name,)).fetchone()
            return int(row[0]) if row else 0

    try:
        yield server.set(database=name).render_as_string(hide_password=False), size
    finally:
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=10_000)
    parser.add_argument("--utterances", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        run(f"sqlite:///{path}", args, lambda: path.stat().st_size)
    base = os.environ.get("TRANSCRIPT_LENS_TEST_PG")
    if base:
        with fresh_postgres(base) as (url, size):
            run(url, args, size)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
