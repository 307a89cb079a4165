"""The organisation's reputation-management procedure as data: a versioned YAML playbook.

A playbook holds the organisation's settings (brand, channels and their length limits, opening
hours, what may be offered), its teams and priorities, and for every situation (a combination of
intent, topic, sentiment and flags) the priority, route, visibility, steps and reply templates in
a ``u`` and a ``je`` variant. Situations may also depend on the comment's words and language,
name what every reply must say (``must_say``: safety instructions, a boundary), and replies may
use facts the customer gave ({wachttijd}, {keer}, ...) in variants that are used only when the
fact is there. Factual questions the playbook can answer (opening hours on a given day, how to
cancel) are ``answers``. It is validated on load; every error names the file, line and field.
"""

from __future__ import annotations

import functools
import itertools
import re
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, time
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from responder.advice.facts import ASKABLE_KINDS
from responder.advice.personal_data import PATTERNS as PERSONAL_DATA_KINDS
from responder.errors import InputError
from responder.labels import FLAGS, INTENTS, SENTIMENTS, TOPICS

DEFAULT_PLAYBOOK = "standaard.yaml"
"""The playbook shipped in the package (``responder/playbooks/``)."""

PRIORITIES = ("P1", "P2", "P3", "P4")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
Visibility = Literal["public", "private", "public_then_private"]
Action = Literal["respond", "hide", "report", "hide_and_report", "manual"]
Register = Literal["u", "je"]
REGISTERS: tuple[Register, ...] = ("u", "je")

STRATEGIES: dict[str, str] = {
    "acknowledge_to_private": "Erkennen en naar een privébericht",
    "ask_missing_fact": "Vragen naar het ene ontbrekende gegeven",
    "explain_and_escalate": "Uitleggen en doorzetten",
    "inform": "Informeren en verwijzen",
    "holding_statement": "Bevestigen en later terugkomen",
    "set_boundary": "Grens stellen",
    "thank": "Bedanken",
    "pass_on": "Doorgeven aan het team",
    "ask_clarification": "Vragen wat de klant bedoelt",
    "invite": "Uitnodigen om terug te komen",
}
"""Reply strategies, with the Dutch name shown to agents. Suggestions differ in strategy."""

PLACEHOLDERS = (
    "onderwerp",
    "Onderwerp",
    "rond_onderwerp",
    "met_onderwerp",
    "merk",
    "prive",
    "link",
)
"""Placeholders every reply template may use: the comment's subject (lower or capitalised), the
same after " rond" when the comment names it and empty when it does not ("wat er{rond_onderwerp}
is gebeurd": "wat er rond je afspraak is gebeurd", or "wat er is gebeurd" rather than "rond onze
service"; {met_onderwerp} the same after " met"), the brand, the channel's way to a private conversation, and the information link
for the topic."""

FACT_SLOTS: dict[str, str] = {
    "duur": "duration",
    "keer": "repeat",
    "geprobeerd": "tried",
    "bedrag": "amount",
    "wachttijd": "waiting",
    "product": "product",
    "wie": "affected",
    "datum": "date",
    "klantduur": "tenure",
}
"""Placeholders filled from a fact the customer gave (slot → kind of fact, see
``responder.advice.facts``). A template that uses one is used only when the fact is there."""

MUST_SAY_PLACEHOLDERS = ("merk", "product", "Product")
"""What a must-say text may fill in: the brand, and the product the customer named ("het
product" when none)."""

COMMENT_SLOTS = ("poging", "gebeurd", "medewerker", "erkenning")
"""Placeholders made from the comment beyond single facts: what the customer already tried, as
a clause in the reply's register ("u heeft al drie keer gebeld"), what went wrong, as a clause
that follows "dat" ("uw bestelling is geannuleerd"), the staff member named ("de
bezorger"), and the playbook's acknowledgement of the most telling fact ({erkenning}, see
``acknowledgements``). A template that uses one is used only when it can be filled."""

ANSWER_SLOTS = ("antwoord", "openingstijden")
"""Placeholders filled from the playbook's ``answers``: the answer to the comment's question, and
the opening hours (of the day the comment asks about, or of the week)."""


def capitalised(names: Iterable[str]) -> tuple[str, ...]:
    """Every name, and the same with a capital (``{keer}`` and ``{Keer}``, for a sentence start)."""
    return tuple(n for name in names for n in (name, name[:1].upper() + name[1:]))


REPLY_PLACEHOLDERS = tuple(
    dict.fromkeys(PLACEHOLDERS + capitalised((*FACT_SLOTS, *COMMENT_SLOTS, *ANSWER_SLOTS)))
)
ACKNOWLEDGEMENT_PLACEHOLDERS = capitalised((*FACT_SLOTS, "poging", "gebeurd", "medewerker"))
"""What an acknowledgement may use: the customer's facts and what they tried."""
"""Everything a reply template may use."""

LANGUAGE_CODE = r"^(nl|other|[a-z]{2})$"

MAX_WHOLE_WORD_CHARS = 4
"""Match words up to this length as whole words (``app`` must not match ``appel``, ``gas`` not
``gasrekening``); longer words and phrases also match as the start of a word."""


GAP = "…"
"""In a word condition, up to ``MAX_GAP_WORDS`` words of any kind: "werd … bedreigd" matches "werd
door de conducteur bedreigd"."""
MAX_GAP_WORDS = 4


