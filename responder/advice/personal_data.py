"""The one personal-data detector: e-mail addresses, phone numbers, IBANs, postcodes, street
addresses and order or customer numbers in a Dutch text.

The plan uses it to hide a comment that shows personal data, the ranking to see that a fact is
already given, and the guardrails to keep personal data out of public replies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PATTERNS: dict[str, re.Pattern[str]] = {
    "e-mailadres": re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),
    "telefoonnummer": re.compile(
        r"(?<!\w)(\+|00)\d{2}[\s-]?\d([\s-]?\d){7,10}\b|\b0\d([\s-]?\d){8}\b"
    ),
    "IBAN": re.compile(r"\b[A-Z]{2}\d{2}\s?[A-Z]{4}(\s?\d{2,4}){2,5}\b", re.IGNORECASE),
    "postcode": re.compile(r"\b[1-9]\d{3}\s?(?!SA|SD|SS)[A-Z]{2}\b"),
    "adres": re.compile(
        r"\b[A-Z][a-z]+(straat|laan|weg|plein|gracht|kade|dreef|singel|steeg|dijk|pad)\s+\d+",
    ),
    "order- of klantnummer": re.compile(r"(?<![\w/.-])#?\d{6,}\b"),
}
"""Each kind of personal data (its Dutch name) and how it is recognised, in the order in which
``find_personal_data`` lists them (the guardrail names the first)."""


@dataclass(frozen=True)
class Match:
    kind: str
    """The Dutch name of the kind, a key of ``PATTERNS`` ("telefoonnummer")."""
    text: str
    start: int
    end: int


def find_personal_data(text: str) -> list[Match]:
    """Every piece of personal data in ``text``, by kind in the order of ``PATTERNS`` and within a
    kind in reading order; empty when there is none. One piece may match two kinds (a phone
    number is also a long number)."""
    return [
        Match(kind, m.group(0), m.start(), m.end())
        for kind, pattern in PATTERNS.items()
        for m in pattern.finditer(text)
    ]
