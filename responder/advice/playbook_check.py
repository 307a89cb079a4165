"""`responder playbook check`: beyond validation, does the playbook work for every comment?

It reports label combinations that no situation covers, situations that can never apply, and
replies that break a guardrail or do not fit a channel, rendered with the longest subject and
signature, with and without each element the situation must say, for a complaint and for a
neutral question, so that what passes here passes for every comment. Replies that use the
customer's facts are rendered with sample facts, and a reply that asks for a fact without saying
so under ``asks`` is reported (it would ask a customer for what they already gave).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from responder.advice.guardrails import (
    GuardrailResult,
    ReplyContext,
    asked_facts,
    check_reply,
    tone_problem,
)
from responder.advice.hours import LANGUAGES as HOUR_LANGUAGES
from responder.advice.hours import WORDS as HOUR_WORDS
from responder.advice.plan import CommentContext
from responder.advice.playbook import (
    REGISTERS,
    STRATEGIES,
    Form,
    MustSay,
    Playbook,
    Register,
    Situation,
    uncovered,
    unreachable,
)
from responder.advice.suggest import Addressing, compositions, reply_checks, usable
from responder.labels import TOPICS

LONGEST_INITIALS = "ABCDE"
MIN_REPLIES = 8
"""Replies a situation should offer, so that ranking by fit has alternatives in each strategy."""

SAMPLE_FACTS: dict[str, dict[Register, str]] = {
    "duur": {"u": "ruim drie maanden", "je": "ruim drie maanden"},
    "keer": {"u": "meerdere keren", "je": "meerdere keren"},
    "geprobeerd": {"u": "een formulier ingevuld", "je": "een formulier ingevuld"},
    "bedrag": {"u": "€ 1.250,50", "je": "€ 1.250,50"},
    "wachttijd": {"u": "ruim vijftig minuten", "je": "ruim vijftig minuten"},
    "product": {"u": "uw nieuwe combiketel", "je": "je nieuwe combiketel"},
    "wie": {"u": "uw vader van 80", "je": "je vader van 80"},
    "datum": {"u": "vorige week dinsdag", "je": "vorige week dinsdag"},
    "klantduur": {"u": "ruim vijfentwintig jaar", "je": "ruim vijfentwintig jaar"},
    "poging": {
        "u": "u heeft al meerdere keren gebeld en twee keer gemaild",
        "je": "je hebt al meerdere keren gebeld en twee keer gemaild",
    },
    "medewerker": {"u": "onze klantenservicemedewerker", "je": "onze klantenservicemedewerker"},
    "gebeurd": {
        "u": "u steeds verschillende antwoorden krijgt",
        "je": "je steeds verschillende antwoorden krijgt",
    },
}
"""Long, realistic facts to render replies that use them (see ``FACT_SLOTS`` and
``COMMENT_SLOTS``)."""


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check_playbook(pb: Playbook) -> CheckReport:
    report = CheckReport()
    gaps: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for s in uncovered(pb):
        if s.language != "nl":
            report.problems.append(
                "Geen situatie voor reacties in een andere taal (when: {language: other})."
            )
            continue
        flags = ",".join(sorted(s.flags)) or "geen"
        gaps[(s.intent or "", s.topic or "", flags)].add(
            f"{s.sentiment}{' (spam)' if s.spam else ''}"
        )
    for (intent, topic, flags), sentiments in sorted(gaps.items()):
        report.problems.append(
            f"Geen situatie voor intent={intent}, topic={topic}, vlaggen={flags} "
            f"(sentiment: {', '.join(sorted(sentiments))})."
        )
    for sid in unreachable(pb):
        report.warnings.append(
            f"Situatie {sid!r} komt nooit aan de beurt: een eerdere of urgentere situatie past altijd."
        )
    for situation in pb.situations:
        if situation.action == "respond":
            _check_replies(pb, situation, report)
        report.warnings.extend(bank_warnings(situation))
    return report


def bank_warnings(situation: Situation) -> list[str]:
    """A situation with replies but fewer than ``MIN_REPLIES`` of them, and replies without
    example comments (ranking by fit passes them by)."""
    out = []
    if situation.replies and len(situation.replies) < MIN_REPLIES:
        out.append(
            f"Situatie {situation.id!r} heeft {len(situation.replies)} antwoorden; met minstens "
            f"{MIN_REPLIES} is er per strategie iets te kiezen."
        )
    bare = [str(i + 1) for i, reply in enumerate(situation.replies) if not reply.examples]
    if bare:
        out.append(
            f"Situatie {situation.id!r}: antwoord(en) {', '.join(bare)} zonder voorbeelden "
            "(examples); zonder voorbeelden telt de gelijkenis met de reactie niet mee."
        )
    return out


def _moods(situation: Situation) -> list[bool]:
    """Whether replies may open with sympathy: always for a complaint; not for a neutral
    question, when the situation can get one."""
    when = situation.when
    questions = when.language == "nl" and (not when.intents or "question" in when.intents)
    calm = not when.sentiments or bool({"neutral", "positive"} & set(when.sentiments))
    return [True, False] if questions and calm else [True]


def _must_say_sets(pb: Playbook, situation: Situation) -> list[tuple[MustSay, ...]]:
    """The combinations of must-say elements a reply can meet: the unconditional ones always,
    each conditional one on top of them."""
    shared = pb.must_say if situation.when.reply_language == "nl" else []
    everything = [*situation.must_say, *shared]
    always = tuple(m for m in everything if not (m.words or m.flags or m.personal_data))
    sometimes = [m for m in everything if m not in always]
    return [always, *((*always, m) for m in sometimes)]


def _check_replies(pb: Playbook, situation: Situation, report: CheckReport) -> None:
    """Every reply, on every channel, in both registers, with every must-say element, for a
    complaint and a neutral question, rendered with the longest subject and link.

    All guardrails run on the texts without conditional elements; with one (a safety text in
    front) only the length can differ, and for a neutral question only the tone."""
    org = pb.organisation
    public = situation.visibility != "private"
    language = situation.when.reply_language
    topics = situation.when.topics or list(TOPICS)
    for channel_id, channel in org.channels.items():
        signatures = (
            CommentContext(channel_id, agent_initials=LONGEST_INITIALS),
            CommentContext(channel_id),
        )
        for register in REGISTERS:
            subject = max((_longest_subject(pb, t, register) for t in topics), key=len)
            topic = max(topics, key=lambda t: len(org.links.get(t, org.links.get("general", ""))))
            plain = [
                Addressing(pb, c, channel_id, register, topic, subject, {}, language, True)
                for c in signatures
            ]
            sample = _sample_slots(pb, register, language)
            rich = [
                Addressing(pb, c, channel_id, register, topic, subject, sample, language, True)
                for c in signatures
            ]
            runs = [
                (musts, sympathy, "full" if n == 0 and sympathy else "tone" if n == 0 else "length")
                for n, musts in enumerate(_must_say_sets(pb, situation))
                for sympathy in (_moods(situation) if n == 0 else [True])
            ]
            for musts, sympathy, mode in runs:
                ctx = reply_checks(
                    pb,
                    register,
                    channel.max_chars,
                    public,
                    language=language,
                    must_say=musts,
                    sympathy=sympathy,
                    offender=situation.offender,
                )
                fitting: set[str] = set()
                for i, reply in enumerate(situation.replies):
                    for form in reply.forms():
                        where = f"{situation.id} antwoord {i + 1}/{form.name} ({register}, {channel_id})"
                        fits = _check_form(form, (plain, rich), musts, ctx, mode, where, report)
                        if fits is None:
                            return
                        if fits:
                            fitting.add(reply.strategy)
                # Three strategies to choose from; with a conditional safety text on a short
                # channel, one that says it is enough.
                needed = 3 if mode != "length" else 1
                if len(fitting) < needed:
                    names = ", ".join(STRATEGIES[s] for s in sorted(fitting)) or "geen"
                    extra = " met " + ", ".join(m.id for m in musts) if musts else ""
                    mood = "" if sympathy else " bij een neutrale vraag"
                    report.problems.append(
                        f"{situation.id} ({register}, {channel.name}, max {channel.max_chars} "
                        f"tekens{extra}{mood}): maar {len(fitting)} strategie(ën) passen altijd "
                        f"({names}), nodig: {needed}; voeg een korte vorm (short) toe."
                    )


def _check_form(
    form: Form,
    addressings: tuple[list[Addressing], list[Addressing]],
    musts: tuple[MustSay, ...],
    ctx: ReplyContext,
    mode: str,
    where: str,
    report: CheckReport,
) -> bool | None:
    """Whether the form fits the channel for every comment (it needs no fact); None after a
    problem is reported. ``mode``: ``full`` (every guardrail), ``tone`` (only the tone: a
    sympathetic wording for a neutral question does not fit, another one serves) or ``length``."""
    plain, rich = addressings
    needs_facts = bool(form.needs) or not usable(form, plain[0])
    fits = not needs_facts
    for k, to in enumerate(rich if needs_facts else plain):
        texts = [text for text, _ in compositions(form, to, musts)]
        fits = fits and min(len(t) for t in texts) <= ctx.max_chars
        if mode == "tone" and tone_problem(texts[-1], ctx):
            return False
        if mode != "full" or k > 0:
            continue  # the guardrails do not depend on the signature
        for text in texts:
            failed = [r for r in _checked(text, ctx) if not r.passed and r.name != "length"]
            if failed:
                report.problems.append(
                    f"{where}: " + "; ".join(r.message for r in failed) + f" Tekst: {text!r}"
                )
                return None
        undeclared = sorted(set(asked_facts(texts[0])) - set(form.asks))
        if undeclared:
            report.problems.append(
                f"{where}: vraagt naar een gegeven ({', '.join(undeclared)}) dat niet onder "
                f"'asks' staat; dan vraagt het antwoord klanten naar wat ze al hebben gegeven. "
                f"Tekst: {texts[0]!r}"
            )
            return None
    return fits


@lru_cache(maxsize=50_000)
def _checked(text: str, ctx: ReplyContext) -> list[GuardrailResult]:
    """The guardrails, once per text and context (channels often give the same text)."""
    return check_reply(text, ctx)


def _sample_slots(pb: Playbook, register: Register, language: str = "nl") -> dict[str, str]:
    slots = {name: values[register] for name, values in SAMPLE_FACTS.items()}
    slots["openingstijden"] = (
        "Op Tweede Pinksterdag (maandag 17 mei) zijn we gesloten. Vanaf dinsdag 18 mei 8.00 uur "
        "zijn we er weer."
    )
    if language in HOUR_LANGUAGES:  # the longest kind of answer: a closed day and when we reopen
        words = HOUR_WORDS[language]
        slots["openingstijden"] = words.closed_on.format(
            day=words.on_day.format(weekday=words.weekdays[0], day=17, month=words.months[4]),
            back=words.on_day.format(weekday=words.weekdays[1], day=18, month=words.months[4])
            + " 10:00",
        )
    links = pb.organisation.links
    values = {
        "merk": pb.organisation.brand,
        "link": max(links.values(), key=len) if links else "",
        "openingstijden": slots["openingstijden"],
    }
    answers = [a.text.get(register).format(**values) for a in pb.answers]
    if answers:
        slots["antwoord"] = max(answers, key=len)
    facts = {**slots, **{k[:1].upper() + k[1:]: v[:1].upper() + v[1:] for k, v in slots.items()}}
    acknowledgements = [a.get(register).format(**facts) for a in pb.acknowledgements]
    if acknowledgements:
        slots["erkenning"] = max(acknowledgements, key=len)
    return slots


def _longest_subject(pb: Playbook, topic: str | None, register: Register) -> str:
    topic = topic or "general"
    options = [pb.fallback_subjects[topic].get(register)]
    lists = pb.subjects.values() if topic == "general" else [pb.subjects.get(topic, [])]
    for subjects in lists:
        options.extend(s.text.get(register) for s in subjects)
    return max(options, key=len)
