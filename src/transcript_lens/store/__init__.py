"""Scorecards in a database: a SQLite file by default, PostgreSQL for a shared one.

>>> from transcript_lens.store import Store
>>> with Store("sqlite:///results.db") as store:
...     rows = store.trends(by="month")
"""

from __future__ import annotations

from .connection import creates_default, default_url
from .core import Store
from .migrations import LATEST as SCHEMA_VERSION
from .rows import MeetingRecord

__all__ = [
    "SCHEMA_VERSION",
    "MeetingRecord",
    "Store",
    "creates_default",
    "default_url",
]
