"""Telling words behind a P1 flag: a flag the model raises on an ordinary complaint, with nothing
in the comment that points at danger, a lawyer or the press, is shown but not escalated."""

from __future__ import annotations

import pytest

from responder.config import Settings
from responder.labels import FLAGS
from responder.triage.cues import (
    CHECKED_FLAGS,
    CUES,
    SURE_WITHOUT_CUE,
    corroborated,
    cue_words,
    escalating,
)
from responder.triage.service import TriageService


def test_every_p1_flag_is_checked_and_the_others_are_not() -> None:
    from responder.model.real_text import P1_FLAGS

    assert set(CHECKED_FLAGS) == {*P1_FLAGS, "abuse"}
    assert set(CHECKED_FLAGS) <= set(FLAGS)
    for flag, cues in CUES.items():
        assert len(cues) == len(set(cues)), f"{flag}: a telling word is listed twice"
        assert all(c == c.strip().lower() and c for c in cues)
    assert corroborated("Mijn pakket is er niet", "churn_threat", 0.6)


@pytest.mark.parametrize(
    ("text", "flag", "found"),
    [
        ("Het ruikt hier naar gas!", "safety", ["gas"]),
        ("Ik heb een notenallergie en toch zaten er noten in", "safety", ["allergi"]),
        ("De gasten in het hotel waren luidruchtig", "safety", []),  # 'gas' is a whole word
        ("Mijn reisgegevens staan nog steeds online", "privacy_incident", ["gegevens"]),
        ("Mijn advocaat stuurt u een brief", "legal_threat", ["advocaat"]),
        (
            "Ik stap naar de Geschillencommissie",
            "legal_threat",
            ["geschillencommissie", "commissie"],
        ),
        ("Ik stuur dit naar RTL Nieuws", "media_threat", ["nieuws", "rtl"]),
        ("Mijn robotstofzuiger rijdt alleen nog rondjes", "safety", []),
        ("De winterjas laat water door bij de naden", "safety", []),
    ],
)
def test_cue_words(text: str, flag: str, found: list[str]) -> None:
    assert sorted(cue_words(text, flag)) == sorted(found)


def test_a_flag_escalates_with_a_telling_word_or_when_the_model_is_nearly_certain() -> None:
    plain = "De robotstofzuiger die ik vorige maand kocht doet het niet meer"
    assert not corroborated(plain, "safety", 0.9)
    assert corroborated(plain, "safety", SURE_WITHOUT_CUE)
    assert corroborated(plain + ", en hij begon te roken", "safety", 0.7)
    probabilities = {"safety": 0.9, "legal_threat": 0.8, "churn_threat": 0.7}
    raised = ["safety", "legal_threat", "churn_threat"]
    assert escalating(plain + ". Mijn advocaat belt u.", raised, probabilities) == [
        "legal_threat",
        "churn_threat",
    ]


def test_the_service_shows_a_flag_without_a_telling_word_as_possible(fake_classifier) -> None:  # type: ignore[no-untyped-def]
    service = TriageService(fake_classifier, Settings())
    t = service.triage("Mijn nieuwe stofzuiger maakt een raar geluid")
    assert t.flags == []
    (possible,) = t.possible_flags
    assert possible.label == "safety" and possible.probability == 0.9
    assert possible.evidence == ["stofzuiger"]  # its words are still explained
    assert any("‘veiligheid’ niet geëscaleerd" in n for n in t.notes)
    d = t.to_dict()
    assert d["possible_flags"][0]["name"] == "veiligheid" and d["flags"] == []

    backed = service.triage("Mijn nieuwe stofzuiger begon te vonken en te roken")
    assert [f.label for f in backed.flags] == ["safety"] and backed.possible_flags == []

    unchecked = TriageService(fake_classifier, Settings(flag_cues=False))
    assert [f.label for f in unchecked.triage("Mijn nieuwe stofzuiger is stuk").flags] == ["safety"]