def mentions(text: str, word: str) -> bool:
    """Whether lower-cased ``text`` contains ``word`` (see ``MAX_WHOLE_WORD_CHARS`` and ``GAP``)."""
    return _word_pattern(word).search(text) is not None


@functools.cache
def _word_pattern(word: str) -> re.Pattern[str]:
    """The compiled pattern of one playbook word. Kept for the life of the process: a playbook
    has more words than ``re``'s own cache holds, and recompiling them cost ~40 ms a comment."""
    word = word.lower()
    if GAP in word:
        parts = [re.escape(p.strip()) for p in word.split(GAP)]
        gap = rf"(?!\w)\s+(?:\S+\s+){{0,{MAX_GAP_WORDS}}}?"
        return re.compile(r"(?<!\w)" + gap.join(parts))
    tail = r"(s|je|jes)?(?!\w)" if len(word) <= MAX_WHOLE_WORD_CHARS else ""
    return re.compile(r"(?<!\w)" + re.escape(word) + tail)


def comment_text(comment: str) -> str:
    """A comment as the word conditions read it: lower case, straight apostrophes, single spaces."""
    return re.sub(r"\s+", " ", comment.lower().replace("’", "'")).strip()


class PlaybookError(InputError):
    """A playbook file cannot be read or does not validate; lists every problem with its line."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path, self.problems = path, problems
        listed = "\n".join(f"  {p}" for p in problems)
        super().__init__(
            f"Draaiboek {path} is ongeldig ({len(problems)} probleem/problemen):\n{listed}"
        )


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Variants(_Model):
    """A text in the formal (``u``) and informal (``je``) register; both are required."""

    u: str | None = None
    je: str | None = None

    @model_validator(mode="after")
    def _twins(self) -> Variants:
        if self.je is not None and self.u is None:
            raise ValueError("de 'je'-tekst heeft geen 'u'-tegenhanger")
        if self.u is not None and self.je is None:
            raise ValueError("de 'u'-tekst heeft geen 'je'-tegenhanger")
        if self.u is None:
            raise ValueError("een 'u'- en een 'je'-tekst zijn verplicht")
        if not self.u.strip() or not (self.je or "").strip():
            raise ValueError("de tekst is leeg")
        return self

    def get(self, register: Register) -> str:
        return (self.u if register == "u" else self.je) or ""


class Channel(_Model):
    name: str
    max_chars: int = Field(ge=60, le=100_000)
    private: Variants
    """How to move this channel's conversation to private (a DM, or a form where there is none)."""
    private_in: dict[str, Variants] = Field(default_factory=dict)
    """The same in other languages (``en``, ``fr``, ...), for replies in those languages."""
    default_register: Register | None = None
    """The form of address when the commenter's own is unknown (``je`` on Instagram, ``u`` on
    LinkedIn); ``None``: the organisation's ``default_register``."""


class Holiday(_Model):
    """A day with other opening hours than its weekday, by name ("Tweede Paasdag")."""

    day: date
    name: str
    names: list[str] = Field(default_factory=list)
    """Other names customers use for it ("paasmaandag", "2e paasdag")."""
    hours: str = "gesloten"

    @model_validator(mode="after")
    def _hours(self) -> Holiday:
        parse_hours(self.hours, self.name)
        return self

    def known_as(self) -> list[str]:
        return [self.name, *self.names]


class Cues(_Model):
    """Words that tell how a comment is meant, beyond the model's labels."""

    informal: list[str] = Field(default_factory=list)
    """Words of a casual writer ("wtf", "haha"): when the form of address is unknown, answer
    in the je-form."""
    sarcasm: list[str] = Field(default_factory=list)
    """Signs of sarcasm ("lekker dan", "🙄"). With a ``trouble`` word, a positive-looking comment
    is read as a negative one (and praise as a complaint)."""
    trouble: list[str] = Field(default_factory=list)
    """Words that name a problem ("weer", "kapot", "nog steeds niet")."""
    outrage: list[str] = Field(default_factory=list)
    """Words of open indignation ("schande", "belachelijk"): a comment with one is negative
    whatever the model says, and a suggestion or praise with one is a complaint."""
    praise: list[str] = Field(default_factory=list)
    """Words of praise or thanks ("bedankt", "top", "👍"). When the list is set, a comment the
    model reads as praise but that has none of them is no compliment: a complaint when it is
    negative or names a problem (a ``trouble`` word), otherwise a question or other comment."""
    policy: list[str] = Field(default_factory=list)
    """Words of a rule or choice of the organisation ("tegenwoordig", "nu ook al", "waarom moet
    ik … betalen voor"): a complaint with one and no ``fault`` word is policy criticism, whatever
    topic the model read in it."""
    fault: list[str] = Field(default_factory=list)
    """Words of a fault or defect ("kapot", "klopt niet"): a complaint with one is about the fault,
    not about a rule."""


class Subject(_Model):
    """How replies refer to what a comment is about, when one of the words matches."""

    words: list[str] = Field(min_length=1)
    text: Variants


