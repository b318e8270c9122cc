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
- **An acknowledgement is not an act.** "Okay. Right." holds no proposition:
  it is not dissent, candor, purpose or an anti-pattern. Taking an
  instruction ("Understood. Locked on day five.") is not resignation unless
  the turn also withdraws or vents ("fine", "whatever", "up to you").
- **Setting out one's own list is not dissent.** A numbered item of the
  speaker's own requirements or instructions ("Number one, the dashboard
  needs to show value by region, not by rep."; "Twelve, I want a weekly
  email.") says what the speaker wants; unless it also refuses or objects
  in so many words, it is not saying no to anyone.
- **A question about what was meant is not dissent.** "Just so I
  understand, lock it completely or keep an audit trail?" asks; it does
  not refuse.
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
#: Words that acknowledge and do nothing else.
_ACK_WORDS = frozenset(
    "okay ok k right yeah yes yep yup sure understood noted alright all got it mm hmm "
    "mhm uh huh uh-huh mm-hmm cool great good thanks thank you".split()
)
_ACK_OPENER = re.compile(
    r"^\W*(?:okay|ok|understood|got it|noted|sure|will do|yes|yep|of course|no problem|"
    r"sounds good|absolutely|certainly|makes sense)\b",
    re.I,
)
#: What turns taking an instruction into giving up: venting or withdrawing.
_WITHDRAWAL = re.compile(
    r"\b(?:fine|whatever|up to you|your call|your decision|all yours|give up|gave up|"
    r"doesn't matter|does not matter|why bother|not worth|i'm out|stepping back|"
    r"stop(?:ped)? (?:fighting|pushing|arguing)|no point|don't care|lost the will|"
    r"if that's what you want|as you wish|i guess|"
    r"(?:not|n't) (?:going to |gonna )?(?:fight|argue|push|raise))\b",
    re.I,
)
_CLARIFYING = re.compile(
    r"^\W*(?:(?:just\s+)?so\s+i\s+understand|(?:just\s+)?to\s+clarify|"
    r"(?:just\s+)?to\s+be\s+clear|(?:so\s+)?(?:do|did)\s+you\s+mean|so\s+you\s+mean|"
    r"when\s+you\s+say)\b",
    re.I,
)
_NUMBER = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,2})"
#: "Number one, ...", "point two", or a sentence opening "Twelve, I want ...".
_LIST_ITEM = re.compile(
    rf"\b(?:number|point|item)\s+{_NUMBER}\b|(?:^|[.!?]\s+){_NUMBER},\s+(?:i|we)\s+"
    r"(?:want|need)\b",
    re.I,
)
#: The speaker refusing or objecting in so many words, which a list item may still do.
_REFUSAL = re.compile(
    r"\b(?:i|we)\s+(?:disagree|object|won't|will not|can't|cannot|don't think|do not think|"
    r"(?:am|are|'m|'re)\s+not\s+going\s+to)\b|\b(?:against|no way)\b|"
    r"(?:isn't|is not|not) realistic|^\W*no\b",
    re.I,
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


def _acknowledgement_only(text: str) -> bool:
    words = re.findall(r"[a-z][a-z'-]*", text.lower())
    return bool(words) and all(w in _ACK_WORDS for w in words)


def refine(transcript: Transcript, predictions: Sequence[UtteranceLabels]) -> list[UtteranceLabels]:
    """The predictions corrected with the conversation's structure."""
    by_id = {u.id: i for i, u in enumerate(transcript.utterances)}
    utterances = transcript.utterances
    out = list(predictions)
    for i, (u, p) in enumerate(zip(utterances, predictions, strict=True)):
        drop: set[Label] = set()
        if is_cut_off(u.text):
            drop.update(ANTI_PATTERNS)
        if _acknowledgement_only(u.text):
            drop.update(("purpose", "dissent", "candor", *ANTI_PATTERNS))
        elif _ACK_OPENER.match(u.text) and not _WITHDRAWAL.search(u.text):
            drop.add("resignation")
        if u.text.rstrip().endswith("?") and _CLARIFYING.match(u.text):
            drop.add("dissent")
        if _LIST_ITEM.search(u.text) and not _REFUSAL.search(u.text):
            drop.add("dissent")
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
