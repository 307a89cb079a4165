"""responder.advice.facts: what the customer already said, on team-written Dutch and Flemish
comments (tests/cases/facts.yaml), plus the promises the reply engine relies on: offsets that
point at the comment's own words, no personal data in any value, determinism, speed, and no
exception on any text."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from responder.advice.facts import FACT_KINDS, Fact, Facts, extract_facts, format_euros
from responder.advice.personal_data import find_personal_data

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "cases" / "facts.yaml").read_text("utf-8")
)
CASE_KEYS = {"text", "facts", "not", "exact", "exact_kinds", "summary", "summary_has"}
REFERENCE_VALUES = {
    "ordernummer",
    "klantnummer",
    "dossiernummer",
    "meldingsnummer",
    "referentienummer",
    "factuurnummer",
    "trackingcode",
    "boekingsnummer",
    "contractnummer",
    "polisnummer",
    "EAN-code",
}


def _found(facts: Facts) -> list[tuple[str, str]]:
    return [(f.kind, f.value) for f in facts.items]


def test_the_case_file_is_large_and_well_formed() -> None:
    assert len(CASES) >= 150
    assert len({c["text"] for c in CASES}) == len(CASES), "every sentence once"
    for case in CASES:
        assert set(case) <= CASE_KEYS, case
        for expected in case.get("facts", []) + case.get("not", []):
            assert expected["kind"] in FACT_KINDS, expected
    kinds = Counter(f["kind"] for c in CASES for f in c.get("facts", []))
    assert all(kinds[k] >= 5 for k in FACT_KINDS), kinds
    assert sum(1 for c in CASES if c.get("not") or c.get("exact")) >= 40


@pytest.mark.parametrize("case", CASES, ids=[f"{i:03d}" for i in range(len(CASES))])
def test_case(case: dict[str, Any]) -> None:
    text = case["text"]
    facts = extract_facts(text)
    found = _found(facts)
    for expected in case.get("facts", []):
        matches = [
            f for f in facts.items if f.kind == expected["kind"] and f.value == expected["value"]
        ]
        assert matches, f"{expected} not in {found}"
        if "text" in expected:
            assert expected["text"] in [f.text for f in matches], (expected, matches)
    for absent in case.get("not", []):
        wrong = [
            f
            for f in facts.items
            if f.kind == absent["kind"] and absent.get("value", f.value) == f.value
        ]
        assert not wrong, f"{absent} found: {wrong}"
    if case.get("exact"):
        expected_pairs = [(e["kind"], e["value"]) for e in case.get("facts", [])]
        assert Counter(found) == Counter(expected_pairs), found
    for kind, count in case.get("exact_kinds", {}).items():
        assert len(facts.of(kind)) == count, found
    if "summary" in case:
        assert facts.summary() == case["summary"]
    for line in case.get("summary_has", []):
        assert line in facts.summary(), facts.summary()


@pytest.mark.parametrize("case", CASES, ids=[f"{i:03d}" for i in range(len(CASES))])
def test_offsets_point_at_the_comments_own_words(case: dict[str, Any]) -> None:
    text = case["text"]
    facts = extract_facts(text)
    for fact in facts.items:
        assert fact.kind in FACT_KINDS
        assert text[fact.start : fact.end] == fact.text, fact
        assert fact.text.strip() == fact.text and fact.text, fact
    starts = [(f.start, FACT_KINDS.index(f.kind)) for f in facts.items]
    assert starts == sorted(starts), "facts come in reading order"


@pytest.mark.parametrize(
    "comment",
    [
        "Bel me op 06-12345678, al 3 weken geen internet",
        "Mijn nummer: +31 6 12345678. Ik wacht al 50 minuten in de wacht.",
        "Terugstorten op NL91 ABNA 0417 1643 00 graag, het ging om €60",
        "Stuur de factuur naar iemand@example.com, ordernummer 98765432",
        "Ik woon op de Voorbeeldstraat 12, 1234 AB, het pakket lag er niet",
        "Mijn klantnummer is 55512345 en mijn IBAN NL91ABNA0417164300",
        "Bel 020-1234567 tussen 10 en 12 uur",
    ],
)
def test_personal_data_never_becomes_a_value(comment: str) -> None:
    for fact in extract_facts(comment).items:
        assert not find_personal_data(fact.value), fact
        for match in find_personal_data(comment):
            if match.kind != "order- of klantnummer":
                assert not (fact.start < match.end and match.start < fact.end), (fact, match)
        if fact.kind == "reference":
            assert fact.value in REFERENCE_VALUES


def test_a_reference_names_its_kind_never_the_number() -> None:
    for case in CASES:
        for fact in extract_facts(case["text"]).items:
            if fact.kind != "reference":
                continue
            assert fact.value in REFERENCE_VALUES
            assert not any(c.isdigit() for c in fact.value)


def test_a_phone_number_is_not_an_amount_or_a_date() -> None:
    facts = extract_facts("Bel me op 06-12345678 of 0612345678 of 010 123 45 67")
    assert not facts.has("amount")
    assert not facts.has("date")
    assert not facts.has("duration")


def test_the_api() -> None:
    facts = extract_facts(
        "Al drie weken geen internet, al 3 keer gebeld, €60 te veel betaald en mijn dochter "
        "van 12 kan geen huiswerk maken. Ordernummer 12345678."
    )
    duration = facts.first("duration")
    assert duration == Fact("duration", "Al drie weken", "3 weken", 0, 13)
    assert facts.has("tried") and facts.has("amount") and facts.has("affected")
    assert not facts.has("waiting") and facts.first("waiting") is None
    assert facts.summary() == [
        "Speelt al 3 weken",
        "Heeft al 3 keer gebeld",
        "Bedrag genoemd: € 60,00",
        "Getroffen: mijn dochter van 12",
        "Heeft een ordernummer gegeven",
    ]
    as_dict = facts.to_dict()
    assert as_dict["summary"] == facts.summary()
    assert as_dict["items"][0] == {
        "kind": "duration",
        "text": "Al drie weken",
        "value": "3 weken",
        "start": 0,
        "end": 13,
    }
    assert all("12345678" not in item["value"] for item in as_dict["items"])


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (60, "€ 60,00"),
        (1250, "€ 1.250,00"),
        (12.5, "€ 12,50"),
        (0.5, "€ 0,50"),
        (1e6, "€ 1.000.000,00"),
    ],
)
def test_amounts_read_the_dutch_way(amount: float, text: str) -> None:
    assert format_euros(amount) == text


@pytest.mark.parametrize("empty", ["", "   ", "\n\t", "🙂", "?!", "0", "x" * 20])
def test_nothing_to_find(empty: str) -> None:
    assert extract_facts(empty).items == ()
    assert extract_facts(empty).summary() == []


def test_the_same_comment_gives_the_same_facts() -> None:
    text = CASES[0]["text"]
    assert extract_facts(text) == extract_facts(text)
    assert all(extract_facts(c["text"]) == extract_facts(c["text"]) for c in CASES[:40])


def test_fast_enough_for_every_request() -> None:
    comment = (
        "Al drie weken wacht ik op mijn pakket, ik heb al 3x gebeld en stond vorige week dinsdag "
        "50 minuten in de wacht. Er is ook nog €60 te veel afgeschreven voor mijn abonnement en "
        "mijn vader van 80 snapt er niks van. Ordernummer 12345678, sinds maandag geen reactie "
        "meer, weer niet. Wat moet ik nog doen, opnieuw opgestart en gemaild heb ik ook al."
    )[:300]
    extract_facts(comment)
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(50):
            extract_facts(comment)
        runs.append((time.perf_counter() - started) / 50)
    assert min(runs) < 0.001, f"{min(runs) * 1000:.2f} ms per comment"


def test_long_and_odd_text_is_handled() -> None:
    long = "Al 3 weken geen internet. " * 2000
    facts = extract_facts(long)
    assert facts.has("duration")
    assert all(f.end <= len(long) for f in facts.items)
    for odd in [
        "\ud800 al 3 weken \udfff",
        "€€€ 12,,50 euro",
        "3/3/3/3",
        "x" * 100 + "€",
        "0" * 50,
    ]:
        extract_facts(odd)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_never_raises_and_offsets_hold(text: str) -> None:
    for fact in extract_facts(text).items:
        assert text[fact.start : fact.end] == fact.text
        assert fact.kind in FACT_KINDS


WORDS = st.sampled_from(
    [
        "al",
        "drie",
        "weken",
        "3x",
        "gebeld",
        "€",
        "60",
        "euro",
        "te",
        "veel",
        "mijn",
        "vader",
        "van",
        "80",
        "de",
        "app",
        "sinds",
        "maandag",
        "weer",
        "opnieuw",
        "keer",
        "voor",
        "de",
        "derde",
        "50",
        "minuten",
        "in",
        "wacht",
        "ordernummer",
        "12345678",
        "op",
        "3",
        "maart",
        ",",
        ".",
        "!",
        "06-12345678",
        "gemaild",
        "het",
        "is",
        "mooi",
        "uur",
        "dag",
        "NL91",
        "ABNA",
        "0417",
        "1643",
        "00",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, max_size=40).map(" ".join))
def test_never_raises_on_fact_like_text(text: str) -> None:
    facts = extract_facts(text)
    for fact in facts.items:
        assert text[fact.start : fact.end] == fact.text
        if fact.kind != "reference":
            assert not find_personal_data(fact.value)
    facts.summary()


@pytest.mark.parametrize(
    ("text", "staff"),
    [
        ("Den taxichauffeur die jullie stuurden riep iets naar mij", "de taxichauffeur"),
        ("Ne bewaker van jullie winkel heeft mij vastgepakt", "de bewaker"),
        ("De purser schreeuwde tegen mijn zoon", "de purser"),
        ("De huismeester van ons complex noemde mij een zeurwijf", "de huismeester"),
        ("Uw medewerker aan de balie was onbeschoft", "onze medewerker"),
        ("jullie baliemedewerker was bot", "onze baliemedewerker"),
        ("Mijn pakket is nog steeds niet bezorgd", None),
        ("De bestuurder van de auto reed door rood", None),  # another road user
        ("De trambestuurder reed gewoon door", "de trambestuurder"),
    ],
)
def test_the_staff_member_the_comment_is_about(text: str, staff: str | None) -> None:
    from responder.advice.facts import staff_named

    assert staff_named(text) == staff


@pytest.mark.parametrize(
    ("text", "staff"),
    [
        ("Shoutout naar de juf van groep 3 van jullie school!", "de juf"),
        ("Ik wil de verpleegkundigen van afdeling C3 bedanken.", "de verpleegkundigen"),
        ("Netjes gewerkt door jullie aannemer, elke avond opgeruimd.", "onze aannemer"),
        ("De agenda voor volgende week klopt niet", None),
    ],
)
def test_staff_named_includes_teachers_carers_and_craftsmen(text: str, staff: str | None) -> None:
    from responder.advice.facts import staff_named

    assert staff_named(text) == staff
