"""The library entry point: one meeting in, one scorecard out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .classify import get_classifier
from .classify.base import Classifier, ClassifierInput, UtteranceLabels
from .config import ScoringConfig, load_config
from .model import Transcript
from .readers import read_transcript
from .scorecard import Scorecard
from .scoring import score_transcript


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
    return classifier.predict(classifier_inputs(transcript))


def analyze(
    source: str | Path | Transcript,
    *,
    classifier: str | Classifier = "ensemble",
    config: ScoringConfig | str | Path | None = None,
    input_format: str | None = None,
    merge_gap: float = 2.0,
) -> Scorecard:
    """Read (if needed), label and score one meeting.

    ``source`` is a transcript path or an already-read :class:`Transcript`.
    Raises :class:`~transcript_lens.errors.TranscriptLensError` for anything a
    user can fix.
    """
    if isinstance(source, Transcript):
        transcript = source
    else:
        transcript = read_transcript(source, input_format=input_format, merge_gap=merge_gap)
    model = get_classifier(classifier) if isinstance(classifier, str) else classifier
    scoring = config if isinstance(config, ScoringConfig) else load_config(config)
    predictions = label_transcript(transcript, model)
    return score_transcript(
        transcript, predictions, scoring, classifier=f"{model.name}/{model.version}"
    )


def classify_texts(
    items: Sequence[ClassifierInput], classifier: str | Classifier = "rules"
) -> list[UtteranceLabels]:
    model = get_classifier(classifier) if isinstance(classifier, str) else classifier
    return model.predict(items)
