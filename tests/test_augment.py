import random

from responder.model.augment import (
    augment,
    drop_punctuation,
    noisy,
    stretch,
    strip_accents,
    typos,
)

TEXT = "Financiële zaken: één keer per maand, zegt u? Het eten was lauw."


def test_strip_accents_keeps_letters() -> None:
    assert strip_accents("één financiële café", random.Random(0)) == "een financiele cafe"


def test_drop_punctuation_only_at_word_ends() -> None:
    assert drop_punctuation("Hoi, 3.5 euro? Ja!", random.Random(0)) == "Hoi 3.5 euro Ja"


def test_typos_change_at_most_two_letters_per_word() -> None:
    rng = random.Random(3)
    for _ in range(50):
        out = typos(TEXT, rng)
        assert out != TEXT
        assert abs(len(out) - len(TEXT)) <= 2
        assert out.split()[0][0] == "F"  # first letter of a word is never touched


def test_stretch_repeats_a_last_letter() -> None:
    out = stretch("echt", random.Random(1))
    assert out.startswith("echt") and set(out[4:]) == {"t"} and 6 <= len(out) <= 8


def test_noisy_is_seeded_and_never_empty() -> None:
    a = [noisy(TEXT, random.Random(7)) for _ in range(3)]
    b = [noisy(TEXT, random.Random(7)) for _ in range(3)]
    assert a == b
    assert all(noisy("!", random.Random(s)).strip() for s in range(50))


def test_augment_probability() -> None:
    texts = [TEXT] * 400
    assert augment(texts, 0.0, random.Random(1)) is texts
    changed = sum(t != TEXT for t in augment(texts, 0.5, random.Random(1)))
    assert 120 < changed < 220  # about half are picked; a few picked texts come out the same
