"""Where the benchmarks find the shared corpora, and the meetings held out for evaluation."""

from __future__ import annotations

from pathlib import Path

from transcript_lens.classifiers.realgold import CORPORA_DIR as CORPORA
from transcript_lens.classifiers.realgold import HELD_OUT
from transcript_lens.classifiers.realgold import MEETINGS_DIR as MEETINGS

REPO = Path(__file__).resolve().parents[1]

__all__ = ["CORPORA", "HELD_OUT", "MEETINGS", "REPO"]
