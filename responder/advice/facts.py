"""What the customer already said: the facts a comment gives, so that a reply acknowledges them
and never asks for them again.

``extract_facts`` finds, with Dutch and Flemish patterns, how long the problem lasts, how often it
happened, what the customer already tried, amounts of money, time on hold, the product or service
named, who was affected, that an order or case number was given, dates, and what went wrong
(cancelled, arrived damaged, nobody came, different answers). Each fact keeps the
comment's own words and their offsets, and a normalised value:

=========== ===================================================================================
kind        value
=========== ===================================================================================
duration    ``3 weken``, ``ruim 1 maand``, ``een paar dagen``, ``sinds maandag``
repeat      ``3 keer``, ``een paar keer``, ``meerdere keren``, ``weer``, ``herhaaldelijk``
tried       ``gebeld``, ``gemaild``, ``gechat``, ``contact opgenomen``, ``bericht gestuurd``,
            ``in de winkel geweest``, ``aan de balie geweest``, ``formulier ingevuld``,
            ``opnieuw opgestart``, ``opnieuw geïnstalleerd``, ``klacht ingediend``, ``gemeld``,
            ``teruggestuurd``, ``brief gestuurd``, ``cache gewist``
amount      ``€ 60,00``, ``€ 1.250,00``
waiting     ``50 minuten``, ``1 uur``, ``uren``
product     the noun phrase with ``mijn``/``onze``/``ons`` or else the article: ``mijn ketel``,
            ``de powerbank``, ``het abonnement``, ``de trein van 8.12``
affected    ``mijn dochter``, ``mijn vader van 80``, ``mijn hele gezin``
reference   the kind of number, never the number: ``ordernummer``, ``klantnummer``, ...
date        ``3 maart``, ``vorige week dinsdag``, ``gisteren``, ``Tweede Paasdag``
event       what went wrong, in the customer's words: ``geannuleerd``, ``beschadigd aangekomen``,
            ``beschadigd``, ``verkeerd geleverd``,
            ``kapot gegaan``, ``niet gekomen``, ``verschillende antwoorden``, ``niet ontvangen``,
            ``dubbel afgeschreven``, ``onheus behandeld``
tenure      how long they have been a customer: ``11 jaar`` ("al 11 jaar klant"), ``sinds 2009``
            ("klant sinds 2009"); these years are not how long the problem lasts
=========== ===================================================================================

Personal data (phone numbers, IBANs, e-mail and street addresses) never becomes a fact value.
The extraction is deterministic, needs no model and takes well under a millisecond.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from responder.advice.personal_data import find_personal_data
from responder.names import WEEKDAY_NAMES

FACT_KINDS = (
    "duration",
    "repeat",
    "tried",
    "amount",
    "waiting",
    "product",
    "affected",
    "reference",
    "date",
    "event",
    "tenure",
)

MAX_SCAN_CHARS = 5000
"""Only the start of a very long text is read: facts that matter come early, and the time stays
bounded."""


@dataclass(frozen=True)
class Fact:
    kind: str
    """One of ``FACT_KINDS``."""
    text: str
    """The comment's own words, e.g. "al drie weken"."""
    value: str
    """Normalised, e.g. "3 weken", "€ 60,00", "3 keer", "gebeld", "mijn dochter"."""
    start: int
    end: int
    """Character offsets in the comment: ``comment[start:end] == text``."""


@dataclass(frozen=True)
class Facts:
    """The facts of one comment, in reading order."""

    items: tuple[Fact, ...]

    def first(self, kind: str) -> Fact | None:
        return next((f for f in self.items if f.kind == kind), None)

    def has(self, kind: str) -> bool:
        return self.first(kind) is not None

    def of(self, kind: str) -> tuple[Fact, ...]:
        """Every fact of this kind, in reading order."""
        return tuple(f for f in self.items if f.kind == kind)

    def summary(self) -> list[str]:
        """Dutch lines for the agent, by kind ("Speelt al 3 weken", "Heeft al 3 keer gebeld",
        "Bedrag genoemd: € 60,00", "Getroffen: mijn dochter"), each line once."""
        tried = self.of("tried")
        lines: list[str] = []
        for kind in FACT_KINDS:
            for fact in self.of(kind):
                if kind == "repeat" and any(_inside(fact, t) for t in tried):
                    continue  # told with the attempt: "Heeft al 3 keer gebeld"
                line = _summary_line(fact, self.items)
                if line not in lines:
                    lines.append(line)
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {"items": [asdict(f) for f in self.items], "summary": self.summary()}


def extract_facts(comment: str) -> Facts:
    """The facts ``comment`` gives; empty for an empty or non-text input. Never raises."""
    if not isinstance(comment, str) or not comment.strip():
        return Facts(())
    text = comment[:MAX_SCAN_CHARS]
    found: list[Fact] = []
    for finder in _FINDERS:
        found.extend(finder(text))
    return Facts(tuple(_resolve(found, text)))


# -- numbers ---------------------------------------------------------------------------------

NUMBER_WORDS: dict[str, int] = {
    "een": 1,
    "één": 1,
    "eén": 1,
    "twee": 2,
    "drie": 3,
    "vier": 4,
    "vijf": 5,
    "zes": 6,
    "zeven": 7,
    "acht": 8,
    "negen": 9,
    "tien": 10,
    "elf": 11,
    "twaalf": 12,
    "dertien": 13,
    "veertien": 14,
    "vijftien": 15,
    "zestien": 16,
    "zeventien": 17,
    "achttien": 18,
    "negentien": 19,
    "twintig": 20,
    "dertig": 30,
    "veertig": 40,
    "vijftig": 50,
    "zestig": 60,
    "zeventig": 70,
    "tachtig": 80,
    "negentig": 90,
    "honderd": 100,
}
ORDINALS: dict[str, int] = {
    "tweede": 2,
    "derde": 3,
    "vierde": 4,
    "vijfde": 5,
    "zesde": 6,
    "zevende": 7,
    "achtste": 8,
    "negende": 9,
    "tiende": 10,
    "elfde": 11,
    "twaalfde": 12,
    "twintigste": 20,
    "honderdste": 100,
}
VAGUE_NUMBERS: dict[str, str] = {
    "een paar": "een paar",
    "paar": "een paar",
    "enkele": "een paar",
    "een aantal": "een paar",
    "meerdere": "meerdere",
    "verschillende": "meerdere",
    "diverse": "meerdere",
    "verscheidene": "meerdere",
}
_TENS = "twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig|negentig"
_UNITS_1_9 = "een|twee|drie|vier|vijf|zes|zeven|acht|negen"


def _alternation(words: Any) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


NUM = (
    r"(?:[0-9]{1,3}(?:[.,][0-9]{1,2})?"
    rf"|(?:{_UNITS_1_9})[eë]n(?:{_TENS})"
    r"|anderhalve|anderhalf"
    rf"|{_alternation(VAGUE_NUMBERS)}"
    rf"|{_alternation(NUMBER_WORDS)})"
)
"""A count: digits, a number word (also "vijfentwintig"), "anderhalf" or a vague one ("paar")."""


def _number(word: str) -> tuple[str, float | None]:
    """How a count reads in a value ("3", "1,5", "een paar") and its number, if it has one."""
    w = word.lower()
    if w in VAGUE_NUMBERS:
        return VAGUE_NUMBERS[w], None
    if w.startswith("anderhal"):
        return "1,5", 1.5
    if w in NUMBER_WORDS:
        n = NUMBER_WORDS[w]
        return str(n), float(n)
    compound = re.fullmatch(rf"({_UNITS_1_9})[eë]n({_TENS})", w)
    if compound:
        n = NUMBER_WORDS[compound.group(1)] + NUMBER_WORDS[compound.group(2)]
        return str(n), float(n)
    if re.fullmatch(r"[0-9]{1,3}(?:[.,][0-9]{1,2})?", w):
        n_float = float(w.replace(",", "."))
        if n_float == int(n_float):
            return str(int(n_float)), n_float
        return f"{n_float:g}".replace(".", ","), n_float
    return w, None


# -- time spans: duration, waiting, "... geleden" ----------------------------------------------

TIME_UNITS: dict[str, tuple[str, str]] = {
    "sec": ("seconde", "seconden"),
    "min": ("minuut", "minuten"),
    "kwartier": ("kwartier", "kwartier"),
    "uur": ("uur", "uur"),
    "dag": ("dag", "dagen"),
    "week": ("week", "weken"),
    "weekend": ("weekend", "weekenden"),
    "werkdag": ("werkdag", "werkdagen"),
    "maand": ("maand", "maanden"),
    "jaar": ("jaar", "jaar"),
}
UNIT = (
    r"(?P<unit>seconden|seconde|secondes|sec"
    r"|minuten|minuutjes|minuutje|minuut|mins|min\.?"
    r"|kwartier|uurtjes|uurtje|uren|uur|u(?=\b)"
    r"|werkdagen|werkdag|dagen|dagjes|dagje|dag|etmaal"
    r"|weekenden|weekend|weken|weekjes|weekje|week"
    r"|maanden|maandjes|maandje|maand"
    r"|jaren|jaar)"
)
DAYS = "|".join(WEEKDAY_NAMES)
DAY_PARTS = "ochtend|morgen|voormiddag|middag|namiddag|avond|nacht"
QUALIFIERS: dict[str, str] = {
    "ruim": "ruim",
    "bijna": "bijna",
    "meer dan": "meer dan",
    "langer dan": "meer dan",
    "zeker": "zeker",
    "minstens": "minstens",
    "minimaal": "minstens",
    "ongeveer": "ongeveer",
    "circa": "ongeveer",
    "pakweg": "ongeveer",
    "zo'n": "ongeveer",
    "zon": "ongeveer",
    "rond de": "ongeveer",
    "een kleine": "bijna",
    "een goeie": "ruim",
    "een goede": "ruim",
    "een dikke": "ruim",
    "goed": "ruim",
}
QUAL = rf"(?:(?P<qual>{_alternation(QUALIFIERS)})\s+)?"
SPAN = re.compile(
    r"(?<![\w€$.,])"
    r"(?P<lead>(?:nu\s+|inmiddels\s+|intussen\s+)?(?:al\s+(?:sinds\s+)?|sinds\s+|sedert\s+))?"
    + QUAL
    + r"(?:(?P<from>[0-9]{1,2}|"
    + _alternation(NUMBER_WORDS)
    + r")\s*(?:-|–|à|a|tot|of)\s*)?"
    + rf"(?P<num>{NUM})(?:\s*|\s+(?:hele|volle|lange)\s+)"
    + r"(?:(?P<half>half|halve)\s+)?"
    + UNIT
    + r"(?P<lang>\s*lang)?(?![\w])",
    re.IGNORECASE,
)
"""A count of time units: "al drie weken", "ruim een uur", "anderhalve week", "2u"."""

