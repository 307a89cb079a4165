"""Run an app under a real uvicorn server on loopback, in a thread, for the duration of a test."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def live_server(app: Any, plain: bool = False, log_level: str = "warning") -> Iterator[str]:
    """``app`` served as `responder serve` serves it (``plain``: with uvicorn's own defaults)."""
    from responder.api.server import server_config

    port = free_port()
    options: dict[str, Any] = {"log_level": log_level, "lifespan": "on"}
    if plain:
        config = uvicorn.Config(app, host="127.0.0.1", port=port, **options)
    else:
        settings = app.state.responder.settings
        config = server_config(app, "127.0.0.1", port, settings, **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
