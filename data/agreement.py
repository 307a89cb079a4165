"""Agreement between the first labels (data/raw) and an independent second annotation pass
(data/annotation/second-pass.jsonl, made blind from second-pass-blind.jsonl): Cohen's κ per head,
per flag and for "any flag", with the raw agreement beside it.

Run: python data/agreement.py   (writes data/annotation/agreement.json and prints a table)
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))
from responder.labels import FLAGS  # noqa: E402


def kappa(a: list[str], b: list[str]) -> float:
    """Cohen's κ of two label sequences (1.0 when both always agree on one label)."""
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def main() -> None:
    first: dict[str, dict] = {}
    for part in sorted((ROOT / "raw").glob("part-*.jsonl")):
        for line in part.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                first[row["id"]] = row
    second = [
        json.loads(line)
        for line in (ROOT / "annotation" / "second-pass.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()
        if line.strip()
    ]
    pairs = [(first[r["id"]], r) for r in second if r["id"] in first]
    result: dict[str, dict[str, float | int]] = {}
    for head in ("sentiment", "intent", "topic"):
        a, b = [p[0][head] for p in pairs], [p[1][head] for p in pairs]
        result[head] = {
            "kappa": round(kappa(a, b), 3),
            "agreement": round(sum(x == y for x, y in zip(a, b, strict=True)) / len(a), 3),
        }
    for flag in (*FLAGS, "any flag"):

        def has(row: dict, f: str = flag) -> str:
            return str(bool(row["flags"]) if f == "any flag" else f in row["flags"])

        a, b = [has(p[0]) for p in pairs], [has(p[1]) for p in pairs]
        result[flag] = {
            "kappa": round(kappa(a, b), 3),
            "agreement": round(sum(x == y for x, y in zip(a, b, strict=True)) / len(a), 3),
            "first_positive": a.count("True"),
            "second_positive": b.count("True"),
        }
    out = {"comments": len(pairs), "missing": len(second) - len(pairs), "heads": result}
    (ROOT / "annotation" / "agreement.json").write_text(
        json.dumps(out, indent=2) + "\n", encoding="utf-8"
    )
    print(f"{len(pairs)} comments labelled twice")
    print("| label | Cohen's κ | raw agreement |\n|---|---|---|")
    for name, r in result.items():
        print(f"| {name} | {r['kappa']:.2f} | {r['agreement']:.1%} |")


if __name__ == "__main__":
    main()
