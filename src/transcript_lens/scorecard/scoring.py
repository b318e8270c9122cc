"""Labelled transcript -> Scorecard. The formula is documented in docs/scoring.md."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence

from .. import __version__
from ..classifiers.base import UtteranceLabels
from ..classifiers.segment import LONG_TURN_WORDS, windows
from ..errors import TranscriptLensError
from ..labels import ANTI_PATTERNS, LABELS, REQUIREMENTS, Label
from ..model import Transcript, Utterance
from .card import (
    SCORED,
    Assessment,
    Balance,
    Evidence,
    Flag,
    LabelledUtterance,
    MeetingInfo,
    Overall,
    Producer,
    RequirementScore,
    Scorecard,
    SpeakerStats,
)
from .coaching import coaching_review
from .config import ScoringConfig
from .dynamics import analyze_dynamics


def gini(values: Sequence[float]) -> float:
    """Gini coefficient of non-negative values: 0 is perfect equality."""
    n = len(values)
    total = sum(values)
    if n < 2 or total <= 0:
        return 0.0
    ordered = sorted(values)
    weighted = sum((2 * (i + 1) - n - 1) * x for i, x in enumerate(ordered))
    return weighted / (n * total)


def _phrase(prediction: UtteranceLabels, label: Label) -> str | None:
    for item in prediction.evidence:
        if item.label == label:
            return item.phrase
    return None


def carrying_quote(text: str, phrase: str | None) -> str | None:
    """The window of a long turn that holds ``phrase`` (None: the turn is short)."""
    if len(text.split()) <= LONG_TURN_WORDS:
        return None
    parts = windows(text)
    if phrase:
        needle = " ".join(phrase.split())
        for part in parts:
            if needle in part:
                return part
    return None


def _evidence(u: Utterance, p: UtteranceLabels, label: Label) -> dict[str, object]:
    phrase = _phrase(p, label)
    return {
        "utterance_id": u.id,
        "speaker": u.speaker,
        "start": u.start,
        "text": u.text,
        "confidence": round(p.scores.get(label, 0.0), 4),
        "phrase": phrase,
        "quote": carrying_quote(u.text, phrase),
    }


def score_transcript(
    transcript: Transcript,
    predictions: Sequence[UtteranceLabels],
    config: ScoringConfig,
    *,
    classifier: str,
    roles: Mapping[str, str] | None = None,
    assessment: Assessment = SCORED,
    sides: Mapping[str, str] | None = None,
    side_order: Sequence[str] = (),
) -> Scorecard:
    """Build the scorecard of ``transcript`` from one prediction per utterance.

    ``roles`` maps speaker names to roles (e.g. "coach"); a coach adds the
    coaching review. ``assessment`` (see ``assess.assess_transcript``) says
    whether to score at all, or only the Q&A from ``scored_from`` on: the
    predictions for the turns not judged are not read. ``sides`` maps speaker
    names to sides (``side_order``: the sides as the map names them); with
    it the card has a sides view (see ``sides.py``).
    """
    card = _score(
        transcript, predictions, config, classifier=classifier, roles=roles, assessment=assessment
    )
    if not sides:
        return card
    from .sides import with_sides

    return with_sides(card, transcript, sides, side_order)


def _score(
    transcript: Transcript,
    predictions: Sequence[UtteranceLabels],
    config: ScoringConfig,
    *,
    classifier: str,
    roles: Mapping[str, str] | None = None,
    assessment: Assessment = SCORED,
) -> Scorecard:
    roles = roles or {}
    utterances = transcript.utterances
    if len(predictions) != len(utterances):
        raise TranscriptLensError(
            f"classifier returned {len(predictions)} results for {len(utterances)} utterances"
        )
    if assessment.scope == "q_and_a":
        start = next(i for i, u in enumerate(utterances) if u.id == assessment.scored_from)
        part = transcript.model_copy(update={"utterances": utterances[start:]})
        card = score_transcript(
            part, predictions[start:], config, classifier=classifier, roles=roles
        )
        before = [_unjudged(u) for u in utterances[:start]]
        return card.model_copy(
            update={
                "meeting": _meeting_info(transcript),
                "assessment": assessment,
                "utterances": before + list(card.utterances),
            }
        )
    if not assessment.scored:
        return _not_scored(
            transcript, config, classifier=classifier, roles=roles, assessment=assessment
        )
    turns = len(utterances)
    effective_turns = max(turns, config.meeting.min_turns)

    turn_counts = Counter(u.speaker for u in utterances)
    active = [s for s in transcript.speakers if turn_counts[s] >= config.meeting.active_min_turns]

    labelled: dict[Label, list[tuple[Utterance, UtteranceLabels]]] = {k: [] for k in LABELS}
    for u, p in zip(utterances, predictions, strict=True):
        for label in p.labels:
            labelled[label].append((u, p))

    def rate(label: Label) -> float:
        return 100.0 * len(labelled[label]) / effective_turns

    requirements: dict[str, RequirementScore] = {}
    for req in REQUIREMENTS:
        rc = config.requirements[req]
        hits = labelled[req]
        req_rate = rate(req)
        volume = 1.0 - math.exp(-req_rate / rc.target_rate)
        volume *= 1.0 - math.exp(-len(hits) / config.meeting.evidence_turns)
        voices = list(dict.fromkeys(u.speaker for u, _ in hits))
        needed = min(rc.breadth_target, max(len(active), 1))
        breadth = min(1.0, len(voices) / needed)
        raw = rc.volume_weight * volume + rc.breadth_weight * breadth
        penalties: dict[str, float] = {}
        for pen in config.penalties:
            if pen.requirement == req:
                share = pen.weight * (1.0 - math.exp(-rate(pen.label) / pen.scale))
                penalties[pen.label] = round(share, 4)
                raw *= 1.0 - share
        evidence = sorted(
            (_evidence(u, p, req) for u, p in hits),
            key=lambda e: -float(e["confidence"]),  # type: ignore[arg-type]
        )
        requirements[req] = RequirementScore(
            score=round(100.0 * raw, 1),
            count=len(hits),
            rate=round(req_rate, 3),
            volume=round(volume, 4),
            voices=voices,
            breadth=round(breadth, 4),
            penalties=penalties,
            evidence=[Evidence.model_validate(e) for e in evidence],
        )

    flags = [
        Flag.model_validate({**_evidence(u, p, label), "label": label})
        for u, p in zip(utterances, predictions, strict=True)
        for label in p.labels
        if label in ANTI_PATTERNS
    ]

    speakers = _speaker_stats(
        transcript, {label: [u for u, _ in hits] for label, hits in labelled.items()}, roles
    )
    balance = _balance(transcript, config)

    weights = config.overall.model_dump()
    inputs: dict[str, float] = {req: requirements[req].score for req in REQUIREMENTS}
    inputs["balance"] = balance.score
    overall = _overall(inputs, weights, {a: rate(a) for a in ANTI_PATTERNS}, config)

    labelled_utterances = [
        LabelledUtterance(
            id=u.id,
            speaker=u.speaker,
            start=u.start,
            end=u.end,
            text=u.text,
            labels=list(p.labels),
            scores={label: round(p.scores.get(label, 0.0), 4) for label in LABELS},
            phrases={
                label: phrase for label in p.labels if (phrase := _phrase(p, label)) is not None
            },
        )
        for u, p in zip(utterances, predictions, strict=True)
    ]

    return Scorecard(
        producer=_producer(config, classifier),
        meeting=_meeting_info(transcript),
        requirements=requirements,  # type: ignore[arg-type]
        flags=flags,
        speakers=speakers,
        balance=balance,
        overall=overall,
        assessment=assessment,
        dynamics=analyze_dynamics(labelled_utterances),
        coaching=coaching_review(labelled_utterances, roles),
        utterances=labelled_utterances,
    )


def _producer(config: ScoringConfig, classifier: str) -> Producer:
    return Producer(
        tool=f"transcript-lens {__version__}",
        classifier=classifier,
        scoring=f"{config.version}/{config.digest}",
    )


def _meeting_info(transcript: Transcript) -> MeetingInfo:
    return MeetingInfo(
        source=transcript.source,
        title=transcript.title,
        format=transcript.format,
        duration=transcript.duration,
        turns=len(transcript.utterances),
        words=sum(u.words for u in transcript.utterances),
        speakers=len(transcript.speakers),
    )


def _unjudged(u: Utterance) -> LabelledUtterance:
    """An utterance listed as it was said, with no labels: it was not judged."""
    return LabelledUtterance(
        id=u.id, speaker=u.speaker, start=u.start, end=u.end, text=u.text, labels=[], scores={}
    )


def _speaker_stats(
    transcript: Transcript,
    labelled: Mapping[Label, Sequence[Utterance]],
    roles: Mapping[str, str],
) -> list[SpeakerStats]:
    turn_counts = Counter(u.speaker for u in transcript.utterances)
    word_counts: Counter[str] = Counter()
    for u in transcript.utterances:
        word_counts[u.speaker] += u.words
    total_words = sum(word_counts.values())
    by_speaker = Counter((u.speaker, label) for label in LABELS for u in labelled.get(label, ()))
    return [
        SpeakerStats(
            name=name,
            role=roles.get(name),
            turns=turn_counts[name],
            words=word_counts[name],
            talk_share=round(word_counts[name] / total_words, 4) if total_words else 0.0,
            label_counts={label: by_speaker[name, label] for label in LABELS},
        )
        for name in transcript.speakers
    ]


def _balance(transcript: Transcript, config: ScoringConfig) -> Balance:
    turn_counts = Counter(u.speaker for u in transcript.utterances)
    word_counts: Counter[str] = Counter()
    for u in transcript.utterances:
        word_counts[u.speaker] += u.words
    active = [s for s in transcript.speakers if turn_counts[s] >= config.meeting.active_min_turns]
    g = gini([word_counts[s] for s in transcript.speakers])
    return Balance(gini=round(g, 4), score=round(100 * (1 - g), 1), active_speakers=len(active))


def _not_scored(
    transcript: Transcript,
    config: ScoringConfig,
    *,
    classifier: str,
    roles: Mapping[str, str],
    assessment: Assessment,
) -> Scorecard:
    """The card of a meeting there was not enough of to judge: what was said and
    who said it, and why there is no index."""
    return Scorecard(
        producer=_producer(config, classifier),
        meeting=_meeting_info(transcript),
        requirements={},
        flags=[],
        speakers=_speaker_stats(transcript, {}, roles),
        balance=_balance(transcript, config),
        overall=None,
        assessment=assessment,
        utterances=[_unjudged(u) for u in transcript.utterances],
    )


def _overall(
    inputs: dict[str, float],
    weights: dict[str, float],
    anti_rates: dict[Label, float],
    config: ScoringConfig,
) -> Overall:
    """The index: the weighted mean of the inputs, less what resignation, blame
    and silencing take beyond the tolerated rate, stretched so that the config's
    floor reads 12 and its ceiling 88."""
    ix = config.index
    mean = sum(weights[k] * inputs[k] for k in inputs)
    excess = sum(
        getattr(ix, label) * max(0.0, anti_rates[label] - ix.tolerance) for label in ANTI_PATTERNS
    )
    kept = math.exp(-excess)
    # A logistic stretch: floor -> 12, halfway -> 50, ceiling -> 88. It keeps
    # every meeting's order and never claims a flat 0 or 100.
    middle = (ix.floor + ix.ceiling) / 2
    slope = 4.0 / (ix.ceiling - ix.floor)
    index = round(100.0 / (1.0 + math.exp(-slope * (mean * kept - middle))), 1)
    return Overall(
        score=index,
        band=config.band(index),
        inputs=inputs,
        weights=weights,
        mean=round(mean, 1),
        kept=round(kept, 4),
        anti_rates={label: round(r, 3) for label, r in anti_rates.items()},
    )
