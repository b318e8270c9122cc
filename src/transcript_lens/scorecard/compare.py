"""Several meetings side by side: scorecards, or a coach's or team's meetings over time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..labels import ANTI_PATTERNS, REQUIREMENTS, AntiPattern, Requirement
from .card import Scorecard


class ComparedMeeting(BaseModel):
    """One column of a comparison: a meeting's headline figures."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    source: str
    date: str | None = None
    turns: int
    overall: float | None = Field(description="null: the meeting was not scored")
    band: str = Field(description="the band, or 'not scored'")
    requirements: dict[Requirement, float | None]
    balance: float | None = Field(description="talk balance; not kept in the database")
    flags: dict[AntiPattern, int]
    dissent_outcomes: dict[str, int] | None = None
    commitments: int | None = None
    coach_talk_share: float | None = None


class Comparison(BaseModel):
    """Meetings in the order given (files) or by date (database)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str
    meetings: list[ComparedMeeting]


#: What a comparison, a history or a batch says in place of a band.
NOT_SCORED = "not scored"


def _names(cards: Sequence[Scorecard]) -> list[str]:
    """Meeting titles, numbered where two are the same, so columns can be told apart."""
    titles = [card.meeting.title for card in cards]
    names = []
    for i, title in enumerate(titles):
        names.append(f"{title} ({i + 1})" if titles.count(title) > 1 else title)
    return names


def compare_scorecards(cards: Sequence[Scorecard], *, title: str = "Comparison") -> Comparison:
    """One column per scorecard, in the order given."""
    meetings = []
    for name, card in zip(_names(cards), cards, strict=True):
        dynamics = card.dynamics
        coaching = card.coaching
        meetings.append(
            ComparedMeeting(
                name=name,
                source=card.meeting.source,
                turns=card.meeting.turns,
                overall=card.overall.score if card.overall else None,
                band=card.overall.band if card.overall else NOT_SCORED,
                requirements={
                    key: card.requirements[key].score if key in card.requirements else None
                    for key in REQUIREMENTS
                },
                balance=card.balance.score,
                flags={a: sum(1 for f in card.flags if f.label == a) for a in ANTI_PATTERNS},
                dissent_outcomes={str(k): n for k, n in dynamics.outcomes.items()}
                if dynamics
                else None,
                commitments=len(dynamics.commitments) if dynamics else None,
                coach_talk_share=coaching.coach_talk_share if coaching else None,
            )
        )
    return Comparison(title=title, meetings=meetings)


def compare_history(
    rows: Sequence[dict[str, Any]], *, title: str, redact: bool = False
) -> Comparison:
    """One column per stored meeting (rows from ``Store.history``), by date.

    With ``redact`` meetings are named by their id only: a title or a path
    can name people.
    """
    meetings = []
    for row in rows:
        date = row.get("date")
        meetings.append(
            ComparedMeeting(
                name=f"meeting {row['id']}" if redact else f"{row['title']} ({row['id']})",
                source="redacted" if redact else str(row["source"]),
                date=date.date().isoformat() if date is not None else None,
                turns=int(row["turns"]),
                overall=None if row["overall"] is None else float(row["overall"]),
                band=NOT_SCORED if row["band"] is None else str(row["band"]),
                requirements={key: row.get(key) for key in REQUIREMENTS},
                balance=None,
                flags={a: int(row.get(a) or 0) for a in ANTI_PATTERNS},
            )
        )
    return Comparison(title=title, meetings=meetings)
