"""The HTTP API: every endpoint, auth, limits, bad input (never a 500) and feedback in process
(FastAPI's TestClient over the ASGI app, lifespan entered); a real uvicorn server on loopback
(``server`` marker) for one request per endpoint over a socket, CORS, concurrency, a bounded
load check and the ``responder serve`` / ``responder keys`` commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest
from fastapi.testclient import TestClient
from live_server import free_port

from responder.storage import Storage

Start = Callable[..., str]
Client = Callable[..., TestClient]


class Reply(Protocol):
    """An HTTP response: httpx's over a socket, or the TestClient's in process."""

    @property
    def status_code(self) -> int: ...

    @property
    def text(self) -> str: ...

    def json(self, **kwargs: Any) -> Any: ...


def error_of(r: Reply, status: int, code: str) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and body["error"]["code"] == code, body
    message: str = body["error"]["message"]
    assert message
    return message


# --- in process: the ASGI app through TestClient ------------------------------------------------


def test_suggest_triage_plan_and_suggestions(fake_client: Client) -> None:
    client = fake_client()
    r = client.post(
        "/v1/suggest",
        json={
            "text": "Kun je kijken waar mijn pakket blijft? Ik wacht al weken, ik ga naar de advocaat.",
            "channel": "x",
            "author_name": "Noor Voorbeeld",
            "posted_at": "2026-11-28T22:05:00+01:00",
            "initials": "AB",
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["request_id"]) == 32
    assert body["triage"]["register"]["label"] == "je"
    plan = body["plan"]
    assert plan["priority"] == "P1" and plan["situation"] == "juridische_dreiging"
    assert plan["deadline"] == "2026-11-28T23:05:00+01:00"
    assert all(s["why"] for s in plan["steps"])
    suggestions = body["suggestions"]
    assert len(suggestions) >= 3
    assert all(len(s["text"]) <= 280 and s["text"].endswith("^AB") for s in suggestions)
    assert all(
        s["register"] == "je" and all(g["passed"] for g in s["guardrails"]) for s in suggestions
    )
    assert any(s["text"].startswith("Hoi Noor!") for s in suggestions)


def test_triage_label_playbook_health(fake_client: Client) -> None:
    client = fake_client()
    r = client.post("/v1/triage", json={"text": "Top service, bedankt!"})
    assert r.status_code == 200 and r.json()["triage"]["sentiment"]["label"] == "positive"
    items = [{"id": "a", "text": "Pakket niet geleverd"}, {"text": "  "}, {"id": 7, "text": "Top!"}]
    r = client.post("/v1/label", json={"items": items})
    body = r.json()
    assert r.status_code == 200 and body["labelled"] == 2 and body["errors"] == 1
    assert [it["index"] for it in body["items"]] == [0, 1, 2]
    assert [it["id"] for it in body["items"]] == ["a", None, 7]
    assert body["items"][1]["triage"] is None and "leeg" in body["items"][1]["error"]
    pb = client.get("/v1/playbook").json()
    assert pb["version"] and {c["id"] for c in pb["channels"]} >= {"x", "facebook", "tiktok"}
    assert pb["max_text_chars"] == 5000 and pb["timezone"] == "Europe/Amsterdam"
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["auth_required"] is False
    docs = client.get("/openapi.json").json()
    names = set(docs["components"]["schemas"])
    assert {"SuggestRequest", "SuggestPublic", "ErrorPublic", "FeedbackRequest"} <= names
    assert client.get("/docs").status_code == 200
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]


def test_feedback_is_stored_and_checked(fake_client: Client, tmp_path: Path) -> None:
    client = fake_client(audit_text=True)
    rids = [
        client.post("/v1/suggest", json={"text": "Mijn pakket is niet geleverd."}).json()[
            "request_id"
        ]
        for _ in range(3)
    ]
    rid = rids[0]
    used = client.post("/v1/feedback", json={"request_id": rid, "action": "used", "rank": 1})
    assert used.status_code == 201 and used.json()["action"] == "used"
    edited = client.post(
        "/v1/feedback",
        json={
            "request_id": rids[1],
            "action": "edited",
            "rank": 2,
            "final_text": "Aangepaste tekst ^AB",
        },
    )
    assert edited.status_code == 201
    rejected = client.post("/v1/feedback", json={"request_id": rids[2], "action": "rejected"})
    assert rejected.status_code == 201
    # One outcome per comment: a second one replaces the first (same id).
    again = client.post("/v1/feedback", json={"request_id": rids[2], "action": "rejected"})
    assert again.status_code == 201 and again.json()["id"] == rejected.json()["id"]
    error_of(
        client.post("/v1/feedback", json={"request_id": "0" * 32, "action": "rejected"}),
        404,
        "unknown_request",
    )
    error_of(
        client.post("/v1/feedback", json={"request_id": rid, "action": "used"}),
        422,
        "validation_error",
    )
    error_of(
        client.post("/v1/feedback", json={"request_id": rid, "action": "used", "rank": 9}),
        422,
        "validation_error",
    )
    error_of(
        client.post("/v1/feedback", json={"request_id": rid, "action": "edited", "rank": 1}),
        422,
        "validation_error",
    )
    error_of(
        client.post("/v1/feedback", json={"request_id": rid, "action": "liked", "rank": 1}),
        422,
        "validation_error",
    )
    db = Storage(f"sqlite:///{tmp_path / 'api-0.db'}")
    rows = db.feedback()
    assert [r["action"] for r in rows] == ["used", "edited", "rejected"]
    assert rows[1]["final_text"] == "Aangepaste tekst ^AB" and rows[1]["strategy"]
    assert rows[0]["comment"] == "Mijn pakket is niet geleverd."  # audit_text on
    entry = db.audit_entry(rid)
    assert entry is not None and entry["plan"]["situation"] and entry["suggestions"]


def test_no_comment_text_in_the_audit_log_by_default(fake_client: Client, tmp_path: Path) -> None:
    client = fake_client()
    text = "Mijn pakket met ordernummer 12345678 is niet geleverd."
    rid = client.post("/v1/suggest", json={"text": text}).json()["request_id"]
    client.post("/v1/triage", json={"text": text})
    db_file = tmp_path / "api-0.db"
    entry = Storage(f"sqlite:///{db_file}").audit_entry(rid)
    assert entry is not None and entry["comment"] is None and entry["triage"]["intent"]
    raw = db_file.read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("api-0.db-wal"))
    assert b"12345678" not in raw


def test_keys_required_beyond_loopback_and_when_asked(fake_client: Client, tmp_path: Path) -> None:
    client = fake_client(listen_host="0.0.0.0")  # as if listening on all interfaces
    assert client.get("/readyz").json()["auth_required"] is True
    text = {"text": "Waar blijft mijn pakket?"}
    error_of(client.post("/v1/triage", json=text), 401, "missing_api_key")
    error_of(
        client.post("/v1/triage", json=text, headers={"Authorization": "Bearer rsp_fout"}),
        401,
        "invalid_api_key",
    )
    db = Storage(f"sqlite:///{tmp_path / 'api-0.db'}")
    key, secret = db.create_key("test")
    assert (
        client.post(
            "/v1/triage", json=text, headers={"Authorization": f"Bearer {secret}"}
        ).status_code
        == 200
    )
    assert client.post("/v1/triage", json=text, headers={"X-API-Key": secret}).status_code == 200
    assert client.get("/healthz").status_code == 200  # probes need no key
    db.revoke_key(key.id)
    error_of(
        client.post("/v1/triage", json=text, headers={"Authorization": f"Bearer {secret}"}),
        401,
        "invalid_api_key",
    )
    # Beyond loopback the setting cannot switch keys off.
    client2 = fake_client(listen_host="0.0.0.0", require_api_key=False)
    error_of(client2.post("/v1/triage", json=text), 401, "missing_api_key")
    # On loopback it can switch them on.
    client3 = fake_client(require_api_key=True)
    error_of(client3.post("/v1/triage", json=text), 401, "missing_api_key")


def test_limits_and_bad_input_get_clear_json_errors(fake_client: Client) -> None:
    client = fake_client(max_body_bytes=20_000, max_batch=5, max_text_chars=300)
    post = client.post
    assert "te lang" in error_of(post("/v1/triage", json={"text": "x" * 301}), 422, "invalid_input")
    error_of(post("/v1/triage", json={"text": ""}), 422, "invalid_input")
    error_of(post("/v1/triage", json={"text": 5}), 422, "validation_error")
    error_of(post("/v1/triage", json={"txt": "hoi"}), 422, "validation_error")
    error_of(post("/v1/triage", json=["hoi"]), 422, "validation_error")
    error_of(
        post("/v1/triage", content=b'{"text": ', headers={"Content-Type": "application/json"}),
        400,
        "invalid_json",
    )
    error_of(
        post(
            "/v1/triage",
            content=b'{"text": "\xff\xfe"}',
            headers={"Content-Type": "application/json"},
        ),
        400,
        "invalid_json",
    )
    error_of(
        post(
            "/v1/triage",
            content=b"text=hoi",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ),
        415,
        "unsupported_media_type",
    )
    error_of(post("/v1/triage", content=b'{"text": "hoi"}'), 415, "unsupported_media_type")
    error_of(post("/v1/triage", json={"text": "a" * 30_000}), 413, "body_too_large")

    def chunks() -> Iterator[bytes]:
        for _ in range(30):
            yield b" " * 1000  # no Content-Length: counted while streaming

    error_of(
        post("/v1/triage", content=chunks(), headers={"Content-Type": "application/json"}),
        413,
        "body_too_large",
    )
    error_of(post("/v1/label", json={"items": [{"text": "hoi"}] * 6}), 413, "too_many_items")
    error_of(post("/v1/label", json={"items": []}), 422, "validation_error")
    error_of(post("/v1/suggest", json={"text": "hoi", "channel": "myspace"}), 422, "invalid_input")
    error_of(
        post("/v1/suggest", json={"text": "hoi", "posted_at": "gisteren"}), 422, "validation_error"
    )
    error_of(post("/v1/suggest", json={"text": "hoi", "initials": "<b>"}), 422, "validation_error")
    error_of(client.get("/v1/onbekend"), 404, "not_found")
    error_of(client.get("/v1/suggest"), 405, "method_not_allowed")
    # Unicode oddities are text, not errors.
    ok = post(
        "/v1/suggest",
        json={"text": "Pakket 📦 niet geleverd \u200b\u0000 <script>alert(1)</script>"},
    )
    assert ok.status_code == 200, ok.text


def test_rate_limit_per_key(fake_client: Client) -> None:
    client = fake_client(rate_limit_per_minute=5)
    codes = [client.get("/v1/playbook").status_code for _ in range(7)]
    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
    r = client.get("/v1/playbook")
    assert int(r.headers["retry-after"]) >= 1 and "per minuut" in error_of(r, 429, "rate_limited")


@pytest.mark.parametrize("path", ["/v1/triage", "/v1/suggest", "/v1/label", "/v1/feedback"])
def test_fuzzed_bodies_never_cause_a_500(fake_client: Client, path: str) -> None:
    client = fake_client(rate_limit_per_minute=0)
    bodies: list[object] = [
        None,
        0,
        "tekst",
        [],
        {},
        {"text": None},
        {"text": ["a"]},
        {"items": "a"},
        {"items": [{"text": 3}]},
        {"request_id": 5},
        {"text": "\ud800"},
        {"text": "a", "extra": 1},
    ]
    for body in bodies:
        r = client.post(
            path, content=json.dumps(body), headers={"Content-Type": "application/json"}
        )
        assert r.status_code < 500, (body, r.text)
        if r.status_code >= 400:
            assert "error" in r.json()


def test_page_headers(fake_client: Client) -> None:
    client = fake_client()
    page = client.get("/")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert (
        page.headers["cache-control"] == "no-cache"
        and page.headers["x-content-type-options"] == "nosniff"
    )
    api = client.get("/healthz")
    assert (
        api.headers["x-content-type-options"] == "nosniff"
        and "content-security-policy" not in api.headers
    )


# --- a real uvicorn server on loopback, and the installed script ---------------------------------


@pytest.mark.server
def test_every_endpoint_over_a_real_socket(fake_api: Start, tmp_path: Path) -> None:
    """One request per endpoint through uvicorn: what the in-process tests check, over HTTP."""
    url = fake_api(audit_text=True)
    with httpx.Client(base_url=url, timeout=30) as c:
        assert c.get("/healthz").json() == {"status": "ok"}
        assert c.get("/readyz").json()["status"] == "ready"
        page = c.get("/")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert c.get("/docs").status_code == 200
        assert "SuggestPublic" in c.get("/openapi.json").json()["components"]["schemas"]
        assert c.get("/v1/playbook").json()["timezone"] == "Europe/Amsterdam"
        triage = c.post("/v1/triage", json={"text": "Top service, bedankt!"})
        assert triage.status_code == 200
        assert triage.json()["triage"]["sentiment"]["label"] == "positive"
        label = c.post(
            "/v1/label", json={"items": [{"text": "Pakket niet geleverd"}, {"text": ""}]}
        )
        assert label.status_code == 200 and label.json()["labelled"] == 1
        suggest = c.post("/v1/suggest", json={"text": "Mijn pakket is niet geleverd."})
        assert suggest.status_code == 200 and len(suggest.json()["suggestions"]) >= 3
        rid = suggest.json()["request_id"]
        used = c.post("/v1/feedback", json={"request_id": rid, "action": "used", "rank": 1})
        assert used.status_code == 201
        error_of(c.post("/v1/triage", json={"text": ""}), 422, "invalid_input")
        error_of(c.get("/v1/onbekend"), 404, "not_found")
    db = Storage(f"sqlite:///{tmp_path / 'api-0.db'}")
    assert [r["action"] for r in db.feedback()] == ["used"]
    assert db.audit_entry(rid) is not None
    db.close()


@pytest.mark.server
def test_cors_allow_list(fake_api: Start) -> None:
    ext = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"
    url = fake_api(cors_origins=f"{ext}, https://tools.example.nl")
    pre = httpx.options(
        f"{url}/v1/suggest",
        headers={
            "Origin": ext,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == ext
    r = httpx.get(f"{url}/healthz", headers={"Origin": ext})
    assert "retry-after" in r.headers["access-control-expose-headers"].lower()
    r = httpx.post(
        f"{url}/v1/triage", json={"text": "Hoi"}, headers={"Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in r.headers
    none = fake_api()
    r = httpx.post(f"{none}/v1/triage", json={"text": "Hoi"}, headers={"Origin": ext})
    assert "access-control-allow-origin" not in r.headers  # nothing allowed by default


@pytest.mark.server
def test_concurrent_requests_and_health_stays_responsive(fake_api: Start) -> None:
    url = fake_api(rate_limit_per_minute=0)
    texts = [f"Mijn pakket {i} is niet geleverd, kun je kijken?" for i in range(48)]
    with httpx.Client(base_url=url, timeout=30) as client, ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda t: client.post("/v1/suggest", json={"text": t}), texts))
        health = client.get("/healthz")
    assert health.status_code == 200
    assert [r.status_code for r in results] == [200] * len(texts)
    assert len({r.json()["request_id"] for r in results}) == len(texts)
    assert all(len(r.json()["suggestions"]) >= 3 for r in results)


@pytest.mark.server
def test_short_load_check_has_zero_errors(fake_api: Start) -> None:
    """Bounded: 200 requests at 16 clients or 20 s, whichever first; loopback only."""
    url = fake_api(rate_limit_per_minute=0)
    stop = time.monotonic() + 20
    errors: list[str] = []

    def client_loop(n: int) -> int:
        done = 0
        with httpx.Client(base_url=url, timeout=30) as c:
            for i in range(n):
                if time.monotonic() > stop:
                    break
                r = c.post(
                    "/v1/suggest",
                    json={"text": f"De app doet het niet ({i}), wat nu?", "channel": "x"},
                )
                if r.status_code != 200:
                    errors.append(r.text)
                done += 1
        return done

    with ThreadPoolExecutor(16) as pool:
        total = sum(pool.map(client_loop, [13] * 16))
    assert errors == [] and total >= 16


@pytest.mark.server
def test_serve_command_with_a_real_model(tiny_model: Path, tmp_path: Path) -> None:
    """`responder serve` as a user runs it: loads the model once, answers, stops on SIGTERM."""
    port = free_port()
    env = {
        **os.environ,
        "RESPONDER_MODEL_PATH": str(tiny_model),
        "RESPONDER_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
    }
    responder = str(Path(sys.executable).parent / "responder")
    proc = subprocess.Popen(
        [responder, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.3)
        r = httpx.post(
            f"{url}/v1/suggest", json={"text": "Kunt u kijken waar mijn pakket blijft?"}, timeout=60
        )
        assert r.status_code == 200 and len(r.json()["suggestions"]) >= 3, r.text
        assert r.json()["plan"]["register"] == "u"
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert "luistert op http://localhost" in out
    assert "pakket" not in out  # no comment text in the server log


@pytest.mark.server
def test_serve_without_a_model_fails_clearly(tmp_path: Path) -> None:
    env = {**os.environ, "RESPONDER_MODEL_PATH": str(tmp_path / "geen-model")}
    responder = str(Path(sys.executable).parent / "responder")
    r = subprocess.run(
        [responder, "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 3 and "Geen triagemodel" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.server
def test_keys_commands(tmp_path: Path) -> None:
    env = {**os.environ, "RESPONDER_DATABASE_URL": f"sqlite:///{tmp_path / 'keys.db'}"}
    responder = str(Path(sys.executable).parent / "responder")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [responder, "keys", *args], env=env, capture_output=True, text=True, timeout=60
        )

    created = run("create", "extensie team A")
    secret = created.stdout.strip()
    assert (
        created.returncode == 0
        and secret.startswith("rsp_")
        and "niet opnieuw getoond" in created.stderr
    )
    listed = run("list")
    assert (
        "extensie team A" in listed.stdout
        and "actief" in listed.stdout
        and secret not in listed.stdout
    )
    assert run("revoke", "1").returncode == 0 and "ingetrokken" in run("list").stdout
    bad = run("revoke", "99")
    assert bad.returncode == 2 and "Geen sleutel met id 99" in bad.stderr
    assert secret.encode() not in (tmp_path / "keys.db").read_bytes()  # only the hash is stored
    assert json.dumps(secret)  # a printable string


@pytest.mark.server
def test_unsupported_database_url(tmp_path: Path) -> None:
    env = {**os.environ, "RESPONDER_DATABASE_URL": "postgresql://db.example.nl/responder"}
    responder = str(Path(sys.executable).parent / "responder")
    r = subprocess.run(
        [responder, "keys", "list"], env=env, capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 4 and "niet ondersteund" in r.stderr
