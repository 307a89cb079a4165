"""Triage quality on real Dutch text written by others, for one or more models side by side in
one run, beside the textblob-nl lexicon: sentiment macro-F1 per real set, abuse macro-F1, the
share of ordinary real texts that get a P1 flag (false alarms), flag recall on our own test split,
and the test-split macro-F1 per head (which flatters every model); and the share of
``tests/cases/hard-negatives.jsonl`` (120 ordinary webcare comments with risky words, written by
a helper; the telling words were checked against them once) that gets a P1 flag. Each model is reported twice:
as served (a P1 flag escalates only with a telling word, ``responder/triage/cues.py``) and with
every flag the model raises ("NAME, model flags").

    python benchmarks/real_text.py --model previous=models/triage-v1 --model new=models/triage \
        [--real data/real] [--out benchmarks/results/real-text.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from responder.model.building import evaluate  # noqa: E402
from responder.model.data import load_comments, split_path  # noqa: E402
from responder.model.modeling import load_model  # noqa: E402
from responder.model.real_text import (  # noqa: E402
    evaluate_real,
    false_alarms,
    read_jsonl,
    real_text_table,
)
from responder.protocols import HeadScores  # noqa: E402
from responder.triage.cues import escalating  # noqa: E402


class Remembering:
    """A classifier that scores each text once: the same texts are judged twice, with every
    flag the model raises and with the flags that escalate (telling words checked)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.seen: dict[str, HeadScores] = {}

    def predict(self, texts: Sequence[str], batch_size: int = 32) -> list[HeadScores]:
        new = [t for t in dict.fromkeys(texts) if t not in self.seen]
        if new:
            self.seen.update(zip(new, self.inner.predict(new, batch_size=batch_size), strict=True))
        return [self.seen[t] for t in texts]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", action="append", required=True, help="NAME=FOLDER, repeatable")
    parser.add_argument("--real", type=Path, default=ROOT / "data" / "real")
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "comments")
    parser.add_argument(
        "--hard-negatives",
        type=Path,
        default=ROOT / "tests" / "cases" / "hard-negatives.jsonl",
        help="team-written ordinary comments with risky words: the share that gets a P1 flag",
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    test_rows = list(load_comments(split_path(args.data, "test")))
    results: dict[str, Any] = {}
    test_split: dict[str, Any] = {}
    for spec in args.model:
        name, _, folder = spec.partition("=")
        started = time.monotonic()
        model = Remembering(load_model(Path(folder or name), precision="none"))
        results[f"{name}, model flags"] = evaluate_real(
            model, args.real, test_rows, with_lexicon=not results
        )
        results[name] = evaluate_real(model, args.real, test_rows, escalate=escalating)
        full = evaluate(model.inner, args.data, "test")
        test_split[name] = {h: round(r["macro_f1"], 4) for h, r in full["model"].items()}
        test_split["textblob_nl"] = {
            h: round(r["macro_f1"], 4) for h, r in full["baselines"]["textblob_nl"].items()
        }
        if args.hard_negatives.is_file():
            texts = [str(r["text"]) for r in read_jsonl(args.hard_negatives)]
            scores = model.predict(texts)
            key = "hard negatives (team-written)"
            results[f"{name}, model flags"]["false_alarms"][key] = false_alarms(scores)
            results[name]["false_alarms"][key] = false_alarms(
                scores, texts=texts, escalate=escalating
            )
        results[name]["seconds"] = round(time.monotonic() - started, 1)
        results[f"{name}, model flags"]["seconds"] = results[name]["seconds"]
        print(f"{name}: {results[name]['seconds']} s", file=sys.stderr)
    table = real_text_table(results)
    print(table)
    print("\nTest split (team-written), macro-F1:", json.dumps(test_split, indent=1))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        report = {
            "machine": platform.processor() or platform.machine(),
            "models": {s.partition("=")[0]: s.partition("=")[2] for s in args.model},
            "real_text": results,
            "test_split": test_split,
            "table": table,
        }
        args.out.write_text(
            json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    main()
