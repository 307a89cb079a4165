import pytest

from responder.errors import InputError
from responder.triage.normalise import check_text, normalise


def test_normalise_removes_invisible_characters_and_collapses_spaces() -> None:
    assert normalise("  hallo\u200b   wereld\u00a0!\ufeff ") == "hallo wereld !"


def test_normalise_composes_accents() -> None:
    assert normalise("cafe\u0301") == "café"


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u200b", "\n\t"])
def test_empty_text_is_refused(text: str) -> None:
    with pytest.raises(InputError, match="leeg"):
        check_text(text, 100)


def test_huge_text_is_refused_not_cut() -> None:
    with pytest.raises(InputError, match="te lang"):
        check_text("a" * 101, 100)


def test_non_string_is_refused() -> None:
    with pytest.raises(InputError):
        check_text(42, 100)
