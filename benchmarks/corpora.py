"""Where the benchmarks find the shared corpora, and the meetings held out for evaluation."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
MEETINGS = CORPORA / "realmeetings"

#: Seven real meetings kept for evaluation: never trained on, labelled or tuned on.
HELD_OUT = (
    "ami_TS3003c",
    "ami_TS3003d",
    "icsi_Bmr021",
    "icsi_Bed016",
    "icsi_Buw001",
    "qmsum-committee_education_13",
    "qmsum-committee_covid_6",
)
