"""Refit the default classifier's combiner without training the network again.

    python scripts/refit_combiner.py MODEL_DIR HELD_OUT [--data DIR] [--corpora DIR]

MODEL_DIR is a model written by `transcript-lens train`; HELD_OUT is the file
its `--held-out` option wrote (the real pieces as the fold networks scored
them). Combiner-only gold turns (``rest``) missing from HELD_OUT, added to the
gold after the model was trained, are scored by MODEL_DIR's network, which
never trained on them, as `train` scores them. The combiner is fitted
exactly as `train` fits it, on the real gold's tuning part and the written
dev split, and written into MODEL_DIR's config.json. Use it after changing
`train_real.py`; a model shipped this way is still what `transcript-lens
train` reproduces, as long as the change is committed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from transcript_lens.classifiers.learned import CONFIG, LearnedClassifier  # noqa: E402
from transcript_lens.classifiers.realgold import load_gold  # noqa: E402
from transcript_lens.classifiers.rules import RuleClassifier  # noqa: E402
from transcript_lens.classifiers.train import corpus  # noqa: E402
from transcript_lens.classifiers.train_real import (  # noqa: E402
    fit_combiner,
    read_piece_rows,
    real_rows,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("held_out", type=Path)
    parser.add_argument("--data", type=Path, default=REPO / "data")
    parser.add_argument("--corpora", type=Path, default=None)
    args = parser.parse_args()
    data = args.data
    gold = load_gold(data / "real" / "gold.jsonl", corpora=args.corpora, split="tune")
    _, dev = corpus(data)
    config = json.loads((args.model_dir / CONFIG).read_text("utf-8"))
    held_out = read_piece_rows(args.held_out)
    scored = {row.turn for row in held_out}
    only = tuple(config.get("training", {}).get("combiner_only_kinds", ("rest",)))
    taught = [t for t in gold if t.kind not in only]
    trained_on = config.get("training", {}).get("real_turns")
    if trained_on is not None and trained_on != len(taught):
        raise SystemExit(
            f"{args.model_dir} trained on {trained_on} real turns, the gold has {len(taught)} "
            "to train on: train again"
        )
    missing = [t for t in gold if t.kind in only and t.id not in scored]
    learned, rules = LearnedClassifier(args.model_dir), RuleClassifier()
    if missing:
        held_out = held_out + real_rows(learned, rules, missing)
        print(f"scored {len(missing)} combiner-only turns with the final network")
    config["combiner"] = fit_combiner(learned, rules, gold, dev, held_out=held_out)
    config.setdefault("training", {})["combiner_turns"] = len(gold)
    (args.model_dir / CONFIG).write_text(json.dumps(config, indent=2) + "\n", "utf-8")
    print(json.dumps(config["combiner"]["thresholds"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
