"""The one service object the adapters (CLI, API) use: triage → plan → suggest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from responder.plan import CommentContext, Plan, plan
from responder.playbook import Playbook
from responder.protocols import DraftBackend
from responder.suggest import Suggestions, suggest
from responder.triage import Triage, TriageService


@dataclass(frozen=True)
class Advice:
    """Everything an agent sees for one comment."""

    triage: Triage
    plan: Plan
    suggestions: Suggestions

    def to_dict(self) -> dict[str, Any]:
        return {
            "triage": self.triage.to_dict(),
            "plan": self.plan.to_dict(),
            "suggestions": [s.to_dict() for s in self.suggestions.items],
            "notes": self.triage.notes + self.suggestions.notes,
        }


class Assistant:
    """Triage a comment, apply the playbook and suggest replies."""

    def __init__(
        self,
        triage_service: TriageService,
        playbook: Playbook,
        backend: DraftBackend | None = None,
    ) -> None:
        self.triage_service = triage_service
        self.playbook = playbook
        self.backend = backend

    def advise(self, text: str, context: CommentContext | None = None) -> Advice:
        context = context or CommentContext()
        triage = self.triage_service.triage(text)
        return self.advise_triaged(triage, text, context)

    def advise_triaged(self, triage: Triage, text: str, context: CommentContext) -> Advice:
        the_plan = plan(triage, text, context, self.playbook)
        suggestions = suggest(triage, text, context, self.playbook, the_plan, self.backend)
        return Advice(triage, the_plan, suggestions)
