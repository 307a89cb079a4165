"""Guardrails: each check catches what it should and lets good webcare Dutch through."""

from __future__ import annotations

import pytest

from responder.advice.guardrails import ReplyContext, check_reply

PUBLIC_U = ReplyContext(register="u", max_chars=280, public=True)
PUBLIC_JE = ReplyContext(register="je", max_chars=280, public=True)
PRIVATE_U = ReplyContext(register="u", max_chars=2000, public=False)


def failed(text: str, ctx: ReplyContext = PUBLIC_U) -> set[str]:
    return {r.name for r in check_reply(text, ctx) if not r.passed}


@pytest.mark.parametrize(
    "text",
    [
        "Vervelend dat het misgaat met uw pakket! Stuur ons gerust een DM met uw ordernummer. ^AB",
        "Dank u voor uw melding. We nemen dit zeer serieus en zoeken het direct uit. ^AB",
        "Goede vraag! Op https://www.example.nl/facturen leest u hoe de factuur is opgebouwd. ^AB",
        "We geven uw suggestie over de korting door aan het team. ^AB",
        "Excuses voor het ongemak rond de terugbetaling. We zoeken uit wat er is gebeurd. ^AB",
        "Deel hier geen inloggegevens en deel nooit uw wachtwoord met iemand. ^AB",
    ],
)
def test_good_replies_pass(text: str) -> None:
    assert failed(text) == set()


@pytest.mark.parametrize(
    ("text", "check"),
    [
        ("We sturen u graag een cadeaubon als excuus. ^AB", "no_compensation_promise"),
        (
            "U krijgt van ons tien euro korting op uw volgende bestelling. ^AB",
            "no_compensation_promise",
        ),
        ("We vergoeden de schade natuurlijk. ^AB", "no_compensation_promise"),
        ("Vergoeden we uiteraard, geen zorgen. ^AB", "no_compensation_promise"),
        ("Sorry, dit is helemaal onze fout. ^AB", "no_liability"),
        ("We erkennen dat het fout ging bij de levering. ^AB", "no_liability"),
        ("Wij zijn hiervoor aansprakelijk. ^AB", "no_liability"),
        ("U had beter moeten lezen wat er op de site staat. ^AB", "no_blame"),
        ("Zoals u had kunnen lezen, is de levertijd vijf dagen. ^AB", "no_blame"),
        ("Dat is niet waar, we hebben gewoon geleverd. ^AB", "no_blame"),
        ("Stuur ons uw ordernummer en adres, dan kijken we. ^AB", "personal_data"),
        ("Bel ons gerust op 0612345678 voor hulp. ^AB", "personal_data"),
        ("We sturen het pakket opnieuw naar Dorpsstraat 12. ^AB", "personal_data"),
        ("Uw order 98765432 is onderweg. ^AB", "personal_data"),
        ("Mail uw gegevens naar iemand@voorbeeld.nl, dan regelen we het. ^AB", "personal_data"),
        ("Wat is uw wachtwoord? Dan kijken we in uw account. ^AB", "personal_data"),
        ("Hoi! Fijn dat je het laat weten, dank u. ^AB", "register"),
        ("Dank u, we kijken naar {onderwerp}. ^AB", "placeholders"),
        ("Thank you for your message, we are looking into it right now. ^AB", "language"),
        ("Ok ^AB", "not_empty"),
        ("Vervelend! " * 40 + "^AB", "length"),
    ],
)
def test_bad_replies_fail_the_right_check(text: str, check: str) -> None:
    assert check in failed(text)


def test_register_checks_both_ways() -> None:
    assert "register" in failed("Dank je wel voor uw bericht. ^AB", PUBLIC_JE)
    assert failed("Dank je wel voor je bericht, we kijken ernaar. ^AB", PUBLIC_JE) == set()
    assert "register" in failed("Dank je wel voor je bericht, we kijken ernaar. ^AB", PUBLIC_U)


def test_private_replies_may_name_details_but_never_ask_for_passwords() -> None:
    assert failed("Uw order 98765432 is vandaag verstuurd. ^AB", PRIVATE_U) == set()
    assert "personal_data" in failed("Stuurt u ons uw pincode? ^AB", PRIVATE_U)


def test_compensation_allowed_by_the_playbook() -> None:
    allowed = ReplyContext(register="u", max_chars=280, public=False, compensation_allowed=True)
    assert failed("We sturen u graag een cadeaubon als excuus. ^AB", allowed) == set()


def test_own_contacts_are_not_personal_data() -> None:
    ctx = ReplyContext("u", 280, True, own_contacts=("webcare@example.nl",))
    assert failed("Mail ons gerust via webcare@example.nl, dan kijken we mee. ^AB", ctx) == set()


def test_every_result_explains_itself() -> None:
    results = check_reply("We vergoeden de schade. ^AB", PUBLIC_U)
    assert all(r.message for r in results)
    bad = next(r for r in results if r.name == "no_compensation_promise")
    assert "vergoed" in bad.message
