"""transcript-lens: how much real partnership happens in a meeting.

The Python API (docs/python-api.md): ``analyze`` one meeting, ``classify``
utterances, ``batch`` an archive into a database; an :class:`Analyzer` for
many meetings with the same options.
"""

from __future__ import annotations

__version__ = "0.1.0"

# First: it must run before anything below can import a model library.
from . import _offline  # noqa: E402, F401
from .analyzer import Analysis, Analyzer, ReadMeeting  # noqa: E402
from .api import analyze, batch, classifier_inputs, classify  # noqa: E402
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
    "batch",
    "classifier_inputs",
    "classify",
    "read_transcript",
]
