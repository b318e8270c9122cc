"""The coaching review: how a coach made room for purpose, dissent and ownership.

Present only when some speaker has the role coach. Coachees are the speakers
with the role coachee or, when nobody has it, everyone who is not a coach.
Role names and invitation phrases live in ``data/coaching.toml``.

An invitation is a coach turn that asks for disagreement in words ("what am I
missing", "push back on me"), or a coach question that a coachee answers
straight away with dissent: whatever its words, it made room for a no. A coach
turn labelled silencing is never an invitation.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

from .card import CoachingReview, Flag, LabelledUtterance
from .dynamics import is_question, quote, tokens


@dataclass(frozen=True)
class CoachingRules:
    """The contents of ``data/coaching.toml``."""

    version: str
    coach_roles: frozenset[str]
    coachee_roles: frozenset[str]
    invitations: tuple[str, ...]


@functools.cache
def load_rules() -> CoachingRules:
    """The shipped roles and invitation phrases (read once)."""
    text = resources.files("transcript_lens").joinpath("data/coaching.toml").read_text("utf-8")
    data = tomllib.loads(text)
    return CoachingRules(
        version=data["version"],
        coach_roles=frozenset(r.casefold() for r in data["coach_roles"]),
        coachee_roles=frozenset(r.casefold() for r in data["coachee_roles"]),
        invitations=tuple(" ".join(tokens(p)) for p in data["invitations"]),
    )


def invites_disagreement(text: str, rules: CoachingRules | None = None) -> bool:
    """Whether the words of a turn ask for disagreement."""
    rules = rules or load_rules()
    padded = f" {' '.join(tokens(text))} "
    return any(f" {phrase} " in padded for phrase in rules.invitations)


def coaching_review(
    utterances: Sequence[LabelledUtterance], roles: Mapping[str, str] | None
) -> CoachingReview | None:
    """The coaching review of a meeting, or None when no speaker has the role coach.

    ``roles`` maps speaker names to roles; names that are not speakers of the
    meeting are ignored.
    """
    rules = load_rules()
    roles = roles or {}
    speakers = list(dict.fromkeys(u.speaker for u in utterances))
    role = {s: roles[s].casefold() for s in speakers if s in roles}
    coaches = [s for s in speakers if role.get(s) in rules.coach_roles]
    if not coaches:
        return None
    coachees = [s for s in speakers if role.get(s) in rules.coachee_roles] or [
        s for s in speakers if s not in coaches
    ]

    total_words = sum(len(u.text.split()) for u in utterances)
    coach_words = sum(len(u.text.split()) for u in utterances if u.speaker in coaches)
    asks = [u for u in utterances if u.speaker in coaches and is_question(u.text)]

    invitations = []
    for i, u in enumerate(utterances):
        if u.speaker not in coaches or "silencing" in u.labels:
            continue
        following = utterances[i + 1] if i + 1 < len(utterances) else None
        opened = (
            following is not None
            and following.speaker in coachees
            and "dissent" in following.labels
            and is_question(u.text)
        )
        if opened or invites_disagreement(u.text, rules):
            invitations.append(quote(u))

    return CoachingReview(
        coaches=coaches,
        coachees=coachees,
        coach_talk_share=round(coach_words / total_words, 4) if total_words else 0.0,
        coach_questions=len(asks),
        purpose_questions=[quote(u) for u in asks if "purpose" in u.labels],
        invitations=invitations,
        coachee_dissent=[
            quote(u) for u in utterances if u.speaker in coachees and "dissent" in u.labels
        ],
        coachee_ownership=[
            quote(u) for u in utterances if u.speaker in coachees and "ownership" in u.labels
        ],
        resignation=[
            Flag(
                utterance_id=u.id,
                speaker=u.speaker,
                start=u.start,
                text=u.text,
                confidence=u.scores.get("resignation", 0.0),
                phrase=u.phrases.get("resignation"),
                label="resignation",
            )
            for u in utterances
            if "resignation" in u.labels
        ],
    )
