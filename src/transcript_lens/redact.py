"""Pseudonyms for sharing reports: ``--redact``.

A :class:`Redactor` is built from one meeting. Speakers become "Speaker A",
"Speaker B"... in order of first appearance (placeholders such as "Unknown
Speaker" stay); the people they mention, found by spaCy's named-entity
recogniser, become "Person 1", "Person 2"... in order of first mention. A
speaker's full name, first name and last name in the text take the
speaker's pseudonym, so "Thanks, Dana" reads "Thanks, Speaker A" when
"Dana K." speaks. The same name gets the same pseudonym everywhere in the
meeting, and the same meeting the same pseudonyms every time.

Classify the original transcript, then redact it and the predictions, then
score: the classifier reads the words as spoken and the scorecard holds no
names it knows of. Limits are in docs/speakers.md.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .classifiers.base import UtteranceLabels
from .classifiers.rules import DEFAULT_MODEL, MODEL_HINT, load_spacy
from .errors import ClassifierError
from .model import Transcript
from .scorecard import Scorecard
from .speakers import is_unknown_speaker, name_lexicon, transcript_of

__all__ = ["REDACTED_SOURCE", "Redactor", "load_ner", "redact_scorecard"]

REDACTED_SOURCE = "redacted"
SPEAKER_PREFIX = "Speaker"
PERSON_PREFIX = "Person"
# Components the small English pipeline's NER can do without: it has a
# tok2vec of its own, so the shared one, the tagger and the parser only cost time.
_NOT_FOR_NER = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")
_SENTENCE_END = frozenset('.!?:;"“”')
# What follows a name said to someone ("Sam, how are you?") or about them ("Claire's").
_AFTER_NAME = frozenset({",", "?", "!", ".", "'s", "’s"})
_POSSESSIVE = re.compile(r"['’]s$")


@functools.lru_cache(maxsize=2)
def load_ner(name: str = DEFAULT_MODEL) -> Any:
    """Load (once) the spaCy pipeline with only what named-entity recognition needs."""
    nlp = load_spacy(name, needed_by="--redact needs it to find names", exclude=list(_NOT_FOR_NER))
    if "ner" not in nlp.pipe_names:
        raise ClassifierError(
            f"the spaCy model {name!r} has no named-entity recogniser; --redact needs one",
            hint=MODEL_HINT,
        )
    return nlp


def _letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA, as spreadsheet columns: a committee has more than 26."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _undotted(word: str) -> str:
    return word.rstrip(".").casefold()


def _strip_titles(words: list[str]) -> list[str]:
    titles = [[_undotted(w) for w in title.split()] for title in name_lexicon().titles]
    stripped = True
    while words and stripped:
        stripped = False
        for title in titles:
            if [_undotted(w) for w in words[: len(title)]] == title and len(words) > len(title):
                words = words[len(title) :]
                stripped = True
                break
    return words


def _name_words(text: str) -> tuple[str, ...] | None:
    """The words of a person's name in ``text`` without titles, or None if it is not one."""
    lexicon = name_lexicon()
    words = _strip_titles(text.replace(",", " ").split())
    while words and _undotted(words[-1]) in lexicon.suffixes and len(words) > 1:
        words = words[:-1]
    if not words or len(words) > 5:
        return None
    for word in words:
        if word.casefold() in lexicon.role_words or any(c.isdigit() for c in word):
            return None
        if word not in lexicon.particles and not any(c.isupper() for c in word):
            return None
    return tuple(words)


def person_name(label: str) -> tuple[str, ...] | None:
    """The words of the person a speaker label names, or None for a role or an id.

    "Hon. Bill Morneau (Minister of Finance)" is ("Bill", "Morneau"); "The
    Chair (Hon. Anthony Rota (...))" is ("Anthony", "Rota"): the role in
    parentheses names the person only when the label itself is a role.
    """
    label = " ".join(label.split())
    base, _, inner = label.partition("(")
    words = _name_words(base)
    if words is None and inner:
        words = _name_words(re.split(r"[(),]", inner, maxsplit=1)[0])
    return words


def _is_part(word: str) -> bool:
    """A first or last name worth searching for on its own."""
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isalpha() or c in "-'’" for c in word)