def test_the_setting_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESPONDER_FLAG_CUES", "false")
    assert Settings().flag_cues is False
    monkeypatch.delenv("RESPONDER_FLAG_CUES")
    assert Settings().flag_cues is True


def test_the_real_text_figures_count_only_escalating_flags(fake_classifier) -> None:  # type: ignore[no-untyped-def]
    from responder.model.real_text import false_alarms, flag_recall, raised

    texts = ["De stofzuiger is stuk", "De stofzuiger vonkt", "Gewoon een vraag"]
    scores = fake_classifier.predict(texts)
    assert raised(scores) == [{"safety"}, {"safety"}, set()]
    assert raised(scores, texts) == [{"safety"}, {"safety"}, set()]
    assert raised(scores, texts, escalating) == [set(), {"safety"}, set()]
    assert false_alarms(scores)["any_p1"] == round(2 / 3, 4)
    assert false_alarms(scores, texts=texts, escalate=escalating)["any_p1"] == round(1 / 3, 4)
    rows = [
        {"text": texts[0], "flags": []},
        {"text": texts[1], "flags": ["safety"]},
        {"text": texts[2], "flags": []},
    ]
    assert flag_recall(rows, scores)["unflagged_with_p1"]["share"] == 0.5
    checked = flag_recall(rows, scores, escalating)
    assert checked["unflagged_with_p1"]["share"] == 0.0
    assert checked["safety"]["recall"] == 1.0


def test_abuse_needs_an_insult_below_its_own_bar_and_an_insult_raises_it() -> None:
    from responder.triage.cues import ABUSE_FLOOR, SURE_ABUSE, raised_by_words

    plain = "Jullie irriteren me echt"
    assert not corroborated(plain, "abuse", SURE_ABUSE - 0.01)
    assert corroborated(plain, "abuse", SURE_ABUSE)
    assert corroborated("Stelletje prutsers zijn jullie", "abuse", 0.86)
    # an insult the model missed
    assert raised_by_words("Verdomde klootzak!", [], {"abuse": ABUSE_FLOOR}) == ["abuse"]
    assert raised_by_words("Verdomde klootzak!", [], {"abuse": ABUSE_FLOOR - 0.01}) == []
    assert raised_by_words("Verdomde klootzak!", ["abuse"], {"abuse": 0.9}) == []  # raised already
    # whole words only: a bag of mandarins is no insult, nor is "lullig" or a "wijfje"
    for innocent in ("Zak mandarijnen, half beschimmeld", "Wat lullig zeg", "Ons wijfje is ziek"):
        assert raised_by_words(innocent, [], {"abuse": 0.5}) == [], innocent
    assert escalating(
        "Hou je kop, sukkel", ["churn_threat"], {"churn_threat": 0.7, "abuse": 0.2}
    ) == [
        "churn_threat",
        "abuse",
    ]


def test_the_service_raises_abuse_on_an_insult_with_the_insult_as_evidence() -> None:
    from conftest import FakeClassifier

    class Lenient(FakeClassifier):
        """Gives abuse 0.2 to every text: below the threshold, above the floor."""

        def predict(self, texts, batch_size=32):  # type: ignore[no-untyped-def]
            out = super().predict(texts, batch_size)
            for s in out:
                s.flags["abuse"] = 0.2
            return out

    service = TriageService(Lenient(), Settings())
    (flag,) = service.triage("Wat een klootzak is die bezorger").flags
    assert flag.label == "abuse" and flag.evidence == ["klootzak"]
    assert service.triage("Waar blijft mijn pakket nou").flags == []
    assert TriageService(Lenient(), Settings(flag_cues=False)).triage("Klootzak").flags == []


