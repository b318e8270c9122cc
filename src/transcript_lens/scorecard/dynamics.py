"""Partnership in the exchanges: what followed each dissent and purpose question.

Works on the scorecard's labelled utterances in meeting order, so the section
can be recomputed from a stored scorecard. Word lists and patterns live in
``data/dynamics.toml``; everything here is a deterministic reading of the
labels and the words, and nothing (an owner, a date) is inferred that the
transcript does not say.

Dissent outcomes, for each dissent within the next ``window`` turns:

- ``silenced``: another speaker's turn is labelled silencing;
- ``lost_voice``: the dissenter's own later turn is labelled resignation;
  besides the outcome, ``resigned`` quotes the dissenter's resignation in
  their next ``own_turns`` turns (up to ``voice_turns`` turns on), so
  "silenced, and then gave up" shows whole;
- ``answered``: another speaker engaged with it: the first reply by someone
  else that is not a backchannel, or a later reply that asks a question,
  carries a positive label or shares a content word with the dissent;
- ``unanswered``: none of these.

They are listed by precedence: silencing is what the meeting did to the
dissent, so it is reported even when the dissenter then gave up (that
resignation is still a flag) or someone had replied first; a reply does not
undo either. A turn labelled both dissent and silencing ("No. This isn't up
for discussion.") is not counted as a dissent: its "no" overrides someone
else's voice rather than raising one.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources

from .card import (
    Commitment,
    DissentExchange,
    DissentOutcome,
    Dynamics,
    LabelledUtterance,
    PurposeQuestion,
    Quote,
)

OUTCOMES: tuple[DissentOutcome, ...] = ("answered", "silenced", "lost_voice", "unanswered")

_TOKEN = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


@dataclass(frozen=True)
class DynamicsRules:
    """The contents of ``data/dynamics.toml``, ready to match."""

    version: str
    window: int
    own_turns: int
    voice_turns: int
    openers: frozenset[str]
    wh_words: frozenset[str]
    embedded_subjects: frozenset[str]
    wh_need_auxiliary: frozenset[str]
    auxiliaries: frozenset[str]
    person_subjects: frozenset[str]
    other_subjects: frozenset[str]
    imperative_auxiliaries: frozenset[str]
    backchannels: tuple[tuple[str, ...], ...]
    engaging_labels: frozenset[str]
    min_word_length: int
    stopwords: frozenset[str]
    speaker_owner: tuple[re.Pattern[str], ...]
    we_owner: tuple[re.Pattern[str], ...]
    disowning: tuple[re.Pattern[str], ...]
    named_verbs: tuple[str, ...]
    deadline: tuple[re.Pattern[str], ...]
    when: tuple[re.Pattern[str], ...]
    future: tuple[re.Pattern[str], ...]
    counterfactual: tuple[re.Pattern[str], ...]


def _compile(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


@functools.cache
def load_rules() -> DynamicsRules:
    """The shipped word lists and patterns (read once)."""
    text = resources.files("transcript_lens").joinpath("data/dynamics.toml").read_text("utf-8")
    data = tomllib.loads(text)
    q, r, c, d = data["questions"], data["replies"], data["commitments"], data["deadlines"]
    phrases = {tuple(tokens(p)) for p in r["backchannels"]}
    return DynamicsRules(
        version=data["version"],
        window=int(data["window"]["turns"]),
        own_turns=int(data["window"]["own_turns"]),
        voice_turns=int(data["window"]["voice_turns"]),
        openers=frozenset(q["openers"]),
        wh_words=frozenset(q["wh_words"]),
        embedded_subjects=frozenset(q["embedded_subjects"]),
        wh_need_auxiliary=frozenset(q["wh_need_auxiliary"]),
        auxiliaries=frozenset(q["auxiliaries"]),
        person_subjects=frozenset(q["person_subjects"]),
        other_subjects=frozenset(q["other_subjects"]),
        imperative_auxiliaries=frozenset(q["imperative_auxiliaries"]),
        # Longest first, so "all right" is taken whole before "right".
        backchannels=tuple(sorted(phrases, key=lambda p: (-len(p), p))),
        engaging_labels=frozenset(r["engaging_labels"]),
        min_word_length=int(r["min_word_length"]),
        stopwords=frozenset(r["stopwords"]),
        speaker_owner=_compile(c["speaker"]),
        we_owner=_compile(c["we"]),
        disowning=_compile(c["disowning"]),
        named_verbs=tuple(c["named_verbs"]),
        deadline=_compile(d["deadline"]),
        when=_compile(d["when"]),
        future=_compile(d["future"]),
        counterfactual=_compile(d["counterfactual"]),
    )


def _normal(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u2018", "'")


def tokens(text: str) -> list[str]:
    """Lower-case words, keeping contractions and hyphenated words whole."""
    return _TOKEN.findall(_normal(text).lower())


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def _opens_question(sentence: str, rules: DynamicsRules) -> bool:
    words = tokens(sentence)
    i = 0
    while i < len(words) and words[i] in rules.openers:
        i += 1
    if i >= len(words):
        return False
    first, following = words[i], words[i + 1] if i + 1 < len(words) else ""
    base = first.split("'")[0]
    if base in rules.wh_words:
        # "what's the goal" asks; "what I mean is" does not.
        return first != base or following not in rules.embedded_subjects
    if first in rules.wh_need_auxiliary:
        return following in rules.auxiliaries
    if first in rules.auxiliaries:
        if following in rules.person_subjects:
            return True
        return first not in rules.imperative_auxiliaries and following in rules.other_subjects
    return False


def _question_sentences(text: str, rules: DynamicsRules) -> list[bool]:
    # A transcript that marks questions is trusted; one without any "?" in the
    # turn may be unpunctuated ASR, so the opening words decide.
    marked = "?" in text
    return [s.endswith("?") or (not marked and _opens_question(s, rules)) for s in _sentences(text)]


def is_question(text: str, rules: DynamicsRules | None = None) -> bool:
    """Whether the turn asks something: a "?", or (without one) an interrogative opening."""
    rules = rules or load_rules()
    return any(_question_sentences(text, rules))


def _only_questions(text: str, rules: DynamicsRules) -> bool:
    marks = _question_sentences(text, rules)
    return bool(marks) and all(marks)


def is_backchannel(
    text: str, rules: DynamicsRules | None = None, names: frozenset[str] = frozenset()
) -> bool:
    """Whether the turn is only listening noises ("okay", "mm-hmm", "got it, thanks").

    ``names`` are extra words allowed in one, so "Thanks, Megan." is a backchannel.
    """
    rules = rules or load_rules()
    words = tokens(text)
    i = 0
    while i < len(words):
        if words[i] in names:
            i += 1
            continue
        for phrase in rules.backchannels:
            if tuple(words[i : i + len(phrase)]) == phrase:
                i += len(phrase)
                break
        else:
            return False
    return True


def quote(u: LabelledUtterance) -> Quote:
    """The utterance as a quote: id, speaker, start and text."""
    return Quote(utterance_id=u.id, speaker=u.speaker, start=u.start, text=u.text)


def _content_words(text: str, rules: DynamicsRules) -> set[str]:
    return {w for w in tokens(text) if len(w) >= rules.min_word_length and w not in rules.stopwords}


def _too_slight(text: str, rules: DynamicsRules) -> bool:
    """One short word and nothing else: a cut-off ("Th"), a bare "No.", not an answer."""
    return len(tokens(text)) < 2 and not _content_words(text, rules)


def _name_words(speakers: Iterable[str]) -> frozenset[str]:
    return frozenset(w for s in speakers for w in tokens(s))


def _dissent_outcome(
    utterances: Sequence[LabelledUtterance],
    index: int,
    window: int,
    rules: DynamicsRules,
    names: frozenset[str],
) -> DissentExchange:
    dissent = utterances[index]
    following = utterances[index + 1 : index + 1 + window]
    others = [u for u in following if u.speaker != dissent.speaker]
    silencing = next((u for u in others if "silencing" in u.labels), None)
    resignation = next(
        (u for u in following if u.speaker == dissent.speaker and "resignation" in u.labels),
        None,
    )
    own = [
        u
        for u in utterances[index + 1 : index + 1 + max(window, rules.voice_turns)]
        if u.speaker == dissent.speaker
    ][: rules.own_turns]
    gave_up = next((u for u in own if "resignation" in u.labels), None)
    words = _content_words(dissent.text, rules)
    answer = None
    for position, u in enumerate(others):
        if is_backchannel(u.text, rules, names):
            continue
        if _too_slight(u.text, rules) and not is_question(u.text, rules):
            continue
        if (
            position == 0
            or is_question(u.text, rules)
            or rules.engaging_labels & set(u.labels)
            or words & _content_words(u.text, rules)
        ):
            answer = u
            break
    outcome: DissentOutcome
    response: LabelledUtterance | None
    if silencing is not None:
        outcome, response = "silenced", silencing
    elif resignation is not None:
        outcome, response = "lost_voice", resignation
    elif answer is not None:
        outcome, response = "answered", answer
    else:
        outcome, response = "unanswered", None
    return DissentExchange(
        dissent=quote(dissent),
        outcome=outcome,
        response=quote(response) if response is not None else None,
        resigned=quote(gave_up) if gave_up is not None else None,
    )


def _purpose_answer(
    utterances: Sequence[LabelledUtterance],
    index: int,
    window: int,
    rules: DynamicsRules,
    names: frozenset[str],
) -> LabelledUtterance | None:
    asker = utterances[index].speaker
    for u in utterances[index + 1 : index + 1 + window]:
        if u.speaker == asker or is_backchannel(u.text, rules, names):
            continue
        if _only_questions(u.text, rules) or _too_slight(u.text, rules):
            continue
        return u
    return None


def _named_owners(
    speakers: Sequence[str], rules: DynamicsRules
) -> list[tuple[re.Pattern[str], str]]:
    """A pattern per way of naming each speaker as the subject, with the speaker it names."""
    verbs = "|".join(
        re.escape(v) if v.startswith("'") else r"\s+" + r"\s+".join(map(re.escape, v.split()))
        for v in rules.named_verbs
    )
    firsts = [s.split()[0] for s in speakers if s.split()]
    out = []
    for speaker in speakers:
        forms = [speaker]
        first = speaker.split()[0] if speaker.split() else ""
        if first and first != speaker and firsts.count(first) == 1:
            forms.append(first)
        for form in forms:
            name = re.escape(_normal(form))
            out.append((re.compile(rf"\b{name}(?:{verbs})\b", re.IGNORECASE), speaker))
    return out


def _owner(
    u: LabelledUtterance,
    named: Sequence[tuple[re.Pattern[str], str]],
    rules: DynamicsRules,
) -> str | None:
    text = _normal(u.text)
    disowned = [m.span() for p in rules.disowning for m in p.finditer(text)]
    candidates = [(p, u.speaker) for p in rules.speaker_owner]
    candidates += [(p, "we") for p in rules.we_owner]
    candidates += named
    found: list[tuple[int, int, str]] = []
    for order, (pattern, who) in enumerate(candidates):
        for m in pattern.finditer(text):
            if not any(a <= m.start() and m.end() <= b for a, b in disowned):
                found.append((m.start(), order, who))
                break
    # The earliest statement in the turn names the owner.
    return min(found)[2] if found else None


def _due(text: str, rules: DynamicsRules) -> str | None:
    text = _normal(text)
    found: list[tuple[int, int, str]] = []
    offset = 0
    for sentence in _sentences(text):
        start = text.find(sentence, offset)
        offset = start + len(sentence)
        if any(p.search(sentence) for p in rules.counterfactual):
            continue
        committed = any(p.search(sentence) for p in rules.future)
        for p in rules.deadline + (rules.when if committed else ()):
            for m in p.finditer(sentence):
                # The earliest phrase wins; of two starting together, the longer.
                found.append((start + m.start(), -len(m.group(0)), m.group(0)))
    return min(found)[2] if found else None


def commitments(
    utterances: Sequence[LabelledUtterance], rules: DynamicsRules | None = None
) -> list[Commitment]:
    """Every ownership statement as an action item, with its owner and due date as stated."""
    rules = rules or load_rules()
    speakers = list(dict.fromkeys(u.speaker for u in utterances))
    named = _named_owners(speakers, rules)
    return [
        Commitment(
            quote=quote(u),
            made_by=u.speaker,
            owner=_owner(u, named, rules),
            due=_due(u.text, rules),
        )
        for u in utterances
        if "ownership" in u.labels
    ]


def analyze_dynamics(
    utterances: Sequence[LabelledUtterance], *, window: int | None = None
) -> Dynamics:
    """The Dynamics section of a meeting from its labelled utterances, in meeting order.

    ``window`` (turns after a dissent or purpose question that can answer it)
    defaults to ``[window] turns`` in ``data/dynamics.toml``.
    """
    rules = load_rules()
    window = rules.window if window is None else window
    names = _name_words(u.speaker for u in utterances)
    exchanges = [
        _dissent_outcome(utterances, i, window, rules, names)
        for i, u in enumerate(utterances)
        if "dissent" in u.labels and "silencing" not in u.labels
    ]
    questions = []
    for i, u in enumerate(utterances):
        if "purpose" in u.labels and is_question(u.text, rules):
            answer = _purpose_answer(utterances, i, window, rules, names)
            questions.append(
                PurposeQuestion(
                    question=quote(u), answer=quote(answer) if answer is not None else None
                )
            )
    counts = {outcome: 0 for outcome in OUTCOMES}
    for exchange in exchanges:
        counts[exchange.outcome] += 1
    return Dynamics(
        dissent=exchanges,
        outcomes=counts,
        purpose_questions=questions,
        commitments=commitments(utterances, rules),
    )
