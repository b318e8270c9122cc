"""One pipeline from a transcript to a scorecard: read once, label, score.

An :class:`Analyzer` is built once from everything that shapes a result (how
to read files, the classifier, the scoring config, the speaker map, the
coach, redaction) and owns the version strings that name its results. Each
meeting then goes through it:

- :meth:`Analyzer.read` parses a file's bytes once into a :class:`ReadMeeting`
  (the transcript, its content hash, its fingerprint and its date);
- :meth:`Analyzer.label` labels and scores it into an :class:`Analysis`, the
  one typed result that the CLI renders, ``batch`` writes and the store
  saves as it is (:meth:`Analysis.record`).

``transcript_lens.analyze``, ``analyze --save``, the batch workers (local and
Ray) and ``compare`` all use it.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .classifiers.base import Classifier, ClassifierInput
from .identity import analysis_key, content_hash, fingerprint
from .model import Transcript
from .scorecard import Scorecard
from .scorecard.config import ScoringConfig, load_config
from .speakers import SpeakerMap, load_speaker_map, people_suffix

if TYPE_CHECKING:
    from .store import MeetingRecord

#: Told how many turns are labelled so far, and of how many.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ReadMeeting:
    """A file read and parsed, not yet labelled."""

    #: What the store and messages call it: the path as given, a batch source name, or "-".
    source: str
    transcript: Transcript
    #: SHA-256 of the file's bytes; None for a transcript given in memory.
    content_hash: str | None
    #: Of the spoken words: the meeting's identity (see ``identity``).
    fingerprint: str
    #: The meeting's date and where it came from ("metadata", "filename",
    #: "modified"); None for a transcript given in memory.
    date: datetime | None = None
    date_source: str | None = None


@dataclass(frozen=True)
class Analysis:
    """One meeting analyzed: what was read and the scorecard made of it."""

    meeting: ReadMeeting
    scorecard: Scorecard

    @property
    def source(self) -> str:
        return self.meeting.source

    @property
    def key(self) -> str:
        """The analysis's identity: the meeting, the classifier and the scoring."""
        producer = self.scorecard.producer
        return analysis_key(self.meeting.fingerprint, producer.classifier, producer.scoring)

    def record(self, *, tags: Sequence[str] = (), team: str | None = None) -> MeetingRecord:
        """The analysis as the store keeps it."""
        from .store import MeetingRecord

        meeting = self.meeting
        if meeting.content_hash is None or meeting.date is None or meeting.date_source is None:
            raise ValueError("a transcript analyzed in memory has no file to store it by")
        return MeetingRecord(
            key=self.key,
            fingerprint=meeting.fingerprint,
            source=meeting.source,
            content_hash=meeting.content_hash,
            date=meeting.date,
            date_source=meeting.date_source,
            scorecard=self.scorecard,
            tags=tuple(tags),
            team=team,
        )


