"""plan(): the organisation's procedure applied to one comment.

Priority, who handles it, the response deadline (from the comment's time and the opening hours),
public or private, whether to answer at all, and the steps, each with a one-line reason so that a
new agent learns the procedure while using it. It also reads what the labels miss: sarcasm (a
negative comment in positive words), the form of address when the commenter uses none (the
channel's default, or je for a casual writer), what every reply must say, the facts the customer
gave, and the playbook's answer to a factual question (opening hours on a named day).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from responder.advice.facts import extract_facts
from responder.advice.personal_data import find_personal_data
from responder.advice.playbook import (
    Answer,
    MustSay,
    Playbook,
    PlaybookError,
    Register,
    Signals,
    Situation,
    comment_text,
    mentions,
)
from responder.errors import InputError
from responder.names import (
    ACTION_NAMES,
    FLAG_NAMES,
    HEAD_NAMES,
    MONTHS,
    VISIBILITY_NAMES,
    WEEKDAY_NAMES,
    format_moment,
    label_name,
)
from responder.triage.detect import FORMAL_LETTER
from responder.triage.service import Triage

LANGUAGE_NAMES = {
    "en": "Engels",
    "fr": "Frans",
    "de": "Duits",
    "es": "Spaans",
    "it": "Italiaans",
    "pt": "Portugees",
    "tr": "Turks",
    "pl": "Pools",
    "ar": "Arabisch",
}
"""Dutch names of the languages the detector knows, for notes to the agent."""

FOREIGN_ADDRESS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "de": (frozenset({"sie", "ihnen"}), frozenset({"du", "dich", "dir", "dein", "deine", "euch"})),
    "fr": (frozenset({"vous", "votre", "vos"}), frozenset({"tu", "toi", "ton", "ta", "tes", "te"})),
}
"""The polite and the familiar forms of address in languages that have both (Sie/du, vous/tu);
the playbook's ``u`` and ``je`` variants carry them."""


@dataclass(frozen=True)
class CommentContext:
    """Where and when the comment was posted, and who answers it."""

    channel: str | None = None
    """A channel id of the playbook; ``None`` means the playbook's default channel."""
    received_at: datetime | None = None
    """When the comment was posted; ``None`` means now. Naive times are in the playbook's zone."""
    private: bool = False
    """The comment came in as a private message rather than a public post."""
    agent_initials: str | None = None
    author_name: str | None = None
    """The commenter's display name; its first word is used to greet them."""


@dataclass(frozen=True)
class PlanStep:
    do: str
    why: str


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    reach: str


@dataclass(frozen=True)
class Plan:
    situation: str
    title: str
    priority: str
    priority_name: str
    route: Team
    speaks: Team
    """The team that posts the public reply."""
    notify: list[Team]
    received_at: datetime
    deadline: datetime
    open_now: bool
    visibility: str
    action: str
    respond: bool
    tone: str
    channel: str
    register: str
    steps: list[PlanStep]
    reasons: list[str]
    """Why this priority, route and visibility: the situation and what in the triage led to it."""
    also: list[str] = field(default_factory=list)
    """Other situations that apply too (a second flag), with the team to inform."""
    playbook_version: str = ""
    language: str = "nl"
    """The comment's language (ISO code); replies are in it where the playbook has them."""
    register_reason: str = ""
    """Why this form of address: the customer's own, a casual style, or the channel's default."""
    must_say: list[str] = field(default_factory=list)
    """What every reply must say in this situation (inserted where a reply does not say it)."""
    facts: list[str] = field(default_factory=list)
    """What the customer told us (how long, how often, which product), for the agent to see."""
    answer: str = ""
    """The playbook's answer to the comment's factual question, in the plan's register."""

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["received_at"] = self.received_at.isoformat()
        out["deadline"] = self.deadline.isoformat()
        out["visibility_name"] = VISIBILITY_NAMES[self.visibility]
        out["action_name"] = ACTION_NAMES[self.action]
        out["deadline_text"] = format_moment(self.deadline, self.received_at)
        out["register_name"] = label_name("register", self.register)
        return out