class Redactor:
    """Pseudonyms for the speakers of one meeting and the people they mention.

    Building one runs named-entity recognition over the whole meeting with the
    spaCy pipeline ``model``; redact that meeting (and its predictions) with it.
    """

    def __init__(self, transcript: Transcript, *, model: str = DEFAULT_MODEL) -> None:
        self.speakers: dict[str, str] = {}
        for speaker in transcript.speakers:
            if not is_unknown_speaker(speaker):
                self.speakers[speaker] = f"{SPEAKER_PREFIX} {_letters(len(self.speakers))}"
        # Case-insensitive names (full names) and case-sensitive ones (single
        # words: "Bill" is a name, "the bill" is not), each to a pseudonym.
        self._folded: dict[str, str] = {}
        self._exact: dict[str, str] = {}
        self._add_speaker_names()
        texts = [u.text for u in transcript.utterances] + [transcript.title]
        self._add_persons(_mentions(load_ner(model), texts), texts)

    # --- building -------------------------------------------------------------

    def _add_speaker_names(self) -> None:
        full: dict[str, list[str]] = {}
        parts: dict[str, list[str]] = {}
        for speaker, pseudonym in self.speakers.items():
            words = person_name(speaker)
            if words is None:
                continue
            if len(words) > 1:
                full.setdefault(" ".join(words).casefold(), []).append(pseudonym)
                full.setdefault(" ".join(speaker.split()).casefold(), []).append(pseudonym)
            for part in dict.fromkeys((words[0], words[-1])):
                if _is_part(part) and part not in name_lexicon().particles:
                    parts.setdefault(part, []).append(pseudonym)
        for name, pseudonyms in full.items():
            self._folded[name] = _either(pseudonyms)
        for part, pseudonyms in parts.items():
            # Two speakers called Bill: say so rather than pick one or leave the name.
            for form in (part, part.upper()):
                self._exact.setdefault(form, _either(pseudonyms))

    def _known(self, name: str) -> bool:
        return name in self._exact or name.casefold() in self._folded

    def _add_persons(self, mentions: list[str], texts: list[str]) -> None:
        lexicon = name_lexicon()
        names = [m for m in dict.fromkeys(mentions) if not self._known(m)]
        groups: dict[str, list[str]] = {m.casefold(): [m] for m in names if " " in m}
        # The recogniser finds "Claire Dupont" but often not "Claire" alone, so
        # the first and last name of a full name are searched for too.
        # A part the meeting also says in lower case is a word before it is a
        # name: "Grace Manor" is a care home, "place" and "centre" are words.
        words_in_lower = {w for text in texts for w in re.findall(r"\w+", text) if w.islower()}
        owners: dict[str, list[str]] = {}
        for key in groups:
            words = groups[key][0].split()
            for part in dict.fromkeys((words[0], words[-1])):
                if part in lexicon.particles or part.lower() in words_in_lower:
                    continue
                if not self._known(part):
                    owners.setdefault(part, []).append(key)
        for name in names:
            if " " not in name and name not in owners:
                groups[name] = [name]
        for part, keys in owners.items():
            if len(keys) == 1:
                groups[keys[0]].append(part)
        if not groups:
            return
        alias_group = {alias: key for key, aliases in groups.items() for alias in aliases}
        pattern, aliases = _names_pattern(alias_group)
        numbers: dict[str, int] = {}
        for text in texts:
            for found in pattern.finditer(text):
                numbers.setdefault(alias_group[_alias(found, aliases)], len(numbers) + 1)
        for key in groups:  # pragma: no cover - a mention is always in its text
            numbers.setdefault(key, len(numbers) + 1)
        pseudonyms = {key: f"{PERSON_PREFIX} {numbers[key]}" for key in groups}
        for key, names_of in groups.items():
            for alias in names_of:
                self._add_alias(alias, pseudonyms[key])
        for part, keys in owners.items():
            if len(keys) > 1:
                # "Dave" when both Dave Johnson and Dave Gelbart were mentioned.
                self._add_alias(part, _either(sorted((pseudonyms[k] for k in keys), key=_number)))

    def _add_alias(self, alias: str, pseudonym: str) -> None:
        if " " in alias:
            self._folded.setdefault(alias.casefold(), pseudonym)
        else:
            for form in (alias, alias.upper()):
                self._exact.setdefault(form, pseudonym)

    @functools.cached_property
    def _pattern(self) -> tuple[re.Pattern[str], list[str]]:
        return _names_pattern(list(self._exact) + list(self._folded))

    # --- using ----------------------------------------------------------------

    def pseudonym(self, name: str) -> str:
        """The pseudonym of a speaker or a name found in the meeting; KeyError if none."""
        if name in self.speakers:
            return self.speakers[name]
        if is_unknown_speaker(name):
            return name
        clean = " ".join(name.split())
        if clean in self._exact:
            return self._exact[clean]
        if clean.casefold() in self._folded:
            return self._folded[clean.casefold()]
        raise KeyError(f"{name!r} is not a speaker or a name found in this meeting")

    def redact_text(self, text: str) -> str:
        """``text`` with every name this redactor knows replaced by its pseudonym."""
        if not self._exact and not self._folded:
            return text
        pattern, aliases = self._pattern

        def replace(found: re.Match[str]) -> str:
            alias = _alias(found, aliases)
            return self._exact.get(alias) or self._folded[alias]

        return pattern.sub(replace, text)

    def redact_title(self, title: str) -> str:
        """A title with its names replaced. A title is often a file name
        ("2024-03-19_coaching_jordan-lee"): underscores and hyphens between
        letters join its words and names are in lower case, so a word is
        matched as if it were capitalised."""
        spaced = re.sub(r"_+|(?<=[^\W\d_])-(?=[^\W\d_])", " ", title)
        if not self._exact and not self._folded:
            return spaced
        pattern, aliases = self._pattern
        # Same length as ``spaced`` (ASCII letters only), so spans carry over.
        capital = re.sub(r"\b[a-z]", lambda m: m.group(0).upper(), spaced)
        out, last = [], 0
        for found in pattern.finditer(capital):
            alias = _alias(found, aliases)
            out += [spaced[last : found.start()], self._exact.get(alias) or self._folded[alias]]
            last = found.end()
        return "".join(out) + spaced[last:]

    def redact_transcript(self, transcript: Transcript) -> Transcript:
        """The transcript with pseudonymous speakers, texts and title; ids and times kept."""
        utterances = tuple(
            u.model_copy(
                update={"speaker": self._speaker(u.speaker), "text": self.redact_text(u.text)}
            )
            for u in transcript.utterances
        )
        return transcript.model_copy(
            update={
                "source": REDACTED_SOURCE,
                "title": self.redact_title(transcript.title),
                "utterances": utterances,
            }
        )

    def _speaker(self, speaker: str) -> str:
        if is_unknown_speaker(speaker):
            return speaker
        try:
            return self.speakers[speaker]
        except KeyError:
            raise ValueError(
                f"speaker {speaker!r} is not in the meeting this Redactor was built from"
            ) from None

    def redact_predictions(self, predictions: Sequence[UtteranceLabels]) -> list[UtteranceLabels]:
        """Predictions with names in their evidence phrases replaced."""
        return [
            p.model_copy(
                update={
                    "evidence": [
                        e.model_copy(update={"phrase": self.redact_text(e.phrase)})
                        for e in p.evidence
                    ]
                }
            )
            for p in predictions
        ]

    def rename_roles(self, roles: Mapping[str, str]) -> dict[str, str]:
        """Speaker -> role with each speaker replaced by their pseudonym."""
        return {self._speaker(speaker): role for speaker, role in roles.items()}


