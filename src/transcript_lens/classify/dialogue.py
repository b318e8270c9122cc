"""Who speaks to whom: corrections that need the conversation, not one utterance.

A classifier reads each turn with the turn before it. Some readings need
more of the conversation than that:

- **An overrule is not dissent.** Someone who shuts down an objection
  ("No. This isn't up for discussion.") is not exercising the right to say
  no; when a turn is silencing, its dissent label goes. Likewise a turn that
  rejects an objection raised against the speaker's own proposal (A
  proposes, B objects, A says no) is the decision being held, not dissent,
  when it gives no reason of its own: a short turn, or one phrased as an
  order.
- **The person cut off is not the silencer.** A turn the speaker could not
  finish carries no anti-pattern of its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..labels import ANTI_PATTERNS, Label
from ..model import Transcript
from .base import UtteranceLabels
from .segment import content_words, is_cut_off

#: Content words at most, for a rejection of an objection to count as a bare overrule.
OVERRULE_WORDS = 12
_ORDER = re.compile(
    r"^(?:\w+,\s*)?(?:just\s+)?(?:do|use|go|make|keep|leave|stick|drop|send|get)\b", re.I
)
_REASON = re.compile(
    r"\b(?:because|since|the reason|so that|otherwise|if we|data|evidence)\b", re.I
)


def _drop(prediction: UtteranceLabels, labels: set[Label]) -> UtteranceLabels:
    if not labels & set(prediction.labels):
        return prediction
    return UtteranceLabels(
        labels=[label for label in prediction.labels if label not in labels],
        scores=prediction.scores,
        evidence=[e for e in prediction.evidence if e.label not in labels],
    )


def _bare_overrule(text: str) -> bool:
    if _REASON.search(text):
        return False
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
    return len(content_words(text)) <= OVERRULE_WORDS or any(_ORDER.match(s) for s in sentences)


def refine(transcript: Transcript, predictions: Sequence[UtteranceLabels]) -> list[UtteranceLabels]:
    """The predictions corrected with the conversation's structure."""
    by_id = {u.id: i for i, u in enumerate(transcript.utterances)}
    utterances = transcript.utterances
    out = list(predictions)
    for i, (u, p) in enumerate(zip(utterances, predictions, strict=True)):
        drop: set[Label] = set()
        if is_cut_off(u.text):
            drop.update(ANTI_PATTERNS)
        if "dissent" in p.labels:
            if "silencing" in p.labels:
                drop.add("dissent")
            elif u.reply_to in by_id:
                j = by_id[u.reply_to]
                objection = utterances[j]
                if "dissent" in predictions[j].labels and objection.reply_to in by_id:
                    proposer = utterances[by_id[objection.reply_to]].speaker
                    if proposer == u.speaker and _bare_overrule(u.text):
                        drop.add("dissent")
        out[i] = _drop(p, drop)
    return out