def signals_for(triage: Triage, comment: str, playbook: Playbook) -> Signals:
    """What the playbook's conditions look at, from a triage and the comment text.

    A sarcastic comment ("Top service weer 🙄") or an indignant one ("een schande voor ouderen")
    counts as negative, and its praise or suggestion as a complaint. Praise without a word of
    praise that is negative or names a problem is a complaint too (``unpraised_intent``); so is a
    negative question about a problem that asks for no answer (``complains``), and a negative
    comment of no clear intent (no spam) that addresses the organisation or names a problem
    (``ADDRESSED``). A complaint about a rule rather than a fault is policy criticism
    (``criticises_policy``)."""
    text = comment_text(comment)
    spam = any(
        re.search(r"(?<!\w)" + re.escape(word.lower()) + r"(?!\w)", text)
        for word in playbook.organisation.spam_words
    )
    if not triage.is_dutch:
        return Signals(triage.language.label, spam=spam, text=text)
    if triage.intent is None:
        return Signals("other", spam=spam, text=text)
    sentiment = triage.sentiment.label if triage.sentiment else None
    intent = triage.intent.label
    if sentiment != "negative" and (sarcasm_in(text, playbook) or outrage_in(text, playbook)):
        sentiment = "negative"
        if intent in ("praise", "suggestion", "other"):
            intent = "complaint"
    if intent == "praise" and playbook.cues.praise and not praise_in(text, playbook):
        intent = unpraised_intent(text, sentiment, playbook)
        if intent == "complaint":
            sentiment = "negative"
    if intent == "question" and sentiment == "negative" and complains(text, playbook):
        intent = "complaint"
    if (
        intent == "other"
        and sentiment == "negative"
        and not spam
        and (ADDRESSED.search(text) or trouble_in(text, playbook))
    ):
        intent = "complaint"
    topic = triage.topic.label if triage.topic else None
    if intent == "complaint" and topic in RULE_TOPICS and criticises_policy(text, playbook):
        topic = "policy"
    return Signals(
        language="nl",
        sentiment=sentiment,
        intent=intent,
        topic=topic,
        flags=frozenset(f.label for f in triage.flags),
        spam=spam,
        text=text,
        flags_confirmed=triage.flags_confirmed,
    )


RULE_TOPICS = ("billing", "product", "service", "delivery", "general")
"""Topics whose complaints may be about a rule rather than a fault (``criticises_policy``)."""


def criticises_policy(text: str, playbook: Playbook) -> bool:
    """Whether a complaint is about a rule or choice of the organisation ("Waarom moet ik
    tegenwoordig €2,50 extra betalen voor een papieren factuur?") rather than about a fault: one of
    the playbook's ``policy`` words and none of its ``fault`` words."""
    cues = playbook.cues
    if not any(mentions(text, w) for w in cues.policy):
        return False
    return not any(mentions(text, w) for w in cues.fault)


def outrage_in(text: str, playbook: Playbook) -> list[str]:
    """The words of open indignation in ``text`` ("schande"); empty when there are none."""
    return [w for w in playbook.cues.outrage if mentions(text, w)]


def trouble_in(text: str, playbook: Playbook) -> list[str]:
    """The words in ``text`` that name a problem ("nog steeds", "kapot"); empty when none."""
    return [w for w in playbook.cues.trouble if mentions(text, w)]


def praise_in(text: str, playbook: Playbook) -> list[str]:
    """The words of praise or thanks in ``text``; empty when there are none."""
    return [w for w in playbook.cues.praise if mentions(text, w)]


def unpraised_intent(text: str, sentiment: str | None, playbook: Playbook) -> str:
    """What a comment read as praise is when it has no word of praise: a complaint when it is
    negative or names a problem ("Ik krijg een factuur voor een monteur die nooit is
    langsgekomen!"); otherwise it stays praise ("Petje af voor de chauffeur")."""
    if sentiment == "negative" or trouble_in(text, playbook):
        return "complaint"
    return "praise"


