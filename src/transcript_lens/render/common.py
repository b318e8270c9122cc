"""Small helpers shared by the text renderers."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..scorecard import Scorecard

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


def index_working(card: Scorecard, *, times: str = "×") -> str:
    """The index's arithmetic in one sentence: the weighted mean, what the
    anti-patterns kept of it, and the stretch (cards before schema 1.3 were a
    plain weighted mean)."""
    overall = card.overall
    if overall is None:
        return "not scored"
    terms = " + ".join(
        f"{overall.weights[k]:.2f}{times}{v:.1f} ({k})" for k, v in overall.inputs.items()
    )
    if overall.mean is None or overall.kept is None:
        return f"Index = {terms} = {overall.score:.1f}."
    rates = ", ".join(f"{k} {v:.1f}" for k, v in overall.anti_rates.items())
    kept = overall.mean * overall.kept
    return (
        f"Weighted mean = {terms} = {overall.mean:.1f}. Resignation, blame and silencing "
        f"({rates} per 100 turns) keep {overall.kept:.0%} of it: {kept:.1f}. "
        f"Stretched onto the 0-100 scale: index {overall.score:.1f}, {overall.band}."
    )


def sureness(item: object) -> str:
    """A label's confidence as the views print it, or who set it."""
    if getattr(item, "corrected", False):
        return "corrected"
    return f"{getattr(item, 'confidence', 0.0):.2f}"
