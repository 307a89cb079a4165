"""How uvicorn runs the app (``responder serve``): proxy headers only from the configured
proxies, a short keep-alive, bounded header size, no server banner."""

from __future__ import annotations

import os
from typing import Any

import uvicorn

from responder.config import Settings

APP = "responder.api.main:app_from_env"


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn settings that the app's own guards rely on. ``X-Forwarded-For`` is read only from
    ``RESPONDER_TRUSTED_PROXIES`` (uvicorn would otherwise believe it from 127.0.0.1, and any
    local process could pick its own address for the rate limit)."""
    trusted = settings.trusted_proxy_list
    return {
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or None,
        "server_header": False,
        "timeout_keep_alive": 5,
        "h11_max_incomplete_event_size": 16 * 1024,
    }


def server_config(
    app: Any, host: str, port: int, settings: Settings, **extra: Any
) -> uvicorn.Config:
    """The uvicorn config for ``app`` on ``host:port`` (tests run the app in-process with it)."""
    return uvicorn.Config(app, host=host, port=port, **{**server_options(settings), **extra})


def serve(host: str, port: int, workers: int = 1) -> None:
    """Run the API from the environment's settings, ``workers`` processes, until stopped."""
    os.environ["RESPONDER_LISTEN_HOST"] = host
    options = server_options(Settings())
    uvicorn.run(
        APP, factory=True, host=host, port=port, workers=workers, log_level="info", **options
    )
