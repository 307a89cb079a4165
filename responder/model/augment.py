"""Noise that real comments have and the team's written data lacks: lower case, no accents,
typos, missing punctuation, stretched words, emoji, shouting. Applied to a training text with
some probability each epoch, so that the model learns the label, not the team's tidy spelling.

Every change keeps the meaning (and so the labels): no words are added, swapped or negated."""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable

MARKS = ("!!", "...", "??", "🤷", "👀", "🙈")
"""Marks without a mood of their own: a smiley could turn a complaint sarcastic."""
WORD = re.compile(r"\w+", re.UNICODE)
PUNCTUATION = re.compile(r"[.,;:!?]+(?=\s|$)")


def lower_case(text: str, rng: random.Random) -> str:
    return text.lower()


def strip_accents(text: str, rng: random.Random) -> str:
    """'één', 'financiële' → 'een', 'financiele' (phones and hurried typists)."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def drop_punctuation(text: str, rng: random.Random) -> str:
    return PUNCTUATION.sub("", text)


def typos(text: str, rng: random.Random) -> str:
    """One or two slips in words of four letters or more: a letter dropped, doubled or two
    neighbours swapped."""
    words = [m for m in WORD.finditer(text) if len(m.group()) >= 4]
    if not words:
        return text
    chars = list(text)
    for match in sorted(
        rng.sample(words, min(len(words), rng.randint(1, 2))), key=lambda m: -m.start()
    ):
        i = rng.randrange(match.start() + 1, match.end() - 1)
        kind = rng.randrange(3)
        if kind == 0:
            del chars[i]
        elif kind == 1:
            chars.insert(i, chars[i])
        else:
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def stretch(text: str, rng: random.Random) -> str:
    """'echt' → 'echttt': a stretched last letter in one word."""
    words = [m for m in WORD.finditer(text) if len(m.group()) >= 3 and m.group().isalpha()]
    if not words:
        return text
    m = rng.choice(words)
    return text[: m.end()] + m.group()[-1] * rng.randint(2, 4) + text[m.end() :]


def add_emoji(text: str, rng: random.Random) -> str:
    return f"{text} {rng.choice(MARKS)}"


def shout(text: str, rng: random.Random) -> str:
    return text.upper() if len(text) < 200 else text


NOISES: tuple[tuple[Callable[[str, random.Random], str], float], ...] = (
    (lower_case, 0.5),
    (strip_accents, 0.3),
    (drop_punctuation, 0.4),
    (typos, 0.4),
    (stretch, 0.15),
    (add_emoji, 0.2),
    (shout, 0.05),
)
"""Each noise with its chance, applied independently (a noisy text usually gets two or three)."""


def noisy(text: str, rng: random.Random) -> str:
    """``text`` with a random mix of the noises above; never empty."""
    out = text
    for noise, chance in NOISES:
        if rng.random() < chance:
            out = noise(out, rng)
    return out if out.strip() else text


def augment(texts: list[str], probability: float, rng: random.Random) -> list[str]:
    """Each text replaced by a noisy copy with ``probability`` (the others unchanged)."""
    if probability <= 0:
        return texts
    return [noisy(t, rng) if rng.random() < probability else t for t in texts]
