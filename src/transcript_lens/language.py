"""Which language a transcript is in, found locally.

transcript-lens reads English only. Most meetings it sees are English, and
those are recognised by their function words alone ("the", "and", "we",
"that" ...), which costs nothing. Anything else goes to py3langid (a
maintained fork of langid.py, BSD-3-Clause), whose model ships inside the
package: nothing is fetched, and it is loaded only when the quick check is not
sure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

#: Frequent English function words: in English speech (disfluent or not) they
#: are a third or more of the words; in other languages a few per cent.
_ENGLISH = frozenset(
    """a about all also an and are as at be because been but by can could did do
    does don't for from had has have he her his how i i'm if in is it it's just
    know like me my no not of on or our she so than that that's the their them
    then there they think this to uh um was we we're well were what when which
    who will with would yeah yes you your""".split()
)

#: Share of function words above which a text is English without asking the model.
SURE_ENGLISH = 0.25

#: How much text the model reads: an even sample of this many characters.
SAMPLE_CHARS = 6000

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")

#: Names for the codes py3langid gives, for the message a user reads.
_NAMES = {
    "ar": "Arabic",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "es": "Spanish",
    "fi": "Finnish",
    "fr": "French",
    "he": "Hebrew",
    "hi": "Hindi",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "nb": "Norwegian",
    "nl": "Dutch",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sv": "Swedish",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "vi": "Vietnamese",
    "zh": "Chinese",
}


@dataclass(frozen=True)
class Language:
    """A detected language: its ISO 639-1 code and how it was found."""

    code: str
    #: "function words" (the quick check) or "py3langid".
    method: str
    #: The model's probability (1.0 for the quick check).
    confidence: float

    @property
    def name(self) -> str:
        return _NAMES.get(self.code, "English" if self.code == "en" else self.code)

    @property
    def english(self) -> bool:
        return self.code == "en"


def english_share(text: str) -> float:
    """Share of the words of ``text`` that are English function words."""
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return 0.0
    return sum(w in _ENGLISH for w in words) / len(words)


def _sample(texts: Sequence[str], limit: int = SAMPLE_CHARS) -> str:
    """About ``limit`` characters of the texts, taken evenly through the meeting."""
    total = sum(len(t) for t in texts)
    stride = max(1, total // limit)
    return " ".join(texts[::stride])[:limit]


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(texts: Sequence[str]) -> Language | None:
    """The language of a transcript's turns, or None when there are no words."""
    sample = _sample([t for t in texts if t.strip()])
    if not _WORD.search(sample):
        return None
    if english_share(sample) >= SURE_ENGLISH:
        return Language("en", "function words", 1.0)
    code, probability = _identifier().classify(sample)
    return Language(str(code), "py3langid", round(float(probability), 3))
