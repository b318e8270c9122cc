"""The library's entry points: ``analyze`` a meeting, ``classify`` utterances,
``batch`` an archive. See docs/python-api.md."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .classifiers import get_classifier
from .classifiers.base import Classifier, ClassifierInput, UtteranceLabels
from .model import Transcript
from .scorecard import Scorecard
from .scorecard.config import ScoringConfig
from .speakers import SpeakerMap

if TYPE_CHECKING:
    from .archive import Summary


def classifier_inputs(transcript: Transcript) -> list[ClassifierInput]:
    """Each utterance with the turn it answers (the last turn by someone else) as context."""
    by_id = {u.id: u for u in transcript.utterances}
    return [
        ClassifierInput(
            text=u.text, context=by_id[u.reply_to].text if u.reply_to in by_id else None
        )
        for u in transcript.utterances
    ]


#: Utterances labelled per call to the classifier. Fixed, so a meeting gets the
#: same labels whether or not anyone watches the progress.
LABEL_CHUNK = 512


def label_transcript(
    transcript: Transcript,
    classifier: Classifier,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> list[UtteranceLabels]:
    """Each utterance's labels, read with its context, then corrected with who
    answers whom. ``progress(done, total)`` is called after each chunk."""
    from .classifiers.dialogue import refine

    inputs = classifier_inputs(transcript)
    predictions: list[UtteranceLabels] = []
    if progress is not None:
        progress(0, len(inputs))
    for start in range(0, len(inputs), LABEL_CHUNK):
        predictions += classifier.predict(inputs[start : start + LABEL_CHUNK])
        if progress is not None:
            progress(len(predictions), len(inputs))
    return refine(transcript, predictions, getattr(classifier, "dialogue", None))


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


def classify(
    items: Sequence[str | tuple[str, str | None] | ClassifierInput],
    *,
    classifier: str | Classifier = "ensemble",
    device: str = "cpu",
) -> list[UtteranceLabels]:
    """Label utterances one by one, as ``transcript-lens classify`` does.

    Each item is a text, a ``(text, context)`` pair (the context: the turn it
    answers, or None) or a :class:`ClassifierInput`. Returns one
    :class:`UtteranceLabels` per item, in order: its ``labels`` (in taxonomy
    order), a confidence per label in ``scores`` and the ``evidence``.
    """
    inputs = [
        item
        if isinstance(item, ClassifierInput)
        else ClassifierInput(text=item)
        if isinstance(item, str)
        else ClassifierInput(text=item[0], context=item[1])
        for item in items
    ]
    model = get_classifier(classifier, device=device) if isinstance(classifier, str) else classifier
    return model.predict(inputs)


def batch(
    paths: Sequence[str | Path],
    *,
    db: str | None = None,
    out: str | Path | None = None,
    classifier: str = "ensemble",
    config: str | Path | None = None,
    speakers: str | Path | None = None,
    coach: Sequence[str] = (),
    input_format: str | None = None,
    merge_gap: float = 2.0,
    jobs: int = 1,
    engine: str = "local",
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    tags: Sequence[str] = (),
    team: str | None = None,
    fail_fast: bool = False,
) -> Summary:
    """Analyze every transcript under ``paths`` (folders, zips, files) into the
    database ``db`` (None: ``$TRANSCRIPT_LENS_DB``, else the default SQLite
    file), as ``transcript-lens batch`` does: resumable, each meeting once.
    ``out`` also writes one scorecard JSON per meeting and ``summary.csv``.
    Returns the run's :class:`~transcript_lens.archive.Summary` (counts,
    failures, one result per file)."""
    from .archive import BatchOptions, Settings, run_batch

    options = BatchOptions(
        paths=[str(p) for p in paths],
        settings=Settings(
            classifier=classifier,
            config=str(config) if config is not None else None,
            merge_gap=merge_gap,
            input_format=input_format,
            speakers=str(speakers) if speakers is not None else None,
            coach=tuple(coach),
        ),
        db_url=db,
        out_dir=str(out) if out is not None else None,
        jobs=jobs,
        engine=engine,
        fail_fast=fail_fast,
        include=tuple(include),
        exclude=tuple(exclude),
        tags=tuple(tags),
        team=team,
    )
    return run_batch(options)
