"""Small helpers shared by the text renderers."""

from __future__ import annotations

REQUIREMENT_TITLES = {
    "purpose": "Exchange of purpose",
    "dissent": "Right to say no",
    "ownership": "Joint accountability",
    "candor": "Absolute honesty",
}


#: Dissent outcomes as the reports say them.
OUTCOME_TEXT = {
    "answered": "answered",
    "silenced": "silenced",
    "lost_voice": "lost voice",
    "unanswered": "no reply",
}


def clock(seconds: float | None) -> str:
    """``3725.4`` -> ``1:02:05``; ``65`` -> ``01:05``; None -> ``--:--``."""
    if seconds is None:
        return "--:--"
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "unknown length"
    minutes = seconds / 60
    return f"{minutes:.0f} min" if minutes >= 1 else f"{seconds:.0f} s"


def shorten(text: str, limit: int = 160) -> str:
    """Cut a quote at a word boundary so tables stay readable; the JSON keeps it whole."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"
