"""transcript-lens: how much real partnership happens in a meeting."""

from __future__ import annotations

__version__ = "0.1.0"
