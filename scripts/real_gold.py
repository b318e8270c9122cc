"""Build and check the real-speech gold set (data/real/).

    python scripts/real_gold.py prepare OUT_DIR   # stretches, candidates, annotator sheets
    python scripts/real_gold.py prepare-more OUT_DIR  # a second round: turns the model doubts
    python scripts/real_gold.py prepare-rest OUT_DIR  # a third round: every other tuning turn
    python scripts/real_gold.py merge OUT_DIR     # agreement, disagreements to adjudicate
    python scripts/real_gold.py finish OUT_DIR    # write data/real/gold.jsonl

The turns come from ``../shared/corpora/realmeetings`` (AMI and ICSI: CC BY 4.0;
committee transcripts: public parliamentary records, see that folder's README).
The gold keeps only references (file, line, SHA-1 of the text) and our labels.
The seven meetings reserved for evaluation are never touched here.
"""

from __future__ import annotations

import functools
import json
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from transcript_lens.classifiers.realgold import (  # noqa: E402
    GOLD_PATH,
    HELD_OUT,
    MEETINGS_DIR,
    TEST_MEETINGS,
    TUNE_MEETINGS,
    cohen_kappa,
    kind_of,
    text_hash,
)
from transcript_lens.labels import LABELS  # noqa: E402

STRETCH = {"ami": 140, "icsi": 170, "committee": 70}
CANDIDATES_PER_MEETING = 23
SEED = 20261207

# Words that often carry one of the seven labels; used only to pick candidate
# turns for annotation (never as a label).
CUES = re.compile(
    r"\b(no|not|don't|disagree|but|why|goal|purpose|point of|aim|i'll|i will|we'll|"
    r"my fault|on me|i don't know|not sure|honest|frankly|problem|risk|worried|"
    r"concern|blame|their fault|your fault|whatever|fine|up to you|moving on|"
    r"decided|not up for|enough|let's not|shouldn't|can't|won't|failed|mistake)\b",
    re.I,
)


@functools.cache
def load(meeting: str) -> list[dict]:
    path = MEETINGS_DIR / f"{meeting}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def context_lines(rows: list[dict], line: int) -> list[str]:
    """The two turns before ``line`` (1-based), as a sheet shows them."""
    return [
        f"    (context) {rows[j - 1]['speaker']}: {rows[j - 1]['text']}"
        for j in (line - 2, line - 1)
        if j >= 1
    ]


def stretch_bounds(meeting: str, n: int) -> tuple[int, int]:
    """1-based inclusive line range: a fixed length starting a quarter in."""
    length = min(STRETCH[kind_of(meeting)], n)
    start = max(1, min(n - length + 1, round(n * 0.25) + 1))
    return start, start + length - 1


def prepare(out: Path) -> None:
    from transcript_lens.classifiers import ClassifierInput, get_classifier

    out.mkdir(parents=True, exist_ok=True)
    model = get_classifier("ensemble")
    rng = random.Random(SEED)
    items: list[dict] = []
    for meeting in sorted(TUNE_MEETINGS + TEST_MEETINGS):
        assert meeting not in HELD_OUT
        rows = load(meeting)
        lo, hi = stretch_bounds(meeting, len(rows))
        for line in range(lo, hi + 1):
            items.append(dict(meeting=meeting, line=line, kind="stretch"))
        # Candidates: outside the stretch (and two turns clear of it), turns the
        # model of the day labels or that hold a cue word, three words or more.
        outside = [i for i in range(1, len(rows) + 1) if i < lo - 2 or i > hi + 2]
        inputs = [
            ClassifierInput(
                text=rows[i - 1]["text"], context=rows[i - 2]["text"] if i > 1 else None
            )
            for i in outside
        ]
        predicted = model.predict(inputs)
        pool = [
            i
            for i, p in zip(outside, predicted, strict=True)
            if len(rows[i - 1]["text"].split()) >= 3
            and (p.labels or CUES.search(rows[i - 1]["text"]))
        ]
        rng.shuffle(pool)
        for line in sorted(pool[:CANDIDATES_PER_MEETING]):
            items.append(dict(meeting=meeting, line=line, kind="candidate"))
    (out / "items.json").write_text(json.dumps(items))
    write_sheets(out, items)