WEEK_OF = re.compile(
    r"(?<![\w])(?P<lead>al\s+)?een\s+(?P<unit>minuut|uur|dag|week|maand|jaar)\s+of\s+"
    r"(?P<num>[0-9]{1,2}|" + _alternation(NUMBER_WORDS) + r")(?![\w])",
    re.IGNORECASE,
)
"""The Dutch approximation "een week of drie": about three weeks."""

VAGUE_SPAN = re.compile(
    r"(?<![\w])(?:(?P<al>al|nu al|al sinds)\s+(?P<unit>uren|dagen|weken|maanden|jaren)"
    r"|(?P<unit2>uren|dagen|weken|maanden|jaren)\s*lang"
    r"|(?:al\s+)?de\s+hele\s+(?P<whole>dag|week|ochtend|morgen|middag|avond|nacht|weekend))"
    r"(?![\w])",
    re.IGNORECASE,
)
"""Time spans without a count: "al weken", "dagenlang", "de hele dag"."""

NOT_A_SPAN_BEFORE = re.compile(
    r"(?<![\w])(?:binnen|over|per|om\s+de|elke|iedere|nog|uiterlijk|maximaal|max|tussen|op|"
    r"voor|slechts|na)\s+$",
    re.IGNORECASE,
)
"""A span after these words is a promise, a rate or a moment ("na 10 minuten gaat hij uit"), not
how long the problem lasts; "na 3 weken nog steeds niks" is."""
CLOCK_BEFORE = re.compile(
    r"(?<![\w])(?:om|tot|vanaf|rond|tegen|van|na"
    r"|tussen\s+[0-9]{1,2}(?:[.:][0-9]{2})?(?:\s*u(?:ur)?)?\s+en)\s+$",
    re.IGNORECASE,
)
DAY_BEFORE = re.compile(
    rf"(?<![\w])(?:(?:{DAYS})(?:{DAY_PARTS})?|gisteren|vandaag|vanochtend|vanmorgen|vanmiddag"
    r"|vanavond|morgen|overmorgen)\s+$",
    re.IGNORECASE,
)
"""... and "om 8 uur", "tot 17 uur", "zondag 10 uur" are clock times."""
AGE_BEFORE = re.compile(
    r"(?<![\w])(?:ben|bent|is|zijn|was|waren|werd|wordt|word|van|als|met|op)\s+$", re.IGNORECASE
)
"""A number of years after these words is an age: "ik ben 65 jaar", "mijn vader van 80 jaar"."""
NOT_A_SPAN_AFTER = re.compile(
    r"^\s*(?:later|per|oud|garantie|levertijd|bedenktijd|abonnement|contract|op\s+rij)\b",
    re.IGNORECASE,
)
AGO = re.compile(r"^\s*geleden\b", re.IGNORECASE)
NEGATION_AFTER = re.compile(
    r"^\s*(?:\w+\s+)?(?:geen|niks|niets|zonder|niet|nog\s+steeds|lang)\b", re.IGNORECASE
)

HOLD_WORDS = re.compile(
    r"in\s+de\s+wacht|wachtrij|wachttijd|wachtmuziek|muziekje|aan\s+de\s+(?:lijn|telefoon)"
    r"|in\s+de\s+rij|on\s+hold|op\s+hold|in\s+de\s+queue|gehangen|\bhangen\b|\bhing\b",
    re.IGNORECASE,
)
"""Words that make a span of minutes or hours time on hold."""
WAIT_WORDS = re.compile(r"\b(?:ge)?wacht(?:en|te|ten)?\b", re.IGNORECASE)
PHONE_CONTEXT = re.compile(
    r"\b(?:bel\w*|gebeld|telefo\w*|klantenservice|klantendienst|chat\w*|helpdesk|servicedesk|"
    r"callcenter|\w*loket|\w*balie|\w*kassa|lijn)\b",
    re.IGNORECASE,
)
VISIT_CONTEXT = re.compile(
    r"\b(?:monteur\w*|technicus|installateur|bezorger\w*|koerier\w*|pakketbezorger|afspraak|"
    r"levering|bezorging|pakket\w*|thuis)\b",
    re.IGNORECASE,
)
"""Waiting for someone to come (a mechanic, a courier) is time waited too."""
SHORT_UNITS = frozenset({"sec", "min", "kwartier", "uur"})


def _unit_key(word: str) -> str:
    w = word.lower().rstrip(".")
    if w.startswith("sec"):
        return "sec"
    if w.startswith("min"):
        return "min"
    if w == "kwartier":
        return "kwartier"
    if w.startswith("u"):
        return "uur"
    if w.startswith("werkdag"):
        return "werkdag"
    if w.startswith("dag") or w == "etmaal":
        return "dag"
    if w.startswith("weekend"):
        return "weekend"
    if w.startswith("week") or w == "weken":
        return "week"
    if w.startswith("maand"):
        return "maand"
    return "jaar"


def _span_value(
    num: str, unit: str, half: str | None, qual: str | None, low: str | None = None
) -> str:
    """ "3 weken", "1 uur", "1,5 week", "30 minuten", "een paar dagen", "ruim 1 maand", "3-4
    dagen"."""
    shown, n = _number(num)
    if low:
        shown = f"{_number(low)[0]}-{shown}"
        n = 2.0
    key = _unit_key(unit)
    if unit.lower() == "etmaal":
        shown, n = (str(int(n)), n) if n is not None else (shown, n)
    if half:  # "een half uur", "drie halve dagen" is not said
        if key == "uur":
            shown, n, key = "30", 30.0, "min"
        elif key == "jaar":
            shown, n, key = "6", 6.0, "maand"
        else:
            return f"een halve {TIME_UNITS[key][0]}"
    if key == "kwartier":
        minutes = 15 * (n if n is not None else 1)
        shown, n, key = (str(int(minutes)) if minutes == int(minutes) else shown), minutes, "min"
    singular, plural = TIME_UNITS[key]
    word = singular if n is not None and n <= 1.5 else plural
    value = f"{shown} {word}"
    if qual:
        value = f"{QUALIFIERS.get(qual.lower(), qual.lower())} {value}"
    return value


def _sentence_around(text: str, start: int, end: int) -> str:
    left = max(text.rfind(c, 0, start) for c in ".!?\n")
    rights = [i for i in (text.find(c, end) for c in ".!?\n") if i != -1]
    return text[left + 1 : min(rights) if rights else len(text)]


def _is_waiting(text: str, start: int, end: int, unit: str) -> bool:
    """A span of seconds, minutes or hours spent on hold or in a queue."""
    if _unit_key(unit) not in SHORT_UNITS:
        return False
    sentence = _sentence_around(text, start, end)
    near = text[max(0, start - 45) : end + 45]
    if HOLD_WORDS.search(near):
        return True
    return bool(
        WAIT_WORDS.search(near)
        and (PHONE_CONTEXT.search(sentence) or VISIT_CONTEXT.search(sentence))
    )


def _time_spans(text: str) -> Iterator[Fact]:
    for m in SPAN.finditer(text):
        unit, num, lead = m.group("unit"), m.group("num"), (m.group("lead") or "").lower()
        if unit.lower() == "u" and not re.fullmatch(r"[0-9]{1,2}u", m.group(0)[-3:].strip()):
            continue  # "u" is also the pronoun: only "2u" right after digits
        if _unit_key(unit) == "uur" and re.fullmatch(r"[0-9]{1,2}[.:][0-9]{2}", num):
            continue  # "14.00 uur" is a clock time
        before = text[max(0, m.start() - 20) : m.start()]
        after = text[m.end() : m.end() + 25]
        value = _span_value(num, unit, m.group("half"), m.group("qual"), m.group("from"))
        ago = AGO.match(after)
        if ago and not lead:
            end = m.end() + ago.end()
            yield Fact("date", text[m.start() : end], f"{value} geleden", m.start(), end)
            continue
        clock = (
            _unit_key(unit) == "uur"
            and not m.group("qual")
            and (
                CLOCK_BEFORE.search(before)
                or (
                    DAY_BEFORE.search(before)
                    and re.fullmatch(r"[0-9]{1,2}", num)
                    and not WAIT_WORDS.search(after)
                )
            )
        )
        if clock and not lead:
            continue
        if _unit_key(unit) == "jaar" and not lead and AGE_BEFORE.search(before):
            continue
        waiting = _is_waiting(text, m.start(), m.end(), unit)
        if not lead and not waiting:
            after_na = re.search(r"(?<![\w])na\s+$", before, re.IGNORECASE)
            if after_na and NEGATION_AFTER.search(after):
                pass
            elif NOT_A_SPAN_BEFORE.search(before) or NOT_A_SPAN_AFTER.match(after):
                continue
            lone_one = num.lower() in ("een", "één", "eén") and not m.group("qual")
            if lone_one and not m.group("lang") and not NEGATION_AFTER.search(after):
                continue  # "op een dag", "een week vakantie": not how long a problem lasts
        if not lead and waiting and NOT_A_SPAN_BEFORE.search(before):
            continue
        kind = "waiting" if waiting else "duration"
        yield Fact(kind, m.group(0), value, m.start(), m.end())
    for m in WEEK_OF.finditer(text):
        shown, _ = _number(m.group("num"))
        unit = _unit_key(m.group("unit"))
        value = f"ongeveer {shown} {TIME_UNITS[unit][1]}"
        ago = AGO.match(text[m.end() : m.end() + 12])
        if ago:
            end = m.end() + ago.end()
            yield Fact("date", text[m.start() : end], f"{value} geleden", m.start(), end)
            continue
        kind = "waiting" if _is_waiting(text, m.start(), m.end(), m.group("unit")) else "duration"
        yield Fact(kind, m.group(0), value, m.start(), m.end())
    for m in VAGUE_SPAN.finditer(text):
        if m.group("whole"):
            value = f"de hele {m.group('whole').lower()}"
            unit = "dag"
        else:
            unit = (m.group("unit") or m.group("unit2")).lower()
            value = unit
        kind = "waiting" if _is_waiting(text, m.start(), m.end(), unit) else "duration"
        yield Fact(kind, m.group(0), value, m.start(), m.end())


# -- "sinds ...": duration from a moment on ----------------------------------------------------

