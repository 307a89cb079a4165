#!/usr/bin/env python3
"""Build sentiment-bol.jsonl from the bol.com Dutch book reviews in CLiPS Pattern's test corpora.

NOT REDISTRIBUTABLE: Pattern's code is BSD, but its test corpora are "meant for personal use,
they are not part of the module's BSD license" (test/corpora/README.txt). The reviews were
written by bol.com customers. So this set is never committed: point this script at your own
clone of https://github.com/clips/pattern and it writes the set under data/real/local/
(git-ignored).

    git clone https://github.com/clips/pattern /path/to/pattern        # tested at d25511f9
    pip install --no-deps deduce==3.0.6
    python data/real/fetch_pattern_bol.py --pattern /path/to/pattern

Input: test/corpora/polarity-nl-bol.com.csv, 3,000 rows "label","title. text" with label -1
(1500 negative reviews) or 1 (1500 positive reviews), balanced by Pattern's authors from star
ratings. Mapping: -1 -> negative, 1 -> positive (there is no neutral class). Exact duplicates
are dropped and the classes re-balanced (1,469 rows each). HTML entities are
decoded, texts over 2,000 characters are cut at a sentence boundary (field "truncated"), and
the text is pseudonymised like every real-text set (data/real/realtext.py).
"""

from __future__ import annotations

import argparse
import csv
import html
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import realtext as rt  # noqa: E402

CSV_PATH = "test/corpora/polarity-nl-bol.com.csv"
LABELS = {"-1": "negative", "1": "positive"}


def build(pattern_dir: Path, out: Path) -> dict:
    path = pattern_dir / CSV_PATH
    if not path.exists():
        raise SystemExit(f"missing {path}: give --pattern the root of a clone of clips/pattern")
    with open(path, encoding="utf-8", newline="") as fh:
        raw = [(label, html.unescape(text)) for label, text in csv.reader(fh)]
    masker = rt.NameMasker(rt.lowercase_vocab(t for _, t in raw))
    reserved = rt.reserved_hashes()
    rows, seen, dropped = [], set(), {"duplicate": 0, "reserved": 0, "bad_label": 0}
    for n, (label, text) in enumerate(raw, 1):
        if label not in LABELS:
            dropped["bad_label"] += 1
            continue
        text = rt.clean_ws(text)
        text, truncated = rt.cap_text(text, 2000)
        admitted = rt.admit(text, masker, seen, reserved, dropped)
        if admitted is None:
            continue
        text, kinds = admitted
        rows.append(
            {
                "id": f"sent-bol-{n:05d}",
                "text": text,
                "sentiment": LABELS[label],
                "platform": "review",
                "genre": "product review (books, bol.com)",
                "source": "pattern-bol.com",
                "source_ref": f"polarity-nl-bol.com.csv:{n}",
                "licence": "personal use only (Pattern test corpora); not redistributable",
                "truncated": truncated,
                "pseudonymised": kinds,
            }
        )
    # balance the classes (the duplicates are negative reviews): drop surplus rows in hash order
    n = min(sum(r["sentiment"] == c for r in rows) for c in LABELS.values())
    keep: set[str] = set()
    for c in LABELS.values():
        ids = sorted((r["id"] for r in rows if r["sentiment"] == c), key=rt.stable_order)
        keep.update(ids[:n])
    dropped["balance"] = len(rows) - len(keep)
    rows = [r for r in rows if r["id"] in keep]
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
    ap.add_argument("--pattern", type=Path, required=True, help="root of a clone of clips/pattern")
    ap.add_argument("--out", type=Path, default=HERE / "local" / "sentiment-bol.jsonl")
    args = ap.parse_args()
    print(build(args.pattern, args.out))


if __name__ == "__main__":
    main()
