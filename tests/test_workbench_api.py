"""The agent's workbench API (issue 17): label overrides on /v1/suggest, /v1/check, the team
queue, one outcome per comment, label corrections, retention with a movable clock, escalation
info and /v1/monitor. In process (TestClient) for the details; a real uvicorn server on
loopback (``server`` marker) for every new endpoint over a socket."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import FakeClassifier
from fastapi.testclient import TestClient
from live_server import live_server

from responder.labels import FLAGS, INTENTS, SENTIMENTS, TOPICS
from responder.protocols import HeadScores
from responder.storage import Storage

LATE = "Mijn pakket is niet geleverd."
LEAK = "Ik zag gegevens van een ander in mijn account, niet normaal."


class Clock:
    """A clock the test moves on."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


class PrivacyClassifier(FakeClassifier):
    """The fake classifier, which also (wrongly, say) raises privacy_incident on 'gegevens'."""

    def predict(self, texts: Sequence[str], batch_size: int = 32) -> list[HeadScores]:
        out = super().predict(texts, batch_size)
        for text, scores in zip(texts, out, strict=True):
            if "gegevens" in text.lower():
                scores.flags["privacy_incident"] = 0.9
        return out


def make_app(db: Path, clock: Clock | None = None, **overrides: object) -> Any:
    from responder.advice.playbook import load_playbook
    from responder.api import create_app
    from responder.assistant import Assistant
    from responder.config import Settings
    from responder.triage.service import TriageService

    settings = Settings(database_url=f"sqlite:///{db}", **overrides)  # type: ignore[arg-type]
    assistant = Assistant(TriageService(PrivacyClassifier(), settings), load_playbook())
    if clock is None:
        return create_app(settings, assistant)
    return create_app(settings, assistant, clock=clock)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    with ExitStack() as stack:
        count = [0]

        def start(clock: Clock | None = None, **overrides: object) -> TestClient:
            count[0] += 1
            app = make_app(tmp_path / f"wb-{count[0]}.db", clock, **overrides)
            return stack.enter_context(TestClient(app, base_url="http://localhost"))

        yield start


def error_code(r: Any, status: int) -> str:
    assert r.status_code == status, r.text
    message = r.json()["error"]["message"]
    assert message
    code: str = r.json()["error"]["code"]
    return code


# --- label overrides ----------------------------------------------------------------------------


def test_adding_legal_threat_makes_it_p1_for_the_legal_team(
    client: Callable[..., TestClient],
) -> None:
    c = client()
    plain = c.post("/v1/suggest", json={"text": LATE}).json()
    assert plain["plan"]["priority"] != "P1" and plain["corrected"] == []
    assert plain["triage"]["model_labels"] == {}
    fixed = c.post("/v1/suggest", json={"text": LATE, "labels": {"flags": ["legal_threat"]}})
    assert fixed.status_code == 200, fixed.text
    body = fixed.json()
    plan = body["plan"]
    assert plan["priority"] == "P1" and plan["situation"] == "juridische_dreiging"
    assert plan["route"]["id"] == "juridisch"
    assert body["corrected"] == ["flags"]
    assert [f["label"] for f in body["triage"]["flags"]] == ["legal_threat"]
    assert body["triage"]["model_labels"] == {"flags": [], "possible_flags": []}
    assert body["suggestions"] and all(
        all(g["passed"] for g in s["guardrails"]) for s in body["suggestions"]
    )
    # Escalation made visible: webcare posts, the legal team is reached through its form.
    assert plan["posted_by"]["team"] == "webcare" and plan["posted_by"]["own_team"] is True
    legal = next(t for t in plan["escalate_to"] if t["team"] == "juridisch")
    assert legal["contact"] == "escalatieformulier Juridische zaken"
    assert "Juridische zaken" in plan["escalation_text"]


def test_removing_a_false_privacy_incident_removes_the_privacy_steps(
    client: Callable[..., TestClient],
) -> None:
    c = client()
    flagged = c.post("/v1/suggest", json={"text": LEAK}).json()
    assert flagged["plan"]["situation"] == "privacyincident"
    assert any("privacyteam" in s["do"] for s in flagged["plan"]["steps"])
    fixed = c.post("/v1/suggest", json={"text": LEAK, "labels": {"flags": []}}).json()
    assert fixed["corrected"] == ["flags"]
    assert fixed["plan"]["situation"] != "privacyincident"
    assert fixed["plan"]["route"]["id"] != "privacy"
    assert not any("privacyteam" in s["do"] for s in fixed["plan"]["steps"])
    said = fixed["triage"]["model_labels"]["flags"]
    assert [f["label"] for f in said] == ["privacy_incident"]


