"""Detectors that need no trained model: the comment's language and its form of address.

Language: lingua's statistical detector, corrected by a list of distinctly Dutch (and Flemish)
words, because short comments ("super bedankt!", "Top service weer 🙄") fool statistics alone.
Non-Dutch comments are flagged so that Dutch labels are not forced onto them.

Register: the commenter's own forms of address. ``u``/``uw`` point to the polite register,
``je``/``jij``/``jullie``/``ge``/``gij`` to the informal one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

WORD = re.compile(r"(?<![^\W_])[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
"""A word; letters glued to a number are not one ("6u" is Flemish for six o'clock, not "u";
"5min", "3weken")."""

DUTCH_MARKERS = frozenset(
    {
        "alles",
        "allez",
        "als",
        "altijd",
        "amai",
        "bedankt",
        "ben",
        "bent",
        "besteld",
        "bestelling",
        "betaald",
        "bezorger",
        "bezorging",
        "bij",
        "da's",
        "daar",
        "dagen",
        "dan",
        "dank",
        "dankjewel",
        "dankuwel",
        "dat",
        "deze",
        "dit",
        "dus",
        "echt",
        "een",
        "er",
        "erg",
        "even",
        "factuur",
        "fijn",
        "gaan",
        "gaat",
        "ge",
        "geen",
        "gekregen",
        "geld",
        "gewoon",
        "gij",
        "gisteren",
        "goed",
        "graag",
        "hadden",
        "heb",
        "hebben",
        "heeft",
        "heel",
        "het",
        "hier",
        "hoe",
        "iets",
        "ik",
        "ja",
        "je",
        "jij",
        "jongens",
        "jouw",
        "jullie",
        "kan",
        "klantenservice",
        "krijg",
        "krijgen",
        "kunnen",
        "kunt",
        "leuk",
        "levering",
        "lukt",
        "maar",
        "mijn",
        "moet",
        "moeten",
        "mooi",
        "morgen",
        "naar",
        "nee",
        "niet",
        "niets",
        "niks",
        "nog",
        "nooit",
        "nu",
        "om",
        "omdat",
        "ook",
        "pakket",
        "pakketje",
        "slecht",
        "storing",
        "terug",
        "toch",
        "uw",
        "van",
        "vandaag",
        "voor",
        "waar",
        "waarom",
        "wacht",
        "wachten",
        "wanneer",
        "want",
        "waren",
        "wat",
        "weer",
        "weet",
        "weken",
        "wel",
        "welke",
        "werkt",
        "wie",
        "wil",
        "willen",
        "wilt",
        "worden",
        "wordt",
        "zal",
        "zeg",
        "zelfs",
        "zo",
        "zou",
    }
)

SHARED_MARKERS = {
    "de": frozenset(
        {"alles", "als", "dank", "echt", "geld", "hier", "ja", "waren", "wie", "worden"}
    ),
    "en": frozenset({"ben", "dan", "er", "even", "van", "want", "wie"}),
    "fr": frozenset({"je", "allez"}),
}
"""Dutch markers that are also common words of another language ("wie", "Geld", "alles" in
German; "even", "want" in English; "je" in French): they do not count for Dutch when lingua prefers that
language, or "Wie bekomme ich das Geld zurück?" would read as Dutch."""

REGISTER_U = frozenset({"u", "uw", "u'"})
FORMAL_LETTER = re.compile(r"\bgeachte\b|met vriendelijke groet|hoogachtend", re.IGNORECASE)
"""A letter's formal salutation or closing: a polite writer, whatever pronouns follow."""
REGISTER_JE = frozenset({"je", "jij", "jou", "jouw", "jullie", "ge", "gij", "gulle", "jou'"})

# Languages a Dutch or Flemish organisation plausibly sees in its comments.
LANGUAGES = (
    "DUTCH",
    "ENGLISH",
    "GERMAN",
    "FRENCH",
    "SPANISH",
    "ITALIAN",
    "PORTUGUESE",
    "TURKISH",
    "POLISH",
    "ARABIC",
)


@dataclass(frozen=True)
class Detected:
    label: str
    probability: float


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(
        *(getattr(Language, n) for n in LANGUAGES)
    ).build()


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def detect_language(text: str) -> Detected:
    """ISO 639-1 code with a probability; ``und`` when there are no words to judge."""
    return detect_languages([text])[0]


def detect_languages(texts: Sequence[str]) -> list[Detected]:
    """:func:`detect_language` for many texts; lingua scores them in one parallel call, which
    is several times faster than one call per text (same values)."""
    tokens = [words(t) for t in texts]
    judged = [i for i, ts in enumerate(tokens) if any(len(t) >= 2 for t in ts)]
    out = [Detected("und", 0.0)] * len(texts)
    if not judged:
        return out
    detector = _detector()
    if len(judged) == 1:
        all_confidences = [detector.compute_language_confidence_values(texts[judged[0]])]
    else:
        all_confidences = detector.compute_language_confidence_values_in_parallel(
            [texts[i] for i in judged]
        )
    for i, confidences in zip(judged, all_confidences, strict=True):
        scores = {c.language.iso_code_639_1.name.lower(): float(c.value) for c in confidences}
        out[i] = _decide(tokens[i], scores)
    return out


def _decide(tokens: list[str], scores: dict[str, float]) -> Detected:
    top = max(scores, key=lambda k: scores[k]) if scores else "nl"
    shared = SHARED_MARKERS.get(top, frozenset())
    markers = sum(t in DUTCH_MARKERS and t not in shared for t in tokens)
    nl = scores.get("nl", 0.0)
    if top == "nl":
        return Detected("nl", round(max(nl, 0.5), 3))
    if markers >= 2 or (markers == 1 and scores[top] < 0.6):
        return Detected("nl", round(min(0.99, 0.5 + 0.15 * markers + nl / 2), 3))
    if scores[top] >= 0.4 and len(tokens) >= 3:
        return Detected(top, round(scores[top], 3))
    # Too little evidence either way: a Dutch organisation's comment is most likely Dutch.
    return Detected("nl", round(max(nl, 0.34), 3))


def detect_register(text: str) -> Detected:
    """``u``, ``je`` or ``unknown``, with the share of address forms that agree."""
    tokens = words(text)
    flemish = any(t in {"ge", "gij"} for t in tokens)
    # Flemish "ge/gij" pairs with "u" and "uw" in the informal register ("hebt ge u al eens
    # afgevraagd", "hebt ge uw pakket al?").
    polite = sum(t in REGISTER_U and not (flemish and t in ("u", "uw")) for t in tokens)
    polite += bool(FORMAL_LETTER.search(text))
    # "jullie" also names the organisation beside a polite "u" ("Jullie monteur kwam niet. Kunt
    # u mij bellen?"): it counts as je only for a writer who never says u.
    informal = sum(t in REGISTER_JE and not (polite and t == "jullie") for t in tokens)
    if polite == informal:
        return Detected("unknown", 1.0 if polite == 0 else 0.5)
    label = "u" if polite > informal else "je"
    return Detected(label, round(max(polite, informal) / (polite + informal), 3))
