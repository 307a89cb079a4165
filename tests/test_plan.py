"""plan(): priority, route, deadline from opening hours, visibility and reasoned steps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from advice_helpers import triage_for

from responder.advice.plan import CommentContext, add_business_minutes, format_moment, plan
from responder.advice.playbook import Playbook, load_playbook
from responder.errors import InputError

WEDNESDAY_10 = datetime(2026, 11, 25, 10, 0)


@pytest.fixture(scope="module")
def pb() -> Playbook:
    return load_playbook()


def at(moment: datetime, **kw: object) -> CommentContext:
    return CommentContext(received_at=moment, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "flag", ["legal_threat", "media_threat", "safety", "privacy_incident", "discrimination"]
)
@pytest.mark.parametrize("sentiment", ["positive", "neutral", "negative"])
def test_serious_flags_are_p1_whatever_the_sentiment(
    pb: Playbook, flag: str, sentiment: str
) -> None:
    t = triage_for(
        "Ik vind het prima zo, maar ik meld het toch even.", sentiment, "praise", "product", [flag]
    )
    p = plan(t, "Ik vind het prima zo, maar ik meld het toch even.", at(WEDNESDAY_10), pb)
    assert p.priority == "P1"
    assert p.route.id != "webcare"  # escalates
    assert any("gaat voor" in r for r in p.reasons)
    assert p.deadline == p.received_at + timedelta(minutes=60)


def test_p1_deadline_runs_at_night_and_on_holidays(pb: Playbook) -> None:
    christmas_night = datetime(2026, 12, 25, 3, 10)
    text = "Mijn kind werd ziek van jullie babyvoeding, dit is gevaarlijk!"
    p = plan(triage_for(text, flags=["safety"], topic="product"), text, at(christmas_night), pb)
    assert p.deadline.replace(tzinfo=None) == datetime(2026, 12, 25, 4, 10)
    assert not p.open_now
    assert not any("Buiten openingstijden" in s.do for s in p.steps)  # P1 does not wait


def test_business_deadline_skips_closed_hours(pb: Playbook) -> None:
    # Friday 19:00: one open hour left, the rest on Saturday from 09:00.
    friday = datetime(2026, 11, 27, 19, 0)
    text = "Mijn pakket is nog steeds niet bezorgd."
    p = plan(triage_for(text, topic="delivery"), text, at(friday), pb)
    assert p.priority == "P3"
    assert p.deadline.replace(tzinfo=None) == datetime(2026, 11, 28, 12, 0)
    # Christmas Eve 19:00, P3: 1 hour that evening, closed on both Christmas days, 3 hours on 27th.
    eve = datetime(2026, 12, 24, 19, 0)
    p = plan(triage_for(text, topic="delivery"), text, at(eve), pb)
    assert p.deadline.replace(tzinfo=None) == datetime(2026, 12, 27, 13, 0)


def test_outside_hours_says_when_the_clock_starts(pb: Playbook) -> None:
    saturday_night = datetime(2026, 11, 28, 22, 5)
    text = "Waarom is de factuur zo hoog deze maand?"
    p = plan(triage_for(text, "neutral", "question", "billing"), text, at(saturday_night), pb)
    assert p.deadline.replace(tzinfo=None) == datetime(2026, 11, 29, 14, 0)
    step = next(s for s in p.steps if "Buiten openingstijden" in s.do)
    assert "morgen 10.00 uur" in step.do and step.why


def test_aware_times_are_converted_to_the_playbook_zone(pb: Playbook) -> None:
    utc = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam
    text = "Jullie app doet het niet."
    p = plan(triage_for(text, topic="outage"), text, at(utc), pb)
    assert p.received_at.hour == 10 and p.deadline.hour == 12  # P2: two hours


def test_most_urgent_situation_wins_and_the_other_team_is_informed(pb: Playbook) -> None:
    text = "Ik zeg mijn abonnement op en stap naar de Geschillencommissie."
    t = triage_for(text, topic="billing", flags=["churn_threat", "legal_threat"])
    p = plan(t, text, at(WEDNESDAY_10), pb)
    assert p.situation == "juridische_dreiging" and p.route.id == "juridisch"
    assert p.speaks.id == "webcare"  # legal does not speak for the organisation
    assert any("Klantbehoud" in a for a in p.also)
    assert any("Klantbehoud" in s.do for s in p.steps)
    assert [t.id for t in p.notify] == ["senior"]


def test_every_step_has_a_reason(pb: Playbook) -> None:
    text = "Ik wacht al drie weken op mijn terugbetaling."
    p = plan(triage_for(text, topic="billing"), text, at(WEDNESDAY_10), pb)
    assert p.steps and all(s.do and s.why for s in p.steps)
    assert p.reasons and "soort reactie 'complaint'" in p.reasons[0]


def test_low_confidence_and_public_personal_data_add_steps(pb: Playbook) -> None:
    text = "Bestelling 12345678 is kwijt, bel me op 0612345678"
    t = triage_for(text, topic="delivery", confidence=0.4)
    p = plan(t, text, at(WEDNESDAY_10), pb)
    assert "persoonsgegevens" in p.steps[0].do
    assert any("twijfelt" in s.do for s in p.steps)


def test_private_message_gets_a_private_answer(pb: Playbook) -> None:
    text = "Mijn pakket is niet aangekomen."
    p = plan(triage_for(text, topic="delivery"), text, at(WEDNESDAY_10, private=True), pb)
    assert p.visibility == "private"
    assert not any("persoonsgegevens" in s.do for s in p.steps[:1])


def test_spam_is_hidden_not_answered(pb: Playbook) -> None:
    text = "Verdien 500 euro per dag met crypto, klik hier!"
    p = plan(triage_for(text, "neutral", "other"), text, at(WEDNESDAY_10), pb)
    assert p.situation == "spam" and p.action == "hide_and_report" and not p.respond


def test_languages_without_replies_are_left_to_the_agent(pb: Playbook) -> None:
    text = "Where is my parcel? I ordered it two weeks ago and nobody answers."
    p = plan(triage_for(text), text, at(WEDNESDAY_10), pb)
    assert p.situation == "engels" and p.respond and p.language == "en"
    text = "¿Dónde está mi pedido? Llevo dos semanas esperando y nadie contesta."
    p = plan(triage_for(text), text, at(WEDNESDAY_10), pb)
    assert p.situation == "andere_taal" and p.action == "manual" and p.language == "es"
    assert any("in het Spaans" in s.do and "Engels, Frans" in s.do for s in p.steps)


def test_register_mirrors_the_commenter(pb: Playbook) -> None:
    for text, expected in [
        ("Kun je even kijken naar mijn pakket?", "je"),
        ("Kunt u even kijken naar mijn pakket?", "u"),
        ("Pakket nog steeds niet binnen.", "u"),  # unknown: Facebook's default
        ("Kunde gij eens kijken naar mijn pakket?", "je"),  # Flemish
    ]:
        p = plan(triage_for(text, topic="delivery"), text, at(WEDNESDAY_10), pb)
        assert p.register == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "jullie" is the plural of je: a writer who addresses us so gets je, even on Facebook.
        ("Is jullie klantenservice zondag telefonisch bereikbaar?", "je"),
        # ... unless they also say u: "jullie" then only names the organisation.
        ("Jullie medewerker stuurde me een screenshot; ik neem aan dat u dit oppakt.", "u"),
        ("Amai, mijn voorschot gaat van 118 naar 246 euro per maand?!", "je"),  # Flemish
        ("Mijn pakket is weer kwijt 🙄", "je"),  # emoji
        ("pakket nog steeds niet binnen, wat is hier aan de hand", "je"),  # no capital at all
        ("Kan da nie na 7u? Om 6u staat de hele straat recht.", "je"),  # "6u" is no "u"
        ("Pakket nog steeds niet binnen.", "u"),  # nothing casual: Facebook's default
        ("Mijn pakket is nog steeds niet binnen.", "u"),
        ("2 weken geleden besteld en nog steeds niets ontvangen.", "u"),  # no capital to leave out
        ("Mijn factuur klopt niet ⚠ graag uitleg.", "u"),  # a warning sign is no casual emoji
        ("Het kinderslot van de vaatwasser is stuk, volgens NEN 1010 mag dat niet.", "u"),
        ("Geachte heer/mevrouw, kunnen jullie mijn factuur nakijken? Met vriendelijke groet", "u"),
        ("Jullie monteur zou komen, maar jullie zijn niet geweest. Kunt u mij terugbellen?", "u"),
    ],
)
def test_a_casual_writer_gets_je(pb: Playbook, text: str, expected: str) -> None:
    p = plan(triage_for(text, topic="delivery"), text, at(WEDNESDAY_10), pb)
    assert p.register == expected, (text, p.register_reason)


def test_unknown_channel_is_an_input_error(pb: Playbook) -> None:
    text = "Mijn pakket is niet aangekomen."
    with pytest.raises(InputError, match="Onbekend kanaal 'myspace'"):
        plan(triage_for(text), text, CommentContext(channel="myspace"), pb)


def test_business_minutes_add_up(pb: Playbook) -> None:
    zone = pb.organisation.zone
    monday = datetime(2026, 11, 23, 8, 0, tzinfo=zone)
    assert add_business_minutes(monday, 12 * 60, pb) == datetime(2026, 11, 23, 20, 0, tzinfo=zone)
    assert add_business_minutes(monday, 12 * 60 + 1, pb) == datetime(
        2026, 11, 24, 8, 1, tzinfo=zone
    )


def test_format_moment_in_dutch() -> None:
    ref = datetime(2026, 11, 25, 22, 0)
    assert format_moment(datetime(2026, 11, 25, 23, 5), ref) == "vandaag 23.05 uur"
    assert format_moment(datetime(2026, 11, 26, 8, 0), ref) == "morgen 8.00 uur"
    assert format_moment(datetime(2026, 11, 30, 8, 0), ref) == "maandag 30 november 8.00 uur"


def test_plan_serialises(pb: Playbook) -> None:
    text = "Mijn pakket is niet aangekomen."
    d = plan(triage_for(text, topic="delivery"), text, at(WEDNESDAY_10), pb).to_dict()
    assert d["deadline"].startswith("2026-11-25T14:00") and d["visibility_name"]
    assert d["playbook_version"] == pb.version


def test_private_messages_get_no_public_steps(pb: Playbook) -> None:
    """A comment that came in as a private message is answered in private: no step of any
    situation tells the agent to do something "in het openbaar" (issue 17, point 5)."""
    checked = 0
    for situation in pb.situations:
        for step in situation.steps:
            public = step.for_channel(private=False)
            private = step.for_channel(private=True)
            assert public == step.do
            assert "openbaar" not in private.lower(), (situation.id, private)
            checked += "openbaar" in public.lower()
    assert checked >= 10
    text = "Waar blijft mijn pakket? Het is niet bezorgd."
    public = plan(triage_for(text, topic="delivery"), text, at(WEDNESDAY_10), pb)
    private = plan(triage_for(text, topic="delivery"), text, at(WEDNESDAY_10, private=True), pb)
    assert any("in het openbaar" in s.do for s in public.steps)
    assert not any("openbaar" in s.do for s in private.steps)
    assert "Erken het probleem en toon begrip." in [s.do for s in private.steps]


def test_a_step_without_a_private_wording_drops_in_het_openbaar() -> None:
    from responder.advice.playbook import Step

    step = Step(do="Reageer snel in het openbaar en bied hulp aan.", why="Omdat het kan.")
    assert step.for_channel(private=True) == "Reageer snel en bied hulp aan."
    assert step.for_channel(private=False) == step.do


def test_a_generic_safety_report_yields_to_a_legal_threat_unless_someone_is_hurt() -> None:
    from advice_helpers import triage_for

    from responder.advice.plan import CommentContext, plan
    from responder.advice.playbook import load_playbook

    pb = load_playbook()
    mould = "Al 8 maanden schimmel in de slaapkamer. Mijn advocaat stuurt jullie een aansprakelijkstelling."
    t = triage_for(mould, "negative", "complaint", "product", ["safety", "legal_threat"])
    p = plan(t, mould, CommentContext(), pb)
    assert p.situation == "juridische_dreiging"
    # the safety team still hears of it
    assert any(line.startswith(pb.situation("veiligheid").title) for line in p.also), p.also
    hurt = (
        "Mijn zoon heeft zijn pols gebroken op jullie kapotte trap. Mijn advocaat neemt contact op."
    )
    t = triage_for(hurt, "negative", "complaint", "product", ["safety", "legal_threat"])
    assert plan(t, hurt, CommentContext(), pb).situation == "veiligheid"


@pytest.mark.parametrize(
    ("text", "sentiment", "situation"),
    [
        ("Ik ben het echt beu met jullie. Telkens hetzelfde liedje.", "negative", "klacht_overig"),
        ("Wat een dag vandaag, pff.", "negative", "overig"),  # says nothing to the organisation
        ("Wat verdrietig, sterkte voor u en uw familie", "negative", "overig"),  # consoles someone
        ("Ik ben benieuwd wat jullie hiervan vinden.", "neutral", "overig"),
    ],
)
def test_a_negative_comment_to_the_organisation_is_a_complaint(
    text: str, sentiment: str, situation: str
) -> None:
    from advice_helpers import triage_for

    from responder.advice.plan import CommentContext, plan
    from responder.advice.playbook import load_playbook

    t = triage_for(text, sentiment, "other", "general", [])
    assert plan(t, text, CommentContext(), load_playbook()).situation == situation


@pytest.mark.parametrize(
    ("text", "topic", "situation"),
    [
        (
            "Waarom moet ik tegenwoordig €2,50 extra betalen voor een papieren factuur?",
            "billing",
            "beleidskritiek",
        ),
        (
            "Betalen voor handbagage nu ook al? Jullie vinden echt elke manier.",
            "billing",
            "beleidskritiek",
        ),
        (
            "Waarom moet ik betalen voor een factuur die niet klopt?",
            "billing",
            "factuurklacht",
        ),  # a fault
        (
            "Mijn pakket is kapot aangekomen, tegenwoordig gaat alles mis.",
            "delivery",
            "bezorgklacht",
        ),
    ],
)
def test_a_complaint_about_a_rule_is_policy_criticism(
    text: str, topic: str, situation: str
) -> None:
    from advice_helpers import triage_for

    from responder.advice.plan import CommentContext, plan
    from responder.advice.playbook import load_playbook

    t = triage_for(text, "negative", "complaint", topic, [])
    assert plan(t, text, CommentContext(), load_playbook()).situation == situation


def test_negative_spam_stays_spam() -> None:
    from advice_helpers import triage_for

    from responder.advice.plan import CommentContext, plan
    from responder.advice.playbook import load_playbook

    text = "Zijn jullie ook blut? Word rijk met crypto, klik hier: bit.ly/voorbeeld"
    t = triage_for(text, "negative", "other", "general", [])
    assert plan(t, text, CommentContext(), load_playbook()).situation == "spam"