MONTHS: dict[str, str] = {
    "januari": "januari",
    "jan": "januari",
    "februari": "februari",
    "feb": "februari",
    "febr": "februari",
    "maart": "maart",
    "mrt": "maart",
    "april": "april",
    "apr": "april",
    "mei": "mei",
    "juni": "juni",
    "jun": "juni",
    "juli": "juli",
    "jul": "juli",
    "augustus": "augustus",
    "aug": "augustus",
    "september": "september",
    "sept": "september",
    "sep": "september",
    "oktober": "oktober",
    "okt": "oktober",
    "november": "november",
    "nov": "november",
    "december": "december",
    "dec": "december",
}
MONTH_NAMES = tuple(dict.fromkeys(MONTHS.values()))
HOLIDAYS: dict[str, str] = {
    "eerste kerstdag": "Eerste Kerstdag",
    "tweede kerstdag": "Tweede Kerstdag",
    "eerste paasdag": "Eerste Paasdag",
    "tweede paasdag": "Tweede Paasdag",
    "paasmaandag": "Tweede Paasdag",
    "eerste pinksterdag": "Eerste Pinksterdag",
    "tweede pinksterdag": "Tweede Pinksterdag",
    "pinkstermaandag": "Tweede Pinksterdag",
    "kerstavond": "kerstavond",
    "kerst": "Kerstmis",
    "kerstmis": "Kerstmis",
    "oudejaarsavond": "oudejaarsavond",
    "oudjaarsavond": "oudejaarsavond",
    "oudejaarsdag": "oudejaarsdag",
    "oudjaar": "oudejaarsdag",
    "nieuwjaarsdag": "nieuwjaarsdag",
    "nieuwjaar": "nieuwjaarsdag",
    "koningsdag": "Koningsdag",
    "bevrijdingsdag": "Bevrijdingsdag",
    "hemelvaartsdag": "Hemelvaartsdag",
    "hemelvaart": "Hemelvaartsdag",
    "goede vrijdag": "Goede Vrijdag",
    "pasen": "Pasen",
    "pinksteren": "Pinksteren",
    "sinterklaas": "Sinterklaas",
    "pakjesavond": "pakjesavond",
    "black friday": "Black Friday",
    "cyber monday": "Cyber Monday",
    "moederdag": "Moederdag",
    "vaderdag": "Vaderdag",
    "valentijnsdag": "Valentijnsdag",
}
RELATIVE_DAYS = (
    r"eergisteren|gisteren(?:\s*(?:avond|ochtend|morgen|middag|namiddag|nacht))?"
    r"|gisteravond|gisterochtend|gistermorgen|gistermiddag|gisternacht"
    r"|vandaag|vanochtend|vanmorgen|vanmiddag|vanavond|vannacht|deze\s+(?:voormiddag|namiddag)"
    r"|afgelopen\s+(?:nacht|weekend|week|maand)|(?:vorige|verleden)\s+(?:week|maand)"
    r"|vorig\s+(?:jaar|weekend)|dit\s+weekend|deze\s+week|het\s+weekend"
)
MONTH_WORDS = _alternation(MONTHS)
DAY_MONTH = (
    rf"(?P<dm_day>[0-9]{{1,2}})(?:e|de|ste)?\s+(?P<dm_month>{MONTH_WORDS})\.?"
    r"(?:\s+(?P<dm_year>20[0-9]{2}))?(?![\w])"
)
PART_OF_MONTH = rf"(?P<part>begin|eind|half|halverwege|midden)\s+(?P<pm_month>{MONTH_WORDS}|vorige\s+maand|deze\s+maand)(?![\w])"
NUMERIC_DATE = (
    r"(?P<nd_day>[0-9]{1,2})[-/](?P<nd_month>[0-9]{1,2})(?:[-/](?P<nd_year>(?:20)?[0-9]{2}))?"
    r"(?![\w/-])"
)
WEEKDAY = (
    r"(?:(?P<wd_pre>vorige\s+week|verleden\s+week|afgelopen|vorige|verleden|deze|komende)\s+)?"
    rf"(?P<wd_day>{DAYS})(?P<wd_part>{DAY_PARTS})?"
    r"(?:\s+(?P<wd_post>vorige\s+week|verleden\s+week|jongstleden|jl\.))?"
)
DATE = re.compile(
    r"(?<![\w/.-])(?:"
    rf"(?P<holiday>{_alternation(HOLIDAYS)})"
    rf"|{DAY_MONTH}"
    rf"|{PART_OF_MONTH}"
    rf"|{WEEKDAY}"
    rf"|(?P<rel>{RELATIVE_DAYS})"
    rf"|{NUMERIC_DATE}"
    rf"|(?P<month_only>{_alternation(MONTH_NAMES)})"
    r")(?![\w])",
    re.IGNORECASE,
)
DATE_CONTEXT_BEFORE = re.compile(
    r"(?:\bop|\bsinds|\bvanaf|\btot|\bt/m|\btussen|\bvan|\bper|\bdd\.?|\bdatum)\s*:?\s*$",
    re.IGNORECASE,
)
MONTH_CONTEXT_BEFORE = re.compile(
    r"(?:\bsinds|\bvanaf|\bin|\bbegin|\beind|\bhalf|\bmidden|\bsedert|\btot)\s+$", re.IGNORECASE
)
"""A month alone is a date only after these words ("sinds april"); "mei" is also a name."""
SINCE = re.compile(
    r"(?<![\w])(?P<lead>(?:al\s+|nu\s+al\s+)?(?:sinds|sedert)\s+)"
    r"(?P<what>kort|[0-9]{1,2}[.:][0-9]{2}(?:\s+uur)?"
    r"|de\s+(?:zomer|winter|herfst|lente|zomervakantie|kerstvakantie|vakantie|jaarwisseling"
    r"|feestdagen|kerst)"
    r"|(?:de|het|mijn|onze|jullie)\s+(?:laatste\s+|vorige\s+|nieuwe\s+)?"
    r"(?:update|verhuizing|storing|overstap|installatie|vervanging|reparatie|onderhoud|"
    r"werkzaamheden|monteur|bezoek\s+van\s+de\s+monteur|levering|aansluiting|overname))"
    r"(?![\w])",
    re.IGNORECASE,
)


def _date_value(m: re.Match[str]) -> str | None:
    """A date as the value reads it ("3 maart", "vorige week dinsdag"); None when not a date."""
    g = m.groupdict()
    if g["holiday"]:
        return HOLIDAYS[re.sub(r"\s+", " ", g["holiday"].lower())]
    if g["dm_day"]:
        day = int(g["dm_day"])
        if not 1 <= day <= 31:
            return None
        month = MONTHS[g["dm_month"].lower()]
        return f"{day} {month}" + (f" {g['dm_year']}" if g["dm_year"] else "")
    if g["part"]:
        month = g["pm_month"].lower()
        month = MONTHS.get(month, re.sub(r"\s+", " ", month))
        return f"{g['part'].lower()} {month}"
    if g["rel"]:
        return re.sub(r"\s+", " ", g["rel"].lower())
    if g["nd_day"]:
        day, month_no = int(g["nd_day"]), int(g["nd_month"])
        if not (1 <= day <= 31 and 1 <= month_no <= 12):
            return None
        year = g["nd_year"]
        if year and len(year) == 2:
            year = "20" + year
        return f"{day} {MONTH_NAMES[month_no - 1]}" + (f" {year}" if year else "")
    if g["month_only"]:
        return g["month_only"].lower()
    if g["wd_day"]:
        day_name = g["wd_day"].lower() + (g["wd_part"] or "").lower()
        pre = re.sub(r"\s+", " ", (g["wd_pre"] or "").lower()).replace("verleden", "vorige")
        post = re.sub(r"\s+", " ", (g["wd_post"] or "").lower()).replace("verleden", "vorige")
        if post.startswith("vorige week"):
            return f"vorige week {day_name}"
        if pre in ("vorige", "afgelopen"):
            return f"afgelopen {day_name}"
        return f"{pre} {day_name}".strip()
    return None


def _dates(text: str) -> Iterator[Fact]:
    for m in DATE.finditer(text):
        value = _date_value(m)
        if value is None:
            continue
        if m.group("nd_day"):
            before = text[max(0, m.start() - 12) : m.start()]
            after = text[m.end() : m.end() + 12]
            if m.group(0) == "24/7" or re.match(r"\s*(?:sterren|punten|ster)\b", after, re.I):
                continue
            if not m.group("nd_year") and not DATE_CONTEXT_BEFORE.search(before):
                continue
        if m.group("month_only") and not MONTH_CONTEXT_BEFORE.search(
            text[max(0, m.start() - 12) : m.start()]
        ):
            continue
        start, end = m.start(), m.end()
        text_span = m.group(0)
        if text_span != text_span.rstrip():
            end = start + len(text_span.rstrip())
        before = text[max(0, start - 12) : start]
        since = re.search(r"(?:(?:al|nu\s+al)\s+)?(?:sinds|sedert)\s+$", before, re.IGNORECASE)
        if since:
            start -= len(since.group(0))
            yield Fact("duration", text[start:end], f"sinds {value}", start, end)
        else:
            yield Fact("date", text[start:end], value, start, end)
    for m in SINCE.finditer(text):
        what = re.sub(r"\s+", " ", m.group("what").lower())
        what = re.sub(r"^(mijn|onze|jullie)\b", "de", what)
        yield Fact("duration", m.group(0), f"sinds {what}", m.start(), m.end())


# -- repeats -----------------------------------------------------------------------------------

ORDINAL_WORDS = _alternation(ORDINALS)
REPEAT = re.compile(
    r"(?<![\w])(?:"
    r"(?:(?:voor\s+)?(?:de|het|den)\s+)?(?P<ord>" + ORDINAL_WORDS + r"|[0-9]{1,2}(?:e|de|ste|ste))"
    r"\s+(?:keer|maal|x|(?:stroom|internet|netwerk)?storing|onderbreking|vertraging|klacht|"
    r"melding|e-?mail)"
    r"|(?:(?:voor\s+)?de\s+)?(?P<many_ord>zoveelste|zo\s*veelste|hoeveelste)(?:\s+(?:keer|maal|x))?"
    rf"|(?:(?:al|nu\s+al|inmiddels|reeds|wel)\s+)?(?P<card>{NUM}|tig|talloze|tientallen|zoveel)"
    r"\s*(?P<times>keer|keren|maal|malen|x)(?=$|[\s.,!?;:)])"
    r"|(?P<fused>twee|drie|vier|vijf|zes|tien|honderd|duizend)maal"
    r"|(?P<often>meermaals|meermalen|herhaaldelijk|keer\s+op\s+keer|telkens\s+(?:weer|opnieuw)"
    r"|steeds\s+(?:weer|opnieuw)|(?:elke|iedere)\s+keer\s+(?:weer|opnieuw)|al\s+zo\s+vaak)"
    r"|(?P<again>alweer|weeral|al\s+weer|w[eé]{2}r)"
    r")(?![\w])",
    re.IGNORECASE,
)
NOT_A_REPEAT_AFTER = re.compile(
    r"^\s*(?:per|in\s+de|in\s+het|zo\b|zoveel|meer|minder|beter|duurder|goedkoper|sneller|"
    r"trager|groter|kleiner|erger|langer|[0-9x×*])",
    re.IGNORECASE,
)
WEATHER_BEFORE = re.compile(
    r"(?:\bdit|\bslecht|\bslechte|\bmooi|\bmooie|\blekker|\bgoed|\brot|\bguur|\bzonnig|"
    r"\bnat|\bkoud|\bwarm|\bprachtig|\bheerlijk|\bdruilerig|\bwinters|\bzomers|\bherfstig|"
    r"\bstormachtig|\bregenachtig|\bextreem|\bextreme|\bzulk|\bsoort|\bheen\s+en|\bin\s+de|"
    r"\bgeen|(?:^|[.!?,;:]|\bdoor|\bvanwege|\bmet|\bbij|\bom|\bondanks|\bover|\btijdens|\bzo'n|"
    r"\bdat|\bna)\s*(?:het|'t))"
    r"\s+$",
    re.IGNORECASE,
)
WEATHER_AFTER = re.compile(
    r"^(?:bericht|s\b|\s+en\s+wind|\s+of\s+geen|\s+(?:is|was|wordt|werd)\s+(?:mooi|slecht|"
    r"goed|heerlijk|prachtig|lekker|rot|guur|beter|slechter|zonnig))",
    re.IGNORECASE,
)


