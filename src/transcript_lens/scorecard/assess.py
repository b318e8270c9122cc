"""Is there enough of a meeting to judge? No band without evidence.

A transcript transcript-lens cannot read as a conversation gets no index and
no band: one not in English, one with no speaker names, one voice alone, too
few turns or words. A presentation (one voice holds most of the words, in
long turns) is not a partnership conversation either; only its Q&A at the end
is judged, and only if there is enough of it. The thresholds are the
``[judge]`` section of the scoring config.
"""

from __future__ import annotations

from collections import Counter

from ..language import detect_language
from ..model import Transcript
from ..readers import UNKNOWN_SPEAKER
from .card import SCORED, Assessment
from .config import JudgeConfig


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(seconds)
    return f" from {s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _qa_start(transcript: Transcript, presenter: str, judge: JudgeConfig) -> int:
    """Where the Q&A begins: the start of the longest stretch at the end in which
    the presenter holds at most ``qa_presenter_share`` of the words (the
    meeting's length when there is none)."""
    utterances = transcript.utterances
    start = len(utterances)
    theirs = total = 0
    for i in range(len(utterances) - 1, -1, -1):
        u = utterances[i]
        total += u.words
        theirs += u.words if u.speaker == presenter else 0
        if total and theirs / total <= judge.qa_presenter_share:
            start = i
    return start


def assess_transcript(transcript: Transcript, judge: JudgeConfig) -> Assessment:
    """Whether (and on which part) ``transcript`` can be scored."""
    utterances = transcript.utterances
    words: Counter[str] = Counter()
    for u in utterances:
        words[u.speaker] += u.words
    total = sum(words.values())

    language = detect_language([u.text for u in utterances])
    code = language.code if language else None
    if language is not None and not language.english:
        return Assessment(
            scored=False,
            scope="none",
            reason="not_english",
            language=code,
            message=f"the transcript reads as {language.name} ({language.code}); "
            "transcript-lens judges meetings in English only",
        )

    unnamed = words[UNKNOWN_SPEAKER] / total if total else 0.0
    if unnamed > judge.unnamed_share or (not total and UNKNOWN_SPEAKER in words):
        return Assessment(
            scored=False,
            scope="none",
            reason="no_speaker_names",
            language=code,
            message=f"{unnamed:.0%} of the words have no speaker name, so who said what "
            "cannot be told apart; add names to the transcript or map the voices with --speakers",
        )

    named = [s for s in words if s != UNKNOWN_SPEAKER]
    if len(named) < 2:
        who = f" ({named[0]})" if named else ""
        return Assessment(
            scored=False,
            scope="none",
            reason="one_speaker",
            language=code,
            message=f"only one speaker{who}; a partnership needs at least two voices",
        )

    if len(utterances) < judge.min_turns or total < judge.min_words:
        return Assessment(
            scored=False,
            scope="none",
            reason="too_short",
            language=code,
            message=f"{len(utterances)} turns and {total} words are too few to judge "
            f"(at least {judge.min_turns} turns and {judge.min_words} words)",
        )

    presenter, held = words.most_common(1)[0]
    long_words = sum(
        u.words for u in utterances if u.speaker == presenter and u.words >= judge.long_turn_words
    )
    if held / total >= judge.presentation_share and long_words >= judge.long_turn_share * held:
        start = _qa_start(transcript, presenter, judge)
        qa = utterances[start:]
        qa_words = sum(u.words for u in qa)
        what = (
            f"a presentation: {presenter} holds {held / total:.0%} of the words, "
            "mostly in long turns"
        )
        if len(qa) >= judge.qa_min_turns and qa_words >= judge.qa_min_words:
            return Assessment(
                scored=True,
                scope="q_and_a",
                reason="presentation",
                language=code,
                presenter=presenter,
                scored_from=qa[0].id,
                message=f"{what}; only its Q&A{_clock(qa[0].start)} ({len(qa)} turns, "
                f"{qa_words} words) is judged",
            )
        found = f"its Q&A has {len(qa)} turns and {qa_words} words" if qa else "it has no Q&A"
        return Assessment(
            scored=False,
            scope="none",
            reason="presentation",
            language=code,
            presenter=presenter,
            message=f"{what}; {found}, too little to judge (at least "
            f"{judge.qa_min_turns} turns and {judge.qa_min_words} words)",
        )

    return SCORED.model_copy(update={"language": code})