ADDRESSED = re.compile(r"(?<!\w)(?:jullie|julle|ulle)(?!\w)")
"""Words that address the organisation: a negative comment that says them ("Ik ben het echt beu
met jullie") is a complaint, whatever else the model read in it."""
HOW_TO = re.compile(
    r"(?<!\w)(?:hoe|kan ik|kunnen we|kun je|kunt u|mag ik|moet ik|wat zijn|wat is|welke)(?!\w)"
)
"""A question that asks how to do something or what something is: it wants the answer, however
annoyed it sounds ("Hoe kan ik mijn kapotte pakket retourneren?")."""


def complains(text: str, playbook: Playbook) -> bool:
    """Whether a negative question is a complaint in question form ("Staat al 9 dagen op
    'onderweg'. Waar blijft het?"): it names a problem, asks no how-to and nothing the playbook
    answers."""
    if not trouble_in(text, playbook) or HOW_TO.search(text):
        return False
    return not any(any(mentions(text, w) for w in a.words) for a in playbook.answers)


def sarcasm_in(text: str, playbook: Playbook) -> list[str]:
    """The words that make ``text`` (see ``comment_text``) sarcastic: a sign of sarcasm together
    with a word that names a problem; empty when it is not."""
    cues = playbook.cues
    signs = [w for w in cues.sarcasm if mentions(text, w)]
    trouble = trouble_in(text, playbook)
    return [*signs, *trouble] if signs and trouble else []


def choose_situation(
    triage: Triage, comment: str, playbook: Playbook
) -> tuple[Situation, list[Situation]]:
    """The situation that decides the plan, and the other (flag) situations that also apply."""
    signals = signals_for(triage, comment, playbook)
    found = playbook.matching(signals)
    if not found:
        raise PlaybookError(
            playbook.label,
            [
                f"geen situatie past bij {signals}; voeg een situatie toe (zie `responder playbook check`)"
            ],
        )
    others = [s for s in found[1:] if s.when.flags and s.route != found[0].route]
    return found[0], others


def register_for(
    triage: Triage, comment: str, channel: str, playbook: Playbook
) -> tuple[Register, str]:
    """The form of address, and why: the commenter's own; else je for a casual writer (emoji
    only, "wtf"); else the channel's default (je on Instagram, u on LinkedIn)."""
    org = playbook.organisation
    language = triage.language.label if not triage.is_dutch else "nl"
    own: str = triage.register.label
    if language != "nl":
        own = _foreign_address(comment, language)
    if own in ("u", "je"):
        register: Register = "je" if own == "je" else "u"
        return register, f"De klant gebruikt zelf de {register}-vorm, dus wij ook."
    style = _casual_style(comment, playbook) if language == "nl" else None
    if style:
        return "je", f"De klant {style}; daarom de je-vorm."
    register = org.register_on(channel)
    name = org.channels[channel].name if channel in org.channels else channel
    return register, (
        f"De klant spreekt ons niet direct aan; op {name} is de {register}-vorm de standaard."
    )


EMOJI = re.compile(
    "[\U0001f600-\U0001f64f\U0001f910-\U0001f9ff\U0001f440-\U0001f450\U0001f480"
    "\U0001f493-\U0001f49f\U0001f525\u2764]"
)
"""Emoji of the casual kind: faces, hands, hearts, fire (not warning signs or check marks)."""
ALL_LOWER_FROM = 4
"""A comment of at least this many words without a single capital counts as casual (when it opens
with a letter: "2 weken geleden besteld ..." has no capital to leave out)."""


