"""Quality of a classifier: dev sets, real dialogue acts, real meetings.

    python benchmarks/quality.py [--classifier ensemble|learned|rules] [--json out.json]

Prints per-label precision/recall/F1 on

- the corpus dev split (data/corpus groups listed in data/splits.json: never
  trained on; the learned model's calibration and thresholds were chosen on it);
- data/dev.jsonl (written independently, never used to write rules, train or
  choose thresholds: the honest figure);
- dissent/ownership/candor on the real ICSI/AMI dialogue acts of the 53
  meetings the model was not trained on (noisy proxies, see
  data/external/README.md);

and the share of real meeting turns (../shared/corpora/realmeetings) that get
any label, on the seven held-out meetings and on the rest.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from corpora import CORPORA, HELD_OUT, REPO

from transcript_lens.api import classifier_inputs
from transcript_lens.classifiers import get_classifier
from transcript_lens.classifiers.evaluate import evaluate
from transcript_lens.classifiers.train import corpus, dialogue_acts
from transcript_lens.labels import LABELS
from transcript_lens.readers import read_transcript


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
    parser.add_argument("--classifier", default="ensemble")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    classifier = get_classifier(args.classifier)
    figures: dict = {"classifier": f"{classifier.name}/{classifier.version}"}

    data = REPO / "data"
    _, corpus_dev = corpus(data)
    as_dicts = [
        {"text": r.text, "context": r.context, "labels": list(r.labels)} for r in corpus_dev
    ]
    split = evaluate(classifier, as_dicts)
    print_table("Corpus dev split (data/corpus, dev groups of data/splits.json)", split)
    figures["corpus_dev"] = split

    dev = evaluate(classifier, read_rows(data / "dev.jsonl"))
    print_table("Independent dev set data/dev.jsonl", dev)
    figures["dev"] = dev

    _, acts_dev = dialogue_acts(data)
    acts = evaluate(
        classifier,
        [{"text": r.text, "context": r.context, "labels": list(r.labels)} for r in acts_dev],
    )
    print_table(
        "Real dialogue acts, 53 meetings not trained on (ICSI-MRDA + AMI, CC BY 4.0)",
        acts,
        ("dissent", "ownership", "candor"),
    )
    figures["dialogue_acts"] = acts

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
