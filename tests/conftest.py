"""Shared fixtures: hand-built transcripts and predictions, and the shared corpora."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from transcript_lens.classifiers.base import LabelEvidence, UtteranceLabels
from transcript_lens.labels import LABELS
from transcript_lens.model import Transcript, Utterance

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
SHARED = REPO.parent / "shared"
REALMEETINGS = SHARED / "corpora" / "realmeetings"


def make_transcript(turns: Sequence[tuple[str, str]], *, step: float = 10.0) -> Transcript:
    """A transcript from (speaker, text) pairs, one turn every ``step`` seconds."""
    utterances = []
    last_by: dict[str, str] = {}
    previous: tuple[str, str] | None = None
    for i, (speaker, text) in enumerate(turns):
        uid = f"u{i + 1:04d}"
        reply_to = None
        if previous is not None:
            reply_to = previous[1] if previous[0] != speaker else last_by.get("other:" + speaker)
        utterances.append(
            Utterance(
                id=uid,
                speaker=speaker,
                text=text,
                start=i * step,
                end=i * step + step - 1,
                reply_to=reply_to,
            )
        )
        for other in {s for s, _ in turns} - {speaker}:
            last_by["other:" + other] = uid
        previous = (speaker, uid)
    return Transcript(source="test.txt", title="test", format="txt", utterances=tuple(utterances))


def make_predictions(
    labels: Sequence[Sequence[str]], confidence: float = 0.9
) -> list[UtteranceLabels]:
    """Predictions with the given labels per utterance, each at ``confidence``."""
    out = []
    for row in labels:
        scores = {label: (confidence if label in row else 0.0) for label in LABELS}
        evidence = [LabelEvidence(label=label, phrase="x", rule="test") for label in row]
        out.append(UtteranceLabels(labels=list(row), scores=scores, evidence=evidence))
    return out


@pytest.fixture
def realmeetings() -> Path:
    if not REALMEETINGS.is_dir():
        pytest.skip("../shared/corpora/realmeetings is not beside the checkout")
    return REALMEETINGS


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path):
    """A database URL with nothing in it: a SQLite file, or a fresh PostgreSQL database.

    The PostgreSQL case needs TRANSCRIPT_LENS_TEST_PG (``scripts/with-postgres``
    sets it) and creates a database of its own for each test, dropped after.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'results.db'}"
        return
    import os
    import uuid

    base = os.environ.get("TRANSCRIPT_LENS_TEST_PG")
    if not base:
        pytest.skip("TRANSCRIPT_LENS_TEST_PG is not set; run under scripts/with-postgres")
    import psycopg
    from sqlalchemy import make_url

    server = make_url(base)
    name = f"tl_test_{uuid.uuid4().hex[:16]}"
    params = {
        "host": server.host,
        "port": server.port,
        "user": server.username,
        "password": server.password,
        "dbname": server.database,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
