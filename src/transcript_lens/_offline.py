"""Keep the model libraries off the network from the moment transcript_lens is imported.

Transcripts are private, and every model transcript-lens uses ships in an
installed package, so nothing ever needs to be fetched. The Hugging Face
libraries would still look things up online (a newer revision, a missing
file) and report usage unless told not to, and they read these variables
once, when they are first imported: so they are set here, on the first
``import transcript_lens``, before any submodule can import them.
``setdefault`` leaves a value the user chose themselves alone.

spaCy, thinc, tokenizers and ONNX Runtime make no network calls when a model
is loaded from an installed package; tests/test_offline.py checks all of it
with the network blocked.
"""

from __future__ import annotations

import os

#: Read by huggingface_hub, transformers, datasets, Ray, and tools honouring DO_NOT_TRACK.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
    "RAY_USAGE_STATS_ENABLED": "0",
}


def set_offline() -> None:
    """Set every variable of :data:`OFFLINE_ENV` the user has not set."""
    for name, value in OFFLINE_ENV.items():
        os.environ.setdefault(name, value)


set_offline()
