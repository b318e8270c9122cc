"""How fast `transcript-lens relationship` builds a long series from the database (issue 14).

    python benchmarks/relationship_speed.py [--meetings 20] [--turns 1000] [--repeats 3]

Stores a series of meetings (written here: each turn a sentence from a small
set, with commitments and reports of them spread through) under one tag in a
fresh SQLite database, then times ``transcript-lens relationship --tag`` as a
fresh process (imports included) for the table and JSON, beside the same
process printing ``history --tag`` (which reads the same rows but no
scorecards) as a baseline in the same run. Medians of --repeats.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

from tests.conftest import make_predictions, make_transcript  # noqa: E402
from transcript_lens.scorecard.config import load_config  # noqa: E402
from transcript_lens.scorecard.scoring import score_transcript  # noqa: E402
from transcript_lens.store import MeetingRecord, Store  # noqa: E402

TASKS = ["supplier extract", "training room", "risk register", "vendor survey", "cost split"]
#: (what is said, its labels, how often): commitments on 2 % of turns, as in
#: the written series (real meetings have fewer).
SAYINGS = [
    ("I'll send the {t} to finance by Friday.", ["ownership"], 2),
    ("The {t} went out on Thursday.", [], 3),
    ("The {t} isn't done yet, next week.", ["candor"], 3),
    ("We've parked the {t}.", [], 2),
    ("Why are we doing the {t} at all?", ["purpose"], 2),
    ("I don't think the {t} should come first.", ["dissent"], 3),
    ("Okay.", [], 40),
    ("Let's move on to the next item on the agenda.", [], 45),
]


def meeting(n: int, turns: int, rng: random.Random):
    rows, labels = [], []
    for i in range(turns):
        text, label, _ = rng.choices(SAYINGS, weights=[w for *_, w in SAYINGS])[0]
        rows.append(("Ana" if i % 3 else "Raj", text.format(t=rng.choice(TASKS)) + f" ({n}.{i})"))
        labels.append(label)
    return make_transcript(rows), make_predictions(labels)


def median_seconds(command: list[str], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=20)
    parser.add_argument("--turns", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(14)
    config = load_config()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'series.db'}"
        start = datetime(2026, 1, 5, tzinfo=UTC)
        with Store(url) as store:
            for n in range(args.meetings):
                transcript, predictions = meeting(n, args.turns, rng)
                card = score_transcript(transcript, predictions, config, classifier="bench/1")
                digest = hashlib.sha256(f"{n}".encode()).hexdigest()
                store.save(
                    MeetingRecord(
                        key=digest,
                        fingerprint=digest,
                        source=f"meeting{n}.txt",
                        content_hash=digest,
                        date=start + timedelta(days=7 * n),
                        date_source="metadata",
                        scorecard=card,
                        tags=("series",),
                    )
                )
        cli = [sys.executable, "-m", "transcript_lens"]
        base = median_seconds([*cli, "history", "--tag", "series", "--db", url], args.repeats)
        table = median_seconds([*cli, "relationship", "--tag", "series", "--db", url], args.repeats)
        as_json = median_seconds(
            [*cli, "relationship", "--tag", "series", "--db", url, "--format", "json"],
            args.repeats,
        )
    total = args.meetings * args.turns
    print(
        f"{args.meetings} meetings x {args.turns} turns ({total} turns), medians of {args.repeats}"
    )
    print(f"  history --tag (baseline, no scorecards read): {base:.2f} s")
    print(f"  relationship --tag, table: {table:.2f} s ({table / base:.1f}x the baseline)")
    print(f"  relationship --tag, json:  {as_json:.2f} s ({as_json / base:.1f}x the baseline)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