@pytest.mark.parametrize(
    "text",
    [
        "Uw medewerker noemde mij gisteren ne 'profiteur' omdat ik korting vroeg",
        "De chauffeur riep 'vuile profiteur' naar mij",
        "Ik werd uitgemaakt voor sukkel door jullie kassière",
        "Ik ben een kluns, ik had de verkeerde maat besteld",
        "Ik werd behandeld alsof ik achterlijk was",
    ],
)
def test_an_insult_someone_else_said_is_no_abuse_by_the_commenter(text: str) -> None:
    from responder.triage.cues import raised_by_words

    assert cue_words(text, "abuse") == []
    assert raised_by_words(text, [], {"abuse": 0.5}) == []
    assert not corroborated(text, "abuse", 0.89)


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("Ik ben geschokt door jullie service", "safety"),  # not "schok"
        ("Ik wacht al een week op een reactie", "safety"),  # only "allergische reactie"
        ("Mevrouw, mijn transactie is mislukt", "discrimination"),
        ("Ik krijg jullie nieuwsbrief nog steeds", "media_threat"),
        ("Met het openbaar vervoer ben ik er pas om tien uur", "media_threat"),
        ("De automatische incasso ging weer mis", "legal_threat"),
        ("Valt dit nog onder de garantie?", "safety"),  # an idiom, not a fall
        ("De stroom viel vanochtend weer uit.", "safety"),  # an outage
        ("Het eten viel echt tegen", "safety"),
        ("Hij stootte per ongeluk zijn sap om", "safety"),  # by accident, no accident
        ("De beveiliger greep mijn arm", "safety"),  # "veilig" inside "beveiliger"
        # The customer's own (insurance) claim is no legal claim against us.
        ("Mijn polis zeg ik op zodra deze claim is betaald.", "legal_threat"),
        ("Hoe lang duurt het nog voor mijn claim voor de ruitschade rond is?", "legal_threat"),
    ],
)
def test_ordinary_words_do_not_back_a_flag(text: str, flag: str) -> None:
    assert cue_words(text, flag) == []


@pytest.mark.parametrize(
    "text",
    ["Mijn moeder viel op de grond", "Ik viel uit de bus", "Hij is gevallen", "Is dit veilig?"],
)
def test_a_real_fall_still_backs_safety(text: str) -> None:
    assert cue_words(text, "safety")


def test_a_claim_against_us_still_backs_a_legal_threat() -> None:
    assert "claim" in cue_words("Ik leg een claim bij jullie neer.", "legal_threat")


@pytest.mark.parametrize(
    "text", ["Ik ga jullie aanklagen.", "Dan span ik een kort geding aan", "Ik klaag jullie aan"]
)
def test_the_usual_legal_threats_are_backed(text: str) -> None:
    assert cue_words(text, "legal_threat")


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("Zoals afgesproken bel ik morgen terug", "safety"),  # not "roken"
        ("Mijn gegevens zijn opgeslagen, zei de medewerker", "safety"),  # not "geslagen"
        ("De gerechten waren koud", "legal_threat"),  # not "rechten"
        ("Wanneer komt de monteur voor de installatie?", "media_threat"),  # not "insta"
        ("Bij het treinstation was het druk", "media_threat"),
        ("Ik ben ingedeeld in de verkeerde groep", "media_threat"),  # not "gedeeld"
        ("Hebben jullie voorbeelden van een offerte?", "privacy_incident"),  # not "beelden"
    ],
)
def test_a_telling_word_inside_another_word_does_not_count(text: str, flag: str) -> None:
    assert cue_words(text, flag) == []


def test_a_telling_word_as_a_word_still_counts() -> None:
    assert cue_words("Ik ga dit op insta zetten", "media_threat") == ["insta"]
    assert cue_words("Een vrouw is beroofd en neergeslagen", "safety")
    assert cue_words("Hij heeft me geslagen", "safety") == ["geslagen"]


@pytest.mark.parametrize(
    "text",
    ["Ze viel onder de tram", "Hij viel op z'n hoofd", "Ik viel tegen de kast", "Hij viel uit bed"],
)
def test_a_fall_is_no_idiom(text: str) -> None:
    assert cue_words(text, "safety") == ["viel"]


