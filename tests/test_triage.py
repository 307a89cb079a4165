"""The triage service over the Classifier protocol (fake model)."""

import pytest

from responder.config import Settings
from responder.errors import InputError
from responder.protocols import Classifier, HeadScores
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
    calm, angry, odd = service.triage_many(
        [
            "Mijn pakket is er nog niet, wanneer komt het?",
            "Mijn pakket is zoek, ik schakel een advocaat in!",
            "Mijn stofzuiger doet raar sinds gisteren",
        ]
    )
    assert calm.flags == []
    (flag,) = angry.flags
    assert flag.label == "legal_threat" and flag.evidence == ["advocaat"]
    assert angry.to_dict()["flags"][0]["evidence"] == ["advocaat"]
    # the safety flag has no telling word: its evidence comes from leaving each content word out
    (possible,) = odd.possible_flags
    assert possible.label == "safety" and possible.evidence == ["stofzuiger"]
    # extra model calls only for the comment whose flag no telling word explains: its five
    # content words ("mijn" is skipped) in three pieces, then the piece that held the flag
    # ("stofzuiger doet") word by word; the legal threat is explained by "advocaat" at no cost
    assert [len(c) for c in fake_classifier.calls] == [3, 3, 2]


def test_a_long_comment_is_explained_in_rounds(fake_classifier) -> None:  # type: ignore[no-untyped-def]
    from responder.triage.evidence import FIRST_PARTS, MAX_PIECES, flag_evidence

    words = [f"woord{i}" for i in range(40)]
    words[27] = "stofzuiger"
    text = " ".join(words)
    (scores,) = fake_classifier.predict([text])
    fake_classifier.calls.clear()
    (found,) = flag_evidence(fake_classifier, [text], [scores])
    assert found == {"safety": ["woord26 stofzuiger woord28"]}
    # first the comment in 4 parts of 10 words, then the part that held the flag in 4 pieces of
    # at most 3 words; there it stops (two rounds): 8 texts instead of 40
    assert [len(c) for c in fake_classifier.calls] == [FIRST_PARTS, MAX_PIECES] == [4, 4]


def test_a_held_back_flag_is_explained_in_one_round(fake_classifier) -> None:  # type: ignore[no-untyped-def]
    """A flag that does not act (no telling word) shows the part of the comment the model read
    it in, for at most four extra texts; an acting flag is narrowed down further."""
    from responder.triage.evidence import FIRST_PARTS, flag_evidence

    words = [f"woord{i}" for i in range(40)]
    words[27] = "stofzuiger"
    text = " ".join(words)
    (scores,) = fake_classifier.predict([text])
    fake_classifier.calls.clear()
    (found,) = flag_evidence(fake_classifier, [text], [scores], brief=[{"safety"}])
    assert found == {"safety": [" ".join(words[20:30])]}
    assert [len(c) for c in fake_classifier.calls] == [FIRST_PARTS]
    fake_classifier.calls.clear()
    (found,) = flag_evidence(fake_classifier, [text], [scores], brief=[{"legal_threat"}])
    assert found == {"safety": ["woord26 stofzuiger woord28"]}
    assert len(fake_classifier.calls) == 2


def test_only_the_asked_flags_are_explained(fake_classifier) -> None:  # type: ignore[no-untyped-def]
    from responder.triage.evidence import flag_evidence

    text = "Mijn stofzuiger is kapot, ik schakel een advocaat in"
    (scores,) = fake_classifier.predict([text])
    fake_classifier.calls.clear()
    (found,) = flag_evidence(fake_classifier, [text], [scores], wanted=[{"safety"}])
    assert list(found) == ["safety"] and found["safety"][0] == "stofzuiger"
    assert flag_evidence(fake_classifier, [text], [scores], wanted=[set()]) == [{}]
    assert len(fake_classifier.calls) == 1  # nothing asked, nothing scored


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


def test_redundant_words_keep_the_part_that_held_them() -> None:
    # two insults, either enough for the flag: leaving out one word changes nothing, so the
    # evidence is the part of the comment that held both, not nothing
    from responder.protocols import HeadScores
    from responder.triage.evidence import flag_evidence

    class Either:
        def predict(self, texts: list[str], batch_size: int = 32) -> list[HeadScores]:
            return flag_by_words(texts, "abuse", ("hork", "kwal"))

    words = [f"woord{i}" for i in range(40)]
    words[21], words[24] = "hork", "kwal"
    text = " ".join(words)
    model = Either()
    (found,) = flag_evidence(model, [text], model.predict([text]))
    (shown,) = found["abuse"]
    assert "hork" in shown and "kwal" in shown


def test_evidence_asks_a_flag_scorer_for_the_flags_alone() -> None:
    """Occlusion reads only flags: a classifier that can score them alone (skipping a long
    text's sentiment pieces) is asked that way, and its answers are the ones used."""
    from responder.protocols import FlagScorer, HeadScores
    from responder.triage.evidence import flag_evidence

    def scores(texts: list[str]) -> list[HeadScores]:
        return flag_by_words(texts, "legal_threat", ("rechter",))

    class Scorer:
        def __init__(self) -> None:
            self.calls: list[str] = []

        def predict(self, texts: list[str], batch_size: int = 32) -> list[HeadScores]:
            self.calls.append("predict")
            return scores(texts)

        def predict_flags(self, texts: list[str], batch_size: int = 32) -> list[HeadScores]:
            self.calls.append("predict_flags")
            return scores(texts)

    model = Scorer()
    assert isinstance(model, FlagScorer)
    text = "Als dit zo doorgaat stap ik naar de rechter met dit dossier"
    (found,) = flag_evidence(model, [text], scores([text]))
    assert found["legal_threat"] == ["rechter"]
    assert model.calls and set(model.calls) == {"predict_flags"}


def flag_by_words(texts: list[str], flag: str, words: tuple[str, ...]) -> list[HeadScores]:
    """Scores with one ``flag`` raised (0.9) where a text holds one of ``words``, the rest low."""
    from responder.labels import FLAGS, INTENTS, SENTIMENTS, TOPICS

    single = {
        "sentiment": dict.fromkeys(SENTIMENTS, 0.3),
        "intent": dict.fromkeys(INTENTS, 0.2),
        "topic": dict.fromkeys(TOPICS, 0.1),
    }
    return [
        HeadScores(
            single=single,
            flags={f: 0.9 if f == flag and any(w in t for w in words) else 0.05 for f in FLAGS},
            thresholds=dict.fromkeys(FLAGS, 0.5),
        )
        for t in texts
    ]