#: Second round: tuning-part turns only, read with the model of the day.
MORE_TURNS = 720
MORE_RANDOM = 120
MORE_MAX_WORDS = 250


def prepare_more(out: Path) -> None:
    """A second round of single turns from the tuning meetings, picked where the
    shipped model is least sure or speaks: every turn it labels, then the turns
    nearest a threshold, plus a random share. The readers never see why a turn
    was picked; the test meetings are never read."""
    from transcript_lens.classifiers import ClassifierInput, get_classifier

    out.mkdir(parents=True, exist_ok=True)
    gold = [json.loads(line) for line in GOLD_PATH.read_text(encoding="utf-8").splitlines()]
    taken = {(row["file"].removesuffix(".jsonl"), row["line"]) for row in gold}
    model = get_classifier("ensemble")
    thresholds = model.settings["thresholds"]
    rng = random.Random(SEED + 1)
    pool: list[tuple[float, str, int]] = []
    for meeting in sorted(TUNE_MEETINGS):
        assert meeting not in HELD_OUT and meeting not in TEST_MEETINGS
        rows = load(meeting)
        near = {line for m, line in taken if m == meeting}
        lines = [
            i
            for i in range(1, len(rows) + 1)
            if not any(abs(i - j) <= 1 for j in near)
            and 3 <= len(rows[i - 1]["text"].split()) <= MORE_MAX_WORDS
        ]
        inputs = [
            ClassifierInput(
                text=rows[i - 1]["text"], context=rows[i - 2]["text"] if i > 1 else None
            )
            for i in lines
        ]
        for i, p in zip(lines, model.predict(inputs), strict=True):
            # How close the turn comes to a label: 1 or more is a label shown.
            closeness = max(p.scores[label] / thresholds[label] for label in LABELS)
            pool.append((closeness, meeting, i))
    pool.sort(key=lambda x: -x[0])
    picked = pool[: MORE_TURNS - MORE_RANDOM]
    rest = pool[MORE_TURNS - MORE_RANDOM :]
    picked += rng.sample(rest, MORE_RANDOM)
    shown = sum(c >= 1 for c, _, _ in picked)
    items = [
        dict(meeting=m, line=i, kind="active") for _, m, i in sorted(picked, key=lambda x: x[1:])
    ]
    (out / "items.json").write_text(json.dumps(items))
    print(f"{len(items)} turns, {shown} labelled by the model of the day")
    write_sheets(out, items, n_chunks=2)


#: Third round: every tuning turn not yet in the gold, so that each tuning
#: meeting is labelled whole and every turn of it counts at the natural rate.
REST_CHUNKS = 4


def prepare_rest(out: Path) -> None:
    """Sheets of whole tuning meetings: every turn not yet in the gold is to be
    labelled; turns already in it are shown, in place, as context only. No
    model is run: nothing was picked."""
    out.mkdir(parents=True, exist_ok=True)
    gold = [json.loads(line) for line in GOLD_PATH.read_text(encoding="utf-8").splitlines()]
    taken = {(row["file"].removesuffix(".jsonl"), row["line"]) for row in gold}
    items: list[dict] = []
    blocks: list[tuple[int, str]] = []
    for meeting in sorted(TUNE_MEETINGS):
        assert meeting not in HELD_OUT and meeting not in TEST_MEETINGS
        rows = load(meeting)
        lines = [
            f"=== MEETING {meeting}: label every turn with an [id]; lines marked "
            "(context) are read, never labelled ==="
        ]
        words = 0
        for i, r in enumerate(rows, 1):
            if (meeting, i) in taken:
                lines.append(f"    (context) {r['speaker']}: {r['text']}")
                continue
            items.append(dict(meeting=meeting, line=i, kind="rest"))
            words += len(r["text"].split())
            lines.append(f"[{meeting}:{i}] {r['speaker']}: {r['text']}")
        blocks.append((words, "\n".join(lines)))
    (out / "items.json").write_text(json.dumps(items))
    print(f"{len(items)} turns")
    _write_chunks(out, blocks, REST_CHUNKS)


