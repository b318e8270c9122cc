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
- **A repair is not a shut-down.** "Let's not turn this into who said what.
  I think we both under-planned it; I'll own the forecast." closes a blame
  exchange by answering it: a turn that takes ownership is not silencing,
  unless it forbids disagreement in so many words.
- **Agreement that holds a negation is not dissent.** "I don't disagree.
  May works for us.", "No, that's right", "no objection": unless the turn
  goes on to a contrast ("but", "still", "though"), nobody is saying no.
- **A question about what was meant is not dissent.** "Just so I
  understand, lock it completely or keep an audit trail?" asks; it does
  not refuse.
- **Silencing needs something to silence.** A turn shuts down
  disagreement only if someone else disagreed a few turns before it, or it
  forbids disagreement in so many words ("this isn't up for discussion").
  A firm objection with nothing before it to shut down ("I'd push back on
  that...") is dissent, not silencing, and so is answering back to the
  person who just shut one down.
- **The anti-patterns are read in the conversation (the default classifier).**
  Whether a turn silences, blames or gives up depends on what came before:
  an objection by someone else a few turns back, the turn it answers being
  a shut-down or an accusation, the speaker's own objection earlier. The
  default model's settings hold a small logistic regression per
  anti-pattern over the classifier's own confidence and those features,
  fitted on whole written meetings read turn by turn (the tune part of
  ``data/index/gold.jsonl``) with real meeting turns as negatives at their
  rate (``train_dialogue.py``); it replaces the classifier's decision for
  those three labels. Classifiers without such settings use the two rules
  that follow.
- **Giving up needs a fight to give up.** Resignation is withdrawing after
  one's own objection or after being overruled; "You're fine" over coffee
  at the start of a meeting gives nothing up. Without such a turn before it,
  only explicit wording ("it's all yours", "I'm not going to fight it")
  carries resignation.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from ..labels import ANTI_PATTERNS, LABELS, Label
from ..model import Transcript
from .base import LabelEvidence, UtteranceLabels
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
#: Wording of the three anti-patterns, as inputs to the dialogue stage (never
#: decisions by themselves): giving up ...
_GIVING_UP = re.compile(
    r"\b(?:(?:doesn't|does not|don't|do not) (?:really )?matter what (?:i|we) (?:think|say)|"
    r"(?:it's|it is) (?:your|their|his|her) (?:call|decision|budget|choice|project|signature)|"
    r"whatever (?:you|they) (?:need|want|decide|say)|have it your way|not my call)\b",
    re.I,
)
#: ... a group said always to fail ...
_ALWAYS = re.compile(r"\b(?:always|every (?:single )?time|never|constantly)\b", re.I)
#: ... a topic declared closed ...
_CLOSING = re.compile(
    r"\b(?:let's not|let us not|moving on|move on|next item|decision'?s (?:been )?made|"
    r"decision is made|we've been through|we have been through|been clear|"
    r"not up for|not (?:a )?debate|not reopening|not going back|end of (?:discussion|story)|"
    r"that's final|i'm not asking|not now|drop it|leave it)\b",
    re.I,
)
#: ... and one's own side excused.
_EXCUSING = re.compile(
    r"\b(?:not (?:on )?us|not our (?:fault|problem|side|call|department)|nothing to do with "
    r"(?:us|me|my team|our team)|(?:our|my) side (?:was|is) fine|we did (?:our|what)|"
    r"not my (?:fault|department|problem)|wasn't us|on (?:their|your) side|(?:their|your) fault|"
    r"if (?:they|you|the \w+) had|nobody told us|no one told us|we were never told)\b",
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
_AGREEING = re.compile(
    r"\b(?:(?:i|we)\s+(?:don't|do not)\s+disagree|no\s+(?:problem|worries|objections?|complaints)|"
    r"no,?\s+(?:that's|that is|you're|you are)\s+(?:right|fine|true|correct)|"
    r"(?:can't|cannot)\s+argue\s+with\s+that|not\s+(?:a\s+)?bad\s+idea|"
    r"(?:i'm|i am|we're|we are)\s+not\s+against\s+(?:it|that|this)|"
    r"no\s+argument\s+(?:from|here))\b",
    re.I,
)
_CONTRAST = re.compile(r"\b(?:but|however|though|although|except|unless|still|yet)\b", re.I)
_REASON = re.compile(
    r"\b(?:because|since|the reason|so that|otherwise|if we|data|evidence)\b", re.I
)


#: How many turns back an objection by someone else may be for a turn to silence it.
SILENCE_REACH = 4
#: How many turns back the speaker's own objection, or an overrule by someone
#: else, may be for a turn to be giving up.
RESIGN_REACH = 12
#: A turn counts as an objection when its dissent confidence reaches this
#: (below the label's threshold: a hesitant objection can still be shut down).
OBJECTION_SCORE = 0.15
#: A rule's phrase with this confidence is explicit wording, standing on its own.
EXPLICIT_SCORE = 0.8


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


def _explicit(prediction: UtteranceLabels, label: Label) -> bool:
    """The label rests on a rule's phrase at high confidence: wording that
    carries the act by itself."""
    return prediction.scores.get(label, 0.0) >= EXPLICIT_SCORE and any(
        e.label == label and e.rule.startswith(f"{label}.") for e in prediction.evidence
    )


def _objection(prediction: UtteranceLabels) -> bool:
    score = prediction.scores.get("dissent", 0.0)
    return "dissent" in prediction.labels or score >= OBJECTION_SCORE


def _silences_something(
    utterances: Sequence, predictions: Sequence[UtteranceLabels], i: int
) -> bool:
    speaker = utterances[i].speaker
    answered = next((j for j in range(i - 1, -1, -1) if utterances[j].speaker != speaker), None)
    if answered is not None and "silencing" in predictions[answered].labels:
        return False
    return any(
        utterances[j].speaker != speaker and _objection(predictions[j])
        for j in range(max(0, i - SILENCE_REACH), i)
    )


def _gives_something_up(
    utterances: Sequence, predictions: Sequence[UtteranceLabels], i: int
) -> bool:
    speaker = utterances[i].speaker
    for j in range(max(0, i - RESIGN_REACH), i):
        own = utterances[j].speaker == speaker
        if own and _objection(predictions[j]):
            return True
        if not own and "silencing" in predictions[j].labels:
            return True
    return False


#: The dialogue stage's inputs per turn and anti-pattern, in order.
DIALOGUE_FEATURES = (
    "bias",
    "confidence_logit",
    "explicit",
    "objection_before",
    "answers_silencing",
    "answers_blame",
    "own_objection_before",
    "silencing_before",
    "cut_off",
    "log_content_words",
    "withdrawal_words",
    "always_words",
    "closing_words",
    "excusing_words",
    "question",
)
#: Turns back the dialogue features look: for an objection by someone else,
#: and for the speaker's own objection or a shut-down by someone else.
NEAR, FAR = 4, 12
_FLOOR = -9.2


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def dialogue_rows(
    utterances: Sequence, predictions: Sequence[UtteranceLabels], labels: Sequence[Label]
) -> list[dict[Label, list[float]]]:
    """Per turn, the dialogue stage's inputs for each of ``labels`` (see DIALOGUE_FEATURES)."""
    read: tuple[Label, ...] = ("dissent", "silencing", "blame")
    logits = [{label: _logit(p.scores[label]) for label in (*read, *labels)} for p in predictions]
    rows = []
    for i, (u, p) in enumerate(zip(utterances, predictions, strict=True)):
        speaker, text = u.speaker, u.text
        near = own = others = answers_silencing = answers_blame = _FLOOR
        answered = False
        for j in range(i - 1, max(-1, i - FAR - 1), -1):
            theirs = utterances[j].speaker != speaker
            if theirs and not answered:
                answered = True
                answers_silencing = logits[j]["silencing"]
                answers_blame = logits[j]["blame"]
            if theirs:
                others = max(others, logits[j]["silencing"])
                if j >= i - NEAR:
                    near = max(near, logits[j]["dissent"])
            else:
                own = max(own, logits[j]["dissent"])
        if not answered:
            answered_before = next(
                (j for j in range(i - FAR - 1, -1, -1) if utterances[j].speaker != speaker), None
            )
            if answered_before is not None:
                answers_silencing = logits[answered_before]["silencing"]
                answers_blame = logits[answered_before]["blame"]
        shared = [
            near,
            answers_silencing,
            answers_blame,
            own,
            others,
            1.0 if is_cut_off(text) else 0.0,
            math.log1p(len(content_words(text))),
            1.0 if _WITHDRAWAL.search(text) or _GIVING_UP.search(text) else 0.0,
            1.0 if _ALWAYS.search(text) else 0.0,
            1.0 if _CLOSING.search(text) else 0.0,
            1.0 if _EXCUSING.search(text) else 0.0,
            1.0 if text.rstrip().endswith("?") else 0.0,
        ]
        rows.append(
            {
                label: [
                    1.0,
                    logits[i][label],
                    1.0 if label in p.labels and _explicit(p, label) else 0.0,
                    *shared,
                ]
                for label in labels
            }
        )
    return rows


def reweigh(
    transcript: Transcript, predictions: Sequence[UtteranceLabels], settings: dict[str, Any]
) -> list[UtteranceLabels]:
    """The anti-patterns decided again with the conversation (the dialogue stage).

    A label the stage adds quotes the whole turn; one it keeps keeps its quote.
    A label carried by explicit wording (a rule's phrase at high confidence)
    is always kept.
    """
    decided: dict[Label, list[float]] = settings["weights"]
    rows = dialogue_rows(transcript.utterances, predictions, list(decided))
    out = []
    for p, row in zip(predictions, rows, strict=True):
        scores = dict(p.scores)
        labels = [label for label in p.labels if label not in decided]
        evidence = [e for e in p.evidence if e.label not in decided]
        for label, weights in decided.items():
            x = row[label]
            z = sum(w * v for w, v in zip(weights, x, strict=True))
            scores[label] = round(1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z)))), 4)
            if x[2]:
                # Explicit wording ("this isn't up for discussion") stands on its own.
                scores[label] = max(scores[label], p.scores[label])
            if scores[label] >= settings["thresholds"][label] or x[2]:
                labels.append(label)
                kept = [e for e in p.evidence if e.label == label]
                evidence += kept or [LabelEvidence(label=label, phrase="", rule="dialogue")]
        out.append(
            UtteranceLabels.model_construct(
                labels=sorted(labels, key=LABELS.index), scores=scores, evidence=evidence
            )
        )
    return out


