"""suggest(): ranked reply suggestions that follow the playbook and pass the guardrails.

Suggestions differ in strategy (acknowledge and move to private, ask the one missing fact,
explain and escalate, thank, ...), mirror the commenter's register, name what the comment is
about, fit the channel's length limit, and carry their explanation. The same comment, context
and playbook version always give the same suggestions.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from responder.advice.guardrails import GuardrailResult, ReplyContext, check_reply, passed
from responder.advice.personal_data import find_personal_data
from responder.advice.plan import CommentContext, Plan
from responder.advice.playbook import STRATEGIES, Playbook, Register, Reply, Situation
from responder.errors import InputError
from responder.triage.service import Triage

MAX_SUBJECT_WORD_CHARS = 4
"""Match words up to this length as whole words (``app`` must not match ``appel``)."""


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
        subject = subject_for(comment, topic, register, playbook)
        posted: Literal["public", "private"] = (
            "private" if the_plan.visibility == "private" else "public"
        )
        max_chars = channels[the_plan.channel].max_chars
        return cls(
            comment=comment,
            triage=triage,
            situation=situation,
            addressing=Addressing(playbook, context, the_plan.channel, register, topic, subject),
            posted=posted,
            checks=reply_checks(playbook, register, max_chars, public=posted == "public"),
        )


def reply_checks(
    playbook: Playbook, register: Register, max_chars: int, public: bool
) -> ReplyContext:
    """What the guardrails check a reply against: the channel's limit, and the playbook's rules
    for where it is posted."""
    org = playbook.organisation
    return ReplyContext(
        register=register,
        max_chars=max_chars,
        public=public,
        compensation_allowed=org.compensation_in_public if public else org.compensation_in_private,
        own_contacts=tuple(org.public_contacts),
    )


def subject_for(comment: str, topic: str | None, register: Register, playbook: Playbook) -> str:
    """What the comment is about, as a noun phrase in the right register ("je pakket")."""
    low = comment.lower()
    topic = topic or "general"
    lists = [playbook.subjects.get(topic, [])]
    if topic == "general":
        # Any topic's words may name the subject, except the outage phrases, which presume a
        # fault ("de storing in de app") that a general comment need not be about.
        lists = [subjects for t, subjects in playbook.subjects.items() if t != "outage"]
    for subjects in lists:
        for subject in subjects:
            if any(_mentions(low, word) for word in subject.words):
                return subject.text.get(register)
    return playbook.fallback_subjects[topic].get(register)


def _mentions(text: str, word: str) -> bool:
    word = word.lower()
    tail = r"(s|je|jes)?(?!\w)" if len(word) <= MAX_SUBJECT_WORD_CHARS else ""
    return re.search(r"(?<!\w)" + re.escape(word) + tail, text) is not None


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


def render(template: str, to: Addressing, greet: bool = False) -> str:
    """Fill the placeholders, greet the commenter by name if asked, and add the signature."""
    org = to.playbook.organisation
    links = org.links
    values = {
        "onderwerp": to.subject,
        "Onderwerp": to.subject[:1].upper() + to.subject[1:],
        "merk": org.brand,
        "prive": ""
        if to.context.private
        else org.channels[to.channel].private.get(to.register).format(merk=org.brand),
        "link": links.get(to.topic or "general", links.get("general", "")),
    }
    text = re.sub(r"\s+", " ", template.format(**values)).strip()
    name = first_name(to.context.author_name) if greet else None
    if name:
        text = f"{org.greeting.get(to.register).format(naam=name)} {text}"
    sig = signature(to.context, to.playbook)
    return f"{text} {sig}" if sig else text


def suggest(
    triage: Triage,
    comment: str,
    context: CommentContext,
    playbook: Playbook,
    the_plan: Plan,
    limit: int | None = None,
) -> Suggestions:
    """Ranked suggestions, one per strategy, each guardrail-checked. None when the plan says not
    to respond (spam, another language: the plan's steps say what to do instead)."""
    if not the_plan.respond:
        return Suggestions(
            [], [f"Geen antwoord voorgesteld: {the_plan.title.lower()} ({the_plan.action})."]
        )
    occasion = Occasion.of(triage, comment, context, playbook, the_plan)
    fits: list[_Fit] = []
    notes: list[str] = []
    for index, reply in enumerate(occasion.situation.replies):
        fit = _fit(index, reply, occasion)
        if isinstance(fit, str):
            notes.append(fit)
        else:
            fits.append(fit)
    chosen: list[_Fit] = []
    seen: set[str] = set()
    for f in sorted(fits, key=lambda f: (-f.score, f.template)):
        if f.reply.strategy not in seen:
            seen.add(f.reply.strategy)
            chosen.append(f)
    chosen = chosen[:limit] if limit else chosen
    items = [_suggestion(rank, f, occasion) for rank, f in enumerate(chosen, start=1)]
    return Suggestions(items, notes)


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


def _fit(index: int, reply: Reply, occasion: Occasion) -> _Fit | str:
    """The first form of the playbook's reply ``index`` that fits the channel, greeting the
    commenter by name where that fits too; else a note that says why there is none."""
    to, situation = occasion.addressing, occasion.situation
    max_chars = occasion.checks.max_chars
    greetings = (True, False) if first_name(to.context.author_name) else (False,)
    for k, form in enumerate(reply.forms()):
        for greet in greetings:
            text = render(form.get(to.register), to, greet)
            if len(text) > max_chars:
                continue
            results = check_reply(text, occasion.checks)
            template = f"{situation.id}#{index + 1}/{'text' if k == 0 else 'short'}"
            if not passed(results):
                failed = "; ".join(r.message for r in results if not r.passed)
                return f"Antwoord {template} overgeslagen: {failed}"
            score, ranking = _score(reply, index, occasion, short=k > 0)
            return _Fit(reply, text, results, template, score, ranking)
    return (
        f"Antwoord {situation.id}#{index + 1} ({STRATEGIES[reply.strategy]}) past niet binnen "
        f"{max_chars} tekens op {to.channel}."
    )


def _score(reply: Reply, index: int, occasion: Occasion, short: bool) -> tuple[float, list[str]]:
    """The playbook's order, adjusted where the comment makes a strategy more or less useful."""
    score, why = 1.0 - 0.1 * index, []
    if reply.strategy == "ask_missing_fact" and find_personal_data(occasion.comment):
        score -= 0.5
        why.append("Lager: het gegeven staat al in de reactie.")
    if reply.strategy == "ask_clarification" and occasion.triage.low_confidence:
        score += 0.3
        why.append("Hoger: het model twijfelt, dus eerst vragen wat de klant bedoelt.")
    if reply.strategy == "acknowledge_to_private" and occasion.addressing.context.private:
        score -= 0.3
        why.append("Lager: het gesprek is al privé.")
    if short:
        score -= 0.05
        why.append("Korte vorm: de volledige tekst past niet binnen de limiet van het kanaal.")
    return round(score, 4), why


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
        step_text=step.do,
        why=reply.why,
        tone=situation.tone,
        explanation=_explain(reply, occasion),
        guardrails=fit.guardrails,
        source="playbook",
        template=fit.template,
        score=fit.score,
        ranking=fit.ranking,
    )


def _explain(reply: Reply, occasion: Occasion) -> str:
    """Which step the reply serves, why this strategy, this tone and this register."""
    register = occasion.addressing.register
    if occasion.triage.register.label in ("u", "je"):
        form = f"De klant gebruikt zelf de {register}-vorm, dus wij ook."
    else:
        form = f"De klant spreekt ons niet direct aan; daarom de standaardvorm ({register})."
    situation = occasion.situation
    step = situation.steps[reply.serves - 1]
    return f"Stap {reply.serves}: {step.do} {reply.why} Toon: {situation.tone} {form}"
