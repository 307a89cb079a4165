"""Fine-tune the triage model on labelled comments; pick flag thresholds and temperatures on dev."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn

from responder.model.modeling import TriageConfig, TriageModel
from responder.model.training_args import TrainingArgs


@dataclass
class Encoded:
    """Labelled comments as arrays: one index per single-label head, a 0/1 row per flag."""

    texts: list[str]
    targets: dict[str, NDArray[np.int64]]
    flags: NDArray[np.float32]

    @classmethod
    def from_rows(cls, rows: Sequence[dict[str, Any]], config: TriageConfig) -> Encoded:
        targets = {
            head: np.asarray([names.index(r[head]) for r in rows], dtype=np.int64)
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
) -> tuple[TriageModel, dict[str, Any]]:
    """Train and calibrate; returns the model and a log (loss per epoch, seconds)."""
    seed_everything(args.seed)
    config = TriageConfig(
        base_model=args.base_model, max_length=args.max_length, pooling=args.pooling
    )
    model = TriageModel.from_base(base_model_path, config)
    rows = list(train_rows)
    if args.max_train_examples and len(rows) > args.max_train_examples:
        rows = random.Random(args.seed).sample(rows, args.max_train_examples)
    data = Encoded.from_rows(rows, config)
    if args.freeze_embeddings:
        model.encoder.get_input_embeddings().weight.requires_grad_(False)

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
    lengths = [len(t) for t in data.texts]
    steps_per_epoch = math.ceil(len(rows) / args.batch_size)
    total = steps_per_epoch * args.epochs
    warmup = max(1, int(total * args.warmup_ratio))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup)))
    )
    ce = nn.CrossEntropyLoss(label_smoothing=args.label_smoothing)
    bce = nn.BCEWithLogitsLoss(pos_weight=_flag_pos_weight(data.flags))
    # BCE averages over the flags; scale it so each flag weighs as much as one softmax head.
    flag_weight = float(len(config.flags))
    log: dict[str, Any] = {"epochs": [], "train_examples": len(rows), "steps": total}
    started = time.monotonic()
    step = 0
    for epoch in range(args.epochs):
        model.train()
        losses = []
        for batch in batches(len(rows), lengths, args.batch_size, rng):
            inputs = model.encode([data.texts[i] for i in batch])
            out = model(**inputs)
            loss = sum(
                ce(out[head], torch.from_numpy(data.targets[head][batch])) for head in config.labels
            ) + flag_weight * bce(out["flags"], torch.from_numpy(data.flags[batch]))
            losses.append(update(loss, model.parameters(), optimizer, scheduler))
            step += 1
            if progress:
                progress(step, total, float(np.mean(losses[-20:])))
        log["epochs"].append({"epoch": epoch + 1, "loss": round(float(np.mean(losses)), 4)})
    log["train_seconds"] = round(time.monotonic() - started, 1)
    model.eval()
    calibrate(model, dev_rows)
    return model, log


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


def calibrate(model: TriageModel, dev_rows: Sequence[dict[str, Any]]) -> None:
    """Per-head temperatures (lowest dev log-loss) and per-flag thresholds (best dev F1)."""
    if not dev_rows:
        return
    data = Encoded.from_rows(list(dev_rows), model.config)
    logits = model.logits(data.texts)
    temperatures = np.linspace(0.5, 3.0, 26)
    for head in model.config.labels:
        model.config.temperatures[head] = float(
            min(temperatures, key=lambda t: _nll(logits[head] / t, data.targets[head]))
        )
    probs = (1.0 / (1.0 + np.exp(-logits["flags"]))).astype(np.float32)
    for j, flag in enumerate(model.config.flags):
        model.config.flag_thresholds[flag] = best_threshold(probs[:, j], data.flags[:, j])


def _nll(logits: NDArray[np.float32], target: NDArray[np.int64]) -> float:
    shifted = logits - logits.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(len(target)), target].mean())


def best_threshold(probs: NDArray[np.float32], truth: NDArray[np.float32]) -> float:
    """The threshold in 0.10…0.90 with the best F1; 0.5 when dev has no positives."""
    if truth.sum() == 0:
        return 0.5
    best, best_f1 = 0.5, -1.0
    for t in np.round(np.arange(0.10, 0.91, 0.05), 2):
        pred = probs >= t
        tp = float((pred & (truth == 1)).sum())
        f1 = 2 * tp / max(1.0, float(pred.sum() + truth.sum()))
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(t), f1
    return best


def save_trained(model: TriageModel, folder: Path, args: TrainingArgs, log: dict[str, Any]) -> Path:
    import json

    model.save_pretrained(folder)
    args.save(folder)
    (folder / "training_log.json").write_text(json.dumps(log, indent=2), encoding="utf-8")
    return folder


__all__ = ["Encoded", "best_threshold", "calibrate", "save_trained", "train"]
