"""Reports on real meetings: what the exchanges find, how long rendering and redaction take,
and whether any speaker name survives redaction.

Runs every meeting in ../shared/corpora/realmeetings (JSON Lines) and the
samples. The held-out meetings are only run, never tuned on. Figures:

- per group (samples, real meetings not held out, held-out): dissent
  outcomes, the dissenter giving up afterwards, purpose questions answered,
  commitments and the share with an owner / a due date stated;
- HTML report size and render time (median of 3), Markdown render time;
- redaction time per meeting (median over meetings, model loaded once) and
  leaks: words of person-like speaker names still present in the redacted
  JSON scorecard.

    python benchmarks/reports.py [--classifier rules|learned|ensemble]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpora import HELD_OUT, MEETINGS, REPO  # noqa: E402

from transcript_lens.api import analyze  # noqa: E402
from transcript_lens.classifiers import get_classifier  # noqa: E402
from transcript_lens.redact import person_name, redact_scorecard  # noqa: E402
from transcript_lens.render import render  # noqa: E402
from transcript_lens.scorecard import Scorecard  # noqa: E402


def _median_ms(work, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def _group(path: Path) -> str:
    if path.parent.name == "samples":
        return "samples"
    return "held-out" if path.stem in HELD_OUT else "real, not held out"


def _leaks(card: Scorecard, redacted: Scorecard) -> list[str]:
    text = redacted.model_dump_json()
    found = []
    for speaker in card.speakers:
        words = person_name(speaker.name)
        for word in words or ():
            # Hyphens join a different name ("Irranca-Davies" is not Davies).
            if len(word) > 2 and re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text):
                found.append(word)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classifier", default="ensemble")
    args = parser.parse_args()
    if not MEETINGS.is_dir():
        sys.exit(f"no corpora at {MEETINGS}")
    model = get_classifier(args.classifier)
    paths = sorted(p for p in (REPO / "samples").iterdir() if p.suffix in {".vtt", ".srt"})
    paths += sorted((REPO / "samples").glob("*.txt")) + sorted((REPO / "samples").glob("*.jsonl"))
    paths += sorted(MEETINGS.glob("*.jsonl"))

    stats: dict[str, Counter[str]] = {}
    html_ms, md_ms, html_kib, redact_ms, turns = [], [], [], [], []
    leaks: list[str] = []
    redact_scorecard(analyze(paths[0], classifier=model))  # load the NER model once
    print(f"{len(paths)} meetings, classifier {args.classifier}")
    for path in paths:
        card = analyze(path, classifier=model)
        d = card.dynamics
        assert d is not None
        c = stats.setdefault(_group(path), Counter())
        c["meetings"] += 1
        c["turns"] += card.meeting.turns
        c["dissent"] += len(d.dissent)
        for outcome, n in d.outcomes.items():
            c[outcome] += n
        c["then gave up"] += sum(1 for x in d.dissent if x.resigned is not None)
        c["purpose questions"] += len(d.purpose_questions)
        c["answered questions"] += sum(1 for q in d.purpose_questions if q.answer)
        c["commitments"] += len(d.commitments)
        c["owner stated"] += sum(1 for x in d.commitments if x.owner)
        c["due stated"] += sum(1 for x in d.commitments if x.due)
        html = render(card, "html")
        html_kib.append(len(html.encode()) / 1024)
        html_ms.append(_median_ms(lambda card=card: render(card, "html")))
        md_ms.append(_median_ms(lambda card=card: render(card, "markdown")))
        start = time.perf_counter()
        redacted = redact_scorecard(card)
        redact_ms.append(1000 * (time.perf_counter() - start))
        turns.append(card.meeting.turns)
        leaks += [f"{path.stem}:{w}" for w in _leaks(card, redacted)]

    print()
    print(f"{'':<22}" + "".join(f"{g:>20}" for g in stats))
    keys = (
        "meetings", "turns", "dissent", "answered", "silenced", "lost_voice", "unanswered",
        "then gave up", "purpose questions", "answered questions", "commitments",
        "owner stated", "due stated",
    )  # fmt: skip
    for key in keys:
        print(f"{key:<22}" + "".join(f"{stats[g][key]:>20}" for g in stats))
    print()
    print(
        f"HTML report: median {statistics.median(html_kib):.0f} KiB, "
        f"max {max(html_kib):.0f} KiB; render median {statistics.median(html_ms):.1f} ms, "
        f"max {max(html_ms):.1f} ms (largest meeting {max(turns)} turns)"
    )
    print(f"Markdown render: median {statistics.median(md_ms):.1f} ms")
    print(
        f"redaction (NER over the meeting + rewrite): median {statistics.median(redact_ms):.0f} ms,"
        f" max {max(redact_ms):.0f} ms"
    )
    print(f"speaker-name words left after redaction: {len(leaks)} {leaks[:10]}")


if __name__ == "__main__":
    main()
