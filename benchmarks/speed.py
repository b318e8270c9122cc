"""Speed of `analyze` and of the rule classifier, as ratios against a baseline.

    python benchmarks/speed.py [--repeats 5]

Machines here are noisy, so every figure is the median of several runs and is
set beside a baseline measured in the same run: the bare spaCy pipeline
(`nlp.pipe` over the same texts, same components) for the classifier, and the
classifier alone for `analyze` end to end.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from corpora import MEETINGS, REPO

from transcript_lens.api import classifier_inputs
from transcript_lens.classifiers import get_classifier
from transcript_lens.readers import read_transcript

MEETING = MEETINGS / "icsi_Bmr021.jsonl"


def median_time(func, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    path = MEETING if MEETING.exists() else REPO / "samples" / "steering_committee.jsonl"
    transcript = read_transcript(path)
    items = classifier_inputs(transcript)
    classifier = get_classifier("rules")
    classifier.predict(items[:5])  # load the model outside the timed runs
    nlp = classifier.nlp  # type: ignore[attr-defined]
    texts = [item.text for item in items]
    contexts = [item.context for item in items if item.context]

    bare = median_time(lambda: (list(nlp.pipe(texts)), list(nlp.pipe(contexts))), args.repeats)
    rules = median_time(lambda: classifier.predict(items), args.repeats)
    n = len(items)
    print(f"meeting {path.name}: {n} utterances, {sum(map(len, texts))} characters")
    print(f"bare spaCy pipe (texts + contexts): {bare:.3f} s  {n / bare:,.0f} utt/s")
    print(
        f"rule classifier:                    {rules:.3f} s  {n / rules:,.0f} utt/s  "
        f"ratio {rules / bare:.2f}x the bare pipeline"
    )

    cold = []
    for _ in range(max(1, args.repeats // 2)):
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "transcript_lens",
                "analyze",
                str(path),
                "--format",
                "json",
                "-o",
                "/dev/null",
            ],
            check=True,
            capture_output=True,
        )
        cold.append(time.perf_counter() - start)
    importer = median_time(
        lambda: subprocess.run([sys.executable, "-c", "import spacy"], check=True),
        max(1, args.repeats // 2),
    )
    cold_median = statistics.median(cold)
    print(
        f"`analyze` end to end, cold start:   {cold_median:.2f} s  "
        f"(python + import spacy alone: {importer:.2f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
