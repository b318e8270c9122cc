"""Long turns are read in pieces, and pieces that say nothing are recognised.

A turn of several minutes is not one act. :func:`windows` cuts a long turn
into windows of one or two sentences (or, in unpunctuated speech, runs of
words); each window is labelled on its own, the first read with the previous
speaker's turn, the others with the window before them. The turn then
carries the union of its windows' labels, and the window that carries a
label most strongly is its quote.

:func:`gate_features` describes how much of a proposition a piece holds:
backchannels, bare fragments and cut-off turns ("I'm only saying the
commission reports will") carry no act of their own.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .base import ClassifierInput

#: A turn longer than this (words), or of more than two sentences, is read in windows.
LONG_TURN_WORDS = 45
#: Most words in one window.
WINDOW_WORDS = 40
#: Most sentences in one window.
WINDOW_SENTENCES = 2

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_FILLERS = frozenset(
    "um uh erm er ah hmm mm mhm mm-hmm uh-huh oh well like so yeah yes yep okay ok right "
    "alright and but the a i you it is that's it's just really kind sort of".split()
)


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text.strip()) if s]


def _split_words(sentence: str, size: int) -> list[str]:
    words = sentence.split()
    if len(words) <= size:
        return [sentence]
    parts = math.ceil(len(words) / size)
    step = math.ceil(len(words) / parts)
    return [" ".join(words[i : i + step]) for i in range(0, len(words), step)]


def windows(text: str) -> list[str]:
    """The pieces a turn is read in: the whole turn when it is short."""
    text = " ".join(text.split())
    parts = sentences(text)
    if len(text.split()) <= LONG_TURN_WORDS and len(parts) <= WINDOW_SENTENCES:
        return [text]
    units = [piece for s in parts for piece in _split_words(s, WINDOW_WORDS)]
    out: list[str] = []
    current: list[str] = []
    for unit in units:
        if current and (
            len(current) >= WINDOW_SENTENCES
            or len(" ".join(current).split()) + len(unit.split()) > WINDOW_WORDS
        ):
            out.append(" ".join(current))
            current = []
        current.append(unit)
    if current:
        out.append(" ".join(current))
    return out


def pieces_holding(texts: Sequence[str], quote: str) -> list[int]:
    """Indices of the windows ``texts`` (one turn's, in order) that the quote overlaps.

    The windows rejoin with single spaces into the turn with its whitespace
    collapsed; an empty list means the quote is not in the turn.
    """
    quote = " ".join(quote.split())
    found = " ".join(texts).find(quote) if quote else -1
    if found < 0:
        return []
    end = found + len(quote)
    hit = []
    start = 0
    for index, text in enumerate(texts):
        if start < end and found < start + len(text):
            hit.append(index)
        start += len(text) + 1
    return hit


@dataclass(frozen=True)
class Piece:
    """One window of one utterance, with what it is read with."""

    owner: int
    index: int
    text: str
    context: str | None

    def as_input(self) -> ClassifierInput:
        return ClassifierInput(text=self.text, context=self.context)


def expand(items: Sequence[ClassifierInput]) -> list[Piece]:
    """Every item's windows, in order; ``owner`` is the item's position."""
    pieces: list[Piece] = []
    for owner, item in enumerate(items):
        context = item.context
        for index, window in enumerate(windows(item.text) if item.text.strip() else [""]):
            pieces.append(Piece(owner=owner, index=index, text=window, context=context))
            context = window
    return pieces


def content_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _FILLERS]


def is_cut_off(text: str) -> bool:
    """The speaker stopped mid-sentence: a trailing dash, or a punctuated
    transcript whose turn ends on a word or a comma without closing its sentence."""
    stripped = text.rstrip()
    if not stripped:
        return False
    if stripped.endswith(("-", "—", "–", "...", "…")):
        return True
    punctuated = bool(re.search(r"[.?!,]", stripped)) or any(c.isupper() for c in stripped)
    # Only a word or a clause mark left hanging is a cut; a closing bracket,
    # tag or emoji after the last sentence is not.
    return punctuated and (stripped[-1].isalnum() or stripped[-1] in ",;:")


#: Names of the gate features, in the order :func:`gate_features` returns them.
GATE_FEATURES = ("log_content_words", "fragment", "cut_off", "question", "context_question")


def gate_features(piece: ClassifierInput) -> list[float]:
    """How much of a proposition the piece holds, as numbers for the combiner."""
    words = content_words(piece.text)
    context = (piece.context or "").rstrip()
    return [
        math.log1p(len(words)),
        1.0 if len(words) <= 2 else 0.0,
        1.0 if is_cut_off(piece.text) else 0.0,
        1.0 if piece.text.rstrip().endswith("?") else 0.0,
        1.0 if context.endswith("?") else 0.0,
    ]