def _write_chunks(out: Path, blocks: list[tuple[int, str]], n_chunks: int) -> None:
    """Greedy balance of whole blocks by words over ``n_chunks`` sheets."""
    chunks: list[list[str]] = [[] for _ in range(n_chunks)]
    load_ = [0] * n_chunks
    for words, text in sorted(blocks, key=lambda b: -b[0]):
        k = load_.index(min(load_))
        chunks[k].append(text)
        load_[k] += words
    for k, parts in enumerate(chunks, 1):
        (out / f"chunk{k}.txt").write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    print("words per chunk:", load_)


def write_sheets(out: Path, items: list[dict], n_chunks: int = 4) -> None:
    """Annotator sheets: stretches whole, candidates with two turns of context."""
    by_meeting: dict[str, list[dict]] = defaultdict(list)
    for item in items:
        by_meeting[item["meeting"]].append(item)
    blocks: list[tuple[int, str]] = []
    for meeting, its in sorted(by_meeting.items()):
        rows = load(meeting)
        stretch = [i for i in its if i["kind"] == "stretch"]
        lines = (
            []
            if not stretch
            else [
                f"=== STRETCH {meeting} lines {stretch[0]['line']}-{stretch[-1]['line']}: "
                "label every turn ==="
            ]
        )
        words = 0
        first = stretch[0]["line"] if stretch else 1
        if first > 1:
            prev = rows[first - 2]
            lines.append(f"    (context, do not label) {prev['speaker']}: {prev['text']}")
        for i in stretch:
            r = rows[i["line"] - 1]
            words += len(r["text"].split())
            lines.append(f"[{meeting}:{i['line']}] {r['speaker']}: {r['text']}")
        if stretch:
            blocks.append((words, "\n".join(lines)))
        cand = [i for i in its if i["kind"] != "stretch"]
        lines = [
            f"=== SINGLE TURNS {meeting}: label only the turn marked >>; "
            "the lines above it are context ==="
        ]
        words = 0
        for i in cand:
            lines.append("")
            lines.extend(context_lines(rows, i["line"]))
            r = rows[i["line"] - 1]
            words += len(r["text"].split())
            lines.append(f">> [{meeting}:{i['line']}] {r['speaker']}: {r['text']}")
        if cand:
            blocks.append((words, "\n".join(lines)))
    _write_chunks(out, blocks, n_chunks)


def read_annotations(path: Path) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        raw = raw.strip()
        if not raw:
            continue
        row = json.loads(raw)
        if "id" not in row:
            continue
        labels = [label for label in LABELS if label in row.get("labels", [])]
        found[row["id"]] = {"labels": labels, "quotes": row.get("quotes", {})}
    return found


