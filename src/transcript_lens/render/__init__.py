"""Scorecard -> text: JSON, Markdown, HTML and the terminal table."""

from __future__ import annotations

from .html import to_html
from .json import to_json
from .markdown import to_markdown
from .table import to_table

__all__ = ["FORMATS", "render", "to_html", "to_json", "to_markdown", "to_table"]

FORMATS = ("table", "json", "markdown", "html")


def render(scorecard, fmt: str, *, width: int = 100, color: bool = False) -> str:  # type: ignore[no-untyped-def]
    """Render ``scorecard`` in one of :data:`FORMATS`."""
    if fmt == "json":
        return to_json(scorecard)
    if fmt == "html":
        return to_html(scorecard)
    if fmt == "markdown":
        return to_markdown(scorecard)
    if fmt == "table":
        return to_table(scorecard, width=width, color=color)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
