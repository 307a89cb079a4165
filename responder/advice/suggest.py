"""suggest(): ranked reply suggestions that follow the playbook and pass the guardrails.

Suggestions differ in strategy (acknowledge and move to private, ask the one missing fact,
explain and escalate, thank, ...), use the plan's form of address, name what the comment is
about, acknowledge the facts the customer gave (how long, how often, which product) and never ask
for them again, say what the situation requires (leave the house, call 112), answer a factual
question the playbook can answer, fit the channel's length limit, and carry their explanation.
The same comment, context, playbook version and feedback counts always give the same
suggestions; the team's feedback on a template nudges its place within bounds (see feedback.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from responder.advice.facts import (
    PRODUCT_ARTICLE,
    Fact,
    Facts,
    bought_things,
    extract_facts,
    product_key,
    staff_named,
    tells_what_happened,
)
from responder.advice.feedback import TemplateFeedback
from responder.advice.guardrails import GuardrailResult, ReplyContext, check_reply, passed
from responder.advice.hours import LANGUAGES as HOUR_LANGUAGES
from responder.advice.hours import opening_hours_in
from responder.advice.personal_data import find_personal_data
from responder.advice.plan import (
    LANGUAGE_NAMES,
    CommentContext,
    Plan,
    must_say_for,
    opening_hours_text,
    signals_for,
)
from responder.advice.playbook import (
    COMMENT_SLOTS,
    FACT_SLOTS,
    MAX_WHOLE_WORD_CHARS,
    STRATEGIES,
    Form,
    MustSay,
    Playbook,
    Register,
    Reply,
    Situation,
    comment_text,
    mentions,
    template_fields,
)
from responder.advice.similarity import MAX_FIT, NO_FIT, Likeness, ReplyIndex
from responder.advice.things import thing_named_in
from responder.errors import InputError
from responder.triage.service import Triage

MAX_SUBJECT_WORD_CHARS = MAX_WHOLE_WORD_CHARS
"""Match words up to this length as whole words (``app`` must not match ``appel``)."""

NUMBER_NAMES = [
    "nul",
    "een",
    "twee",
    "drie",
    "vier",
    "vijf",
    "zes",
    "zeven",
    "acht",
    "negen",
    "tien",
    "elf",
    "twaalf",
    "dertien",
    "veertien",
    "vijftien",
    "zestien",
    "zeventien",
    "achttien",
    "negentien",
    "twintig",
]
"""Numbers up to twenty are written in words in a reply ("drie weken")."""

TRIED_PHRASES = {
    "gebeld": "gebeld",
    "gemaild": "gemaild",
    "gechat": "gechat",
    "contact opgenomen": "contact opgenomen",
    "bericht gestuurd": "een bericht gestuurd",
    "formulier ingevuld": "een formulier ingevuld",
    "opnieuw opgestart": "opnieuw opgestart",
    "opnieuw geïnstalleerd": "opnieuw geïnstalleerd",
    "klacht ingediend": "een klacht ingediend",
    "brief gestuurd": "een brief gestuurd",
}
"""What the customer tried, as it follows "U heeft al (drie keer) ..."; other attempts ("in de
winkel geweest") do not fit that sentence and fill no {geprobeerd} placeholder."""
VISITED_PHRASES = {
    "in de winkel geweest": "in de winkel geweest",
    "aan de balie geweest": "aan de balie geweest",
}
"""Attempts that follow "U bent al ...": they fill {poging} only."""
MAX_OWN_NOUN_CHARS = 16
"""A thing the customer calls theirs names the subject up to this length: "uw piano", not "uw
rechtsbijstandsverzekering" (a legal reply must not repeat that word, and long compounds read
stiffly)."""
SENSITIVE_FLAGS = frozenset({"privacy_incident", "discrimination"})
"""Flags under which a reply names no thing the noun-phrase reader found: what a customer writes
about a privacy incident or discrimination is theirs to repeat, not ours."""
TOPIC_SURE = 0.7
"""Below this probability for the topic, another topic's subject words may name the subject."""
MAX_ATTEMPTS_NAMED = 2
"""{poging} names at most this many attempts ("drie keer gebeld en twee keer gemaild")."""


@dataclass(frozen=True)
class Suggestion:
    rank: int
    strategy: str
    strategy_name: str
    text: str
    register: str
    channel: str
    posted: Literal["public", "private"]
    """Where this reply goes: in the public thread or in the private conversation."""
    step: int
    step_text: str
    why: str
    tone: str
    explanation: str
    """One Dutch paragraph: which step it serves, why this strategy and this tone."""
    guardrails: list[GuardrailResult]
    source: Literal["playbook"]
    template: str
    """``situation#reply/form``: the playbook text it was made from."""
    score: float
    ranking: list[str] = field(default_factory=list)
    """Why it ranks where it does, beyond its place in the playbook."""
    language: str = "nl"
    facts_used: list[str] = field(default_factory=list)
    """The customer's facts the reply names (placeholders such as ``wachttijd``)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Suggestions:
    items: list[Suggestion]
    notes: list[str] = field(default_factory=list)
    """Templates that did not fit the channel or failed a guardrail, and why."""


@dataclass(frozen=True)
class Addressing:
    """How a reply addresses the commenter, and where: everything filling in a template needs."""

    playbook: Playbook
    context: CommentContext
    channel: str
    register: Register
    topic: str | None
    subject: str
    """What the comment is about, as a noun phrase in the register ("je pakket")."""
    slots: dict[str, str] = field(default_factory=dict)
    """What this comment fills in beyond the basics: the customer's facts ({wachttijd}), the
    playbook's answer ({antwoord}) and the opening hours; a template needing one that is not
    here is not used."""
    language: str = "nl"
    subject_named: bool = False
    """Whether the comment itself names the subject (not the topic's fallback "onze service"):
    then {rond_onderwerp} and {met_onderwerp} say it back (" rond je afspraak")."""


@dataclass(frozen=True)
class Occasion:
    """The reply context of one comment, built once: what the replies answer, how they address
    the commenter, where they are posted and what the guardrails check them against."""

    comment: str
    triage: Triage
    situation: Situation
    addressing: Addressing
    posted: Literal["public", "private"]
    checks: ReplyContext
    facts: Facts = field(default_factory=lambda: Facts(()))
    must_say: tuple[MustSay, ...] = ()
    register_reason: str = ""

    @classmethod
    def of(
        cls,
        triage: Triage,
        comment: str,
        context: CommentContext,
        playbook: Playbook,
        the_plan: Plan,
    ) -> Occasion:
        situation = playbook.situation(the_plan.situation)
        channels = playbook.organisation.channels
        if the_plan.channel not in channels:
            known = ", ".join(channels)
            raise InputError(f"Onbekend kanaal {the_plan.channel!r}; kies uit {known}.")
        register: Register = "je" if the_plan.register == "je" else "u"
        topic = triage.topic.label if triage.topic else None
        unsure = triage.topic is not None and triage.topic.probability < TOPIC_SURE
        if len(situation.when.topics) == 1 and topic not in situation.when.topics:
            # The situation came from its words ("geen stroom"), not from the topic: its own topic
            # gives the subject and the link.
            topic, unsure = situation.when.topics[0], False
        facts = extract_facts(comment)
        sensitive = {f.label for f in triage.flags} & SENSITIVE_FLAGS
        subject, named = subject_for(
            comment,
            topic,
            register,
            playbook,
            facts,
            other_topics=unsure,
            read_things=not sensitive,
        )
        posted: Literal["public", "private"] = (
            "private" if the_plan.visibility == "private" else "public"
        )
        slots = comment_slots(comment, facts, register, playbook)
        language = situation.when.reply_language
        slots["openingstijden"] = (
            opening_hours_in(language, comment_text(comment), the_plan.received_at, playbook)
            if language in HOUR_LANGUAGES
            else opening_hours_text(comment_text(comment), the_plan.received_at, playbook)
        )
        if the_plan.answer:
            slots["antwoord"] = the_plan.answer
        musts = tuple(must_say_for(situation, triage, comment, context, playbook))
        signals = signals_for(triage, comment, playbook)
        neutral_question = signals.intent == "question" and signals.sentiment != "negative"
        max_chars = channels[the_plan.channel].max_chars
        checks = reply_checks(
            playbook,
            register,
            max_chars,
            public=posted == "public",
            language=language,
            must_say=musts,
            given_facts=frozenset(f.kind for f in facts.items)
            | ({"details"} if tells_what_happened(comment) else frozenset()),
            sympathy=not neutral_question,
            offender=situation.offender,
        )
        return cls(
            comment=comment,
            triage=triage,
            situation=situation,
            addressing=Addressing(
                playbook,
                context,
                the_plan.channel,
                register,
                topic,
                subject,
                slots,
                language,
                subject_named=named,
            ),
            posted=posted,
            checks=checks,
            facts=facts,
            must_say=musts,
            register_reason=the_plan.register_reason,
        )


def reply_checks(
    playbook: Playbook,
    register: Register,
    max_chars: int,
    public: bool,
    *,
    language: str = "nl",
    must_say: tuple[MustSay, ...] = (),
    given_facts: frozenset[str] = frozenset(),
    sympathy: bool = True,
    offender: bool = False,
) -> ReplyContext:
    """What the guardrails check a reply against: the channel's limit, the playbook's rules for
    where it is posted, and what this comment asks of it."""
    org = playbook.organisation
    return ReplyContext(
        register=register,
        max_chars=max_chars,
        public=public,
        compensation_allowed=org.compensation_in_public if public else org.compensation_in_private,
        own_contacts=tuple(org.public_contacts),
        language=language,
        must_say=tuple((m.id, tuple(m.any)) for m in must_say),
        given_facts=given_facts,
        sympathy=sympathy,
        offender=offender,
    )


def subject_for(
    comment: str,
    topic: str | None,
    register: Register,
    playbook: Playbook,
    facts: Facts | None = None,
    other_topics: bool = False,
    read_things: bool = True,
) -> tuple[str, bool]:
    """What the comment is about, and whether the comment itself names it (False: the topic's
    fallback). As a noun phrase in the right register ("je pakket"): the
    topic's own subject words first; else the product the customer names ("je laptop"); else,
    with ``other_topics`` (the model is unsure of the topic), another topic's words
    ("bestelling" under account); else, with ``read_things``, the first thing the comment names
    ("het afdak", see ``things.thing_named_in``; never for account and privacy matters); else
    the topic's fallback."""
    low = comment.lower()
    topic = topic or "general"
    # The outage phrases presume a fault ("de storing in de app") that a comment under another
    # topic need not be about.
    others = [
        subjects
        for t, subjects in playbook.subjects.items()
        if t not in (topic, "outage") and (other_topics or topic == "general")
    ]
    for subjects in [playbook.subjects.get(topic, [])]:
        for subject in subjects:
            if any(mentions(low, word) for word in subject.words):
                return subject.text.get(register), True
    product = (facts or extract_facts(comment)).first("product") if topic != "outage" else None
    known = product is not None and (
        any(w in PRODUCT_ARTICLE for w in product.value.split())
        or product.value.split()[-1] in bought_things(comment)
    )
    own = (
        product is not None
        and product.value.startswith(("mijn ", "onze ", "ons "))
        and len(product.value.split()[-1]) <= MAX_OWN_NOUN_CHARS
    )
    if product is not None and (known or own):
        # Only a product by its own name ("de trein van 8.12"): a compound such as
        # "rechtsbijstandsverzekering" reads oddly in "uw bericht over ...".
        return _yours(product.value, register), True
    for subjects in others:
        for subject in subjects:
            if any(mentions(low, word) for word in subject.words):
                return subject.text.get(register), True
    reads = read_things and topic not in ("outage", "account_privacy")
    thing = thing_named_in(comment) if reads else None
    if thing is not None:
        return _yours(thing, register), True
    return playbook.fallback_subjects[topic].get(register), False


# --- the customer's facts as placeholders ---------------------------------------------------------


def comment_slots(
    comment: str, facts: Facts, register: Register, playbook: Playbook
) -> dict[str, str]:
    """Every placeholder the comment itself fills: its facts ({duur}), what the customer tried
    as a clause ({poging}), the staff member named ({medewerker}), and the playbook's first
    acknowledgement that these can fill ({erkenning})."""
    slots = fact_slots(facts, register)
    attempt = attempts_clause(facts, register)
    if attempt:
        slots["poging"] = attempt
    event = event_clause(facts, register)
    if event:
        slots["gebeurd"] = event
    staff = staff_named(comment)
    if staff:
        slots["medewerker"] = staff
    thing = thing_named(facts, register, comment)
    if thing:
        slots["ding"] = thing
    acknowledgement = acknowledgement_for(slots, register, playbook)
    if acknowledgement:
        slots["erkenning"] = acknowledgement
    return slots


NOT_THINGS = frozenset(
    (  # noqa: SIM905 - a word list reads best as text
        "bestelling zending pakket pakketje pakje abonnement contract energiecontract account trein "
        "intercity sprinter bus tram metro boot veerpont pont vlucht verzekering zorgverzekering "
        "polis hypotheek lening spaarrekening bankrekening betaalrekening aansluiting verbinding "
        "wifi wifi-verbinding internet glasvezel glasvezelaansluiting bundel app website webshop "
        "site ticket treinkaartje kaartje vliegticket e-ticket vergunning uitkering toeslag menu "
        "energierekening tv-pakket pas bankpas pinpas creditcard betaalpas ov-chipkaart ov-kaart "
        "chipkaart cadeaukaart cadeaubon paspoort identiteitskaart id-kaart rijbewijs simkaart sim "
        "e-sim container kliko afvalbak bank meter keuken product artikel"
    ).split()
)
"""Products one does not "stop using" like a thing: orders, contracts, services, cards."""


def thing_named(facts: Facts, register: Register, comment: str = "") -> str | None:
    """The first physical product the comment names, in ``register`` ("je powerbank", "de
    kipsalade", or anything it says was bought: "de boormachine die ik kocht"): what a safety
    instruction can name. Not an order or a service ("je bestelling", "je abonnement"), nor a
    word the product list does not know ("je borst")."""
    bought = bought_things(comment) if comment else set()
    for fact in facts.of("product"):
        noun = fact.value.split()[-1].lower()
        if noun in bought:
            value = _slot_value("product", fact.value, register)
            if value:
                return value
            continue
        key = product_key(noun)
        if key not in PRODUCT_ARTICLE or key in NOT_THINGS or noun in NOT_THINGS or len(key) < 3:
            continue
        value = _slot_value("product", fact.value, register)
        if value:
            return value
    return None


def attempts_clause(facts: Facts, register: Register) -> str | None:
    """What the customer already tried, as a clause in ``register`` with the count where they
    gave one: "u heeft al drie keer gebeld en twee keer gemaild", "je bent al in de winkel
    geweest"; None when they name no attempt a reply can repeat."""
    counted = [f for f in facts.of("repeat") if f.value.endswith(("keer", "keren"))]
    done: list[str] = []
    have = None
    for fact in facts.of("tried"):
        phrase, aux = TRIED_PHRASES.get(fact.value), "have"
        if phrase is None:
            phrase, aux = VISITED_PHRASES.get(fact.value), "be"
        if phrase is None or (have is not None and aux != have) or phrase in done:
            continue
        have = aux
        count = next((c for c in counted if _within(c, fact)), None)
        times = _slot_value("repeat", count.value, register) if count else None
        done.append(f"{times} {phrase}" if times else phrase)
        if len(done) == MAX_ATTEMPTS_NAMED:
            break
    if not done:
        return None
    verb = {"have": {"u": "u heeft", "je": "je hebt"}, "be": {"u": "u bent", "je": "je bent"}}
    return f"{verb[have or 'have'][register]} al {' en '.join(done)}"


def _same(text: str) -> dict[str, str]:
    return {"u": text, "je": text}


EVENT_CLAUSES: dict[str, tuple[dict[str, str], dict[str, str] | None]] = {
    "geannuleerd": (_same("het is geannuleerd"), _same("{wat} is geannuleerd")),
    "beschadigd aangekomen": (
        _same("het beschadigd is aangekomen"),
        _same("{wat} beschadigd is aangekomen"),
    ),
    "beschadigd": (_same("het is beschadigd"), _same("{wat} is beschadigd")),
    "verkeerd geleverd": (
        {"u": "u het verkeerde heeft gekregen", "je": "je het verkeerde hebt gekregen"},
        {"u": "u de {eigen} heeft gekregen", "je": "je de {eigen} hebt gekregen"},
    ),
    "kapot gegaan": (_same("het al kapot is"), _same("er al iets kapot is aan {wat}")),
    "niet gekomen": ({"u": "u voor niets heeft gewacht", "je": "je voor niets hebt gewacht"}, None),
    "verschillende antwoorden": (
        {
            "u": "u steeds verschillende antwoorden krijgt",
            "je": "je steeds verschillende antwoorden krijgt",
        },
        None,
    ),
    "niet ontvangen": (
        {"u": "u nog steeds niets heeft ontvangen", "je": "je nog steeds niets hebt ontvangen"},
        None,
    ),
    "dubbel afgeschreven": (_same("er dubbel is afgeschreven"), None),
    "onheus behandeld": (
        {"u": "u zo bent behandeld", "je": "je zo bent behandeld"},
        _same("{wie} zo is behandeld"),
    ),
    "afgewezen": (_same("het is afgewezen"), _same("{wat} is afgewezen")),
    "ontbrak": (_same("er iets ontbrak"), _same("er iets ontbrak aan {wat}")),
    "niet aangebeld": (_same("er niet is aangebeld"), None),
    "niet thuis gemeld": (
        {
            "u": "u ten onrechte als ‘niet thuis’ bent gemeld",
            "je": "je ten onrechte als ‘niet thuis’ bent gemeld",
        },
        None,
    ),
    "afgebroken": (_same("er al iets is afgebroken"), _same("er al iets is afgebroken aan {wat}")),
    "lekt": (_same("het lekt"), _same("{wat} lekt")),
    "beschimmeld": (_same("er schimmel op zit"), _same("{wat} beschimmeld is")),
}
"""What went wrong (``event`` facts) as a clause after "dat", per register: the plain form, and
a form that names more when the comment gives it: the product ({wat}), the person affected
({wie}) or the wrong thing in the customer's own words ({eigen}: "de verkeerde maat")."""
EVENT_NEAR_CHARS = 80
"""A product or person names the event only when mentioned this close to it."""


def event_clause(facts: Facts, register: Register) -> str | None:
    """The first thing that went wrong, as a clause after "dat" in ``register``: "je bestelling
    is geannuleerd", "je moeder van 83 zo is behandeld"; None when the comment names none."""
    event = facts.first("event")
    if event is None or event.value not in EVENT_CLAUSES:
        return None
    plain, named = EVENT_CLAUSES[event.value]
    if named is not None:
        values = _event_values(event, facts, register)
        template = named[register]
        if all(name in values for name in template_fields(template)):
            return template.format(**values)
    return plain[register]


def _event_values(event: Fact, facts: Facts, register: Register) -> dict[str, str]:
    """What can name an event: the nearest product ({wat}) and person ({wie}), and the wrong
    thing in the customer's words ({eigen}, from "de verkeerde maat")."""
    values: dict[str, str] = {}
    for slot, kind in (("wat", "product"), ("wie", "affected")):
        near = [f for f in facts.of(kind) if abs(f.start - event.start) <= EVENT_NEAR_CHARS]
        if near:
            nearest = min(near, key=lambda f: abs(f.start - event.start))
            values[slot] = _yours(nearest.value, register)
    own = re.fullmatch(r"(?:de\s+|een\s+)?(verkeerde\s+\w+)", event.text.lower())
    if own:
        values["eigen"] = own.group(1)
    return values


def _within(inner: Fact, outer: Fact) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


def acknowledgement_for(slots: dict[str, str], register: Register, playbook: Playbook) -> str:
    """The playbook's first acknowledgement whose placeholders ``slots`` fill, filled in; empty
    when the comment gives nothing to acknowledge."""
    values = {**slots, **{k[:1].upper() + k[1:]: v[:1].upper() + v[1:] for k, v in slots.items()}}
    for acknowledgement in playbook.acknowledgements:
        template = acknowledgement.get(register)
        if all(f in values for f in template_fields(template)):
            return template.format(**values)
    return ""


def fact_slots(facts: Facts, register: Register) -> dict[str, str]:
    """The placeholders the customer's facts fill, worded for a reply in ``register``: "mijn
    dochter" becomes "je dochter", "3 weken" becomes "drie weken". A fact that does not read
    well in a reply sentence ("sinds de monteur") fills none."""
    out: dict[str, str] = {}
    for slot, kind in FACT_SLOTS.items():
        values = (_slot_value(kind, f.value, register) for f in facts.items if f.kind == kind)
        value = next((v for v in values if v), None)
        if value:
            out[slot] = value
    return out


def _slot_value(kind: str, value: str, register: Register) -> str | None:
    value = value.strip()
    if kind == "tenure":
        return _in_words(value)
    if kind in ("duration", "waiting", "repeat"):
        counted = re.fullmatch(
            r"((?:ruim|bijna|meer dan|zeker|minstens|ongeveer) )?(\d+|een paar|meerdere) (\w+)",
            value,
        )
        if kind == "waiting" and value == "uren":
            return "uren"
        if not counted:
            return None
        return _in_words(value)
    if kind == "tried":
        return TRIED_PHRASES.get(value)
    if kind == "amount":
        return value.removesuffix(",00")
    if kind in ("product", "affected"):
        return _yours(value, register)
    if kind == "date":
        return value
    return None


def _in_words(value: str) -> str:
    """Numbers up to twenty in words: "3 weken" → "drie weken", "1 uur" → "een uur"."""
    return re.sub(
        r"\b(\d+)\b",
        lambda m: NUMBER_NAMES[int(m.group(1))] if int(m.group(1)) < len(NUMBER_NAMES) else m[1],
        value,
    )


def _yours(value: str, register: Register) -> str:
    """The customer's "mijn"/"onze" as the reply says it: "je"/"jullie" or "uw"."""
    first, _, rest = value.partition(" ")
    mine = {"mijn": "je" if register == "je" else "uw"}
    ours = {
        "onze": "jullie" if register == "je" else "uw",
        "ons": "jullie" if register == "je" else "uw",
    }
    swapped = mine.get(first.lower()) or ours.get(first.lower())
    return f"{swapped} {rest}" if swapped and rest else value


# --- rendering ------------------------------------------------------------------------------------


def signature(context: CommentContext, playbook: Playbook) -> str:
    org = playbook.organisation
    initials = (context.agent_initials or "").strip()
    if initials:
        if not re.fullmatch(r"[A-Za-zÀ-ÿ]{1,5}", initials):
            raise InputError(f"Initialen {initials!r}: gebruik één tot vijf letters, zoals 'AB'.")
        return org.signature.format(initialen=initials)
    return org.signature_without_initials.format(merk=org.brand)


def first_name(author_name: str | None) -> str | None:
    """The first word of a display name, letters only ("@Sanne_93" → "Sanne"); None if none."""
    if not author_name:
        return None
    for word in re.sub(r"<[^>]*>", " ", author_name).split():
        letters = re.sub(r"[^\w'-]|[\d_]", "", word).strip("'-")
        if letters:
            return letters[:1].upper() + letters[1:30]
    return None


def greets(to: Addressing) -> bool:
    """Whether a reply may greet the commenter by first name: only in the Dutch je-form (a
    first name and "u" do not go together)."""
    return (
        to.register == "je"
        and to.language == "nl"
        and first_name(to.context.author_name) is not None
    )


def values_for(to: Addressing) -> dict[str, str]:
    """Every placeholder this comment can fill, capitalised forms included."""
    org = to.playbook.organisation
    links = org.links
    channel = org.channels[to.channel]
    private = channel.private if to.language == "nl" else channel.private_in.get(to.language)
    values = {
        "onderwerp": to.subject,
        "rond_onderwerp": f" rond {to.subject}" if to.subject_named else "",
        "met_onderwerp": f" met {to.subject}" if to.subject_named else "",
        "merk": org.brand,
        "prive": ""
        if to.context.private or private is None
        else private.get(to.register).format(merk=org.brand),
        "link": links.get(to.topic or "general", links.get("general", "")),
        **to.slots,
    }
    for name, value in list(values.items()):
        values.setdefault(name[:1].upper() + name[1:], value[:1].upper() + value[1:])
    return values


def render(
    template: str,
    to: Addressing,
    greet: bool = False,
    must_say: list[tuple[str, str]] | None = None,
) -> str:
    """Fill the placeholders, put in what must be said (``(text, position)`` pairs), greet the
    commenter by name if asked and allowed, and add the signature."""
    org = to.playbook.organisation
    body = template.format(**values_for(to))
    start = [text for text, position in must_say or [] if position == "start"]
    end = [text for text, position in must_say or [] if position == "end"]
    text = re.sub(r"\s+", " ", " ".join([*start, body, *end])).strip()
    name = first_name(to.context.author_name) if greet and greets(to) else None
    if name:
        text = f"{org.greeting.format(naam=name)} {text}"
    sig = signature(to.context, to.playbook)
    return f"{text} {sig}" if sig else text


def usable(form: Form, to: Addressing) -> bool:
    """Whether every placeholder of the form can be filled for this comment."""
    known = values_for(to)
    fields = [*template_fields(form.text.get(to.register)), *form.slots]
    return all(f in known for f in fields)


UNNAMED_SUBJECT = 0.25
"""How much lower a reply to a question ranks when it would name the topic's stand-in ("het
product") or link to its page while the comment names no subject: "Op .../producten vind je meer
over het product" for a question about a broken street lamp is a guess."""

ASKS_HOW = re.compile(
    r"(?<!\w)(?:hoe (?:kan|moet|krijg|zeg|meld|regel|wijzig|verander) ik|(?:kan|mag|moet) ik|"
    r"waar (?:kan|moet) ik|waar meld ik|wanneer (?:kan|krijg) ik|is het mogelijk)(?!\w)"
)
"""A plain request for how or where to do something ("waar kan ik ... melden?"): clear enough to
answer, not to ask back; rhetorical "hoe kan dit nou?" is not one."""


MUST_SAY_DEFAULTS = {"product": "het product", "Product": "Het product"}
"""A must-say text may name the thing the customer named ({product}: "Gebruik je powerbank niet
meer", see ``thing_named``); without one it says "het product"."""


def missing_elements(
    body: str,
    musts: tuple[MustSay, ...],
    register: Register,
    short: bool,
    values: dict[str, str] | None = None,
) -> list[tuple[str, str]]:
    """What must be said and neither the body nor an element put in before says yet, as
    ``(text, position)`` pairs, its placeholders filled from ``values``."""
    filled = {**(values or {}), **MUST_SAY_DEFAULTS}
    thing = (values or {}).get("ding")  # "je powerbank", not "je bestelling" or "je borst"
    if thing:
        filled.update(product=thing, Product=thing[:1].upper() + thing[1:])
    out: list[tuple[str, str]] = []
    for must in musts:
        if must.said_in(" ".join([body, *(text for text, _ in out)])):
            continue
        form = must.short if short and must.short is not None else must.text
        out.append((form.get(register).format_map(filled), must.position))
    return out


def compositions(form: Form, to: Addressing, musts: tuple[MustSay, ...]) -> list[tuple[str, bool]]:
    """The texts a form can become, from the fullest to the most compact: with and without a
    greeting by name, with the full and the short must-say texts; ``(text, greeted)``."""
    template = form.text.get(to.register)
    values = values_for(to)
    body = template.format(**values)
    out = []
    for compact in (False, True):
        inserted = missing_elements(body, musts, to.register, compact, values)
        for greet in (True, False) if greets(to) else (False,):
            out.append((render(template, to, greet, inserted), greet))
        if not any(m.short for m in musts):
            break
    return out


# --- suggest --------------------------------------------------------------------------------------


def suggest(
    triage: Triage,
    comment: str,
    context: CommentContext,
    playbook: Playbook,
    the_plan: Plan,
    limit: int | None = None,
    feedback: Mapping[str, TemplateFeedback] | None = None,
    fit: ReplyIndex | None = None,
    vector: NDArray[np.float32] | None = None,
) -> Suggestions:
    """Ranked suggestions, one per strategy, each guardrail-checked. None when the plan says not
    to respond (spam, a language the playbook has no replies in: the plan's steps say what to do
    instead). ``feedback`` (per template id) re-orders only replies that fit and pass; ``fit``
    (the playbook's example comments, embedded) moves replies whose examples look like the
    comment up, and others down, within bounds (see similarity.py); ``vector`` is the comment's
    own sentence vector when the triage already made it (else ``fit`` embeds the comment)."""
    if not the_plan.respond:
        return Suggestions([], [_no_reply_note(the_plan)])
    occasion = Occasion.of(triage, comment, context, playbook, the_plan)
    likeness = (
        fit.likeness(occasion.situation.id, comment if vector is None else vector)
        if fit is not None
        else {}
    )
    fits: list[_Fit] = []
    notes: list[str] = []
    for index, reply in enumerate(occasion.situation.replies):
        found = _fit(index, reply, occasion, likeness.get(index, NO_FIT) if likeness else None)
        if isinstance(found, str):
            if found:
                notes.append(found)
        else:
            fits.append(_with_feedback(found, feedback or {}))
    chosen = _one_per_strategy(fits)
    chosen = chosen[:limit] if limit else chosen
    items = [_suggestion(rank, f, occasion) for rank, f in enumerate(chosen, start=1)]
    return Suggestions(items, notes)


def _one_per_strategy(fits: list[_Fit]) -> list[_Fit]:
    """One reply per strategy. The strategies come in the order of their best reply without the
    likeness bonus (the playbook's order, the comment's strong signals, the team's feedback);
    within a strategy the reply with the highest score, likeness included, speaks for it. So
    likeness picks the wording that fits the comment best, never the kind of answer."""
    by_strategy: dict[str, list[_Fit]] = {}
    for f in sorted(fits, key=lambda f: (-(f.score - f.fit_bonus), f.template)):
        by_strategy.setdefault(f.reply.strategy, []).append(f)
    return [max(group, key=lambda f: (f.score, -group.index(f))) for group in by_strategy.values()]


def _no_reply_note(the_plan: Plan) -> str:
    if the_plan.action == "manual" and the_plan.language != "nl":
        language = LANGUAGE_NAMES.get(the_plan.language)
        where = f"in het {language}" if language else "in een taal die niet is herkend"
        return (
            f"Geen antwoord voorgesteld: de reactie is {where}, en daarvoor heeft het draaiboek "
            "geen antwoorden. Beoordeel haar zelf en antwoord in de taal van de klant als u die "
            "beheerst, anders in het Nederlands of het Engels."
        )
    return f"Geen antwoord voorgesteld: {the_plan.title.lower()} ({the_plan.action})."


@dataclass(frozen=True)
class _Fit:
    """A playbook reply rendered for this comment that fits the channel and passes every
    guardrail, before ranking."""

    reply: Reply
    text: str
    guardrails: list[GuardrailResult]
    template: str
    score: float
    ranking: list[str]
    facts_used: list[str]
    fit_bonus: float = 0.0
    """The part of ``score`` that comes from likeness to the reply's examples."""


def _fit(
    index: int, reply: Reply, occasion: Occasion, likeness: Likeness | None = None
) -> _Fit | str:
    """The first wording of the playbook's reply ``index`` that can be filled in for this
    comment, does not ask for what the customer gave, fits the channel (greeting the commenter
    by name where that fits too) and passes every guardrail; else a note that says why there is
    none (empty when the reply simply does not apply)."""
    to, situation = occasion.addressing, occasion.situation
    if reply.words and not reply.preferred_by(comment_text(occasion.comment)):
        return ""  # a reply for comments that name something this one does not
    max_chars = occasion.checks.max_chars
    given = occasion.checks.given_facts
    failures: list[str] = []
    asks_given: list[str] = []
    too_long = False
    for form in _telling_first(reply.forms(), occasion, to.register):
        if not form.fits_facts(given):
            asks_given.extend(sorted(set(form.asks) & given))
            continue
        if not usable(form, to):
            continue
        template = f"{situation.id}#{index + 1}/{form.name}"
        for text, _ in compositions(form, to, occasion.must_say):
            if len(text) > max_chars:
                too_long = True
                continue
            results = check_reply(text, occasion.checks)
            if not passed(results):
                failed = "; ".join(r.message for r in results if not r.passed)
                failures.append(f"Antwoord {template} overgeslagen: {failed}")
                break
            used = [
                name
                for name in template_fields(form.text.get(to.register))
                if name.lower() in FACT_SLOTS or name.lower() in COMMENT_SLOTS
            ]
            score, ranking, bonus = _score(reply, index, occasion, form, likeness)
            return _Fit(reply, text, results, template, score, ranking, used, bonus)
    if failures:
        return failures[0]
    if asks_given:
        return ""  # the customer gave what this reply asks for: it simply does not apply
    if too_long:
        return (
            f"Antwoord {situation.id}#{index + 1} ({STRATEGIES[reply.strategy]}) past niet "
            f"binnen {max_chars} tekens op {to.channel}."
        )
    return ""


def _telling_first(forms: list[Form], occasion: Occasion, register: Register) -> list[Form]:
    """The reply's wordings, those that say what went wrong ({gebeurd}, or {erkenning} when the
    acknowledgement is about it) first: that is the most telling thing the customer told us."""
    if "gebeurd" not in occasion.addressing.slots:
        return forms
    said = occasion.addressing.slots["gebeurd"]

    def telling(form: Form) -> bool:
        fields = template_fields(form.text.get(register))
        return "gebeurd" in fields or (
            "erkenning" in {f.lower() for f in fields}
            and said in occasion.addressing.slots.get("erkenning", "")
        )

    return sorted(forms, key=lambda f: not telling(f))


def _score(
    reply: Reply, index: int, occasion: Occasion, form: Form, likeness: Likeness | None = None
) -> tuple[float, list[str], float]:
    """The playbook's order, adjusted where the comment makes a reply more or less useful. (A
    reply's wording that names the customer's facts is chosen within the reply, before its
    plain text; it does not change the order of the strategies.) ``likeness``: the reply's
    bounded fit to the comment; a reply with a strong signal (the comment's own words, the
    playbook's answer) counts as fitting best, so the fit never outweighs those."""
    score, why, bonus = 1.0 - 0.1 * index, [], 0.0
    if reply.strategy == "ask_missing_fact" and find_personal_data(occasion.comment):
        score -= 0.5
        why.append("Lager: het gegeven staat al in de reactie.")
    if reply.strategy == "ask_clarification" and occasion.triage.low_confidence:
        if "antwoord" in occasion.addressing.slots:
            why.append("Niet hoger: het model twijfelt, maar het draaiboek weet het antwoord.")
        elif ASKS_HOW.search(comment_text(occasion.comment)):
            why.append("Niet hoger: het model twijfelt, maar de klant vraagt iets duidelijks.")
        else:
            score += 0.3
            why.append("Hoger: het model twijfelt, dus eerst vragen wat de klant bedoelt.")
    if reply.strategy == "acknowledge_to_private" and occasion.addressing.context.private:
        score -= 0.3
        why.append("Lager: het gesprek is al privé.")
    fields = template_fields(form.text.get(occasion.addressing.register))
    if (
        occasion.situation.when.intents == ["question"]
        and reply.strategy != "ask_clarification"  # asking what is meant is no guess
        and not occasion.addressing.subject_named
        and "antwoord" not in fields
        and ({"onderwerp", "link"} & set(fields))
    ):
        score -= UNNAMED_SUBJECT
        why.append(
            "Lager: de reactie weet niet waar de vraag over gaat; een link of 'over het product' "
            "zou een gok zijn."
        )
    preferred = reply.preferred_by(comment_text(occasion.comment))
    if preferred:
        score += 1.0
        why.append(f"Hoger: de reactie noemt '{preferred[0]}'.")
    if "antwoord" in fields:
        score += 0.2
        why.append("Hoger: geeft het antwoord uit het draaiboek.")
    if likeness is not None:
        strong = bool(preferred) or "antwoord" in fields
        bonus = MAX_FIT if strong else likeness.bonus
        score += bonus
        line = None if strong else likeness.explanation()
        if line:
            why.append(line)
    if form.name.endswith("short"):
        score -= 0.05
        why.append("Korte vorm: de volledige tekst past niet binnen de limiet van het kanaal.")
    return round(score, 4), why, bonus


def _with_feedback(fit: _Fit, feedback: Mapping[str, TemplateFeedback]) -> _Fit:
    """The fit with its template's bounded feedback adjustment and the line that explains it."""
    votes = feedback.get(fit.template)
    line = votes.explanation() if votes else None
    if votes is None or line is None:
        return fit
    return replace(
        fit, score=round(fit.score + votes.adjustment(), 4), ranking=[*fit.ranking, line]
    )


def _suggestion(rank: int, fit: _Fit, occasion: Occasion) -> Suggestion:
    """The one place a suggestion is made: a ranked fit with its step and explanation."""
    reply, situation = fit.reply, occasion.situation
    step = situation.steps[reply.serves - 1]
    return Suggestion(
        rank=rank,
        strategy=reply.strategy,
        strategy_name=STRATEGIES[reply.strategy],
        text=fit.text,
        register=occasion.addressing.register,
        channel=occasion.addressing.channel,
        posted=occasion.posted,
        step=reply.serves,
        step_text=step.for_channel(occasion.addressing.context.private),
        why=reply.why,
        tone=situation.tone,
        explanation=_explain(reply, occasion),
        guardrails=fit.guardrails,
        source="playbook",
        template=fit.template,
        score=fit.score,
        ranking=fit.ranking,
        language=occasion.addressing.language,
        facts_used=fit.facts_used,
    )


def _explain(reply: Reply, occasion: Occasion) -> str:
    """Which step the reply serves, why this strategy, this tone and this register."""
    register = occasion.addressing.register
    form = occasion.register_reason
    if not form:
        if occasion.triage.register.label in ("u", "je"):
            form = f"De klant gebruikt zelf de {register}-vorm, dus wij ook."
        else:
            form = f"De klant spreekt ons niet direct aan; daarom de standaardvorm ({register})."
    situation = occasion.situation
    step = situation.steps[reply.serves - 1]
    said = ""
    if occasion.must_say:
        said = " Het antwoord zegt altijd: " + " ".join(
            text
            for text, _ in missing_elements(
                "", occasion.must_say, register, False, values_for(occasion.addressing)
            )
        )
    do = step.for_channel(occasion.addressing.context.private)
    return f"Stap {reply.serves}: {do} {reply.why} Toon: {situation.tone} {form}{said}"