class Organisation(_Model):
    brand: str
    default_register: Register = "u"
    signature: str = "^{initialen}"
    signature_without_initials: str = "Team webcare {merk}"
    greeting: str = "Hoi {naam}!"
    """Put before a je-form reply when the commenter's first name is known (never in the u-form:
    a first name and "u" do not go together); left out when it does not fit."""
    timezone: str = "Europe/Amsterdam"
    opening_hours: dict[str, str]
    closed_on: list[date] = Field(default_factory=list)
    holidays: list[Holiday] = Field(default_factory=list)
    channels: dict[str, Channel]
    default_channel: str
    compensation_in_public: bool = False
    compensation_in_private: bool = False
    compensation_note: str = ""
    public_contacts: list[str] = Field(default_factory=list)
    """Contact details of the organisation itself that a public reply may name."""
    links: dict[str, str] = Field(default_factory=dict)
    spam_words: list[str] = Field(default_factory=list)

    @field_validator("greeting", mode="before")
    @classmethod
    def _greeting(cls, value: Any) -> Any:
        # Older playbooks gave a u- and a je-greeting; only the je-form greets by name.
        if isinstance(value, dict) and "je" in value:
            return value["je"]
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"onbekende tijdzone {value!r} (bijvoorbeeld Europe/Amsterdam)"
            ) from None
        return value

    @field_validator("opening_hours")
    @classmethod
    def _hours(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(WEEKDAYS))
        if unknown:
            raise ValueError(f"onbekende dag(en) {unknown}; gebruik {', '.join(WEEKDAYS)}")
        for day, spec in value.items():
            parse_hours(spec, day)
        if all(parse_hours(spec, day) is None for day, spec in value.items()):
            raise ValueError("minstens één dag moet openingstijden hebben")
        return value

    @field_validator("links")
    @classmethod
    def _links(cls, value: dict[str, str]) -> dict[str, str]:
        _check_labels(value, (*TOPICS,), "onderwerp")
        if value and "general" not in value:
            raise ValueError("'general' ontbreekt: de link voor reacties zonder eigen onderwerp")
        return value

    @model_validator(mode="after")
    def _default_channel(self) -> Organisation:
        if self.default_channel not in self.channels:
            raise ValueError(
                f"default_channel {self.default_channel!r} staat niet onder channels "
                f"({', '.join(self.channels)})"
            )
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def hours_on(self, day: date) -> tuple[time, time] | None:
        if day in self.closed_on:
            return None
        holiday = self.holiday_on(day)
        if holiday is not None:
            return parse_hours(holiday.hours, holiday.name)
        return self.weekday_hours(day.weekday())

    def weekday_hours(self, weekday: int) -> tuple[time, time] | None:
        """The usual hours of a weekday (0 is Monday)."""
        return parse_hours(self.opening_hours.get(WEEKDAYS[weekday], "gesloten"), "")

    def holiday_on(self, day: date) -> Holiday | None:
        return next((h for h in self.holidays if h.day == day), None)

    def register_on(self, channel: str) -> Register:
        """The form of address on ``channel`` when the commenter's own is unknown."""
        found = self.channels.get(channel)
        return (found.default_register if found else None) or self.default_register


class Team(_Model):
    name: str
    speaks_for_organisation: bool = False
    """Whether this team may post public statements on the organisation's behalf."""
    reach: str = ""
    """How to reach the team internally (a channel, a rota)."""


class Priority(_Model):
    name: str
    deadline_minutes: int = Field(ge=1, le=60 * 24 * 14)
    clock: Literal["always", "opening_hours"] = "opening_hours"
    """``always``: the deadline runs around the clock; otherwise only within opening hours."""
    notify: list[str] = Field(default_factory=list)


_CONDITION_LABELS: dict[str, tuple[tuple[str, ...], str]] = {
    "intents": (INTENTS, "intent"),
    "topics": (TOPICS, "onderwerp"),
    "sentiments": (SENTIMENTS, "sentiment"),
    "flags": (FLAGS, "vlag"),
    "all_flags": (FLAGS, "vlag"),
}