def _casual_style(comment: str, playbook: Playbook) -> str | None:
    """How a Dutch comment that uses neither u nor je shows it is casual, or None: only signs,
    'jullie' (the plural of je) to address us, a word of the playbook's informal list, emoji, or
    no capital letter at all. Social-media teams answer such writers with je."""
    text = comment_text(comment)
    if not re.search(r"[^\W\d_]", comment):
        return "reageert alleen met tekens"
    if FORMAL_LETTER.search(comment):
        return None
    if mentions(text, "jullie") and not re.search(r"(?<![\w-])(?:u|uw)(?![\w-])", text):
        return "spreekt ons aan met 'jullie', het meervoud van je"
    casual = [w for w in playbook.cues.informal if mentions(text, w)]
    if casual:
        return f"schrijft informeel ('{casual[0]}')"
    if EMOJI.search(comment):
        return "gebruikt emoji"
    words = re.findall(r"[^\W\d_]+", comment)
    first = re.search(r"[^\W_]", comment)
    opens_lower = bool(first and first[0].isalpha())
    if len(words) >= ALL_LOWER_FROM and comment == comment.lower() and opens_lower:
        return "schrijft zonder hoofdletters"
    return None


def _foreign_address(comment: str, language: str) -> str:
    polite, familiar = FOREIGN_ADDRESS.get(language, (frozenset(), frozenset()))
    words = re.findall(r"[^\W\d_]+", comment.lower())
    p, f = sum(w in polite for w in words), sum(w in familiar for w in words)
    return "u" if p > f else "je" if f > p else "unknown"


def must_say_for(
    situation: Situation, triage: Triage, comment: str, context: CommentContext, playbook: Playbook
) -> list[MustSay]:
    """What every reply in this situation must say for this comment: the situation's own
    elements and the playbook's shared ones (safety instructions, personal data in public)
    whose conditions hold. The shared ones are Dutch, so only for Dutch replies."""
    text = comment_text(comment)
    flags = frozenset(f.label for f in triage.flags)
    kinds = frozenset(m.kind for m in find_personal_data(comment))
    shared = playbook.must_say if situation.when.reply_language == "nl" else []
    return [
        m
        for m in (*situation.must_say, *shared)
        if m.applies(text, flags, kinds, public=not context.private)
        and not (m.sympathy and situation.offender)
    ]


def plan(triage: Triage, comment: str, context: CommentContext, playbook: Playbook) -> Plan:
    """Apply the playbook to one triaged comment."""
    org = playbook.organisation
    channel = context.channel or org.default_channel
    if channel not in org.channels:
        raise InputError(f"Onbekend kanaal {channel!r}; kies uit {', '.join(org.channels)}.")
    situation, others = choose_situation(triage, comment, playbook)
    priority = playbook.priorities[situation.priority]
    received = _aware(context.received_at, playbook)
    open_now = _is_open(received, playbook)
    if priority.clock == "always":
        deadline = received + timedelta(minutes=priority.deadline_minutes)
    else:
        deadline = add_business_minutes(received, priority.deadline_minutes, playbook)

    def team(team_id: str) -> Team:
        t = playbook.teams[team_id]
        return Team(team_id, t.name, t.reach)

    route = team(situation.route)
    speaks = (
        route
        if playbook.teams[situation.route].speaks_for_organisation
        else team(playbook.public_voice)
    )
    notify_ids = [t for t in priority.notify if t != situation.route]
    visibility = "private" if context.private else situation.visibility
    register, register_reason = register_for(triage, comment, channel, playbook)
    musts = must_say_for(situation, triage, comment, context, playbook)
    answer = answer_for(triage, comment, received, register, playbook)
    first, last = _extra_steps(triage, comment, context, situation, received, playbook)
    first += [PlanStep(f"Zeg in elk antwoord: {m.text.get(register)}", m.why) for m in musts]
    if answer:
        first.append(
            PlanStep(
                f"Geef het antwoord dat het draaiboek kent: {answer}",
                "Een concreet antwoord helpt meer dan een verwijzing naar een pagina.",
            )
        )
    steps = (
        first + [PlanStep(s.for_channel(context.private), s.why) for s in situation.steps] + last
    )
    also = []
    for other in others:
        also.append(f"{other.title}: informeer ook {playbook.teams[other.route].name}.")
        steps.append(
            PlanStep(
                f"Informeer ook {playbook.teams[other.route].name} ({other.title.lower()}).",
                f"De reactie valt ook onder '{other.title}'; dat team moet het weten.",
            )
        )
    language = "nl" if triage.is_dutch else triage.language.label
    return Plan(
        situation=situation.id,
        title=situation.title,
        priority=situation.priority,
        priority_name=priority.name,
        route=route,
        speaks=speaks,
        notify=[team(t) for t in notify_ids],
        received_at=received,
        deadline=deadline,
        open_now=open_now,
        visibility=visibility,
        action=situation.action,
        respond=situation.action == "respond",
        tone=situation.tone,
        channel=channel,
        register=register,
        steps=steps,
        reasons=_reasons(triage, comment, situation, speaks, route, context, playbook),
        also=also,
        playbook_version=playbook.version,
        language=language,
        register_reason=register_reason,
        must_say=[m.text.get(register) for m in musts],
        facts=extract_facts(comment).summary(),
        answer=answer,
    )


