"""``create_app(settings)``: the model loads once per worker in the lifespan; every failure is one
JSON shape; limits on host name, body size, type and time, text length, list size and rate."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from responder.api.deps import AppState, RateLimiter, is_loopback, log
from responder.api.docs import DOCS_CSP, add_docs, openapi_with_limits
from responder.api.errors import ApiError, dutch_message, error_response
from responder.api.middleware import (
    BodyLimit,
    RequestGuard,
    SecurityHeaders,
    allowed_hosts,
    hide_query_strings,
)
from responder.api.routes import router
from responder.assistant import Assistant
from responder.config import Settings
from responder.errors import InputError, ModelLoadError, ModelNotFoundError, ResponderError
from responder.storage import Clock, Storage, StorageError, utc_now

STATIC = resources.files("responder.api") / "static"
PAGE_CSP = "default-src 'self'; frame-ancestors 'none'"


def create_app(
    settings: Settings | None = None,
    assistant: Assistant | None = None,
    storage: Storage | None = None,
    listen_host: str = "127.0.0.1",
    clock: Clock = utc_now,
) -> FastAPI:
    """The app. Pass ``assistant`` to serve a ready one (tests, fakes); otherwise the model named
    by the settings loads at start-up. Keys are required when ``listen_host`` is not loopback.
    ``clock`` is the time of the database it opens (tests move it on to test retention)."""
    settings = settings or Settings()
    auth = settings.require_api_key
    if not is_loopback(listen_host):
        auth = True  # never open beyond loopback
    state = AppState(
        settings=settings,
        storage=storage or Storage(settings.database_url, clock),
        auth_required=bool(auth),
        rate=RateLimiter(settings.rate_limit_per_minute),
        limiter=anyio.CapacityLimiter(max(1, settings.inference_concurrency)),
        assistant=assistant,
        model_name="(meegegeven)" if assistant is not None else None,
    )
    if assistant is not None:
        assistant.with_storage(state.storage, settings.audit_text, settings.feedback_ranking)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(lambda: state.apply_retention(force=True))
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
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.responder = state
    app.include_router(router)
    _add_handlers(app)
    add_docs(app)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.openapi = openapi_with_limits(  # type: ignore[method-assign]
        app, settings, lambda: state.assistant.playbook if state.assistant else None
    )

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(str(STATIC / "index.html"), media_type="text/html; charset=utf-8")

    @app.get("/monitor", include_in_schema=False)
    async def monitor_page() -> FileResponse:
        """The monitoring page; it fetches its figures from /v1/monitor/view with the key."""
        return FileResponse(str(STATIC / "monitor.html"), media_type="text/html; charset=utf-8")

    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        timeout=settings.body_timeout_seconds,
        json_paths=frozenset(
            r.path for r in router.routes if isinstance(r, APIRoute) and r.methods == {"POST"}
        ),
    )
    if settings.cors_origin_list:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_methods=["GET", "POST", "PATCH"],
            allow_headers=["Authorization", "Content-Type", "X-API-Key"],
            expose_headers=["Retry-After"],
            max_age=600,
        )
    app.add_middleware(RequestGuard, hosts=allowed_hosts(settings, listen_host))
    # The page must not be framed (clickjacking) and agents must get its updates at once.
    app.add_middleware(
        SecurityHeaders,
        policies={"/static/": PAGE_CSP, "/docs": DOCS_CSP, "/monitor": PAGE_CSP},
        page=PAGE_CSP,
    )
    hide_query_strings()
    return app


def _add_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(
                400, "invalid_json", "De body is geen geldige JSON (of geen UTF-8)."
            )
        details = [
            {
                "field": ".".join(str(p) for p in e.get("loc", ()) if p != "body") or None,
                "message": dutch_message(e),
            }
            for e in errors
        ]
        return error_response(
            422, "validation_error", "Het verzoek klopt niet met het schema (zie details).", details
        )

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> JSONResponse:
        return error_response(422, "invalid_input", str(exc))

    @app.exception_handler(ResponderError)
    async def responder_error(request: Request, exc: ResponderError) -> JSONResponse:
        if isinstance(exc, ModelNotFoundError | ModelLoadError | StorageError):
            return error_response(503, "unavailable", str(exc))
        return error_response(500, "internal_error", str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {400: "invalid_json", 404: "not_found", 405: "method_not_allowed"}
        headers = exc.headers
        if exc.status_code == 405:  # every method of the path, not only the first route's
            allowed = _allowed(request.url.path)
            headers = {**(headers or {}), "Allow": allowed} if allowed else headers
        messages = {
            400: "De body is geen geldige JSON in UTF-8.",
            404: f"Onbekend adres: {request.url.path}. Zie /docs voor de API.",
            405: f"{request.method} is hier niet toegestaan; gebruik "
            f"{(headers or {}).get('Allow', 'een andere methode')}.",
        }
        return error_response(
            exc.status_code,
            codes.get(exc.status_code, "http_error"),
            messages.get(exc.status_code, str(exc.detail)),
            headers=headers,  # 405 carries Allow
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("onverwachte fout bij %s", request.url.path)
        return error_response(
            500, "internal_error", "Er ging onverwacht iets mis; zie het serverlog."
        )


def _allowed(path: str) -> str:
    """The methods of every API route on ``path`` (a path may have a route per method)."""
    methods: set[str] = set()
    for route in router.routes:
        if isinstance(route, APIRoute) and route.path_regex.match(path):
            methods |= route.methods or set()
    return ", ".join(sorted(methods))


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` and ``responder serve``: settings from the environment."""
    import os

    return create_app(Settings(), listen_host=os.environ.get("RESPONDER_LISTEN_HOST", "127.0.0.1"))