def test_single_heads_are_overridden_and_checked(client: Callable[..., TestClient]) -> None:
    c = client()
    body = c.post(
        "/v1/suggest",
        json={"text": LATE, "labels": {"sentiment": "negative", "topic": "billing"}},
    ).json()
    assert body["corrected"] == ["topic"]  # negative was the model's own label
    assert body["triage"]["topic"]["label"] == "billing"
    assert body["triage"]["topic"]["probability"] == 1.0
    assert body["triage"]["model_labels"]["topic"]["label"] == "delivery"
    assert "topic" not in body["triage"]["low_confidence"]
    for labels, field in (
        ({"topic": "weer"}, "labels.topic"),
        ({"flags": ["boos"]}, "labels.flags"),
        ({"mood": "x"}, "labels.mood"),
    ):
        r = c.post("/v1/suggest", json={"text": LATE, "labels": labels})
        assert error_code(r, 422) == "validation_error"
        assert r.json()["error"]["details"][0]["field"].startswith(field)


# --- check --------------------------------------------------------------------------------------


def test_check_reports_failures_inline(client: Callable[..., TestClient]) -> None:
    c = client()
    good = c.post("/v1/suggest", json={"text": LATE, "channel": "x"}).json()["suggestions"][0]
    r = c.post("/v1/check", json={"comment": LATE, "reply": good["text"], "channel": "x"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["passed"] is True and body["failures"] == []
    assert body["max_length"] == 280 and body["length"] == len(good["text"])
    assert {ch["check"] for ch in body["checks"]} >= {"register", "length", "personal_data"}
    bad = "U krijgt een vergoeding van ons. Stuur je adres en telefoonnummer! " * 5
    body = c.post("/v1/check", json={"comment": LATE, "reply": bad, "channel": "x"}).json()
    failed = {f["check"] for f in body["failures"]}
    assert body["passed"] is False
    assert {"register", "length", "no_compensation_promise", "personal_data"} <= failed
    assert all(f["message"] for f in body["failures"])


def test_check_follows_corrected_labels_and_must_say(client: Callable[..., TestClient]) -> None:
    c = client()
    reply = "Dank u voor uw bericht. We zoeken het voor u uit."
    plain = c.post("/v1/check", json={"comment": LATE, "reply": reply}).json()
    assert plain["passed"] is True, plain
    unsafe = c.post(
        "/v1/check",
        json={
            "comment": "Ik ruik gas bij de meter.",
            "reply": reply,
            "labels": {"flags": ["safety"]},
        },
    ).json()
    # The safety situation asks every reply to say what to do; the edited one does not.
    assert unsafe["passed"] is False
    assert "must_say" in {f["check"] for f in unsafe["failures"]}


# --- queue --------------------------------------------------------------------------------------


def test_queue_is_sorted_by_deadline_and_filterable(client: Callable[..., TestClient]) -> None:
    c = client(audit_text=True)
    first = c.post(
        "/v1/queue", json={"text": LATE, "posted_at": "2026-11-25T10:00:00+01:00", "channel": "x"}
    )
    assert first.status_code == 201, first.text
    urgent = c.post(
        "/v1/queue",
        json={"text": "Ik ga naar de advocaat, " + LATE, "posted_at": "2026-11-25T10:30"},
    ).json()
    later = c.post("/v1/queue", json={"text": LATE, "posted_at": "2026-11-25T10:20"}).json()
    items = c.get("/v1/queue").json()["items"]
    assert [i["id"] for i in items] == [urgent["id"], first.json()["id"], later["id"]]
    assert [i["deadline"] for i in items] == sorted(i["deadline"] for i in items)
    assert urgent["priority"] == "P1" and all(i["overdue"] for i in items)  # 2026-11-25 has passed
    assert items[0]["text"].startswith("Ik ga naar de advocaat") and items[0]["preview"]
    p1 = c.get("/v1/queue", params={"priority": "P1"}).json()["items"]
    assert [i["id"] for i in p1] == [urgent["id"]]
    done = c.patch(f"/v1/queue/{urgent['id']}", json={"status": "answered", "outcome": "edited"})
    assert done.status_code == 200 and done.json()["status"] == "answered"
    assert done.json()["handled_at"] and done.json()["overdue"] is False
    assert [i["id"] for i in c.get("/v1/queue").json()["items"]] == [
        first.json()["id"],
        later["id"],
    ]
    answered = c.get("/v1/queue", params={"status": "answered"}).json()["items"]
    assert [i["outcome"] for i in answered] == ["edited"]
    assert len(c.get("/v1/queue", params={"status": "all"}).json()["items"]) == 3
    assert error_code(c.patch("/v1/queue/999", json={"status": "answered"}), 404) == "unknown_item"
    assert error_code(c.get("/v1/queue", params={"status": "weg"}), 422) == "validation_error"


def test_queue_keeps_no_text_unless_asked(
    client: Callable[..., TestClient], tmp_path: Path
) -> None:
    c = client()
    text = "Mijn pakket met ordernummer 12345678 is niet geleverd."
    item = c.post("/v1/suggest", json={"text": text, "queue": True}).json()["queue_item"]
    assert item["text"] is None and item["preview"] is None
    assert item["summary"]["sentiment"] == "negative"
    c.patch(f"/v1/queue/{item['id']}", json={"status": "answered", "final_text": "Tekst 12345678"})
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("wb-1.db*"))
    assert b"12345678" not in raw


def test_queue_is_per_key(tmp_path: Path) -> None:
    from responder.advice.playbook import load_playbook
    from responder.api import create_app
    from responder.assistant import Assistant
    from responder.config import Settings
    from responder.triage.service import TriageService

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'keys.db'}", require_api_key=True)
    assistant = Assistant(TriageService(FakeClassifier(), settings), load_playbook())
    with TestClient(create_app(settings, assistant), base_url="http://localhost") as c:
        db = Storage(settings.database_url)
        _, a = db.create_key("team a")
        _, b = db.create_key("team b")
        team_a, team_b = {"Authorization": f"Bearer {a}"}, {"Authorization": f"Bearer {b}"}
        item = c.post("/v1/queue", json={"text": LATE}, headers=team_a).json()
        assert len(c.get("/v1/queue", headers=team_a).json()["items"]) == 1
        assert c.get("/v1/queue", headers=team_b).json()["items"] == []
        r = c.patch(f"/v1/queue/{item['id']}", json={"status": "answered"}, headers=team_b)
        assert error_code(r, 404) == "unknown_item"
        r = c.post(
            "/v1/corrections",
            json={"request_id": item["request_id"], "labels": {"topic": "billing"}},
            headers=team_b,
        )
        assert error_code(r, 404) == "unknown_request"


