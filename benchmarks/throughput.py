"""Batch-labelling throughput on >= 20,000 Dutch comments, side by side in one run:

- baseline: a plain `transformers` text-classification pipeline (batch size 32) on the same
  encoder (the unoptimised model's weights under a sequence-classification head);
- the unoptimised triage model (`models/triage`): length-sorted batches, inference mode;
- the optimised model (`models/triage-fast`, from `responder model optimise`): Dutch vocabulary,
  int8 attention and feed-forward-input weights;
- the optimised model in two processes of one thread each (what `responder label --workers 2`
  does on this 2-core machine).

Also: macro-F1 of every head on the test split for both models, and model load + first
prediction in a fresh process. Results go to stdout as JSON (and to --out).

    python benchmarks/throughput.py [--comments 20000] [--out benchmarks/results/throughput.json]

The 20,000 comments are the team's 3,446 written comments, then pairs of them joined into one
longer post (exports mix one-liners and longer stories), in a fixed order (seed 13).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def corpus(n: int) -> list[str]:
    texts = [
        json.loads(line)["text"]
        for split in ("train", "dev", "test")
        for line in (ROOT / "data" / "comments" / f"{split}.jsonl").open(encoding="utf-8")
    ]
    rng = random.Random(13)
    out = list(texts)
    while len(out) < n:
        a, b = rng.sample(texts, 2)
        out.append(f"{a} {b}")
    rng.shuffle(out)
    return out[:n]


def pipeline_rate(model_dir: Path, texts: list[str]) -> float:
    import torch
    from transformers import BertForSequenceClassification, pipeline

    from responder.modeling import TriageModel

    model = TriageModel.from_pretrained(model_dir)
    config = model.encoder.config
    config.num_labels = 3
    classifier = BertForSequenceClassification(config)
    classifier.bert.load_state_dict(model.encoder.state_dict(), strict=False)
    with torch.no_grad():
        classifier.classifier.weight.copy_(model.heads["sentiment"].weight[:, : config.hidden_size])
    classifier.eval()
    pipe = pipeline("text-classification", model=classifier, tokenizer=model.tokenizer, device=-1)
    prefixed = [model.config.text_prefix + t for t in texts]
    pipe(prefixed[:64], batch_size=32, truncation=True, max_length=model.config.max_length)
    start = time.perf_counter()
    pipe(prefixed, batch_size=32, truncation=True, max_length=model.config.max_length)
    return len(texts) / (time.perf_counter() - start)


def model_rate(model_dir: Path, texts: list[str], batch_size: int) -> float:
    from responder.modeling import TriageModel

    model = TriageModel.from_pretrained(model_dir)
    model.predict(texts[:64], batch_size)
    start = time.perf_counter()
    model.predict(texts, batch_size)
    return len(texts) / (time.perf_counter() - start)


_MODEL: Any = None


def _load(model_dir: str) -> None:
    import torch

    from responder.modeling import TriageModel

    global _MODEL
    torch.set_num_threads(1)
    _MODEL = TriageModel.from_pretrained(model_dir)


def _predict(args: tuple[list[str], int]) -> int:
    texts, batch_size = args
    _MODEL.predict(texts, batch_size)
    return len(texts)


def two_process_rate(model_dir: Path, texts: list[str], batch_size: int) -> float:
    """Two processes, one thread each, each with its own model (loaded before timing)."""
    chunks = [texts[i : i + 1024] for i in range(0, len(texts), 1024)]
    with ProcessPoolExecutor(2, initializer=_load, initargs=(str(model_dir),)) as pool:
        list(pool.map(_predict, [(texts[:64], batch_size)] * 4))  # load + warm up both
        start = time.perf_counter()
        done = sum(pool.map(_predict, [(c, batch_size) for c in chunks]))
        return done / (time.perf_counter() - start)


def macro_f1(model_dir: Path) -> dict[str, float]:
    from responder.building import evaluate
    from responder.modeling import TriageModel

    metrics: dict[str, Any] = evaluate(
        TriageModel.from_pretrained(model_dir), ROOT / "data" / "comments", "test"
    )
    return {head: round(report["macro_f1"], 4) for head, report in metrics["model"].items()}


def load_time(model_dir: Path) -> dict[str, float]:
    code = (
        "import time; t0 = time.perf_counter()\n"
        "from responder.modeling import TriageModel\n"
        f"t1 = time.perf_counter(); m = TriageModel.from_pretrained({str(model_dir)!r})\n"
        "m.predict(['Waar blijft mijn pakket?']); t2 = time.perf_counter()\n"
        "print(round(t1 - t0, 2), round(t2 - t1, 2))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    imports, load = (float(x) for x in out.stdout.split())
    return {"imports_s": imports, "load_and_first_prediction_s": load}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--comments", type=int, default=20_000)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "triage")
    parser.add_argument("--optimised", type=Path, default=ROOT / "models" / "triage-fast")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    for folder in (args.model, args.optimised):
        if not folder.is_dir():
            raise SystemExit(
                f"{folder} ontbreekt: `responder model build` en `responder model optimise`."
            )
    texts = corpus(args.comments)
    result: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "comments": len(texts),
        "mean_chars": round(sum(map(len, texts)) / len(texts), 1),
    }
    rates = {
        "pipeline_batch32_baseline": pipeline_rate(args.model, texts),
        "unoptimised_model": model_rate(args.model, texts, args.batch_size),
        "optimised_model": model_rate(args.optimised, texts, args.batch_size),
        "optimised_model_2_processes": two_process_rate(args.optimised, texts, args.batch_size),
    }
    base = rates["pipeline_batch32_baseline"]
    result["comments_per_second"] = {k: round(v, 1) for k, v in rates.items()}
    result["speedup_vs_pipeline"] = {k: round(v / base, 2) for k, v in rates.items()}
    result["macro_f1_test"] = {
        "unoptimised": macro_f1(args.model),
        "optimised": macro_f1(args.optimised),
    }
    result["load"] = {"unoptimised": load_time(args.model), "optimised": load_time(args.optimised)}
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
