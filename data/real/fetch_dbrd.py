#!/usr/bin/env python3
"""Build sentiment-dbrd.jsonl from the Dutch Book Reviews Dataset (DBRD v3, Hebban reviews).

NOT COMMITTED: the DBRD data is licensed CC BY-NC-SA 4.0 (README of
https://github.com/benjaminvdb/DBRD; the repository's MIT licence covers only its code).
Non-commercial share-alike data does not go into this proprietary repository. Download and
unpack the release yourself and point this script at it; it writes the set under
data/real/local/ (git-ignored).

    # https://github.com/benjaminvdb/DBRD/releases/download/v3.0/DBRD_v3.tgz  (~79 MB)
    tar xzf DBRD_v3.tgz                     # gives DBRD/{train,test,unsup}/..., urls.txt
    pip install --no-deps deduce==3.0.6
    python data/real/fetch_dbrd.py --dbrd /path/to/DBRD --per-class 1000

Files are named <id>_<rating>.txt (rating 1-5 stars). Mapping (ours):
    test/neg  (rating 1-2)  -> negative
    unsup     (rating 3)    -> neutral     (DBRD leaves 3-star reviews out of train/test)
    test/pos  (rating 4-5)  -> positive
Only the test split and the 3-star part of unsup are used, so nothing here overlaps DBRD's own
train split. --per-class rows per class are drawn in a fixed hash order (balanced classes).
Texts over 2,000 characters are cut at a sentence boundary (field "truncated"); texts are
pseudonymised like every real-text set (data/real/realtext.py).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import realtext as rt  # noqa: E402

NAME_RE = re.compile(r"^(\d+)_(\d)\.txt$")


def collect(dbrd: Path) -> dict[str, list[tuple[str, int, Path]]]:
    if not (dbrd / "test").is_dir():
        raise SystemExit(f"{dbrd} has no test/ folder: give --dbrd the unpacked DBRD folder")
    found: dict[str, list[tuple[str, int, Path]]] = {"negative": [], "neutral": [], "positive": []}
    for sub, label in (("test/neg", "negative"), ("test/pos", "positive"), ("unsup", "neutral")):
        folder = dbrd / sub
        if not folder.is_dir():
            raise SystemExit(f"missing {folder}")
        for p in folder.iterdir():
            m = NAME_RE.match(p.name)
            if not m:
                continue
            rating = int(m.group(2))
            if label == "neutral" and rating != 3:
                continue
            found[label].append((m.group(1), rating, p))
    return found


def build(dbrd: Path, out: Path, per_class: int) -> dict:
    found = collect(dbrd)
    n = min(per_class, *(len(v) for v in found.values()))
    chosen = {k: sorted(v, key=lambda x: rt.stable_order(x[0]))[: n * 2] for k, v in found.items()}
    texts = {
        id_: p.read_text(encoding="utf-8", errors="replace")
        for v in chosen.values()
        for id_, _, p in v
    }
    masker = rt.NameMasker(rt.lowercase_vocab(texts.values()))
    reserved = rt.reserved_hashes()
    rows, seen, dropped = [], set(), {"duplicate": 0, "reserved": 0, "empty": 0}
    for label, items in chosen.items():
        kept = 0
        for id_, rating, _ in items:
            if kept == n:
                break
            text = rt.clean_ws(texts[id_].replace("<br />", " ").replace("<br/>", " "))
            if not text:
                dropped["empty"] += 1
                continue
            text, truncated = rt.cap_text(text, 2000)
            admitted = rt.admit(text, masker, seen, reserved, dropped)
            if admitted is None:
                continue
            text, kinds = admitted
            kept += 1
            rows.append(
                {
                    "id": f"sent-dbrd-{id_}",
                    "text": text,
                    "sentiment": label,
                    "rating": rating,
                    "platform": "review",
                    "genre": "book review (Hebban)",
                    "source": "dbrd-v3",
                    "source_ref": f"{id_}_{rating}.txt",
                    "licence": "CC BY-NC-SA 4.0",
                    "truncated": truncated,
                    "pseudonymised": kinds,
                }
            )
    rows.sort(key=lambda r: r["id"])
    rt.write_jsonl(out, rows)
    return {
        "rows": len(rows),
        "sentiment": rt.summary(rows, "sentiment"),
        "truncated": sum(r["truncated"] for r in rows),
        "dropped": dropped,
        "out": str(out),
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--dbrd", type=Path, required=True, help="the unpacked DBRD folder")
    ap.add_argument("--per-class", type=int, default=1000)
    ap.add_argument("--out", type=Path, default=HERE / "local" / "sentiment-dbrd.jsonl")
    args = ap.parse_args()
    print(build(args.dbrd, args.out, args.per_class))


if __name__ == "__main__":
    main()
