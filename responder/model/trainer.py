"""Fine-tune the triage model on labelled comments; pick flag thresholds and temperatures on dev.

Ordinary real text (news, encyclopedia, everyday sentences: no risk for an organisation) can join
the training as flag negatives without other labels, and sets the flag thresholds: a threshold
is the best on dev among those that raise the flag on at most ``max_false_alarm`` of ordinary
texts, because in real traffic flags are rare and a P1 storm makes a team switch the tool off.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn

from responder.model.augment import augment
from responder.model.modeling import TriageConfig, TriageModel, encoder_layers
from responder.model.training_args import TrainingArgs

UNLABELLED = -100
"""Target of a head that a row has no label for (ordinary text has only its flags: none)."""


@dataclass
class Encoded:
    """Labelled comments as arrays: one index per single-label head (``UNLABELLED`` where a row
    has no label for it), a 0/1 row per flag."""

    texts: list[str]
    targets: dict[str, NDArray[np.int64]]
    flags: NDArray[np.float32]

    @classmethod
    def from_rows(cls, rows: Sequence[dict[str, Any]], config: TriageConfig) -> Encoded:
        targets = {
            head: np.asarray(
                [names.index(r[head]) if r.get(head) else UNLABELLED for r in rows], dtype=np.int64
            )
            for head, names in config.labels.items()
        }
        flags = np.zeros((len(rows), len(config.flags)), dtype=np.float32)
        for i, r in enumerate(rows):
            for f in r["flags"]:
                flags[i, config.flags.index(f)] = 1.0
        return cls([r["text"] for r in rows], targets, flags)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


def batches(n: int, lengths: Sequence[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length: less padding, same randomness for the same seed."""
    order = list(range(n))
    rng.shuffle(order)
    pool = batch_size * 20
    batches: list[list[int]] = []
    for start in range(0, n, pool):
        chunk = sorted(order[start : start + pool], key=lambda i: lengths[i])
        batches += [chunk[j : j + batch_size] for j in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def train(
    args: TrainingArgs,
    train_rows: Sequence[dict[str, Any]],
    dev_rows: Sequence[dict[str, Any]],
    base_model_path: Path,
    progress: Callable[[int, int, float], None] | None = None,
    ordinary: Sequence[str] = (),
) -> tuple[TriageModel, dict[str, Any]]:
    """Train and calibrate; returns the model and a log (loss per epoch, seconds). ``ordinary``
    texts are split: ``args.ordinary_negatives`` of them train the flags as negatives, the rest
    calibrate the flag thresholds."""
    seed_everything(args.seed)
    config = TriageConfig(
        base_model=args.base_model, max_length=args.max_length, pooling=args.pooling
    )
    model = TriageModel.from_base(base_model_path, config)
    rows = list(train_rows)
    if args.max_train_examples and len(rows) > args.max_train_examples:
        rows = random.Random(args.seed).sample(rows, args.max_train_examples)
    negatives, calibration = split_ordinary(ordinary, args.ordinary_negatives, args.seed)
    rows += [{"text": t, "flags": []} for t in negatives]
    data = Encoded.from_rows(rows, config)
    if args.freeze_embeddings:
        model.encoder.get_input_embeddings().weight.requires_grad_(False)
    if args.freeze_layers:
        for layer in encoder_layers(model)[: args.freeze_layers]:
            layer.requires_grad_(False)

    head_params = list(model.heads.parameters())
    encoder_params = [p for p in model.encoder.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(
        [
            {"params": encoder_params, "lr": args.learning_rate},
            {"params": head_params, "lr": args.head_learning_rate},
        ],
        weight_decay=args.weight_decay,
    )
    rng = random.Random(args.seed)
    noise_rng = random.Random(args.seed + 1)  # its own stream: the batches stay the same
    lengths = [len(t) for t in data.texts]
    steps_per_epoch = math.ceil(len(rows) / args.batch_size)
    total = steps_per_epoch * args.epochs
    warmup = max(1, int(total * args.warmup_ratio))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup)))
    )
    ce = nn.CrossEntropyLoss(label_smoothing=args.label_smoothing, ignore_index=UNLABELLED)
    bce = nn.BCEWithLogitsLoss(pos_weight=_flag_pos_weight(data.flags))
    # BCE averages over the flags; scale it so each flag weighs as much as one softmax head.
    flag_weight = float(len(config.flags))
    log: dict[str, Any] = {
        "epochs": [],
        "train_examples": len(rows),
        "ordinary_negatives": len(negatives),
        "ordinary_calibration": len(calibration),
        "steps": total,
    }
    started = time.monotonic()
    step = 0
    for epoch in range(args.epochs):
        model.train()
        losses = []
        for batch in batches(len(rows), lengths, args.batch_size, rng):
            texts = augment([data.texts[i] for i in batch], args.augment, noise_rng)
            inputs = model.encode(texts)
            out = model(**inputs)
            loss = flag_weight * bce(out["flags"], torch.from_numpy(data.flags[batch]))
            for head in config.labels:
                target = torch.from_numpy(data.targets[head][batch])
                if bool((target != UNLABELLED).any()):  # a batch of ordinary text only has flags
                    loss = loss + ce(out[head], target)
            losses.append(update(loss, model.parameters(), optimizer, scheduler))
            step += 1
            if progress:
                progress(step, total, float(np.mean(losses[-20:])))
        log["epochs"].append({"epoch": epoch + 1, "loss": round(float(np.mean(losses)), 4)})
    log["train_seconds"] = round(time.monotonic() - started, 1)
    model.eval()
    caps = {f: args.cap_for(f) for f in config.flags}
    log["thresholds"] = calibrate(model, dev_rows, calibration, caps, args.flag_beta)
    model.config.label_bias = prior_bias(data.targets, config.labels, args.prior_correction)
    log["label_bias"] = model.config.label_bias
    return model, log


