"""What routes depend on: the loaded service, the caller's key, the rate limit, off-loop work."""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

import anyio
from fastapi import Request

from responder.api.errors import ApiError
from responder.assistant import Assistant
from responder.config import Settings
from responder.storage import ApiKey, Storage

log = logging.getLogger("responder.api")
RETENTION_INTERVAL = timedelta(hours=1)
T = TypeVar("T")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class RateLimiter:
    """A sliding one-minute window per caller, in memory (per worker process)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, caller: str) -> None:
        if self.per_minute <= 0:
            return
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(caller, deque())
            while hits and now - hits[0] >= 60:
                hits.popleft()
            if len(hits) >= self.per_minute:
                wait = max(1, int(60 - (now - hits[0])) + 1)
                raise ApiError(
                    429,
                    "rate_limited",
                    f"Te veel verzoeken: maximaal {self.per_minute} per minuut. "
                    f"Probeer het over {wait} seconden opnieuw.",
                    {"Retry-After": str(wait)},
                )
            hits.append(now)


@dataclass
class AppState:
    settings: Settings
    storage: Storage
    auth_required: bool
    rate: RateLimiter
    limiter: anyio.CapacityLimiter
    assistant: Assistant | None = None
    load_error: str | None = None
    model_name: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    retained_at: datetime | None = None
    """When old rows were last deleted (by the storage's clock)."""
    retention_lock: threading.Lock = field(default_factory=threading.Lock)

    def apply_retention(self, force: bool = False) -> None:
        """Delete comment data older than the retention period: at start-up (``force``) and
        then at most once per ``RETENTION_INTERVAL`` while serving."""
        now = self.storage.clock()
        if not force and self.retained_at and now - self.retained_at < RETENTION_INTERVAL:
            return
        if not self.retention_lock.acquire(blocking=False):
            return  # another request is doing it
        try:
            self.retained_at = now
            deleted = self.storage.apply_retention(self.settings.retention_days)
            if any(deleted.values()):
                log.info("bewaartermijn: verwijderd %s", deleted)
        finally:
            self.retention_lock.release()


def state_of(request: Request) -> AppState:
    state: AppState = request.app.state.responder
    return state


def assistant_of(state: AppState) -> Assistant:
    if state.assistant is None:
        raise ApiError(
            503,
            "model_unavailable",
            state.load_error or "Het model wordt nog geladen; probeer het zo opnieuw.",
        )
    return state.assistant


def caller(request: Request) -> ApiKey | None:
    """The API key of this request (when keys are required), after the rate limit."""
    state = state_of(request)
    key: ApiKey | None = None
    if state.auth_required:
        secret = _secret(request)
        if not secret:
            raise ApiError(
                401,
                "missing_api_key",
                "Deze server vraagt een API-sleutel: stuur 'Authorization: Bearer <sleutel>'. "
                "Een beheerder maakt er een met `responder keys create`.",
                {"WWW-Authenticate": "Bearer"},
            )
        key = state.storage.verify_key(secret)
        if key is None:
            raise ApiError(
                401,
                "invalid_api_key",
                "De API-sleutel is onbekend of ingetrokken. Vraag de beheerder om een nieuwe.",
                {"WWW-Authenticate": "Bearer"},
            )
    state.rate.check(f"key:{key.id}" if key else f"ip:{client_address(request)}")
    state.apply_retention()
    return key


def client_address(request: Request) -> str:
    """The client's address for the rate limit. ``X-Forwarded-For`` is believed only from the
    configured proxies; without any, a server started with proxy headers on may have taken the
    address from that header, so every request carrying it shares one address."""
    if "x-forwarded-for" in request.headers and not state_of(request).settings.trusted_proxies:
        return "(X-Forwarded-For)"
    return request.client.host if request.client else "?"


def _secret(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.headers.get("x-api-key") or None


async def off_loop(state: AppState, func: Callable[[], T]) -> T:
    """Run CPU-bound work (the model, the database) in a worker thread, bounded by the limiter."""
    return await anyio.to_thread.run_sync(func, limiter=state.limiter)
