"""Hostile inputs: huge files, huge lines, a million cues. Refused or read, how fast, how big.

    python benchmarks/dos_inputs.py [--repeats 3] [--keep]

Each case is written to a temporary folder and run twice as a subprocess:
``transcript-lens analyze FILE --classifier rules`` (reading and scoring) and
``read_transcript(FILE)`` alone (the reader's share). For each it prints the
outcome (the refusal message, or the number of turns read), the wall time, the
ratio to the same step on samples/healthy_partnership.vtt in the same run, and
the peak resident memory of the process. Times are medians of ``--repeats``
runs where a run takes under five seconds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BASELINE = REPO / "samples" / "healthy_partnership.vtt"
MB = 1024 * 1024
WORDS = b"we could ship the budget review on friday if the vendor agrees to it "

READ_ONLY = """
import sys
from transcript_lens.errors import TranscriptLensError
from transcript_lens.readers import read_transcript
try:
    print(f"read {len(read_transcript(sys.argv[1]).utterances):,} turns", file=sys.stderr)
except TranscriptLensError as error:
    print(f"refused: {error}", file=sys.stderr)
    sys.exit(1)
"""


def _write_repeated(path: Path, head: bytes, unit: bytes, size: int, tail: bytes = b"") -> None:
    """``head``, ``unit`` repeated to ``size`` bytes, ``tail``; written in chunks."""
    chunk = unit * max(1, MB // len(unit))
    with path.open("wb") as out:
        out.write(head)
        written = len(head)
        while written + len(chunk) <= size:
            out.write(chunk)
            written += len(chunk)
        out.write(unit * ((size - written) // len(unit)))
        out.write(tail)


def make_cases(folder: Path) -> dict[str, Path]:
    cue = b"00:00:01.000 --> 00:00:02.000\n"
    cases: dict[str, Callable[[Path], None]] = {
        "200 MB plain text": lambda p: _write_repeated(
            p, b"", b"Ana: " + WORDS + b"\nBen: " + WORDS + b"\n", 200 * MB
        ),
        "VTT, 1,000,000 empty cues": lambda p: p.write_bytes(b"WEBVTT\n\n" + (cue + b"\n") * 10**6),
        "VTT, 200,000 empty cues": lambda p: p.write_bytes(b"WEBVTT\n\n" + (cue + b"\n") * 200_000),
        "txt, one 10 MB line": lambda p: _write_repeated(p, b"Ana: ", WORDS, 10 * MB, b"\n"),
        "txt, 1,900,000 tiny turns": lambda p: p.write_bytes(b"A: b\nB: c\n" * 950_000),
        "txt, 190,000 tiny turns": lambda p: p.write_bytes(b"A: b\nB: c\n" * 95_000),
        "VTT cue, 5 MB of a": lambda p: _write_repeated(
            p, b"WEBVTT\n\n" + cue + b"Ana: ", b"a", 5 * MB, b"\n"
        ),
        "SRT cue, 5 MB of a": lambda p: _write_repeated(
            p, b"1\n00:00:01,000 --> 00:00:02,000\nAna: ", b"a", 5 * MB, b"\n"
        ),
        "JSONL string, 5 MB of a": lambda p: _write_repeated(
            p, b'{"speaker": "Ana", "text": "', b"a", 5 * MB, b'"}\n'
        ),
        "VTT cue, 90 KB of words": lambda p: _write_repeated(
            p, b"WEBVTT\n\n" + cue + b"Ana: ", WORDS, 90 * 1024, b"\n"
        ),
    }
    extensions = {"VTT": ".vtt", "SRT": ".srt", "JSONL": ".jsonl"}
    paths = {}
    for index, (name, make) in enumerate(cases.items()):
        suffix = next((ext for key, ext in extensions.items() if name.startswith(key)), ".txt")
        path = folder / f"case{index}{suffix}"
        make(path)
        paths[name] = path
    return paths


def median_run(command: list[str], repeats: int) -> tuple[float, float, int, str]:
    """Median wall seconds, peak RSS in MB, exit code and last line of output."""
    first = run_once(command)
    if first[0] > 5 or repeats <= 1:
        return first
    runs = [first] + [run_once(command) for _ in range(repeats - 1)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs), first[2], first[3]


def run_once(command: list[str]) -> tuple[float, float, int, str]:
    # Output goes to a file, not a pipe: a large scorecard would fill the pipe and
    # block the child while we wait for it.
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=out, cwd=REPO)
        # wait4 gives this child's own peak RSS, not the largest of all children.
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        lines = out.read().decode("utf-8", "replace").strip().splitlines()
    return elapsed, usage.ru_maxrss / 1024, child.returncode, lines[-1] if lines else ""


def analyze_command(path: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "transcript_lens",
        "analyze",
        str(path),
        "--classifier",
        "rules",
        "--format",
        "json",
    ]


def read_command(path: Path) -> list[str]:
    return [sys.executable, "-c", READ_ONLY, str(path)]


def outcome(code: int, last: str) -> str:
    if code == 0:
        return "analyzed" if not last.startswith("read ") else last
    return last.removeprefix("refused: ")[:150] or f"exit {code}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="dos-inputs-"))
    try:
        print(f"writing the cases in {folder} ...", flush=True)
        cases = make_cases(folder)
        base_analyze = median_run(analyze_command(BASELINE), args.repeats)
        base_read = median_run(read_command(BASELINE), args.repeats)
        print(
            f"baseline {BASELINE.name}: analyze {base_analyze[0]:.2f} s, "
            f"{base_analyze[1]:.0f} MB peak; read {base_read[0]:.2f} s, {base_read[1]:.0f} MB peak"
        )
        print()
        header = (
            f"{'case':28} {'size':>8}  {'step':7} {'time':>8} {'x base':>7} {'peak':>8}  outcome"
        )
        print(header)
        print("-" * len(header))
        for name, path in cases.items():
            size = path.stat().st_size / MB
            for step, command, base in (
                ("analyze", analyze_command(path), base_analyze),
                ("read", read_command(path), base_read),
            ):
                seconds, peak, code, last = median_run(command, args.repeats)
                print(
                    f"{name:28} {size:6.1f}MB  {step:7} {seconds:7.2f}s {seconds / base[0]:6.1f}x "
                    f"{peak:6.0f}MB  {outcome(code, last)}",
                    flush=True,
                )
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
