"""Merge the team's hand-written parts (data/raw/part-*.jsonl) into the fixed train/dev/test split.

Steps: validate every row against the label scheme, drop exact and near duplicates (same text
after lower-casing and stripping punctuation, or character-trigram Jaccard ≥ 0.8; the two members
of a contrast pair, which differ by design in a few words, are not each other's duplicates), then
split. A row that was already in a split stays there (so a model trained on an earlier build is
never tested on its own training rows); new rows are split 70/15/15 stratified on intent × topic
with a fixed seed, both members of a contrast pair in the same split. Writes data/comments/{train,dev,test}.jsonl
data/comments/stats.json and DATASHEET.md (from DATASHEET.template.md, with this build's counts).

Run: python data/build_dataset.py
"""

from __future__ import annotations

import json
import math
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from responder.labels import FLAGS, INTENTS, SENTIMENTS, TOPICS

ROOT = Path(__file__).resolve().parent
SEED = 20261125
NEAR_DUPLICATE = 0.8
SPLIT = {"train": 0.70, "dev": 0.15, "test": 0.15}


def key(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.lower()).strip()


def trigrams(text: str) -> set[str]:
    k = f"  {key(text)}  "
    return {k[i : i + 3] for i in range(len(k) - 2)}


def valid(row: dict) -> bool:
    return (
        isinstance(row.get("text"), str)
        and row["text"].strip() != ""
        and row.get("sentiment") in SENTIMENTS
        and row.get("intent") in INTENTS
        and row.get("topic") in TOPICS
        and isinstance(row.get("flags"), list)
        and set(row["flags"]) <= set(FLAGS)
    )


