"""What the tester found, fixed: who abuses whom, no invented churn, sarcasm, the channel's form of
address, what a reply must say, answers the playbook knows, the customer's facts, other languages
and the Dutch of the templates."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

import pytest
from advice_helpers import triage_for

from responder.advice.facts import extract_facts
from responder.advice.guardrails import ReplyContext, check_reply
from responder.advice.plan import CommentContext, opening_hours_text, plan
from responder.advice.playbook import (
    PlaybookError,
    comment_text,
    default_playbook_text,
    load_playbook,
    parse_playbook,
)
from responder.advice.playbook_check import check_playbook
from responder.advice.suggest import Suggestions, fact_slots, suggest

PB = load_playbook()
WEDNESDAY_10 = datetime(2026, 11, 25, 10, 0)
SYMPATHY = re.compile(r"^(Hoi \w+! )?(Wat )?(vervelend|jammer|naar|rot)", re.IGNORECASE)


def advise(text: str, channel: str | None = None, author: str | None = None, **labels: object):  # type: ignore[no-untyped-def]
    ctx = CommentContext(channel, WEDNESDAY_10, agent_initials="AB", author_name=author)
    t = triage_for(text, **labels)  # type: ignore[arg-type]
    p = plan(t, text, ctx, PB)
    return p, suggest(t, text, ctx, PB, p)


def texts(result: Suggestions) -> list[str]:
    return [s.text for s in result.items]


# --- 1. situation logic ---------------------------------------------------------------------------


def test_the_commenter_who_discriminates_gets_a_boundary_not_thanks() -> None:
    text = "Al die buitenlanders bij jullie, stuur ze terug naar hun eigen land."
    p, result = advise(text, flags=["discrimination"], topic="service")
    assert p.situation == "discriminatie_geuit" and result.items[0].strategy == "set_boundary"
    assert any("eerst een grens" in r for r in p.reasons)
    for reply in texts(result):
        assert not re.search(r"\b(dank|bedankt|melding|serieus|vervelend)\b", reply, re.I), reply


def test_a_customer_who_reports_discrimination_is_taken_seriously() -> None:
    text = "Mijn vader werd door jullie bezorger uitgescholden om zijn huidskleur."
    p, result = advise(text, flags=["discrimination", "abuse"], topic="delivery")
    assert p.situation == "discriminatie_gemeld"
    assert result.items[0].strategy == "acknowledge_to_private"
    assert "Discriminatie past niet" in result.items[0].text


def test_abuse_by_the_commenter_puts_the_boundary_first_and_never_thanks() -> None:
    p, result = advise("Stelletje prutsers, ik sla jullie bezorger in elkaar", flags=["abuse"])
    assert p.situation == "grensoverschrijdend"
    assert result.items[0].strategy == "set_boundary"
    assert all("Bedreigingen accepteren we niet" in t for t in texts(result))
    assert "graag" not in texts(result)[0]  # no offer of help in the first reply to a threat
    _, insult = advise("Stelletje prutsers zijn jullie", flags=["abuse"])
    assert all("respectvol" in t for t in texts(insult))  # the boundary for name-calling
    assert not any(re.search(r"\b(dank|bedankt|gefrustreerd)\b", t, re.I) for t in texts(result))


def test_a_thank_you_to_an_offender_fails_the_guardrail() -> None:
    ctx = ReplyContext("je", 280, True, offender=True)
    failed = {r.name for r in check_reply("Dank je voor je melding, we zoeken het uit. ^AB", ctx)}
    assert "fitting_tone" in failed


def test_churn_only_when_the_customer_says_it() -> None:
    p, result = advise("wtf waarom is mn bestelling gecanceld", flags=["churn_threat"])
    assert p.situation != "overstapdreiging" and p.register == "je"
    assert not any(re.search(r"weg te gaan|vertrekken|overweeg", t) for t in texts(result))
    p, _ = advise(
        "Ik zeg mijn abonnement op, ik stap over naar de concurrent", flags=["churn_threat"]
    )
    assert p.situation == "overstapdreiging"


def test_sarcasm_is_read_as_a_complaint() -> None:
    p, result = advise(
        "Top service weer 🙄 mijn pakket is alweer kwijt",
        sentiment="positive",
        intent="praise",
        topic="delivery",
    )
    assert p.situation == "bezorgklacht" and any("Sarcasme" in r for r in p.reasons)
    assert not any("tevreden" in t or "compliment" in t for t in texts(result))
    p, _ = advise(
        "Wat een snelle levering weer! Top jullie 👏",
        sentiment="positive",
        intent="praise",
        topic="delivery",
    )
    assert p.situation == "compliment"


@pytest.mark.parametrize("topic", ["delivery", "outage", "product", "general", "billing"])
@pytest.mark.parametrize("flags", [[], ["safety"], ["churn_threat"], ["abuse"]])
def test_a_neutral_question_never_opens_with_sympathy(topic: str, flags: list[str]) -> None:
    text = "Ik zeg mijn abonnement misschien op, hoe werkt dat eigenlijk?"
    _, result = advise(text, sentiment="neutral", intent="question", topic=topic, flags=flags)
    assert result.items
    assert not any(SYMPATHY.match(t) for t in texts(result)), texts(result)


# --- 2. the form of address -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "register"),
    [
        ("instagram", "je"),
        ("tiktok", "je"),
        ("x", "je"),
        ("linkedin", "u"),
        ("reviews", "u"),
        ("facebook", "u"),
    ],
)
def test_without_a_form_of_address_the_channel_decides(channel: str, register: str) -> None:
    p, result = advise("Pakket nog steeds niet binnen.", channel, topic="delivery")
    assert p.register == register and all(s.register == register for s in result.items)
    assert "standaard" in p.register_reason and PB.organisation.channels[channel].name in (
        p.register_reason
    )


@pytest.mark.parametrize("text", ["wtf waarom duurt dit zo lang", "😍😍🔥", "haha echt top dit"])
def test_a_casual_writer_gets_the_je_form_on_any_channel(text: str) -> None:
    p, _ = advise(text, "facebook", sentiment="positive", intent="praise")
    assert p.register == "je"


def test_a_first_name_only_in_the_je_form() -> None:
    _, je = advise("Kun je kijken waar mijn pakket blijft?", "x", "Sanne", topic="delivery")
    assert all(t.startswith("Hoi Sanne!") for t in texts(je))
    _, u = advise("Kunt u kijken waar mijn pakket blijft?", "x", "Sanne", topic="delivery")
    assert not any("Sanne" in t for t in texts(u))


def test_a_channel_default_register_is_validated() -> None:
    text = default_playbook_text().replace("default_register: je", "default_register: jij", 1)
    with pytest.raises(PlaybookError, match="default_register"):
        parse_playbook(text, "test.yaml")


# --- 3. what a reply must say ---------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["facebook", "x", "tiktok"])
@pytest.mark.parametrize(
    ("text", "flags", "says"),
    [
        ("Ik ruik gas sinds de monteur de ketel heeft geplaatst", [], ["0800-9009"]),
        ("Mijn powerbank werd heet en begon te roken", ["safety"], ["niet meer"]),
        ("Het kacheltje vloog in brand", ["safety"], ["niet meer", "112"]),
        ("Mijn dochter kreeg uitslag van de crème", ["safety"], ["huisarts", "niet meer"]),
        ("Stopcontact vonkt sinds de monteur er was", ["safety"], ["onder stroom"]),
        ("Ik weet waar jullie bezorger woont, ik pak hem", ["abuse"], ["Bedreigingen"]),
        ("Pakket kwijt. Bel me op 0612345678", [], ["persoonlijke gegevens"]),
    ],
)
def test_every_reply_says_what_the_situation_requires(
    channel: str, text: str, flags: list[str], says: list[str]
) -> None:
    p, result = advise(text, channel, flags=flags, topic="product")
    assert result.items, result.notes
    assert p.must_say and any(s.do.startswith("Zeg in elk antwoord") for s in p.steps)
    limit = PB.organisation.channels[channel].max_chars
    for s in result.items:
        assert all(word.lower() in s.text.lower() for word in says), s.text
        assert len(s.text) <= limit
        assert next(g for g in s.guardrails if g.name == "must_say").passed


def test_a_reply_without_its_must_say_element_fails() -> None:
    ctx = ReplyContext("u", 280, True, must_say=(("gasgevaar", ("0800-9009",)),))
    results = check_reply("We hebben uw melding doorgezet. ^AB", ctx)
    assert next(r for r in results if r.name == "must_say").passed is False
    ok = check_reply("Verlaat het huis en bel 0800-9009. We zoeken het uit. ^AB", ctx)
    assert next(r for r in ok if r.name == "must_say").passed


def test_a_must_say_text_that_does_not_prove_itself_is_refused() -> None:
    text = default_playbook_text().replace("    any: [0800-9009]", "    any: [brandweer]")
    with pytest.raises(PlaybookError, match="any"):
        parse_playbook(text, "test.yaml")


# --- 4. answers from the playbook -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        (
            "Zijn jullie op Tweede Paasdag open?",
            "Op Tweede Paasdag (maandag 29 maart) zijn we "
            "gesloten. Vanaf dinsdag 30 maart 8.00 uur zijn we er weer.",
        ),
        ("Zijn jullie op paasmaandag open?", "Op Tweede Paasdag (maandag 29 maart)"),
        (
            "Zijn jullie morgen open?",
            "Morgen (donderdag 26 november) zijn we open van 8.00 tot 20.00 uur.",
        ),
        (
            "Tot hoe laat zijn jullie zaterdag bereikbaar?",
            "Op zaterdag zijn we open van 9.00 tot 17.00 uur.",
        ),
        ("Zijn jullie op 26 december open?", "Op zaterdag 26 december zijn we gesloten."),
        (
            "Wat zijn jullie openingstijden?",
            "We zijn open op maandag tot en met vrijdag van 8.00 "
            "tot 20.00 uur, op zaterdag van 9.00 tot 17.00 uur en op zondag van 10.00 tot 16.00 uur.",
        ),
    ],
)
def test_opening_hours_on_the_day_asked(question: str, answer: str) -> None:
    p, result = advise(question, sentiment="neutral", intent="question", topic="service")
    assert answer in p.answer
    assert result.items[0].strategy == "inform" and answer in result.items[0].text
    assert "Goede vraag" not in result.items[0].text


def test_a_weekday_whose_next_date_is_a_holiday_says_so() -> None:
    christmas_week = datetime(2026, 12, 21, 10, 0)
    text = opening_hours_text(comment_text("Zijn jullie zaterdag open?"), christmas_week, PB)
    assert text.startswith("Op zaterdag zijn we open van 9.00 tot 17.00 uur.")
    assert "zaterdag 26 december (Tweede Kerstdag) zijn we gesloten" in text


def test_a_question_about_several_days_answers_each_briefly() -> None:
    question = "zijn jullie op tweede kerstdag bereikbaar? en op oudejaarsdag?"
    text = opening_hours_text(comment_text(question), datetime(2026, 11, 25, 10, 0), PB)
    assert text == (
        "Op Tweede Kerstdag (zaterdag 26 december) zijn we gesloten. "
        "Op Oudejaarsdag (donderdag 31 december) zijn we open van 8.00 tot 20.00 uur."
    )
    # One day named twice ("Nieuwjaarsdag" is "1 januari") is answered once.
    text = opening_hours_text(
        comment_text("Open op nieuwjaarsdag, 1 januari?"), datetime(2026, 11, 25, 10, 0), PB
    )
    assert text.count("1 januari") == 1 and "Vanaf zaterdag 2 januari" in text


@pytest.mark.parametrize(
    ("question", "says", "never"),
    [
        ("Zijn jullie donderdag open, en met Hemelvaart?", ["Hemelvaartsdag", "Op donderdag"], []),
        ("Zijn jullie vandaag en morgen open?", ["Vandaag (", "Morgen ("], []),
        ("Zijn jullie zaterdag 26 december open?", ["zaterdag 26 december"], ["9.00 tot 17.00"]),
        ("open op christmas eve?", ["Kerstavond"], ["Eerste Kerstdag"]),
        ("Zijn jullie 's morgens bereikbaar?", ["maandag tot en met vrijdag"], ["Morgen ("]),
    ],
)
def test_each_day_asked_is_answered_once(question: str, says: list[str], never: list[str]) -> None:
    text = opening_hours_text(comment_text(question), datetime(2026, 11, 25, 10, 0), PB)
    assert all(s in text for s in says), text
    assert not any(n in text for n in never), text


def test_how_to_cancel_is_answered() -> None:
    _, result = advise(
        "Hoe kan ik mijn abonnement opzeggen?",
        sentiment="neutral",
        intent="question",
        topic="billing",
    )
    assert "Mijn account" in result.items[0].text and "example.nl/opzeggen" in result.items[0].text


def test_no_answer_without_a_question() -> None:
    p, _ = advise("Mijn pakket was open en beschadigd.", topic="delivery")
    assert p.answer == ""


# --- 5. the customer's facts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "topic", "first"),
    [
        (
            "Voor de derde keer deze maand is mijn wasmachine kapot",
            "product",
            "uw wasmachine al drie keer kapot is gegaan",
        ),
        (
            "Ik heb al drie keer gebeld en niemand helpt me",
            "service",
            "Drie keer gebeld voor hetzelfde probleem is te veel",
        ),
        ("Er is €60 te veel afgeschreven", "billing", "€ 60"),
        (
            "50 minuten in de wacht gestaan bij de klantenservice",
            "service",
            "50 minuten wachten is veel te lang",
        ),
        ("Ik wacht al drie weken op mijn pakket", "delivery", "Al drie weken wachten op uw pakket"),
    ],
)
def test_replies_acknowledge_what_the_customer_said(text: str, topic: str, first: str) -> None:
    _, result = advise(text, topic=topic)
    assert first in result.items[0].text, result.items[0].text
    assert result.items[0].facts_used


def test_no_reply_asks_for_what_the_customer_gave() -> None:
    _, result = advise("Mijn powerbank werd heet en smolt", flags=["safety"], topic="product")
    assert not any(re.search(r"welk product", t, re.I) for t in texts(result))
    _, result = advise("Bestelling 12345678 is nog steeds niet binnen.", topic="delivery")
    assert not any("ordernummer" in t or "12345678" in t for t in texts(result))
    _, result = advise("Pakket al een week onderweg.", topic="delivery")
    assert any("ordernummer" in t for t in texts(result))  # not given: asked, privately


def test_asking_for_a_given_fact_fails_the_guardrail() -> None:
    ctx = ReplyContext("u", 280, True, given_facts=frozenset({"product"}))
    results = check_reply("Om welk product gaat het? Stuur ons een DM. ^AB", ctx)
    assert next(r for r in results if r.name == "no_known_fact_question").passed is False


def test_a_reply_that_asks_without_saying_so_is_reported_by_the_check() -> None:
    text = default_playbook_text()
    start = text.index("  - id: bezorgklacht")
    asks = text.index("        asks: [reference]", start)
    pb = parse_playbook(text[:asks] + text[asks + len("        asks: [reference]\n") :])
    problems = check_playbook(pb).problems
    assert any("'asks'" in p and "reference" in p for p in problems), problems


def test_facts_are_worded_for_the_reply() -> None:
    facts = extract_facts("Mijn dochter wacht al 3 weken op haar fiets, al drie keer gebeld")
    je, u = fact_slots(facts, "je"), fact_slots(facts, "u")
    assert je["wie"] == "je dochter" and u["wie"] == "uw dochter"
    assert je["duur"] == "drie weken" and je["keer"] == "drie keer" and je["geprobeerd"] == "gebeld"
    assert "duur" not in fact_slots(extract_facts("sinds de monteur er was"), "je")


@pytest.mark.parametrize(
    ("text", "topic", "register", "said"),
    [
        ("wtf waarom is mn bestelling gecanceld", "delivery", "je", "je bestelling is geannuleerd"),
        (
            "Bezorger gooide het pakket over de schutting, de doos is helemaal kapot",
            "delivery",
            "u",
            "het pakket beschadigd is aangekomen",
        ),
        (
            "De monteur zou tussen 8 en 12 komen, ik had er een dag vrij voor genomen. Niemand.",
            "service",
            "u",
            "u voor niets heeft gewacht",
        ),
        (
            "Jullie medewerker was ontzettend onbeschoft tegen mijn vader van 80",
            "service",
            "je",
            "je vader van 80 zo is behandeld",
        ),
        (
            "Vorige week besteld en nog steeds niets ontvangen, hoe kan dat?",
            "delivery",
            "u",
            "u nog steeds niets heeft ontvangen",
        ),
    ],
)
def test_the_reply_names_what_went_wrong(text: str, topic: str, register: str, said: str) -> None:
    p, result = advise(text, topic=topic)
    assert p.register == register
    assert said in result.items[0].text, result.items[0].text
    assert any(line.startswith(("Is ", "Kwam ", "Niemand ", "Heeft nog")) for line in p.facts), (
        p.facts
    )


def test_asking_whether_it_happened_is_not_a_thing_that_went_wrong() -> None:
    text = "Is mijn bestelling geannuleerd? Ik zie hem niet meer in de app."
    p, result = advise(text, sentiment="neutral", intent="question", topic="delivery")
    assert "Is geannuleerd" not in p.facts
    assert not any("is geannuleerd" in t for t in texts(result)), texts(result)


def test_indignation_turns_a_suggestion_into_criticism() -> None:
    text = "Dat jullie de kantoren op het platteland sluiten is een schande voor ouderen"
    p, result = advise(text, sentiment="neutral", intent="suggestion", topic="policy")
    assert p.situation == "beleidskritiek"
    assert not any(re.search(r"wat leuk|meedenkt", t, re.I) for t in texts(result))
    p, _ = advise(
        "Misschien kunnen jullie de kantoren op zaterdag openen?",
        sentiment="neutral",
        intent="suggestion",
        topic="policy",
    )
    assert p.situation == "suggestie"


def test_an_outage_named_in_words_gets_the_outage_page() -> None:
    text = "Sinds twee uur geen stroom in de hele wijk, is dit bekend?"
    p, result = advise(text, sentiment="neutral", intent="question", topic="product")
    assert p.situation == "storing"
    assert "/storingen" in result.items[0].text and "garantie" not in result.items[0].text


def test_a_threat_gets_the_threat_reply_not_an_offer_of_help() -> None:
    p, result = advise("ik weet waar jullie kantoor is. wacht maar af.", flags=["abuse"])
    assert p.situation == "grensoverschrijdend"
    first = result.items[0].text
    assert "Bedreigingen accepteren we niet" in first and "graag verder" not in first


def test_a_customer_threatened_by_staff_is_not_treated_as_discrimination() -> None:
    text = "Ik werd door de buschauffeur bedreigd omdat mijn pas niet werkte"
    p, _ = advise(text, flags=["discrimination"], topic="service")
    assert p.situation == "misdraging_gemeld"
    assert comment_text(text) and not p.situation.startswith("discriminatie")


def test_a_safety_report_without_telling_words_still_says_call_112() -> None:
    text = "De apotheek gaf mijn vader de verkeerde pillen mee, hij voelt zich nu heel raar"
    p, result = advise(text, flags=["safety"], topic="product")
    assert p.situation in ("veiligheid", "gezondheid")
    assert all("112" in t for t in texts(result)), texts(result)


# --- 6. other languages ---------------------------------------------------------------------------


def test_german_register_is_checked() -> None:
    sie = ReplyContext("u", 280, True, language="de")
    assert "register" in {
        r.name
        for r in check_reply("Danke für deine Nachricht, wir helfen dir gern. ^AB", sie)
        if not r.passed
    }
    du = ReplyContext("je", 280, True, language="de")
    assert "register" in {
        r.name
        for r in check_reply("Danke für die Nachricht, wir helfen Ihnen gern weiter. ^AB", du)
        if not r.passed
    }


# --- 7. the Dutch of the templates ----------------------------------------------------------------


@pytest.mark.parametrize(
    "awkward",
    [
        "alleen privé met ons delen",
        "Staat je antwoord er niet bij",
        "Staat uw antwoord er niet bij",
        "overweegt weg te gaan",
        "Hallo {naam}",
    ],
)
def test_awkward_sentences_are_gone(awkward: str) -> None:
    assert awkward not in default_playbook_text()


def test_goede_vraag_is_no_stock_opening() -> None:
    assert default_playbook_text().count("Goede vraag") == 0


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Mijn bestelling kwam gisteren en de powerbank werd meteen gloeiend heet", "de powerbank"),
        ("Mijn abonnement loopt nog, maar de router begon te smeulen", "de router"),
        ("Mijn borst zit onder de rode bultjes sinds die zeep", "het product"),  # not a product
        ("Het ding werd gloeiend heet tijdens het laden", "het product"),  # none named
    ],
)
def test_a_safety_instruction_names_the_thing_not_the_order(text: str, named: str) -> None:
    _, result = advise(text, channel="instagram", topic="product", flags=["safety"])
    first = result.items[0].text
    assert f"Gebruik {named} " in first, first
    assert "Gebruik je bestelling" not in first and "Gebruik je abonnement" not in first


def test_no_thing_is_read_from_a_privacy_incident_or_discrimination() -> None:
    """What a customer writes about their data or who they are is theirs to repeat, not ours."""
    text = "Ik kreeg een mail met de werkbon van een andere klant erin"
    _, plain = advise(text, topic="service", flags=[])
    assert any("de werkbon" in t for t in texts(plain))  # the reader names it ...
    _, private = advise(text, topic="service", flags=["privacy_incident"])
    assert not any("werkbon" in t for t in texts(private))  # ... but not for an incident


@pytest.mark.parametrize(
    ("text", "sentiment", "situation"),
    [
        (
            "Ik krijg een factuur van 89 euro voor een technieker die nooit is langsgekomen. "
            "Ik ben heel de dag thuis gebleven!",
            "positive",
            "factuurklacht",
        ),
        (
            "4e keer dat de monteur de afspraak afzegt. Op de dag zelf!! 😤",
            "neutral",
            "serviceklacht",
        ),
    ],
)
def test_praise_without_a_word_of_praise_is_no_compliment(
    text: str, sentiment: str, situation: str
) -> None:
    topic = "billing" if "factuur" in text else "service"
    p, result = advise(text, sentiment=sentiment, intent="praise", topic=topic)
    assert p.situation == situation
    assert not any("compliment" in t or "Wat leuk" in t for t in texts(result))


@pytest.mark.parametrize(
    "text",
    ["Dikke pluim voor de buschauffeur van lijn 12!", "Super geholpen door Sanne 👍", "❤️❤️"],
)
def test_a_word_of_praise_keeps_a_compliment(text: str) -> None:
    p, _ = advise(text, sentiment="positive", intent="praise", topic="service")
    assert p.situation == "compliment"


def test_praise_in_words_the_list_lacks_stays_a_compliment_unless_it_names_a_problem() -> None:
    for text in ("Wat een vakwerk van de chauffeur van lijn 12", "🫶🫶"):
        p, _ = advise(text, sentiment="positive", intent="praise", topic="service")
        assert p.situation == "compliment", text
    p, _ = advise("De monteur kwam weer niet opdagen", sentiment="positive", intent="praise")
    assert p.situation != "compliment"


STAFF_STORY = (
    "De beveiliger in jullie filiaal greep mijn arm en trok me mee naar achteren omdat hij dacht "
    "dat ik iets had gestolen. Ik had gewoon een bonnetje. Mijn arm zit nu vol blauwe plekken."
)
BIAS_STORY = (
    "Gisteren werd ik bij de ingang van jullie club tegengehouden terwijl mijn vrienden gewoon "
    "naar binnen mochten. De portier zei dat 'mensen zoals ik' er vanavond niet in kwamen."
)


@pytest.mark.parametrize(
    ("text", "labels", "situation"),
    [
        (STAFF_STORY, {"flags": ["abuse"], "topic": "service"}, "misdraging_gemeld"),
        (BIAS_STORY, {"flags": ["discrimination"], "topic": "service"}, "discriminatie"),
    ],
)
def test_a_comment_that_tells_what_happened_is_not_asked_what_happened(
    text: str, labels: dict[str, object], situation: str
) -> None:
    from responder.advice.facts import tells_what_happened

    assert tells_what_happened(text)
    p, result = advise(text, **labels)
    assert p.situation == situation
    asking = re.compile(r"horen graag wat er|wat er precies|vertellen wat er|wat er gebeurde")
    assert result.items and not [t for t in texts(result) if asking.search(t)]
    # A short report still gets the question.
    _, short = advise(
        "Ik werd uitgescholden door jullie bezorger", flags=["abuse"], topic="service"
    )
    assert any("wat er precies is gebeurd" in t or "wat er is gebeurd" in t for t in texts(short))


@pytest.mark.parametrize(
    ("text", "story"),
    [
        ("Ik werd uitgescholden door jullie bezorger", False),  # short
        (
            "Waarom duurt het zo lang voordat mijn pakket komt, ik zit er al heel lang op te wachten "
            "en niemand laat iets horen over wanneer het komt",
            False,
        ),  # long, nothing in the past
        (STAFF_STORY, True),
        # long, present tense; "gezond" and "gebied" are no past participles
        (
            "Ik wil graag weten hoe ik mijn gezonde levensstijl kan volhouden in het gebied waar ik "
            "woon en wat jullie daarvoor kunnen doen",
            False,
        ),
    ],
)
def test_a_story_is_long_and_in_the_past(text: str, story: bool) -> None:
    from responder.advice.facts import tells_what_happened

    assert tells_what_happened(text) is story


def test_an_angry_question_about_a_problem_is_a_complaint() -> None:
    text = "Bestelling staat al 9 dagen op 'onderweg'. Waar blijft het nou?"
    p, result = advise(text, sentiment="negative", intent="question", topic="delivery")
    assert p.situation == "bezorgklacht"
    first = result.items[0].text
    assert "te lang" in first and "meer informatie" not in first  # acknowledged, not a link
    # The same question without a problem word, or asked calmly, stays a question.
    p, _ = advise("Waar blijft het nou?", sentiment="negative", intent="question", topic="delivery")
    assert p.situation != "bezorgklacht"
    p, _ = advise(text, sentiment="neutral", intent="question", topic="delivery")
    assert p.situation != "bezorgklacht"
    # An annoyed how-to question wants its answer.
    p, _ = advise(
        "Hoe kan ik mijn kapotte pakket nou retourneren?",
        sentiment="negative",
        intent="question",
        topic="delivery",
    )
    assert p.situation != "bezorgklacht"


def test_a_loyal_customer_who_threatens_to_leave_hears_their_years_not_a_long_problem() -> None:
    text = "Ik ben al 11 jaar klant en nieuwe klanten krijgen korting. Dan zeg ik op."
    _, result = advise(
        text, sentiment="negative", intent="complaint", topic="billing", flags=["churn_threat"]
    )
    first = result.items[0].text
    assert "al elf jaar klant" in first
    assert "speelt nu al" not in " ".join(texts(result))  # the years are no problem's duration


def test_a_sparking_device_is_to_be_switched_off_and_a_loose_cable_kept_away_from() -> None:
    text = "Mijn laadpaal geeft vonken bij de stekker en de kabel wordt heet. Gewoon doorladen?"
    _, result = advise(
        text, "facebook", sentiment="negative", intent="question", topic="product", flags=["safety"]
    )
    first = result.items[0].text
    assert "niet meer" in first and "stekker eruit" in first
    text = "Er hangt een kabel los uit de grond naast de lantaarnpaal, hier spelen kinderen."
    p, result = advise(
        text, "facebook", sentiment="negative", intent="complaint", topic="outage", flags=["safety"]
    )
    assert p.situation == "stroomgevaar"
    assert "uit de buurt" in result.items[0].text


@pytest.mark.parametrize(
    "text",
    [
        "Stroomstoring in de hele straat en mijn koelkast met insuline wordt warm.",
        "Internet ligt eruit. Modem en router al 5x herstart. Buiten hangen draden los.",
        "Het stinkt naar gas bij de kachel, de stekker vonkt ook nog!",
    ],
)
def test_no_unplugging_without_a_hot_or_sparking_device_nor_in_a_gas_leak(text: str) -> None:
    _, result = advise(
        text, "facebook", sentiment="negative", intent="complaint", topic="outage", flags=["safety"]
    )
    assert not any("stekker eruit" in t for t in texts(result)), texts(result)


@pytest.mark.parametrize(
    "text",
    [
        "Ik ben bang dat mijn gegevens nu in iemands handen zijn.",
        "Ik werd gebeld van een ander nummer door iemand die al mijn gegevens had.",
        "Ik kreeg een brief van een andere afdeling met mijn BSN erop.",
    ],
)
def test_a_victim_of_a_leak_is_not_asked_to_keep_their_own_data_to_themselves(text: str) -> None:
    _, result = advise(
        text,
        "facebook",
        sentiment="negative",
        intent="complaint",
        topic="account_privacy",
        flags=["privacy_incident"],
    )
    assert not any("niet verder delen" in t for t in texts(result)), texts(result)


def test_who_saw_someone_elses_data_is_asked_not_to_pass_it_on() -> None:
    text = "In mijn account zie ik de jaarafrekening van iemand anders, met naam en IBAN."
    p, result = advise(
        text,
        "facebook",
        sentiment="negative",
        intent="complaint",
        topic="account_privacy",
        flags=["privacy_incident"],
    )
    assert p.situation == "privacyincident"
    assert all("niet verder" in t or "over uzelf of anderen" in t for t in texts(result))
    assert texts(result)[0].index("niet verder") > texts(result)[0].index("Dank u")  # thanks first


def test_a_clear_question_the_playbook_answers_is_answered_not_asked_back() -> None:
    text = "zijn jullie op tweede kerstdag bereikbaar? en op oudejaarsdag?"
    t = triage_for(text, sentiment="neutral", intent="question", topic="policy")
    t = replace(t, low_confidence=["topic"])
    ctx = CommentContext("x", WEDNESDAY_10, agent_initials="AB")
    result = suggest(t, text, ctx, PB, plan(t, text, ctx, PB))
    assert result.items[0].strategy == "inform"
    assert "Oudejaarsdag" in result.items[0].text and "gesloten" in result.items[0].text


def test_a_rhetorical_question_from_an_unsure_model_is_still_asked_back() -> None:
    text = "Hoe kan dit nou weer??"
    t = triage_for(text, sentiment="negative", intent="question", topic="general")
    t = replace(t, low_confidence=["intent"])
    ctx = CommentContext("x", WEDNESDAY_10, agent_initials="AB")
    result = suggest(t, text, ctx, PB, plan(t, text, ctx, PB))
    assert result.items[0].strategy == "ask_clarification"


def test_staff_who_called_the_customer_names_is_misconduct_reported() -> None:
    text = "Gisteren werd ik door de chauffeur uitgescholden omdat mijn kaart niet werkte."
    p, _ = advise(
        text, "facebook", sentiment="negative", intent="complaint", topic="service", flags=["abuse"]
    )
    assert p.situation == "misdraging_gemeld"


@pytest.mark.parametrize(
    ("text", "situation", "says"),
    [
        (
            "Hi, my internet has been down since Monday. I restarted the router twice.",
            "engels",
            "outage",
        ),
        ("I was charged twice for my subscription this month, please refund me.", "engels", "bill"),
        ("How do I cancel my subscription? I am moving abroad.", "engels", "opzeggen"),
        (
            "Bonjour, je n'ai toujours pas d'électricité depuis 4 jours. Que dois-je faire ?",
            "frans",
            "panne",
        ),
        (
            "Ich habe gestern meinen Rucksack im Zug liegen lassen. Wo kann ich nachfragen?",
            "duits",
            "Fundbüro",
        ),
    ],
)
def test_a_comment_in_another_language_gets_a_reply_about_its_subject(
    text: str, situation: str, says: str
) -> None:
    p, result = advise(text, "facebook")
    assert p.situation == situation
    assert says in result.items[0].text


def test_a_question_about_something_unnamed_gets_no_guessed_link() -> None:
    text = "waar kan ik een kapotte lantaarnpaal melden? staat al een week uit bij de speeltuin"
    _, result = advise(text, "instagram", sentiment="neutral", intent="question", topic="product")
    first = result.items[0].text
    assert "het product" not in first and "producten-en-garantie" not in first, first
    assert "We zoeken het voor je uit en laten het je zo snel mogelijk weten" in first