class Analyzer:
    """Reads, labels and scores meetings, all with the same options.

    ``classifier`` is a name (``ensemble``, ``learned``, ``rules`` or one an
    installed package registers) or a :class:`Classifier`; ``config`` a
    :class:`ScoringConfig` or its TOML file (None: the built-in one);
    ``speakers`` a :class:`SpeakerMap` or its TOML file; ``sides`` speaker
    names, globs or ``re:`` patterns to sides (``--side``), ahead of the map's
    ``[sides]``; ``coach`` the
    coach's names; ``redact`` puts pseudonyms in the scorecard.
    ``input_format``, ``merge_gap``, ``columns`` and ``max_bytes`` say how to
    read a file (see ``readers.read_transcript``). With ``strict_roles``
    false a coach or role naming someone absent from a meeting is passed over
    (batch runs) instead of being an error. The model loads on first use.
    """

    def __init__(
        self,
        *,
        classifier: str | Classifier = "ensemble",
        config: ScoringConfig | str | Path | None = None,
        speakers: SpeakerMap | str | Path | None = None,
        sides: Mapping[str, str] | None = None,
        coach: Sequence[str] = (),
        redact: bool = False,
        input_format: str | None = None,
        merge_gap: float = 2.0,
        columns: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
        strict_roles: bool = True,
        device: str = "cpu",
        threads: int | None = None,
    ) -> None:
        from .classifiers import get_classifier

        if isinstance(classifier, str):
            options: dict[str, object] = {"device": device}
            if threads is not None:
                options["threads"] = threads
            classifier = get_classifier(classifier, **options)
        self.classifier: Classifier = classifier
        self.scoring = config if isinstance(config, ScoringConfig) else load_config(config)
        self.speaker_map = (
            speakers
            if isinstance(speakers, SpeakerMap) or speakers is None
            else load_speaker_map(speakers)
        )
        if sides:
            self.speaker_map = (self.speaker_map or SpeakerMap()).with_sides(dict(sides))
        self.coach = tuple(coach)
        self.redact = redact
        self.input_format = input_format
        self.merge_gap = merge_gap
        self.columns = dict(columns) if columns else None
        self.max_bytes = max_bytes
        self.strict_roles = strict_roles

    # Versions ----------------------------------------------------------------

    @property
    def side_order(self) -> list[str]:
        """The sides as the speaker map names them."""
        if self.speaker_map is None:
            return []
        return self.speaker_map.side_names()

    @property
    def classifier_version(self) -> str:
        return f"{self.classifier.name}/{self.classifier.version}"

    @property
    def scoring_version(self) -> str:
        """The scoring config's version, with what the people options add to it."""
        suffix = people_suffix(self.speaker_map, self.coach, redact=self.redact)
        return f"{self.scoring.version}/{self.scoring.digest}{suffix}"

    def key(self, words: str) -> str:
        """The key an analysis of the meeting with fingerprint ``words`` gets here."""
        return analysis_key(words, self.classifier_version, self.scoring_version)

    def warm(self) -> None:
        """Load the model now, so that a broken install fails before any file."""
        self.classifier.predict([ClassifierInput(text="Hello.")])

    # Reading -----------------------------------------------------------------

    def read(
        self,
        data: bytes,
        *,
        source: str,
        file_name: str | None = None,
        modified: datetime | None = None,
    ) -> ReadMeeting:
        """Parse one file's bytes. ``file_name`` gives the title and a date in the
        name (None: standard input); ``modified`` is the date of last resort."""
        from .archive.dates import meeting_date
        from .readers import read_text, to_text
        from .readers._limits import check_size

        check_size(len(data), source, self.max_bytes)
        text, input_format = to_text(data, source, self.input_format, max_bytes=self.max_bytes)
        transcript = read_text(
            text,
            source=source,
            input_format=input_format,
            merge_gap=self.merge_gap,
            title=Path(file_name).stem if file_name else None,
            columns=self.columns,
            max_bytes=self.max_bytes,
        )
        when = modified if modified is not None else datetime.now(tz=UTC)
        date, date_source = meeting_date(file_name or "stdin", text, when)
        return ReadMeeting(
            source=source,
            transcript=transcript,
            content_hash=content_hash(data),
            fingerprint=fingerprint([u.text for u in transcript.utterances]),
            date=date,
            date_source=date_source,
        )

    def read_file(self, path: str | Path) -> ReadMeeting:
        """Read a transcript file, or standard input for "-"."""
        from .readers import read_file_bytes, read_stdin_bytes

        if str(path) == "-":
            return self.read(read_stdin_bytes(max_bytes=self.max_bytes), source="-")
        file = Path(path)
        data = read_file_bytes(file, max_bytes=self.max_bytes)
        modified = datetime.fromtimestamp(file.stat().st_mtime, tz=UTC)
        meeting = self.read(data, source=str(path), file_name=file.name, modified=modified)
        # Stored by its absolute path: a relative one means nothing later.
        return dataclasses.replace(meeting, source=os.path.abspath(path))

    # Labelling and scoring ---------------------------------------------------

    def label(
        self, meeting: ReadMeeting | Transcript, *, progress: Progress | None = None
    ) -> Analysis:
        """Label and score a meeting already read (or a transcript built in memory)."""
        if isinstance(meeting, Transcript):
            meeting = ReadMeeting(
                source=meeting.source,
                transcript=meeting,
                content_hash=None,
                fingerprint=fingerprint([u.text for u in meeting.utterances]),
            )
        return Analysis(
            meeting=meeting, scorecard=self.score(meeting.transcript, progress=progress)
        )

    def analyze(
        self, source: str | Path | Transcript, *, progress: Progress | None = None
    ) -> Analysis:
        """Read (a path, or "-" for standard input), label and score one meeting.
        ``progress(done, total)`` hears how many turns are labelled."""
        if isinstance(source, Transcript):
            return self.label(source, progress=progress)
        return self.label(self.read_file(source), progress=progress)

    def score(self, transcript: Transcript, *, progress: Progress | None = None) -> Scorecard:
        """Speaker map, labels, scoring and redaction of a transcript already read."""
        from .api import label_transcript
        from .classifiers.base import UtteranceLabels
        from .scorecard.assess import assess_transcript
        from .scorecard.scoring import score_transcript
        from .speakers import apply_speaker_map, roles_for, sides_for

        if self.speaker_map is not None:
            transcript = apply_speaker_map(transcript, self.speaker_map)
        roles = roles_for(transcript, self.speaker_map, self.coach, strict=self.strict_roles)
        sides = sides_for(transcript, self.speaker_map)
        assessment = assess_transcript(transcript, self.scoring.judge)
        # Only what is judged is labelled: nothing of a meeting not scored, only
        # the Q&A of a presentation.
        utterances = transcript.utterances
        start = len(utterances)
        if assessment.scope == "meeting":
            start = 0
        elif assessment.scope == "q_and_a":
            start = next(i for i, u in enumerate(utterances) if u.id == assessment.scored_from)
        unjudged = UtteranceLabels(scores={})
        predictions = [unjudged] * start
        if start < len(utterances):
            part = transcript.model_copy(update={"utterances": utterances[start:]})
            predictions += label_transcript(part, self.classifier, progress=progress)
        card = score_transcript(
            transcript,
            predictions,
            self.scoring,
            classifier=self.classifier_version,
            roles=roles,
            assessment=assessment,
            sides=sides,
            side_order=self.side_order,
        )
        if self.redact:
            # After scoring, so that talk share counts the words as spoken, not
            # the pseudonyms ("Claire" is one word, "Person 1" two).
            from .redact import redact_scorecard

            card = redact_scorecard(card, transcript=transcript)
        if card.producer.scoring != self.scoring_version:
            producer = card.producer.model_copy(update={"scoring": self.scoring_version})
            card = card.model_copy(update={"producer": producer})
        return card
