"""The HTTP adapter: FastAPI app over the same Assistant the CLI uses."""

from responder.api.main import create_app

__all__ = ["create_app"]