class Condition(_Model):
    """When a situation applies. An empty list means: any value. ``flags`` and ``words``: any
    one of them; ``all_flags``: every one of them.

    ``language``: ``nl`` (triaged Dutch comments), a language code such as ``en`` (comments in
    that language, which the model does not label, so only ``words`` and ``spam`` apply too), or
    ``other`` (any language that is not Dutch)."""

    language: str = Field("nl", pattern=LANGUAGE_CODE)
    intents: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    sentiments: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    all_flags: list[str] = Field(default_factory=list)
    words: list[str] = Field(default_factory=list)
    """Words or phrases of which the comment must contain at least one (see ``mentions``)."""
    sure_words: list[str] = Field(default_factory=list)
    """Words so telling that a Dutch comment with one of them fits the situation whatever its
    labels ("blote draden", "schold mij uit"): the model may miss a flag, the words do not."""
    unless_words: list[str] = Field(default_factory=list)
    """Words that rule the situation out: a commenter who reports being the target ("duwde me
    opzij") is not the offender, however the flags read."""
    keep_words: list[str] = Field(default_factory=list)
    """Words that keep the situation although one of its ``unless_words`` is there: an injury
    ("gebroken", "ziekenhuis") keeps a safety report one when staff were aggressive too."""
    yields_unless: list[str] = Field(default_factory=list)
    """For a catch-all of its flag ("veiligheid" without a danger of its own): another matching
    situation of the same priority goes first ("ik stap naar mijn advocaat" over mould), unless
    the comment has one of these words (an injury keeps a safety report one: "pols gebroken",
    "ziekenhuis"; not "gebroken" alone, which a broken screen is too). Empty: never yields."""
    spam: bool | None = None

    @field_validator("intents", "topics", "sentiments", "flags", "all_flags")
    @classmethod
    def _labels(cls, v: list[str], info: ValidationInfo) -> list[str]:
        allowed, kind = _CONDITION_LABELS[str(info.field_name)]
        _check_labels(v, allowed, kind)
        return v

    @field_validator("words", "sure_words", "unless_words", "keep_words", "yields_unless")
    @classmethod
    def _words(cls, v: list[str]) -> list[str]:
        empty = [w for w in v if not w.strip()]
        if empty:
            raise ValueError("een leeg woord past op elke reactie")
        return v

    def matches(self, signals: Signals) -> bool:
        if not self.speaks(signals.language):
            return False
        if any(mentions(signals.text, w) for w in self.unless_words) and not any(
            mentions(signals.text, w) for w in self.keep_words
        ):
            return False
        overruled = signals.flags_confirmed and bool(self.flags or self.all_flags)
        if (
            signals.language == "nl"
            and self.sure_words
            and not overruled
            and self.surely(signals.text)
        ):
            return self.spam is None or self.spam == signals.spam
        if self.words and not self.matched_words(signals.text):
            return False
        if signals.language != "nl":
            return self.spam is None or self.spam == signals.spam
        return (
            (not self.intents or signals.intent in self.intents)
            and (not self.topics or signals.topic in self.topics)
            and (not self.sentiments or signals.sentiment in self.sentiments)
            and (not self.flags or any(f in signals.flags for f in self.flags))
            and all(f in signals.flags for f in self.all_flags)
            and (self.spam is None or self.spam == signals.spam)
        )

    def speaks(self, language: str) -> bool:
        """Whether a comment in ``language`` (``nl`` for Dutch) can match."""
        if self.language == "other":
            return language != "nl"
        return self.language == language

    def matched_words(self, text: str) -> list[str]:
        """The condition's words that ``text`` (see ``comment_text``) contains."""
        return [w for w in self.words if mentions(text, w)]

    def surely(self, text: str) -> list[str]:
        """The ``sure_words`` that ``text`` contains: the situation applies on them alone."""
        return [w for w in self.sure_words if mentions(text, w)]

    @property
    def reply_language(self) -> str:
        """The language replies are written in: the condition's own, else Dutch."""
        return "nl" if self.language == "other" else self.language


class Step(_Model):
    do: str
    why: str
    private: str | None = None
    """The step as it reads when the comment came in as a private message (no "in het
    openbaar"); without it, "in het openbaar" is left out of ``do`` for a private message."""

    def for_channel(self, private: bool) -> str:
        """What to do, for a public comment or a private message."""
        if not private:
            return self.do
        if self.private:
            return self.private
        return re.sub(r"\s+in het openbaar\b", "", self.do)


def one_of(value: str, allowed: Iterable[str], what: str) -> str:
    """``value`` when it is one of ``allowed``, else an error that lists the choices."""
    choices = list(allowed)
    if value not in choices:
        raise ValueError(f"onbekende {what} {value!r}; kies uit {', '.join(choices)}")
    return value


def _fact_kinds(v: list[str]) -> list[str]:
    _check_labels(v, ASKABLE_KINDS, "soort gegeven")
    return v


FactKinds = Annotated[list[str], AfterValidator(_fact_kinds)]


class Variant(_Model):
    """Another wording of a reply, tried before the reply's own text: typically one that uses a
    fact the customer gave ({wachttijd}), and so is used only when that fact is there."""

    text: Variants
    short: Variants | None = None
    asks: FactKinds = Field(default_factory=list)
    needs: FactKinds = Field(default_factory=list)
    """Used only when the comment gives a fact of one of these kinds (for a fact that fills no
    placeholder, such as an order number: "thank you, we'll look it up")."""


@dataclass(frozen=True)
class Form:
    """One wording of a reply as the renderer tries it: its name (``text``, ``short``,
    ``v1/text``...), the texts, what it asks the customer for and which facts it needs (one of)."""

    name: str
    text: Variants
    asks: tuple[str, ...]
    needs: tuple[str, ...] = ()
    slots: tuple[str, ...] = ()
    """Placeholders of the variant's long text that its short form needs too: a short form is
    used only when its long form could be."""

    def fits_facts(self, given: frozenset[str]) -> bool:
        """Whether the form suits a comment that gives these kinds of fact: it asks for none of
        them and, if it needs one, one is there."""
        return not set(self.asks) & given and (not self.needs or bool(set(self.needs) & given))


