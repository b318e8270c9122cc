"""How a meeting and an analysis of it are known.

- ``content_hash``: the bytes of one file (a resumed batch skips a file whose
  bytes it has seen).
- ``fingerprint``: the spoken words, so the same meeting exported as VTT and
  as text is one meeting (the store's ``meetings`` row).
- ``analysis_key``: one meeting analyzed with one classifier and one scoring
  (people map, coach and redaction included); the store keeps each once.
"""

from __future__ import annotations

import hashlib
import re

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fingerprint(words_of_turns: list[str]) -> str:
    """The same meeting exported twice (VTT and text, say) has the same fingerprint.

    It hashes the spoken words in order, lower-cased and without punctuation,
    so it ignores the format, timings, how cues were split into turns and
    how speaker names were written.
    """
    digest = hashlib.sha256()
    for text in words_of_turns:
        for word in _WORD.findall(text.lower()):
            digest.update(word.encode("utf-8"))
            digest.update(b" ")
    return digest.hexdigest()


def analysis_key(fingerprint_hex: str, classifier: str, scoring: str) -> str:
    """One meeting, one classifier version, one scoring version."""
    return hashlib.sha256(f"{fingerprint_hex}|{classifier}|{scoring}".encode()).hexdigest()
