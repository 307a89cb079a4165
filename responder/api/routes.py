"""The /v1 routes: parse, call the assistant off the event loop (it audits), map errors."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from responder.advice.plan import CommentContext
from responder.api.deps import AppState, assistant_of, caller, off_loop, state_of
from responder.api.errors import ApiError
from responder.api.schemas import (
    CheckPublic,
    CheckRequest,
    CorrectionPublic,
    CorrectionRequest,
    ErrorPublic,
    FeedbackPublic,
    FeedbackRequest,
    HealthPublic,
    LabelPublic,
    LabelRequest,
    LabelsRequest,
    MonitorPublic,
    PlaybookPublic,
    QueueItemPublic,
    QueuePublic,
    QueueRequest,
    QueueUpdateRequest,
    ReadyPublic,
    SuggestPublic,
    SuggestRequest,
    TriageRequest,
    TriageResultPublic,
)
from responder.assistant import Advice
from responder.errors import InputError, UnknownRequestError
from responder.monitor import MAX_DAYS
from responder.monitor import figures as monitor_figures
from responder.monitor import render as render_monitor
from responder.queue import item_public, queue_row
from responder.storage import QUEUE_STATUSES, ApiKey
from responder.triage.corrections import Labels

router = APIRouter()
ERRORS = {
    400: "Geen geldige JSON, een onbekende hostnaam of een API-sleutel in het adres",
    401: "API-sleutel ontbreekt, is onbekend of ingetrokken",
    404: "Geen suggesties met deze request_id, of geen item met dit id (voor deze API-sleutel)",
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


def _posted(posted_at: datetime | None, state: AppState) -> datetime:
    """When the comment was posted: as given, else now (by the storage's clock, so that the
    queue's deadlines and the retention agree on the time)."""
    return posted_at or state.storage.clock().replace(microsecond=0)


def _labels(given: LabelsRequest | None) -> Labels:
    return Labels.of(given.given() if given else None)


def _queued(state: AppState, advice: Advice, text: str, key: ApiKey | None) -> dict[str, Any]:
    """Put an advised comment in this key's queue; the item as the API returns it."""
    row = queue_row(advice, text, state.settings.audit_text)
    row["key_id"] = _id(key)
    item_id = state.storage.add_to_queue(row)
    stored = state.storage.queue_item(item_id, _id(key))
    assert stored is not None
    return item_public(stored, state.storage.clock())


def _unknown_item(item_id: int, key: ApiKey | None) -> ApiError:
    return ApiError(
        404,
        "unknown_item",
        f"Geen item {item_id} in de wachtrij"
        + (" van deze API-sleutel." if key is not None else ".")
        + " Het kan na de bewaartermijn zijn verwijderd.",
    )


def _own_item(state: AppState, item_id: int, key: ApiKey | None) -> None:
    if state.storage.queue_item(item_id, _id(key)) is None:
        raise _unknown_item(item_id, key)


@router.post(
    "/v1/suggest",
    response_model=SuggestPublic,
    tags=["suggest"],
    responses={**POSTED, **errors(404)},
)
async def suggest(body: SuggestRequest, state: State, key: Caller) -> dict[str, Any]:
    """Triage, plan volgens het draaiboek en minstens drie gerangschikte antwoordsuggesties.
    Met ``labels`` volgen plan en suggesties de correctie van de medewerker; met ``queue`` komt
    de reactie ook in de wachtrij van het team."""
    assistant = assistant_of(state)
    text = _comment(body.text, state)
    context = CommentContext(
        channel=body.channel,
        received_at=_posted(body.posted_at, state),
        private=body.private,
        agent_initials=body.initials or None,
        author_name=body.author_name,
    )
    labels = _labels(body.labels)

    def work() -> dict[str, Any]:
        if body.queue_id is not None:  # before the advice: an unknown item costs no audit
            _own_item(state, body.queue_id, key)
        advice = assistant.advise(text, context, _id(key), labels)
        out = {"request_id": advice.request_id, **advice.to_dict()}
        if body.queue_id is not None:
            row = queue_row(advice, text, state.settings.audit_text)
            stored = state.storage.replan_queue_item(body.queue_id, _id(key), row)
            if stored is None:
                raise _unknown_item(body.queue_id, key)
            out["queue_item"] = item_public(stored, state.storage.clock())
        elif body.queue:
            out["queue_item"] = _queued(state, advice, text, key)
        return out

    return await off_loop(state, work)


@router.post("/v1/check", response_model=CheckPublic, tags=["suggest"], responses=POSTED)
async def check(body: CheckRequest, state: State, key: Caller) -> dict[str, Any]:
    """Controleer een (aangepast) antwoord met dezelfde regels als de suggesties: aanspreekvorm,
    lengte, persoonsgegevens, beloftes, verplichte inhoud en taal."""
    assistant = assistant_of(state)
    text = _comment(body.comment, state)
    context = CommentContext(
        channel=body.channel, received_at=_posted(body.posted_at, state), private=body.private
    )
    labels = _labels(body.labels)
    return await off_loop(state, lambda: assistant.check(text, body.reply, context, labels))


@router.post(
    "/v1/queue",
    response_model=QueueItemPublic,
    status_code=201,
    tags=["queue"],
    responses=POSTED,
)
async def queue_add(body: QueueRequest, state: State, key: Caller) -> dict[str, Any]:
    """Zet een reactie in de wachtrij van het team, met prioriteit en termijn uit het draaiboek.
    Haal de suggesties later op met ``/v1/suggest``; de request_id verbindt ze voor feedback."""
    assistant = assistant_of(state)
    text = _comment(body.text, state)
    context = CommentContext(
        channel=body.channel,
        received_at=_posted(body.posted_at, state),
        private=body.private,
        author_name=body.author_name,
    )
    labels = _labels(body.labels)

    def work() -> dict[str, Any]:
        advice = assistant.advise(text, context, _id(key), labels)
        return _queued(state, advice, text, key)

    return await off_loop(state, work)


@router.get(
    "/v1/queue",
    response_model=QueuePublic,
    tags=["queue"],
    responses=errors(400, 401, 422, 429, 503),
)
async def queue_list(
    state: State,
    key: Caller,
    status: Literal["open", "answered", "escalated", "all"] = "open",
    priority: Annotated[str | None, Query(pattern="^P[1-9]$")] = None,
    limit: Annotated[int, Query(ge=1)] = 100,
) -> dict[str, Any]:
    """De wachtrij van het team, de vroegste termijn eerst (te late bovenaan)."""
    statuses = QUEUE_STATUSES if status == "all" else (status,)
    limit = min(limit, state.settings.queue_limit)

    def work() -> dict[str, Any]:
        rows = state.storage.queue_items(_id(key), statuses, priority, limit)
        now = state.storage.clock()
        return {"items": [item_public(r, now) for r in rows]}

    return await off_loop(state, work)


@router.patch(
    "/v1/queue/{item_id}",
    response_model=QueueItemPublic,
    tags=["queue"],
    responses={**errors(400, 401, 404, 422, 429, 503)},
)
async def queue_update(
    item_id: Annotated[int, Path(ge=1, le=2**53 - 1)],
    body: QueueUpdateRequest,
    state: State,
    key: Caller,
) -> dict[str, Any]:
    """Zet de status (open, beantwoord, geëscaleerd) en de uitkomst van een item in de wachtrij.
    Het geplaatste antwoord wordt alleen bewaard als de server reactieteksten bewaart."""
    final_text = body.final_text if state.settings.audit_text and body.final_text else None

    def work() -> dict[str, Any]:
        row = state.storage.update_queue_item(
            item_id, _id(key), body.status, body.outcome, final_text
        )
        if row is None:
            raise _unknown_item(item_id, key)
        return item_public(row, state.storage.clock())

    return await off_loop(state, work)


@router.post(
    "/v1/corrections",
    response_model=CorrectionPublic,
    status_code=201,
    tags=["feedback"],
    responses={**POSTED, **errors(404)},
)
async def corrections(body: CorrectionRequest, state: State, key: Caller) -> dict[str, Any]:
    """Bewaar de labels zoals de medewerker ze corrigeerde, als voorbeeld om het model mee
    bij te trainen (de tekst alleen als de server reactieteksten bewaart)."""
    assistant = assistant_of(state)
    labels = _labels(body.labels)

    def work() -> tuple[int, list[str]]:
        try:
            return assistant.record_correction(body.request_id, labels, _id(key))
        except UnknownRequestError as exc:
            raise ApiError(404, "unknown_request", str(exc)) from exc

    cid, changed = await off_loop(state, work)
    return {"id": cid, "request_id": body.request_id, "corrected": changed}


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


Days = Annotated[int, Query(ge=1, le=MAX_DAYS, description="Hoeveel dagen terug.")]


@router.get(
    "/v1/monitor",
    response_model=MonitorPublic,
    tags=["monitor"],
    responses=errors(400, 401, 422, 429, 503),
)
async def monitor(state: State, key: Caller, days: Days = 7) -> dict[str, Any]:
    """De cijfers van het team: aantallen per uur en dag naar sentiment, onderwerpen per dag,
    vlaggen, aandeel binnen de termijn per prioriteit, mediane reactietijd en correcties."""
    playbook = assistant_of(state).playbook
    return await off_loop(state, lambda: monitor_figures(state.storage, _id(key), playbook, days))


@router.get(
    "/v1/monitor/view",
    response_class=HTMLResponse,
    tags=["monitor"],
    responses={
        status: {
            "description": spec["description"],
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ErrorPublic"}}
            },
        }
        for status, spec in errors(400, 401, 422, 429, 503).items()
    },
)
async def monitor_view(state: State, key: Caller, days: Days = 7) -> HTMLResponse:
    """Dezelfde cijfers als HTML met grafieken (SVG) voor de pagina /monitor."""
    playbook = assistant_of(state).playbook

    def work() -> str:
        return render_monitor(monitor_figures(state.storage, _id(key), playbook, days))

    return HTMLResponse(await off_loop(state, work))


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
