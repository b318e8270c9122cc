"""Batch throughput over an archive built from the real meetings.

    python benchmarks/batch_throughput.py [--parts 11] [--classifier ensemble] [--jobs 1 2]

The archive: each of the 30 meetings in ../shared/corpora/realmeetings (JSON
Lines) cut into ``--parts`` consecutive slices, one file per slice, so every
file is a distinct piece of real talk (30 x 11 = 330 files, all 15,921
turns once). For each ``--jobs`` value, ``transcript-lens batch`` runs as a
fresh process into a fresh SQLite database; the figures are meetings per
minute, utterances per second, the ratio to --jobs 1 and the peak memory
(RSS of the coordinator plus its largest worker, from getrusage).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpora import MEETINGS


def build_archive(folder: Path, parts: int) -> tuple[int, int]:
    files = turns = 0
    for meeting in sorted(MEETINGS.glob("*.jsonl")):
        rows = meeting.read_text("utf-8").splitlines()
        size = -(-len(rows) // parts)
        for part in range(parts):
            chunk = rows[part * size : (part + 1) * size]
            if not chunk:
                continue
            (folder / f"{meeting.stem}-part{part + 1:02d}.jsonl").write_text(
                "\n".join(chunk) + "\n", "utf-8"
            )
            files += 1
            turns += len(chunk)
    return files, turns


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", type=int, default=11)
    parser.add_argument("--classifier", default="ensemble")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    if not MEETINGS.is_dir():
        print("../shared/corpora/realmeetings is not beside the checkout", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "archive"
        archive.mkdir()
        files, turns = build_archive(archive, args.parts)
        print(f"archive: {files} files, {turns} turns ({args.classifier} classifier)")
        base = None
        for jobs in args.jobs:
            db = Path(tmp) / f"jobs{jobs}.db"
            command = [
                sys.executable, "-m", "transcript_lens", "batch", str(archive),
                "--db", f"sqlite:///{db}", "--jobs", str(jobs), "--quiet",
                "--classifier", args.classifier,
            ]  # fmt: skip
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True)
            seconds = time.perf_counter() - start
            peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
            if done.returncode != 0:
                print(done.stdout + done.stderr, file=sys.stderr)
                return 1
            rate = files / seconds * 60
            base = base or rate
            print(
                f"--jobs {jobs}: {seconds:6.1f} s, {rate:6.1f} meetings/min, "
                f"{turns / seconds:6.0f} utterances/s, x{rate / base:.2f} vs --jobs "
                f"{args.jobs[0]}, peak RSS of one process {peak / 1024:.0f} MB"
            )
            print("   ", done.stdout.strip().splitlines()[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