def _reasons(
    triage: Triage,
    comment: str,
    situation: Situation,
    speaks: Team,
    route: Team,
    context: CommentContext,
    playbook: Playbook,
) -> list[str]:
    reasons = []
    raised = [f.label for f in triage.flags]
    hit = [f for f in situation.when.flags if f in raised]
    text = comment_text(comment)
    words = situation.when.surely(text) or situation.when.matched_words(text)
    if hit:
        names = ", ".join(FLAG_NAMES[f] for f in hit)
        reasons.append(
            f"{situation.priority} omdat de reactie is gemarkeerd als {names}: dat gaat voor, "
            "wat het sentiment ook is."
        )
    elif triage.intent is not None:
        described = ", ".join(
            f"{HEAD_NAMES[h]} '{s.label}'"
            for h, s in (
                ("intent", triage.intent),
                ("topic", triage.topic),
                ("sentiment", triage.sentiment),
            )
            if s is not None
        )
        reasons.append(
            f"Situatie '{situation.title}' ({situation.priority}) op grond van {described}."
        )
    else:
        language = LANGUAGE_NAMES.get(triage.language.label, "een andere taal")
        reasons.append(
            f"Situatie '{situation.title}': de reactie is in het {language} en dus niet ingedeeld."
            if triage.language.label in LANGUAGE_NAMES
            else f"Situatie '{situation.title}': de reactie is niet in het Nederlands ingedeeld."
        )
    if words:
        quoted = ", ".join(f"'{w}'" for w in words[:3])
        reasons.append(f"De reactie noemt {quoted}; daarom '{situation.title}'.")
    if situation.offender:
        reasons.append(
            "De schrijver is zelf degene die scheldt of discrimineert: eerst een grens, geen "
            "dank of medeleven."
        )
    sarcasm = sarcasm_in(text, playbook) if triage.is_dutch else []
    if sarcasm and triage.sentiment is not None and triage.sentiment.label != "negative":
        reasons.append(
            f"Sarcasme herkend ({', '.join(repr(w) for w in sarcasm[:3])}): gelezen als een "
            "negatieve reactie."
        )
    if speaks.id != route.id:
        reasons.append(
            f"{route.name} behandelt de zaak maar spreekt niet namens de organisatie; "
            f"{speaks.name} plaatst de reactie na overleg."
        )
    if context.private:
        reasons.append("De reactie kwam binnen als privébericht, dus het antwoord is ook privé.")
    return reasons


