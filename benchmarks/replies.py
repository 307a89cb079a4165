"""Reply quality on the judged set: every comment of tests/cases/replies.yaml through the real
assistant (model triage → playbook plan → suggestions), its first suggestion checked against
what a good reply must and must not say (responder.advice.reply_check).

    python benchmarks/replies.py [--model models/triage] [--playbook FILE] \
        [--cases tests/cases/replies.yaml] [--out benchmarks/results/replies.json]

Prints the pass rate per expected situation and overall, the share of comments whose situation
the plan got right, and every failure with the reasons; --out writes it all as JSON.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from responder.advice.reply_check import (  # noqa: E402
    judge,
    load_judged,
    problems_with_playbook,
    report_table,
)
from responder.assistant import Assistant  # noqa: E402
from responder.config import Settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "triage")
    parser.add_argument("--playbook", type=Path, default=None, help="default: the settings' one")
    parser.add_argument("--cases", type=Path, default=ROOT / "tests" / "cases" / "replies.yaml")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--quiet", action="store_true", help="no failure listing on stdout")
    args = parser.parse_args()

    cases = load_judged(args.cases)
    started = time.monotonic()
    assistant = Assistant.from_settings(
        Settings(threads=args.threads), model=args.model, playbook=args.playbook
    )
    problems = problems_with_playbook(cases, assistant.playbook)
    if problems:
        sys.exit("The judged set does not fit the playbook:\n" + "\n".join(problems))
    loaded = time.monotonic()
    report = judge(assistant, cases)
    seconds = time.monotonic() - loaded

    print(report_table(report))
    if not args.quiet:
        for failure in report["failures"]:
            situation = failure["situation"]
            print(f"\n{failure['id']}: {failure['text']}")
            if situation["got"] != situation["expected"]:
                print(f"  situation: {situation['got']} (expected {situation['expected']})")
            print(f"  reply: {failure['reply']}")
            for reason in failure["failed"]:
                print(f"  - {reason}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        result = {
            "machine": platform.processor() or platform.machine(),
            "model": str(args.model),
            "playbook": {"name": assistant.playbook.name, "version": assistant.playbook.version},
            "cases_file": str(args.cases),
            "seconds": {"load": round(loaded - started, 1), "judge": round(seconds, 1)},
            **report,
        }
        args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", "utf-8")
        print(f"\nwritten: {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
