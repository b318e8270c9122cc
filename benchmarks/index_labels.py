"""Turn labels on whole written meetings: the index meetings read turn by turn.

    python benchmarks/index_labels.py [--part tune|test|all] [--classifier NAME] [--show LABEL]

``data/index/gold.jsonl`` labels every turn of the 48 meetings of
``data/index/meetings`` (written for the project) with the seven labels, by
two annotators from TAXONOMY.md who never saw a model's output, a third
deciding where they differed (``scripts/index_gold.py``). These meetings are
richer in anti-patterns than real recorded ones (they were written to show
each way a partnership fails), so this is where resignation, blame and
silencing can be measured at all, in the context of a whole meeting.
Printed per label: gold support, and precision / recall / F1 (labels shown)
for the rules alone and for the classifier asked for; the share of turns
given any label. The test part (``data/index/split.json``) is never used
for any choice. ``--show LABEL`` lists the turns where the classifier and the
gold differ on that label (tune part only).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from index_validity import INDEX, labelled

from transcript_lens.analyzer import Analyzer
from transcript_lens.labels import LABELS
from transcript_lens.readers import read_transcript

GOLD = INDEX / "gold.jsonl"


def gold_by_meeting() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for line in GOLD.read_text("utf-8").splitlines():
        row = json.loads(line)
        out.setdefault(row["meeting"], []).append(row)
    return out


def predictions(analyzer: Analyzer, meetings: list[str], cache: Path) -> dict[str, list]:
    out = {}
    for meeting in meetings:
        [path] = sorted((INDEX / "meetings").glob(f"{meeting}_*.txt"))
        out[meeting] = (read_transcript(path), labelled(analyzer, path, cache))
    return out


def scores(gold: dict[str, list[dict]], predicted: dict[str, tuple]) -> dict:
    table = {label: {"tp": 0, "fp": 0, "fn": 0} for label in LABELS}
    turns = labelled_gold = labelled_pred = 0
    for meeting, rows in gold.items():
        transcript, labels = predicted[meeting]
        if len(rows) != len(labels):
            raise SystemExit(f"{meeting}: {len(rows)} gold turns, {len(labels)} utterances")
        for row, p in zip(rows, labels, strict=True):
            turns += 1
            labelled_gold += bool(row["labels"])
            labelled_pred += bool(p.labels)
            for label in LABELS:
                g, q = label in row["labels"], label in p.labels
                table[label]["tp"] += g and q
                table[label]["fp"] += q and not g
                table[label]["fn"] += g and not q
    for m in table.values():
        shown, support = m["tp"] + m["fp"], m["tp"] + m["fn"]
        m["precision"] = m["tp"] / shown if shown else 0.0
        m["recall"] = m["tp"] / support if support else 0.0
        pr = m["precision"] + m["recall"]
        m["f1"] = 2 * m["precision"] * m["recall"] / pr if pr else 0.0
        m["shown"], m["support"] = shown, support
    return {
        "labels": table,
        "turns": turns,
        "share_gold": labelled_gold / turns,
        "share_pred": labelled_pred / turns,
    }


def cell(m: dict) -> str:
    return f"{m['precision']:.2f} / {m['recall']:.2f} / {m['f1']:.2f} ({m['shown']})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("tune", "test", "all"), default="all")
    parser.add_argument("--classifier", default="ensemble")
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "tl-index-cache"))
    parser.add_argument("--show", choices=LABELS, help="list disagreements on a label (tune)")
    args = parser.parse_args()
    if not GOLD.exists():
        print(f"no turn gold at {GOLD}; nothing to measure", file=sys.stderr)
        return 1
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    gold = gold_by_meeting()
    split = json.loads((INDEX / "split.json").read_text("utf-8"))
    parts = ("tune", "test") if args.part == "all" else (args.part,)
    analyzers = {
        "rules": Analyzer(classifier="rules"),
        "model": Analyzer(classifier=args.classifier),
    }
    print(f"classifier {analyzers['model'].classifier_version}")
    for part in parts:
        part_gold = {m: gold[m] for m in split[part]}
        got = {name: predictions(a, list(part_gold), cache) for name, a in analyzers.items()}
        results = {name: scores(part_gold, p) for name, p in got.items()}
        first = results["rules"]
        print(f"\n{part} part: {len(part_gold)} meetings, {first['turns']} turns")
        head = f"{'label':12} {'gold':>5}  {'rules P / R / F1 (shown)':28}"
        print(f"{head} {args.classifier} P / R / F1 (shown)")
        for label in LABELS:
            print(
                f"{label:12} {first['labels'][label]['support']:5d}  "
                f"{cell(first['labels'][label]):28} {cell(results['model']['labels'][label])}"
            )
        micro = {}
        for name, r in results.items():
            tp = sum(m["tp"] for m in r["labels"].values())
            shown = sum(m["shown"] for m in r["labels"].values())
            micro[name] = tp / shown if shown else 0.0
        print(
            f"any label    share of turns: gold {first['share_gold']:.3f}, rules "
            f"{first['share_pred']:.3f}, {args.classifier} {results['model']['share_pred']:.3f}; "
            f"micro-precision: rules {micro['rules']:.2f}, {args.classifier} {micro['model']:.2f}"
        )
        if args.show and part == "tune":
            for meeting, rows in part_gold.items():
                transcript, labels = got["model"][meeting]
                for row, u, p in zip(rows, transcript.utterances, labels, strict=True):
                    g, q = args.show in row["labels"], args.show in p.labels
                    if g != q:
                        mark = "MISS" if g else "FALSE"
                        print(
                            f"  {mark:5} {meeting}:{row['line']} {p.scores[args.show]:.2f} "
                            f"{u.speaker}: {u.text[:110]}"
                        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
