"""Speaker maps: rename and merge speakers, give them roles and sides, before scoring.

A speaker map is a TOML file with up to four tables::

    [rename]            # name as it appears = the person it is
    "The Chair (Hon. X)" = "The Chair"
    "Dana K." = "Dana"

    [match]             # pattern = the person it is; first match wins
    "The Acting Chair (*" = "Bruce Stanton"          # glob: * ? [...]
    're:^(?P<name>[^(]+?) \\(.*\\)$' = '\\g<name>'   # regex; the name may use its groups

    [roles]             # person (after renaming) = role
    "Dana" = "coach"
    "Sam" = "coachee"

    [sides]             # person, glob or re: pattern (after renaming) = side
    "Dana" = "provider"
    "* (IT)" = "provider"
    "re:^(Sam|Lee)$" = "business"

Names compare after whitespace normalisation and case-insensitively; an exact
``[rename]`` wins over ``[match]``; renames are not chained. Placeholders for
voices nobody named ("Unknown Speaker", see ``data/speakers.toml``) stay
unknown: patterns skip them and renaming one is refused. Renaming changes who
answers whom, so ``reply_to`` is recomputed; turns are never merged, so ids
and quotes stay as they were. The role ``coach`` turns on the coaching review.
A side (``[sides]``, or ``--side NAME=SIDE``) groups speakers into the two
parties of a relationship, for the scorecard's sides view; the first entry
that matches a person wins. See docs/speakers.md.
"""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from .errors import ConfigError
from .model import Transcript, Utterance
from .scorecard.config import read_toml

if TYPE_CHECKING:
    from .scorecard import Scorecard

__all__ = [
    "SpeakerMap",
    "apply_speaker_map",
    "is_unknown_speaker",
    "link_replies",
    "load_speaker_map",
    "roles_for",
    "sides_for",
]

TABLES = ("rename", "match", "roles", "sides")
COACH = "coach"
_HINT = "see docs/speakers.md for the format"
_REGEX_PREFIX = "re:"
# Enough names to recognise the meeting; a committee of 70 would drown the message.
_MAX_LISTED = 25


@dataclass(frozen=True)
class NameLexicon:
    """The word lists in ``data/speakers.toml``, normalised for lookup."""

    unknown: frozenset[str]
    titles: tuple[str, ...]
    suffixes: frozenset[str]
    role_words: frozenset[str]
    particles: frozenset[str]


@functools.cache
def name_lexicon() -> NameLexicon:
    """Read ``data/speakers.toml`` once."""
    text = resources.files("transcript_lens").joinpath("data/speakers.toml").read_text("utf-8")
    data = tomllib.loads(text)
    return NameLexicon(
        unknown=frozenset(normalise_name(name) for name in data["unknown"]),
        # Longest first, so "Right Hon." is taken before "Hon.".
        titles=tuple(sorted(data["titles"], key=lambda t: (-len(t), t))),
        suffixes=frozenset(_undotted(s) for s in data["suffixes"]),
        role_words=frozenset(word.casefold() for word in data["role_words"]),
        particles=frozenset(data["particles"]),
    )


def normalise_name(name: str) -> str:
    """The form names are compared in: single spaces, case folded."""
    return " ".join(name.split()).casefold()


def _undotted(word: str) -> str:
    return word.rstrip(".").casefold()


def is_unknown_speaker(name: str) -> bool:
    """Whether ``name`` is a placeholder for a voice nobody named."""
    return normalise_name(name) in name_lexicon().unknown


