"""The noun-phrase reader: the thing a comment is about when no word list knows it."""

from __future__ import annotations

import pytest

from responder.advice.things import is_noun, thing_named_in


@pytest.mark.parametrize(
    ("text", "thing"),
    [
        ("Bij de achteringang hangt al drie dagen een stuk van het afdak los.", "het afdak"),
        ("Het stopcontact in onze living geeft vonken", "het stopcontact"),
        ("Mijn parkeervergunning is nog steeds niet binnen", "mijn parkeervergunning"),
        ("Mijn nieuwe wasmachine lekt, pas een maand oud", "mijn wasmachine"),
        ("Onze nieuwe robotstofzuiger rijdt alleen rondjes", "onze robotstofzuiger"),
        ("Het oogje van de knuffel komt er gewoon af", "het oogje"),
        ("Er is iets mis met de kerstverlichting op het plein", "de kerstverlichting"),
        ("is het normaal dat de lift het niet doet", "de lift"),
        ("De wijn op de rekening klopt niet", "de wijn"),
        ("Waarom de lamp het niet doet, snap ik niet", "de lamp"),  # "om" inside "Waarom"
        ("de kassabon is weg", "de kassabon"),  # "kassa" is no threat word inside a compound
    ],
)
def test_the_first_thing_is_named_with_its_article(text: str, thing: str) -> None:
    assert thing_named_in(text) == thing


@pytest.mark.parametrize(
    "text",
    [
        "het ruikt hier raar",  # "het" is a pronoun
        "Iedereen moet dit weten",  # a demonstrative and a verb
        "Die marokkaanse tuig van jullie",  # an insult, after a demonstrative
        "De monteur is niet gekomen",  # a person
        "De buschauffeur reed gewoon door",  # a person, by its ending
        "Mijn klantnummer is 123456789",  # one's own data
        "Ik heb de hele week gewacht",  # time
        "Het probleem is nog steeds niet opgelost",  # abstract
        "Ik ga naar de Albert Heijn",  # a name; and after a preposition
        "Bij de kassa was het druk",  # the scene, not the thing
        "Ik schakel mijn rechtsbijstandsverzekering in",  # a legal threat's own word
        "Het is echt duidelijk zo",  # an adjective after the pronoun
        "De portiers deden heel onvriendelijk",  # people, in the plural
        "ik crepeer van de spierpijn",  # the body
        "Jullie denken alleen aan de winst",  # abstract
        "Mijn hiv-test is bij de verkeerde arts beland",  # never named in public
        "mijn schuldsanering loopt nog",
        "Ik heb het aangekaart bij de balie",  # a participle ending in a noun ("kaart")
        "Jullie hebben ons belazerd",
        "Ik vind het raar",
        "",
    ],
)
def test_no_thing_is_read_from_people_time_talk_or_pronouns(text: str) -> None:
    assert thing_named_in(text) is None


def test_nouns_are_known_from_the_treebank_lists_and_compounds() -> None:
    assert is_noun("dak")  # from the UD treebanks
    assert is_noun("powerbank")  # from the product list
    assert is_noun("platdak") and not is_noun("plat")  # a compound of a known noun ("dak")
    assert is_noun("stopcontact")  # a compound ending in "contact"
    assert not is_noun("stinkt")  # not a compound of "inkt": both parts need three letters
    assert not is_noun("duidelijk")