def _repeats(text: str) -> Iterator[Fact]:
    for m in REPEAT.finditer(text):
        after = text[m.end() : m.end() + 20]
        value: str | None = None
        if m.group("ord"):
            word = m.group("ord").lower()
            n = ORDINALS.get(word) or int(re.sub(r"[^0-9]", "", word) or 0)
            value = f"{n} keer" if n >= 2 else None
        elif m.group("many_ord") or m.group("often"):
            value = "herhaaldelijk"
        elif m.group("card"):
            if NOT_A_REPEAT_AFTER.match(after):
                continue
            card = m.group("card").lower()
            if card in ("tig", "talloze", "tientallen", "zoveel"):
                value = "meerdere keren"
            else:
                shown, n_float = _number(card)
                if n_float is None:
                    value = f"{shown} keer" if shown == "een paar" else "meerdere keren"
                elif n_float >= 2 and n_float == int(n_float):
                    value = f"{shown} keer"
        elif m.group("fused"):
            if NOT_A_REPEAT_AFTER.match(after):
                continue
            value = f"{NUMBER_WORDS.get(m.group('fused').lower(), 1000)} keer"
        elif m.group("again"):
            before = text[max(0, m.start() - 25) : m.start()]
            word = m.group("again").lower()
            if word in ("weer", "wéér") and (
                WEATHER_BEFORE.search(before) or WEATHER_AFTER.match(after)
            ):
                continue
            value = "weer"
        if value:
            yield Fact("repeat", m.group(0), value, m.start(), m.end())


# -- what the customer already tried -------------------------------------------------------------

TRIED: tuple[tuple[str, str], ...] = (
    (
        r"(?:suf|rot|gek|blauw|lam)\s*gebeld|gebeld|gebelt|opgebeld|opgebelt|belde|belden"
        r"|bel\s+al|bellen\s+al|(?:ge)?telefoneerd|telefoneerde"
        r"|aan\s+de\s+(?:telefoon|lijn)\s+gehad",
        "gebeld",
    ),
    (
        r"ge-?e?-?ma[iy]ld|ge-?e?-?ma[iy]lt|ge-?e-mailt|mailde|mailden|mail(?:tje|s)?\s+(?:na\s+mail\s+)?"
        r"(?:ge|ver|op)stuurd|e-?mails?\s+(?:ge|ver)stuurd|mail\s+na\s+mail",
        "gemaild",
    ),
    (
        r"gechat|gechatted|(?:de\s+)?chat(?:bot)?\s+(?:\S+\s+){0,3}?geprobeerd|via\s+(?:de\s+)?chat"
        r"|(?:met|in)\s+de\s+chat\s+(?:gesproken|gevraagd|gemeld|aangegeven|gezeten)",
        "gechat",
    ),
    (
        r"contact\s+(?:op)?genomen|contact\s+gezocht|contact\s+gehad|(?:ge)?contacteerd"
        r"|contacteerde",
        "contact opgenomen",
    ),
    (
        r"(?:dm|pb|pm|privébericht|prive\s*bericht|bericht(?:je)?s?|whatsapp(?:je)?|appje)"
        r"\s+(?:ge|ver|op)stuurd|ge-?dm'?d|geappt|gewhatsappt",
        "bericht gestuurd",
    ),
    (
        r"(?:in|naar|bij)\s+(?:de|het|jullie)\s+(?:winkel|filiaal|vestiging|zaak|shop|store)"
        r"(?:\s+\w+){0,2}?\s+(?:geweest|gegaan|gelopen|langs\s*geweest|langsgeweest|langs\s+gegaan)",
        "in de winkel geweest",
    ),
    (
        r"(?:aan|bij|naar)\s+(?:de|het)\s+(?:balie|loket|servicebalie|servicepunt|gemeentehuis|"
        r"stadhuis|gemeenteloket)(?:\s+\w+){0,2}?\s+(?:geweest|gegaan|gestaan|langsgeweest)",
        "aan de balie geweest",
    ),
    (
        r"[^\W\d_]*formulier(?:en)?\s+(?:al\s+)?"
        r"(?:(?:\w+\s+){0,2})?(?:ingevuld|ingestuurd|verstuurd|gestuurd|opgestuurd)",
        "formulier ingevuld",
    ),
    (
        r"opnieuw\s+opgestart|herstart|herstart(?:e|ten)|gereset|gereboot|reset\s+gedaan"
        r"|uit\s+en\s+(?:weer\s+)?aan\s*gezet|uit-\s+en\s+aangezet|uit\s+en\s+aan\s+gedaan"
        r"|stekker\s+(?:er\s*)?uit\s*(?:ge)?(?:haald|trokken|getrokken)",
        "opnieuw opgestart",
    ),
    (
        r"opnieuw\s+ge[iï]nstalleerd|herge[iï]nstalleerd|verwijderd\s+en\s+(?:weer\s+|opnieuw\s+)?"
        r"(?:ge[iï]nstalleerd|gedownload)|opnieuw\s+gedownload",
        "opnieuw geïnstalleerd",
    ),
    (
        r"klacht(?:en)?\s+(?:al\s+)?(?:ingediend|ingestuurd|gestuurd|verstuurd|gemeld|neergelegd)"
        r"|klacht\s+(?:\w+\s+){0,2}ingediend",
        "klacht ingediend",
    ),
    (
        r"(?:al|reeds)\s+(?:\w+\s+){0,3}?gemeld|melding\s+(?:gemaakt|gedaan)|storing\s+gemeld"
        r"|(?:heb|hebben)\s+(?:het|dit|dat)\s+(?:\w+\s+){0,2}?gemeld",
        "gemeld",
    ),
    (
        r"teruggestuurd|terug\s+gestuurd|retour\s*gestuurd|teruggezonden|geretourneerd"
        r"|retourneerde",
        "teruggestuurd",
    ),
    (
        r"(?:aangetekende\s+)?brief\s+(?:al\s+)?(?:ge|ver|op)stuurd|brief\s+geschreven"
        r"|aangetekend\s+(?:ge|ver|op)stuurd",
        "brief gestuurd",
    ),
    (r"(?:cache|cookies)\s+(?:al\s+)?(?:gewist|geleegd|leeggemaakt|verwijderd)", "cache gewist"),
)
TRIED_PATTERNS = tuple(
    (re.compile(r"(?<![\w])(?:" + p + r")(?![\w])", re.IGNORECASE), v) for p, v in TRIED
)
TRIED_TRIGGERS: dict[str, tuple[str, ...]] = {
    "gebeld": ("bel", "telef", "lijn"),
    "gemaild": ("mail", "meil"),
    "gechat": ("chat",),
    "contact opgenomen": ("contact",),
    "bericht gestuurd": ("stuur", "dm", "app"),
    "in de winkel geweest": ("winkel", "filiaal", "vestiging", "zaak", "shop", "store"),
    "aan de balie geweest": ("balie", "loket", "servicepunt", "huis"),
    "formulier ingevuld": ("formulier",),
    "opnieuw opgestart": ("start", "reset", "reboot", "aan", "stekker"),
    "opnieuw geïnstalleerd": ("nstall", "download"),
    "klacht ingediend": ("klacht",),
    "gemeld": ("meld",),
    "teruggestuurd": ("terug", "retour"),
    "brief gestuurd": ("brief", "aangetekend"),
    "cache gewist": ("cache", "cookies"),
}
"""Substrings without which a pattern cannot match: skipping it keeps extraction fast."""
NOT_TRIED_BEFORE = re.compile(
    r"(?:\bniet|\bnooit|\bgeen|\bme|\bmij|\bons|\bword|\bwordt|\bwerd|\bwerden|\bworden|\bben"
    r"|\bzijn|\bterug|\bnog\s+niet|\bnie|\bni)\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)
NOT_TRIED_AFTER = re.compile(r"^\s*(?:door|worden|te\s+worden)\b", re.IGNORECASE)
SIMPLE_PAST = re.compile(
    r"^(?:belde|belden|telefoneerde|mailde|mailden|contacteerde|retourneerde|herstartte"
    r"|herstartten)$",
    re.IGNORECASE,
)
"""Past-tense forms that say who did it: only the commenter's own ("ik belde", "belden we")."""
FIRST_PERSON = re.compile(r"(?<![\w])(?:ik|we|wij|'k)(?![\w])", re.IGNORECASE)


def _tried(text: str) -> Iterator[Fact]:
    low = text.lower()
    for pattern, value in TRIED_PATTERNS:
        if not any(t in low for t in TRIED_TRIGGERS[value]):
            continue
        for m in pattern.finditer(text):
            word = m.group(0).lower()
            before = text[max(0, m.start() - 25) : m.start()]
            after = text[m.end() : m.end() + 15]
            if (
                value == "gebeld"
                and not re.match(r"(?:suf|rot|gek|blauw|lam)", word)
                and (NOT_TRIED_BEFORE.search(before) or NOT_TRIED_AFTER.match(after))
            ):
                continue
            if SIMPLE_PAST.match(word) and not (
                FIRST_PERSON.search(text[max(0, m.start() - 20) : m.start()])
                or FIRST_PERSON.match(after.lstrip())
            ):
                continue
            if value in ("gemaild", "gemeld", "bericht gestuurd") and re.search(
                r"(?:\bniet|\bnooit|\bgeen|\bnog\s+niet)\s+$", before, re.IGNORECASE
            ):
                continue
            yield Fact("tried", m.group(0), value, m.start(), m.end())


# -- amounts -----------------------------------------------------------------------------------

AMOUNT_NUMBER = r"[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]{1,2})?|[0-9]{1,7}(?:[.,][0-9]{1,2})?"
EURO_WORDS = r"euro'?s|euro|eur\b|euries|eurie|ekkies|ekkie|eurocent|cent|piek"
AMOUNT = re.compile(
    r"(?<![\w.,])(?:"
    rf"(?:€|eur\b\.?|euro)\s?(?P<a>{AMOUNT_NUMBER})(?:,-{{1,2}}|,=)?"
    rf"|(?P<b>{AMOUNT_NUMBER})(?:,-{{1,2}}|,=)?\s?(?P<b_unit>€|{EURO_WORDS})"
    rf"|(?P<w>{_alternation(NUMBER_WORDS)}|(?:{_UNITS_1_9})[eë]n(?:{_TENS}))\s+(?P<w_unit>euro|eurocent|cent)"
    r"|(?P<note>een\s+tientje|een\s+vijfje|een\s+tientje|een\s+twintigje|een\s+briefje\s+van\s+(?:5|10|20|50|100))"
    r")(?P<extra>\s+(?:te\s*veel|extra|dubbel|meer\s+dan\s+afgesproken))?(?![\w])",
    re.IGNORECASE,
)
NOTES = {"tientje": 10, "vijfje": 5, "twintigje": 20}


def _euros(number: str) -> float | None:
    n = number.replace(" ", "")
    if "," in n:
        n = n.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"[0-9]{1,3}(?:\.[0-9]{3})+", n):
        n = n.replace(".", "")
    try:
        return float(n)
    except ValueError:
        return None


