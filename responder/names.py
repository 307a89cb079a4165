"""The one home of Dutch display text: label names, months and weekdays, and deadline wording.

The CLI, the report, the API (and through it the web page and the extension) all use these, so
an agent sees the same word for the same label everywhere.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

SENTIMENT_NAMES = {"negative": "negatief", "neutral": "neutraal", "positive": "positief"}
INTENT_NAMES = {
    "complaint": "klacht",
    "question": "vraag",
    "praise": "compliment",
    "suggestion": "suggestie",
    "other": "overig",
}
TOPIC_NAMES = {
    "delivery": "bezorging",
    "product": "product",
    "service": "service",
    "billing": "factuur en betaling",
    "outage": "storing",
    "account_privacy": "account en privacy",
    "policy": "beleid",
    "general": "algemeen",
}
FLAG_NAMES = {
    "legal_threat": "juridische dreiging",
    "media_threat": "mediadreiging",
    "churn_threat": "overstapdreiging",
    "safety": "veiligheid",
    "abuse": "grensoverschrijdend gedrag",
    "privacy_incident": "privacyincident",
    "discrimination": "discriminatie",
}
REGISTER_NAMES = {"u": "u-vorm", "je": "je-vorm", "unknown": "onbekend"}
HEAD_NAMES = {
    "sentiment": "sentiment",
    "intent": "soort reactie",
    "topic": "onderwerp",
    "flags": "signalen",
    "register": "aanspreekvorm",
    "language": "taal",
}
VISIBILITY_NAMES = {
    "public": "openbaar reageren",
    "private": "alleen privé reageren",
    "public_then_private": "kort openbaar reageren, daarna privé verder",
}
VISIBILITY_TAGS = {
    "public": "Openbaar",
    "private": "Privé (DM)",
    "public_then_private": "Openbaar, daarna DM",
}
ACTION_NAMES = {
    "respond": "reageren",
    "hide": "verbergen, niet reageren",
    "report": "rapporteren bij het platform",
    "hide_and_report": "verbergen en rapporteren, niet reageren",
    "manual": "zelf beoordelen",
}
POSTED_NAMES = {"public": "openbaar plaatsen", "private": "als privébericht (DM)"}
FEEDBACK_NAMES = {"used": "gebruikt", "edited": "aangepast", "rejected": "afgewezen"}
SOURCE_NAMES = {"playbook": "draaiboek"}
WEEKDAY_NAMES = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip

LABEL_NAMES: dict[str, dict[str, str]] = {
    "sentiment": SENTIMENT_NAMES,
    "intent": INTENT_NAMES,
    "topic": TOPIC_NAMES,
    "flags": FLAG_NAMES,
    "register": REGISTER_NAMES,
}


def label_name(head: str, label: str) -> str:
    """The Dutch name of a label (``label_name("topic", "billing")`` → "factuur en betaling");
    an unknown label is shown as it is."""
    return LABEL_NAMES.get(head, {}).get(label, label)


def format_moment(moment: datetime, reference: datetime) -> str:
    """A deadline in Dutch: 'vandaag 14.30 uur', 'morgen 8.00 uur', 'gisteren 17.30 uur' or
    'maandag 2 december 8.00 uur'."""
    clock = f"{moment.hour}.{moment.minute:02d} uur"
    days = (moment.date() - reference.date()).days
    if days == 0:
        return f"vandaag {clock}"
    if days == 1:
        return f"morgen {clock}"
    if days == -1:
        return f"gisteren {clock}"
    return f"{WEEKDAY_NAMES[moment.weekday()]} {moment.day} {MONTHS[moment.month - 1]} {clock}"


def display_names() -> dict[str, Any]:
    """Every table, as the API serves it to the web page and the extension."""
    return {
        "labels": LABEL_NAMES,
        "heads": HEAD_NAMES,
        "visibility": VISIBILITY_NAMES,
        "visibility_tags": VISIBILITY_TAGS,
        "actions": ACTION_NAMES,
        "posted": POSTED_NAMES,
        "feedback": FEEDBACK_NAMES,
        "sources": SOURCE_NAMES,
        "months": list(MONTHS),
        "weekdays": list(WEEKDAY_NAMES),
    }