def _either(pseudonyms: Iterable[str]) -> str:
    return " or ".join(dict.fromkeys(pseudonyms))


def _number(pseudonym: str) -> int:
    return int(pseudonym.rsplit(" ", 1)[1])


def _names_pattern(aliases: Iterable[str]) -> tuple[re.Pattern[str], list[str]]:
    """One regex for all names, longest first, each a whole word after an optional title.

    Names with a space match in any case and with any spacing; single words
    only as written (or in capitals), since most first names are also words.
    Returns the regex and the names in order: group ``a<i>`` matches name ``i``.
    """
    ordered = sorted(set(aliases), key=lambda a: (-len(a), a))
    names: dict[str, list[str]] = {}
    for index, alias in enumerate(ordered):
        if " " in alias:
            body = "(?i:" + r"\s+".join(map(re.escape, alias.split())) + ")"
        else:
            body = re.escape(alias)
        names.setdefault(alias[0].casefold(), []).append(f"(?P<a{index}>{body})")
    titles: dict[str, list[str]] = {}
    for title in name_lexicon().titles:
        words = [re.escape(w.rstrip(".")) for w in title.split()]
        # "Mr.Blanchet": after a dot the space is optional.
        body = r"\s+".join(words) + r"(?:\.\s*|\s+)"
        titles.setdefault(title[0].casefold(), []).append(body)
    # After the name: not more of a word, nor a contraction ("Don't" is not Don),
    # but a possessive ("Dana's") is fine.
    end = r"(?![\w-]|['’](?!s(?!\w))\w)"
    regex = rf"(?<![\w-])(?:{_by_first(titles)})?(?:{_by_first(names)}){end}"
    return re.compile(regex), ordered