def test_retention_deletes_old_rows(client: Callable[..., TestClient], tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 11, 1, 9, 0, tzinfo=UTC))
    c = client(clock, audit_text=True, retention_days=30)
    old = c.post("/v1/suggest", json={"text": LATE, "queue": True}).json()
    c.post(
        "/v1/corrections", json={"request_id": old["request_id"], "labels": {"topic": "billing"}}
    )
    c.post("/v1/feedback", json={"request_id": old["request_id"], "action": "rejected"})
    clock.now += timedelta(days=20)
    recent = c.post("/v1/suggest", json={"text": LATE, "queue": True}).json()
    db = Storage(f"sqlite:///{tmp_path / 'wb-1.db'}")
    assert len(db.corrections()) == 1 and db.audit_entry(old["request_id"]) is not None
    clock.now += timedelta(days=11)  # the first comment is now 31 days old, the second 11
    items = c.get("/v1/queue", params={"status": "all"}).json()["items"]
    assert [i["id"] for i in items] == [recent["queue_item"]["id"]]
    assert db.audit_entry(old["request_id"]) is None
    assert db.audit_entry(recent["request_id"]) is not None
    assert db.corrections() == [] and db.feedback() == []
    clock.now += timedelta(minutes=30)  # at most hourly: nothing more to do, nothing breaks
    assert len(c.get("/v1/queue").json()["items"]) == 1


def test_retention_zero_keeps_everything(tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 1, 1, tzinfo=UTC))
    db = Storage(f"sqlite:///{tmp_path / 'keep.db'}", clock)
    db.audit("r1", "suggest", None, {"x": 1})
    clock.now += timedelta(days=400)
    assert db.apply_retention(0) == {}
    assert db.audit_entry("r1") is not None
    assert db.apply_retention(30)["audit"] == 1


# --- one outcome per comment, corrections ---------------------------------------------------------


def test_a_second_outcome_replaces_the_first(
    client: Callable[..., TestClient], tmp_path: Path
) -> None:
    c = client(audit_text=True)
    body = c.post("/v1/suggest", json={"text": LATE, "queue": True}).json()
    rid = body["request_id"]
    first = c.post("/v1/feedback", json={"request_id": rid, "action": "used", "rank": 1}).json()
    second = c.post(
        "/v1/feedback",
        json={"request_id": rid, "action": "edited", "rank": 2, "final_text": "Nieuw ^AB"},
    ).json()
    assert first["id"] == second["id"]
    rows = Storage(f"sqlite:///{tmp_path / 'wb-1.db'}").feedback()
    assert [(r["action"], r["rank"], r["final_text"]) for r in rows] == [("edited", 2, "Nieuw ^AB")]
    item = c.get("/v1/queue").json()["items"][0]
    assert item["outcome"] == "edited"