def format_euros(amount: float) -> str:
    """ "€ 1.250,00": Dutch thousands and decimals."""
    cents = round(amount * 100)
    whole, rest = divmod(cents, 100)
    return f"€ {whole:,}".replace(",", ".") + f",{rest:02d}"


def _amounts(text: str) -> Iterator[Fact]:
    for m in AMOUNT.finditer(text):
        amount: float | None
        if m.group("a"):
            amount = _euros(m.group("a"))
        elif m.group("b"):
            amount = _euros(m.group("b"))
            if amount is not None and m.group("b_unit").lower() in ("cent", "eurocent"):
                amount /= 100
        elif m.group("w"):
            amount = float(_number(m.group("w"))[1] or 0)
            if m.group("w_unit").lower() != "euro":
                amount /= 100
        else:
            note = m.group("note").lower()
            digits = re.search(r"[0-9]+", note)
            amount = float(digits.group(0)) if digits else float(NOTES[note.split()[-1]])
        if amount is None or amount <= 0 or amount > 10_000_000:
            continue
        yield Fact("amount", m.group(0), format_euros(amount), m.start(), m.end())


# -- references: an order, case or customer number given (never echoed) --------------------------

REFERENCES: tuple[tuple[str, str], ...] = (
    (r"order(?:nummer|nr\.?)?|bestel(?:nummer|nr\.?)|bestelling(?:s?nummer)?", "ordernummer"),
    (r"klant(?:nummer|nr\.?)|klant-?id|lid(?:maatschaps)?nummer|relatienummer", "klantnummer"),
    (
        r"dossier(?:nummer|nr\.?)?|zaak(?:nummer|nr\.?)|case(?:nummer|nr\.?)?|ticket(?:nummer|nr\.?)"
        r"|ticket\s*(?:id|#)",
        "dossiernummer",
    ),
    (r"melding(?:s?nummer|s?nr\.?)?|storingsnummer", "meldingsnummer"),
    (r"referentie(?:nummer|nr\.?)?|ref\.?|kenmerk", "referentienummer"),
    (r"factuur(?:nummer|nr\.?)?|nota(?:nummer)?", "factuurnummer"),
    (
        r"track\s*(?:&|and|en|n)\s*trace(?:[\s-]?code)?|t\s*&\s*t(?:[\s-]?code)?|tracking(?:s?code|s?nummer)?"
        r"|zending(?:s?nummer)?|pakket(?:nummer)|barcode|verzendcode",
        "trackingcode",
    ),
    (
        r"boeking(?:s?nummer|s?code)?|reservering(?:s?nummer|s?code)?|pnr|booking\s*code",
        "boekingsnummer",
    ),
    (r"contract(?:nummer|nr\.?)", "contractnummer"),
    (r"polis(?:nummer|nr\.?)", "polisnummer"),
    (r"ean(?:[\s-]?code)?|aansluitnummer", "EAN-code"),
)
REFERENCE_PATTERNS = tuple(
    (
        re.compile(
            r"(?<![\w])(?:" + p + r")\s*(?:nummer|nr\.?|no\.?|number)?\s*"
            r"(?:is|was|:|=|-|#)?\s*(?:is\s+)?#?\s*"
            r"(?P<code>(?=[A-Z0-9-]*[0-9][A-Z0-9-]*[0-9])[A-Z0-9][A-Z0-9-]{3,24})(?![\w])",
            re.IGNORECASE,
        ),
        v,
    )
    for p, v in REFERENCES
)


FOUR_DIGITS = re.compile(r"[0-9](?:[^\s0-9]*[0-9]){3}")


def _references(text: str) -> Iterator[Fact]:
    if not FOUR_DIGITS.search(text):
        return
    for pattern, value in REFERENCE_PATTERNS:
        for m in pattern.finditer(text):
            code = m.group("code")
            if sum(c.isdigit() for c in code) < 4:
                continue
            yield Fact("reference", m.group(0), value, m.start(), m.end())


# -- who was affected --------------------------------------------------------------------------

POSSESSIVE = r"(?P<det>mijn|m'n|m’n|mn|mijne|onze|ons|me)"
RELATIONS = (
    "dochtertje|dochter|dochters|zoontje|zoon|zoons|zonen|kindje|kinderen|kind|kids|baby|"
    "tweeling|man|vrouw|partner|vriendin|vriend|vader|moeder|pa|ma|papa|mama|opa|oma|bompa|"
    "bomma|grootvader|grootmoeder|grootouders|ouders|schoonvader|schoonmoeder|schoonzus|"
    "schoonbroer|schoonzoon|schoondochter|zusje|zus|zussen|broertje|broer|broers|neefje|neef|"
    "nichtje|nicht|oom|tante|buurvrouw|buurman|buren|buurjongen|buurmeisje|collega's|collega|"
    "gezin|familie|kleinkinderen|kleinkind|kleinzoon|kleindochter|huisgenoten|huisgenoot|"
    "huisdier|hond|hondje|kat|poes|lief|echtgenoot|echtgenote|klanten|leerlingen|patiënten|"
    "bewoners|cliënten|stiefzoon|stiefdochter|pleegkind|pleegzoon|pleegdochter"
)
ADJECTIVE = (
    r"(?:hele|zieke|oude|oudere|bejaarde|hoogbejaarde|dementerende|demente|zwangere|"
    r"gehandicapte|invalide|kleine|jonge|jongste|oudste|pasgeboren|lieve|arme|blinde|dove|"
    r"slechtziende|slechthorende|kwetsbare|diabetische|astmatische|allergische|"
    r"[0-9]{1,3}-jarige|\w+jarige|twee|drie|vier|vijf|[0-9])"
)
AFFECTED = re.compile(
    rf"(?<![\w]){POSSESSIVE}\s+(?P<adj>(?:{ADJECTIVE}\s+){{0,2}})(?P<who>{RELATIONS})"
    r"(?P<age>\s+van\s+(?:ruim\s+|bijna\s+)?[0-9]{1,3}(?:\s+jaar(?:\s+oud)?)?|\s*\([0-9]{1,3}\))?"
    r"(?![\w])",
    re.IGNORECASE,
)
STRANGER = re.compile(
    r"(?<![\w])(?:een|die|de|deze)\s+(?P<adj>oudere|bejaarde|hoogbejaarde|zwangere|gehandicapte|"
    r"blinde|slechtziende|dove|invalide)\s+(?P<who>vrouw|man|dame|heer|mevrouw|meneer|passagier|"
    r"klant|reiziger|mensen|medereiziger)(?![\w])",
    re.IGNORECASE,
)


def _possessive(det: str) -> str:
    d = det.lower().replace("’", "'")
    return "onze" if d == "onze" else "ons" if d == "ons" else "mijn"


def _affected(text: str) -> Iterator[Fact]:
    for m in AFFECTED.finditer(text):
        if m.group("det").lower() == "me" and m.group("who").lower() in ("man", "ma", "pa", "lief"):
            continue  # "me" before these is mostly the object pronoun
        adj = re.sub(r"\s+", " ", m.group("adj").lower()).strip()
        who = m.group("who").lower()
        age = m.group("age") or ""
        age_digits = re.search(r"[0-9]{1,3}", age)
        parts = [_possessive(m.group("det")), adj, who]
        if age_digits:
            parts.append(f"van {age_digits.group(0)}")
        value = " ".join(p for p in parts if p)
        yield Fact("affected", m.group(0), value, m.start(), m.end())
    for m in STRANGER.finditer(text):
        value = f"een {m.group('adj').lower()} {m.group('who').lower()}"
        yield Fact("affected", m.group(0), value, m.start(), m.end())


# -- the product or service named -------------------------------------------------------------

