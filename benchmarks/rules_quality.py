"""Quality of a classifier: the project dev set, real dialogue acts, real meetings.

    python benchmarks/rules_quality.py [--classifier rules] [--json out.json]

Prints per-label precision/recall/F1 on data/dev.jsonl (written for the
project, never used to write or tune rules), dissent/ownership/candor on the
real dialogue-act rows in ../shared/corpora/dialogue_acts.jsonl (noisy
proxies; see that README), and the share of real meeting turns that get any
label, on the seven held-out meetings and on the rest.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from transcript_lens.api import classifier_inputs
from transcript_lens.classify import get_classifier
from transcript_lens.classify.evaluate import evaluate
from transcript_lens.labels import LABELS
from transcript_lens.readers import read_transcript

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
HELD_OUT = {
    "ami_TS3003c",
    "ami_TS3003d",
    "icsi_Bmr021",
    "icsi_Bed016",
    "icsi_Buw001",
    "qmsum-committee_education_13",
    "qmsum-committee_covid_6",
}


def read_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def print_table(title: str, result: dict, labels: tuple[str, ...] = LABELS) -> None:
    print(f"\n{title}  ({result['rows']} rows, {result['unlabelled_rows']} with no label)")
    print(f"{'label':<12} {'P':>6} {'R':>6} {'F1':>6} {'support':>8} {'fp':>5}")
    for label in labels:
        m = result["labels"][label]
        print(
            f"{label:<12} {m['precision']:>6.3f} {m['recall']:>6.3f} {m['f1']:>6.3f} "
            f"{m['support']:>8} {m['fp']:>5}"
        )
    macro = sum(result["labels"][label]["f1"] for label in labels) / len(labels)
    print(
        f"{'macro-F1':<12} {macro:>20.3f}   false-alarm rate on unlabelled rows "
        f"{result['false_alarm_rate']:.3f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classifier", default="rules")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    classifier = get_classifier(args.classifier)
    figures: dict = {"classifier": f"{classifier.name}/{classifier.version}"}

    dev = evaluate(classifier, read_rows(REPO / "data" / "dev.jsonl"))
    print_table("Dev set data/dev.jsonl", dev)
    figures["dev"] = dev

    acts_path = CORPORA / "dialogue_acts.jsonl"
    if acts_path.exists():
        rows = []
        for row in read_rows(acts_path):
            mapped = row["mapped"]
            rows.append(
                {
                    "text": row["text"],
                    "context": row["context"],
                    "labels": [] if mapped == "none" else [mapped],
                }
            )
        acts = evaluate(classifier, rows)
        print_table(
            "Real dialogue acts (ICSI-MRDA + AMI, CC BY 4.0; proxies for 3 labels)",
            acts,
            ("dissent", "ownership", "candor"),
        )
        figures["dialogue_acts"] = acts
    else:
        print("\n(../shared/corpora absent: real-speech figures skipped)")

    meetings = CORPORA / "realmeetings"
    if meetings.is_dir():
        print("\nShare of real meeting turns with any label")
        share: dict[str, dict] = {}
        for group, members in (("held_out", True), ("other", False)):
            turns = labelled = 0
            per_label: Counter[str] = Counter()
            for path in sorted(meetings.glob("*.jsonl")):
                if (path.stem in HELD_OUT) != members:
                    continue
                transcript = read_transcript(path)
                predictions = classifier.predict(classifier_inputs(transcript))
                turns += len(predictions)
                labelled += sum(1 for p in predictions if p.labels)
                per_label.update(label for p in predictions for label in p.labels)
            share[group] = {
                "turns": turns,
                "labelled": labelled,
                "share": round(labelled / turns, 4) if turns else 0.0,
                "per_label": {label: per_label[label] for label in LABELS},
            }
            print(
                f"  {group:<9} {labelled:>5}/{turns:<6} = {share[group]['share']:.1%}   "
                + " ".join(f"{k}={v}" for k, v in share[group]["per_label"].items())
            )
        figures["realmeetings"] = share

    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
        print(f"\nwrote {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
