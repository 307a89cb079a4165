"""The one personal-data detector, and that plan, suggest and the guardrails all use it."""

from __future__ import annotations

from datetime import datetime

import pytest
from advice_helpers import triage_for

from responder.advice.guardrails import ReplyContext, check_reply
from responder.advice.personal_data import PATTERNS, Match, find_personal_data
from responder.advice.plan import CommentContext, plan
from responder.advice.playbook import load_playbook
from responder.advice.suggest import suggest

PB = load_playbook()
WEDNESDAY_10 = datetime(2026, 11, 25, 10, 0)


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("Mail me op jan.de.vries@voorbeeld.nl graag", "e-mailadres", "jan.de.vries@voorbeeld.nl"),
        ("Bel me op 06-12345678 vanavond", "telefoonnummer", "06-12345678"),
        ("Of op +31 6 12345678 overdag", "telefoonnummer", "+31 6 12345678"),
        ("Mijn rekening NL91 ABNA 0417 1643 00 klopt", "IBAN", "NL91 ABNA 0417 1643 00"),
        ("Ik woon in 1234 AB Amsterdam", "postcode", "1234 AB"),
        ("Bezorg het op de Dorpsstraat 12 alsjeblieft", "adres", "Dorpsstraat 12"),
        ("Bestelling #12345678 is kwijt", "order- of klantnummer", "#12345678"),
    ],
)
def test_each_kind_is_found_with_its_place(text: str, kind: str, found: str) -> None:
    matches = find_personal_data(text)
    assert Match(kind, found, text.index(found), text.index(found) + len(found)) in matches
    assert all(m.kind in PATTERNS for m in matches)


def test_a_piece_may_match_two_kinds() -> None:
    # The digits of an IBAN read as a phone number too; the phone number comes first.
    matches = find_personal_data("NL91 ABNA 0417 1643 00")
    assert [m.kind for m in matches] == ["telefoonnummer", "IBAN"]


@pytest.mark.parametrize(
    "text",
    [
        "Mijn pakket is al een week onderweg.",
        "Het kost 12 euro en duurt 3 dagen.",
        "Zie https://www.example.nl/bestelling/12345678 voor meer",  # part of a link
        "Het ging om 1234 SS, geen postcode",  # SS, SA and SD are not used in postcodes
    ],
)
def test_no_personal_data(text: str) -> None:
    assert find_personal_data(text) == []


def test_kinds_in_pattern_order_then_reading_order() -> None:
    text = "Order 98765432 en 11223344, bel 0612345678"
    matches = find_personal_data(text)
    assert [m.kind for m in matches] == [
        "telefoonnummer",
        "order- of klantnummer",
        "order- of klantnummer",
        "order- of klantnummer",
    ]
    assert [m.text for m in matches[1:]] == ["98765432", "11223344", "0612345678"]
    assert matches[0] == Match("telefoonnummer", "0612345678", 32, 42)


@pytest.mark.parametrize(
    "text",
    [
        "Mijn IBAN is NL91 ABNA 0417 1643 00, waar blijft mijn geld terug?",
        "Bestelling 12345678 is nog steeds niet binnen.",
        "Pakket niet bezorgd, mail me op noor@voorbeeld.nl",
    ],
)
def test_plan_suggest_and_guardrails_agree(text: str) -> None:
    kind = find_personal_data(text)[0].kind
    context = CommentContext(received_at=WEDNESDAY_10, agent_initials="AB")
    t = triage_for(text, topic="delivery")
    p = plan(t, text, context, PB)
    assert "persoonsgegevens" in p.steps[0].do  # plan: hide the comment
    result = suggest(t, text, context, PB, p)
    ask = next(s for s in result.items if s.strategy == "ask_missing_fact")
    assert "Lager: het gegeven staat al in de reactie." in ask.ranking  # suggest: fact is given
    public = ReplyContext("u", 280, True)
    problem = next(r for r in check_reply(f"Dank u. {text} ^AB", public) if not r.passed)
    assert problem.name == "personal_data" and f"Bevat een {kind};" in problem.message


def test_without_personal_data_none_of_them_react() -> None:
    text = "Mijn pakket is al een week onderweg."
    context = CommentContext(received_at=WEDNESDAY_10, agent_initials="AB")
    t = triage_for(text, topic="delivery")
    p = plan(t, text, context, PB)
    assert not any("persoonsgegevens" in s.do for s in p.steps[:1])
    result = suggest(t, text, context, PB, p)
    assert all(not s.ranking for s in result.items)
    assert all(r.passed for r in check_reply(f"Dank u. {text} ^AB", ReplyContext("u", 280, True)))