PRODUCTS_DE = (
    "babyfoon|vaas|keuken|frigo|hoekbank|cadeaukaart|cadeaubon|"
    "cv-ketel|cv ketel|ketel|combiketel|thermostaat|warmtepomp|slimme meter|meter|omvormer|"
    "laadpaal|boiler|geiser|geyser|kookplaat|inductieplaat|oven|magnetron|koelkast|vriezer|"
    "vaatwasser|vaatwasmachine|wasmachine|droger|wasdroger|stofzuiger|airfryer|waterkoker|"
    "koffiemachine|koffiezetapparaat|blender|powerbank|oplader|lader|kabel|laptop|computer|pc|"
    "printer|tablet|telefoon|smartphone|gsm|iphone|simkaart|sim|e-sim|modem|router|decoder|"
    "tv|televisie|afstandsbediening|koptelefoon|speaker|fiets|e-bike|scooter|auto|matras|stoel|"
    "kast|lamp|jas|broek|jurk|trui|tas|koffer|bagage|app|website|webshop|site|pas|bankpas|"
    "pinpas|creditcard|betaalpas|ov-chipkaart|ov-kaart|chipkaart|trein|intercity|sprinter|bus|"
    "tram|metro|boot|veerpont|pont|vlucht|verzekering|zorgverzekering|polis|hypotheek|lening|"
    "spaarrekening|bankrekening|betaalrekening|bestelling|zending|container|kliko|"
    "afvalbak|paspoort|identiteitskaart|id-kaart|rijbewijs|vergunning|uitkering|toeslag|pizza|"
    "maaltijd|burger|hamburger|salade|soep|taart|lasagne|friet|frietjes|sushi|kapsalon|"
    "medicatie|medicijnen|pillen|zalf|crème|creme|bril|lenzen|rolstoel|rollator|babyvoeding|"
    "flesvoeding|luiers|kinderwagen|buggy|aansluiting|verbinding|wifi|wifi-verbinding|mediabox|"
    "tv-box|bundel|glasvezelaansluiting|schoenen|sneakers|bank|bed|energierekening|"
    "box|zonnepanelen|panelen"
)
PRODUCTS_HET = (
    "abonnement|contract|energiecontract|pakket|pakketje|pakje|toestel|apparaat|kastje|"
    "tv-kastje|internet|glasvezel|ticket|treinkaartje|kaartje|vliegticket|e-ticket|account|"
    "eten|menu|gerecht|broodje|ontbijt|diner|speelgoed|product|artikel|zonnepaneel|"
    "laadstation|fornuis|strijkijzer|scherm|horloge|pasje|hoortoestel|bankstel|meubel|"
    "autostoeltje|tv-pakket|wifi-punt|horloge|boek|parfum|bed"
)
PRODUCT_ARTICLE: dict[str, str] = {w: "de" for w in PRODUCTS_DE.split("|")}
PRODUCT_ARTICLE.update({w: "het" for w in PRODUCTS_HET.split("|")})
_LONGEST_FIRST = sorted(PRODUCT_ARTICLE, key=len, reverse=True)
PRODUCT_DETERMINER = (
    r"(?P<det>mijn|m'n|m’n|mn|mijne|me|onze|ons|de|den|het|'t|die|deze|dat|dit|een|ne|nen|jullie"
    r"|uw)"
)
PRODUCT_ADJECTIVE = r"(?:[^\W\d_]+e|nieuw|oud|duur|gloednieuw|splinternieuw)"
PRODUCT = re.compile(
    rf"(?<![\w]){PRODUCT_DETERMINER}\s+(?P<adj>(?:{PRODUCT_ADJECTIVE}\s+){{0,2}}?)"
    rf"(?P<noun>(?:[^\W\d_]{{2,}}-?|[^\W\d_]-)??(?:{_alternation(PRODUCT_ARTICLE)}))(?![\w-])",
    re.IGNORECASE,
)
TRANSPORT = re.compile(
    r"(?<![\w])(?:(?P<det>(?i:de|die|mijn|m'n|mn))\s+)?(?:"
    r"(?P<vehicle>(?i:trein|intercity|sprinter|bus|tram|metro|boot|veerpont|vlucht|nachttrein))"
    r"\s+(?i:van|om)\s+(?P<time>[0-9]{1,2}[.:][0-9]{2})(?:\s*(?i:uur))?"
    r"|(?P<time2>[0-9]{1,2}[.:][0-9]{2})(?:-|\s+)?"
    r"(?P<vehicle2>(?i:trein|intercity|sprinter|bus|tram|vlucht))"
    r"|(?P<line>(?i:bus|tram|metro|lijn))\s+(?P<line_no>[0-9]{1,3}[a-z]?)(?![\w.:])"
    r"|(?P<flight>(?i:vlucht))\s+(?P<flight_no>[A-Z]{2}\s?[0-9]{2,4})"
    r"|(?P<trip>(?i:trein|intercity|vlucht|bus))\s+(?P<dir>(?i:naar|van|uit))\s+"
    r"(?P<city>[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)"
    r")(?![\w])",
)
OWN_THING = re.compile(
    r"(?<![\w'’])(?P<det>mijn|m'n|m’n|mn|onze|ons)\s+(?P<adj>(?:[^\W\d_]+e\s+){0,2}?)"
    r"(?P<noun>[^\W\d_]{3,18})(?![\w-])",
    re.IGNORECASE,
)
"""What the customer calls theirs ("mijn piano", "onze opstalverzekering"): the thing a comment
is about when the product list does not know the word."""
NOT_OWN_THINGS = frozenset(
    [
        "eigen",
        "hele",
        "beste",
        "best",
        "kant",
        "mening",
        "idee",
        "indruk",
        "gevoel",
        "schuld",
        "excuses",
        "probleem",
        "vraag",
        "klacht",
        "vragen",
        "klachten",
        "bericht",
        "berichten",
        "mail",
        "mails",
        "reactie",
        "geld",
        "tijd",
        "leven",
        "dag",
        "week",
        "maand",
        "jaar",
        "ogen",
        "oog",
        "hoofd",
        "arm",
        "armen",
        "been",
        "benen",
        "hand",
        "handen",
        "voet",
        "voeten",
        "rug",
        "nek",
        "buik",
        "gezicht",
        "huid",
        "mond",
        "keel",
        "neus",
        "oor",
        "oren",
        "vinger",
        "vingers",
        "tanden",
        "haar",
        "hart",
        "lijf",
        "lichaam",
        "naam",
        "adresgegevens",
        "gegevens",
        "e-mailadres",
        "telefoonnummer",
        "rekeningnummer",
        "wachtwoord",
        "ervaring",
        "geduld",
        "werk",
        "vrije",
        "vrijdag",
        "weekend",
        "vakantiedag",
        "verjaardag",
        "kerst",
        "energie",
        "nachtrust",
        "humeur",
        "punt",
        "beurt",
        "kinderen",
        "eerste",
        "tweede",
        "derde",
        "laatste",
        "nieuwe",
        "oude",
        "andere",
        "volgende",
        "vorige",
        "astma",
        "allergie",
        "ziekte",
        "diabetes",
        "advocaat",
        "jurist",
        "rechtsbijstand",
        "review",
        "recensie",
        "post",
        "tweet",
        "foto",
        "foto's",
    ]
)
"""Words after "mijn" that name no product: opinions, time, the body, one's own data (never a
value), people (see ``RELATIONS``) and adjectives standing alone."""
RELATION_WORDS = frozenset(RELATIONS.split("|"))
BOUGHT = re.compile(
    r"(?<![\w'’])(?P<det>de|den|het|'t|die|deze|dat|mijn|m'n|m’n|mn|onze|ons)\s+"
    r"(?P<adj>(?:[^\W\d_]+e\s+){0,2}?)(?P<noun>[^\W\d_]{3,20})\s+(?:die|dat)\s+(?:ik|we|wij|'k)\s+"
    r"(?:[^\s.!?]+\s+){0,6}?(?:gekocht|kocht|kochten|besteld|bestelde|bestelden|gehuurd|huurde"
    r"|gekregen|kreeg|kregen|laten\s+leveren|aangeschaft|aanschafte)(?![\w])",
    re.IGNORECASE,
)
"""A thing the customer bought, named by the words after it ("de boormachine die ik vorige week
bij jullie kocht"): what the comment is about even when the product list does not know it."""
BARE_PRODUCT = re.compile(r"(?:^|[.!?\n]\s*)(?P<noun>[A-Z][a-z]{2,})(?![\w-])")
NOT_PRODUCTS = frozenset({"meterkast", "brievenbus", "postbus", "vuilnisbak", "keukenkast"})
PRODUCT_NEEDS_POSSESSIVE = frozenset(
    {
        "internet",
        "eten",
        "bank",
        "rekening",
        "pas",
        "box",
        "site",
        "menu",
        "wifi",
        "auto",
        "trein",
        "bus",
        "tram",
        "metro",
        "product",
        "artikel",
        "kast",
        "bed",
        "boek",
        "lamp",
        "lader",
        "kabel",
        "verbinding",
        "aansluiting",
        "container",
        "stoel",
        "sim",
        "tv",
        "pc",
        "jas",
        "tas",
    }
)
"""Words that name a product only after "mijn"/"onze": "de bank" is also the bank itself,
"het internet" the internet, "de trein" the railway."""


def bought_things(text: str) -> set[str]:
    """The nouns of the things the comment says were bought ("de boormachine die ik … kocht")."""
    return {m.group("noun").lower() for m in BOUGHT.finditer(text)}


def product_key(noun: str) -> str:
    """The product-list word a noun is or ends in ("kipsalade" → "salade"); else the noun."""
    low = noun.lower().replace(" ", " ")
    if low in PRODUCT_ARTICLE:
        return low
    for word in _LONGEST_FIRST:
        if low.endswith(word):
            return word
    return low


def _products(text: str) -> Iterator[Fact]:
    for m in TRANSPORT.finditer(text):
        det = m.group("det")
        article = "mijn" if det and det.lower() in ("mijn", "m'n", "mn") else "de"
        if m.group("vehicle"):
            time = m.group("time").replace(":", ".")
            value = f"{article} {m.group('vehicle').lower()} van {time}"
        elif m.group("vehicle2"):
            time = m.group("time2").replace(":", ".")
            value = f"{article} {m.group('vehicle2').lower()} van {time}"
        elif m.group("line"):
            value = f"{m.group('line').lower()} {m.group('line_no').lower()}"
        elif m.group("flight"):
            value = f"{article} vlucht {m.group('flight_no').upper().replace(' ', '')}"
        else:
            value = (
                f"{article} {m.group('trip').lower()} {m.group('dir').lower()} {m.group('city')}"
            )
        yield Fact("product", m.group(0), value, m.start(), m.end())
    for m in PRODUCT.finditer(text):
        det = m.group("det").lower().replace("’", "'")
        noun = re.sub(r"\s+", " ", m.group("noun"))
        if noun[:1].isupper() and noun[1:2].islower():
            noun = noun.lower()  # a capital only because it opens a sentence or for emphasis
        key = product_key(noun)
        if noun.lower() in NOT_PRODUCTS:
            continue
        possessive = det in ("mijn", "m'n", "mn", "mijne", "me", "onze", "ons")
        if key in PRODUCT_NEEDS_POSSESSIVE and not possessive and noun.lower() == key:
            continue
        if det in ("me",) and key in ("pas", "bank"):
            continue
        if possessive:
            lead = _possessive(det)
            if lead == "ons" and PRODUCT_ARTICLE.get(key) == "de":
                lead = "onze"  # Flemish "ons" before a de-word
        else:
            lead = PRODUCT_ARTICLE.get(key, "de")
        value = f"{lead} {noun}"
        yield Fact("product", m.group(0), value, m.start(), m.end())
    for m in OWN_THING.finditer(text):
        det, noun_as_written = m.group("det"), m.group("noun")
        if det[:2] == det[:1].upper() + det[1:2].lower() and noun_as_written.istitle():
            continue  # "in Mijn Voorbeeldbedrijf", "via Mijn Omgeving": an online portal's name
        noun = m.group("noun").lower()
        if noun in NOT_OWN_THINGS or noun in RELATION_WORDS or noun in PRODUCT_ARTICLE:
            continue  # the product list above already reads a known word, with its rules
        if noun.endswith(("en", "st")) and noun[:-2] in NOT_OWN_THINGS:
            continue
        adj = re.sub(r"\s+", " ", m.group("adj").lower()).strip()
        if any(a in NOT_OWN_THINGS for a in adj.split()):
            adj = ""
        lead = _possessive(m.group("det"))
        value = " ".join(p for p in (lead, noun) if p)
        yield Fact("product", m.group(0), value, m.start(), m.end())
    for m in BOUGHT.finditer(text):
        noun = m.group("noun").lower()
        if noun in NOT_OWN_THINGS or noun in RELATION_WORDS or product_key(noun) in PRODUCT_ARTICLE:
            continue  # the product list reads a known word, with its rules
        det = m.group("det").lower().replace("’", "'")
        if det in ("mijn", "m'n", "mn", "onze", "ons"):
            lead = _possessive(det)
        else:
            lead = "het" if det in ("het", "'t", "dat") else "de"
        start, end = m.start("det"), m.end("noun")
        yield Fact("product", text[start:end], f"{lead} {noun}", start, end)
    for m in BARE_PRODUCT.finditer(text):
        # "Schoenen na 1 keer dragen kapot", "Matras van €899 heeft een kuil": a product opening a
        # sentence without an article.
        noun = m.group("noun").lower()
        plural = noun.endswith("en") and noun[:-2] in PRODUCT_ARTICLE  # "broeken": "broek"
        if noun in NOT_PRODUCTS or noun in PRODUCT_NEEDS_POSSESSIVE or noun[:-2] in NOT_PRODUCTS:
            continue
        if noun in PRODUCT_ARTICLE or plural:
            lead = "de" if plural else PRODUCT_ARTICLE[noun]
            start, end = m.start("noun"), m.end("noun")
            yield Fact("product", m.group("noun"), f"{lead} {noun}", start, end)


