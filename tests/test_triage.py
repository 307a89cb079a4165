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
    assert d["flags"] == [{"label": "legal_threat", "probability": 0.9}]
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
