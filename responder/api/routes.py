"""The /v1 routes: parse, call the assistant off the event loop (it audits), map errors."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from responder.advice.plan import CommentContext
from responder.api.deps import AppState, assistant_of, caller, off_loop, state_of
from responder.api.errors import ApiError
from responder.api.schemas import (
    ErrorPublic,
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
from responder.errors import InputError, UnknownRequestError
from responder.storage import ApiKey

router = APIRouter()
ERRORS = {
    400: "Geen geldige JSON, een onbekende hostnaam of een API-sleutel in het adres",
    401: "API-sleutel ontbreekt, is onbekend of ingetrokken",
    404: "Geen suggesties met deze request_id (voor deze API-sleutel)",
    408: "De body kwam niet op tijd binnen",
    413: "Verzoek te groot, of te veel reacties in één verzoek",
    415: "Geen JSON",
    422: "Klopt niet met het schema, of niet te verwerken (zie de melding)",
    429: "Te veel verzoeken; zie Retry-After",
    503: "Het model is (nog) niet geladen, of de database is onbereikbaar",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The documented error responses of a route: all in the one JSON shape."""
    return {s: {"model": ErrorPublic, "description": ERRORS[s]} for s in statuses}


POSTED = errors(400, 401, 408, 413, 415, 422, 429, 503)
Caller = Annotated[ApiKey | None, Depends(caller)]
State = Annotated[AppState, Depends(state_of)]


def _id(key: ApiKey | None) -> int | None:
    return key.id if key else None


def _comment(text: str, state: AppState) -> str:
    """The comment, refused when longer than the limit as sent (what the schema promises);
    what is left after normalising is checked again by the triage."""
    limit = state.settings.max_text_chars
    if len(text) > limit:
        raise ApiError(
            422,
            "invalid_input",
            f"De tekst is te lang ({len(text)} tekens; maximaal {limit}). Kort hem in.",
        )
    return text


@router.post("/v1/triage", response_model=TriageResultPublic, tags=["triage"], responses=POSTED)
async def triage(body: TriageRequest, state: State, key: Caller) -> dict[str, Any]:
    """Beoordeel één reactie: sentiment, soort, onderwerp, vlaggen, taal en aanspreekvorm."""
    assistant = assistant_of(state)
    text = _comment(body.text, state)
    rid, result = await off_loop(state, lambda: assistant.triage(text, _id(key)))
    return {"request_id": rid, "triage": result.to_dict()}


@router.post("/v1/suggest", response_model=SuggestPublic, tags=["suggest"], responses=POSTED)
async def suggest(body: SuggestRequest, state: State, key: Caller) -> dict[str, Any]:
    """Triage, plan volgens het draaiboek en minstens drie gerangschikte antwoordsuggesties."""
    assistant = assistant_of(state)
    text = _comment(body.text, state)
    context = CommentContext(
        channel=body.channel,
        received_at=body.posted_at,
        private=body.private,
        agent_initials=body.initials or None,
        author_name=body.author_name,
    )
    advice = await off_loop(state, lambda: assistant.advise(text, context, _id(key)))
    return {"request_id": advice.request_id, **advice.to_dict()}


@router.post("/v1/label", response_model=LabelPublic, tags=["triage"], responses=POSTED)
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
    texts = [item.text for item in body.items]
    rid, results = await off_loop(state, lambda: assistant.triage_each(texts, _id(key)))
    items = [
        {
            "index": i,
            "id": item.id,
            "triage": None if isinstance(r, InputError) else r.to_dict(),
            "error": str(r) if isinstance(r, InputError) else None,
        }
        for i, (item, r) in enumerate(zip(body.items, results, strict=True))
    ]
    failed = sum(1 for it in items if it["error"])
    return {"request_id": rid, "items": items, "labelled": len(items) - failed, "errors": failed}


@router.post(
    "/v1/feedback",
    response_model=FeedbackPublic,
    status_code=201,
    tags=["feedback"],
    responses={**POSTED, **errors(404)},
)
async def feedback(body: FeedbackRequest, state: State, key: Caller) -> dict[str, Any]:
    """Leg vast welke suggestie is gebruikt, aangepast of afgewezen (voor bijsturen en hertrainen)."""
    assistant = assistant_of(state)

    def work() -> int:
        try:
            return assistant.record_feedback(
                body.request_id, body.action, body.rank, body.final_text, _id(key)
            )
        except UnknownRequestError as exc:
            raise ApiError(404, "unknown_request", str(exc)) from exc
        except InputError as exc:
            raise ApiError(422, "validation_error", str(exc)) from exc

    fid = await off_loop(state, work)
    return {"id": fid, "request_id": body.request_id, "action": body.action}


@router.get(
    "/v1/playbook",
    response_model=PlaybookPublic,
    tags=["playbook"],
    responses=errors(400, 401, 429, 503),
)
async def playbook(state: State, key: Caller) -> dict[str, Any]:
    """Het draaiboek in gebruik (versie, kanalen, situaties, teams) en de Nederlandse namen."""
    return assistant_of(state).playbook_summary(state.settings.max_text_chars)


@router.get("/healthz", response_model=HealthPublic, tags=["status"], responses=errors(400))
async def healthz() -> dict[str, str]:
    """Het proces leeft."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    response_model=ReadyPublic,
    tags=["status"],
    responses={**errors(400), 503: {"model": ReadyPublic, "description": "Nog niet klaar"}},
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