def test_corrections_are_stored_as_labelled_examples(
    client: Callable[..., TestClient], tmp_path: Path
) -> None:
    c = client(audit_text=True)
    rid = c.post("/v1/suggest", json={"text": LATE}).json()["request_id"]
    r = c.post(
        "/v1/corrections",
        json={"request_id": rid, "labels": {"topic": "billing", "flags": ["churn_threat"]}},
    )
    assert r.status_code == 201, r.text
    assert r.json()["corrected"] == ["topic", "flags"]
    again = c.post("/v1/corrections", json={"request_id": rid, "labels": {"topic": "service"}})
    assert again.json()["id"] == r.json()["id"]  # one correction per comment
    rows = Storage(f"sqlite:///{tmp_path / 'wb-1.db'}").corrections()
    assert len(rows) == 1
    row = rows[0]
    assert (row["sentiment"], row["intent"], row["topic"], row["flags"]) == (
        "negative",
        "complaint",
        "service",
        [],
    )
    assert row["corrected"] == ["topic"] and row["model"]["topic"] == "delivery"
    assert row["text"] == LATE
    # A correction sent after a suggest with overrides still knows the model's own labels.
    rid2 = c.post("/v1/suggest", json={"text": LEAK, "labels": {"flags": []}}).json()["request_id"]
    r2 = c.post("/v1/corrections", json={"request_id": rid2, "labels": {"flags": []}}).json()
    assert r2["corrected"] == ["flags"]
    assert (
        error_code(
            c.post(
                "/v1/corrections", json={"request_id": "0" * 32, "labels": {"topic": "billing"}}
            ),
            404,
        )
        == "unknown_request"
    )
    confirmed = c.post("/v1/corrections", json={"request_id": rid2, "labels": {}})
    assert (
        confirmed.status_code == 201 and confirmed.json()["corrected"] == []
    )  # confirms the model


def test_corrections_keep_no_text_by_default(
    client: Callable[..., TestClient], tmp_path: Path
) -> None:
    c = client()
    rid = c.post("/v1/suggest", json={"text": LATE}).json()["request_id"]
    assert (
        c.post(
            "/v1/corrections", json={"request_id": rid, "labels": {"intent": "question"}}
        ).status_code
        == 201
    )
    row = Storage(f"sqlite:///{tmp_path / 'wb-1.db'}").corrections()[0]
    assert row["text"] is None and row["intent"] == "question"


# --- monitor ------------------------------------------------------------------------------------


def test_monitor_json_and_page(client: Callable[..., TestClient]) -> None:
    clock = Clock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))  # 10.00 in Amsterdam, a Wednesday
    c = client(clock)
    a = c.post("/v1/queue", json={"text": LATE}).json()
    b = c.post("/v1/queue", json={"text": "Ik ga naar de advocaat, " + LATE}).json()
    c.post("/v1/queue", json={"text": "Top service!"})
    c.post("/v1/corrections", json={"request_id": a["request_id"], "labels": {"topic": "billing"}})
    clock.now += timedelta(minutes=30)
    c.patch(f"/v1/queue/{b['id']}", json={"status": "escalated"})
    clock.now += timedelta(hours=2)
    c.patch(f"/v1/queue/{a['id']}", json={"status": "answered"})
    data = c.get("/v1/monitor", params={"days": 1}).json()
    assert data["total"] == 3 and data["status"] == {"open": 1, "answered": 1, "escalated": 1}
    assert sum(d["negative"] + d["neutral"] + d["positive"] for d in data["volume_per_day"]) == 3
    assert sum(h["negative"] for h in data["volume_per_hour"]) == 2
    assert data["flags"]["legal_threat"] == 1
    assert data["deadlines"]["P1"]["in_time"] == 1 and data["deadlines"]["P1"]["share_in_time"] == 1
    assert data["median_minutes_to_answer"] == 90.0  # 30 and 150 minutes
    assert data["corrections"]["per_head"]["topic"]["count"] == 1
    assert data["corrections"]["changes"] == [
        {"head": "topic", "from": "delivery", "to": "billing", "count": 1}
    ]
    view = c.get("/v1/monitor/view", params={"days": 1})
    assert view.status_code == 200 and "<svg" in view.text and "Correcties" in view.text
    page = c.get("/monitor")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for html in (page.text, view.text):
        assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I), html
    assert error_code(c.get("/v1/monitor", params={"days": 0}), 422) == "validation_error"


