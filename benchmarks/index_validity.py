"""Does the partnership index follow careful readers? (issue 13)

Scores every meeting of ``data/index/meetings`` with the shipped classifier
and scoring, and sets the index beside the two readers' consensus
(``data/index/readings.jsonl``): Spearman correlation of the index with the
readers' mean score, the share of meetings in the readers' band, the largest
band gap, and a table. The tune part (``data/index/split.json``) is what
scoring choices may look at; the test part is reported, never tuned on.

    python benchmarks/index_validity.py               # both parts, default classifier
    python benchmarks/index_validity.py --part test --classifier rules
    python benchmarks/index_validity.py --config my_scoring.toml

Labels are cached per classifier version in ``--cache`` (default a temporary
folder), so trying scoring configs does not label the meetings again.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from statistics import mean

from scipy.stats import spearmanr

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from transcript_lens.analyzer import Analyzer  # noqa: E402
from transcript_lens.api import label_transcript  # noqa: E402
from transcript_lens.classifiers.base import UtteranceLabels  # noqa: E402
from transcript_lens.readers import read_transcript  # noqa: E402
from transcript_lens.scorecard.assess import assess_transcript  # noqa: E402
from transcript_lens.scorecard.config import load_config  # noqa: E402
from transcript_lens.scorecard.scoring import score_transcript  # noqa: E402

INDEX = REPO / "data" / "index"
BANDS = ("order taker", "service provider", "trusted advisor", "strategic partner")


def consensus() -> dict[str, tuple[str, float]]:
    """Per meeting: the readers' band (where they differ, the band of their mean
    score) and their mean score."""
    by: dict[str, dict[str, dict]] = {}
    for line in (INDEX / "readings.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        by.setdefault(row["meeting"], {})[row["reader"]] = row
    out = {}
    for meeting, readers in by.items():
        score = mean(r["score"] for r in readers.values())
        bands = {r["band"] for r in readers.values()}
        band = bands.pop() if len(bands) == 1 else BANDS[min(3, int(score // 25))]
        out[meeting] = (band, score)
    return out


def labelled(analyzer: Analyzer, path: Path, cache: Path) -> list[UtteranceLabels]:
    key = cache / f"{analyzer.classifier_version.replace('/', '_')}-{path.stem}.json"
    if key.exists():
        return [UtteranceLabels.model_validate(x) for x in json.loads(key.read_text())]
    predictions = label_transcript(read_transcript(path), analyzer.classifier)
    key.write_text(json.dumps([p.model_dump(mode="json") for p in predictions]))
    return predictions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classifier", default="ensemble")
    parser.add_argument("--config", default=None, help="a scoring config TOML")
    parser.add_argument("--part", choices=("tune", "test", "all"), default="all")
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "tl-index-cache"))
    parser.add_argument("--table", action="store_true", help="print every meeting")
    args = parser.parse_args()

    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    config = load_config(args.config)
    analyzer = Analyzer(classifier=args.classifier, config=config)
    split = json.loads((INDEX / "split.json").read_text("utf-8"))
    readers = consensus()
    parts = ("tune", "test") if args.part == "all" else (args.part,)
    print(f"classifier {analyzer.classifier_version}, scoring {config.version}/{config.digest}")
    for part in parts:
        rows = []
        for meeting in split[part]:
            [path] = sorted((INDEX / "meetings").glob(f"{meeting}_*.txt"))
            transcript = read_transcript(path)
            card = score_transcript(
                transcript,
                labelled(analyzer, path, cache),
                config,
                classifier=analyzer.classifier_version,
                assessment=assess_transcript(transcript, config.judge),
            )
            band, score = readers[meeting]
            index = card.overall.score if card.overall else float("nan")
            ours = card.overall.band if card.overall else "not scored"
            rows.append((meeting, path.stem, band, score, ours, index, card))
        rho = spearmanr([r[3] for r in rows], [r[5] for r in rows]).statistic
        same = sum(r[2] == r[4] for r in rows)
        gaps = [abs(BANDS.index(r[2]) - BANDS.index(r[4])) if r[4] in BANDS else 9 for r in rows]
        print(
            f"{part}: {len(rows)} meetings  Spearman {rho:.2f}  same band {same}/{len(rows)} "
            f"({same / len(rows):.0%})  largest gap {max(gaps)} band(s)  "
            f"off by 2+: {sum(g >= 2 for g in gaps)}"
        )
        if args.table:
            print(f"  {'meeting':26} {'readers':>22} {'index':>26}  pur dis own can  res bla sil")
            for _, stem, band, score, ours, index, card in sorted(rows, key=lambda r: r[3]):
                req = " ".join(f"{card.requirements[k].score:3.0f}" for k in card.requirements)
                flags = " ".join(
                    f"{sum(f.label == a for f in card.flags):3d}"
                    for a in ("resignation", "blame", "silencing")
                )
                mark = "" if band == ours else "  <-"
                print(
                    f"  {stem:26} {band:>17} {score:4.0f} {ours:>20} {index:5.1f}  "
                    f"{req}  {flags}{mark}"
                )


if __name__ == "__main__":
    main()
