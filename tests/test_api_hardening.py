"""The API under hostile or careless input: half UTF-16 pairs, dates at the ends of the calendar,
privacy of the audit log and feedback, keys and proxies, Host names (DNS rebinding), the
documentation offline, stalled bodies, the truth of the OpenAPI document, and 16 clients at once
against a real uvicorn server on loopback."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import fake_app
from fastapi.testclient import TestClient
from live_server import live_server
from test_api import error_of

from responder.storage import Storage

Start = Callable[..., str]
Client = Callable[..., TestClient]
JSON = {"Content-Type": "application/json"}


def raw_post(client: TestClient, path: str, body: str) -> Any:
    """POST ``body`` as written: JSON escapes such as ``\\ud800`` reach the server unchanged."""
    return client.post(path, content=body.encode("ascii"), headers=JSON)


# --- 1. half a UTF-16 pair -------------------------------------------------------------------


@pytest.mark.parametrize("audit_text", [False, True])
def test_a_lone_surrogate_is_text_not_a_server_error(
    fake_client: Client, tmp_path: Path, audit_text: bool
) -> None:
    client = fake_client(audit_text=audit_text)
    r = raw_post(client, "/v1/triage", '{"text": "x \\ud800"}')
    assert r.status_code == 200, r.text
    r = raw_post(
        client, "/v1/suggest", '{"text": "pakket \\udc00 niet", "author_name": "A\\ud800"}'
    )
    assert r.status_code == 200, r.text
    rid = r.json()["request_id"]
    r = raw_post(
        client,
        "/v1/label",
        '{"items": [{"id": "\\ud800", "text": "x \\ud800"}, {"text": "  "}, {"text": "top"}]}',
    )
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [it["id"] for it in items] == ["\ufffd", None, None]  # echoed, as a character
    assert items[0]["triage"] and items[2]["triage"] and "leeg" in items[1]["error"]
    r = raw_post(client, "/v1/triage", '{"\\ud800": 1}')  # a field name is echoed in details
    assert error_of(r, 422, "validation_error") and "\ufffd" in r.text
    entry = Storage(f"sqlite:///{tmp_path / 'api-0.db'}").audit_entry(rid)
    assert entry is not None
    assert entry["comment"] == ("pakket \ufffd niet" if audit_text else None)


# --- 2. dates at the ends of the calendar ------------------------------------------------------


@pytest.mark.parametrize(
    "moment", ["9999-12-31T23:59:59", "9999-12-31T12:00:00-12:00", "0001-01-01T00:00:00+14:00"]
)
def test_posting_times_outside_2000_2099_are_refused(fake_client: Client, moment: str) -> None:
    r = fake_client().post(
        "/v1/suggest", json={"text": "Waar is mijn pakket?", "posted_at": moment}
    )
    error_of(r, 422, "validation_error")
    assert "2000–2099" in r.json()["error"]["details"][0]["message"]


def test_posting_times_are_strings_in_range(fake_client: Client) -> None:
    client = fake_client()
    for moment in ("2099-12-31T23:59:59-12:00", "2000-01-01T00:00:00+14:00", "2026-11-25T21:30"):
        r = client.post("/v1/suggest", json={"text": "Waar is mijn pakket?", "posted_at": moment})
        assert r.status_code == 200, (moment, r.text)
    for moment in (1700000000, "1700000000", "2026-02-30T10:00:00", True):
        r = client.post("/v1/suggest", json={"text": "Waar is mijn pakket?", "posted_at": moment})
        message = error_of(r, 422, "validation_error")
        assert message and r.json()["error"]["details"][0]["field"] == "posted_at"


# --- 3. privacy and exposure ------------------------------------------------------------------


def test_nothing_of_the_comment_is_stored_without_text_storage(
    fake_client: Client, tmp_path: Path
) -> None:
    client = fake_client()
    text = "Mijn bestelling 12345678 is niet geleverd, ik ga naar de advocaat."
    body = client.post("/v1/suggest", json={"text": text}).json()
    assert body["triage"]["flags"][0]["evidence"]  # the words are shown to the agent ...
    edited = "Wat vervelend, Noor! Stuur je ordernummer 87654321 in een privébericht? ^AB"
    r = client.post(
        "/v1/feedback",
        json={
            "request_id": body["request_id"],
            "action": "edited",
            "rank": 1,
            "final_text": edited,
        },
    )
    assert r.status_code == 201, r.text
    db = tmp_path / "api-0.db"
    rows = Storage(f"sqlite:///{db}").feedback()
    assert rows[0]["final_text"] is None and rows[0]["comment"] is None and rows[0]["strategy"]
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("api-0.db*"))
    for word in (b"12345678", b"87654321", b"advocaat", b"Noor"):
        assert word not in raw, word  # ... but not stored


def test_feedback_only_from_the_key_that_asked(fake_client: Client, tmp_path: Path) -> None:
    client = fake_client(listen_host="0.0.0.0")
    db = Storage(f"sqlite:///{tmp_path / 'api-0.db'}")
    _, mine = db.create_key("team A")
    _, theirs = db.create_key("team B")
    ask = client.post(
        "/v1/suggest", json={"text": "Pakket kwijt"}, headers={"Authorization": f"Bearer {mine}"}
    )
    feedback = {"request_id": ask.json()["request_id"], "action": "used", "rank": 1}
    other = client.post("/v1/feedback", json=feedback, headers={"X-API-Key": theirs})
    assert "voor deze API-sleutel" in error_of(other, 404, "unknown_request")
    own = client.post("/v1/feedback", json=feedback, headers={"X-API-Key": mine})
    assert own.status_code == 201, own.text
    assert len(db.feedback()) == 1


def test_a_key_in_the_address_is_refused(fake_client: Client) -> None:
    client = fake_client()
    for query in ("api_key=rsp_geheim", "token=x", "KEY="):
        r = client.get(f"/v1/playbook?{query}")
        assert "Authorization: Bearer" in error_of(r, 400, "api_key_in_url")
    assert client.get("/v1/playbook?taal=nl").status_code == 200


@pytest.mark.server
def test_the_access_log_has_no_query_strings(tmp_path: Path) -> None:
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    with live_server(fake_app(tmp_path / "log.db"), log_level="info") as url:
        keep = Keep()
        logging.getLogger("uvicorn.access").addHandler(keep)
        try:
            assert httpx.get(f"{url}/healthz?api_key=rsp_geheim").status_code == 400
            assert httpx.get(f"{url}/healthz?naam=Noor").status_code == 200
        finally:
            logging.getLogger("uvicorn.access").removeHandler(keep)
    assert len(lines) == 2 and all('"GET /healthz HTTP/1.1"' in line for line in lines), lines
    assert not any("geheim" in line or "Noor" in line for line in lines)


@contextmanager
def server(db: Path, plain: bool = False, **settings: object) -> Iterator[str]:
    with live_server(fake_app(db, **settings), plain=plain) as url:
        yield url


@pytest.mark.server
@pytest.mark.parametrize("plain", [False, True], ids=["responder-serve", "plain-uvicorn"])
def test_x_forwarded_for_from_loopback_does_not_escape_the_rate_limit(
    tmp_path: Path, plain: bool
) -> None:
    """uvicorn believes X-Forwarded-For from 127.0.0.1 by default; `responder serve` does not, and
    the app itself does not let such an address pick its own rate-limit bucket."""
    with server(tmp_path / "xff.db", plain, rate_limit_per_minute=3) as url:
        codes = [
            httpx.get(f"{url}/v1/playbook", headers={"X-Forwarded-For": f"10.0.0.{i}"}).status_code
            for i in range(5)
        ]
    assert codes == [200, 200, 200, 429, 429]


@pytest.mark.server
def test_x_forwarded_for_from_a_trusted_proxy_is_believed(tmp_path: Path) -> None:
    with server(tmp_path / "xff.db", rate_limit_per_minute=2, trusted_proxies="127.0.0.1") as url:
        codes = [
            httpx.get(
                f"{url}/v1/playbook", headers={"X-Forwarded-For": f"10.0.0.{i % 3}"}
            ).status_code
            for i in range(6)
        ]
    assert codes == [200, 200, 200, 200, 200, 200]  # three clients, two requests each


def test_only_known_host_names_are_answered(fake_client: Client) -> None:
    client = fake_client()
    for host in ("localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST."):
        assert client.get("/healthz", headers={"Host": host}).status_code == 200, host
    for host in ("rebind.example", "rebind.example:8000", "127.0.0.1.nip.io"):
        r = client.get("/v1/playbook", headers={"Host": host})
        assert "localhost" in error_of(r, 400, "unknown_host"), host
    named = fake_client(allowed_hosts="webcare.intern, [fd00::5]")
    for host in ("webcare.intern:8000", "[fd00::5]:8000", "localhost"):
        assert named.get("/healthz", headers={"Host": host}).status_code == 200, host
    error_of(named.get("/healthz", headers={"Host": "rebind.example"}), 400, "unknown_host")
    # On all interfaces keys are required (rebinding cannot supply one): any name is answered.
    anywhere = fake_client(listen_host="0.0.0.0")
    assert anywhere.get("/healthz", headers={"Host": "webcare.intern"}).status_code == 200


@pytest.mark.server
def test_a_rebound_name_gets_no_answer_from_a_real_server(fake_api: Start) -> None:
    url = fake_api()
    assert httpx.get(f"{url}/healthz").status_code == 200  # 127.0.0.1:<port>
    r = httpx.get(f"{url}/v1/playbook", headers={"Host": "rebind.example"})
    error_of(r, 400, "unknown_host")


@pytest.mark.server
def test_a_stalled_body_times_out(fake_api: Start) -> None:
    url = fake_api(body_timeout_seconds=1)
    port = int(url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(
            b"POST /v1/triage HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"text": "hal'
        )
        started, reply = time.monotonic(), b""
        while chunk := s.recv(4096):  # the server closes the connection after its answer
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 408 "), reply
    assert time.monotonic() - started < 5
    body = json.loads(reply.split(b"\r\n\r\n", 1)[1])
    assert body["error"]["code"] == "request_timeout" and "1 seconde " in body["error"]["message"]


def test_the_docs_are_served_from_this_server(fake_client: Client) -> None:
    client = fake_client()
    page = client.get("/docs")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self';" in csp and "unsafe" not in csp
    assert "http" not in page.text  # no CDN: every file from this server
    for asset in (
        "/docs/assets/swagger-ui-bundle.js",
        "/docs/assets/swagger-ui.css",
        "/static/docs.js",
    ):
        r = client.get(asset)
        assert r.status_code == 200 and len(r.content) > 100, asset
    assert client.get("/redoc").status_code == 404  # it would load from a CDN


# --- 4. the OpenAPI document tells the truth ---------------------------------------------------


def test_the_schema_states_what_the_server_refuses(fake_client: Client) -> None:
    client = fake_client(max_text_chars=300, max_batch=5)
    doc = client.get("/openapi.json").json()
    parts = doc["components"]["schemas"]
    for name in ("TriageRequest", "SuggestRequest"):
        text = parts[name]["properties"]["text"]
        assert text["minLength"] == 1 and text["maxLength"] == 300 and text["pattern"]
    items = parts["LabelRequest"]["properties"]["items"]
    assert items["minItems"] == 1 and items["maxItems"] == 5
    channel = parts["SuggestRequest"]["properties"]["channel"]["anyOf"][0]
    assert {"x", "facebook"} <= set(channel["enum"])
    assert "404" in doc["paths"]["/v1/feedback"]["post"]["responses"]
    assert "422" not in doc["paths"]["/healthz"]["get"]["responses"]
    # ... and the server refuses exactly that.
    error_of(client.post("/v1/triage", json={"text": ""}), 422, "invalid_input")
    error_of(client.post("/v1/triage", json={"text": " \u200b "}), 422, "invalid_input")
    long = client.post("/v1/triage", json={"text": "a" + " " * 300})  # too long as sent
    assert "maximaal 300" in error_of(long, 422, "invalid_input")
    error_of(client.post("/v1/label", json={"items": []}), 422, "validation_error")


def test_405_says_which_methods_are_allowed(fake_client: Client) -> None:
    client = fake_client()
    for method, path, allowed in (
        ("GET", "/v1/suggest", "POST"),
        ("PUT", "/v1/triage", "POST"),
        ("POST", "/v1/playbook", "GET"),
    ):
        r = client.request(method, path, json={})
        error_of(r, 405, "method_not_allowed")
        assert r.headers["allow"] == allowed


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/label", {"items": [{"id": False, "text": "a"}]}, "items.0.id"),
        ("/v1/label", {"items": [{"id": 1.5, "text": "a"}]}, "items.0.id"),
        ("/v1/feedback", {"request_id": "0" * 32, "action": "used", "rank": True}, "rank"),
        ("/v1/feedback", {"request_id": "0" * 32, "action": "used", "rank": "1"}, "rank"),
        ("/v1/suggest", {"text": "hoi", "private": "true"}, "private"),
        ("/v1/suggest", {"text": "hoi", "channel": ""}, "channel"),
    ],
)
def test_types_are_strict(fake_client: Client, path: str, body: object, field: str) -> None:
    r = fake_client().post(path, json=body)
    error_of(r, 422, "validation_error")
    assert field in [d["field"] for d in r.json()["error"]["details"]], r.text


def test_whole_numbers_may_be_written_as_floats(fake_client: Client) -> None:
    r = fake_client().post("/v1/label", json={"items": [{"id": 7.0, "text": "top"}]})
    assert r.status_code == 200 and r.json()["items"][0]["id"] == 7


# --- 5. sixteen clients at once ---------------------------------------------------------------


@pytest.mark.server
def test_sixteen_clients_at_once_get_no_errors(fake_api: Start, tmp_path: Path) -> None:
    """16 clients, each with its own key, through every endpoint against one uvicorn server
    (keys required, comment text stored): every answer as expected, every record kept."""
    url = fake_api(listen_host="0.0.0.0", rate_limit_per_minute=0, audit_text=True)
    db = Storage(f"sqlite:///{tmp_path / 'api-0.db'}")
    secrets = [db.create_key(f"client {n}")[1] for n in range(16)]

    def client(n: int) -> list[str]:
        problems: list[str] = []
        auth = {"Authorization": f"Bearer {secrets[n]}"}
        other = {"Authorization": f"Bearer {secrets[(n + 1) % 16]}"}

        def expect(r: httpx.Response, status: int) -> httpx.Response:
            if r.status_code != status:
                problems.append(
                    f"{r.request.method} {r.request.url.path}: {r.status_code} {r.text}"
                )
            return r

        with httpx.Client(base_url=url, timeout=60, headers=auth) as c:
            for i in range(3):
                text = f"Klant {n}-{i}: mijn pakket 📦 is niet geleverd"
                expect(c.post("/v1/triage", json={"text": text}), 200)
                rid = expect(c.post("/v1/suggest", json={"text": text, "channel": "x"}), 200)
                labelled = expect(
                    c.post("/v1/label", json={"items": [{"id": i, "text": text}]}), 200
                )
                if labelled.status_code == 200 and labelled.json()["labelled"] != 1:
                    problems.append(f"label: {labelled.text}")
                feedback = {
                    "request_id": rid.json().get("request_id", "x" * 32),
                    "action": "used",
                    "rank": 1,
                }
                expect(c.post("/v1/feedback", json=feedback, headers=other), 404)
                expect(c.post("/v1/feedback", json=feedback), 201)
                expect(c.get("/v1/playbook"), 200)
        return problems

    with ThreadPoolExecutor(16) as pool:
        problems = [p for found in pool.map(client, range(16)) for p in found]
    assert problems == []
    assert len(db.feedback()) == 16 * 3
    assert {row["key_id"] for row in db.feedback()} == {k.id for k in db.list_keys()}


@pytest.mark.server
@pytest.mark.browser
def test_swagger_ui_works_offline_under_its_policy(fake_api: Start) -> None:
    """Chromium opens /docs: Swagger UI lists the operations, with every file from this server and
    no Content-Security-Policy violation."""
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("needs Debian chromium at /usr/bin/chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    url = fake_api()
    requests: list[str] = []
    problems: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on(
                "console",
                lambda m: problems.append(m.text) if m.type in ("error", "warning") else None,
            )
            page.goto(f"{url}/docs")
            sync_api.expect(page.locator(".opblock-summary-path").first).to_be_visible()
            paths = page.locator(".opblock-summary-path").all_inner_texts()
        finally:
            browser.close()
    assert {"/v1/suggest", "/v1/feedback"} <= {p.strip() for p in paths}, paths
    assert all(r.startswith(url + "/") or r.startswith("data:") for r in requests), requests
    assert problems == [], problems
