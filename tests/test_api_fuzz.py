"""Schemathesis against the real app (over the fake classifier, in process): every operation of
the OpenAPI document, positive and negative cases, every check. No server error, no response
that the document does not describe, no valid request refused and no invalid one accepted.
Bounded: at most 400 generated cases per operation, ~1800 requests in ~30 s on 2 cores."""

from __future__ import annotations

from typing import Any

import schemathesis
from conftest import FakeClassifier
from hypothesis import settings
from schemathesis.config import SchemathesisConfig

from responder.advice.playbook import load_playbook
from responder.api import create_app
from responder.assistant import Assistant
from responder.config import Settings
from responder.storage import Storage
from responder.triage.service import TriageService

MAX_EXAMPLES = 400
HOST = {"Host": "localhost"}
CONFIG = {
    "headers": HOST,
    "generation": {"max-examples": MAX_EXAMPLES},
    "checks": {
        # schemathesis' list, plus 413: too many comments in one /v1/label is refused like a
        # too-large body (too_many_items).
        "negative_data_rejection": {
            "expected-statuses": [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429, "5xx"]
        },
    },
}


def fuzz_app() -> Any:
    """The API over the fake classifier, with an in-memory database it does not own: schemathesis
    ends the app's lifespan after each test and starts it again for the next."""
    settings = Settings(database_url="sqlite://:memory:", rate_limit_per_minute=0)
    assistant = Assistant(TriageService(FakeClassifier(), settings), load_playbook())
    return create_app(settings, assistant, Storage(settings.database_url))


# Loaded at collection: schemathesis' lazy loader (from_fixture) does not run under pytest 9.
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", fuzz_app(), config=SchemathesisConfig.from_dict(CONFIG), headers=HOST
)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None)
def test_api_conforms_to_its_openapi_document(case: Any) -> None:
    # call_and_validate raises on any failed check (conformance, status codes, server errors);
    # the explicit assert names the one that matters most.
    response = case.call_and_validate(headers=HOST)
    assert response.status_code < 500, response.text