# --- over a socket -------------------------------------------------------------------------------


@pytest.mark.server
def test_every_new_endpoint_over_a_real_server(tmp_path: Path) -> None:
    app = make_app(tmp_path / "live.db", audit_text=True)
    with live_server(app) as url, httpx.Client(base_url=url, timeout=30) as http:
        s = http.post(
            "/v1/suggest", json={"text": LATE, "labels": {"flags": ["legal_threat"]}, "queue": True}
        )
        assert s.status_code == 200, s.text
        body = s.json()
        assert body["plan"]["priority"] == "P1" and body["queue_item"]["priority"] == "P1"
        check = http.post("/v1/check", json={"comment": LATE, "reply": "Jij krijgt korting."})
        assert check.status_code == 200 and check.json()["passed"] is False
        added = http.post("/v1/queue", json={"text": LATE})
        assert added.status_code == 201
        items = http.get("/v1/queue").json()["items"]
        assert [i["id"] for i in items] == [body["queue_item"]["id"], added.json()["id"]]
        patched = http.patch(f"/v1/queue/{added.json()['id']}", json={"status": "escalated"})
        assert patched.status_code == 200 and patched.json()["status"] == "escalated"
        fixed = http.post(
            "/v1/corrections",
            json={"request_id": body["request_id"], "labels": {"flags": ["legal_threat"]}},
        )
        assert fixed.status_code == 201 and fixed.json()["corrected"] == ["flags"]
        monitor = http.get("/v1/monitor").json()
        assert monitor["total"] == 2 and monitor["corrections"]["total"] == 1
        page = http.get("/monitor")
        assert page.status_code == 200 and "/static/monitor.js" in page.text
        assert http.get("/static/monitor.js").status_code == 200
        assert http.get("/static/monitor.css").status_code == 200
        assert "<svg" in http.get("/v1/monitor/view").text


def test_label_schemes_line_up() -> None:
    """The override schema offers exactly the label scheme's labels."""
    from responder.api.schemas import LabelsRequest

    schema = LabelsRequest.model_json_schema()
    for head, labels in (("sentiment", SENTIMENTS), ("intent", INTENTS), ("topic", TOPICS)):
        assert schema["properties"][head]["anyOf"][0]["enum"] == list(labels)
    assert set(FLAGS) == {
        f for f in FLAGS if LabelsRequest.model_validate({"flags": [f]}).flags == [f]
    }


def test_a_corrected_suggestion_replans_the_queued_item(client: Callable[..., TestClient]) -> None:
    c = client()
    item = c.post("/v1/queue", json={"text": LATE, "posted_at": "2026-11-25T10:00"}).json()
    assert item["priority"] != "P1"
    body = c.post(
        "/v1/suggest",
        json={
            "text": LATE,
            "posted_at": "2026-11-25T10:00",
            "labels": {"flags": ["legal_threat"]},
            "queue_id": item["id"],
        },
    ).json()
    replanned = body["queue_item"]
    assert replanned["id"] == item["id"] and replanned["request_id"] == body["request_id"]
    assert replanned["priority"] == "P1" and replanned["summary"]["flags"] == ["legal_threat"]
    assert replanned["deadline"] == "2026-11-25T11:00:00+01:00"
    assert replanned["posted_at"] == item["posted_at"] and replanned["status"] == "open"
    assert [i["id"] for i in c.get("/v1/queue").json()["items"]] == [item["id"]]
    r = c.post("/v1/suggest", json={"text": LATE, "queue_id": 99})
    assert error_code(r, 404) == "unknown_item"


def test_check_accepts_the_customers_language_where_the_playbook_has_no_replies(
    client: Callable[..., TestClient],
) -> None:
    c = client()
    comment = "La entrega llega tarde y nadie contesta mis correos, es un servicio terrible."
    for reply in (
        "Lo sentimos mucho. Envíenos un mensaje privado y lo revisamos. ^AB",
        "Sorry to hear that. Please send us a private message and we will look into it. ^AB",
    ):
        body = c.post("/v1/check", json={"comment": comment, "reply": reply}).json()
        assert body["passed"] is True, body
    body = c.post(
        "/v1/check",
        json={"comment": comment, "reply": "Es tut uns sehr leid, bitte schreiben Sie uns privat."},
    ).json()
    assert [f["check"] for f in body["failures"]] == ["language"]
    assert "Spaans" in body["failures"][0]["message"]