def _extra_steps(
    triage: Triage,
    comment: str,
    context: CommentContext,
    situation: Situation,
    received: datetime,
    playbook: Playbook,
) -> tuple[list[PlanStep], list[PlanStep]]:
    """Steps that come from this comment rather than the situation: (before, after) its steps."""
    first, steps = [], []
    if triage.low_confidence:
        heads = ", ".join(HEAD_NAMES.get(h, h) for h in triage.low_confidence)
        steps.append(
            PlanStep(
                f"Controleer de indeling zelf: het model twijfelt over {heads}.",
                "Bij twijfel kan de situatie, en dus de aanpak, een andere zijn.",
            )
        )
    if not context.private and find_personal_data(comment):
        first.append(
            PlanStep(
                "Verberg de reactie of vraag de klant haar aan te passen: er staan "
                "persoonsgegevens in (zoals een telefoonnummer, adres of ordernummer). Noem ze "
                "niet in je antwoord.",
                "Persoonsgegevens horen niet openbaar zichtbaar te blijven, ook niet als de klant "
                "ze zelf plaatst.",
            )
        )
    if situation.when.language == "other" and not triage.is_dutch:
        language = LANGUAGE_NAMES.get(triage.language.label)
        known = ", ".join(
            ["Nederlands", *(LANGUAGE_NAMES.get(c, c) for c in reply_languages(playbook))]
        )
        steps.append(
            PlanStep(
                f"Geen voorgestelde antwoorden: de reactie is in het {language}, en het "
                f"draaiboek heeft antwoorden in het {known}."
                if language
                else "Geen voorgestelde antwoorden: de taal van de reactie is niet herkend.",
                "Een automatisch vertaald antwoord kan de klant verkeerd begrijpen; u schrijft het "
                "zelf of in het Nederlands.",
            )
        )
    if (
        not _is_open(received, playbook)
        and playbook.priorities[situation.priority].clock != "always"
    ):
        nxt = next_opening(received, playbook)
        steps.append(
            PlanStep(
                f"Buiten openingstijden ontvangen: de termijn loopt vanaf {format_moment(nxt, received)}.",
                "Reacties met een lagere prioriteit wachten tot het team er weer is.",
            )
        )
    return first, steps


EARLIEST_YEAR, LATEST_YEAR = 2000, 2099
"""Posting times outside these years are typing errors (and near 1 and 9999 the deadline
arithmetic overflows): refused with a clear error."""


def check_posted_at(moment: datetime) -> datetime:
    """``moment`` itself, or an :class:`InputError` when it lies outside the plausible years."""
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise InputError(
            f"Tijdstip {moment.isoformat()} ligt buiten {EARLIEST_YEAR}–{LATEST_YEAR}; "
            "geef aan wanneer de reactie geplaatst is, bijvoorbeeld 2026-11-25T21:30."
        )
    return moment


def _aware(moment: datetime | None, playbook: Playbook) -> datetime:
    zone = playbook.organisation.zone
    if moment is None:
        return datetime.now(zone).replace(microsecond=0)
    check_posted_at(moment)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


def _is_open(moment: datetime, playbook: Playbook) -> bool:
    hours = playbook.organisation.hours_on(moment.date())
    return hours is not None and hours[0] <= moment.timetz().replace(tzinfo=None) < hours[1]


def _intervals(start: datetime, playbook: Playbook) -> Iterator[tuple[datetime, datetime]]:
    """Open intervals from ``start`` on, in the playbook's zone (at most a year ahead)."""
    zone = playbook.organisation.zone
    day = start.date()
    for _ in range(366):
        hours = playbook.organisation.hours_on(day)
        if hours is not None:
            begin = datetime.combine(day, hours[0], zone)
            end = datetime.combine(day, hours[1], zone)
            if end > start:
                yield max(begin, start), end
        day += timedelta(days=1)


def add_business_minutes(start: datetime, minutes: int, playbook: Playbook) -> datetime:
    """The moment ``minutes`` of opening hours after ``start`` have passed."""
    left = timedelta(minutes=minutes)
    for begin, end in _intervals(start, playbook):
        if end - begin >= left:
            return begin + left
        left -= end - begin
    raise ValueError("geen openingstijden in het komende jaar")  # validation prevents this


def next_opening(moment: datetime, playbook: Playbook) -> datetime:
    begin, _ = next(_intervals(moment, playbook))
    return begin


