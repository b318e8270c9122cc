"""Shared steps of every reader: decoding, speaker labels, times, merging, ids."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, replace
from functools import lru_cache

import charset_normalizer

from ..errors import InputError
from ..model import Utterance
from . import _limits

_log = logging.getLogger(__name__)

MAX_BYTES = _limits.DEFAULT_MAX_BYTES
UNKNOWN_SPEAKER = "Unknown Speaker"

# A label is a name, not a sentence. The bounds fit the real meetings in
# shared/corpora, whose longest labels put a role in parentheses (not counted).
MAX_LABEL_CHARS = 60
MAX_LABEL_WORDS = 8
MAX_LABEL_TOTAL = 200


@dataclass(frozen=True, slots=True)
class RawTurn:
    """One cue, line or record as a parser found it, before merging and ids."""

    speaker: str
    text: str
    start: float | None = None
    end: float | None = None
    line: int | None = None


# --- decoding -------------------------------------------------------------------

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its LE BOM starts with the UTF-16 LE one.
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# C0 controls other than tab and line breaks, DEL, and C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_BINARY_HINT = "pass a transcript in a format that 'transcript-lens formats' lists"


def _binary(source: str, line: int | None = None) -> InputError:
    return InputError(
        "looks like binary data, not a transcript", path=source, line=line, hint=_BINARY_HINT
    )


def _guess_utf16(data: bytes) -> str | None:
    """Spot BOM-less UTF-16 from where the NUL bytes fall in mostly-ASCII text."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nuls, odd_nuls = even.count(0), odd.count(0)
    if odd_nuls >= 0.4 * len(odd) and even_nuls <= 0.05 * len(even):
        return "utf-16-le"
    if even_nuls >= 0.4 * len(even) and odd_nuls <= 0.05 * len(odd):
        return "utf-16-be"
    return None


def decode(data: bytes, source: str, max_bytes: int | None = None) -> str:
    """Bytes to text, following a BOM or guessing; refuse bytes that are not text.

    Data over ``max_bytes`` (None: the default limit, see ``_limits``) is refused.
    """
    _limits.check_size(len(data), source, max_bytes)
    encoding: str | None = None
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding, data = name, data[len(bom) :]
            break
    if encoding is None and b"\x00" in data:
        encoding = _guess_utf16(data)
        if encoding is None:
            raise _binary(source)
    if encoding is None:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            encoding = _guess_legacy(data)
        if encoding is None:
            raise _binary(source)
        # The guess stays out of every output, which must not change with the
        # detector's version; it helps when a file reads as mojibake.
        _log.debug("%s: not UTF-8, reading it as %s", source, encoding)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise _binary(source) from None


def _guess_legacy(data: bytes) -> str | None:
    """The legacy encoding charset-normalizer finds most likely, or None.

    Among its equally likely guesses cp1252 wins: Windows tools write Western
    transcripts in it, and on short texts the detector cannot tell it from
    cp1250. A guess with no recognised language and no cp1252 reading is
    refused, as arbitrary high bytes "decode" in some Cyrillic code page.
    """
    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        return None
    best = matches[0]
    for match in matches:
        if (match.chaos, match.coherence) != (best.chaos, best.coherence):
            break
        if "cp1252" in match.could_be_from_charset:
            return "cp1252"
    return best.encoding if best.coherence > 0 else None


def normalise_newlines(text: str) -> str:
    """Turn CRLF and lone CR into LF and drop a leading BOM character."""
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def check_text(text: str, source: str) -> None:
    """Refuse text that is empty or holds control characters."""
    # Controls never appear in a transcript: a cp1252 guess that produces them was
    # wrong, and valid UTF-8 full of them is binary data in disguise.
    control = _CONTROL.search(text)
    if control is not None:
        raise _binary(source, line=text.count("\n", 0, control.start()) + 1)
    if not text.strip():
        raise InputError("is empty", path=source, hint="pass a file that contains a transcript")


def too_large(source: str) -> InputError:
    return _limits.too_large(source, _limits.max_bytes())


# --- times ----------------------------------------------------------------------

_TIMESTAMP = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?")


