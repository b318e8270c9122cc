"""Turn-level gold for the index meetings (data/index/meetings): sheets, agreement, gold.

The 48 meetings of ``data/index`` were written for the project and read
whole by two readers for their band. This script makes the second reading:
every turn labelled against TAXONOMY.md by two annotators who never see a
model's output, a third deciding where they differ.

    python scripts/index_gold.py prepare OUT      # sheets: OUT/chunk*.txt, OUT/GUIDE.md
    python scripts/index_gold.py merge OUT        # OUT/agreement.json, OUT/disagreements.txt
    python scripts/index_gold.py finish OUT       # data/index/gold.jsonl

Annotators write ``OUT/A/chunkN.jsonl`` and ``OUT/B/chunkN.jsonl``; the
adjudicator ``OUT/adjudicated/*.jsonl`` (the same row format).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from real_gold import read_annotations  # same folder: the annotators' row format

from transcript_lens.classifiers.realgold import cohen_kappa
from transcript_lens.labels import LABELS

ROOT = Path(__file__).resolve().parent.parent
INDEX = ROOT / "data" / "index"
GOLD = INDEX / "gold.jsonl"

GUIDE = """# Annotation guide (written meetings, whole)

You are labelling every turn of meetings written for the transcript-lens project
(business relationship meetings, steering boards, vendor reviews, post-mortems,
status and planning meetings, coaching sessions) against the partnership taxonomy
in /work/shared/TAXONOMY.md. Read that file in full first; it is the definition.
This page only adds how to work. Read nothing else in the project: not its
code, models, other data files or notes about these meetings.

- Read each meeting in order, as a careful participant would. Label what each turn
  DOES in the conversation, read with the turns before it, not which words it
  contains. Zero or more labels per turn.
- When in doubt between a label and none, choose none: every label becomes evidence
  shown to a person. Most turns carry no label.
- Greetings, logistics, acknowledgements ("Okay.", "Thanks.", "Got it."), status
  reports and questions of fact carry no label.
- dissent: disagreeing, declining, objecting, pushing back or raising an alternative
  against a proposal or decision (or explicitly inviting/protecting disagreement).
  An answer "no" to a question of fact is not dissent.
- silencing: the turn dismisses, forbids or overrides disagreement instead of
  answering it (closing the topic, pulling rank, "do it the way it's written").
  Disagreeing with someone, even firmly, is dissent, not silencing.
- resignation: the speaker withdraws, gives up voice or hands the decision away in
  frustration ("Fine. Your call."), typically after being overruled. Agreement
  after being persuaded, or a friendly "you're fine", is not resignation.
- blame: placing responsibility for a problem on others while excusing oneself or
  one's own group, with or without blame words. Stating a fact or a root cause
  without excusing oneself is not blame.
- ownership: the speaker commits themself (or a "we" that includes them) to act, or
  owns their part in a result. Assigning work to others is not ownership.
