"""The real-speech gold set: labelled turns of public meetings, kept as references.

``data/real/gold.jsonl`` holds one row per labelled turn: the meeting file, the
1-based line in it, the SHA-1 of the turn's text, ``kind`` (``stretch``: part of
a run of consecutive turns, at the rate things happen; ``candidate`` and
``active``: picked as a likely label; ``rest``: the remaining turns of a tuning
meeting, labelled so that the meeting is labelled whole), ``split`` (``tune``
or ``test``, by meeting) and the adjudicated ``labels``. The text itself stays
in the corpora (``../shared/corpora/realmeetings``); :func:`load_gold` resolves
it and refuses a turn whose text no longer matches its hash.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import TranscriptLensError
from ..labels import LABELS, Label, sort_labels

REPO = Path(__file__).resolve().parents[3]
GOLD_PATH = REPO / "data" / "real" / "gold.jsonl"
CORPORA_DIR = Path(os.environ.get("TRANSCRIPT_LENS_CORPORA", REPO.parent / "shared" / "corpora"))
MEETINGS_DIR = CORPORA_DIR / "realmeetings"

#: Reserved for evaluation by the project: never labelled, trained or tuned on.
HELD_OUT = (
    "ami_TS3003c",
    "ami_TS3003d",
    "icsi_Bmr021",
    "icsi_Bed016",
    "icsi_Buw001",
    "qmsum-committee_education_13",
    "qmsum-committee_covid_6",
)

#: The gold's test part: per corpus, the meetings whose names have the smallest
#: SHA-1 (three AMI, two ICSI, two committee). Never used for any choice.
TEST_MEETINGS = (
    "ami_ES2002a",
    "ami_ES2002b",
    "ami_TS3003b",
    "icsi_Bdb001",
    "icsi_Bns002",
    "qmsum-committee_education_21",
    "qmsum-committee_education_23",
)

TUNE_MEETINGS = (
    "ami_ES2002c",
    "ami_ES2002d",
    "ami_IS1008a",
    "ami_IS1008b",
    "ami_IS1008c",
    "ami_IS1008d",
    "ami_TS3003a",
    "icsi_Bed003",
    "icsi_Bmr005",
    "icsi_Bmr013",
    "icsi_Bro007",
    "icsi_Bro018",
    "qmsum-committee_covid_2",
    "qmsum-committee_education_0",
    "qmsum-committee_education_3",
    "qmsum-committee_education_18",
)


def kind_of(meeting: str) -> str:
    """``ami``, ``icsi`` or ``committee``."""
    return "committee" if meeting.startswith("qmsum-committee") else meeting.split("_")[0]


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class GoldTurn:
    """One gold turn with its text and the previous turn's, resolved from the corpora."""

    meeting: str
    line: int
    kind: str
    split: str
    speaker: str
    text: str
    #: The turn this one answers: the last turn by another speaker.
    context: str | None
    context_speaker: str | None
    labels: tuple[Label, ...]
    #: Where in ``text`` each label is carried (character offsets), when a reader quoted it.
    spans: tuple[tuple[Label, int, int], ...] = ()
    #: Every turn of its meeting is in the gold.
    whole_meeting: bool = False

    @property
    def id(self) -> str:
        return f"{self.meeting}:{self.line}"

    @property
    def natural(self) -> bool:
        """Counted at the rate things happen in meetings: part of a stretch, or of
        a meeting labelled whole (where the picked turns are part of it, and the
        ``rest`` alone would be short of the turns picked from it)."""
        return self.kind == "stretch" or self.whole_meeting


def load_gold(
    path: Path = GOLD_PATH, corpora: Path | None = None, split: str | None = None
) -> list[GoldTurn]:
    """The gold turns (optionally one split), texts read from the corpora folder."""
    meetings_dir = (corpora / "realmeetings") if corpora else MEETINGS_DIR
    if not meetings_dir.is_dir():
        raise TranscriptLensError(
            f"the real meetings are not at {meetings_dir}",
            hint="set TRANSCRIPT_LENS_CORPORA to the folder that holds realmeetings/",
        )
    cache: dict[str, list[dict]] = {}
    turns: list[GoldTurn] = []
    raws = path.read_text(encoding="utf-8").splitlines()
    labelled: dict[str, set[int]] = {}
    for raw in raws:
        row = json.loads(raw)
        labelled.setdefault(row["file"], set()).add(row["line"])
    whole: dict[str, bool] = {}
    for n, raw in enumerate(raws, 1):
        row = json.loads(raw)
        if split and row["split"] != split:
            continue
        meeting = row["file"].removesuffix(".jsonl")
        if meeting not in cache:
            lines = (meetings_dir / row["file"]).read_text(encoding="utf-8").splitlines()
            cache[meeting] = [json.loads(line) for line in lines]
            whole[meeting] = labelled[row["file"]] == set(range(1, len(lines) + 1))
        rows = cache[meeting]
        this = rows[row["line"] - 1]
        if text_hash(this["text"]) != row["sha1"]:
            raise TranscriptLensError(
                f"{path.name}:{n}: {row['file']} line {row['line']} no longer matches its hash",
                hint="the corpora changed; use the copy the gold was made from",
            )
        # The turn it answers: the last one by someone else, as transcript-lens reads it.
        prev = next(
            (
                rows[j]
                for j in range(row["line"] - 2, max(row["line"] - 32, -1), -1)
                if rows[j]["speaker"] != this["speaker"]
            ),
            None,
        )
        turns.append(
            GoldTurn(
                meeting=meeting,
                line=row["line"],
                kind=row["kind"],
                split=row["split"],
                speaker=this["speaker"],
                text=this["text"],
                context=prev["text"] if prev else None,
                context_speaker=prev["speaker"] if prev else None,
                labels=tuple(sort_labels(row["labels"])),
                spans=tuple(
                    (label, int(span[0]), int(span[1]))
                    for label, span in sorted(row.get("spans", {}).items())
                    if label in row["labels"]
                ),
                whole_meeting=whole[meeting],
            )
        )
    return turns


def cohen_kappa(a: list[bool], b: list[bool]) -> float:
    n = len(a)
    if not n:
        return 0.0
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    pa, pb = sum(a) / n, sum(b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def agreement(path: Path = GOLD_PATH) -> dict[str, dict[str, float | None]]:
    """Cohen's kappa of the two annotators per label (and for "any label"), from the gold file.

    ``kappa`` is None for a label neither annotator used.
    """
    readers: list[tuple[list[str], list[str]]] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(raw)
        first, second = row.get("readers", [[], []])
        readers.append((first, second))
    out: dict[str, dict[str, float | None]] = {}
    for label in (*LABELS, "any"):
        a = [bool(x) if label == "any" else label in x for x, _ in readers]
        b = [bool(y) if label == "any" else label in y for _, y in readers]
        out[label] = {
            "reader_1": sum(a),
            "reader_2": sum(b),
            "both": sum(x and y for x, y in zip(a, b, strict=True)),
            "kappa": round(cohen_kappa(a, b), 3) if any(a) or any(b) else None,
        }
    return out
