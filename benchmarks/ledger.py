"""The commitment ledger against series with known outcomes (issue 14).

    python benchmarks/ledger.py [--part tune|test|all] [--classifier NAME] [--show]

``data/series/`` holds series of 3-5 meetings written for the project; each
series' ``sNN.key.jsonl`` lists every commitment a careful reader sees (the
meeting and line of the turn that makes it) and its final status (kept,
slipped, dropped, open) with the turn that decides it. Printed, per part
(``data/series/split.json``: by SHA-1 of the series id, a third is test):

- **as shipped**: the classifier finds the commitments (ownership turns),
  the ledger follows them: how many key commitments were found, how many
  found turns are not in the key, and per status precision and recall;
- **given the commitments**: the key's commitment turns labelled ownership
  by hand, so the figures are the ledger's own.

A status claim on a turn that is not a key commitment counts as wrong
(except ``open``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from index_validity import labelled  # noqa: E402

from transcript_lens.analyzer import Analyzer  # noqa: E402
from transcript_lens.api import label_transcript  # noqa: E402
from transcript_lens.classifiers.base import UtteranceLabels  # noqa: E402
from transcript_lens.readers import read_transcript  # noqa: E402
from transcript_lens.scorecard.config import load_config  # noqa: E402
from transcript_lens.scorecard.relationship import STATUSES, build_relationship  # noqa: E402
from transcript_lens.scorecard.scoring import score_transcript  # noqa: E402
from transcript_lens.speakers import load_speaker_map, sides_for  # noqa: E402

SERIES = REPO / "data" / "series"


def series_ids() -> list[str]:
    return sorted(p.name.split(".")[0] for p in SERIES.glob("s*.key.jsonl"))


def meetings_of(sid: str) -> list[Path]:
    return sorted(SERIES.glob(f"{sid}_m*.txt"), key=lambda p: int(p.stem.split("_m")[1]))


def key_of(sid: str) -> list[dict]:
    lines = (SERIES / f"{sid}.key.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def line_of(path: Path) -> dict[str, int]:
    """Utterance id -> 1-based line of the meeting file (one turn per line)."""
    transcript = read_transcript(path)
    lines = [n for n, text in enumerate(path.read_text("utf-8").splitlines(), 1) if text.strip()]
    if len(lines) != len(transcript.utterances):
        raise SystemExit(f"{path}: turns were merged; the key's lines cannot be matched")
    return {u.id: n for u, n in zip(transcript.utterances, lines, strict=True)}


def evaluate(sids: list[str], analyzer: Analyzer, cache: Path, *, oracle: bool, show: bool):
    config = load_config()
    claims: Counter[tuple[str, str]] = Counter()  # (ours, theirs); theirs "none": not a key item
    found = total = extra = 0
    no_quote = 0
    for sid in sids:
        key = {(k["meeting"], k["line"]): k for k in key_of(sid)}
        total += len(key)
        speaker_map = load_speaker_map(SERIES / f"{sid}.sides.toml")
        cards = []
        lines = []
        for m, path in enumerate(meetings_of(sid), 1):
            transcript = read_transcript(path)
            ids = line_of(path)
            lines.append(ids)
            if oracle:
                wanted = {n for (mm, n) in key if mm == m}
                predictions = [
                    UtteranceLabels(
                        labels=["ownership"] if ids[u.id] in wanted else [],
                        scores={},
                    )
                    for u in transcript.utterances
                ]
            else:
                predictions = labelled(analyzer, path, cache)
            card = score_transcript(
                transcript,
                predictions,
                config,
                classifier="benchmark",
                sides=sides_for(transcript, speaker_map),
            )
            cards.append((path.stem, None, card))
        rel = build_relationship(cards, title=sid)
        for e in rel.commitments:
            line = lines[e.meeting - 1][e.commitment.utterance_id]
            item = key.get((e.meeting, line))
            if e.status != "open" and e.evidence is None:
                no_quote += 1
            if item is None:
                extra += 1
                claims[e.status, "none"] += 1
                continue
            found += 1
            claims[e.status, item["status"]] += 1
            if show and e.status != item["status"]:
                said = e.evidence.quote.text[:80] if e.evidence else "-"
                print(
                    f"    {sid} m{e.meeting}:{line} ours {e.status:7} key {item['status']:7} "
                    f"| {e.commitment.text[:60]!r} | decided by {said!r}"
                )
    return claims, found, total, extra, no_quote


def report(name: str, result) -> None:
    claims, found, total, extra, no_quote = result
    print(f"  {name}: {found} of {total} key commitments found, {extra} found turns not in the key")
    for status in STATUSES:
        ours = sum(n for (o, _), n in claims.items() if o == status)
        right = claims[status, status]
        theirs = sum(n for (o, t), n in claims.items() if t == status)
        p = right / ours if ours else float("nan")
        r = right / theirs if theirs else float("nan")
        print(
            f"    {status:8} precision {p:.2f} ({right}/{ours})  recall {r:.2f} ({right}/{theirs})"
        )
    print(f"    settled without a quote: {no_quote}")


AMI = {"ES2002": "abcd", "IS1008": "abcd", "TS3003": "abcd"}
SIDES = {
    "Project Manager": "management",
    "Marketing": "management",
    "Industrial Designer": "design",
    "User Interface": "design",
}


def ami(analyzer: Analyzer, show: bool) -> None:
    """The real AMI design series against the hand reading in data/series/ami/."""
    from transcript_lens.classifiers.realgold import MEETINGS_DIR
    from transcript_lens.model import Transcript, Utterance
    from transcript_lens.speakers import link_replies

    if not MEETINGS_DIR.is_dir():
        print(f"no real meetings at {MEETINGS_DIR}; nothing to compare", file=sys.stderr)
        return
    config = load_config()
    for series, letters in AMI.items():
        key = {(k["meeting"], k["line"]): k for k in key_of_ami(series)}
        cards = []
        names = []
        for letter in letters:
            name = f"ami_{series}{letter}"
            rows = [
                json.loads(line)
                for line in (MEETINGS_DIR / f"{name}.jsonl").read_text("utf-8").splitlines()
            ]
            transcript = Transcript(
                source=name,
                title=name,
                format="jsonl",
                utterances=link_replies(
                    Utterance(id=f"u{n}", speaker=r["speaker"], text=r["text"], start=r["start"])
                    for n, r in enumerate(rows, 1)
                ),
            )
            predictions = label_transcript(transcript, analyzer.classifier)
            sides = {s: SIDES[s] for s in transcript.speakers if s in SIDES}
            card = score_transcript(
                transcript,
                predictions,
                config,
                classifier="benchmark",
                sides=sides,
                side_order=["management", "design"],
            )
            cards.append((name, None, card))
            names.append(name)
        rel = build_relationship(cards, title=series)
        matched = Counter()
        ours_in_key = 0
        for e in rel.commitments:
            where = (names[e.meeting - 1], int(e.commitment.utterance_id[1:]))
            item = key.get(where)
            if item is not None:
                ours_in_key += 1
                matched[e.status, item["status"]] += 1
        statuses = Counter(k["status"] for k in key.values())
        theirs = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
        ours = ", ".join(f"{rel.statuses[s]} {s}" for s in STATUSES)
        same = sum(n for (o, t), n in matched.items() if o == t)
        print(
            f"{series}: hand reading {len(key)} commitments ({theirs}); ours "
            f"{len(rel.commitments)} ({ours}), {ours_in_key} of them in the hand reading, "
            f"same status for {same}"
        )
        for n, m in enumerate(rel.meetings, 1):
            if m.sides:
                print(f"  {names[n - 1]} index {m.index}: " + " ".join(m.sides.reading))
        if show:
            for e in rel.commitments:
                said = e.evidence.quote.text[:70] if e.evidence else ""
                place = (
                    f"{names[e.evidence.meeting - 1]} {e.evidence.quote.utterance_id}"
                    if e.evidence
                    else ""
                )
                print(
                    f"    {names[e.meeting - 1]} {e.commitment.utterance_id} {e.status:7} "
                    f"{e.commitment.speaker}: {e.commitment.text[:60]!r} {place} {said!r}"
                )


def agreement() -> None:
    """The writers' keys against an independent second reading (second_reading.jsonl)."""
    path = SERIES / "second_reading.jsonl"
    if not path.exists():
        print(f"no {path}", file=sys.stderr)
        return
    second: dict[tuple[str, int, int], str] = {}
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            second[row["series"], row["meeting"], row["line"]] = row["status"]
    first = {
        (sid, k["meeting"], k["line"]): k["status"] for sid in series_ids() for k in key_of(sid)
    }
    both = sorted(set(first) & set(second))
    pairs = [(first[k], second[k]) for k in both]
    agree = sum(a == b for a, b in pairs)
    n = len(pairs)
    expected = (
        sum(
            (sum(a == s for a, _ in pairs) / n) * (sum(b == s for _, b in pairs) / n)
            for s in STATUSES
        )
        if n
        else 0.0
    )
    kappa = (agree / n - expected) / (1 - expected) if n and expected < 1 else float("nan")
    print(
        f"commitments: key {len(first)}, second reading {len(second)}, both {n} "
        f"(key's found by the second reader {n / len(first):.0%}); "
        f"status agreement on the shared ones {agree}/{n}, Cohen's kappa {kappa:.2f}"
    )
    confusion = Counter(pairs)
    for a in STATUSES:
        print(f"  key {a:8} -> second: " + ", ".join(f"{b} {confusion[a, b]}" for b in STATUSES))


