"""Opening hours in English, French and German from the playbook's calendar, and the reply that
gives them to a customer who asks in that language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from advice_helpers import triage_for

from responder.advice.hours import opening_hours_in
from responder.advice.plan import CommentContext, plan
from responder.advice.playbook import comment_text, load_playbook
from responder.advice.suggest import suggest

PB = load_playbook()
WEDNESDAY_10 = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


@pytest.mark.parametrize(
    ("language", "question", "answer"),
    [
        (
            "en",
            "What time do you open on Saturday?",
            "On Saturday 28 November we are open from 9:00 to 17:00.",
        ),
        ("en", "Are you open on Christmas Day?", "On Friday 25 December we are closed."),
        ("en", "Are you open on Boxing Day?", "On Saturday 26 December we are closed."),
        ("en", "are you open on December 26th?", "On Saturday 26 December we are closed."),
        ("en", "Open tomorrow?", "On Thursday 26 November we are open from 8:00 to 20:00."),
        (
            "en",
            "What are your opening hours?",
            "We are open Monday to Friday from 8:00 to 20:00, Saturday from 9:00 to 17:00 and Sunday from 10:00 to 16:00.",
        ),
        ("fr", "Êtes-vous ouverts le lundi de Pâques ?", "Le lundi 29 mars, nous sommes fermés."),
        (
            "fr",
            "Quels sont vos horaires ?",
            "Nous sommes ouverts du lundi au vendredi de 8:00 à 20:00, le samedi de 9:00 à 17:00 et le dimanche de 10:00 à 16:00.",
        ),
        (
            "de",
            "Habt ihr am 25. Dezember geöffnet?",
            "Am Freitag, 25. Dezember haben wir geschlossen.",
        ),
        (
            "de",
            "Habt ihr morgen offen?",
            "Am Donnerstag, 26. November haben wir von 8:00 bis 20:00 Uhr geöffnet.",
        ),
    ],
)
def test_the_hours_of_the_day_asked_about(language: str, question: str, answer: str) -> None:
    assert opening_hours_in(language, comment_text(question), WEDNESDAY_10, PB).startswith(answer)


def test_a_closed_day_says_when_we_open_again() -> None:
    text = opening_hours_in("en", "open on christmas?", WEDNESDAY_10, PB)
    assert text.endswith("We are open again from Sunday 27 December 10:00.")


@pytest.mark.parametrize(
    ("question", "language", "expected"),
    [
        ("What time do you open on Saturday?", "en", "9:00 to 17:00"),
        ("Are you open on Christmas Day? Thanks!", "en", "we are closed"),
        ("Bonjour, êtes-vous ouverts dimanche prochain ?", "fr", "de 10:00 à 16:00"),
        ("Hallo, wie sind Ihre Öffnungszeiten am Samstag?", "de", "von 9:00 bis 17:00 Uhr"),
    ],
)
def test_a_question_about_opening_hours_gets_them_in_its_language(
    question: str, language: str, expected: str
) -> None:
    ctx = CommentContext(None, WEDNESDAY_10.replace(tzinfo=None), agent_initials="AB")
    triage = triage_for(question)
    assert triage.language.label == language
    the_plan = plan(triage, question, ctx, PB)
    first = suggest(triage, question, ctx, PB, the_plan).items[0]
    assert expected in first.text, first.text
    assert all(g.passed for g in first.guardrails), first.guardrails
