"""The triage service over the Classifier protocol (fake model)."""

import pytest

from responder.config import Settings
from responder.errors import InputError
from responder.protocols import Classifier
from responder.triage.service import TriageService


def test_fake_satisfies_the_protocol(fake_classifier) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(fake_classifier, Classifier)


def test_triage_combines_model_and_detectors(fake_classifier) -> None:  # type: ignore[no-untyped-def]
    service = TriageService(fake_classifier, Settings())
    t = service.triage(
        "Mijn pakket is niet geleverd, kunt u mij helpen? Anders bel ik mijn advocaat."
    )
    d = t.to_dict()
    assert d["sentiment"] == {"label": "negative", "probability": 0.8, "name": "negatief"}
    assert d["flags"] == [
        {
            "label": "legal_threat",
            "probability": 0.9,
            "evidence": ["advocaat"],
            "name": "juridische dreiging",
        }
    ]
    assert d["flag_probabilities"]["abuse"] == 0.05
    assert d["language"]["label"] == "nl" and d["language"]["is_dutch"] is True
    assert d["register"]["label"] == "u"
    assert d["low_confidence"] == ["topic"]  # 0.3 < 0.5


def test_non_dutch_is_flagged_not_labelled(fake_classifier) -> None:  # type: ignore[no-untyped-def]
    service = TriageService(fake_classifier, Settings())
    t = service.triage("Where is my parcel? I ordered it two weeks ago and nobody answers.")
    assert t.sentiment is None and t.intent is None and t.topic is None and t.flags == []
    assert t.language.label == "en" and not t.is_dutch
    assert "Nederlands" in t.notes[0]
    assert fake_classifier.calls == [[]]  # the model never saw it


def test_text_is_normalised_before_the_model(fake_classifier) -> None:  # type: ignore[no-untyped-def]
    TriageService(fake_classifier, Settings()).triage("  top\u200b  service  ")
    assert fake_classifier.calls[-1] == ["top service"]


@pytest.mark.parametrize("text", ["", "   ", "x" * 6000])
def test_bad_text_raises_input_error(fake_classifier, text: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError):
        TriageService(fake_classifier, Settings(max_text_chars=5000)).triage(text)


def test_every_raised_flag_names_the_words_that_triggered_it(fake_classifier) -> None:  # type: ignore[no-untyped-def]
    from responder.config import Settings
    from responder.triage.service import TriageService

    service = TriageService(fake_classifier, Settings())
    calm, angry = service.triage_many(
        [
            "Mijn pakket is er nog niet, wanneer komt het?",
            "Mijn pakket is zoek, ik schakel een advocaat in!",
        ]
    )
    assert calm.flags == []
    (flag,) = angry.flags
    assert flag.label == "legal_threat" and flag.evidence == ["advocaat"]
    assert angry.to_dict()["flags"][0]["evidence"] == ["advocaat"]
    # one extra model call for the flagged comment only, one text per content word left out
    # (pakket, zoek, schakel, advocaat: function words such as "ik", "een", "in" are skipped)
    assert [len(c) for c in fake_classifier.calls] == [2, 4]


def test_function_words_are_never_occluded() -> None:
    from responder.triage.evidence import pieces

    text = "Ik ga naar de krant als het niet snel geregeld wordt"
    assert [text[a:b] for a, b in pieces(text)] == ["ga", "krant", "snel", "geregeld"]


def test_a_long_comment_is_explained_in_pieces() -> None:
    from responder.triage.evidence import MAX_PIECES, pieces

    text = " ".join(f"woord{i}" for i in range(200))
    spans = pieces(text)
    assert len(spans) <= MAX_PIECES
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a < b for a, b in spans)