# -- what happened --------------------------------------------------------------------------------

EVENTS: tuple[tuple[str, str], ...] = (
    (
        "geannuleerd",
        r"ge-?cance?l(?:l)?e?d|geannul+eerd|afgezegd|geschrapt|niet\s+doorgaat"
        r"|gaat\s+(?:[^\s.!?]+\s+){0,5}?niet\s+door",
    ),
    (
        "beschadigd aangekomen",
        r"beschadigd\s+(?:aangekomen|bezorgd|geleverd|binnengekomen)"
        r"|(?:doos|pakket|verpakking|zending)\s+(?:(?:is|was)\s+)?(?:\w+\s+){0,2}?(?:kapot|stuk|ingedeukt"
        r"|gescheurd|doorweekt|nat)"
        r"|(?:kapot|stuk|gebroken)\s+(?:aangekomen|bezorgd|geleverd|binnengekomen)",
    ),
    ("beschadigd", r"beschadigd|gebutst|bekrast|vol\s+krassen"),
    (
        "verkeerd geleverd",
        r"(?:de\s+|een\s+)?verkeerde\s+(?:maat|kleur|maten|kleuren|artikel|artikelen|product|producten"
        r"|onderdeel|onderdelen|model|versie|bestelling|pakket|spullen)"
        r"|verkeerd\s+(?:geleverd|bezorgd|gestuurd|opgestuurd)",
    ),
    (
        "kapot gegaan",
        r"uit\s+elkaar\s+gevallen|in\s+(?:\w+\s+)?(?:stukken|scherven)|gebarsten"
        r"|(?:is|zijn|ging|gingen)\s+(?:al\s+|nu\s+al\s+|meteen\s+)?"
        r"(?:kapot|stuk|defect)(?:\s+gegaan)?|kapot\s+gegaan|stuk\s+gegaan"
        r"|doe(?:t|n)\s+(?:het\s+)?(?:al\s+)?niet\s+meer|werk(?:t|en)\s+(?:al\s+)?niet\s+meer",
    ),
    (
        "niet gekomen",
        r"(?:niet|nooit|niemand)\s+(?:\w+\s+)?(?:gekomen|opgedaagd|op\s+komen\s+dagen"
        r"|komen\s+opdagen|verschenen|langsgekomen|langs\s+gekomen)"
        r"|(?:dag|middag|ochtend|ochtendje|voormiddag|namiddag)\s+vrij\s+(?:(?:er)?voor\s+)?(?:genomen|gevraagd)"
        r"|vrij\s+genomen\s+voor\s+(?:niks|niets|noppes)"
        r"|voor\s+(?:niks|niets|noppes)\s+(?:thuis\s+)?(?:gewacht|thuisgebleven|thuis\s+gebleven)",
    ),
    (
        "verschillende antwoorden",
        r"(?:\w+\s+)?(?:verschillende|andere|tegenstrijdige)\s+antwoorden"
        r"|(?:elke|iedere)\s+keer\s+(?:\w+\s+){0,6}?(?:een\s+)?(?:ander|nieuw)\s+(?:antwoord|verhaal)"
        r"|steeds\s+(?:een\s+)?(?:ander|nieuw)\s+(?:antwoord|verhaal)",
    ),
    (
        "niet ontvangen",
        r"(?:nog\s+(?:steeds\s+|altijd\s+)?|nooit\s+)(?:niks|niets|niet|nix)\s+"
        r"(?:ontvangen|binnen|gekregen|aangekomen|geleverd|bezorgd)"
        r"|(?:nooit|niet)\s+(?:aangekomen|ontvangen|geleverd|bezorgd)",
    ),
    (
        "dubbel afgeschreven",
        r"dubbel\s+(?:afgeschreven|betaald|gefactureerd|gerekend|in\s+rekening\s+gebracht)"
        r"|(?:twee\s*keer|2\s*x|2\s*keer)\s+(?:afgeschreven|betaald|gefactureerd)",
    ),
    (
        "afgewezen",
        r"(?:is|zijn|werd|werden|wordt|worden)\s+(?:(?!niet\b|nog\b|geen\b|nooit\b)\w+\s+){0,2}?"
        r"afgewezen"
        r"|(?:wordt|worden|werd|werden)\s+(?:\w+\s+){0,3}?niet\s+vergoed",
    ),
    (
        "ontbrak",
        r"ontbr(?:ak|aken|eekt|eken)(?!\s+(?:niets|niks|er\s+niets|er\s+niks))"
        r"(?!\s+(?:\w+\s+){0,2}?aan\b)|niet\s+meegeleverd|niet\s+bij\s*geleverd",
    ),
    ("niet aangebeld", r"niet\s+(?:eens\s+)?(?:aangebeld|aan\s+gebeld)"),
    (
        "niet thuis gemeld",
        r"['‘’\"]?niet\s+thuis['‘’\"]?\s+(?:gescand|gemeld|ingevuld|aangevinkt)"
        r"|als\s+['‘’\"]?niet\s+thuis['‘’\"]?\s+(?:gescand|gemeld)",
    ),
    (
        "afgebroken",
        r"(?<!gesprek\sis\s)(?<!gesprek\swerd\s)(?<!chat\sis\s)(?<!chat\swerd\s)"
        r"(?<!verbinding\sis\s)(?<!verbinding\swerd\s)(?<!\swordt\s)"
        r"(?:afgebroken|doorgebroken|brak\s+(?:af|door))",
    ),
    (
        "lekt",
        r"(?<!gas\s)(?:lekt|lekken|lekte)(?!\s+(?:gas|niet|geen))"
        r"|laat\s+(?:\w+\s+){0,5}?water\s+door",
    ),
    ("beschimmeld", r"beschimmeld|onder\s+de\s+schimmel|schimmelt|schimmelig"),
    (
        "onheus behandeld",
        r"onbeschoft|onbehouwen|brutaal|grof\s+(?:tegen|behandeld)|afgeblaft|afgesnauwd|snauwde"
        r"|uitgelachen|respectloos|onvriendelijk\s+(?:tegen|behandeld)|als\s+oud\s+vuil",
    ),
)
EVENT_PATTERNS = tuple(
    (re.compile(r"(?<![\w])(?:" + p + r")(?![\w])", re.IGNORECASE), v) for v, p in EVENTS
)
NOT_EVENT_BEFORE = re.compile(r"(?:\bniet|\bnog\s+niet|\bgeen|\bnooit|\bbijna)\s+$", re.IGNORECASE)
""""niet geannuleerd" is not a cancellation (the "niet ..." events carry their own negation)."""
YES_NO_QUESTION = re.compile(
    r"^\s*(?:is|zijn|wordt|worden|werd|kan|kun|kunnen|mag|moet|heb|hebben|heeft|klopt|gaat)\b",
    re.IGNORECASE,
)
"""A sentence that asks whether it happened ("Is mijn bestelling geannuleerd?") tells nothing."""


def _events(text: str) -> Iterator[Fact]:
    for pattern, value in EVENT_PATTERNS:
        for m in pattern.finditer(text):
            if not value.startswith("niet") and NOT_EVENT_BEFORE.search(
                text[max(0, m.start() - 12) : m.start()]
            ):
                continue
            sentence = _sentence_around(text, m.start(), m.end())
            end = text.find("?", m.end())
            asked = end != -1 and "." not in text[m.end() : end] and "!" not in text[m.end() : end]
            if asked and YES_NO_QUESTION.match(sentence):
                continue
            yield Fact("event", m.group(0), value, m.start(), m.end())
            break  # one fact per kind of event


# -- putting it together ------------------------------------------------------------------------

TENURE = re.compile(
    r"(?<![\w,.-])(?:(?:al|nu al|ruim|bijna|meer dan|zeker|sinds)\s+)?"
    r"(?P<n>\d{1,2}(?:,\d)?|een\s+paar|jaren|[a-zë]*(?:twintig|dertig|veertig|vijftig)|"
    + "|".join(NUMBER_WORDS)
    + r")\s+(?:jaar\s+)?(?:lang\s+)?(?:een\s+)?(?:(?:trouwe|tevreden|vaste|goede|loyale)\s+)?"
    r"(?:klant|lid|abonnee|cliënt|client)(?![\w-])"
    r"|(?<![\w-])(?:klant|lid|abonnee)\s+(?:bij\s+(?:jullie|u)\s+)?(?:sinds|vanaf)\s+"
    r"(?:(?P<year>(?:19|20)\d\d)(?!\d)|(?P<years>\d{1,2})\s+jaar)",
    re.IGNORECASE,
)
"""How long the writer has been a customer ("al 20 jaar klant", "al jaren klant", "klant sinds
2009")."""


def _tenure(text: str) -> Iterator[Fact]:
    for m in TENURE.finditer(text):
        if m.group("year"):
            value = f"sinds {m.group('year')}"
        elif m.group("years"):
            value = f"{m.group('years')} jaar"
        else:
            n = re.sub(r"\s+", " ", m.group("n").lower())
            said = m.group(0).lower()
            if n == "jaren":
                value = "jaren"
            elif not re.search(r"\bjaar\b", said):
                continue  # "twee klanten", not a number of years
            elif n.isdigit() or n in NUMBER_WORDS:
                count = int(n) if n.isdigit() else NUMBER_WORDS[n]
                if count < 2:
                    continue  # "een jaar klant" is no loyalty worth naming
                value = f"{count} jaar"
            else:
                value = f"{n} jaar"  # "een paar jaar", "tweeëntwintig jaar"
        yield Fact("tenure", m.group(0), value, m.start(), m.end())


