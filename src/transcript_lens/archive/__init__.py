"""Batch analysis of a meeting archive into the database (``transcript-lens batch``)."""

from .runner import BatchOptions, FileResult, Progress, Summary, run_batch, summary_lines
from .sources import Source, discover
from .work import Settings

__all__ = [
    "BatchOptions",
    "FileResult",
    "Progress",
    "Settings",
    "Source",
    "Summary",
    "discover",
    "run_batch",
    "summary_lines",
]
