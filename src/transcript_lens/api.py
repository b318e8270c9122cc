"""The library entry point: one meeting in, one scorecard out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .classify import get_classifier
from .classify.base import Classifier, ClassifierInput, UtteranceLabels
from .config import ScoringConfig
from .model import Transcript
from .scorecard import Scorecard
from .speakers import (
    SpeakerMap,
)


def classifier_inputs(transcript: Transcript) -> list[ClassifierInput]:
    """Each utterance with the turn it answers (the last turn by someone else) as context."""
    by_id = {u.id: u for u in transcript.utterances}
    return [
        ClassifierInput(
            text=u.text, context=by_id[u.reply_to].text if u.reply_to in by_id else None
        )
        for u in transcript.utterances
    ]


def label_transcript(transcript: Transcript, classifier: Classifier) -> list[UtteranceLabels]:
    """Each utterance's labels, read with its context, then corrected with who answers whom."""
    from .classify.dialogue import refine

    return refine(transcript, classifier.predict(classifier_inputs(transcript)))


def analyze(
    source: str | Path | Transcript,
    *,
    classifier: str | Classifier = "ensemble",
    config: ScoringConfig | str | Path | None = None,
    input_format: str | None = None,
    merge_gap: float = 2.0,
    speakers: SpeakerMap | str | Path | None = None,
    coach: Sequence[str] = (),
    redact: bool = False,
    max_bytes: int | None = None,
) -> Scorecard:
    """Read (if needed), label and score one meeting.

    ``source`` is a transcript path or an already-read :class:`Transcript`.
    ``speakers`` (a map or its TOML file) renames and merges speakers and
    gives roles before anything is scored; ``coach`` names the coach(es),
    which adds the coaching review. With ``redact`` the scorecard holds
    pseudonyms instead of speaker and person names; the classifier still
    reads the words as spoken. ``max_bytes`` caps the file size read (None:
    $TRANSCRIPT_LENS_MAX_SIZE_MB, else 50 MB). Raises
    :class:`~transcript_lens.errors.TranscriptLensError` for anything a user
    can fix. For many meetings build one :class:`~transcript_lens.Analyzer`.
    """
    from .analyzer import Analyzer

    analyzer = Analyzer(
        classifier=classifier,
        config=config,
        speakers=speakers,
        coach=coach,
        redact=redact,
        input_format=input_format,
        merge_gap=merge_gap,
        max_bytes=max_bytes,
    )
    return analyzer.analyze(source).scorecard


def classify_texts(
    items: Sequence[ClassifierInput], classifier: str | Classifier = "rules"
) -> list[UtteranceLabels]:
    model = get_classifier(classifier) if isinstance(classifier, str) else classifier
    return model.predict(items)