def key_of_ami(series: str) -> list[dict]:
    path = SERIES / "ami" / f"{series}.key.jsonl"
    return [json.loads(x) for x in path.read_text("utf-8").splitlines() if x.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("tune", "test", "all"), default="all")
    parser.add_argument("--classifier", default="ensemble")
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "tl-ledger-cache"))
    parser.add_argument("--show", action="store_true", help="list the wrong statuses (tune)")
    parser.add_argument("--ami", action="store_true", help="the real AMI series instead")
    parser.add_argument("--agreement", action="store_true", help="the keys' second reading")
    args = parser.parse_args()
    if args.agreement:
        agreement()
        return 0
    if args.ami:
        ami(Analyzer(classifier=args.classifier), args.show)
        return 0
    if not series_ids():
        print(f"no series in {SERIES}", file=sys.stderr)
        return 1
    split = json.loads((SERIES / "split.json").read_text("utf-8"))
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    analyzer = Analyzer(classifier=args.classifier)
    print(f"classifier {analyzer.classifier_version}")
    for part in ("tune", "test") if args.part == "all" else (args.part,):
        sids = [sid for sid in split[part] if sid in series_ids()]
        print(f"{part}: {len(sids)} series")
        show = args.show and part == "tune"
        report("as shipped", evaluate(sids, analyzer, cache, oracle=False, show=show))
        report("given the commitments", evaluate(sids, analyzer, cache, oracle=True, show=show))
    return 0


if __name__ == "__main__":
    sys.exit(main())