_FINDERS = (
    _tenure,
    _references,
    _amounts,
    _time_spans,
    _dates,
    _repeats,
    _tried,
    _affected,
    _products,
    _events,
)
PRIORITY = (
    "tenure",
    "reference",
    "amount",
    "waiting",
    "duration",
    "date",
    "repeat",
    "tried",
    "affected",
    "product",
    "event",
)
"""When two facts of different kinds claim the same words, the earlier kind keeps them."""
MAY_OVERLAP = frozenset(
    {
        frozenset({"tried", "repeat"}),
        frozenset({"reference", "product"}),
        frozenset({"event", "product"}),
        frozenset({"event", "repeat"}),
        frozenset({"event", "affected"}),
    }
)
"""Kinds whose facts may share words ("bestelling 12345678": a reference and a product)."""


def _overlaps(a: Fact, b: Fact) -> bool:
    return a.start < b.end and b.start < a.end


def _inside(inner: Fact, outer: Fact) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


def _resolve(found: list[Fact], text: str) -> list[Fact]:
    """Keep one fact per claim of the words, widen "al 3 keer gebeld" into one attempt, and drop
    anything that touches personal data."""
    personal = find_personal_data(text)
    private = [(p.start, p.end) for p in personal if p.kind != "order- of klantnummer"]
    numbers = [(p.start, p.end) for p in personal]
    ranked = sorted(found, key=lambda f: (PRIORITY.index(f.kind), -(f.end - f.start), f.start))
    kept: list[Fact] = []
    for fact in ranked:
        touched = private if fact.kind == "reference" else numbers
        if any(s < fact.end and fact.start < e for s, e in touched):
            continue
        suspect = any(c.isdigit() or c == "@" for c in fact.value)
        if suspect and fact.kind != "reference" and find_personal_data(fact.value):
            continue
        if not any(
            _overlaps(fact, other) and frozenset({fact.kind, other.kind}) not in MAY_OVERLAP
            for other in kept
        ):
            kept.append(fact)
    kept = _join_attempts(kept, text)
    return sorted(kept, key=lambda f: (f.start, FACT_KINDS.index(f.kind), f.end))


def _join_attempts(facts: list[Fact], text: str) -> list[Fact]:
    """ "al drie keer gebeld": the attempt's words include the count just before it."""
    repeats = [f for f in facts if f.kind == "repeat" and f.value.endswith(("keer", "keren"))]
    out = []
    for fact in facts:
        if fact.kind == "tried":
            for r in repeats:
                gap = text[r.end : fact.start]
                if (
                    len(gap) <= 30
                    and re.fullmatch(r"\s+(?:[^\W\d_]+\s+){0,3}", gap)
                    and not re.search(r"(?<![\w])(?:en|of|maar|toen|daarna)(?![\w])", gap)
                    and not any(r.end <= t.start < fact.start for t in facts if t.kind == "tried")
                ):
                    start = r.start
                    al = re.search(r"(?<![\w])(?:al|nu\s+al|inmiddels|reeds)\s+$", text[:start])
                    if al and not r.text.lower().startswith(("al", "nu", "inm", "reeds")):
                        start = al.start()
                    fact = Fact("tried", text[start : fact.end], fact.value, start, fact.end)
                    break
        out.append(fact)
    return out


# -- summary lines ------------------------------------------------------------------------------

TRIED_LINES: dict[str, str] = {
    "gebeld": "Heeft al {n}gebeld",
    "gemaild": "Heeft al {n}gemaild",
    "gechat": "Heeft al {n}via de chat contact gezocht",
    "contact opgenomen": "Heeft al {n}contact opgenomen",
    "bericht gestuurd": "Heeft al {n}een bericht gestuurd",
    "in de winkel geweest": "Is al {n}in de winkel geweest",
    "aan de balie geweest": "Is al {n}aan de balie geweest",
    "formulier ingevuld": "Heeft al {n}een formulier ingevuld",
    "opnieuw opgestart": "Heeft al {n}opnieuw opgestart",
    "opnieuw geïnstalleerd": "Heeft al {n}opnieuw geïnstalleerd",
    "klacht ingediend": "Heeft al {n}een klacht ingediend",
    "gemeld": "Heeft het al {n}gemeld",
    "teruggestuurd": "Heeft het al {n}teruggestuurd",
    "brief gestuurd": "Heeft al {n}een brief gestuurd",
    "cache gewist": "Heeft de cache al {n}gewist",
}

EVENT_LINES: dict[str, str] = {
    "geannuleerd": "Is geannuleerd",
    "beschadigd aangekomen": "Kwam beschadigd aan",
    "beschadigd": "Is beschadigd",
    "verkeerd geleverd": "Kreeg het verkeerde geleverd",
    "kapot gegaan": "Is kapot gegaan",
    "niet gekomen": "Niemand kwam opdagen",
    "verschillende antwoorden": "Kreeg verschillende antwoorden",
    "niet ontvangen": "Heeft nog niets ontvangen",
    "dubbel afgeschreven": "Dubbel afgeschreven",
    "onheus behandeld": "Is onheus behandeld",
    "afgewezen": "Is afgewezen",
    "ontbrak": "Er ontbrak iets",
    "niet aangebeld": "Er is niet aangebeld",
    "niet thuis gemeld": "Ten onrechte als ‘niet thuis’ gemeld",
    "afgebroken": "Is afgebroken",
    "lekt": "Lekt",
    "beschimmeld": "Is beschimmeld",
}


def _summary_line(fact: Fact, facts: tuple[Fact, ...]) -> str:
    v = fact.value
    if fact.kind == "duration":
        return f"Speelt {v}" if v.startswith("sinds") else f"Speelt al {v}"
    if fact.kind == "waiting":
        return f"Stond {v} in de wacht"
    if fact.kind == "repeat":
        counted = re.fullmatch(r"([0-9]+) keer", v)
        if counted:
            return f"Voor de {counted.group(1)}e keer"
        if v in ("weer", "herhaaldelijk"):
            return "Gebeurt niet voor het eerst"
        return f"Al {v}"
    if fact.kind == "tried":
        count = next(
            (
                f"{r.value} "
                for r in facts
                if r.kind == "repeat" and _inside(r, fact) and r.value.endswith(("keer", "keren"))
            ),
            "",
        )
        return TRIED_LINES.get(v, "Heeft al {n}" + v).format(n=count)
    if fact.kind == "amount":
        return f"Bedrag genoemd: {v}"
    if fact.kind == "product":
        return f"Gaat over: {v}"
    if fact.kind == "affected":
        return f"Getroffen: {v}"
    if fact.kind == "reference":
        return f"Heeft een {v} gegeven"
    if fact.kind == "event":
        return EVENT_LINES.get(v, f"Wat er gebeurde: {v}")
    if fact.kind == "tenure":
        return f"Is al {v} klant"
    return f"Wanneer: {v}"


# -- the staff member named ---------------------------------------------------------------------

STAFF = re.compile(
    r"(?<![\w])(?P<det>de|den|die|deze|jullie|uw|een|ne|nen|jouw|mijn)\s+(?:\w+e\s+)?"
    r"(?P<who>(?:bezorger|pakketbezorger|koerier|[a-z]*medewerker|[a-z]*medewerkster|conducteur|"
    r"[a-z]*chauffeur|machinist|(?:bus|tram|metro|trein)bestuurder|"
    r"monteur|technicus|installateur|kassière|caissière|verkoper|verkoopster|"
    r"portier|beveiliger|bewaker|postbode|stewardess|steward|purser|receptioniste|receptionist|"
    r"filiaalmanager|bedrijfsleider|manager|serveerster|ober|huismeester|conciërge|"
    r"[a-z]*assistente|verpleegkundige|verpleger|schoonmaker|instructeur|juf|juffrouw|meester|"
    r"leraren|leraar|lerares|leerkracht|docent|begeleider|begeleidster|aannemer|loodgieter|"
    r"elektricien|schilder|fysiotherapeut|kapper|kapster|kok|gids|reisleider|hostess|"
    r"zorgverlener|verzorgende|verzorger|vakman|vakmensen)(?:s|n|en)?)"
    r"(?![\w])",
    re.IGNORECASE,
)
"""A member of staff ("de buschauffeur", "ne bewaker", "jullie baliemedewerker")."""


def staff_named(comment: str) -> str | None:
    """The member of staff the comment is about, as a reply names them ("de bezorger", "onze
    medewerker"); None when it names none. "Jullie medewerker" is ours, any other is "de"."""
    m = STAFF.search(comment[:MAX_SCAN_CHARS]) if isinstance(comment, str) else None
    if m is None:
        return None
    who = m.group("who").lower()
    return f"onze {who}" if m.group("det").lower() in ("jullie", "uw") else f"de {who}"


# -- whether the comment tells what happened ------------------------------------------------------

TOLD_KINDS = ("details",)
"""What a reply may ask for beyond the facts: ``details`` (what exactly happened), which the
comment gives when it tells the story (:func:`tells_what_happened`)."""
ASKABLE_KINDS = FACT_KINDS + TOLD_KINDS
"""What a playbook reply may ask for (``asks``) or need (``needs``)."""
STORY_WORDS = 20
"""A comment of at least this many words that tells something in the past is a story."""
TOLD_PAST = re.compile(
    r"(?<!\w)(?:werd|werden|kreeg|kregen|zei|zeiden|riep|riepen|greep|duwde|schold|scholden|"
    r"noemde|weigerde|weigerden|stond|stonden|liep|kwam|kwamen|voelde|keek|keken|hielp|ging|"
    r"gingen|sloeg|gooide|hield|trok|zag|zagen|vroeg|vroegen|zette|pakte|liet|lieten|moest|"
    r"moesten|wilde|kon|konden|deed|deden|belde|mailde|stuurde|gisteren|gisteravond|vanochtend|"
    r"vanmiddag|vorige\s+week)(?!\w)",
    re.IGNORECASE,
)
"""A verb in the simple past, or a moment in the past: the comment tells what happened."""
MAYBE_PAST = re.compile(r"(?<!\w)(?:was|waren|had|hadden|ge\w{3,}[dt])(?!\w)", re.IGNORECASE)
"""Words that are often but not always past ("was", "gefouilleerd", but also "gezond"): two of
them are needed."""


def tells_what_happened(comment: str) -> bool:
    """Whether the comment tells the story itself: at least :data:`STORY_WORDS` words and a past
    verb or moment (:data:`TOLD_PAST`), or two words that are mostly past (:data:`MAYBE_PAST`):
    "De beveiliger greep mijn arm en trok me mee naar achteren …". A reply to it asks no more
    what exactly happened."""
    text = comment[:MAX_SCAN_CHARS]
    if len(text.split()) < STORY_WORDS:
        return False
    return TOLD_PAST.search(text) is not None or len(MAYBE_PAST.findall(text)) >= 2
