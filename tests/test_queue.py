"""The team queue in the database: rows from an advised comment, order by deadline, status
changes, one outcome per comment, per-key separation, retention, and an older database that
gains the new tables without losing anything."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest import FakeClassifier

from responder.advice.plan import CommentContext
from responder.advice.playbook import load_playbook
from responder.assistant import Assistant
from responder.config import Settings
from responder.queue import item_public, queue_row
from responder.storage import Storage
from responder.triage.service import TriageService

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def assistant(storage: Storage, audit_text: bool = False) -> Assistant:
    settings = Settings()
    return Assistant(
        TriageService(FakeClassifier(), settings), load_playbook(), storage, audit_text
    )


def queued(storage: Storage, a: Assistant, text: str, at: datetime, key: int | None = None) -> int:
    advice = a.advise(text, CommentContext(received_at=at), key)
    row = queue_row(advice, text, a.audit_text)
    row["key_id"] = key
    return storage.add_to_queue(row)


def test_queue_rows_order_and_status(tmp_path: Path) -> None:
    db = Storage(f"sqlite:///{tmp_path / 'q.db'}", lambda: NOW)
    a = assistant(db)
    late = queued(db, a, "Mijn pakket is niet geleverd.", NOW - timedelta(hours=1))
    p1 = queued(db, a, "Ik ga naar de advocaat, niet geleverd.", NOW)
    other_team = queued(db, a, "Mijn pakket is niet geleverd.", NOW, key=7)
    rows = db.queue_items(None)
    assert [r["id"] for r in rows] == [p1, late]  # P1: within the hour; the other later
    assert [r["id"] for r in db.queue_items(7)] == [other_team]
    item = item_public(rows[0], NOW)
    assert item["priority"] == "P1" and item["status"] == "open" and item["overdue"] is False
    assert item["text"] is None and item["summary"]["flags"] == ["legal_threat"]
    assert item_public(rows[0], NOW + timedelta(hours=2))["overdue"] is True
    done = db.update_queue_item(p1, None, "answered", "used")
    assert done is not None and done["handled_at"] == NOW.isoformat() and done["outcome"] == "used"
    assert item_public(done, NOW + timedelta(hours=2))["overdue"] is False
    reopened = db.update_queue_item(p1, None, "open")
    assert reopened is not None and reopened["handled_at"] is None
    assert reopened["outcome"] == "used"  # an outcome stays until another one replaces it
    assert db.update_queue_item(p1, 7, "answered") is None  # another team's item
    assert [r["id"] for r in db.queue_items(None, ("open",), priority="P1")] == [p1]


def test_feedback_sets_the_outcome_of_the_queue_item(tmp_path: Path) -> None:
    db = Storage(f"sqlite:///{tmp_path / 'q.db'}")
    a = assistant(db)
    item = queued(db, a, "Mijn pakket is niet geleverd.", NOW)
    rid = db.queue_items(None)[0]["request_id"]
    a.record_feedback(rid, "used", rank=1)
    a.record_feedback(rid, "rejected")
    assert db.queue_item(item, None)["outcome"] == "rejected"  # type: ignore[index]
    assert [f["action"] for f in db.feedback()] == ["rejected"]


def test_retention_deletes_rows_older_than_the_period(tmp_path: Path) -> None:
    clock = [NOW]
    db = Storage(f"sqlite:///{tmp_path / 'q.db'}", lambda: clock[0])
    a = assistant(db, audit_text=True)
    queued(db, a, "Mijn pakket is niet geleverd.", NOW)
    clock[0] = NOW + timedelta(days=29, hours=23)
    assert db.apply_retention(30) == {"audit": 0, "feedback": 0, "queue": 0, "corrections": 0}
    clock[0] = NOW + timedelta(days=30, seconds=1)
    assert db.apply_retention(30) == {"audit": 1, "feedback": 0, "queue": 1, "corrections": 0}
    assert db.queue_items(None) == []


def test_an_older_database_gains_the_new_tables(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:
        old.executescript(
            """
            CREATE TABLE api_keys (id INTEGER PRIMARY KEY, name TEXT NOT NULL, prefix TEXT NOT
              NULL, hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, revoked_at TEXT);
            CREATE TABLE audit (id INTEGER PRIMARY KEY, request_id TEXT NOT NULL, at TEXT NOT
              NULL, key_id INTEGER, endpoint TEXT NOT NULL, triage TEXT, plan TEXT,
              suggestions TEXT, comment TEXT);
            CREATE TABLE feedback (id INTEGER PRIMARY KEY, request_id TEXT NOT NULL, at TEXT NOT
              NULL, key_id INTEGER, rank INTEGER, strategy TEXT, template TEXT, action TEXT NOT
              NULL, final_text TEXT, comment TEXT);
            INSERT INTO audit (request_id, at, endpoint) VALUES ('r1', '2026-11-20T10:00:00+00:00',
              'suggest');
            INSERT INTO feedback (request_id, at, action) VALUES ('r1', '2026-11-20T10:00:00+00:00',
              'used');
            """
        )
    db = Storage(f"sqlite:///{path}")
    assert db.audit_entry("r1") is not None and len(db.feedback()) == 1
    assert db.queue_items(None) == [] and db.corrections() == []
    tables = {r[0] for r in db._db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"queue", "corrections"} <= tables
    db.close()
    again = Storage(f"sqlite:///{path}")  # opening twice changes nothing
    assert len(again.feedback()) == 1
    again.close()
