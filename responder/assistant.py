"""The one service object every adapter uses (CLI, API, batch labelling): built once from the
settings; triage → plan → suggest; and the audit record of each request, written here so that
every way in audits the same way."""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from responder.advice.feedback import TemplateFeedback
from responder.advice.guardrails import GuardrailResult, check_reply
from responder.advice.plan import LANGUAGE_NAMES, CommentContext, Plan, plan
from responder.advice.playbook import Playbook, load_playbook
from responder.advice.similarity import ReplyIndex
from responder.advice.suggest import Occasion, Suggestions, suggest
from responder.config import Settings
from responder.errors import InputError, UnknownRequestError
from responder.names import (
    ACTION_NAMES,
    HEAD_NAMES,
    VISIBILITY_NAMES,
    display_names,
    format_moment,
)
from responder.protocols import Classifier
from responder.storage import FEEDBACK_ACTIONS, Storage
from responder.triage.corrections import Labels, corrected_triage, full_labels, model_labels
from responder.triage.detect import detect_language
from responder.triage.normalise import without_surrogates
from responder.triage.service import Triage, TriageService

TRIAGE_CACHE_SIZE = 256
"""Triages of recent comments kept in memory for re-checking edited replies (``check``)."""
FEEDBACK_REFRESH_SECONDS = 30.0
"""The feedback counts used for ranking are read from the database at most this often (and
again after this assistant records feedback), so a suggestion costs no extra query."""


@dataclass(frozen=True)
class Advice:
    """Everything an agent sees for one comment."""

    triage: Triage
    plan: Plan
    suggestions: Suggestions
    request_id: str = ""
    corrected: list[str] = field(default_factory=list)
    """The heads an agent overrode (the plan and suggestions follow their labels)."""
    model_labels: dict[str, Any] = field(default_factory=dict)
    """What the model said for the overridden heads."""
    escalation: dict[str, Any] = field(default_factory=dict)
    """Who posts the reply and which other teams to reach, and how (see ``escalation_of``)."""

    def correction_notes(self) -> list[str]:
        if not self.corrected:
            return []
        heads = ", ".join(HEAD_NAMES.get(h, h) for h in self.corrected)
        return [f"Plan en suggesties volgen de correctie van de medewerker ({heads})."]

    def triage_dict(self) -> dict[str, Any]:
        return {**self.triage.to_dict(), "model_labels": self.model_labels}

    def to_dict(self) -> dict[str, Any]:
        return {
            "triage": self.triage_dict(),
            "plan": {**self.plan.to_dict(), **self.escalation},
            "suggestions": [s.to_dict() for s in self.suggestions.items],
            "notes": self.triage.notes + self.suggestions.notes + self.correction_notes(),
            "corrected": self.corrected,
        }

    def as_text(self) -> str:
        """Plan and suggestions as a Dutch text for the terminal."""
        t, p = self.triage, self.plan
        labels = ", ".join(
            f"{s.label} ({s.probability:.0%})"
            for s in (t.intent, t.topic, t.sentiment)
            if s is not None
        )
        flags = ", ".join(f"{f.label} ({f.probability:.0%})" for f in t.flags) or "geen"
        lines = [
            f"Triage: {labels or 'niet ingedeeld'}; vlaggen: {flags}; aanspreekvorm: {p.register}.",
            f"Situatie: {p.title} — {p.priority} {p.priority_name}.",
            f"Reageren vóór: {format_moment(p.deadline, p.received_at)} ({p.deadline:%Y-%m-%d %H:%M}).",
            f"Behandelt: {p.route.name}; plaatst de reactie: {p.speaks.name}.",
            f"Aanpak: {ACTION_NAMES[p.action]}; {VISIBILITY_NAMES[p.visibility]}. Toon: {p.tone}",
        ]
        lines += [f"  waarom: {r}" for r in p.reasons]
        lines.append("Stappen:")
        for i, step in enumerate(p.steps, 1):
            lines.append(f"  {i}. {step.do}\n     waarom: {step.why}")
        if self.suggestions.items:
            lines.append(f"Suggesties ({p.channel}):")
        for s in self.suggestions.items:
            lines.append(f"  {s.rank}. [{s.strategy_name}] {s.text}")
            lines.append(f"     {s.explanation}")
        for note in t.notes + self.suggestions.notes:
            lines.append(f"Let op: {note}")
        return "\n".join(lines)

    def audit_record(self) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
        """What the audit log keeps of it: labels, the plan's decisions, which templates."""
        triage = {k: v for k, v in self.triage_dict().items() if k != "notes"}
        triage["corrected"] = self.corrected
        p = self.plan.to_dict()
        kept = ("situation", "priority", "deadline", "visibility", "action", "channel")
        decisions = {k: p[k] for k in (*kept, "register", "playbook_version")}
        decisions["route"] = p["route"]["id"]
        chosen = [
            {"rank": s.rank, "strategy": s.strategy, "template": s.template, "source": s.source}
            for s in self.suggestions.items
        ]
        return triage, decisions, chosen