def main() -> None:
    rows, invalid = [], 0
    for part in sorted((ROOT / "raw").glob("part-*.jsonl")):
        for line in part.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if valid(row):
                    row["flags"] = sorted(set(row["flags"]), key=FLAGS.index)
                    rows.append(row)
                else:
                    invalid += 1
    written = len(rows) + invalid

    exact_seen: set[str] = set()
    unique, exact = [], 0
    for row in rows:
        k = key(row["text"])
        if k in exact_seen:
            exact += 1
            continue
        exact_seen.add(k)
        unique.append(row)

    # Near duplicates, exactly but fast (prefix filtering): order each text's trigrams from rare
    # to common; two sets with Jaccard >= t share a trigram among the first |x| - ceil(t|x|) + 1
    # of either, so only texts that share such a prefix trigram are compared.
    grams = [trigrams(r["text"]) for r in unique]
    frequency = Counter(t for g in grams for t in g)
    index: dict[str, list[int]] = defaultdict(list)
    kept: list[int] = []
    near = 0
    for i, g in enumerate(grams):
        ordered = sorted(g, key=lambda t: (frequency[t], t))
        prefix = ordered[: len(g) - math.ceil(NEAR_DUPLICATE * len(g)) + 1]
        candidates: set[int] = set()
        for t in prefix:
            candidates.update(index[t])
        duplicate = False
        pair = unique[i].get("pair")
        for j in candidates:
            if pair and unique[j].get("pair") == pair:
                continue
            if not NEAR_DUPLICATE * len(g) <= len(grams[j]) <= len(g) / NEAR_DUPLICATE:
                continue
            inter = len(g & grams[j])
            if inter and inter / len(g | grams[j]) >= NEAR_DUPLICATE:
                duplicate = True
                break
        if duplicate:
            near += 1
            continue
        kept.append(i)
        for t in prefix:
            index[t].append(i)
    data = [unique[i] for i in kept]

    rng = random.Random(SEED)
    out = ROOT / "comments"
    before: dict[str, str] = {}
    for name in SPLIT:
        path = out / f"{name}.jsonl"
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    before[json.loads(line)["id"]] = name
    splits: dict[str, list[dict]] = {name: [] for name in SPLIT}
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in data:
        if row["id"] in before:
            splits[before[row["id"]]].append(row)
        else:
            groups[row.get("pair") or row["id"]].append(row)
    strata: dict[tuple[str, str], list[list[dict]]] = defaultdict(list)
    for gid in sorted(groups):
        first = groups[gid][0]
        strata[(first["intent"], first["topic"])].append(groups[gid])
    for stratum in sorted(strata):
        members = strata[stratum]
        rng.shuffle(members)
        n = len(members)
        n_test = round(n * SPLIT["test"])
        n_dev = round(n * SPLIT["dev"])
        for name, part in (
            ("test", members[:n_test]),
            ("dev", members[n_test : n_test + n_dev]),
            ("train", members[n_test + n_dev :]),
        ):
            splits[name] += [row for group in part for row in group]

    out.mkdir(exist_ok=True)
    for name, members in splits.items():
        rng.shuffle(members)
        with (out / f"{name}.jsonl").open("w", encoding="utf-8") as fh:
            for row in members:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")

    def counts(members: list[dict]) -> dict:
        return {
            "rows": len(members),
            "sentiment": dict(Counter(r["sentiment"] for r in members).most_common()),
            "intent": dict(Counter(r["intent"] for r in members).most_common()),
            "topic": dict(Counter(r["topic"] for r in members).most_common()),
            "flags": dict(Counter(f for r in members for f in r["flags"]).most_common()),
            "no_flags": sum(not r["flags"] for r in members),
            "platform": dict(Counter(r["platform"] for r in members).most_common()),
            "style": dict(Counter(t for r in members for t in r.get("style", [])).most_common()),
            "contrast_pairs": len({r["pair"] for r in members if r.get("pair")}),
        }

    lengths = sorted(len(r["text"]) for r in data)
    stats = {
        "written": written,
        "invalid_dropped": invalid,
        "exact_duplicates_dropped": exact,
        "near_duplicates_dropped": near,
        "near_duplicate_rule": f"character-trigram Jaccard >= {NEAR_DUPLICATE}",
        "kept": len(data),
        "length_chars": {
            "min": lengths[0],
            "median": lengths[len(lengths) // 2],
            "p90": lengths[int(len(lengths) * 0.9)],
            "max": lengths[-1],
        },
        "all": counts(data),
        **{name: counts(members) for name, members in splits.items()},
    }
    (out / "stats.json").write_text(
        json.dumps(stats, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    print(json.dumps({k: stats[k] for k in list(stats)[:7]}, indent=2))
    print(json.dumps(stats["all"], indent=2, ensure_ascii=False))
    write_datasheet(stats)


def table(name: str, counts: dict) -> str:
    rows = "\n".join(f"| `{k}` | {v} |" for k, v in counts.items())
    return f"| {name} | count |\n|---|---|\n{rows}"


def agreement_table() -> str:
    """Cohen's κ per head and flag from annotation/agreement.json (data/agreement.py)."""
    path = ROOT / "annotation" / "agreement.json"
    if not path.is_file():
        return "  (no second annotation yet)"
    a = json.loads(path.read_text(encoding="utf-8"))
    rows = "\n".join(
        f"  | {name} | {r['kappa']:.2f} | {r['agreement']:.1%} |" for name, r in a["heads"].items()
    )
    return f"  | label ({a['comments']} comments) | Cohen's κ | raw agreement |\n  |---|---|---|\n{rows}"


def write_datasheet(s: dict) -> None:
    """DATASHEET.md: the prose is fixed, every number comes from this build."""
    a = s["all"]
    splits = "| split | rows |\n|---|---|\n" + "\n".join(
        f"| {k} | {s[k]['rows']} |" for k in ("train", "dev", "test")
    )
    text = (ROOT / "DATASHEET.template.md").read_text(encoding="utf-8")
    values = {
        "kept": s["kept"],
        "written": s["written"],
        "invalid": s["invalid_dropped"],
        "exact": s["exact_duplicates_dropped"],
        "near": s["near_duplicates_dropped"],
        "near_rule": s["near_duplicate_rule"],
        "median": s["length_chars"]["median"],
        "p90": s["length_chars"]["p90"],
        "max": s["length_chars"]["max"],
        "splits": splits,
        "sentiment": table("sentiment", a["sentiment"]),
        "intent": table("intent", a["intent"]),
        "topic": table("topic", a["topic"]),
        "flags": table("flag", a["flags"]),
        "no_flags": a["no_flags"],
        "platform": table("platform", a["platform"]),
        "style": table("style tag", a["style"]),
        "pairs": a["contrast_pairs"],
        "agreement": agreement_table(),
        "facebook": a["platform"].get("facebook", 0),
    }
    (ROOT / "DATASHEET.md").write_text(text.format(**values), encoding="utf-8")


if __name__ == "__main__":
    main()
