"""The /v1 routes: parse, call the assistant off the event loop, audit, map errors."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from responder.api.deps import ApiError, AppState, assistant_of, caller, off_loop, state_of
from responder.api.schemas import (
    FeedbackPublic,
    FeedbackRequest,
    HealthPublic,
    LabelPublic,
    LabelRequest,
    PlaybookPublic,
    ReadyPublic,
    SuggestPublic,
    SuggestRequest,
    TriageRequest,
    TriageResultPublic,
)
from responder.errors import InputError
from responder.normalise import check_text
from responder.plan import CommentContext
from responder.storage import ApiKey

router = APIRouter()
Caller = Annotated[ApiKey | None, Depends(caller)]
State = Annotated[AppState, Depends(state_of)]


def _request_id() -> str:
    return uuid.uuid4().hex


def _audit_summary(advice_dict: dict[str, Any]) -> tuple[Any, Any, Any]:
    triage = {k: v for k, v in advice_dict["triage"].items() if k != "notes"}
    plan = {
        k: advice_dict["plan"][k]
        for k in (
            "situation",
            "priority",
            "deadline",
            "visibility",
            "action",
            "channel",
            "register",
            "playbook_version",
        )
    }
    plan["route"] = advice_dict["plan"]["route"]["id"]
    suggestions = [
        {
            "rank": s["rank"],
            "strategy": s["strategy"],
            "template": s["template"],
            "source": s["source"],
        }
        for s in advice_dict["suggestions"]
    ]
    return triage, plan, suggestions


@router.post("/v1/triage", response_model=TriageResultPublic, tags=["triage"])
async def triage(body: TriageRequest, state: State, key: Caller) -> dict[str, Any]:
    """Beoordeel één reactie: sentiment, soort, onderwerp, vlaggen, taal en aanspreekvorm."""
    assistant = assistant_of(state)
    rid = _request_id()

    def work() -> dict[str, Any]:
        result = assistant.triage_service.triage(body.text).to_dict()
        comment = body.text if state.settings.audit_text else None
        state.storage.audit(rid, "triage", key.id if key else None, result, comment=comment)
        return result

    return {"request_id": rid, "triage": await off_loop(state, work)}


@router.post("/v1/suggest", response_model=SuggestPublic, tags=["suggest"])
async def suggest(body: SuggestRequest, state: State, key: Caller) -> dict[str, Any]:
    """Triage, plan volgens het draaiboek en minstens drie gerangschikte antwoordsuggesties."""
    assistant = assistant_of(state)
    rid = _request_id()
    context = CommentContext(
        channel=body.channel,
        received_at=body.posted_at,
        private=body.private,
        agent_initials=body.initials or None,
        author_name=body.author_name,
    )

    def work() -> dict[str, Any]:
        advice = assistant.advise(body.text, context).to_dict()
        triage, plan, suggestions = _audit_summary(advice)
        comment = body.text if state.settings.audit_text else None
        state.storage.audit(
            rid, "suggest", key.id if key else None, triage, plan, suggestions, comment
        )
        return advice

    return {"request_id": rid, **(await off_loop(state, work))}


@router.post("/v1/label", response_model=LabelPublic, tags=["triage"])
async def label(body: LabelRequest, state: State, key: Caller) -> dict[str, Any]:
    """Label een lijst reacties; elke reactie komt terug, met een fout waar ze niet te labelen is."""
    assistant = assistant_of(state)
    limit = state.settings.max_batch
    if len(body.items) > limit:
        raise ApiError(
            413,
            "too_many_items",
            f"Te veel reacties in één verzoek ({len(body.items)}; maximaal {limit}). Verdeel ze "
            "over meer verzoeken of gebruik `responder label` voor een bestand.",
        )
    if not body.items:
        raise ApiError(422, "validation_error", "De lijst 'items' is leeg.")
    rid = _request_id()

    def work() -> list[dict[str, Any]]:
        service = assistant.triage_service
        errors: dict[int, str] = {}
        valid: list[int] = []
        for i, item in enumerate(body.items):
            try:
                check_text(item.text, service.settings.max_text_chars)
                valid.append(i)
            except InputError as exc:
                errors[i] = str(exc)
        results = service.triage_many([body.items[i].text for i in valid])
        by_index = dict(zip(valid, results, strict=True))
        out = []
        for i, item in enumerate(body.items):
            t = by_index.get(i)
            out.append(
                {
                    "index": i,
                    "id": item.id,
                    "triage": t.to_dict() if t else None,
                    "error": errors.get(i),
                }
            )
        state.storage.audit(
            rid,
            "label",
            key.id if key else None,
            {"items": len(out), "errors": len(errors)},
        )
        return out

    items = await off_loop(state, work)
    failed = sum(1 for it in items if it["error"])
    return {"request_id": rid, "items": items, "labelled": len(items) - failed, "errors": failed}


@router.post("/v1/feedback", response_model=FeedbackPublic, status_code=201, tags=["feedback"])
async def feedback(body: FeedbackRequest, state: State, key: Caller) -> dict[str, Any]:
    """Leg vast welke suggestie is gebruikt, aangepast of afgewezen (voor bijsturen en hertrainen)."""
    if body.action in ("used", "edited") and body.rank is None:
        raise ApiError(
            422, "validation_error", "Geef bij 'used' of 'edited' aan welke suggestie (rank)."
        )
    if body.action == "edited" and not (body.final_text or "").strip():
        raise ApiError(
            422, "validation_error", "Geef bij 'edited' de aangepaste tekst mee (final_text)."
        )

    def work() -> int:
        entry = state.storage.audit_entry(body.request_id)
        if entry is None or entry["endpoint"] != "suggest":
            raise ApiError(
                404,
                "unknown_request",
                f"Geen suggesties gevonden met request_id {body.request_id}.",
            )
        chosen = (
            next((s for s in entry["suggestions"] or [] if s["rank"] == body.rank), None)
            if body.rank
            else None
        )
        if body.rank and chosen is None:
            raise ApiError(
                422, "validation_error", f"Suggestie {body.rank} bestaat niet bij dit verzoek."
            )
        return state.storage.add_feedback(
            body.request_id,
            key.id if key else None,
            body.action,
            body.rank,
            chosen["strategy"] if chosen else None,
            chosen["template"] if chosen else None,
            body.final_text,
            entry["comment"],
        )

    fid = await off_loop(state, work)
    return {"id": fid, "request_id": body.request_id, "action": body.action}


@router.get("/v1/playbook", response_model=PlaybookPublic, tags=["playbook"])
async def playbook(state: State, key: Caller) -> dict[str, Any]:
    """Het draaiboek in gebruik: versie, kanalen met lengtelimiet, situaties en teams."""
    pb = assistant_of(state).playbook
    org = pb.organisation
    return {
        "name": pb.name,
        "version": pb.version,
        "brand": org.brand,
        "default_channel": org.default_channel,
        "default_register": org.default_register,
        "timezone": org.timezone,
        "max_text_chars": state.settings.max_text_chars,
        "channels": [
            {"id": cid, "name": c.name, "max_chars": c.max_chars} for cid, c in org.channels.items()
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
    }


@router.get("/healthz", response_model=HealthPublic, tags=["status"])
async def healthz() -> dict[str, str]:
    """Het proces leeft."""
    return {"status": "ok"}


@router.get(
    "/readyz", response_model=ReadyPublic, tags=["status"], responses={503: {"model": ReadyPublic}}
)
async def readyz(request: Request) -> Any:
    """Klaar voor verkeer: model en draaiboek geladen. Zegt ook of een API-sleutel nodig is."""
    state = state_of(request)
    ready = state.assistant is not None
    body = {
        "status": "ready" if ready else ("error" if state.load_error else "loading"),
        "model": state.model_name,
        "playbook_version": state.assistant.playbook.version if state.assistant else None,
        "auth_required": state.auth_required,
    }
    return body if ready else JSONResponse(body, status_code=503)