def test_a_security_breach_is_a_privacy_word_not_a_safety_word() -> None:
    text = "Er is een beveiligingslek in jullie app"
    assert cue_words(text, "privacy_incident") == ["beveiligingslek"]
    assert cue_words(text, "safety") == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Vervang die marketingsukkels eens", ["sukkels"]),
        ("laffe censuurtrutten", ["trutten"]),
        ("Een amateuristische kluns", ["kluns"]),
        ("die graaiers van de directie", ["graaiers"]),
        ("Hoop dat ze erin stikken", ["hoop dat ze erin stikken"]),
    ],
)
def test_an_insult_at_the_end_of_a_compound_or_a_wish_of_harm_is_abuse(
    text: str, found: list[str]
) -> None:
    assert cue_words(text, "abuse") == found


@pytest.mark.parametrize(
    "text",
    [
        "Mijn schoen is kapot",  # "oen" is an insult only as a word
        "Een zak hooi is geen zak mandarijnen",  # the idiom counts, this checks nothing else does
        "De eikels vallen al van de bomen",
    ],
)
def test_only_listed_insults_end_a_compound(text: str) -> None:
    assert all(w in ("zak hooi", "eikels") for w in cue_words(text, "abuse"))


@pytest.mark.parametrize(
    ("text", "wish"),
    [
        ("Ik hoop dat jullie hele callcenter afbrandt", True),
        ("Ik hoop dat je onder een tram komt.", True),
        ("bang dat mijn kind onder een bus komt", False),  # a worry, not a wish
        ("ik hoop niet dat het huis van de buren afbrandt", False),
        ("Ik hoop dat het pakket snel komt", False),
    ],
)
def test_a_wish_of_harm_is_abuse_and_a_worry_is_not(text: str, wish: bool) -> None:
    assert bool(cue_words(text, "abuse")) is wish


@pytest.mark.parametrize(
    ("text", "flag", "shown"),
    [
        ("Mijn dochter kreeg een notenallergie van jullie reep", "safety", ["notenallergie"]),
        ("Ik ruik gas, de gasten van de monteur zijn al weg", "safety", ["gas"]),
        (
            "Mijn advocaat stuurt jullie een ingebrekestelling",
            "legal_threat",
            ["advocaat", "ingebrekestelling"],
        ),
        ("wat een marketingsukkels", "abuse", ["marketingsukkels"]),
        (
            "Ik zeg mijn abonnement op en stap over naar de concurrent",
            "churn_threat",
            ["Ik zeg mijn abonnement op", "en stap over", "concurrent"],
        ),
        ("Ik zet het abonnement stop.", "churn_threat", ["Ik zet het abonnement stop"]),
        ("Mijn ADVOCAAT hoort hiervan", "legal_threat", ["ADVOCAAT"]),  # as written
        ("Hij noemde mij een marketingsukkel, wat een bankensukkel", "abuse", ["bankensukkel"]),
        ("De kelders lopen onder, ik ga elders wonen", "churn_threat", ["elders"]),
        ("Dag @NS, waar blijft mijn trein", "churn_threat", []),
        ("Mijn pakket is weg", "churn_threat", []),
        ("Ik ben weg van jullie app!", "churn_threat", []),
        ("Jullie zeggen op de site dat het kan", "churn_threat", []),
        ("Ik kan niet inloggen op mijn account op de website", "churn_threat", []),
        ("De trein vertrekt niet en ik moet naar de andere balie", "churn_threat", []),
        ("wtf waarom is mijn bestelling gecanceld", "churn_threat", []),
        ("Ik kom hier niet meer!", "churn_threat", ["kom hier niet meer"]),
        ("Ik kom niet meer in mijn account", "churn_threat", []),
        ("Mijn pakket is er nog niet", "legal_threat", []),
    ],
)
def test_evidence_words_are_the_words_of_the_comment(
    text: str, flag: str, shown: list[str]
) -> None:
    from responder.triage.cues import evidence_words

    assert evidence_words(text, flag) == shown
