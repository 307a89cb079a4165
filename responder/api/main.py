"""``create_app(settings)``: the model loads once per worker in the lifespan; every failure is one
JSON shape; limits on body size, content type, text length, list size and rate."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from responder.api.deps import ApiError, AppState, RateLimiter, is_loopback, log
from responder.api.routes import router
from responder.assistant import Assistant
from responder.config import Settings
from responder.errors import InputError, ModelLoadError, ModelNotFoundError, ResponderError
from responder.storage import Storage, StorageError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

STATIC = resources.files("responder.api") / "static"


def error_body(
    code: str, message: str, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or []}}


def _json_error(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


class BodyLimit:
    """Refuse bodies over the limit (413) and non-JSON POSTs to the API (415), before routing."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if scope["path"].startswith("/v1/"):
            ctype = headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype != "application/json":
                await _json_error(
                    415,
                    "unsupported_media_type",
                    f"Stuur JSON met 'Content-Type: application/json' (niet {ctype or 'niets'}).",
                )(scope, receive, send)
                return
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        # Read the whole (bounded) body first: a stream without Content-Length is counted too.
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body.extend(message.get("body", b""))
            if len(body) > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _json_error(
            413,
            "body_too_large",
            f"Het verzoek is te groot (maximaal {self.max_bytes} bytes). Stuur minder reacties "
            "per verzoek of gebruik `responder label` voor grote bestanden.",
        )(scope, receive, send)


def create_app(
    settings: Settings | None = None,
    assistant: Assistant | None = None,
    storage: Storage | None = None,
    listen_host: str = "127.0.0.1",
) -> FastAPI:
    """The app. Pass ``assistant`` to serve a ready one (tests, fakes); otherwise the model named
    by the settings loads at start-up. Keys are required when ``listen_host`` is not loopback."""
    settings = settings or Settings()
    auth = settings.require_api_key
    if not is_loopback(listen_host):
        auth = True  # never open beyond loopback
    state = AppState(
        settings=settings,
        storage=storage or Storage(settings.database_url),
        auth_required=bool(auth),
        rate=RateLimiter(settings.rate_limit_per_minute),
        limiter=anyio.CapacityLimiter(max(1, settings.inference_concurrency)),
        assistant=assistant,
        model_name="(meegegeven)" if assistant is not None else None,
    )
    if assistant is not None:
        assistant.with_storage(state.storage, settings.audit_text)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if state.assistant is None:
            try:
                state.assistant = await anyio.to_thread.run_sync(
                    lambda: Assistant.from_settings(settings, serving=True, storage=state.storage)
                )
                state.model_name = state.assistant.model_name
                log.info("model geladen: %s", state.model_name)
            except ResponderError as exc:
                state.load_error = str(exc)
                log.error("model niet geladen: %s", exc)
        yield
        if storage is None:
            state.storage.close()

    app = FastAPI(
        title="responder",
        summary="Triage en antwoordsuggesties voor Nederlandse webcare.",
        version="1",
        lifespan=lifespan,
        responses={
            400: {"model": _error_model()},
            401: {"model": _error_model()},
            413: {"model": _error_model()},
            415: {"model": _error_model()},
            422: {"model": _error_model()},
            429: {"model": _error_model()},
            503: {"model": _error_model()},
        },
    )
    app.state.responder = state
    app.include_router(router)
    _add_handlers(app)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(str(STATIC / "index.html"), media_type="text/html; charset=utf-8")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        path = request.url.path
        if path == "/" or path.startswith("/static/"):
            # The page must not be framed (clickjacking) and agents must get updates at once.
            response.headers.setdefault(
                "Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"
            )
            response.headers.setdefault("Cache-Control", "no-cache")
        return response

    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    if settings.cors_origin_list:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-API-Key"],
            expose_headers=["Retry-After"],
            max_age=600,
        )
    return app


def _error_model() -> Any:
    from responder.api.schemas import ErrorPublic

    return ErrorPublic


def _add_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _json_error(exc.status, exc.code, exc.message, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return _json_error(400, "invalid_json", "De body is geen geldige JSON (of geen UTF-8).")
        details = [
            {
                "field": ".".join(str(p) for p in e.get("loc", ()) if p != "body") or None,
                "message": str(e.get("msg", "")),
            }
            for e in errors
        ]
        return _json_error(
            422, "validation_error", "Het verzoek klopt niet met het schema (zie details).", details
        )

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> JSONResponse:
        return _json_error(422, "invalid_input", str(exc))

    @app.exception_handler(ResponderError)
    async def responder_error(request: Request, exc: ResponderError) -> JSONResponse:
        if isinstance(exc, ModelNotFoundError | ModelLoadError | StorageError):
            return _json_error(503, "unavailable", str(exc))
        return _json_error(500, "internal_error", str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {400: "invalid_json", 404: "not_found", 405: "method_not_allowed"}
        messages = {
            400: "De body is geen geldige JSON in UTF-8.",
            404: f"Onbekend adres: {request.url.path}. Zie /docs voor de API.",
            405: f"{request.method} is hier niet toegestaan.",
        }
        return _json_error(
            exc.status_code,
            codes.get(exc.status_code, "http_error"),
            messages.get(exc.status_code, str(exc.detail)),
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("onverwachte fout bij %s", request.url.path)
        return _json_error(500, "internal_error", "Er ging onverwacht iets mis; zie het serverlog.")


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` and ``responder serve``: settings from the environment."""
    import os

    return create_app(Settings(), listen_host=os.environ.get("RESPONDER_LISTEN_HOST", "127.0.0.1"))
