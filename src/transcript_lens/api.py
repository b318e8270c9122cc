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
from .speakers import (
    SpeakerMap,
    apply_speaker_map,
    load_speaker_map,
    people_suffix,
    roles_for,
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
    can fix.
    """
    if isinstance(source, Transcript):
        transcript = source
    else:
        transcript = read_transcript(
            source, input_format=input_format, merge_gap=merge_gap, max_bytes=max_bytes
        )
    model = get_classifier(classifier) if isinstance(classifier, str) else classifier
    scoring = config if isinstance(config, ScoringConfig) else load_config(config)
    return score_meeting(transcript, model, scoring, speakers=speakers, coach=coach, redact=redact)


def score_meeting(
    transcript: Transcript,
    model: Classifier,
    scoring: ScoringConfig,
    *,
    speakers: SpeakerMap | str | Path | None = None,
    coach: Sequence[str] = (),
    redact: bool = False,
    strict_roles: bool = True,
) -> Scorecard:
    """Speaker map, labels, redaction and scoring of a transcript already read.

    With ``strict_roles`` false, a coach or role naming someone who is not in
    this meeting is passed over instead of being an error (batch runs).
    """
    speaker_map = (
        speakers
        if isinstance(speakers, SpeakerMap) or speakers is None
        else load_speaker_map(speakers)
    )
    if speaker_map is not None:
        transcript = apply_speaker_map(transcript, speaker_map)
    roles = roles_for(transcript, speaker_map, coach, strict=strict_roles)
    predictions = label_transcript(transcript, model)
    card = score_transcript(
        transcript, predictions, scoring, classifier=f"{model.name}/{model.version}", roles=roles
    )
    if redact:
        # After scoring, so that talk share counts the words as spoken, not
        # the pseudonyms ("Claire" is one word, "Person 1" two).
        from .redact import redact_scorecard

        card = redact_scorecard(card)
    suffix = people_suffix(speaker_map, coach, redact=redact)
    if suffix:
        producer = card.producer.model_copy(update={"scoring": card.producer.scoring + suffix})
        card = card.model_copy(update={"producer": producer})
    return card


def classify_texts(
    items: Sequence[ClassifierInput], classifier: str | Classifier = "rules"
) -> list[UtteranceLabels]:
    model = get_classifier(classifier) if isinstance(classifier, str) else classifier
    return model.predict(items)
