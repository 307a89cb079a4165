"""Build the word lists that the noun-phrase reader (``responder/advice/things.py``) uses, from
the Universal Dependencies Dutch treebanks (UD_Dutch-Alpino and UD_Dutch-LassySmall, CC BY-SA
4.0; the dev and test files).

    python data/lexicon/build_words.py --sources /path/with/UD_Dutch-Alpino,UD_Dutch-LassySmall

Writes ``responder/advice/words/nouns.txt`` (lower-case word forms tagged NOUN at least once,
each with the article its singular takes in the treebanks: ``de``, ``het``, ``de/het`` or ``-``
for a form seen only in the plural)
and ``responder/advice/words/not_nouns.txt`` (forms tagged only as verb, auxiliary, adverb,
adjective, adposition, pronoun, determiner, conjunction or numeral, never as a noun or name).
Only alphabetic forms of at least three letters; both lists sorted, one word a line.
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "responder" / "advice" / "words"
OTHER = ("VERB", "AUX", "ADV", "ADJ", "ADP", "PRON", "DET", "SCONJ", "CCONJ", "NUM")
HEADER = (
    "# {what}: lower-case Dutch word forms from the UD Dutch treebanks Alpino and LassySmall\n"
    "# (dev and test files; CC BY-SA 4.0, https://universaldependencies.org). This list is a\n"
    "# derived work under the same licence. Built by data/lexicon/build_words.py.\n"
)


def read_forms(sources: Path) -> tuple[dict[str, Counter[str]], dict[str, set[str]]]:
    tags: dict[str, Counter[str]] = defaultdict(Counter)
    genders: dict[str, set[str]] = defaultdict(set)
    for name in ("UD_Dutch-Alpino", "UD_Dutch-LassySmall"):
        files = sorted((sources / name).glob("*.conllu"))
        if not files:
            raise SystemExit(f"geen .conllu-bestanden in {sources / name}")
        for path in files:
            for line in path.read_text(encoding="utf-8").splitlines():
                cols = line.split("\t")
                if len(cols) == 10 and cols[0].isdigit():
                    tags[cols[1].lower()][cols[3]] += 1
                    feats = cols[5].split("|")
                    if cols[3] == "NOUN" and "Number=Sing" in feats:
                        for feat, article in (("Gender=Com", "de"), ("Gender=Neut", "het")):
                            if feat in feats:
                                genders[cols[1].lower()].add(article)
    return tags, genders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    tags, genders = read_forms(args.sources)
    usable = {w: c for w, c in tags.items() if w.isalpha() and len(w) >= 3}
    nouns = sorted(
        f"{w}\t{'/'.join(sorted(genders[w])) or '-'}" for w, c in usable.items() if c["NOUN"]
    )
    others = sorted(
        w
        for w, c in usable.items()
        if not c["NOUN"] and not c["PROPN"] and any(c[p] for p in OTHER)
    )
    args.out.mkdir(parents=True, exist_ok=True)
    for name, words, what in (
        ("nouns.txt", nouns, "Forms tagged NOUN at least once"),
        ("not_nouns.txt", others, "Forms never tagged NOUN or PROPN"),
    ):
        text = HEADER.format(what=what) + "".join(w + "\n" for w in words)
        (args.out / name).write_text(text, encoding="utf-8")
        print(f"{name}: {len(words)} words")


if __name__ == "__main__":
    main()
