"""Reply quality on the judged set: every comment of tests/cases/replies.yaml through the real
assistant (model triage → playbook plan → suggestions), its first suggestion checked against
what a good reply must and must not say (responder.advice.reply_check).

    python benchmarks/replies.py [--model models/triage] [--previous-model DIR] [--fit] \
        [--playbook FILE] [--cases FILE ...] [--out benchmarks/results/replies.json]

Every judged set (default: each tests/cases/replies*.yaml): replies.yaml, the set the templates
were written against; replies-holdout.yaml, replies-final.yaml, replies-fresh.yaml,
replies-fresh2.yaml and replies-fresh5.yaml, written later by people who did not look at the engine
(the engine was then improved while looking at their failures, so they are no longer untouched);
replies-fresh3.yaml, replies-fresh4.yaml and replies-fresh6.yaml, untouched (only their totals have
been looked at). Prints the pass rate per expected
situation and overall, the share of comments whose situation the plan got right, and every
failure with the reasons, and the escalation errors (cases that are not P1 in the playbook but
got a P1 plan, and P1 cases that did not). The same model with every flag escalating
(RESPONDER_FLAG_CUES=false) is always judged beside it; --previous-model and --fit (fit ranking
on) add their pass rates from the same run; --out writes it all as JSON.
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
    parser.add_argument("--previous-model", type=Path, default=None, help="also judged, same run")
    parser.add_argument("--playbook", type=Path, default=None, help="default: the settings' one")
    parser.add_argument(
        "--cases",
        type=Path,
        nargs="+",
        default=sorted((ROOT / "tests" / "cases").glob("replies*.yaml")),
        help="judged sets (default: every tests/cases/replies*.yaml)",
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--fit", action="store_true", help="also judge with fit ranking on")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--quiet", action="store_true", help="no failure listing on stdout")
    args = parser.parse_args()

    sets = {path.stem: load_judged(path) for path in args.cases}
    runs = [("model", args.model, False), ("flag_cues_off", args.model, False)]
    if args.fit:
        runs.append(("fit_ranking_on", args.model, True))
    if args.previous_model:
        runs.append(("previous_model", args.previous_model, False))
    result: dict[str, object] = {
        "machine": platform.processor() or platform.machine(),
        "model": str(args.model),
        "previous_model": str(args.previous_model) if args.previous_model else None,
        "cases_files": {name: str(path) for name, path in zip(sets, args.cases, strict=True)},
    }
    for run, model, fit in runs:
        started = time.monotonic()
        settings = Settings(threads=args.threads, fit_ranking=fit, flag_cues=run != "flag_cues_off")
        assistant = Assistant.from_settings(settings, model=model, playbook=args.playbook)
        priorities = {s.id: s.priority for s in assistant.playbook.situations}
        result.setdefault(
            "playbook", {"name": assistant.playbook.name, "version": assistant.playbook.version}
        )
        for name, cases in sets.items():
            problems = problems_with_playbook(cases, assistant.playbook)
            if problems:
                sys.exit(f"{name} does not fit the playbook:\n" + "\n".join(problems))
            report = judge(assistant, cases, priorities)
            print(f"\n== {run} ({model.name}) on {name}")
            print(report_table(report))
            if run == "model" and not args.quiet:
                for failure in report["failures"]:
                    situation = failure["situation"]
                    print(f"\n{failure['id']}: {failure['text']}")
                    if situation["got"] != situation["expected"]:
                        print(f"  situation: {situation['got']} (expected {situation['expected']})")
                    print(f"  reply: {failure['reply']}")
                    for reason in failure["failed"]:
                        print(f"  - {reason}")
            if run == "model":
                result.setdefault("sets", {})[name] = report  # type: ignore[index]
            else:
                result.setdefault(f"{run}_pass", {})[name] = {  # type: ignore[index]
                    k: report[k]
                    for k in ("cases", "passed", "pass_rate", "situation_accuracy", "escalation")
                }
        result.setdefault("seconds", {})[run] = round(time.monotonic() - started, 1)  # type: ignore[index]
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", "utf-8")
        print(f"\nwritten: {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
