"""The sides view: the parties of a relationship side by side, and what is one-sided.

Block's partnership is between two parties. With speakers put on sides
(a speaker map's ``[sides]`` or ``--side NAME=SIDE``), the scorecard counts
per side its talk share and, for each label, the turns and the voices that
carry it; and who says no to whom: dissent, silencing and blame counted by
the side of the speaker and the side of the turn answered (the last turn by
someone else). The reading says in plain words what is one-sided: purpose
or ownership from one side only, dissent, shut-downs or blame in one
direction only, a side that did not speak.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from ..labels import LABELS, Label
from ..model import Transcript
from .card import LabelledUtterance, Scorecard, SideExchange, Sides, SideStats

#: The labels counted between sides.
BETWEEN: tuple[Label, ...] = ("dissent", "silencing", "blame")


def sides_view(
    transcript: Transcript,
    utterances: Sequence[LabelledUtterance],
    sides: Mapping[str, str],
    order: Sequence[str] = (),
    *,
    scored: bool = True,
) -> Sides:
    """The sides section of a card: ``sides`` maps speakers to sides; ``order``
    lists the sides as the map names them (sides no speaker is on included)."""
    names = list(dict.fromkeys([*order, *sides.values()]))
    by_id = {u.id: u for u in transcript.utterances}
    total_words = sum(u.words for u in transcript.utterances)
    turns: Counter[str] = Counter()
    words: Counter[str] = Counter()
    carried: dict[str, Counter[Label]] = defaultdict(Counter)
    voiced: dict[str, dict[Label, set[str]]] = defaultdict(lambda: defaultdict(set))
    between: Counter[tuple[Label, str, str]] = Counter()
    for u, labelled in zip(transcript.utterances, utterances, strict=True):
        side = sides.get(u.speaker)
        if side is None:
            continue
        turns[side] += 1
        words[side] += u.words
        for label in labelled.labels:
            carried[side][label] += 1
            voiced[side][label].add(u.speaker)
            answered = by_id.get(u.reply_to) if u.reply_to else None
            to = sides.get(answered.speaker) if answered is not None else None
            if label in BETWEEN and to is not None:
                between[label, side, to] += 1
    stats = [
        SideStats(
            side=name,
            speakers=sum(1 for speaker in sides if sides[speaker] == name),
            turns=turns[name],
            words=words[name],
            talk_share=round(words[name] / total_words, 4) if total_words else 0.0,
            turns_by_label={label: carried[name][label] for label in LABELS},
            voices_by_label={label: len(voiced[name][label]) for label in LABELS},
        )
        for name in names
    ]
    exchanges = [
        SideExchange(label=label, by=by, to=to, turns=n)
        for (label, by, to), n in sorted(
            between.items(), key=lambda item: (LABELS.index(item[0][0]), names.index(item[0][1]))
        )
    ]
    unassigned = sum(1 for s in transcript.speakers if s not in sides)
    return Sides(
        sides=stats,
        unassigned=unassigned,
        exchanges=exchanges,
        reading=_reading(stats, between, names) if scored else [],
    )


def _listing(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _reading(
    stats: Sequence[SideStats], between: Mapping[tuple[Label, str, str], int], names: Sequence[str]
) -> list[str]:
    """What is one-sided, in plain words (nothing to say with fewer than two sides)."""
    present = [s.side for s in stats if s.turns]
    lines = [f"Nobody on the {s.side} side spoke." for s in stats if not s.turns]
    if len(present) < 2:
        return lines
    owned: tuple[tuple[Label, str, str], ...] = (
        ("purpose", "Purpose", "said what the work is for"),
        ("ownership", "Ownership", "committed to anything"),
    )
    for label, what, verb in owned:
        having = [s.side for s in stats if s.turns and s.turns_by_label[label]]
        lacking = [side for side in present if side not in having]
        if not having:
            lines.append(f"{what}: neither side {verb}.")
        elif lacking:
            lines.append(
                f"{what} came only from the {_listing(having)} side: "
                f"the {_listing(lacking)} side never {verb}."
            )
    acts: tuple[tuple[Label, str], ...] = (
        ("dissent", "said no to"),
        ("silencing", "shut down"),
        ("blame", "blamed"),
    )
    for label, act in acts:
        pairs = [(a, b) for i, a in enumerate(present) for b in present[i + 1 :]]
        for a, b in pairs:
            ab, ba = between.get((label, a, b), 0), between.get((label, b, a), 0)
            if label == "dissent":
                if ab and not ba:
                    lines.append(f"Only the {a} side {act} the {b} side ({ab}), never the reverse.")
                elif ba and not ab:
                    lines.append(f"Only the {b} side {act} the {a} side ({ba}), never the reverse.")
                elif not ab and not ba:
                    lines.append(f"Neither the {a} nor the {b} side {act} the other.")
            else:
                if ab:
                    lines.append(f"The {a} side {act} the {b} side {_times(ab)}.")
                if ba:
                    lines.append(f"The {b} side {act} the {a} side {_times(ba)}.")
    if not lines:
        lines.append("Both sides spoke to purpose, said no to each other and took ownership.")
    return lines


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def with_sides(
    card: Scorecard, transcript: Transcript, sides: Mapping[str, str], order: Sequence[str] = ()
) -> Scorecard:
    """``card`` with its sides view and each speaker's side."""
    speakers = [s.model_copy(update={"side": sides.get(s.name)}) for s in card.speakers]
    view = sides_view(transcript, card.utterances, sides, order, scored=card.overall is not None)
    return card.model_copy(update={"speakers": speakers, "sides": view})
