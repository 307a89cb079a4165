#!/usr/bin/env python3
"""Build abuse-dalc.jsonl from the Dutch Abusive Language Corpus (DALC v2.0, Dutch tweets).

NOT COMMITTED: the public repository https://github.com/tommasoc80/DALC (GPL-3.0) holds only
message ids and labels (v2.0/data/DALC-2_{train,dev,test}.csv). The message texts ("DALC full
text", https://doi.org/10.34894/HOINL3 on DataverseNL) are released only under a Data Sharing
Agreement, so they may not be copied into this repository. Request access, keep your copy
outside the repository, and point this script at it; it writes the set under data/real/local/
(git-ignored).

    git clone https://github.com/tommasoc80/DALC /path/to/DALC      # labels; tested at e13f016a
    pip install --no-deps deduce==3.0.6
    python data/real/fetch_dalc.py --dalc /path/to/DALC --fulltext /path/to/dalc-fulltext.csv \
        [--split test]

--fulltext: a CSV or TSV file (or a folder of them) from the full-text release, with an id column
(id / Id / ID / tweet_id) and a text column (text / tweet / message / full_text). If it already
carries the label columns (abusive, offensive_aggregated, target_aggregated) they are used;
otherwise rows are joined on id with the label file of --split from the DALC repository. (The
full-text release's exact layout was not available to us; adjust --id-col / --text-col /
--label-file if your copy differs, and check the join on a few rows.)

Mapping to our `abuse` flag (data/GUIDELINES.md: insults, swearing at people, threats, hate
towards staff or others; NOT swearing at a situation without a target):
    abusive EXPLICIT/IMPLICIT                                   -> abuse: true
    offensive EXPLICIT/IMPLICIT with target INDIVIDUAL/GROUP/OTHER -> abuse: true
    offensive with target NOT (untargeted profanity)            -> abuse: false
    NOT                                                          -> abuse: false
The DALC labels are kept beside it (dalc_abusive, dalc_offensive, dalc_target). Handles become
@gebruiker, URLs https://voorbeeld.nl, and names [naam] (data/real/realtext.py).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import realtext as rt  # noqa: E402

ID_COLS = ("id", "Id", "ID", "tweet_id", "message_id")
TEXT_COLS = ("text", "tweet", "message", "full_text", "Text", "tweet_text")


def read_table(path: Path) -> list[dict]:
    files = (
        sorted(p for p in path.rglob("*") if p.suffix.lower() in (".csv", ".tsv"))
        if path.is_dir()
        else [path]
    )
    rows = []
    for f in files:
        with open(f, encoding="utf-8", newline="") as fh:
            sample = fh.read(4096)
            fh.seek(0)
            delim = (
                "\t"
                if f.suffix.lower() == ".tsv" or sample.count("\t") > sample.count(",")
                else ","
            )
            for r in csv.DictReader(fh, delimiter=delim):
                r["_file"] = f.name
                rows.append(r)
    return rows


def pick(row: dict, names, given: str | None) -> str | None:
    if given:
        return given if given in row else None
    return next((c for c in names if c in row), None)


def to_abuse(abusive: str, offensive: str, target: str) -> bool:
    abusive, offensive, target = (
        (abusive or "NOT").upper(),
        (offensive or "NOT").upper(),
        (target or "").upper(),
    )
    if abusive in ("EXPLICIT", "IMPLICIT"):
        return True
    return offensive in ("EXPLICIT", "IMPLICIT") and target in ("INDIVIDUAL", "GROUP", "OTHER")


def build(args) -> dict:
    full = read_table(args.fulltext)
    if not full:
        raise SystemExit(f"no rows read from {args.fulltext}")
    id_col = pick(full[0], ID_COLS, args.id_col)
    text_col = pick(full[0], TEXT_COLS, args.text_col)
    if not id_col or not text_col:
        raise SystemExit(
            f"cannot find id/text columns in {sorted(full[0])}; use --id-col/--text-col"
        )
    has_labels = all(c in full[0] for c in ("abusive", "offensive_aggregated"))
    labels = {}
    if not has_labels:
        label_file = args.label_file or (args.dalc / "v2.0" / "data" / f"DALC-2_{args.split}.csv")
        with open(label_file, encoding="utf-8", newline="") as fh:
            labels = {r["id"]: r for r in csv.DictReader(fh)}
    masker = rt.NameMasker(rt.lowercase_vocab(r[text_col] for r in full))
    reserved = rt.reserved_hashes()
    rows, seen = [], set()
    dropped = {"no_label": 0, "duplicate": 0, "reserved": 0, "empty": 0}
    for r in full:
        lab = r if has_labels else labels.get(str(r[id_col]).strip())
        if lab is None:
            dropped["no_label"] += 1
            continue
        text = rt.clean_ws(r[text_col] or "")
        if not text:
            dropped["empty"] += 1
            continue
        admitted = rt.admit(text, masker, seen, reserved, dropped)
        if admitted is None:
            continue
        text, kinds = admitted
        rows.append(
            {
                "id": f"abuse-dalc-{args.split}-{str(r[id_col]).strip()}",
                "text": text,
                "abuse": to_abuse(
                    lab.get("abusive"),
                    lab.get("offensive_aggregated"),
                    lab.get("target_aggregated"),
                ),
                "dalc_abusive": lab.get("abusive"),
                "dalc_offensive": lab.get("offensive_aggregated"),
                "dalc_target": lab.get("target_aggregated") or None,
                "platform": "x",
                "source": "dalc-v2",
                "source_ref": f"{r['_file']}#{r[id_col]}",
                "licence": "DALC full text: Data Sharing Agreement; not redistributable",
                "pseudonymised": kinds,
            }
        )
    rt.write_jsonl(args.out, rows)
    return {
        "rows": len(rows),
        "abuse": rt.summary(rows, "abuse"),
        "dropped": dropped,
        "out": str(args.out),
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--dalc", type=Path, required=True, help="clone of tommasoc80/DALC (label files)"
    )
    ap.add_argument(
        "--fulltext", type=Path, required=True, help="DALC full-text file or folder (DSA)"
    )
    ap.add_argument("--split", choices=("train", "dev", "test"), default="test")
    ap.add_argument("--label-file", type=Path, default=None)
    ap.add_argument("--id-col", default=None)
    ap.add_argument("--text-col", default=None)
    ap.add_argument("--out", type=Path, default=HERE / "local" / "abuse-dalc.jsonl")
    args = ap.parse_args()
    print(build(args))


if __name__ == "__main__":
    main()