def reply_languages(playbook: Playbook) -> list[str]:
    """The languages other than Dutch that the playbook has replies in."""
    codes = {
        s.when.language
        for s in playbook.situations
        if s.replies and s.when.language not in ("nl", "other")
    }
    return sorted(codes)


# --- answers from the playbook ------------------------------------------------------------------


def answer_for(
    triage: Triage, comment: str, moment: datetime, register: Register, playbook: Playbook
) -> str:
    """The playbook's answer to a factual question in the comment ("Zijn jullie op Tweede
    Paasdag open?"), in ``register``; empty when the comment asks nothing the playbook knows."""
    asks = "?" in comment or (triage.intent is not None and triage.intent.label == "question")
    if not asks or not triage.is_dutch:
        return ""
    text = comment_text(comment)
    found: Answer | None = next(
        (
            a
            for a in playbook.answers
            if any(mentions(text, w) for w in a.words)
            and (not a.day or _day_answer(text, moment, playbook) is not None)
        ),
        None,
    )
    if found is None:
        return ""
    org = playbook.organisation
    topic = triage.topic.label if triage.topic else "general"
    values = {
        "merk": org.brand,
        "link": org.links.get(topic, org.links.get("general", "")),
        "onderwerp": "",
        "prive": "",
        "openingstijden": opening_hours_text(text, moment, playbook),
    }
    return re.sub(r"\s+", " ", found.text.get(register).format(**values)).strip()


_DATE = re.compile(r"\b(\d{1,2})(?:e|ste|de)?\s+(" + "|".join(m[:3] for m in MONTHS) + r")[a-z]*\b")


def opening_hours_text(text: str, moment: datetime, playbook: Playbook) -> str:
    """The opening hours in Dutch for the day ``text`` asks about (a holiday by name, "morgen",
    "zaterdag", "24 december"), from ``moment`` on; the week's hours when it names no day."""
    return _day_answer(text, moment, playbook) or _week_text(playbook)


def _day_answer(text: str, moment: datetime, playbook: Playbook) -> str | None:
    """The opening hours of each day ``text`` names (holidays by name, "morgen", dates,
    weekdays), in that order; None when it names none."""
    org = playbook.organisation
    today = moment.date()
    asked_days: list[tuple[str, date]] = []
    answered: set[date] = set()

    def add(label: str, day: date) -> None:
        if day not in answered:
            answered.add(day)
            asked_days.append((label, day))

    # Holidays by name, the longest name first, each taking its words: "Christmas Eve" is
    # Kerstavond, not also Christmas Day.
    rest = text
    named: dict[str, date] = {}
    pairs = sorted(
        ((n.lower(), h) for h in org.holidays if h.day >= today for n in h.known_as()),
        key=lambda pair: (-len(pair[0]), pair[1].day),
    )
    for name, holiday in pairs:
        if holiday.name in named:
            continue
        found = re.search(r"(?<!\w)" + re.escape(name) + r"(?!\w)", rest)
        if found:
            named[holiday.name] = holiday.day
            rest = rest[: found.start()] + " " * len(name) + rest[found.end() :]
    for name, day in sorted(named.items(), key=lambda item: item[1]):
        add(f"Op {name} ({_date_name(day)})", day)
    for word, days in (("vandaag", 0), ("morgen", 1), ("overmorgen", 2)):
        # Not "'s morgens" (in the morning).
        if re.search(rf"(?<![\w']){word}(?!\w)", text):
            day = today + timedelta(days=days)
            add(f"{word.capitalize()} ({_date_name(day)})", day)
    for m in _DATE.finditer(text):
        month = next(i for i, name in enumerate(MONTHS, 1) if name.startswith(m.group(2)))
        day_of = _next_date(today, month, int(m.group(1)))
        if day_of is not None:
            add(f"Op {_date_name(day_of)}", day_of)

    asked = [
        i
        for i, name in enumerate(WEEKDAY_NAMES)
        if mentions(text, name)
        and _upcoming(i, today) not in answered
        and not re.search(rf"(?<!\w){name}\s+(?:de\s+)?\d{{1,2}}(?!\d)", text)  # "zaterdag 26 dec"
    ]
    if mentions(text, "weekend"):
        asked = sorted({*asked, 5, 6} - {d.weekday() for d in answered if d - today < timedelta(7)})
    brief = len(asked_days) + len(asked) > 1
    answers = [_day_text(label, day, playbook, brief) for label, day in asked_days]
    answers += [_weekday_text(i, today, playbook) for i in asked]
    return " ".join(answers) or None