class Reply(_Model):
    strategy: str
    serves: int = Field(ge=1)
    """The (1-based) step of the situation this reply carries out."""
    why: str
    text: Variants
    short: Variants | None = None
    """A shorter form for channels whose limit the full text exceeds."""
    asks: FactKinds = Field(default_factory=list)
    """The kinds of fact this reply asks for (``product``, ``reference``...): when the comment
    already gives one, this wording is left out (see ``FACT_KINDS``)."""
    variants: list[Variant] = Field(default_factory=list)
    """Other wordings, tried first, in order."""
    prefer_words: list[str] = Field(default_factory=list)
    """Words in the comment that make this the better reply (where no labels say so, as in
    another language: "thanks" for the thank-you reply): it ranks first when one occurs."""
    words: list[str] = Field(default_factory=list)
    """Like ``prefer_words``, but the reply is used only when one occurs (the gas instructions
    in English, for a comment that names gas)."""
    examples: list[str] = Field(default_factory=list, max_length=8)
    """A few short comments this reply fits, written by the team (no real names, handles or
    numbers): ``responder.advice.similarity`` ranks replies by how much a comment looks like
    them."""

    @field_validator("examples")
    @classmethod
    def _examples(cls, v: list[str]) -> list[str]:
        if any(not e.strip() for e in v):
            raise ValueError("een voorbeeld is leeg")
        if len(set(v)) != len(v):
            raise ValueError("een voorbeeld staat er twee keer")
        return v

    def preferred_by(self, text: str) -> list[str]:
        """The words of ``text`` (see ``comment_text``) that rank this reply first."""
        return [w for w in (*self.words, *self.prefer_words) if mentions(text, w)]

    @field_validator("strategy")
    @classmethod
    def _strategy(cls, v: str) -> str:
        return one_of(v, STRATEGIES, "strategie")

    def forms(self) -> list[Form]:
        """Every wording in the order the renderer tries them: the variants, then the reply's own
        text; each long form before its short one."""
        out: list[Form] = []
        for i, variant in enumerate(self.variants, start=1):
            asks, needs = tuple(variant.asks), tuple(variant.needs)
            out.append(Form(f"v{i}/text", variant.text, asks, needs))
            if variant.short is not None:
                slots = tuple(
                    dict.fromkeys(
                        f for r in REGISTERS for f in template_fields(variant.text.get(r))
                    )
                )
                out.append(Form(f"v{i}/short", variant.short, asks, needs, slots))
        out.append(Form("text", self.text, tuple(self.asks)))
        if self.short is not None:
            out.append(Form("short", self.short, tuple(self.asks)))
        return out


class MustSay(_Model):
    """What every reply in a situation must say (leave the house, call 112, please remove your
    phone number), inserted where a reply does not say it already and checked by a guardrail.

    It applies when all its conditions hold: ``words`` (any one in the comment), ``also_words``
    (and one of these too: the hazard in ``words``, the device here), ``flags`` (any one raised)
    and ``personal_data`` (the public comment shows one of these kinds), and none of its
    ``unless_words`` is in the comment."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    why: str
    text: Variants
    short: Variants | None = None
    """A shorter text for channels with a tight limit; it must prove itself the same way."""
    any: list[str] = Field(min_length=1)
    """Substrings (any case) of which a reply must contain one to count as saying it."""
    position: Literal["start", "end"] = "start"
    words: list[str] = Field(default_factory=list)
    also_words: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    personal_data: list[str] = Field(default_factory=list)
    unless_words: list[str] = Field(default_factory=list)
    sympathy: bool = False
    """The element is sympathy (condolences): never in a reply to an offender, whose situation
    sets a boundary."""

    @field_validator("flags")
    @classmethod
    def _flags(cls, v: list[str]) -> list[str]:
        _check_labels(v, FLAGS, "vlag")
        return v

    @field_validator("personal_data")
    @classmethod
    def _kinds(cls, v: list[str]) -> list[str]:
        _check_labels(v, tuple(PERSONAL_DATA_KINDS), "soort persoonsgegeven")
        return v

    @model_validator(mode="after")
    def _proves_itself(self) -> MustSay:
        for form in self.forms():
            for register in REGISTERS:
                if not self.said_in(form.get(register)):
                    raise ValueError(
                        f"de {register}-tekst bevat geen van de woorden onder 'any' "
                        f"({', '.join(self.any)}), dus de controle zou haar zelf afkeuren"
                    )
        return self

    def said_in(self, reply: str) -> bool:
        low = reply.lower()
        return any(a.lower() in low for a in self.any)

    def applies(
        self, text: str, flags: frozenset[str], personal_data: frozenset[str], public: bool
    ) -> bool:
        """Whether it applies to a comment (``text`` as ``comment_text`` gives it)."""
        return (
            not any(mentions(text, w) for w in self.unless_words)
            and (not self.words or any(mentions(text, w) for w in self.words))
            and (not self.also_words or any(mentions(text, w) for w in self.also_words))
            and (not self.flags or any(f in flags for f in self.flags))
            and (
                not self.personal_data or (public and bool(personal_data & set(self.personal_data)))
            )
        )

    def forms(self) -> list[Variants]:
        return [self.text] if self.short is None else [self.text, self.short]


class Answer(_Model):
    """The answer to a factual question the playbook can answer, for the {antwoord} placeholder:
    used when the comment contains one of the words."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    words: list[str] = Field(min_length=1)
    day: bool = False
    """Only when the comment also names a day the calendar knows (a holiday by name, "morgen",
    "zaterdag", "24 december"): for "Zijn jullie op Tweede Paasdag open?"."""
    text: Variants


