"""A shallower copy of a trained triage model that gives the same answers, for batch speed.

The triage encoder has 12 layers; labelling time is almost all spent in them. A student with
fewer layers is built from the teacher itself:

1. **Which layers go** is measured, not guessed: one layer at a time, the layer whose removal
   changes the teacher's head outputs least on the dev split is dropped (greedy).
2. **The student learns to be the teacher** (knowledge distillation): on the train comments,
   and on pairs of them joined into one longer comment (exports hold long posts too), it is
   trained to reproduce the teacher's pooled encoder output and its head outputs. The heads,
   temperatures and flag thresholds are the teacher's and stay frozen, so the student's answers
   mean the same as the teacher's. No labels are used: the target is the teacher, not the data.

``responder model optimise --layers N`` runs this before trimming the vocabulary; the model card
then compares the student's test-split macro-F1 with the teacher's.
"""

from __future__ import annotations

import copy
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn

from responder.errors import InputError
from responder.model.modeling import TriageModel, encoder_layers
from responder.model.trainer import batches, seed_everything, update

Progress = Callable[[int, int, float], None]


@dataclass
class DistilArgs:
    layers: int = 10
    epochs: int = 2
    batch_size: int = 16
    learning_rate: float = 1e-4
    warmup_ratio: float = 0.1
    temperature: float = 2.0
    seed: int = 13
    pairs: float = 1.0
    """How many joined pairs of train comments to add, as a share of the train comments."""


@dataclass
class DistilLog:
    layers_kept: list[int]
    layers_dropped: list[int]
    transfer_texts: int
    steps: int
    epochs: list[dict[str, float]] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "layers_kept": self.layers_kept,
            "layers_dropped": self.layers_dropped,
            "transfer_texts": self.transfer_texts,
            "steps": self.steps,
            "epochs": self.epochs,
            "seconds": round(self.seconds, 1),
        }


def keep_layers(model: TriageModel, keep: Sequence[int]) -> TriageModel:
    """A copy of ``model`` whose encoder has only the layers at positions ``keep`` (in order)."""
    student = copy.deepcopy(model)
    layers = encoder_layers(student)
    kept = nn.ModuleList([layers[i] for i in sorted(keep)])
    student.encoder.encoder.layer = kept
    student.encoder.config.num_hidden_layers = len(kept)
    for position, layer in enumerate(kept):  # keep attention bookkeeping consistent
        attention = getattr(getattr(layer, "attention", None), "self", None)
        if attention is not None and hasattr(attention, "layer_idx"):
            attention.layer_idx = position
    return student


def _all_logits(model: TriageModel, texts: Sequence[str]) -> NDArray[np.float32]:
    out = model.logits(texts)
    return np.concatenate([out[head] for head in sorted(out)], axis=1)


def choose_layers(
    model: TriageModel, texts: Sequence[str], layers: int, say: Callable[[str], None]
) -> list[int]:
    """Greedily drop the layer whose removal moves the head outputs on ``texts`` least."""
    total = len(encoder_layers(model))
    if not 1 <= layers <= total:
        raise InputError(f"Aantal lagen moet tussen 1 en {total} liggen, niet {layers}.")
    reference = _all_logits(model, texts)
    kept = list(range(total))
    while len(kept) > layers:
        change = {}
        for candidate in kept:
            trial = keep_layers(model, [i for i in kept if i != candidate])
            change[candidate] = float(np.mean((_all_logits(trial, texts) - reference) ** 2))
        drop = min(change, key=lambda i: change[i])
        kept.remove(drop)
        say(f"Laag {drop} weggelaten (verschil in uitvoer {change[drop]:.3f}).")
    return kept


def transfer_texts(train_texts: Sequence[str], pairs: float, seed: int) -> list[str]:
    """The train comments plus seeded pairs of them joined into one longer comment."""
    rng = random.Random(seed)
    texts = list(train_texts)
    for _ in range(int(len(train_texts) * pairs)):
        a, b = rng.sample(list(train_texts), 2)
        texts.append(f"{a} {b}")
    return texts


