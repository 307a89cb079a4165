"""What reading the end of long comments costs and gains (``TriageConfig.read_tail``), both ways
on the same model in one run:

- flags on our own test split as served (telling words checked): recall on the comments with a
  P1 or abuse flag, per flag, and the share of comments without a flag that get a P1 flag;
- throughput (comments per second, float32, one process) on the throughput benchmark's corpus
  (the team's comments and pairs of them joined into longer posts), timed in alternating slices;
- the share of texts longer than the model reads.

    python benchmarks/read_tail.py [--model models/triage] [--comments 2000] \
        [--out benchmarks/results/read-tail.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from throughput import corpus  # noqa: E402

from responder.model.data import load_comments, split_path  # noqa: E402
from responder.model.modeling import load_model  # noqa: E402
from responder.model.real_text import flag_recall  # noqa: E402
from responder.triage.cues import escalating  # noqa: E402

SLICES = 4


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "triage")
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "comments")
    parser.add_argument("--comments", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    model = load_model(args.model, precision="none")
    rows = [dict(r) for r in load_comments(split_path(args.data, "test"))]
    texts = [str(r["text"]) for r in rows]
    limit = model._max_tokens()
    report: dict[str, Any] = {
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "model": str(args.model),
        "max_length": limit,
        "tail_length": model.config.tail_length,
    }
    figures: dict[str, Any] = {}
    for read_tail in (False, True):
        model.config.read_tail = read_tail
        scores = model.predict(texts)
        recall = flag_recall(rows, scores, escalating)
        figures["read_tail" if read_tail else "beginning_only"] = {
            "recall_p1_or_abuse": recall["p1_or_abuse"]["recall"],
            "recall_per_flag": {
                f: v["recall"] for f, v in recall.items() if isinstance(v, dict) and "recall" in v
            },
            "no_flag_with_p1": recall["unflagged_with_p1"]["share"],
        }
    report["test_split_as_served"] = figures
    posts = corpus(args.comments)
    ids = model.tokenizer([model.config.text_prefix + t for t in posts])["input_ids"]
    report["share_longer_than_read"] = {
        "test_split": round(
            sum(
                len(i) > limit
                for i in model.tokenizer([model.config.text_prefix + t for t in texts])["input_ids"]
            )
            / len(texts),
            4,
        ),
        "throughput_corpus": round(sum(len(i) > limit for i in ids) / len(ids), 4),
    }
    model.predict(posts[:64])  # warm up
    seconds = {False: 0.0, True: 0.0}
    size = max(1, len(posts) // SLICES)
    for start in range(0, len(posts), size):
        part = posts[start : start + size]
        for read_tail in (False, True):
            model.config.read_tail = read_tail
            began = time.perf_counter()
            model.predict(part)
            seconds[read_tail] += time.perf_counter() - began
    report["comments_per_second"] = {
        "beginning_only": round(len(posts) / seconds[False], 1),
        "read_tail": round(len(posts) / seconds[True], 1),
    }
    report["cost"] = round(seconds[True] / seconds[False] - 1, 4)
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
