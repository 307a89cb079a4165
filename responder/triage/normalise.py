"""Clean a comment before triage, and refuse input that cannot be triaged."""

import re
import unicodedata

from responder.errors import InputError

INVISIBLE = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u2060\ufeff]")
SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
"""Half of a UTF-16 pair on its own (JSON's ``"\\ud800"``, a mis-decoded file): not a character,
and no encoder can write it. Replaced by U+FFFD, the replacement character."""


def without_surrogates(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD, so it can be encoded as UTF-8."""
    return LONE_SURROGATE.sub("\ufffd", text)


def normalise(text: str) -> str:
    """NFC, invisible characters removed, runs of spaces collapsed, ends trimmed."""
    text = unicodedata.normalize("NFC", without_surrogates(text))
    text = INVISIBLE.sub("", text)
    text = SPACES.sub(" ", text)
    return text.strip()


def check_text(text: object, max_chars: int) -> str:
    """The normalised text, or an :class:`InputError` that says what is wrong with it."""
    if not isinstance(text, str):
        raise InputError("De tekst moet een tekenreeks zijn.")
    clean = normalise(text)
    if not clean:
        raise InputError("De tekst is leeg: geef de reactie op die beoordeeld moet worden.")
    if len(clean) > max_chars:
        raise InputError(
            f"De tekst is te lang ({len(clean)} tekens; maximaal {max_chars}). "
            "Kort hem in, of verdeel hem over meer dan één reactie."
        )
    return clean