def prior_bias(
    targets: Mapping[str, NDArray[np.int64]],
    labels: Mapping[str, Sequence[str]],
    strength: Mapping[str, float],
) -> dict[str, list[float]]:
    """Per head in ``strength``, the log-bias that divides ``strength`` of the training label
    prior out of its probabilities: ``-strength * log(share of the label)``, shifted so that the
    biases average zero. Unlabelled rows (ordinary text) do not count; a label never seen counts
    as seen once."""
    unknown = sorted(set(strength) - set(labels))
    if unknown:
        raise ValueError(f"prior_correction names unknown heads {unknown}; known: {sorted(labels)}")
    out: dict[str, list[float]] = {}
    for head, power in strength.items():
        if head not in targets or power == 0:
            continue
        seen = targets[head][targets[head] != UNLABELLED]
        counts = np.bincount(seen, minlength=len(labels[head])).astype(np.float64)
        counts = np.maximum(counts, 1.0)
        bias = -power * np.log(counts / counts.sum())
        out[head] = [round(float(b), 4) for b in bias - bias.mean()]
    return out


def split_ordinary(texts: Sequence[str], negatives: int, seed: int) -> tuple[list[str], list[str]]:
    """A seeded split of ordinary texts: up to ``negatives`` for training (at most three quarters),
    the rest for calibrating the flag thresholds."""
    order = list(texts)
    random.Random(seed).shuffle(order)
    n = min(negatives, (3 * len(order)) // 4)
    return order[:n], order[n:]


def update(
    loss: torch.Tensor,
    params: Iterable[nn.Parameter],
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
) -> float:
    """One training step: gradients of ``loss`` clipped to norm 1, then the optimiser and the
    learning-rate schedule step. Returns the loss."""
    optimizer.zero_grad()
    loss.backward()  # type: ignore[no-untyped-call]
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    optimizer.step()
    scheduler.step()
    return float(loss.detach())


def _flag_pos_weight(flags: NDArray[np.float32]) -> torch.Tensor:
    """Rare flags weigh more, capped so that a handful of examples cannot dominate."""
    pos = flags.sum(axis=0)
    neg = len(flags) - pos
    return torch.from_numpy(np.clip(neg / np.maximum(pos, 1.0), 1.0, 10.0).astype(np.float32))


def calibrate(
    model: TriageModel,
    dev_rows: Sequence[dict[str, Any]],
    ordinary: Sequence[str] = (),
    max_false_alarm: float | Mapping[str, float] = 1.0,
    beta: float = 1.0,
) -> dict[str, Any]:
    """Per-head temperatures (lowest dev log-loss) and per-flag thresholds: the best dev F1 among
    thresholds that raise the flag on at most ``max_false_alarm`` of the ``ordinary`` texts (one
    cap for every flag, or a cap per flag). Returns, per flag, the threshold with its dev F1 and
    false-alarm rate."""
    if not dev_rows:
        return {}
    data = Encoded.from_rows(list(dev_rows), model.config)
    # Fitted on texts read whole: which long texts are read in pieces depends on the temperature
    # being fitted (TriageConfig.sentence_chunks_below), so the pieces stay out of the fit.
    chunks, model.config.sentence_chunks = model.config.sentence_chunks, 0
    try:
        logits = model.logits(data.texts)
    finally:
        model.config.sentence_chunks = chunks
    temperatures = np.linspace(0.5, 3.0, 26)
    for head in model.config.labels:
        model.config.temperatures[head] = float(
            min(temperatures, key=lambda t: _nll(logits[head] / t, data.targets[head]))
        )
    probs = _sigmoid(logits["flags"])
    background = _sigmoid(model.logits(list(ordinary))["flags"]) if ordinary else None
    chosen: dict[str, Any] = {}
    for j, flag in enumerate(model.config.flags):
        rates = None if background is None else background[:, j]
        cap = (
            max_false_alarm
            if isinstance(max_false_alarm, int | float)
            else max_false_alarm.get(flag, 1.0)
        )
        threshold, score, far = best_threshold(probs[:, j], data.flags[:, j], rates, cap, beta)
        model.config.flag_thresholds[flag] = threshold
        chosen[flag] = {"threshold": threshold, "dev_f_beta": round(score, 4), "false_alarm": far}
    return chosen


def _sigmoid(logits: NDArray[np.float32]) -> NDArray[np.float32]:
    return (1.0 / (1.0 + np.exp(-logits))).astype(np.float32)


def _nll(logits: NDArray[np.float32], target: NDArray[np.int64]) -> float:
    shifted = logits - logits.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(len(target)), target].mean())