class Situation(_Model):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    when: Condition
    priority: str
    route: str
    visibility: Visibility = "public_then_private"
    action: Action = "respond"
    tone: str
    offender: bool = False
    """The commenter is the one who abuses or discriminates: replies set a boundary and never
    thank, sympathise or call the comment a report (checked by a guardrail)."""
    steps: list[Step] = Field(min_length=1)
    must_say: list[MustSay] = Field(default_factory=list)
    replies: list[Reply] = Field(default_factory=list)

    @field_validator("priority")
    @classmethod
    def _priority(cls, v: str) -> str:
        return one_of(v, PRIORITIES, "prioriteit")

    @model_validator(mode="after")
    def _replies(self) -> Situation:
        for i, reply in enumerate(self.replies):
            if reply.serves > len(self.steps):
                raise ValueError(
                    f"replies[{i}].serves is {reply.serves}, maar er zijn {len(self.steps)} stappen"
                )
        strategies = {r.strategy for r in self.replies}
        if self.action == "respond" and len(strategies) < 3:
            raise ValueError(
                "een situatie met action 'respond' heeft antwoorden in minstens drie "
                f"verschillende strategieën nodig (nu: {', '.join(sorted(strategies)) or 'geen'})"
            )
        return self


class Playbook(_Model):
    version: str
    name: str
    organisation: Organisation
    public_voice: str = "webcare"
    """The team that posts public replies when the routed team may not speak for the organisation."""
    teams: dict[str, Team]
    priorities: dict[str, Priority]
    subjects: dict[str, list[Subject]] = Field(default_factory=dict)
    fallback_subjects: dict[str, Variants]
    cues: Cues = Cues()
    answers: list[Answer] = Field(default_factory=list)
    acknowledgements: list[Variants] = Field(default_factory=list)
    """Sentences that acknowledge what the customer told us, the most telling first ("U heeft al
    drie keer gebeld ..."): {erkenning} is the first whose placeholders the comment fills."""
    must_say: list[MustSay] = Field(default_factory=list)
    """What every reply must say whenever its conditions hold, whatever the situation."""
    situations: list[Situation] = Field(min_length=1)

    @field_validator("priorities")
    @classmethod
    def _priorities(cls, v: dict[str, Priority]) -> dict[str, Priority]:
        missing = [p for p in PRIORITIES if p not in v]
        unknown = [p for p in v if p not in PRIORITIES]
        if missing or unknown:
            raise ValueError(
                f"verwacht precies {', '.join(PRIORITIES)} (ontbreekt: {missing}, onbekend: {unknown})"
            )
        return v

    @field_validator("subjects")
    @classmethod
    def _subjects(cls, v: dict[str, list[Subject]]) -> dict[str, list[Subject]]:
        _check_labels(v, TOPICS, "onderwerp")
        return v

    @field_validator("fallback_subjects")
    @classmethod
    def _fallbacks(cls, v: dict[str, Variants]) -> dict[str, Variants]:
        _check_labels(v, TOPICS, "onderwerp")
        missing = [t for t in TOPICS if t not in v]
        if missing:
            raise ValueError(f"ontbreekt voor onderwerp(en): {', '.join(missing)}")
        return v

    @property
    def label(self) -> str:
        return f"{self.name} (versie {self.version})"

    def situation(self, situation_id: str) -> Situation:
        return next(s for s in self.situations if s.id == situation_id)

    def matching(self, signals: Signals) -> list[Situation]:
        """All situations that apply, the most urgent first (ties: the one listed first, but a
        situation that yields (``yields_unless``) after the others)."""
        found = [s for s in self.situations if s.when.matches(signals)]

        def rank(s: Situation) -> tuple[int, bool]:
            unless = s.when.yields_unless
            yields = bool(unless) and not any(mentions(signals.text, w) for w in unless)
            return PRIORITIES.index(s.priority), yields

        return sorted(found, key=rank)


@dataclass(frozen=True)
class Signals:
    """What the playbook's conditions look at: the language (``nl``, another code, or ``other``
    when unknown), the triage labels, the spam check and the comment's words."""

    language: str
    sentiment: str | None = None
    intent: str | None = None
    topic: str | None = None
    flags: frozenset[str] = frozenset()
    spam: bool = False
    text: str = ""
    """The comment as ``comment_text`` gives it; empty when only the labels count."""
    flags_confirmed: bool = False
    """A person set the flags: a flag situation's ``sure_words`` do not overrule them."""


def parse_hours(spec: str, day: str) -> tuple[time, time] | None:
    """``"08:00-20:00"`` → (08:00, 20:00); ``"gesloten"`` → None."""
    if spec.strip().lower() == "gesloten":
        return None
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", spec)
    if not m:
        raise ValueError(f"{day}: {spec!r} is geen tijdvak; schrijf '08:00-20:00' of 'gesloten'")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h2 == 24 and m2 == 0:
        h2, m2 = 23, 59
    if not (0 <= h1 < 24 and 0 <= h2 < 24 and m1 < 60 and m2 < 60):
        raise ValueError(f"{day}: {spec!r} bevat een ongeldige tijd")
    start, end = time(h1, m1), time(h2, m2)
    if end <= start:
        raise ValueError(f"{day}: {spec!r} eindigt niet na het begin")
    return start, end


def _check_labels(values: Iterable[str], allowed: tuple[str, ...], kind: str) -> None:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValueError(f"onbekend(e) {kind} {unknown}; kies uit {', '.join(allowed)}")


# --- loading ------------------------------------------------------------------------------------


class _LineLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys (PyYAML would silently keep the last one)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"sleutel {key!r} komt twee keer voor (eerst op regel {seen[key] + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _line_index(
    node: yaml.Node, path: tuple[Any, ...] = ()
) -> Iterator[tuple[tuple[Any, ...], int]]:
    """(path, 1-based line) for every node, so validation errors can point into the file."""
    yield path, node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            yield (*path, key_node.value), key_node.start_mark.line + 1
            yield from _line_index(value_node, (*path, key_node.value))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _line_index(item, (*path, i))


