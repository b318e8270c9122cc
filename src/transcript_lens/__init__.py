"""transcript-lens: how much real partnership happens in a meeting.

>>> from transcript_lens import analyze
>>> card = analyze("samples/healthy_partnership.vtt")
>>> card.overall.band
"""

from __future__ import annotations

__version__ = "0.1.0"

# First: it must run before anything below can import a model library.
from . import _offline  # noqa: E402, F401
from .analyzer import Analysis, Analyzer, ReadMeeting  # noqa: E402
from .api import analyze, classifier_inputs  # noqa: E402
from .errors import TranscriptLensError  # noqa: E402
from .model import Transcript, Utterance  # noqa: E402
from .readers import read_transcript  # noqa: E402
from .scorecard import Scorecard  # noqa: E402

__all__ = [
    "Analysis",
    "Analyzer",
    "ReadMeeting",
    "Scorecard",
    "Transcript",
    "TranscriptLensError",
    "Utterance",
    "__version__",
    "analyze",
    "classifier_inputs",
    "read_transcript",
]