THRESHOLDS = np.round(
    np.concatenate([np.arange(0.10, 0.90, 0.05), np.arange(0.90, 0.996, 0.01)]), 2
)


def best_threshold(
    probs: NDArray[np.float32],
    truth: NDArray[np.float32],
    ordinary: NDArray[np.float32] | None = None,
    max_false_alarm: float = 1.0,
    beta: float = 1.0,
) -> tuple[float, float, float | None]:
    """(threshold, dev F-beta, false-alarm rate on ``ordinary``): the best F-beta on dev among
    the thresholds whose false-alarm rate is within ``max_false_alarm`` (the lowest rate when
    none is); 0.5 when dev has no positives and nothing else constrains it. ``beta`` > 1 weighs
    recall more: a missed threat costs more than a second look at a false one."""

    def far(t: float) -> float | None:
        return None if ordinary is None or not len(ordinary) else float((ordinary >= t).mean())

    allowed = [t for t in THRESHOLDS if (far(t) or 0.0) <= max_false_alarm]
    if not allowed:
        allowed = [min(THRESHOLDS, key=lambda t: (far(t) or 0.0, -t))]
    if truth.sum() == 0:
        t = 0.5 if 0.5 in allowed else allowed[0]
        return float(t), 0.0, far(t)
    best, best_f1 = float(allowed[0]), -1.0
    for t in allowed:
        pred = probs >= t
        tp = float((pred & (truth == 1)).sum())
        b2 = beta * beta
        f1 = (1 + b2) * tp / max(1.0, float(pred.sum() + b2 * truth.sum()))
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(t), f1
    rate = far(best)
    return best, best_f1, None if rate is None else round(rate, 4)


def save_trained(model: TriageModel, folder: Path, args: TrainingArgs, log: dict[str, Any]) -> Path:
    import json

    model.save_pretrained(folder)
    args.save(folder)
    (folder / "training_log.json").write_text(json.dumps(log, indent=2), encoding="utf-8")
    return folder


__all__ = ["Encoded", "best_threshold", "calibrate", "save_trained", "train"]
