"""Quality on real meetings at the rate things happen there, beside the written data.

    python benchmarks/real_quality.py [--part test|tune] [--json out.json]

The real-speech gold (data/real/gold.jsonl) is turns of public meetings
(../shared/corpora/realmeetings) labelled by two annotators from TAXONOMY.md
and adjudicated. Its test part (seven meetings, chosen by SHA-1 of their
names) is never used to train, tune or choose anything. Printed:

- the annotators' agreement (Cohen's kappa) per label, over the whole gold;
- per label, on the natural stretches of the test part (consecutive turns, at
  the real base rate) and with the candidate turns added: gold support, and
  precision / recall / F1 and the number of labels shown for the rules alone
  and for the shipped default classifier; the share of turns given any label
  (gold, rules, shipped); micro-precision; macro-F1 over the four requirements;
  the expected calibration error of the shipped confidences;
- data/dev.jsonl (hand-written, never trained on or tuned on): macro-F1 and the
  false-alarm rate on rows with no label, for both classifiers.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from corpora import MEETINGS, REPO

from transcript_lens.classifiers import get_classifier
from transcript_lens.classifiers.evaluate import evaluate, evaluate_real
from transcript_lens.classifiers.realgold import agreement, load_gold
from transcript_lens.labels import LABELS


def read_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def cell(m: dict) -> str:
    return f"{m['precision']:.2f} / {m['recall']:.2f} / {m['f1']:.2f} ({m['predicted']})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("test", "tune"), default="test")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    if not MEETINGS.is_dir():
        print(f"no real meetings at {MEETINGS}; nothing to measure", file=sys.stderr)
        return 1
    kappa = agreement()
    print("Annotator agreement (Cohen's kappa over all gold turns; n/a: label never used)")
    print(
        "  "
        + "  ".join(f"{k} {'n/a' if v['kappa'] is None else v['kappa']}" for k, v in kappa.items())
    )
    turns = load_gold(split=args.part)
    dev = read_rows(REPO / "data" / "dev.jsonl")
    results: dict = {"kappa": kappa}
    for name in ("rules", "ensemble"):
        model = get_classifier(name)
        results[name] = {
            "version": model.version,
            "real": evaluate_real(model, turns),
            "dev": evaluate(model, dev),
        }
    for part, title in (("natural", "natural stretches"), ("all", "stretches + candidates")):
        gold = results["rules"]["real"][part]
        print(f"\nReal gold, {args.part} part, {title}: {gold['turns']} turns")
        print(
            f"{'label':<12} {'gold':>5}  {'rules P / R / F1 (shown)':<28} "
            f"{'shipped P / R / F1 (shown)':<28}"
        )
        for label in LABELS:
            r = results["rules"]["real"][part]["labels"][label]
            e = results["ensemble"]["real"][part]["labels"][label]
            print(f"{label:<12} {r['support']:>5}  {cell(r):<28} {cell(e):<28}")
        r = results["rules"]["real"][part]
        e = results["ensemble"]["real"][part]
        print(
            f"{'any label':<12} share of turns: gold {r['gold_share']:.3f}, rules "
            f"{r['predicted_share']:.3f}, shipped {e['predicted_share']:.3f} "
            f"({e['predicted_share'] / max(r['gold_share'], 1e-9):.2f}x gold)"
        )
        print(
            f"{'':<12} micro-precision: rules {r['micro_precision']:.3f}, shipped "
            f"{e['micro_precision']:.3f}; macro-F1 (4 requirements): rules "
            f"{r['macro_f1_requirements']:.3f}, shipped {e['macro_f1_requirements']:.3f}"
        )
        print(
            f"{'':<12} expected calibration error of the shipped confidences: "
            f"{e['ece']:.3f} over every (turn, label); {e['ece_shown']:.3f} over the labels shown "
            f"(their mean confidence {e['mean_confidence_shown']:.2f}, right "
            f"{e['micro_precision']:.2f})"
        )
    print("\ndata/dev.jsonl (written by hand, never trained or tuned on)")
    for name in ("rules", "ensemble"):
        d = results[name]["dev"]
        print(
            f"  {name:<9} macro-F1 {d['macro_f1']:.3f}, false alarms on rows with no label "
            f"{d['false_alarm_rate']:.3f}  ({results[name]['version']})"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