def _describe(err: ErrorDetails) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "missing":
        return "verplicht veld ontbreekt"
    if kind == "extra_forbidden":
        return "onbekend veld (tikfout?)"
    if kind == "literal_error":
        return (
            f"ongeldige waarde {err.get('input')!r}; {msg.replace('Input should be', 'verwacht')}"
        )
    if kind in (
        "string_type",
        "int_type",
        "int_parsing",
        "bool_type",
        "bool_parsing",
        "list_type",
        "dict_type",
        "model_type",
        "date_from_datetime_parsing",
        "date_parsing",
    ):
        return f"verkeerd type ({msg})"
    if kind == "string_pattern_mismatch":
        return "alleen kleine letters, cijfers en _ toegestaan"
    return str(msg).removeprefix("Value error, ")


def parse_playbook(text: str, source: str = "<tekst>") -> Playbook:
    """Validate playbook YAML; raise :class:`PlaybookError` listing every problem with its line."""
    try:
        root = yaml.compose(text, Loader=_LineLoader)
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        problem = getattr(exc, "problem", None) or str(exc)
        raise PlaybookError(source, [f"{where}: geen geldige YAML: {problem}"]) from None
    if root is None or not isinstance(data, dict):
        raise PlaybookError(source, [f"{source}:1: het draaiboek moet een YAML-mapping zijn"])
    lines = dict(_line_index(root))
    try:
        playbook = Playbook.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            line = next((lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in lines), 1)
            field = ".".join(str(p) for p in loc) or "(bovenste niveau)"
            problems.append(f"{source}:{line}: {field}: {_describe(err)}")
        raise PlaybookError(source, problems) from None
    problems = [f"{source}:{lines.get(loc, 1)}: {msg}" for loc, msg in _cross_check(playbook)]
    if problems:
        raise PlaybookError(source, problems)
    return playbook


def _cross_check(pb: Playbook) -> Iterator[tuple[tuple[Any, ...], str]]:
    """References between sections, and templates that use unknown placeholders."""
    if pb.public_voice not in pb.teams:
        yield ("public_voice",), f"public_voice: onbekend team {pb.public_voice!r}"
    elif not pb.teams[pb.public_voice].speaks_for_organisation:
        yield (
            ("public_voice",),
            f"public_voice: team {pb.public_voice!r} mag niet namens de organisatie spreken",
        )
    for name, prio in pb.priorities.items():
        for j, team in enumerate(prio.notify):
            if team not in pb.teams:
                yield (
                    ("priorities", name, "notify", j),
                    f"priorities.{name}.notify: onbekend team {team!r}",
                )
    seen: dict[str, int] = {}
    for i, sit in enumerate(pb.situations):
        where = ("situations", i)
        if sit.id in seen:
            yield (
                (*where, "id"),
                f"situations[{i}].id: {sit.id!r} komt al voor (situations[{seen[sit.id]}])",
            )
        seen.setdefault(sit.id, i)
        if sit.route not in pb.teams:
            yield (
                (*where, "route"),
                f"situations[{i}].route: onbekend team {sit.route!r}; kies uit {', '.join(pb.teams)}",
            )
        language = sit.when.reply_language
        for j, reply in enumerate(sit.replies):
            for form in reply.forms():
                for register in REGISTERS:
                    loc = (*where, "replies", j, *form.name.split("/"), register)
                    field = f"situations[{i}].replies[{j}].{form.name.replace('/', '.')}.{register}"
                    template = form.text.get(register)
                    for problem in template_problems(template, REPLY_PLACEHOLDERS):
                        yield loc, f"{field}: {problem}"
                    yield from (
                        (loc, f"{field}: {problem}")
                        for problem in _language_problems(template, language, pb)
                    )
                    if "{link}" in template and not pb.organisation.links:
                        yield loc, f"{field}: {{link}} gebruikt, maar organisation.links is leeg"
        yield from _must_say_problems(sit.must_say, pb.must_say, where)
    yield from _must_say_problems(pb.must_say, [], ())
    for i, answer in enumerate(pb.answers):
        for register in REGISTERS:
            allowed = ("merk", "link", "openingstijden")
            for problem in template_problems(answer.text.get(register), allowed):
                yield (
                    ("answers", i, "text", register),
                    f"answers[{i}].text.{register}: {problem}",
                )
    for i, ack in enumerate(pb.acknowledgements):
        for register in REGISTERS:
            for problem in template_problems(ack.get(register), ACKNOWLEDGEMENT_PLACEHOLDERS):
                yield (
                    ("acknowledgements", i, register),
                    f"acknowledgements[{i}].{register}: {problem}",
                )
    for problem in template_problems(pb.organisation.greeting, allowed=("naam",)):
        yield ("organisation", "greeting"), f"organisation.greeting: {problem}"
    for channel_id, channel in pb.organisation.channels.items():
        privates = [("private", channel.private)] + [
            (f"private_in.{code}", text) for code, text in channel.private_in.items()
        ]
        for name, text in privates:
            for register in REGISTERS:
                for problem in template_problems(text.get(register), allowed=("merk",)):
                    yield (
                        ("organisation", "channels", channel_id, *name.split("."), register),
                        f"organisation.channels.{channel_id}.{name}.{register}: {problem}",
                    )


