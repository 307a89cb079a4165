"""The one JSON shape of every API error, the exception that carries one out of a route, and
schema errors retold in Dutch."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi.responses import JSONResponse

from responder.triage.normalise import without_surrogates


class ApiError(Exception):
    """An error with an HTTP status and a stable code; the handler turns it into JSON."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def error_body(
    code: str, message: str, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or []}}


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The error as JSON. Messages and field names can quote the request, so half a UTF-16 pair
    in it becomes U+FFFD: JSON in UTF-8 cannot carry one."""
    clean = [
        {k: without_surrogates(v) if isinstance(v, str) else v for k, v in d.items()}
        for d in details or []
    ]
    body = error_body(code, without_surrogates(message), clean)
    return JSONResponse(body, status_code=status, headers=headers)


ISO_EXAMPLE = "bijvoorbeeld 2026-11-25T21:30 of 2026-11-25T21:30:00+01:00"

_DUTCH: dict[str, str] = {
    "missing": "Dit veld ontbreekt.",
    "extra_forbidden": "Onbekend veld; zie /docs voor de velden die er zijn.",
    "string_type": "Moet tekst zijn (een JSON-string).",
    "int_type": "Moet een geheel getal zijn.",
    "bool_type": "Moet true of false zijn.",
    "list_type": "Moet een lijst zijn.",
    "model_type": "Moet een JSON-object zijn.",
    "model_attributes_type": "Moet een JSON-object zijn.",
    "dict_type": "Moet een JSON-object zijn.",
    "string_too_short": "Te kort: minstens {min_length} teken(s).",
    "string_too_long": "Te lang: hoogstens {max_length} tekens.",
    "too_short": "Te weinig: minstens {min_length}.",
    "too_long": "Te veel: hoogstens {max_length}.",
    "greater_than_equal": "Moet minstens {ge} zijn.",
    "less_than_equal": "Mag hoogstens {le} zijn.",
    "literal_error": "Kies uit {expected}.",
    "datetime_type": f"Geen geldig tijdstip; {ISO_EXAMPLE}.",
    "datetime_parsing": f"Geen geldig tijdstip; {ISO_EXAMPLE}.",
    "datetime_from_date_parsing": f"Geen geldig tijdstip; {ISO_EXAMPLE}.",
}


def dutch_message(error: dict[str, Any]) -> str:
    """One pydantic error in Dutch (pydantic's own English where there is no translation)."""
    kind = str(error.get("type", ""))
    if kind == "value_error":
        return str(error.get("msg", "")).removeprefix("Value error, ")
    template = _DUTCH.get(kind)
    if template is None:
        return str(error.get("msg", ""))
    ctx = {k: str(v).replace(" or ", " of ") for k, v in (error.get("ctx") or {}).items()}
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return str(error.get("msg", ""))