def foreign_language_check(reply: str, language: str) -> GuardrailResult:
    """For a comment in another language the agent answers in the customer's language, or else
    in Dutch or English (as the plan's step says); any of these passes."""
    found = detect_language(re.sub(r"https?://\S+|\^\S+", " ", reply)).label
    names = {**LANGUAGE_NAMES, "nl": "Nederlands", "en": "Engels"}
    own = names.get(language)
    if found == "und":
        return GuardrailResult("language", True, "De taal is niet te bepalen.")
    if found == language:
        return GuardrailResult("language", True, "In de taal van de klant.")
    if found in ("nl", "en"):
        return GuardrailResult("language", True, f"In het {names[found]}.")
    customer = f"in het {own}" if own else "in de taal van de klant"
    seems = f"in het {names[found]}" if found in names else "in een andere taal"
    return GuardrailResult(
        "language",
        False,
        f"De tekst lijkt {seems} geschreven; antwoord {customer}, in het Nederlands of in het "
        "Engels.",
    )


def escalation_of(the_plan: Plan, playbook: Playbook) -> dict[str, Any]:
    """Who posts the reply (``posted_by``) and which other teams to involve (``escalate_to``),
    each with how to reach them, so that the page can show it at a glance."""
    own = playbook.public_voice

    def team(t: Any, role: str) -> dict[str, Any]:
        return {
            "team": t.id,
            "name": t.name,
            "contact": t.reach,
            "role": role,
            "own_team": t.id == own,
        }

    others = []
    if the_plan.route.id not in (own, the_plan.speaks.id):
        others.append(team(the_plan.route, "behandelt de zaak"))
    elif the_plan.route.id != own:
        others.append(team(the_plan.route, "behandelt de zaak en plaatst de reactie"))
    others += [team(t, "informeren") for t in the_plan.notify if t.id != own]
    speaks = the_plan.speaks
    if speaks.id == own:
        message = f"{speaks.name} plaatst de reactie."
    else:
        message = (
            f"Niet zelf plaatsen: {speaks.name} plaatst de reactie. Bereikbaar via {speaks.reach}."
        )
    if the_plan.route.id not in (own, speaks.id):
        message += f" Leg de zaak eerst voor aan {the_plan.route.name} ({the_plan.route.reach})."
    return {
        "posted_by": team(speaks, "plaatst de reactie"),
        "escalate_to": others,
        "escalation_text": message,
    }


def load_classifier(
    settings: Settings, path: Path, workers: int = 1, serving: bool = False
) -> Classifier:
    """The model as the settings ask for it: one process (micro-batched when serving many
    requests at once) or ``workers`` one-thread processes for batch labelling."""
    if workers > 1:
        from responder.batch.parallel import ParallelClassifier

        return ParallelClassifier(path, workers)
    from responder.model.modeling import load_model

    model = load_model(path, settings.threads)
    if serving and settings.micro_batching:
        from responder.model.batching import BatchingClassifier

        return BatchingClassifier(model)
    return model