@torch.inference_mode()
def teacher_targets(
    teacher: TriageModel, texts: Sequence[str]
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """The teacher's pooled features and concatenated head outputs for every text."""
    teacher.eval()
    features = np.zeros((len(texts), 0), np.float32)
    outputs = np.zeros((len(texts), 0), np.float32)
    for rows, input_ids, mask in teacher.batches_by_length(texts, 32):
        pooled = teacher.features(input_ids, mask)
        logits = torch.cat([teacher.heads[h](pooled) for h in sorted(teacher.heads)], dim=1)
        if features.shape[1] == 0:
            features = np.zeros((len(texts), pooled.shape[1]), np.float32)
            outputs = np.zeros((len(texts), logits.shape[1]), np.float32)
        features[rows] = pooled.numpy()
        outputs[rows] = logits.numpy()
    return features, outputs


def distil(
    teacher: TriageModel,
    train_texts: Sequence[str],
    dev_texts: Sequence[str],
    args: DistilArgs,
    say: Callable[[str], None] = lambda _m: None,
    progress: Progress | None = None,
) -> tuple[TriageModel, DistilLog]:
    """Train a ``args.layers``-layer student of ``teacher`` (float32, as trained)."""

    seed_everything(args.seed)
    teacher.eval()
    kept = choose_layers(teacher, dev_texts, args.layers, say)
    student = keep_layers(teacher, kept)
    for p in student.heads.parameters():
        p.requires_grad_(False)
    student.encoder.get_input_embeddings().weight.requires_grad_(False)

    texts = transfer_texts(train_texts, args.pairs, args.seed)
    say(f"Doelen van het volledige model berekenen voor {len(texts)} teksten …")
    target_features, target_logits = teacher_targets(teacher, texts)
    feature_scale = float(target_features.var()) or 1.0
    heads = sorted(student.heads)
    widths = [student.heads[h].out_features for h in heads]
    offsets = np.cumsum([0, *widths])

    params = [p for p in student.encoder.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=args.learning_rate, weight_decay=0.01)
    rng = random.Random(args.seed)
    lengths = [len(t) for t in texts]
    total = math.ceil(len(texts) / args.batch_size) * args.epochs
    warmup = max(1, int(total * args.warmup_ratio))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup)))
    )
    temp = args.temperature
    log = DistilLog(
        kept, [i for i in range(len(encoder_layers(teacher))) if i not in kept], len(texts), total
    )
    started = time.monotonic()
    step = 0
    for epoch in range(args.epochs):
        student.train()
        losses: list[float] = []
        for batch in batches(len(texts), lengths, args.batch_size, rng):
            inputs = student.encode([texts[i] for i in batch])
            with torch.autocast("cpu", dtype=torch.bfloat16):
                pooled = student.features(**inputs)
            pooled = pooled.float()
            want_features = torch.from_numpy(target_features[batch])
            want = torch.from_numpy(target_logits[batch])
            loss = ((pooled - want_features) ** 2).mean() / feature_scale
            for head, start, end in zip(heads, offsets[:-1], offsets[1:], strict=True):
                got = student.heads[head](pooled)
                wanted = want[:, start:end]
                if head == "flags":
                    loss = (
                        loss
                        + nn.functional.binary_cross_entropy_with_logits(got, torch.sigmoid(wanted))
                        - nn.functional.binary_cross_entropy_with_logits(
                            wanted, torch.sigmoid(wanted)
                        )
                    )
                else:
                    loss = loss + temp**2 * nn.functional.kl_div(
                        torch.log_softmax(got / temp, dim=1),
                        torch.log_softmax(wanted / temp, dim=1),
                        log_target=True,
                        reduction="batchmean",
                    )
            losses.append(update(loss, params, optimizer, scheduler))
            step += 1
            if progress:
                progress(step, total, float(np.mean(losses[-20:])))
        log.epochs.append({"epoch": epoch + 1, "loss": round(float(np.mean(losses)), 5)})
    log.seconds = time.monotonic() - started
    student.eval()
    return student, log


__all__ = ["DistilArgs", "DistilLog", "choose_layers", "distil", "keep_layers", "transfer_texts"]
