"""Fit the dialogue stage of a model's default classifier without training the network.

    python scripts/fit_dialogue.py MODEL_DIR [--data DIR] [--corpora DIR]

Reads the model's ensemble (network, rules, combiner) as it stands, labels
the tune part of the index meetings (``data/index/gold.jsonl``) and the real
gold's tuning meetings, fits the dialogue stage
(``transcript_lens/classifiers/train_dialogue.py``) and writes it into
MODEL_DIR's config.json as ``combiner.dialogue``. `transcript-lens train`
runs the same fit at its end.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from transcript_lens.classifiers.ensemble import EnsembleClassifier  # noqa: E402
from transcript_lens.classifiers.learned import CONFIG, LearnedClassifier  # noqa: E402
from transcript_lens.classifiers.realgold import MEETINGS_DIR, load_gold  # noqa: E402
from transcript_lens.classifiers.rules import RuleClassifier  # noqa: E402
from transcript_lens.classifiers.train_dialogue import (  # noqa: E402
    fit_dialogue,
    index_meetings,
    real_meetings,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("--data", type=Path, default=REPO / "data")
    parser.add_argument("--corpora", type=Path, default=None)
    args = parser.parse_args()
    path = args.model_dir / CONFIG
    config = json.loads(path.read_text("utf-8"))
    config["combiner"].pop("dialogue", None)
    learned = LearnedClassifier(args.model_dir)
    learned.config = config
    ensemble = EnsembleClassifier(learned, RuleClassifier())
    gold = load_gold(args.data / "real" / "gold.jsonl", corpora=args.corpora, split="tune")
    meetings_dir = args.corpora / "realmeetings" if args.corpora else MEETINGS_DIR
    written = index_meetings(ensemble, args.data)
    real = real_meetings(ensemble, gold, meetings_dir)
    config["combiner"]["dialogue"] = fit_dialogue(written, real)
    path.write_text(json.dumps(config, indent=2) + "\n", "utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
