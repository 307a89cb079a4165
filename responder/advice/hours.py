"""Opening hours in English, French and German, from the playbook's calendar: the answer to
"What time do you open on Saturday?", "Êtes-vous ouverts le lundi de Pâques ?" or "Habt ihr an
Weihnachten geöffnet?" in the customer's language (the Dutch answer is ``plan.opening_hours_text``).

The day asked about: a holiday by one of its names in the playbook (``names`` may hold English,
French and German names: "christmas", "noël", "weihnachten"), "today"/"tomorrow", a date
("25 December", "December 25") or a weekday; without one, the week's hours. A holiday is named by
its date in the reply ("On Friday 25 December we are closed"), as its Dutch name would mean
nothing to the reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from responder.advice.plan import next_opening, week_groups
from responder.advice.playbook import Playbook, mentions

LANGUAGES = ("en", "fr", "de")


@dataclass(frozen=True)
class _Words:
    weekdays: tuple[str, ...]
    months: tuple[str, ...]
    today: tuple[str, ...]
    tomorrow: tuple[str, ...]
    open_on: str
    """"On {day} we are open from {start} to {end}." """
    closed_on: str
    """"On {day} we are closed. We are back on {back}." """
    week: str
    """"We are open {days}." with the groups joined by ``and``."""
    span: str
    """"{days} from {start} to {end}": days from one weekday to another."""
    span_one: str
    """The same for one weekday."""
    through: str
    and_: str
    on_day: str
    """The day as it follows "On" ("{weekday} {day} {month}")."""


WORDS = {
    "en": _Words(
        weekdays=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        months=(
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
        today=("today", "tonight"),
        tomorrow=("tomorrow",),
        open_on="On {day} we are open from {start} to {end}.",
        closed_on="On {day} we are closed. We are open again from {back}.",
        week="We are open {days}.",
        span="{days} from {start} to {end}",
        span_one="{days} from {start} to {end}",
        through=" to ",
        and_=" and ",
        on_day="{weekday} {day} {month}",
    ),
    "fr": _Words(
        weekdays=("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
        months=(
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ),
        today=("aujourd'hui", "ce soir"),
        tomorrow=("demain",),
        open_on="Le {day}, nous sommes ouverts de {start} à {end}.",
        closed_on="Le {day}, nous sommes fermés. Nous serons de nouveau ouverts dès le {back}.",
        week="Nous sommes ouverts {days}.",
        span="du {days} de {start} à {end}",
        span_one="le {days} de {start} à {end}",
        through=" au ",
        and_=" et ",
        on_day="{weekday} {day} {month}",
    ),
    "de": _Words(
        weekdays=("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
        months=(
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ),
        today=("heute",),
        tomorrow=("morgen",),
        open_on="Am {day} haben wir von {start} bis {end} Uhr geöffnet.",
        closed_on="Am {day} haben wir geschlossen. Ab {back} Uhr haben wir wieder geöffnet.",
        week="Wir haben {days} geöffnet.",
        span="{days} von {start} bis {end} Uhr",
        span_one="{days} von {start} bis {end} Uhr",
        through=" bis ",
        and_=" und ",
        on_day="{weekday}, {day}. {month}",
    ),
}


def opening_hours_in(language: str, text: str, moment: datetime, playbook: Playbook) -> str:
    """The opening hours in ``language`` (``en``, ``fr`` or ``de``) for the day ``text`` (as
    ``comment_text`` gives it) asks about, from ``moment`` on; the week's hours otherwise."""
    words = WORDS[language]
    day = _day_asked(words, text, moment.date(), playbook)
    if day is None:
        weekday = _weekday_asked(words, text)
        if weekday is None:
            return _week(words, playbook)
        day = moment.date() + timedelta(days=(weekday - moment.date().weekday()) % 7)
    return _day_text(words, day, playbook)


def _day_asked(words: _Words, text: str, today: date, playbook: Playbook) -> date | None:
    org = playbook.organisation
    named = [
        (-len(name), holiday.day)
        for holiday in org.holidays
        if holiday.day >= today
        for name in holiday.known_as()
        if mentions(text, name.lower())
    ]
    if named:  # the longest name wins: "lundi de pâques" is not "pâques"
        return min(named)[1]
    if any(mentions(text, w) for w in words.tomorrow):
        return today + timedelta(days=1)
    if any(mentions(text, w) for w in words.today):
        return today
    months = "|".join(re.escape(m.lower()[:3]) for m in words.months)
    found = re.search(rf"\b(\d{{1,2}})(?:st|nd|rd|th|er|\.)?\s+({months})\w*", text) or re.search(
        rf"\b({months})\w*\s+(\d{{1,2}})(?:st|nd|rd|th)?\b", text
    )
    if found is None:
        return None
    first, second = found.group(1), found.group(2)
    number, month_word = (first, second) if first.isdigit() else (second, first)
    month = next(i for i, m in enumerate(words.months, 1) if m.lower().startswith(month_word))
    for year in (today.year, today.year + 1):
        try:
            asked = date(year, month, int(number))
        except ValueError:
            return None
        if asked >= today:
            return asked
    return None


def _weekday_asked(words: _Words, text: str) -> int | None:
    found = [i for i, name in enumerate(words.weekdays) if mentions(text, name.lower())]
    return found[0] if found else None


def _clock(moment: time) -> str:
    if (moment.hour, moment.minute) == (23, 59):
        return "24:00"
    return f"{moment.hour}:{moment.minute:02d}"


def _date(words: _Words, day: date) -> str:
    return words.on_day.format(
        weekday=words.weekdays[day.weekday()], day=day.day, month=words.months[day.month - 1]
    )


def _day_text(words: _Words, day: date, playbook: Playbook) -> str:
    hours = playbook.organisation.hours_on(day)
    if hours is not None:
        return words.open_on.format(
            day=_date(words, day), start=_clock(hours[0]), end=_clock(hours[1])
        )
    zone = playbook.organisation.zone
    back = next_opening(datetime.combine(day + timedelta(days=1), time(0), zone), playbook)
    return words.closed_on.format(
        day=_date(words, day), back=f"{_date(words, back.date())} {_clock(back.time())}"
    )


def _week(words: _Words, playbook: Playbook) -> str:
    parts = []
    for first, last, hours in week_groups(playbook):
        days = words.weekdays[first]
        form = words.span_one
        if last > first:
            days += words.through + words.weekdays[last]
            form = words.span
        parts.append(form.format(days=days, start=_clock(hours[0]), end=_clock(hours[1])))
    listed = ", ".join(parts[:-1]) + (words.and_ if len(parts) > 1 else "") + parts[-1]
    return words.week.format(days=listed)
