"""Triage quality on real Dutch text written by others, for one or more models side by side in
one run, beside the textblob-nl lexicon: sentiment macro-F1 per real set, abuse macro-F1, the
share of ordinary real texts that get a P1 flag (false alarms), flag recall on our own test split,
and the test-split macro-F1 per head (which flatters every model).

    python benchmarks/real_text.py --model previous=models/triage-v1 --model new=models/triage \
        [--real data/real] [--out benchmarks/results/real-text.json]
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

from responder.model.building import evaluate  # noqa: E402
from responder.model.data import load_comments, split_path  # noqa: E402
from responder.model.modeling import load_model  # noqa: E402
from responder.model.real_text import evaluate_real, real_text_table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", action="append", required=True, help="NAME=FOLDER, repeatable")
    parser.add_argument("--real", type=Path, default=ROOT / "data" / "real")
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "comments")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    test_rows = list(load_comments(split_path(args.data, "test")))
    results: dict[str, Any] = {}
    test_split: dict[str, Any] = {}
    for spec in args.model:
        name, _, folder = spec.partition("=")
        started = time.monotonic()
        model = load_model(Path(folder or name), precision="none")
        results[name] = evaluate_real(model, args.real, test_rows, with_lexicon=not results)
        full = evaluate(model, args.data, "test")
        test_split[name] = {h: round(r["macro_f1"], 4) for h, r in full["model"].items()}
        test_split["textblob_nl"] = {
            h: round(r["macro_f1"], 4) for h, r in full["baselines"]["textblob_nl"].items()
        }
        results[name]["seconds"] = round(time.monotonic() - started, 1)
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