- candor: an uncomfortable truth said plainly (bad news, a real risk, a mistake, the
  limits of one's own knowledge when it matters). Routine status is not candor.
- purpose: stating, asking about or negotiating the goal, desired outcome or why of
  the shared work. Agenda and task logistics are not purpose.
- In a long turn, the turn gets a label if some part of it does that act; give the
  quote that carries it.

## Output
Write JSON Lines, one line per turn you label (turns with no label are simply not
listed):

  {"id": "im05:23", "labels": ["dissent"], "quotes": {"dissent": "exact words from that turn"}}

- `id` is exactly the bracketed id before the turn.
- `labels` from: purpose, dissent, ownership, candor, resignation, blame, silencing.
- `quotes`: for each label, a short exact substring of that turn that carries it.
- Append to your output file as you go (so partial work is never lost), and end with
  one line {"done": true, "labelled": <number of turns you labelled>}.
"""


def meetings() -> dict[str, Path]:
    return {p.name[:4]: p for p in sorted((INDEX / "meetings").glob("im*.txt"))}


def turns(path: Path) -> list[tuple[int, str]]:
    """(1-based line, text of the line) for every non-empty line of a meeting."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [(n, line) for n, line in enumerate(lines, 1) if line.strip()]


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def prepare(out: Path) -> None:
    split = json.loads((INDEX / "split.json").read_text())
    test = set(split["test"])
    out.mkdir(parents=True, exist_ok=True)
    (out / "GUIDE.md").write_text(GUIDE, encoding="utf-8")
    tune_ids = [m for m in meetings() if m not in test]
    test_ids = [m for m in meetings() if m in test]
    # Three sheets of the tune part (balanced by characters), one of the test part.
    groups: list[list[str]] = [[], [], []]
    load = [0, 0, 0]
    sizes = {m: meetings()[m].stat().st_size for m in tune_ids}
    for m in sorted(tune_ids, key=lambda m: -sizes[m]):
        k = load.index(min(load))
        groups[k].append(m)
        load[k] += sizes[m]
    groups.append(test_ids)
    items = []
    for k, group in enumerate(groups, 1):
        parts = []
        for m in sorted(group):
            lines = [f"=== MEETING {m}: label every turn ==="]
            for n, text in turns(meetings()[m]):
                lines.append(f"[{m}:{n}] {text}")
                items.append({"meeting": m, "line": n, "chunk": k})
            parts.append("\n".join(lines))
        (out / f"chunk{k}.txt").write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    (out / "items.json").write_text(json.dumps(items))
    print(f"{len(items)} turns in {len(groups)} sheets: {[len(g) for g in groups]} meetings")


def readings(out: Path, name: str) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for path in sorted((out / name).glob("*.jsonl")):
        found.update(read_annotations(path))
    return found


def merge(out: Path) -> None:
    items = json.loads((out / "items.json").read_text())
    a, b = readings(out, "A"), readings(out, "B")
    ids = [f"{i['meeting']}:{i['line']}" for i in items]
    report: dict = {"turns": len(ids), "per_label": {}}
    for label in (*LABELS, "any"):

        def has(r: dict[str, dict], id_: str, label: str = label) -> bool:
            got = r.get(id_, {"labels": []})["labels"]
            return bool(got) if label == "any" else label in got

        xa = [has(a, i) for i in ids]
        xb = [has(b, i) for i in ids]
        report["per_label"][label] = {
            "A": sum(xa),
            "B": sum(xb),
            "both": sum(x and y for x, y in zip(xa, xb, strict=True)),
            "kappa": round(cohen_kappa(xa, xb), 3),
        }
    print(json.dumps(report, indent=1))
    (out / "agreement.json").write_text(json.dumps(report, indent=1))
    texts = {m: dict(turns(p)) for m, p in meetings().items()}
    lines = []
    for item in items:
        id_ = f"{item['meeting']}:{item['line']}"
        la = a.get(id_, {"labels": [], "quotes": {}})
        lb = b.get(id_, {"labels": [], "quotes": {}})
        if la["labels"] == lb["labels"]:
            continue
        meeting = texts[item["meeting"]]
        before = [n for n in meeting if n < item["line"]][-3:]
        lines.append("")
        lines.extend(f"    (context) {meeting[n]}" for n in before)
        lines.append(f">> [{id_}] {meeting[item['line']]}")
        lines.append(f"   reader 1: {la['labels'] or ['none']} {la['quotes'] or ''}")
        lines.append(f"   reader 2: {lb['labels'] or ['none']} {lb['quotes'] or ''}")
    (out / "disagreements.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("disagreements:", sum(1 for x in lines if x.startswith(">>")))


def finish(out: Path) -> None:
    items = json.loads((out / "items.json").read_text())
    split = set(json.loads((INDEX / "split.json").read_text())["test"])
    a, b, adj = readings(out, "A"), readings(out, "B"), readings(out, "adjudicated")
    texts = {m: dict(turns(p)) for m, p in meetings().items()}
    rows = []
    for item in items:
        id_ = f"{item['meeting']}:{item['line']}"
        la = a.get(id_, {"labels": []})["labels"]
        lb = b.get(id_, {"labels": []})["labels"]
        if la == lb:
            labels = la
        elif id_ in adj:
            labels = adj[id_]["labels"]
        else:
            sys.exit(f"{id_}: readers differ and no adjudication")
        row = {
            "meeting": item["meeting"],
            "line": item["line"],
            "sha1": sha1(texts[item["meeting"]][item["line"]]),
            "split": "test" if item["meeting"] in split else "tune",
            "labels": labels,
        }
        if la or lb:
            row["readers"] = [la, lb]
        rows.append(row)
    GOLD.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} turns, {sum(bool(r['labels']) for r in rows)} labelled -> {GOLD}")


if __name__ == "__main__":
    command, folder = sys.argv[1], Path(sys.argv[2])
    {"prepare": prepare, "merge": merge, "finish": finish}[command](folder)