def merge(out: Path) -> None:
    items = json.loads((out / "items.json").read_text())
    ann = {name: {} for name in ("A", "B")}
    for name in ann:
        for path in sorted((out / name).glob("chunk*.jsonl")):
            ann[name].update(read_annotations(path))
    ids = [f"{i['meeting']}:{i['line']}" for i in items]
    report = {"turns": len(ids), "per_label": {}}
    for label in (*LABELS, "any"):

        def has(name: str, id_: str, label: str = label) -> bool:
            got = ann[name].get(id_, {"labels": []})["labels"]
            return bool(got) if label == "any" else label in got

        a = [has("A", i) for i in ids]
        b = [has("B", i) for i in ids]
        report["per_label"][label] = {
            "A": sum(a),
            "B": sum(b),
            "both": sum(x and y for x, y in zip(a, b, strict=True)),
            "kappa": round(cohen_kappa(a, b), 3),
        }
    print(json.dumps(report, indent=1))
    (out / "agreement.json").write_text(json.dumps(report, indent=1))
    # Disagreement sheet for the adjudicator: both readings, never a model's.
    by_meeting: dict[str, list[dict]] = defaultdict(list)
    for i in items:
        by_meeting[i["meeting"]].append(i)
    lines = []
    count = 0
    for item in items:
        id_ = f"{item['meeting']}:{item['line']}"
        la = ann["A"].get(id_, {"labels": [], "quotes": {}})
        lb = ann["B"].get(id_, {"labels": [], "quotes": {}})
        if la["labels"] == lb["labels"]:
            continue
        count += 1
        rows = load(item["meeting"])
        lines.append("")
        lines.extend(context_lines(rows, item["line"]))
        r = rows[item["line"] - 1]
        lines.append(f">> [{id_}] {r['speaker']}: {r['text']}")
        lines.append(f"   reader 1: {la['labels'] or ['none']} {la['quotes'] or ''}")
        lines.append(f"   reader 2: {lb['labels'] or ['none']} {lb['quotes'] or ''}")
    (out / "disagreements.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("disagreements:", count)


def finish(out: Path) -> None:
    items = json.loads((out / "items.json").read_text())
    ann = {name: {} for name in ("A", "B", "adjudicated")}
    for name in ann:
        for path in sorted((out / name).glob("*.jsonl")):
            ann[name].update(read_annotations(path))
    GOLD_PATH.parent.mkdir(parents=True, exist_ok=True)
    # A later round adds to the gold: rows of earlier rounds stay as they are.
    keys = {(f"{i['meeting']}.jsonl", i["line"]) for i in items}
    earlier = []
    if GOLD_PATH.exists():
        for raw in GOLD_PATH.read_text(encoding="utf-8").splitlines():
            row = json.loads(raw)
            if (row["file"], row["line"]) not in keys:
                earlier.append(raw)
    counts: Counter[str] = Counter()
    with open(GOLD_PATH, "w", encoding="utf-8") as fh:
        for raw in earlier:
            fh.write(raw + "\n")
        for item in items:
            id_ = f"{item['meeting']}:{item['line']}"
            rows = load(item["meeting"])
            la = ann["A"].get(id_, {"labels": [], "quotes": {}})
            lb = ann["B"].get(id_, {"labels": [], "quotes": {}})
            if la["labels"] == lb["labels"]:
                final = la
            else:
                final = ann["adjudicated"].get(id_)
                if final is None:
                    raise SystemExit(f"{id_}: readers disagree and no adjudication")
            text = rows[item["line"] - 1]["text"]
            spans: dict[str, list[int]] = {}
            # Where in the turn each label is carried: the final reader's quote,
            # else either reader's, as character offsets (no text is copied).
            for source in (final, la, lb):
                for k, v in source["quotes"].items():
                    at = text.find(v) if v else -1
                    if k in final["labels"] and k not in spans and at >= 0:
                        spans[k] = [at, at + len(v)]
            row = {
                "file": f"{item['meeting']}.jsonl",
                "line": item["line"],
                "sha1": text_hash(text),
                "kind": item["kind"],
                "split": "test" if item["meeting"] in TEST_MEETINGS else "tune",
                "labels": final["labels"],
            }
            # Both readers' labels, kept to recompute agreement; absent when neither labelled it.
            if la["labels"] or lb["labels"]:
                row["readers"] = [la["labels"], lb["labels"]]
            if spans:
                row["spans"] = {k: spans[k] for k in final["labels"] if k in spans}
            counts[row["split"] + "/" + row["kind"]] += 1
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(dict(counts))


if __name__ == "__main__":
    verb, where = sys.argv[1], Path(sys.argv[2])
    {
        "prepare": prepare,
        "prepare-more": prepare_more,
        "prepare-rest": prepare_rest,
        "merge": merge,
        "finish": finish,
    }[verb](where)
