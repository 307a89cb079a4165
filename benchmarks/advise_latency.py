"""In-process latency of one suggestion (``Assistant.advise``: triage, plan, suggestions, the
guardrails) for this checkout beside an earlier commit, measured in the same run, alternating,
on the same model and comments. For keeping ``/v1/suggest`` within its budget when the reply
engine changes (the HTTP part is the same for both).

    python benchmarks/advise_latency.py --baseline-rev 649a764 [--model models/triage] \
        [--rounds 3] [--out benchmarks/results/advise-latency.json]

The baseline runs from a temporary ``git worktree`` of ``--baseline-rev``; each side runs in its
own process, one thread, after a warm-up, over the first 80 comments of tests/cases/replies.yaml.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

WORKER = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
import yaml
from responder.advice.plan import CommentContext
from responder.assistant import Assistant
from responder.config import Settings
assistant = Assistant.from_settings(Settings(threads=1), model=Path(sys.argv[2]))
texts = [c["text"] for c in yaml.safe_load(Path(sys.argv[3]).read_text("utf-8"))][:80]
for text in texts[:10]:
    assistant.advise(text)
out = []
for text in texts:
    start = time.perf_counter()
    assistant.advise(text, CommentContext())
    out.append((time.perf_counter() - start) * 1000)
print(json.dumps(out))
"""


def run(code_root: Path, model: Path, cases: Path) -> list[float]:
    done = subprocess.run(
        [sys.executable, "-c", WORKER, str(code_root), str(model), str(cases)],
        capture_output=True,
        text=True,
        check=True,
    )
    times: list[float] = json.loads(done.stdout.strip().splitlines()[-1])
    return times


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p90_ms": round(ordered[int(len(ordered) * 0.9)], 1),
        "mean_ms": round(statistics.fmean(ordered), 1),
        "n": len(ordered),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline-rev", required=True)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "triage")
    parser.add_argument("--cases", type=Path, default=ROOT / "tests" / "cases" / "replies.yaml")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    model, cases = args.model.resolve(), args.cases.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        baseline = Path(tmp) / "baseline"
        subprocess.run(
            [
                "git",
                "-C",
                str(ROOT),
                "worktree",
                "add",
                "--detach",
                str(baseline),
                args.baseline_rev,
            ],
            check=True,
            capture_output=True,
        )
        try:
            times: dict[str, list[float]] = {"baseline": [], "this": []}
            for _ in range(args.rounds):
                times["baseline"] += run(baseline, model, cases)
                times["this"] += run(ROOT, model, cases)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(baseline)],
                check=False,
                capture_output=True,
            )
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    result = {
        "machine": platform.processor() or platform.machine(),
        "model": str(args.model),
        "baseline_rev": args.baseline_rev,
        "this_rev": head,
        "baseline": summary(times["baseline"]),
        "this": summary(times["this"]),
    }
    result["p50_difference_ms"] = round(result["this"]["p50_ms"] - result["baseline"]["p50_ms"], 1)  # type: ignore[index]
    print(json.dumps(result, indent=1))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