class SpeakerMap(BaseModel):
    """Renames, patterns and roles read from a speaker map file.

    ``source`` is the file it came from, for error messages.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    rename: dict[str, str] = {}
    match: dict[str, str] = {}
    roles: dict[str, str] = {}
    sides: dict[str, str] = {}
    source: str | None = None

    @model_validator(mode="after")
    def _check(self) -> SpeakerMap:
        for table in TABLES:
            for key, value in getattr(self, table).items():
                if not " ".join(value.split()):
                    raise ValueError(f"[{table}] {key!r} is empty; give a name or role")
        for alias, person in self.rename.items():
            if is_unknown_speaker(alias):
                raise ValueError(
                    f"[rename] cannot rename the placeholder {alias!r}: several unknown"
                    " voices are not one person"
                )
            if is_unknown_speaker(person):
                raise ValueError(
                    f"[rename] {alias!r} = {person!r}: a person cannot become a placeholder"
                )
        for pattern in self.sides:
            if pattern.startswith(_REGEX_PREFIX):
                try:
                    re.compile(pattern.removeprefix(_REGEX_PREFIX))
                except re.error as error:
                    raise ValueError(f"[sides] {pattern!r} is not a valid regex: {error}") from None
        for pattern, person in self.match.items():
            if pattern.startswith(_REGEX_PREFIX):
                try:
                    re.compile(pattern.removeprefix(_REGEX_PREFIX))
                except re.error as error:
                    raise ValueError(f"[match] {pattern!r} is not a valid regex: {error}") from None
            elif is_unknown_speaker(person):
                raise ValueError(
                    f"[match] {pattern!r} = {person!r}: a person cannot become a placeholder"
                )
        aliases = {normalise_name(alias): person for alias, person in self.rename.items()}
        for person in self.roles:
            if is_unknown_speaker(person):
                raise ValueError(
                    f"[roles] {person!r} is a placeholder, not a person; rename it first"
                )
            renamed = aliases.get(normalise_name(person))
            if renamed is not None and normalise_name(renamed) != normalise_name(person):
                raise ValueError(
                    f"[roles] {person!r} is renamed to {renamed!r}; give the role to {renamed!r}"
                )
        return self

    def name_for(self, speaker: str) -> str:
        """The person ``speaker`` is: renamed, matched by a pattern, or itself."""
        if is_unknown_speaker(speaker):
            return speaker
        key = normalise_name(speaker)
        for alias, person in self.rename.items():
            if normalise_name(alias) == key:
                return " ".join(person.split())
        clean = " ".join(speaker.split())
        for pattern, person in self.match.items():
            name = _matched_name(pattern, person, clean)
            if name is None:
                continue
            if not name or is_unknown_speaker(name):
                raise ConfigError(
                    f"[match] {pattern!r} turns {speaker!r} into {name!r}, which is not a name",
                    path=self.source,
                    hint="make the pattern narrower or its name a person's",
                )
            return name
        return speaker

    def side_for(self, person: str) -> str | None:
        """The side ``person`` (a name after renaming) is on, or None: the first
        ``[sides]`` entry that names or matches them. Placeholders have no side."""
        if is_unknown_speaker(person):
            return None
        clean = " ".join(person.split())
        for pattern, side in self.sides.items():
            if normalise_name(pattern) == normalise_name(clean) or (
                _matched_name(pattern, side, clean) is not None
            ):
                return " ".join(side.split())
        return None

    def side_names(self) -> list[str]:
        """The sides, in the order the map names them."""
        return list(dict.fromkeys(" ".join(side.split()) for side in self.sides.values()))

    def with_sides(self, sides: dict[str, str]) -> SpeakerMap:
        """This map with ``sides`` (``--side NAME=SIDE``) ahead of its own ``[sides]``."""
        if not sides:
            return self
        merged = {**sides, **{k: v for k, v in self.sides.items() if k not in sides}}
        return SpeakerMap.model_validate({**self.model_dump(), "sides": merged})


def sides_for(transcript: Transcript, speaker_map: SpeakerMap | None) -> dict[str, str]:
    """Speaker -> side for the speakers of ``transcript`` the map puts on one."""
    if speaker_map is None or not speaker_map.sides:
        return {}
    found = {s: speaker_map.side_for(s) for s in transcript.speakers}
    return {s: side for s, side in found.items() if side is not None}


def _matched_name(pattern: str, person: str, name: str) -> str | None:
    """The name ``pattern`` gives ``name``, or None when it does not match."""
    if pattern.startswith(_REGEX_PREFIX):
        found = re.fullmatch(pattern.removeprefix(_REGEX_PREFIX), name, flags=re.IGNORECASE)
        return " ".join(found.expand(person).split()) if found is not None else None
    if fnmatch.fnmatchcase(name.casefold(), " ".join(pattern.split()).casefold()):
        return " ".join(person.split())
    return None


def load_speaker_map(path: str | Path) -> SpeakerMap:
    """Read a speaker map from a TOML file; raise ConfigError saying what to fix."""
    path = Path(path)
    data = read_toml(path, what="speaker map", option="--speakers", hint=_HINT)
    for table, value in data.items():
        if table not in TABLES:
            raise ConfigError(
                f"unknown table [{table}]",
                path=path,
                hint="a speaker map has only [rename], [match], [roles] and [sides]",
            )
        if not isinstance(value, dict):
            raise ConfigError(
                f"{table} must be a table of names, not a {_toml_type(value)}",
                path=path,
                hint=f'write [{table}] on its own line, then "name" = "..." lines',
            )
        for key, item in value.items():
            if not isinstance(item, str):
                raise ConfigError(
                    f"[{table}] {key!r} must be a string, not a {_toml_type(item)}",
                    path=path,
                    hint='quote the value: "Dana K." = "Dana"',
                )
    try:
        return SpeakerMap.model_validate({**data, "source": str(path)})
    except ValidationError as error:
        message = str(error.errors()[0]["msg"]).removeprefix("Value error, ")
        raise ConfigError(message, path=path, hint=_HINT) from None


def _toml_type(value: Any) -> str:
    names = {bool: "boolean", int: "number", float: "number", str: "string", list: "array"}
    return names.get(type(value), "table" if isinstance(value, dict) else type(value).__name__)


def apply_speaker_map(transcript: Transcript, speaker_map: SpeakerMap) -> Transcript:
    """Rename and merge speakers, then recompute ``reply_to``; turns and ids are kept.

    A renamed speaker takes the spelling of a speaker already in the meeting
    under the same name ("dana" joins "Dana"). Renames for names not in the
    meeting are ignored, so one map can serve a series of meetings.
    """
    renamed = {speaker: speaker_map.name_for(speaker) for speaker in transcript.speakers}
    # Spellings of speakers the map leaves alone come first, then the first
    # spelling a rename gives: "Dana K." = "dana" joins the "Dana" already there.
    spelling = {normalise_name(s): s for s in reversed(transcript.speakers) if renamed[s] == s}
    for speaker, person in renamed.items():
        if person != speaker:
            renamed[speaker] = spelling.setdefault(normalise_name(person), person)
    if all(person == speaker for speaker, person in renamed.items()):
        return transcript
    utterances = [
        u.model_copy(update={"speaker": renamed[u.speaker]}) for u in transcript.utterances
    ]
    return transcript.model_copy(update={"utterances": link_replies(utterances)})


def transcript_of(card: Scorecard) -> Transcript:
    """The transcript a scorecard was made from, rebuilt from its own utterances
    (for a card stored or saved as JSON, when the original is not at hand)."""
    return Transcript(
        source=card.meeting.source,
        title=card.meeting.title,
        format=card.meeting.format,
        utterances=link_replies(
            Utterance(id=u.id, speaker=u.speaker, text=u.text, start=u.start, end=u.end)
            for u in card.utterances
        ),
    )


def link_replies(utterances: Iterable[Utterance]) -> tuple[Utterance, ...]:
    """Point each turn at the last turn by someone else, as the readers do."""
    linked: list[Utterance] = []
    previous_other: str | None = None
    for utterance in utterances:
        if linked and linked[-1].speaker != utterance.speaker:
            previous_other = linked[-1].id
        if utterance.reply_to != previous_other:
            utterance = utterance.model_copy(update={"reply_to": previous_other})
        linked.append(utterance)
    return tuple(linked)


def people_suffix(
    speaker_map: SpeakerMap | None, coach: Sequence[str] = (), *, redact: bool = False
) -> str:
    """What a speaker map, coaches and redaction add to a scorecard's scoring version.

    They change the scorecard, so a stored result made with them must not
    pass for one made without them (or with another map): the suffix goes
    into ``producer.scoring`` and so into the stored meeting's key. Empty
    when none is given.
    """
    if speaker_map is None and not coach and not redact:
        return ""
    given = {
        "map": speaker_map.model_dump(exclude={"source"}) if speaker_map else None,
        "coach": sorted(normalise_name(name) for name in coach),
        "redact": redact,
    }
    blob = json.dumps(given, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return "+people-" + hashlib.sha256(blob).hexdigest()[:10]


def roles_for(
    transcript: Transcript,
    speaker_map: SpeakerMap | None = None,
    coach: Sequence[str] = (),
    *,
    strict: bool = True,
) -> dict[str, str]:
    """Speaker -> role for the speakers that have one, in meeting order.

    Roles come from the map's ``[roles]`` (names after renaming) and from
    ``coach`` (``--coach NAME``, which wins). Names compare case-insensitively;
    one that is not a speaker in ``transcript`` is a ConfigError listing those
    that are, unless ``strict`` is false (a batch over many meetings, where
    the coach is in some of them): then it is passed over.
    """
    present = {normalise_name(s): s for s in reversed(transcript.speakers)}
    source = speaker_map.source if speaker_map is not None else None
    given: dict[str, str] = {}
    if speaker_map is not None:
        for person, role in speaker_map.roles.items():
            speaker = present.get(normalise_name(person))
            if speaker is None and not strict:
                continue
            if speaker is None:
                raise ConfigError(
                    f"[roles] {person!r} is not a speaker in {transcript.title!r}"
                    f" (speakers: {_listing(transcript.speakers)})",
                    path=source,
                    hint="use a name as it appears after [rename]",
                )
            given[speaker] = normalise_name(role)
    for name in coach:
        speaker = present.get(normalise_name(name))
        if (speaker is None or is_unknown_speaker(name)) and not strict:
            continue
        if speaker is None or is_unknown_speaker(name):
            raise ConfigError(
                f"coach {name!r} is not a speaker in {transcript.title!r}"
                f" (speakers: {_listing(transcript.speakers)})",
                hint="pass --coach one of these names (any case)",
            )
        given[speaker] = COACH
    return {speaker: given[speaker] for speaker in transcript.speakers if speaker in given}


def _listing(names: Sequence[str]) -> str:
    shown = ", ".join(repr(name) for name in names[:_MAX_LISTED])
    if len(names) > _MAX_LISTED:
        shown += f" and {len(names) - _MAX_LISTED} more"
    return shown