class Assistant:
    """Triage a comment, apply the playbook, suggest replies, and keep the audit log."""

    def __init__(
        self,
        triage_service: TriageService,
        playbook: Playbook,
        storage: Storage | None = None,
        audit_text: bool = False,
        model_name: str = "(meegegeven)",
        feedback_ranking: bool = True,
        fit_ranking: bool = True,
    ) -> None:
        self.triage_service = triage_service
        self.playbook = playbook
        self.storage = storage
        self.audit_text = audit_text
        self.model_name = model_name
        self.feedback_ranking = feedback_ranking
        self._feedback: tuple[float, Mapping[str, TemplateFeedback]] | None = None
        self._feedback_lock = threading.Lock()
        self._cache: OrderedDict[str, Triage] = OrderedDict()
        self._cache_lock = threading.Lock()
        self.fit_ranking = fit_ranking
        self._fit: ReplyIndex | None = None
        self._fit_lock = threading.Lock()

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        model: Path | None = None,
        batch: bool = False,
        workers: int = 1,
        serving: bool = False,
        playbook: Path | None = None,
        storage: Storage | None = None,
    ) -> Assistant:
        """Model, arithmetic, batching, playbook and storage, as the settings say. ``batch``
        picks the model for labelling files (the optimised copy when it exists)."""
        default = settings.batch_model_path if batch else settings.triage_model_path
        path = model or default
        classifier = load_classifier(settings, path, workers, serving)
        return cls(
            TriageService(classifier, settings),
            load_playbook(playbook or settings.playbook_path),
            storage,
            settings.audit_text,
            str(path),
            settings.feedback_ranking,
            settings.fit_ranking,
        )

    def with_storage(
        self, storage: Storage, audit_text: bool, feedback_ranking: bool = True
    ) -> Assistant:
        """This assistant, auditing into ``storage`` (for an app given a ready assistant); the
        settings can switch its feedback ranking off, not on."""
        if self.storage is None:
            self.storage, self.audit_text = storage, audit_text
        self.feedback_ranking = self.feedback_ranking and feedback_ranking
        return self

    # -- one comment -----------------------------------------------------------------------------

    def triage(self, text: str, key_id: int | None = None) -> tuple[str, Triage]:
        """The triage of one comment and the request id it was audited under."""
        result = self.triage_service.triage(text)
        rid = self._audit("triage", key_id, result.to_dict(), comment=text)
        return rid, result

    def advise(
        self,
        text: str,
        context: CommentContext | None = None,
        key_id: int | None = None,
        labels: Labels | None = None,
    ) -> Advice:
        """Triage, plan and suggestions for one comment, audited under ``Advice.request_id``.
        ``labels`` (the agent's correction) replace the model's before the plan is made."""
        triage = self._triage_cached(text, fresh=True)
        advice = self.advise_triaged(triage, text, context or CommentContext(), labels)
        rid = self._audit("suggest", key_id, *advice.audit_record(), comment=text)
        return replace(advice, request_id=rid)

    def advise_triaged(
        self,
        triage: Triage,
        text: str,
        context: CommentContext,
        labels: Labels | None = None,
    ) -> Advice:
        """Plan and suggestions for a comment that is already triaged (not audited)."""
        triage, corrected, said = self._corrected(triage, labels)
        the_plan = plan(triage, text, context, self.playbook)
        fit, vector = self.reply_fit(text) if the_plan.respond else (None, None)
        suggestions = suggest(
            triage,
            text,
            context,
            self.playbook,
            the_plan,
            feedback=self.template_feedback(),
            fit=fit,
            vector=vector,
        )
        escalation = escalation_of(the_plan, self.playbook)
        return Advice(triage, the_plan, suggestions, "", corrected, said, escalation)

    def check(
        self,
        comment: str,
        reply: str,
        context: CommentContext | None = None,
        labels: Labels | None = None,
    ) -> dict[str, Any]:
        """Re-check a reply an agent edited with the guardrails the suggestions passed: the
        register, the channel's length, personal data, promises, what the situation requires
        and the language, for this comment (and its corrected labels). Not audited."""
        context = context or CommentContext()
        triage, _, _ = self._corrected(self._triage_cached(comment), labels)
        the_plan = plan(triage, comment, context, self.playbook)
        checks = Occasion.of(triage, comment, context, self.playbook, the_plan).checks
        foreign = the_plan.language != "nl"
        results = check_reply(reply, checks, check_language=not foreign)
        if foreign:
            results.append(foreign_language_check(reply, the_plan.language))
        return {
            "passed": all(r.passed for r in results),
            "failures": [{"check": r.name, "message": r.message} for r in results if not r.passed],
            "checks": [
                {"check": r.name, "passed": r.passed, "message": r.message} for r in results
            ],
            "length": len(reply),
            "max_length": checks.max_chars,
            "register": checks.register,
            "channel": the_plan.channel,
        }

    def _corrected(
        self, triage: Triage, labels: Labels | None
    ) -> tuple[Triage, list[str], dict[str, Any]]:
        if not labels:
            return triage, [], {}
        fixed, heads = corrected_triage(triage, labels)
        return fixed, heads, model_labels(triage, heads)

    def _triage_cached(self, text: str, fresh: bool = False) -> Triage:
        """The triage of ``text`` (a new one when ``fresh``); the last few are kept, so that
        re-checking an edited reply costs no second model call."""
        with self._cache_lock:
            found = None if fresh else self._cache.get(text)
            if found is not None:
                self._cache.move_to_end(text)
                return found
        result = self.triage_service.triage(text)
        with self._cache_lock:
            self._cache[text] = result
            while len(self._cache) > TRIAGE_CACHE_SIZE:
                self._cache.popitem(last=False)
        return result

    def reply_fit(self, text: str) -> tuple[ReplyIndex | None, NDArray[np.float32] | None]:
        """The playbook's example comments, embedded once by the triage model, and this
        comment's vector (kept from its triage, so no second forward pass): for ranking replies
        by likeness. ``(None, None)`` when fit ranking is off or the model cannot embed."""
        embedder = self.triage_service.embedder() if self.fit_ranking else None
        if embedder is None:
            return None, None
        with self._fit_lock:
            if self._fit is None or self._fit.version != self.playbook.version:
                self._fit = ReplyIndex(self.playbook, embedder.embed)
            fit = self._fit
        return fit, self.triage_service.vector(text)

    def template_feedback(self) -> Mapping[str, TemplateFeedback] | None:
        """The team's feedback per template for the ranking: None when feedback ranking is off
        or there is no database; read at most every ``FEEDBACK_REFRESH_SECONDS``."""
        if not self.feedback_ranking or self.storage is None:
            return None
        with self._feedback_lock:
            now = time.monotonic()
            if self._feedback is None or now - self._feedback[0] >= FEEDBACK_REFRESH_SECONDS:
                counts = self.storage.template_feedback()
                stats = {t: TemplateFeedback(**c) for t, c in counts.items()}
                self._feedback = (now, stats)
            return self._feedback[1]

    # -- many comments ---------------------------------------------------------------------------

    def triage_each(
        self, texts: Sequence[object], key_id: int | None = None
    ) -> tuple[str, list[Triage | InputError]]:
        """Every comment's triage or its own error; one audit record with the counts."""
        results = self.triage_service.triage_each(texts)
        errors = sum(isinstance(r, InputError) for r in results)
        rid = self._audit("label", key_id, {"items": len(results), "errors": errors})
        return rid, results

    # -- feedback and the playbook ---------------------------------------------------------------

    def record_feedback(
        self,
        request_id: str,
        action: str,
        rank: int | None = None,
        final_text: str | None = None,
        key_id: int | None = None,
    ) -> int:
        """Which suggestion of an earlier ``advise`` was used, edited or rejected, told by the key
        that asked for it. One outcome per comment: a second replaces the first. The reply as
        posted is personal data like the comment: kept only when ``audit_text`` is on."""
        if action not in FEEDBACK_ACTIONS:
            raise InputError(f"Onbekende actie {action!r}; kies uit {', '.join(FEEDBACK_ACTIONS)}.")
        if action in ("used", "edited") and rank is None:
            raise InputError("Geef bij 'used' of 'edited' aan welke suggestie (rank).")
        if action == "edited" and not (final_text or "").strip():
            raise InputError("Geef bij 'edited' de aangepaste tekst mee (final_text).")
        storage = self._storage()
        entry = storage.audit_entry(request_id)
        if entry is None or entry["endpoint"] != "suggest" or entry["key_id"] != key_id:
            # Another key's request is as unknown as a made-up one: nothing about it leaks.
            raise UnknownRequestError(
                f"Geen suggesties gevonden met request_id {request_id}"
                + (" voor deze API-sleutel." if key_id is not None else ".")
            )
        chosen = next((s for s in entry["suggestions"] or [] if s["rank"] == rank), None)
        if rank and chosen is None:
            raise InputError(f"Suggestie {rank} bestaat niet bij dit verzoek.")
        feedback_id = storage.record_feedback(
            request_id,
            key_id,
            action,
            rank,
            chosen["strategy"] if chosen else None,
            chosen["template"] if chosen else None,
            without_surrogates(final_text) if final_text and self.audit_text else None,
            entry["comment"] if self.audit_text else None,
        )
        self._feedback = None  # the next suggestion ranks with this vote counted
        return feedback_id

    def record_correction(
        self, request_id: str, labels: Labels, key_id: int | None = None
    ) -> tuple[int, list[str]]:
        """Store the agent's labels for an earlier comment (``triage`` or ``suggest``, by the key
        that asked) as a labelled example for retraining: the heads not corrected keep the
        model's label (no labels at all: the agent confirms the model's); the text only when ``audit_text`` is on. One per comment (a second
        replaces the first). Returns its id and the heads that differ from the model's."""
        storage = self._storage()
        entry = storage.audit_entry(request_id)
        if (
            entry is None
            or entry["endpoint"] not in ("triage", "suggest")
            or entry["key_id"] != key_id
        ):
            raise UnknownRequestError(
                f"Geen reactie gevonden met request_id {request_id}"
                + (" voor deze API-sleutel." if key_id is not None else ".")
            )
        result, changed, model = full_labels(entry["triage"] or {}, labels)
        text = entry["comment"] if self.audit_text else None
        cid = storage.record_correction(request_id, key_id, result, changed, model, text)
        return cid, changed

    def playbook_summary(self, max_text_chars: int) -> dict[str, Any]:
        """The playbook in use, and the Dutch display names of every label, for clients."""
        pb, org = self.playbook, self.playbook.organisation
        return {
            "name": pb.name,
            "version": pb.version,
            "brand": org.brand,
            "default_channel": org.default_channel,
            "default_register": org.default_register,
            "timezone": org.timezone,
            "max_text_chars": max_text_chars,
            "channels": [
                {"id": cid, "name": c.name, "max_chars": c.max_chars}
                for cid, c in org.channels.items()
            ],
            "situations": [
                {
                    "id": s.id,
                    "title": s.title,
                    "priority": s.priority,
                    "route": s.route,
                    "visibility": s.visibility,
                    "action": s.action,
                }
                for s in pb.situations
            ],
            "teams": [{"id": tid, "name": t.name, "reach": t.reach} for tid, t in pb.teams.items()],
            "names": display_names(),
        }

    # -- the audit log ---------------------------------------------------------------------------

    def _storage(self) -> Storage:
        if self.storage is None:
            raise UnknownRequestError("Er is geen database: feedback kan niet worden bewaard.")
        return self.storage

    def _audit(
        self,
        endpoint: str,
        key_id: int | None,
        triage: Any = None,
        plan: Any = None,
        suggestions: Any = None,
        comment: str | None = None,
    ) -> str:
        """Write the audit record (when there is a storage) and return its request id. Comment
        text is personal data: it, and the words quoted as evidence for a flag, are kept only
        when ``audit_text`` is on."""
        rid = uuid.uuid4().hex
        if self.storage is not None:
            kept = without_surrogates(comment) if comment and self.audit_text else None
            if not self.audit_text and isinstance(triage, dict):
                triage = {
                    **triage,
                    **{
                        key: [{**f, "evidence": []} for f in triage[key]]
                        for key in ("flags", "possible_flags")
                        if triage.get(key)
                    },
                }
            self.storage.audit(rid, endpoint, key_id, triage, plan, suggestions, kept)
        return rid

    def close(self) -> None:
        """Stop worker processes (if any; ``with contextlib.closing(assistant)``); the storage
        belongs to whoever made it."""
        close = getattr(self.triage_service.classifier, "close", None)
        if callable(close):
            close()
