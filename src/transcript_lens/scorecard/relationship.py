"""The relationship view: a series of meetings, their sides, and the commitment ledger.

A BRM's maturity is a property of a relationship over months, not of one
meeting. A series (meetings stored with one tag or team, or files named on
the command line) is shown meeting by meeting: the index, the band and the
four requirements; the sides view (who voices purpose, who says no to whom);
the anti-patterns that recur; and the **commitment ledger**: each commitment
found in a meeting followed into the later meetings, as

- ``kept``: a later turn reports it done;
- ``slipped``: a later turn reports it late, not done yet or moved;
- ``dropped``: a later turn reports it abandoned or no longer needed;
- ``open``: no later turn settles it.

A later turn speaks of a commitment when it holds enough of the
commitment's task words (its content words, less the words any commitment
has, each weighted by how rare it is in the series); a question that speaks
of it lets the next turns by others answer it. The last such turn that
reports a status decides, and its quote is the evidence: nothing is marked
without a turn that says so, and anything unclear stays open. Words and
thresholds are in ``data/ledger.toml``.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from ..labels import ANTI_PATTERNS, REQUIREMENTS, AntiPattern, Requirement
from .card import LabelledUtterance, Quote, Scorecard, Sides, _Result
from .dynamics import analyze_dynamics, tokens

if TYPE_CHECKING:
    from ..speakers import SpeakerMap

Status = Literal["kept", "slipped", "dropped", "open"]
STATUSES: tuple[Status, ...] = ("kept", "slipped", "dropped", "open")


class SeriesMeeting(_Result):
    """One meeting of the series, as its scorecard has it."""

    ref: str = Field(description="how to name it again: a stored id, or the file")
    title: str
    date: str | None = Field(description="ISO date, when known")
    index: float | None = Field(description="the partnership index; null when not scored")
    band: str | None
    requirements: dict[Requirement, float]
    anti_patterns: dict[AntiPattern, int] = Field(description="flags per anti-pattern")
    sides: Sides | None = None


class LedgerEvidence(_Result):
    """The turn that settles a commitment, and the meeting it was said in."""

    meeting: int = Field(ge=1, description="the meeting's place in the series (1 = first)")
    quote: Quote


class LedgerEntry(_Result):
    """One commitment and what became of it."""

    meeting: int = Field(ge=1, description="the meeting it was made in (1 = first)")
    commitment: Quote
    task: str = Field(description="the sentences of the turn that make the commitment")
    owner: str | None = Field(description="who takes it on, as said; else null")
    due: str | None = Field(description="the deadline in the speaker's words; else null")
    status: Status
    evidence: LedgerEvidence | None = Field(
        description="the later turn that decides the status; null when open"
    )
    mentions: int = Field(ge=0, description="later turns that speak of it, settling it or not")


class Relationship(_Result):
    """A series of meetings between the same parties."""

    title: str
    meetings: list[SeriesMeeting]
    recurring: dict[AntiPattern, int] = Field(
        description="meetings in which each anti-pattern was flagged"
    )
    commitments: list[LedgerEntry]
    statuses: dict[Status, int]


@dataclass(frozen=True)
class LedgerRules:
    version: str
    min_overlap: float
    min_shared: int
    answer_turns: int
    commitment_words: frozenset[str]
    negations: frozenset[str]
    status: tuple[tuple[Status, tuple[tuple[str, ...], ...]], ...]


@lru_cache(maxsize=1)
def ledger_rules() -> LedgerRules:
    text = resources.files("transcript_lens").joinpath("data/ledger.toml").read_text("utf-8")
    data = tomllib.loads(text)
    order: tuple[Status, ...] = ("dropped", "slipped", "kept")
    return LedgerRules(
        version=data["version"],
        min_overlap=float(data["min_overlap"]),
        min_shared=int(data["min_shared"]),
        answer_turns=int(data["answer_turns"]),
        commitment_words=frozenset(data["words"]["commitment"]),
        negations=frozenset(data["words"]["negations"]),
        status=tuple(
            (name, tuple(tuple(tokens(p)) for p in data["status"][name])) for name in order
        ),
    )


_SUFFIX = re.compile(r"(?:'s|ies|es|s|ed|ing)$")


def _stem(word: str) -> str:
    return _SUFFIX.sub("", word) if len(word) > 4 else word


def _words(text: str) -> list[str]:
    return [_stem(w) for w in tokens(text)]


def _found(words: Sequence[str], phrase: Sequence[str]) -> int:
    """Where ``phrase`` starts in ``words`` (-1: nowhere)."""
    n = len(phrase)
    for i in range(len(words) - n + 1):
        if tuple(words[i : i + n]) == tuple(phrase):
            return i
    return -1


def reported_status(text: str, rules: LedgerRules | None = None) -> Status | None:
    """What a turn reports about a task: dropped, slipped, kept, or nothing."""
    rules = rules or ledger_rules()
    words = tokens(text)
    for status, phrases in rules.status:
        for phrase in phrases:
            at = _found(words, phrase)
            if at < 0:
                continue
            if status == "kept" and any(w in rules.negations for w in words[max(0, at - 3) : at]):
                return "slipped"  # "hasn't gone out", "didn't get it done"
            return status
    return None


_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_COMMITTING = re.compile(
    r"\b(?:i'll|i will|we'll|we will|i'm going to|we're going to|let me|i can|i'll get|"
    r"leave it with me|i'll take|on me|i'll make sure)\b",
    re.IGNORECASE,
)


def commitment_text(text: str) -> str:
    """The sentences of a turn that make the commitment (the whole turn if none
    says "I'll", "we'll", "let me", ...): the rest of a long turn is not the task."""
    sentences = [x for x in _SENTENCE.split(text.replace("\u2019", "'")) if x.strip()]
    committing = [x for x in sentences if _COMMITTING.search(x)]
    return " ".join(committing) if committing else text


def _task_words(text: str, owner_words: set[str], rules: LedgerRules) -> set[str]:
    stop = rules.commitment_words | owner_words
    return {
        w
        for w in _words(commitment_text(text))
        if len(w) >= 3 and w not in stop and not w.isdigit()
    }


@dataclass
class _Meeting:
    """One meeting's turns, read once for the ledger: words, an index of them,
    questions, and what each turn reports (worked out when first needed)."""

    turns: list[LabelledUtterance]
    words: list[set[str]]
    postings: dict[str, list[int]]
    asks: list[bool]
    said: dict[int, Status | None]

    @classmethod
    def of(cls, card: Scorecard) -> _Meeting:
        turns = list(card.utterances)
        words = [set(_words(u.text)) for u in turns]
        postings: dict[str, list[int]] = {}
        for i, ws in enumerate(words):
            for w in ws:
                postings.setdefault(w, []).append(i)
        asks = [u.text.rstrip().endswith("?") for u in turns]
        return cls(turns, words, postings, asks, {})

    def status(self, i: int, rules: LedgerRules) -> Status | None:
        if i not in self.said:
            # A question reports nothing ("Is the export done?").
            self.said[i] = None if self.asks[i] else reported_status(self.turns[i].text, rules)
        return self.said[i]


def _ledger(cards: Sequence[Scorecard]) -> list[LedgerEntry]:
    rules = ledger_rules()
    meetings = [_Meeting.of(card) for card in cards]
    document_frequency: Counter[str] = Counter()
    total = 0
    for meeting in meetings:
        for ws in meeting.words:
            document_frequency.update(ws)
        total += len(meeting.words)

    def weight(word: str) -> float:
        return math.log((1 + total) / (1 + document_frequency[word])) + 1.0

    entries = []
    for m, card in enumerate(cards):
        dynamics = card.dynamics or analyze_dynamics(card.utterances)
        for c in dynamics.commitments:
            owner_words = {_stem(w) for w in tokens(c.owner or c.made_by)}
            owner_words |= {_stem(w) for w in tokens(c.made_by)}
            task = _task_words(c.quote.text, owner_words, rules)
            status: Status = "open"
            evidence: LedgerEvidence | None = None
            mentions = 0
            # Fewer than min_shared task words ("We'll make it work."): nothing to
            # follow it by, so it stays open.
            if len(task) >= rules.min_shared:
                need = sum(weight(w) for w in task)
                for later in range(m + 1, len(cards)):
                    meeting = meetings[later]
                    hits: Counter[int] = Counter()
                    for w in task:
                        hits.update(meeting.postings.get(w, ()))
                    speaking = {
                        i
                        for i, n in hits.items()
                        if n >= rules.min_shared
                        and sum(weight(w) for w in task & meeting.words[i]) / need
                        >= rules.min_overlap
                    }
                    answering: set[int] = set()
                    for i in sorted(speaking):
                        if meeting.asks[i]:
                            answering |= _answers(meeting.turns, i, rules.answer_turns)
                    for i in sorted(speaking | answering):
                        mentions += i in speaking
                        said = meeting.status(i, rules)
                        if said is not None:
                            status = said
                            evidence = LedgerEvidence(
                                meeting=later + 1, quote=_quote(meeting.turns[i])
                            )
            entries.append(
                LedgerEntry(
                    meeting=m + 1,
                    commitment=c.quote,
                    task=commitment_text(c.quote.text),
                    owner=c.owner,
                    due=c.due,
                    status=status,
                    evidence=evidence,
                    mentions=mentions,
                )
            )
    return entries


def _answers(meeting: Sequence[LabelledUtterance], i: int, turns: int) -> set[int]:
    """The next turns by others after question ``i``, up to ``turns`` of them."""
    asker = meeting[i].speaker
    found: set[int] = set()
    for j in range(i + 1, len(meeting)):
        if meeting[j].speaker == asker or len(found) >= turns:
            break
        found.add(j)
    return found


def _quote(u: LabelledUtterance) -> Quote:
    return Quote(utterance_id=u.id, speaker=u.speaker, start=u.start, text=u.text)


def build_relationship(
    cards: Sequence[tuple[str, str | None, Scorecard]], *, title: str
) -> Relationship:
    """The relationship view of ``cards``, in series order: (ref, ISO date or None, card)."""
    meetings = [
        SeriesMeeting(
            ref=ref,
            title=card.meeting.title,
            date=date,
            index=card.overall.score if card.overall else None,
            band=card.overall.band if card.overall else None,
            requirements={r: card.requirements[r].score for r in REQUIREMENTS}
            if card.overall
            else {},
            anti_patterns={a: sum(f.label == a for f in card.flags) for a in ANTI_PATTERNS},
            sides=card.sides,
        )
        for ref, date, card in cards
    ]
    ledger = _ledger([card for _, _, card in cards])
    return Relationship(
        title=title,
        meetings=meetings,
        recurring={a: sum(1 for m in meetings if m.anti_patterns[a]) for a in ANTI_PATTERNS},
        commitments=ledger,
        statuses={s: sum(e.status == s for e in ledger) for s in STATUSES},
    )


def with_series_sides(
    cards: Sequence[tuple[str, str | None, Scorecard]], speaker_map: SpeakerMap | None
) -> list[tuple[str, str | None, Scorecard]]:
    """The cards with a sides view from ``speaker_map``'s sides (``--side``), where it
    puts anyone on one; cards keep the view they were stored with otherwise."""
    if speaker_map is None or not speaker_map.sides:
        return list(cards)
    from ..speakers import sides_for, transcript_of
    from .sides import with_sides

    order = speaker_map.side_names()
    out = []
    for ref, date, card in cards:
        transcript = transcript_of(card)
        out.append(
            (ref, date, with_sides(card, transcript, sides_for(transcript, speaker_map), order))
        )
    return out
