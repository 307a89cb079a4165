"""Language and register detection without the model (table-driven)."""

import pytest

from responder.triage.detect import detect_language, detect_languages, detect_register


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Al drie weken wacht ik op mijn pakket", "nl"),
        ("Top service weer 🙄", "nl"),
        ("super bedankt!", "nl"),
        ("ge zijt ne zot, allez amai", "nl"),
        ("Waarom reageren jullie niet op mijn mail?", "nl"),
        ("Where is my parcel? I ordered it two weeks ago and nobody answers.", "en"),
        ("Wo ist mein Paket? Ich warte seit zwei Wochen auf eine Antwort.", "de"),
        ("Mon colis n'est jamais arrivé et personne ne répond au téléphone.", "fr"),
        # "je" is a Dutch marker, but also French for "I".
        ("Bonjour, je viens d'emménager à Liège et je n'ai toujours pas d'électricité.", "fr"),
        ("Merci voor je hulp, je bent top", "nl"),
        # "Wie" and "Geld" are Dutch markers too; they must not make German read as Dutch.
        (
            "Guten Tag, ich habe meine Rechnung zweimal bezahlt. Wie bekomme ich das Geld zurück?",
            "de",
        ),
        ("I want to know why my parcel is late, even after two weeks", "en"),
        ("Wie heeft mijn geld van de rekening gehaald?", "nl"),
        ("Ich warte echt schon lange, das ist echt nicht ok", "de"),
        ("!!!", "und"),
        ("😡😡😡", "und"),
    ],
)
def test_language(text: str, language: str) -> None:
    assert detect_language(text).label == language


def test_many_at_once_equals_one_by_one() -> None:
    """The batch call (lingua in parallel) gives exactly what one call per text gives."""
    texts = [
        "Al drie weken wacht ik op mijn pakket",
        "😡😡😡",
        "Where is my parcel? I ordered it two weeks ago and nobody answers.",
        "super bedankt!",
        "",
        "Mon colis n'est jamais arrivé et personne ne répond au téléphone.",
        "ok",
    ]
    assert detect_languages(texts) == [detect_language(t) for t in texts]
    assert [d.label for d in detect_languages(texts)][:4] == ["nl", "und", "en", "nl"]
    assert detect_languages([]) == []


@pytest.mark.parametrize(
    ("text", "register"),
    [
        ("Kunt u mij vertellen waar mijn pakket is?", "u"),
        ("Heeft u uw factuur al ontvangen? Ik de mijne niet.", "u"),
        ("Kun je me even helpen?", "je"),
        ("Jullie zijn echt waardeloos", "je"),
        ("Hebt ge uw pakket al gekregen?", "je"),
        ("Hebt ge u al eens afgevraagd waarom niemand nog bij u bestelt?", "je"),
        ("Pakket kwijt.", "unknown"),
        ("U zegt dit, maar jij zegt dat", "unknown"),
        ("UW KLANTENSERVICE IS TRAAG", "u"),
        ("jeetje wat traag", "unknown"),
        ("Kan da nie na 7u? Ze legen de containers om 6u al.", "unknown"),  # 6u: six o'clock
        ("Na 5min kreeg ik 10uu te horen", "unknown"),  # letters glued to a number: no word
        ("Geachte heer/mevrouw, kunnen jullie mij helpen?", "u"),  # a formal letter
        ("Jullie monteur kwam niet. Kunt u mij terugbellen?", "u"),  # jullie names the company
    ],
)
def test_register(text: str, register: str) -> None:
    assert detect_register(text).label == register


def test_register_probability_reflects_agreement() -> None:
    mixed = detect_register("Kunt u dit oplossen? Jij beloofde het en u zei het zelf")
    assert mixed.label == "u"
    assert mixed.probability == pytest.approx(2 / 3, abs=0.01)


def test_language_probability_is_rounded() -> None:
    p = detect_language("Al drie weken wacht ik op mijn pakket").probability
    assert p == round(p, 3)