def _language_problems(template: str, language: str, pb: Playbook) -> Iterator[str]:
    """Placeholders that only exist in Dutch, in a template of another language."""
    if language == "nl":
        return
    if "{onderwerp}" in template or "{Onderwerp}" in template:
        yield f"{{onderwerp}} is Nederlandse tekst; gebruik het niet in een antwoord in '{language}'"
    if "{prive}" in template:
        missing = [c for c, ch in pb.organisation.channels.items() if language not in ch.private_in]
        if missing:
            yield (
                f"{{prive}} in '{language}', maar kanaal/kanalen {', '.join(missing)} hebben "
                f"geen private_in.{language}"
            )


def _must_say_problems(
    own: list[MustSay], shared: list[MustSay], where: tuple[Any, ...]
) -> Iterator[tuple[tuple[Any, ...], str]]:
    prefix = ".".join(str(p) for p in where)
    prefix = f"{prefix}.must_say" if prefix else "must_say"
    seen = {m.id for m in shared}
    for j, must in enumerate(own):
        if must.id in seen:
            yield (*where, "must_say", j, "id"), f"{prefix}[{j}].id: {must.id!r} komt al voor"
        seen.add(must.id)
        for k, form in enumerate(must.forms()):
            part = "text" if k == 0 else "short"
            for register in REGISTERS:
                for problem in template_problems(form.get(register), allowed=MUST_SAY_PLACEHOLDERS):
                    yield (
                        (*where, "must_say", j, part, register),
                        f"{prefix}[{j}].{part}.{register}: {problem}",
                    )


def template_fields(template: str) -> list[str]:
    """The placeholders a template uses (raises ValueError on unbalanced braces)."""
    return [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]


def template_problems(template: str, allowed: tuple[str, ...] = PLACEHOLDERS) -> list[str]:
    problems = []
    try:
        fields = template_fields(template)
    except ValueError as exc:
        return [
            f"ongeldige accolades ({exc}); gebruik {{onderwerp}}, {{merk}}, {{prive}} of {{link}}"
        ]
    for f in fields:
        if f not in allowed:
            problems.append(
                f"onbekende plaatshouder {{{f}}}; toegestaan: {', '.join('{' + a + '}' for a in allowed)}"
            )
    return problems


def load_playbook(path: Path | str | None = None) -> Playbook:
    """Load and validate a playbook file; ``None`` loads the default one shipped in the package."""
    if path is None:
        ref = resources.files("responder") / "playbooks" / DEFAULT_PLAYBOOK
        return parse_playbook(
            ref.read_text(encoding="utf-8"), f"responder/playbooks/{DEFAULT_PLAYBOOK}"
        )
    path = Path(path)
    if not path.is_file():
        raise InputError(f"Draaiboek niet gevonden: {path}")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlaybookError(
            str(path), [f"{path}: geen UTF-8 (byte {exc.start}); sla het bestand op als UTF-8"]
        ) from None
    return parse_playbook(text, str(path))


def default_playbook_text() -> str:
    return (resources.files("responder") / "playbooks" / DEFAULT_PLAYBOOK).read_text(
        encoding="utf-8"
    )


# --- coverage -----------------------------------------------------------------------------------


def uncovered(pb: Playbook) -> list[Signals]:
    """Label combinations (no flag or one flag, spam or not) that no situation covers."""
    combos: list[Signals] = [Signals("other")]
    for s, i, t, f, spam in itertools.product(
        SENTIMENTS, INTENTS, TOPICS, (None, *FLAGS), (False, True)
    ):
        combos.append(Signals("nl", s, i, t, frozenset([f] if f else []), spam))
    return [c for c in combos if not pb.matching(c)]


def unreachable(pb: Playbook) -> list[str]:
    """Situations that never come out on top for any combination (shadowed by earlier ones);
    a situation that needs words is tried with each of its words in the comment."""
    chosen: set[str] = set()
    for signals in _label_combinations():
        found = pb.matching(signals)
        if found:
            chosen.add(found[0].id)
    for situation in pb.situations:
        if situation.id not in chosen and _reachable_with_words(pb, situation):
            chosen.add(situation.id)
    return [s.id for s in pb.situations if s.id not in chosen]


def _label_combinations(text: str = "", language: str = "nl") -> Iterator[Signals]:
    """No, one or two flags, with every sentiment, intent, topic and spam; for a language other
    than Dutch (which gets no labels) only spam or not."""
    if language != "nl":
        yield from (Signals(language, spam=spam, text=text) for spam in (False, True))
        return
    for s, i, t, spam in itertools.product(SENTIMENTS, INTENTS, TOPICS, (False, True)):
        for flags in itertools.chain(
            [()], itertools.combinations(FLAGS, 1), itertools.combinations(FLAGS, 2)
        ):
            yield Signals("nl", s, i, t, frozenset(flags), spam, text)


def _reachable_with_words(pb: Playbook, situation: Situation) -> bool:
    language = "xx" if situation.when.language == "other" else situation.when.language
    for word in [*situation.when.words, *situation.when.sure_words] or [""]:
        for signals in _label_combinations(comment_text(word.replace(GAP, " ")), language):
            if situation.when.matches(signals) and pb.matching(signals)[0] is situation:
                return True
    return False
