"""responder: triage Dutch social-media comments and suggest on-tone webcare replies."""

from responder.errors import ResponderError

__version__ = "0.1.0"
__all__ = ["ResponderError", "__version__"]