def _upcoming(weekday: int, today: date) -> date:
    """The next date (today included) that falls on ``weekday`` (0 is Monday)."""
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _next_date(today: date, month: int, day: int) -> date | None:
    for year in (today.year, today.year + 1):
        try:
            found = date(year, month, day)
        except ValueError:
            return None
        if found >= today:
            return found
    return None


def _date_name(day: date) -> str:
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def _clock(moment: time) -> str:
    if (moment.hour, moment.minute) == (23, 59):
        return "24.00"
    return f"{moment.hour}.{moment.minute:02d}"


def _span(hours: tuple[time, time]) -> str:
    return f"van {_clock(hours[0])} tot {_clock(hours[1])} uur"


def _day_text(label: str, day: date, playbook: Playbook, brief: bool = False) -> str:
    """'Op Tweede Paasdag (maandag 29 maart) zijn we gesloten. Vanaf dinsdag 30 maart 8.00 uur
    zijn we er weer.' ``brief``: without when we are back (an answer about several days)."""
    hours = playbook.organisation.hours_on(day)
    if hours is not None:
        return f"{label} zijn we open {_span(hours)}."
    if brief:
        return f"{label} zijn we gesloten."
    zone = playbook.organisation.zone
    back = next_opening(datetime.combine(day + timedelta(days=1), time(0), zone), playbook)
    return (
        f"{label} zijn we gesloten. Vanaf {_date_name(back.date())} {_clock(back.time())} uur "
        "zijn we er weer."
    )


def _weekday_text(weekday: int, today: date, playbook: Playbook) -> str:
    """The usual hours of a weekday, and the exception when its next date is a holiday."""
    org = playbook.organisation
    usual = org.weekday_hours(weekday)
    name = WEEKDAY_NAMES[weekday]
    text = f"Op {name} zijn we open {_span(usual)}." if usual else f"Op {name} zijn we gesloten."
    upcoming = _upcoming(weekday, today)
    if org.hours_on(upcoming) != usual:
        holiday = org.holiday_on(upcoming)
        why = f" ({holiday.name})" if holiday else ""
        special = org.hours_on(upcoming)
        state = f"open {_span(special)}" if special else "gesloten"
        text += f" Let op: {_date_name(upcoming)}{why} zijn we {state}."
    return text


def week_groups(playbook: Playbook) -> list[tuple[int, int, tuple[time, time]]]:
    """The open weekdays in runs with the same hours: ``(first, last, hours)``, 0 is Monday."""
    org = playbook.organisation
    groups: list[tuple[int, int, tuple[time, time] | None]] = []
    for weekday in range(7):
        hours = org.weekday_hours(weekday)
        if groups and groups[-1][2] == hours:
            groups[-1] = (groups[-1][0], weekday, hours)
        else:
            groups.append((weekday, weekday, hours))
    return [(first, last, hours) for first, last, hours in groups if hours is not None]


def _week_text(playbook: Playbook) -> str:
    """'We zijn open op maandag tot en met vrijdag van 8.00 tot 20.00 uur, op zaterdag ...'"""
    parts = []
    for first, last, hours in week_groups(playbook):
        days = WEEKDAY_NAMES[first]
        if last > first:
            joint = " en " if last == first + 1 else " tot en met "
            days += joint + WEEKDAY_NAMES[last]
        parts.append(f"op {days} {_span(hours)}")
    listed = ", ".join(parts[:-1]) + (" en " if len(parts) > 1 else "") + parts[-1]
    return f"We zijn open {listed}."
