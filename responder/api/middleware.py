"""What every request passes before routing: the Host it names, no key in the address, a body
that is JSON, small enough and arrives in time. And an access log without query strings."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

import anyio

from responder.api.errors import error_response
from responder.config import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARDS = frozenset({"0.0.0.0", "::", ""})
KEY_PARAMETERS = frozenset({"api_key", "apikey", "api-key", "key", "token", "access_token"})


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def allowed_hosts(settings: Settings, listen_host: str) -> frozenset[str] | None:
    """The names this server answers to, or None for any: loopback names, the address it listens
    on and the configured ones. On all interfaces keys are required, which rebinding cannot get
    past, so there any name is accepted unless names are configured."""
    listed = settings.allowed_host_list
    if "*" in listed or (listen_host in WILDCARDS and not listed):
        return None
    names = set(LOOPBACK_NAMES) | set(listed)
    if listen_host not in WILDCARDS:
        names.add(listen_host.lower().strip("[]"))
    return frozenset(names)


def host_name(header: str) -> str:
    """``Host`` without its port, brackets or trailing dot: ``[::1]:8000`` → ``::1``."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    if header.count(":") == 1:
        header = header.split(":")[0]
    return header.rstrip(".")


class RequestGuard:
    """Refuse (400) a request for a host name this server does not answer to (a page that
    rebinds its own name to 127.0.0.1 cannot reach a keyless server), and an API key in the
    query string (addresses end up in logs and browser history)."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str] | None) -> None:
        self.app, self.hosts = app, hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.hosts is not None:
            host = host_name(_headers(scope).get("host", ""))
            if host not in self.hosts:
                shown = ", ".join(sorted(f"[{h}]" if ":" in h else h for h in self.hosts))
                named = f"de naam {host!r}" if host else "een verzoek zonder Host-header"
                await error_response(
                    400,
                    "unknown_host",
                    f"Deze server antwoordt niet op {named}. Gebruik een van: {shown}. Een "
                    "beheerder kan namen toestaan met RESPONDER_ALLOWED_HOSTS.",
                )(scope, receive, send)
                return
        query = scope.get("query_string", b"").decode("latin-1")
        if any(name.lower() in KEY_PARAMETERS for name, _ in parse_qsl(query, True)):
            await error_response(
                400,
                "api_key_in_url",
                "Zet de API-sleutel niet in het adres: adressen komen in logs en in de "
                "browsergeschiedenis terecht. Stuur hem in de header 'Authorization: Bearer "
                "<sleutel>', en vraag de beheerder deze sleutel in te trekken en een nieuwe te maken.",
            )(scope, receive, send)
            return
        await self.app(scope, receive, send)


class BodyLimit:
    """Refuse non-JSON POSTs to the API's ``json_paths`` (415), bodies over the limit (413) and
    bodies that do not arrive in time (408, against clients that send headers and then stall),
    before routing. A POST elsewhere gets its 404 or 405 from the router."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, timeout: float, json_paths: frozenset[str]
    ) -> None:
        self.app, self.max_bytes, self.timeout = app, max_bytes, timeout
        self.json_paths = json_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":  # others: 405 or no body
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        if scope["path"] in self.json_paths:
            ctype = headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype != "application/json":
                await error_response(
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
        complete = False
        with anyio.move_on_after(self.timeout):
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                body.extend(message.get("body", b""))
                if len(body) > self.max_bytes:
                    await self._too_large(scope, receive, send)
                    return
                if not message.get("more_body", False):
                    complete = True
                    break
        if not complete:
            await error_response(
                408,
                "request_timeout",
                f"Het verzoek kwam niet binnen {self.timeout:g} "
                f"{'seconde' if self.timeout == 1 else 'seconden'} helemaal binnen. "
                "Controleer de verbinding en stuur het opnieuw.",
                headers={"Connection": "close"},
            )(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        await error_response(
            413,
            "body_too_large",
            f"Het verzoek is te groot (maximaal {self.max_bytes} bytes). Stuur minder reacties "
            "per verzoek of gebruik `responder label` voor grote bestanden.",
        )(scope, receive, send)


class SecurityHeaders:
    """``nosniff`` and no referrer on every response; on the pages (``/``, and paths under the
    prefixes in ``policies``) a Content-Security-Policy and no caching."""

    def __init__(self, app: ASGIApp, policies: dict[str, str], page: str) -> None:
        self.app, self.policies, self.page = app, policies, page

    def _policy(self, path: str) -> str | None:
        if path == "/":
            return self.page
        return next((p for prefix, p in self.policies.items() if path.startswith(prefix)), None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
        policy = self._policy(scope["path"])
        if policy is not None:
            extra += [
                (b"content-security-policy", policy.encode()),
                (b"cache-control", b"no-cache"),
            ]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *((k, v) for k, v in extra if k not in present),
                ]
            await send(message)

        await self.app(scope, receive, with_headers)


class WithoutQueryString(logging.Filter):
    """Cut the query string from uvicorn's access log lines: it can hold secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def hide_query_strings(logger_name: str = "uvicorn.access") -> None:
    """Install :class:`WithoutQueryString` on the access log (once per process)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, WithoutQueryString) for f in logger.filters):
        logger.addFilter(WithoutQueryString())
