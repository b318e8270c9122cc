"""Fuzz every reader and format detection: any input must read or raise TranscriptLensError.

    python benchmarks/fuzz_readers.py                     # atheris, 3 minutes
    python benchmarks/fuzz_readers.py --seconds 600
    python benchmarks/fuzz_readers.py --engine hypothesis --examples 100000

The atheris engine is coverage-guided (libFuzzer) and starts from every file in
samples/ and tests/data/readers/. The first byte of an input picks the file
name's extension, the second the reader (or detection); the rest is the file.
A crash is anything other than a TranscriptLensError, or one input taking more
than ``--timeout`` seconds. It prints the number of inputs tried, the
throughput and each crash with a minimized reproducer.

Without atheris (``pip install atheris``), the hypothesis engine runs the
strategies of tests/test_attack_readers.py with a fixed seed instead.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEED_DIRS = (REPO / "samples", REPO / "tests" / "data" / "readers")


def _choices() -> tuple[list[str], list[str | None]]:
    from transcript_lens.readers import FORMATS

    suffixes = sorted({ext for reader in FORMATS.values() for ext in reader.extensions} | {""})
    return suffixes, [None, *sorted(FORMATS)]


def one_input(data: bytes) -> str:
    """Read one fuzz input; returns "read" or "refused", raises on anything else."""
    from transcript_lens.errors import TranscriptLensError
    from transcript_lens.readers import read_bytes

    suffixes, names = _choices()
    if len(data) < 2:
        return "refused"
    suffix, name, body = suffixes[data[0] % len(suffixes)], names[data[1] % len(names)], data[2:]
    try:
        transcript = read_bytes(body, source=f"fuzz{suffix}", input_format=name)
    except TranscriptLensError as error:
        if "\n" in str(error):
            raise AssertionError(f"error message of more than one line: {error!r}") from None
        return "refused"
    if not transcript.utterances:
        raise AssertionError("a transcript without utterances")
    return "read"


def seed_corpus(folder: Path) -> int:
    """Write every sample, prefixed with its extension and 'detect', into ``folder``."""
    suffixes, _ = _choices()
    count = 0
    for directory in SEED_DIRS:
        for path in sorted(directory.iterdir()):
            if path.suffix.lower() in suffixes and path.is_file():
                prefix = bytes([suffixes.index(path.suffix.lower()), 0])
                (folder / path.name).write_bytes(prefix + path.read_bytes())
                count += 1
    return count


# --- atheris ----------------------------------------------------------------------


def atheris_child(argv: list[str]) -> None:
    """Runs under libFuzzer: instrument the readers, then fuzz ``one_input``."""
    import atheris

    with atheris.instrument_imports(include=["transcript_lens"]):
        import transcript_lens.readers  # noqa: F401

    def test_one_input(data: bytes) -> None:
        one_input(data)

    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()


def run_atheris(seconds: int, timeout: int, rss_mb: int) -> int:
    work = Path(tempfile.mkdtemp(prefix="fuzz-readers-"))
    corpus, crashes = work / "corpus", work / "crashes"
    corpus.mkdir()
    crashes.mkdir()
    seeds = seed_corpus(corpus)
    command = [
        sys.executable,
        __file__,
        "--atheris-child",
        str(corpus),
        f"-max_total_time={seconds}",
        f"-timeout={timeout}",
        f"-rss_limit_mb={rss_mb}",
        "-max_len=65536",
        f"-artifact_prefix={crashes}/",
        "-print_final_stats=1",
    ]
    print(f"atheris: {seeds} seed files, {seconds} s, timeout {timeout} s an input, in {work}")
    start = time.perf_counter()
    child = subprocess.run(command, capture_output=True, text=True, errors="replace")
    elapsed = time.perf_counter() - start
    log = child.stderr
    (work / "libfuzzer.log").write_text(log)
    runs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", log)
    done = re.findall(r"Done (\d+) runs in (\d+) second", log)
    tried = int(runs[-1]) if runs else int(done[-1][0]) if done else 0
    coverage = re.findall(r"cov: (\d+) ft: (\d+)", log)
    print(f"inputs tried: {tried:,} in {elapsed:.0f} s ({tried / elapsed:,.0f} inputs/s)")
    if coverage:
        print(f"coverage: {coverage[-1][0]} edges, {coverage[-1][1]} features")
    found = sorted(crashes.iterdir())
    if not found:
        print("outcome: no crash, hang or memory blow-up found")
        shutil.rmtree(work)
        return 0
    for crash in found:
        report_crash(crash, timeout)
    print(f"libFuzzer log: {work / 'libfuzzer.log'}")
    return 1


def report_crash(crash: Path, timeout: int) -> None:
    minimized = crash.with_name(crash.name + ".min")
    subprocess.run(
        [
            sys.executable,
            __file__,
            "--atheris-child",
            str(crash),
            "-minimize_crash=1",
            "-runs=20000",
            f"-timeout={timeout}",
            f"-exact_artifact_path={minimized}",
        ],
        capture_output=True,
    )
    data = minimized.read_bytes() if minimized.exists() else crash.read_bytes()
    print(f"outcome: {crash.name.split('-')[0]} ({crash})")
    print(f"  reproducer ({len(data)} bytes): {data[:300]!r}")
    try:
        print(f"  replays as: {one_input(data)}")
    except Exception as error:  # noqa: BLE001 -- reporting whatever the crash is
        print(f"  replays as: {type(error).__name__}: {str(error)[:200]}")


# --- hypothesis -------------------------------------------------------------------


def run_hypothesis(examples: int, seed: int) -> int:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as fixed_seed
    from hypothesis import strategies as st

    sys.path.insert(0, str(REPO))
    from tests.test_attack_readers import mutated_seed

    suffixes, names = _choices()
    inputs = (
        st.binary(max_size=2000)
        | st.text(max_size=2000).map(str.encode)
        | mutated_seed().map(lambda seed: seed[1])
    )
    counts = {"read": 0, "refused": 0}

    @fixed_seed(seed)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(prefix=st.binary(min_size=2, max_size=2), body=inputs)
    def fuzz(prefix: bytes, body: bytes) -> None:
        counts[one_input(prefix + body)] += 1

    print(f"hypothesis: {examples:,} inputs, seed {seed}")
    start = time.perf_counter()
    try:
        fuzz()
    except Exception as error:  # noqa: BLE001 -- hypothesis has shrunk it; show it
        print(f"outcome: crash, minimized by hypothesis: {type(error).__name__}: {error}")
        return 1
    finally:
        elapsed = time.perf_counter() - start
        tried = sum(counts.values())
        print(f"inputs tried: {tried:,} in {elapsed:.0f} s ({tried / elapsed:,.0f} inputs/s)")
        print(f"read: {counts['read']:,}, refused: {counts['refused']:,}")
    print("outcome: no crash found")
    return 0


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--atheris-child":
        atheris_child([sys.argv[0], *sys.argv[2:]])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["atheris", "hypothesis"], default=None)
    parser.add_argument("--seconds", type=int, default=180, help="atheris: how long to fuzz")
    parser.add_argument("--timeout", type=int, default=10, help="atheris: a hang, in seconds")
    parser.add_argument("--rss-mb", type=int, default=2048, help="atheris: memory limit")
    parser.add_argument("--examples", type=int, default=100_000, help="hypothesis: inputs")
    parser.add_argument("--seed", type=int, default=0, help="hypothesis: the fixed seed")
    args = parser.parse_args()
    engine = args.engine
    if engine is None:
        try:
            import atheris  # noqa: F401

            engine = "atheris"
        except ImportError:
            engine = "hypothesis"
    os.environ.setdefault("PYTHONHASHSEED", "0")
    if engine == "atheris":
        return run_atheris(args.seconds, args.timeout, args.rss_mb)
    return run_hypothesis(args.examples, args.seed)


if __name__ == "__main__":
    sys.exit(main())
