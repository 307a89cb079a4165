"""The API documentation: Swagger UI served from a pinned package (``fastapi-offline``, no CDN,
works offline) under a strict Content-Security-Policy, and an OpenAPI document that carries this
server's own limits and the channels of its playbook."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from responder.advice.playbook import Playbook
from responder.config import Settings

DOCS_PAGE = resources.files("responder.api") / "static" / "docs.html"
SWAGGER_UI = resources.files("fastapi_offline") / "static"
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
"""Swagger UI's files and its start script come from this server; it only fetches /openapi.json."""


def add_docs(app: FastAPI) -> None:
    """``GET /docs`` and its files under ``/docs/assets`` (the app is made with docs_url=None)."""
    app.mount("/docs/assets", StaticFiles(directory=str(SWAGGER_UI)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> FileResponse:
        return FileResponse(str(DOCS_PAGE), media_type="text/html; charset=utf-8")


COMMENT_FIELDS = {
    "TriageRequest": "text",
    "SuggestRequest": "text",
    "QueueRequest": "text",
    "CheckRequest": "comment",
}
"""The requests that carry a comment (limited to ``max_text_chars``); those with a ``channel``
get the playbook's channels as its choices."""


def with_limits(
    schema: dict[str, Any], settings: Settings, playbook: Playbook | None
) -> dict[str, Any]:
    """``schema`` with the limits the server enforces but the request classes cannot know:
    comment length and list size from the settings, the channels from the playbook."""
    parts = schema.get("components", {}).get("schemas", {})
    for name, field in COMMENT_FIELDS.items():
        if name in parts:
            parts[name]["properties"][field]["maxLength"] = settings.max_text_chars
    if "LabelRequest" in parts:
        parts["LabelRequest"]["properties"]["items"]["maxItems"] = settings.max_batch
    for name in COMMENT_FIELDS:
        channel = parts.get(name, {}).get("properties", {}).get("channel")
        if playbook is None or channel is None:
            continue
        for branch in channel.get("anyOf", []):
            if branch.get("type") == "string":
                branch["enum"] = list(playbook.organisation.channels)
    return schema


def openapi_with_limits(
    app: FastAPI, settings: Settings, playbook: Callable[[], Playbook | None]
) -> Callable[[], dict[str, Any]]:
    """A replacement for ``app.openapi``; cached once the playbook is known."""
    base = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        known = playbook()
        schema = with_limits(base(), settings, known)
        if known is None:
            app.openapi_schema = None  # the model is still loading: the channels come later
        return schema

    return openapi