def check_dialogue(settings: dict[str, Any]) -> None:
    """Raise ``ValueError`` when dialogue settings do not fit this code."""
    if tuple(settings.get("features", ())) != DIALOGUE_FEATURES:
        raise ValueError("dialogue features differ from this version's")
    for label, weights in settings["weights"].items():
        if label not in ANTI_PATTERNS or len(weights) != len(DIALOGUE_FEATURES):
            raise ValueError(f"dialogue weights for {label} do not fit")
        float(settings["thresholds"][label])


def refine(
    transcript: Transcript,
    predictions: Sequence[UtteranceLabels],
    dialogue: dict[str, Any] | None = None,
) -> list[UtteranceLabels]:
    """The predictions corrected with the conversation's structure; with
    ``dialogue`` settings (the default model's), the anti-patterns decided by
    the dialogue stage first."""
    by_id = {u.id: i for i, u in enumerate(transcript.utterances)}
    utterances = transcript.utterances
    if dialogue:
        predictions = reweigh(transcript, predictions, dialogue)
    out = list(predictions)
    for i, (u, p) in enumerate(zip(utterances, predictions, strict=True)):
        drop: set[Label] = set()
        if (
            not dialogue
            and "silencing" in p.labels
            and not _explicit(p, "silencing")
            and not _silences_something(utterances, out, i)
        ):
            drop.add("silencing")
        if (
            not dialogue
            and "resignation" in p.labels
            and not _explicit(p, "resignation")
            and not _gives_something_up(utterances, out, i)
        ):
            drop.add("resignation")
        if "silencing" in p.labels and "ownership" in p.labels and not _explicit(p, "silencing"):
            drop.add("silencing")
        if is_cut_off(u.text):
            drop.update(ANTI_PATTERNS)
        if _acknowledgement_only(u.text):
            drop.update(("purpose", "dissent", "candor", *ANTI_PATTERNS))
        elif _ACK_OPENER.match(u.text) and not _WITHDRAWAL.search(u.text):
            drop.add("resignation")
        if u.text.rstrip().endswith("?") and _CLARIFYING.match(u.text):
            drop.add("dissent")
        if _AGREEING.search(u.text) and not _CONTRAST.search(u.text):
            drop.add("dissent")
        if _LIST_ITEM.search(u.text) and not _REFUSAL.search(u.text):
            drop.add("dissent")
        if "dissent" in p.labels:
            if "silencing" in p.labels and "silencing" not in drop:
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