def parse_timestamp(value: str) -> float | None:
    """``hh:mm:ss.mmm``, ``mm:ss.mmm``, ``h:mm:ss`` or ``m:ss`` (comma or dot) to seconds."""
    match = _TIMESTAMP.fullmatch(value.strip())
    if match is None:
        return None
    hours, minutes, seconds, fraction = match.groups()
    # A million hours is no meeting; and int() refuses 4,300 digits, float() 309.
    if hours is not None and len(hours) > 6:
        return None
    total = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    if fraction:
        total += int(fraction) / 10 ** len(fraction)
    return round(float(total), 3)


# --- speaker labels -------------------------------------------------------------

_STAMP = r"(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"


def _bracketed_stamp(name: str) -> str:
    # Square or round brackets, matched pair; the two groups let callers tell them apart.
    return rf"(?:\[(?P<{name}>{_STAMP})\]|\((?P<{name}p>{_STAMP})\))"


_LEADING_STAMP = re.compile(r"^\s*" + _bracketed_stamp("lead") + r"\s*")
# The label starts and ends with a non-space so that it and the \s* around it never
# compete for the same spaces: with "[^:]+?\s*...\s*" a long run of spaces took
# cubic time.
_PREFIX = re.compile(
    r"^\s*(?P<label>[^:\s](?:[^:]*?[^:\s])?)\s*(?:"
    + _bracketed_stamp("after")
    + r"\s*)?:(?=\s|$)\s*"
)
_PARENTHESISED = re.compile(r"\([^()]*\)")
_SENTENCE_CHARS = frozenset('?!;:"“”')
# Lower-case words that still belong in names and roles ("Head of Sales", "Ana de la Cruz").
_NAME_PARTICLES = frozenset(
    "al and bin da de del della den der di du e for ibn la le of the van von y".split()
)


def is_speaker_label(label: str, known: Set[str] = frozenset()) -> bool:
    """Whether ``label`` reads as a speaker's name rather than the start of a sentence.

    A label is short, has no sentence punctuation and, after its first word, no
    all-lower-case words ("The plan is simple: ..." is text) unless it is in
    ``known``, the labels the same file uses more than once.
    """
    base = _label_base(label)
    if base is None:
        return False
    return _looks_like_name(base) or clean_speaker(label) in known


# Meetings repeat a handful of labels thousands of times.
@lru_cache(maxsize=4096)
def _label_base(label: str) -> str | None:
    """The label without parenthesised roles, or None when it cannot be a name."""
    label = label.strip()
    if not label or len(label) > MAX_LABEL_TOTAL or not any(c.isalpha() for c in label):
        return None
    if not (label[0].isalnum() or label[0] == "("):
        return None
    # Roles in parentheses ("The Chair (Hon. Anthony Rota (Nipissing, Lib.))") are
    # part of the name but say nothing about whether it is one.
    base = label
    while (stripped := _PARENTHESISED.sub(" ", base)) != base:
        base = stripped
    base = " ".join(base.split())
    if "(" in base or ")" in base:
        return None
    if len(base) > MAX_LABEL_CHARS or len(base.split()) > MAX_LABEL_WORDS:
        return None
    if any(char in _SENTENCE_CHARS for char in base) or base.endswith(","):
        return None
    return base


@lru_cache(maxsize=4096)
def _looks_like_name(base: str) -> bool:
    for word in base.split()[1:]:
        letters = [char for char in word if char.isalpha()]
        if letters and not any(char.isupper() for char in letters):
            if word.lower() not in _NAME_PARTICLES:
                return False
    return True


def repeated_labels(lines: Iterable[str]) -> frozenset[str]:
    """Labels used on two or more lines: a speaker even if they do not look like a name."""
    counts: Counter[str] = Counter()
    for line in lines:
        match = _PREFIX.match(split_stamp(line)[1])
        if match is not None and _label_base(match["label"]) is not None:
            counts[clean_speaker(match["label"])] += 1
    return frozenset(label for label, count in counts.items() if count >= 2)


def split_stamp(line: str) -> tuple[float | None, str]:
    """Split a leading ``[mm:ss]`` or ``(hh:mm:ss)`` stamp off ``line``."""
    match = _LEADING_STAMP.match(line)
    if match is None:
        return None, line
    return parse_timestamp(match["lead"] or match["leadp"]), line[match.end() :]


