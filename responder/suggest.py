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

from responder.errors import InputError
from responder.guardrails import PERSONAL_DATA, GuardrailResult, ReplyContext, check_reply, passed
from responder.plan import CommentContext, Plan
from responder.playbook import STRATEGIES, Playbook, Register, Reply, Situation
from responder.protocols import DraftBackend, DraftRequest
from responder.triage import Triage

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
    source: Literal["playbook", "generative"]
    template: str
    """``situation#reply/form`` for playbook replies, the backend's name for drafts."""
    score: float
    ranking: list[str] = field(default_factory=list)
    """Why it ranks where it does, beyond its place in the playbook."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Suggestions:
    items: list[Suggestion]
    notes: list[str] = field(default_factory=list)
    """Templates that did not fit, drafts that were rejected, and why."""


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


def render(
    template: str,
    subject: str,
    register: Register,
    topic: str | None,
    context: CommentContext,
    playbook: Playbook,
    channel: str,
    greet: bool = False,
) -> str:
    """Fill the placeholders, greet the commenter by name if asked, and add the signature."""
    org = playbook.organisation
    links = org.links
    values = {
        "onderwerp": subject,
        "Onderwerp": subject[:1].upper() + subject[1:],
        "merk": org.brand,
        "prive": ""
        if context.private
        else org.channels[channel].private.get(register).format(merk=org.brand),
        "link": links.get(topic or "general", links.get("general", "")),
    }
    text = re.sub(r"\s+", " ", template.format(**values)).strip()
    name = first_name(context.author_name) if greet else None
    if name:
        text = f"{org.greeting.get(register).format(naam=name)} {text}"
    sig = signature(context, playbook)
    return f"{text} {sig}" if sig else text


def suggest(
    triage: Triage,
    comment: str,
    context: CommentContext,
    playbook: Playbook,
    the_plan: Plan,
    backend: DraftBackend | None = None,
    limit: int | None = None,
) -> Suggestions:
    """Ranked suggestions, one per strategy, each guardrail-checked. None when the plan says not
    to respond (spam, another language: the plan's steps say what to do instead)."""
    if not the_plan.respond:
        return Suggestions(
            [], [f"Geen antwoord voorgesteld: {the_plan.title.lower()} ({the_plan.action})."]
        )
    situation = playbook.situation(the_plan.situation)
    register: Register = "je" if the_plan.register == "je" else "u"
    channel_id = the_plan.channel
    if channel_id not in playbook.organisation.channels:
        known = ", ".join(playbook.organisation.channels)
        raise InputError(f"Onbekend kanaal {channel_id!r}; kies uit {known}.")
    channel = playbook.organisation.channels[channel_id]
    topic = triage.topic.label if triage.topic else None
    subject = subject_for(comment, topic, register, playbook)
    notes: list[str] = []
    candidates: list[Suggestion] = []
    for index, reply in enumerate(situation.replies):
        suggestion = _from_template(
            index,
            reply,
            situation,
            the_plan,
            triage,
            comment,
            context,
            playbook,
            subject,
            register,
            topic,
            channel_id,
            channel.max_chars,
            notes,
        )
        if suggestion is not None:
            candidates.append(suggestion)
    if backend is not None:
        candidates = (
            _drafts(
                backend,
                candidates,
                situation,
                the_plan,
                comment,
                context,
                playbook,
                register,
                channel_id,
                channel.max_chars,
                notes,
            )
            + candidates
        )
    chosen: list[Suggestion] = []
    seen: set[str] = set()
    for s in sorted(candidates, key=lambda s: (-s.score, s.template)):
        if s.strategy not in seen:
            seen.add(s.strategy)
            chosen.append(s)
    chosen = chosen[:limit] if limit else chosen
    items = [_with_rank(s, i + 1) for i, s in enumerate(chosen)]
    return Suggestions(items, notes)


def _with_rank(s: Suggestion, rank: int) -> Suggestion:
    return Suggestion(**{**s.__dict__, "rank": rank})


def _reply_context(the_plan: Plan, posted: str, max_chars: int, playbook: Playbook) -> ReplyContext:
    org = playbook.organisation
    public = posted == "public"
    return ReplyContext(
        register="je" if the_plan.register == "je" else "u",
        max_chars=max_chars,
        public=public,
        compensation_allowed=org.compensation_in_public if public else org.compensation_in_private,
        own_contacts=tuple(org.public_contacts),
    )


def _posted(the_plan: Plan) -> Literal["public", "private"]:
    return "private" if the_plan.visibility == "private" else "public"


def _score(
    reply: Reply, index: int, triage: Triage, comment: str, context: CommentContext, short: bool
) -> tuple[float, list[str]]:
    """The playbook's order, adjusted where the comment makes a strategy more or less useful."""
    score, why = 1.0 - 0.1 * index, []
    if reply.strategy == "ask_missing_fact" and any(
        p.search(comment) for p in PERSONAL_DATA.values()
    ):
        score -= 0.5
        why.append("Lager: het gegeven staat al in de reactie.")
    if reply.strategy == "ask_clarification" and triage.low_confidence:
        score += 0.3
        why.append("Hoger: het model twijfelt, dus eerst vragen wat de klant bedoelt.")
    if reply.strategy == "acknowledge_to_private" and context.private:
        score -= 0.3
        why.append("Lager: het gesprek is al privé.")
    if short:
        score -= 0.05
        why.append("Korte vorm: de volledige tekst past niet binnen de limiet van het kanaal.")
    return round(score, 4), why


def _from_template(
    index: int,
    reply: Reply,
    situation: Situation,
    the_plan: Plan,
    triage: Triage,
    comment: str,
    context: CommentContext,
    playbook: Playbook,
    subject: str,
    register: Register,
    topic: str | None,
    channel_id: str,
    max_chars: int,
    notes: list[str],
) -> Suggestion | None:
    posted = _posted(the_plan)
    ctx = _reply_context(the_plan, posted, max_chars, playbook)
    attempts = [(k, form, greet) for k, form in enumerate(reply.forms()) for greet in (True, False)]
    for k, form, greet in attempts:
        if greet and not first_name(context.author_name):
            continue
        text = render(
            form.get(register), subject, register, topic, context, playbook, channel_id, greet
        )
        if len(text) > max_chars:
            continue
        results = check_reply(text, ctx)
        template = f"{situation.id}#{index + 1}/{'text' if k == 0 else 'short'}"
        if not passed(results):
            failed = "; ".join(r.message for r in results if not r.passed)
            notes.append(f"Antwoord {template} overgeslagen: {failed}")
            return None
        score, ranking = _score(reply, index, triage, comment, context, short=k > 0)
        step = situation.steps[reply.serves - 1]
        return Suggestion(
            rank=0,
            strategy=reply.strategy,
            strategy_name=STRATEGIES[reply.strategy],
            text=text,
            register=register,
            channel=channel_id,
            posted=posted,
            step=reply.serves,
            step_text=step.do,
            why=reply.why,
            tone=situation.tone,
            explanation=_explain(
                reply.serves, step.do, reply.why, situation.tone, register, triage
            ),
            guardrails=results,
            source="playbook",
            template=template,
            score=score,
            ranking=ranking,
        )
    notes.append(
        f"Antwoord {situation.id}#{index + 1} ({STRATEGIES[reply.strategy]}) past niet binnen "
        f"{max_chars} tekens op {channel_id}."
    )
    return None


def _explain(step: int, step_text: str, why: str, tone: str, register: str, triage: Triage) -> str:
    if triage.register.label in ("u", "je"):
        form = f"De klant gebruikt zelf de {register}-vorm, dus wij ook."
    else:
        form = f"De klant spreekt ons niet direct aan; daarom de standaardvorm ({register})."
    return f"Stap {step}: {step_text} {why} Toon: {tone} {form}"


def _drafts(
    backend: DraftBackend,
    templates: list[Suggestion],
    situation: Situation,
    the_plan: Plan,
    comment: str,
    context: CommentContext,
    playbook: Playbook,
    register: Register,
    channel_id: str,
    max_chars: int,
    notes: list[str],
) -> list[Suggestion]:
    """Drafts from a generative backend that pass every guardrail; the rest is noted and dropped."""
    sig = signature(context, playbook)
    request = DraftRequest(
        comment=comment,
        register=register,
        max_chars=max_chars - len(sig) - 1,
        situation=situation.title,
        tone=situation.tone,
        steps=[s.do for s in situation.steps],
        strategies={s: STRATEGIES[s] for s in dict.fromkeys(r.strategy for r in situation.replies)},
        examples=[t.text for t in templates],
    )
    try:
        drafts = backend.draft(request)
    except Exception as exc:  # any backend failure falls back to the templates
        notes.append(
            f"Generatieve suggesties ({backend.name}) mislukt: {exc}. Alleen draaiboekteksten."
        )
        return []
    posted = _posted(the_plan)
    ctx = _reply_context(the_plan, posted, max_chars, playbook)
    out = []
    for i, draft in enumerate(drafts):
        if draft.strategy not in request.strategies:
            notes.append(
                f"Concept {i + 1} van {backend.name} afgewezen: onbekende strategie {draft.strategy!r}."
            )
            continue
        text = re.sub(r"\s+", " ", draft.text).strip()
        text = f"{text} {sig}" if sig else text
        results = check_reply(text, ctx)
        if not passed(results):
            failed = "; ".join(r.message for r in results if not r.passed)
            notes.append(f"Concept {i + 1} van {backend.name} afgewezen: {failed}")
            continue
        step_index = next((r.serves for r in situation.replies if r.strategy == draft.strategy), 1)
        step = situation.steps[step_index - 1]
        out.append(
            Suggestion(
                rank=0,
                strategy=draft.strategy,
                strategy_name=STRATEGIES[draft.strategy],
                text=text,
                register=register,
                channel=channel_id,
                posted=posted,
                step=step_index,
                step_text=step.do,
                why="Concept van het taalmodel, gecontroleerd met dezelfde regels als de vaste teksten.",
                tone=situation.tone,
                explanation=f"Stap {step_index}: {step.do} Concept van {backend.name}. Toon: {situation.tone}",
                guardrails=results,
                source="generative",
                template=backend.name,
                score=round(1.05 - 0.01 * i, 4),
            )
        )
    return out