def _by_first(alternatives: dict[str, list[str]]) -> str:
    """Alternatives behind a look-ahead at their first letter.

    Python's regex engine tries alternatives one by one; checking the first
    letter skips hundreds of names that cannot match at this word, which makes
    redaction several times faster on a meeting that mentions many people.
    """
    return "|".join(
        f"(?={re.escape(first)}|{re.escape(first.upper())})(?:{'|'.join(bodies)})"
        if first != first.upper()
        else f"(?={re.escape(first)})(?:{'|'.join(bodies)})"
        for first, bodies in sorted(alternatives.items())
    )


def _alias(found: re.Match[str], aliases: list[str]) -> str:
    """The name a match of a :func:`_names_pattern` regex stands for."""
    group = found.lastgroup
    assert group is not None
    return aliases[int(group[1:])]


def _mentions(nlp: Any, texts: list[str]) -> list[str]:
    """Person names spaCy finds in ``texts``, in order, cleaned of titles and noise."""
    found: list[str] = []
    for doc in nlp.pipe(texts, batch_size=256):
        for ent in doc.ents:
            if ent.label_ != "PERSON":
                continue
            name = _clean_mention(ent)
            if name is not None:
                found.append(name)
    return found


def _clean_mention(ent: Any) -> str | None:
    """The name in a PERSON entity, or None when it is more likely noise.

    ASR text spells "mike" and "max" in lower case, so names without a capital
    are dropped. A lone capitalised word opening a sentence ("Push back on
    me") is a name only when addressed or possessed ("Sam, ...", "Claire's");
    a name said anywhere else in the meeting is still replaced there.
    """
    words: list[str] = []
    for token in ent:
        word = _POSSESSIVE.sub("", token.text).strip('.,;:!?"“”()')
        if not (word and word[0].isupper() and _is_part(word)):
            if words:
                break
            continue
        if not words or words[-1] != word:  # "Liz Liz": a stutter, not a surname
            words.append(word)
    untitled = _strip_titles(words)
    titled = len(untitled) < len(words)
    words = untitled
    if not words or len(words) > 4:
        return None
    lexicon = name_lexicon()
    if any(w.casefold() in lexicon.role_words for w in words):
        return None
    doc = ent.doc
    opens_sentence = ent.start == 0 or doc[ent.start - 1].text in _SENTENCE_END
    if len(words) == 1 and opens_sentence and not titled:
        after = doc[ent.end].text if ent.end < len(doc) else "."
        if after not in _AFTER_NAME:
            return None
    return " ".join(words)


#: Scorecard fields holding a speaker, lists of speakers, and free text.
_SPEAKER_FIELDS = frozenset({"speaker", "name", "made_by", "presenter"})
_SPEAKER_LISTS = frozenset({"voices", "coaches", "coachees"})
_TEXT_FIELDS = frozenset({"text", "phrase", "quote", "title", "owner", "due", "message"})


def redact_scorecard(
    card: Scorecard, *, model: str = DEFAULT_MODEL, transcript: Transcript | None = None
) -> Scorecard:
    """A scorecard with pseudonyms: every speaker field, quote, phrase, owner and
    the title are rewritten and the source is dropped. Scores and labels are
    unchanged.

    The names are found in ``transcript``, the one the card was made from
    (as the analysis has it); for a meeting already stored or saved as JSON,
    in the card's own utterances.
    """
    if transcript is None:
        transcript = transcript_of(card)
    redactor = Redactor(transcript, model=model)

    def walk(value: Any, field: str | None = None) -> Any:
        if isinstance(value, dict):
            if field == "phrases":  # label -> the words that carry it
                return {key: redactor.redact_text(item) for key, item in value.items()}
            return {key: walk(item, key) for key, item in value.items()}
        if isinstance(value, list):
            if field in _SPEAKER_LISTS:
                return [redactor._speaker(item) for item in value]
            return [walk(item, field) for item in value]
        if isinstance(value, str):
            if field in _SPEAKER_FIELDS:
                return redactor._speaker(value)
            if field == "title":
                return redactor.redact_title(value)
            if field in _TEXT_FIELDS:
                return redactor.redact_text(value)
            if field == "source":
                return REDACTED_SOURCE
        return value

    return Scorecard.model_validate(walk(card.model_dump(mode="json")))