def split_speaker(line: str, known: Set[str] = frozenset()) -> tuple[str | None, float | None, str]:
    """``[00:01] Ana: hi`` or ``Ana (00:01): hi`` to ``("Ana", 1.0, "hi")``.

    Returns ``(None, None, line)`` when the line has no speaker label; ``known``
    is as for ``is_speaker_label``.
    """
    start, rest = split_stamp(line)
    match = _PREFIX.match(rest)
    if match is None or not is_speaker_label(match["label"], known):
        return None, None, line
    if start is None and (match["after"] or match["afterp"]):
        start = parse_timestamp(match["after"] or match["afterp"])
    text = rest[match.end() :]
    if start is None:
        start, text = split_stamp(text)
    return clean_speaker(match["label"]), start, text


def clean_speaker(name: str) -> str:
    return " ".join(name.split())


def clean_text(text: str) -> str:
    return " ".join(text.split())


# --- merging and ids ------------------------------------------------------------


def merge_turns(turns: Sequence[RawTurn], gap: float | None) -> list[RawTurn]:
    """Join consecutive turns by one speaker; ``gap=None`` keeps turns as written.

    Two turns merge when the silence between them is at most ``gap`` seconds, or
    when either time is unknown (nothing then says the speaker stopped). A merged
    turn stops growing at the turn-length limit (see ``_limits``) and goes on in
    a new turn, so captions without speakers do not fold into one the classifier
    cannot take.
    """
    cleaned = [
        RawTurn(clean_speaker(t.speaker) or UNKNOWN_SPEAKER, clean_text(t.text), *_times(t))
        for t in turns
    ]
    cleaned = [t for t in cleaned if t.text]
    if gap is None:
        return cleaned
    merged: list[RawTurn] = []
    # Texts are joined once at the end: repeated concatenation is quadratic when a
    # caption file without speakers folds into a few huge turns.
    parts: list[list[str]] = []
    longest = _limits.max_turn_chars()
    length = 0
    for turn in cleaned:
        previous = merged[-1] if merged else None
        length += 1 + len(turn.text)
        if (
            previous is None
            or previous.speaker != turn.speaker
            or _apart(previous, turn, gap)
            or length > longest
        ):
            merged.append(turn)
            parts.append([turn.text])
            length = len(turn.text)
            continue
        merged[-1] = replace(
            previous,
            start=previous.start if previous.start is not None else turn.start,
            end=_max_end(previous.end, turn.end),
        )
        parts[-1].append(turn.text)
    return [replace(turn, text=" ".join(texts)) for turn, texts in zip(merged, parts, strict=True)]


def join_bodies(turns: Sequence[RawTurn], bodies: Sequence[list[str]]) -> list[RawTurn]:
    """Give each turn its collected lines as one text."""
    return [replace(turn, text=" ".join(lines)) for turn, lines in zip(turns, bodies, strict=True)]


def _apart(previous: RawTurn, turn: RawTurn, gap: float) -> bool:
    if previous.end is None or turn.start is None:
        return False
    return turn.start - previous.end > gap


def _times(turn: RawTurn) -> tuple[float | None, float | None, int | None]:
    start = round(turn.start, 3) if turn.start is not None else None
    end = round(turn.end, 3) if turn.end is not None else None
    return start, end, turn.line


def _max_end(first: float | None, second: float | None) -> float | None:
    known = [end for end in (first, second) if end is not None]
    return max(known) if known else None


def to_utterances(turns: Sequence[RawTurn]) -> tuple[Utterance, ...]:
    """Number turns ``u0001``... and point each at the last turn by someone else."""
    width = max(4, len(str(len(turns))))
    utterances: list[Utterance] = []
    previous_other: str | None = None
    for index, turn in enumerate(turns, start=1):
        if utterances and utterances[-1].speaker != turn.speaker:
            previous_other = utterances[-1].id
        uid = f"u{index:0{width}d}"
        utterances.append(
            Utterance(
                id=uid,
                speaker=turn.speaker,
                text=turn.text,
                start=turn.start,
                end=turn.end,
                reply_to=previous_other,
            )
        )
    return tuple(utterances)
