"""Batch-labelling throughput on >= 20,000 Dutch comments, side by side in one run:

- baseline: a plain `transformers` text-classification pipeline (batch size 32) on the same
  encoder (the unoptimised model's weights under a sequence-classification head);
- the unoptimised triage model (`models/triage`, float32): batches by token count, inference mode;
- the optimised model (`models/triage-fast`, from `responder model optimise`: Dutch vocabulary)
  in `bf16` (the whole encoder in torch) and in `onnx-int8` (the smoothed int8 encoder in ONNX
  Runtime; what `auto` picks when the folder has it, as `model optimise` writes it). Torch's own
  `int8` is left out of the timing (slower than both here; its F1 is still reported);
- `responder label` end to end on the same comments as a CSV file (read, language check,
  model, write; model load included), with its defaults, with one and with two workers.

Also: macro-F1 of every head on the test split (and the dev split) for each model and precision,
and model load +
first prediction in a fresh process. Results go to stdout as JSON (and to --out).

    python benchmarks/throughput.py [--comments 20000] [--out benchmarks/results/throughput.json]
    python benchmarks/throughput.py --label-only --out benchmarks/results/throughput-label.json

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
import tempfile
import time
from collections.abc import Callable
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


Predict = Callable[[list[str]], object]


def pipeline_runner(model_dir: Path) -> Predict:
    """The baseline: a text-classification pipeline, batch size 32, on the same encoder."""
    import torch
    from transformers import BertForSequenceClassification, pipeline

    from responder.model.modeling import TriageModel

    model = TriageModel.from_pretrained(model_dir, precision="none")
    config = model.encoder.config
    config.num_labels = 3
    classifier = BertForSequenceClassification(config)
    classifier.bert.load_state_dict(model.encoder.state_dict(), strict=False)
    with torch.no_grad():
        classifier.classifier.weight.copy_(model.heads["sentiment"].weight[:, : config.hidden_size])
    classifier.eval()
    pipe = pipeline("text-classification", model=classifier, tokenizer=model.tokenizer, device=-1)
    prefix, max_length = model.config.text_prefix, model.config.max_length

    def run(texts: list[str]) -> object:
        return pipe(
            [prefix + t for t in texts], batch_size=32, truncation=True, max_length=max_length
        )

    return run


def model_runner(model_dir: Path, batch_size: int, precision: str) -> Predict:
    """A triage model fed as `responder label` feeds it: windows of WINDOW_ROWS rows."""
    from responder.batch.labelling import WINDOW_ROWS
    from responder.model.modeling import TriageModel

    model = TriageModel.from_pretrained(model_dir, precision=precision)

    def run(texts: list[str]) -> object:
        return [
            model.predict(texts[i : i + WINDOW_ROWS], batch_size)
            for i in range(0, len(texts), WINDOW_ROWS)
        ]

    return run


def interleaved_rates(
    runners: dict[str, Predict], texts: list[str], rounds: int
) -> dict[str, float]:
    """Every runner labels the same slice in turn, slice after slice, and the order rotates,
    so that a slower or faster spell of the machine falls on all of them alike."""
    for run in runners.values():
        run(texts[:64])  # warm up
    seconds = dict.fromkeys(runners, 0.0)
    size = -(-len(texts) // rounds)
    names = list(runners)
    for r in range(rounds):
        part = texts[r * size : (r + 1) * size]
        for name in names[r % len(names) :] + names[: r % len(names)]:
            start = time.perf_counter()
            runners[name](part)
            seconds[name] += time.perf_counter() - start
    return {name: len(texts) / seconds[name] for name in names}


def label_rate(model_dir: Path, texts: list[str], workers: int, workdir: Path) -> float:
    """`responder label` on a CSV of ``texts``: rows per second of wall time, start to finish."""
    import csv

    source, output = workdir / "comments.csv", workdir / "labelled.csv"
    with source.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "bericht"])
        writer.writerows(enumerate(texts))
    command = [str(Path(sys.executable).parent / "responder"), "label", str(source)]
    command += ["-o", str(output), "--workers", str(workers), "--restart"]
    env = {**os.environ, "RESPONDER_MODEL_PATH": str(model_dir)}
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    with output.open(encoding="utf-8", newline="") as fh:
        rows = sum(1 for _ in csv.DictReader(fh))
    if rows != len(texts):
        raise SystemExit(f"responder label wrote {rows} rows for {len(texts)} comments")
    return len(texts) / elapsed


def macro_f1(
    model_dir: Path, precision: str | None = None, split: str = "test"
) -> dict[str, float]:
    from responder.model.building import evaluate
    from responder.model.modeling import TriageModel

    metrics: dict[str, Any] = evaluate(
        TriageModel.from_pretrained(model_dir, precision=precision),
        ROOT / "data" / "comments",
        split,
    )
    return {head: round(report["macro_f1"], 4) for head, report in metrics["model"].items()}


def load_time(model_dir: Path) -> dict[str, float | str]:
    code = (
        "import time; t0 = time.perf_counter()\n"
        "from responder.model.modeling import TriageModel\n"
        f"t1 = time.perf_counter(); m = TriageModel.from_pretrained({str(model_dir)!r})\n"
        "m.predict(['Waar blijft mijn pakket?']); t2 = time.perf_counter()\n"
        "print(round(t1 - t0, 2), round(t2 - t1, 2), m.precision)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    imports, load, precision = out.stdout.split()
    return {
        "imports_s": float(imports),
        "load_and_first_prediction_s": float(load),
        "precision": precision,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--comments", type=int, default=20_000)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "triage")
    parser.add_argument("--optimised", type=Path, default=ROOT / "models" / "triage-fast")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=5, help="Slices the comments are timed in.")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--label-only",
        action="store_true",
        help="Time only the pipeline, the int8 ONNX model and responder label (no torch "
        "precisions, no F1, no load time): about 25 minutes instead of 60, for a change that "
        "touches only the labelling around an unchanged model.",
    )
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
    runners = {
        "pipeline_batch32_baseline": pipeline_runner(args.model),
        "unoptimised_model": model_runner(args.model, args.batch_size, "none"),
        "optimised_model_bf16": model_runner(args.optimised, args.batch_size, "bf16"),
        "optimised_model_onnx_int8": model_runner(args.optimised, args.batch_size, "onnx-int8"),
    }
    if args.label_only:
        del runners["unoptimised_model"], runners["optimised_model_bf16"]
    rates = interleaved_rates(runners, texts, args.rounds)
    del runners
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2):
            name = "responder_label_csv" + ("" if workers == 1 else "_2_workers")
            rates[name] = label_rate(args.optimised, texts, workers, Path(tmp))
    base = rates["pipeline_batch32_baseline"]
    result["batch_size"] = args.batch_size
    result["how"] = (
        f"pipeline and models timed interleaved in {args.rounds} slices in one process; "
        "responder label runs afterwards as a command (model load and CSV read/write included)"
    )
    result["comments_per_second"] = {k: round(v, 1) for k, v in rates.items()}
    result["speedup_vs_pipeline"] = {k: round(v / base, 2) for k, v in rates.items()}
    if args.label_only:
        result["label_only"] = True
        finish(result, args.out)
        return
    result["macro_f1_test"] = {
        "unoptimised": macro_f1(args.model, "none"),
        "optimised_int8": macro_f1(args.optimised, "int8"),
        "optimised_bf16": macro_f1(args.optimised, "bf16"),
        "optimised_onnx_int8": macro_f1(args.optimised, "onnx-int8"),
    }
    result["macro_f1_dev"] = {
        "unoptimised": macro_f1(args.model, "none", "dev"),
        "optimised_bf16": macro_f1(args.optimised, "bf16", "dev"),
        "optimised_onnx_int8": macro_f1(args.optimised, "onnx-int8", "dev"),
    }
    result["load"] = {"unoptimised": load_time(args.model), "optimised": load_time(args.optimised)}
    result["auto_precision_here"] = result["load"]["optimised"]["precision"]  # what it loaded as
    finish(result, args.out)


def finish(result: dict[str, Any], out: Path | None) -> None:
    text = json.dumps(result, indent=2)
    print(text)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
