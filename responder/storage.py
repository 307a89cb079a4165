"""The embedded database (SQLite): API keys, the audit log, feedback on suggestions, the team's
queue of comments and the agents' label corrections.

One small module behind a URL (``RESPONDER_DATABASE_URL``), so another database can replace it.
Keys are stored as SHA-256 hashes (they are long random strings, so a fast hash is enough); the
audit log holds labels, plan and choices, and comment text only when the operator turns it on.
Rows with personal data (audit, feedback, queue, corrections) are deleted after the retention
period (:meth:`Storage.delete_older_than`). New tables are created in an existing database.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from responder.errors import InputError, ResponderError

KEY_PREFIX = "rsp_"
FEEDBACK_ACTIONS = ("used", "edited", "rejected")
SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    request_id TEXT NOT NULL,
    at TEXT NOT NULL,
    key_id INTEGER,
    endpoint TEXT NOT NULL,
    triage TEXT,
    plan TEXT,
    suggestions TEXT,
    comment TEXT
);
CREATE INDEX IF NOT EXISTS audit_request ON audit (request_id);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    request_id TEXT NOT NULL,
    at TEXT NOT NULL,
    key_id INTEGER,
    rank INTEGER,
    strategy TEXT,
    template TEXT,
    action TEXT NOT NULL,
    final_text TEXT,
    comment TEXT,
    excluded_at TEXT
);
CREATE INDEX IF NOT EXISTS audit_at ON audit (at);
CREATE INDEX IF NOT EXISTS feedback_request ON feedback (request_id);
CREATE TABLE IF NOT EXISTS queue (
    id INTEGER PRIMARY KEY,
    key_id INTEGER,
    request_id TEXT NOT NULL,
    status TEXT NOT NULL,
    priority TEXT NOT NULL,
    situation TEXT,
    title TEXT,
    deadline TEXT NOT NULL,
    deadline_utc TEXT NOT NULL,
    posted_at TEXT NOT NULL,
    posted_utc TEXT NOT NULL,
    created_at TEXT NOT NULL,
    handled_at TEXT,
    channel TEXT,
    sentiment TEXT,
    intent TEXT,
    topic TEXT,
    flags TEXT NOT NULL,
    text TEXT,
    outcome TEXT,
    final_text TEXT
);
CREATE INDEX IF NOT EXISTS queue_order ON queue (key_id, status, deadline_utc);
CREATE INDEX IF NOT EXISTS queue_request ON queue (request_id);
CREATE TABLE IF NOT EXISTS corrections (
    id INTEGER PRIMARY KEY,
    request_id TEXT NOT NULL,
    key_id INTEGER,
    at TEXT NOT NULL,
    sentiment TEXT NOT NULL,
    intent TEXT NOT NULL,
    topic TEXT NOT NULL,
    flags TEXT NOT NULL,
    corrected TEXT NOT NULL,
    model TEXT NOT NULL,
    text TEXT
);
CREATE INDEX IF NOT EXISTS corrections_request ON corrections (request_id);
"""
QUEUE_STATUSES = ("open", "answered", "escalated")
RETAINED = {"audit": "at", "feedback": "at", "queue": "created_at", "corrections": "at"}
"""The tables with personal data, and the column that says when each row was written."""
FEEDBACK_COLUMNS = {"excluded_at": "TEXT"}
"""Columns added to the feedback table after its first release (added to an older database)."""


class StorageError(ResponderError):
    """The database cannot be opened or used."""

    exit_code = 4


@dataclass(frozen=True)
class ApiKey:
    id: int
    name: str
    prefix: str
    created_at: str
    revoked_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


Clock = Callable[[], datetime]
"""Where the time comes from (aware); tests pass their own to move it on."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def stamp(moment: datetime) -> str:
    """A moment as the database keeps it: UTC, ISO 8601 to the second (sorts as text)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class Storage:
    """SQLite behind a lock; safe to share between the server's threads."""

    def __init__(self, url: str, clock: Clock = utc_now) -> None:
        self.url = url
        self.clock = clock
        self.path = sqlite_path(url)
        self._lock = threading.Lock()
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(SCHEMA)
            have = {row[1] for row in self._db.execute("PRAGMA table_info(feedback)")}
            for column, kind in FEEDBACK_COLUMNS.items():
                if column not in have:
                    self._db.execute(f"ALTER TABLE feedback ADD COLUMN {column} {kind}")
            self._db.commit()
        except sqlite3.Error as exc:
            raise StorageError(f"Database {url} kan niet worden geopend: {exc}") from None

    def _now(self) -> str:
        return stamp(self.clock())

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        with self._lock:
            try:
                cur = self._db.execute(sql, params)
                self._db.commit()
                return cur
            except sqlite3.Error as exc:
                raise StorageError(f"Databasefout ({self.url}): {exc}") from None

    # --- keys ---------------------------------------------------------------------------------

    def create_key(self, name: str) -> tuple[ApiKey, str]:
        """A new key; the secret is returned once and only its hash is stored."""
        name = name.strip()
        if not name or len(name) > 100:
            raise InputError(
                "Geef de sleutel een naam van 1 tot 100 tekens (bijv. 'extensie team A')."
            )
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        cur = self._run(
            "INSERT INTO api_keys (name, prefix, hash, created_at) VALUES (?, ?, ?, ?)",
            (name, secret[:10], hash_key(secret), self._now()),
        )
        return self.key(int(cur.lastrowid or 0)), secret

    def key(self, key_id: int) -> ApiKey:
        row = self._run(
            "SELECT id, name, prefix, created_at, revoked_at FROM api_keys WHERE id = ?", (key_id,)
        ).fetchone()
        if row is None:
            raise InputError(f"Geen sleutel met id {key_id}; zie `responder keys list`.")
        return ApiKey(*row)

    def list_keys(self) -> list[ApiKey]:
        rows = self._run(
            "SELECT id, name, prefix, created_at, revoked_at FROM api_keys ORDER BY id"
        ).fetchall()
        return [ApiKey(*row) for row in rows]

    def revoke_key(self, key_id: int) -> ApiKey:
        key = self.key(key_id)
        if key.active:
            self._run("UPDATE api_keys SET revoked_at = ? WHERE id = ?", (self._now(), key_id))
        return self.key(key_id)

    def verify_key(self, secret: str) -> ApiKey | None:
        """The active key with this secret, or None."""
        row = self._run(
            "SELECT id, name, prefix, created_at, revoked_at FROM api_keys "
            "WHERE hash = ? AND revoked_at IS NULL",
            (hash_key(secret),),
        ).fetchone()
        return ApiKey(*row) if row else None

    # --- audit and feedback -------------------------------------------------------------------

    def audit(
        self,
        request_id: str,
        endpoint: str,
        key_id: int | None,
        triage: Any = None,
        plan: Any = None,
        suggestions: Any = None,
        comment: str | None = None,
    ) -> None:
        self._run(
            "INSERT INTO audit (request_id, at, key_id, endpoint, triage, plan, suggestions, "
            "comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                request_id,
                self._now(),
                key_id,
                endpoint,
                _json(triage),
                _json(plan),
                _json(suggestions),
                comment,
            ),
        )

    def audit_entry(self, request_id: str) -> dict[str, Any] | None:
        cur = self._run(
            "SELECT * FROM audit WHERE request_id = ? ORDER BY id LIMIT 1", (request_id,)
        )
        row = cur.fetchone()
        if row is None:
            return None
        out = dict(zip([d[0] for d in cur.description], row, strict=True))
        for field in ("triage", "plan", "suggestions"):
            out[field] = json.loads(out[field]) if out[field] else None
        return out

    def add_feedback(
        self,
        request_id: str,
        key_id: int | None,
        action: str,
        rank: int | None,
        strategy: str | None,
        template: str | None,
        final_text: str | None,
        comment: str | None,
    ) -> int:
        cur = self._run(
            "INSERT INTO feedback (request_id, at, key_id, rank, strategy, template, action, "
            "final_text, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                request_id,
                self._now(),
                key_id,
                rank,
                strategy,
                template,
                action,
                final_text,
                comment,
            ),
        )
        return int(cur.lastrowid or 0)

    def feedback(self) -> list[dict[str, Any]]:
        cur = self._run("SELECT * FROM feedback ORDER BY id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def template_feedback(self) -> dict[str, dict[str, int]]:
        """Per template id, how often its suggestions were used, edited and rejected (every
        action present, zero when none), counting only feedback not excluded from ranking."""
        rows = self._run(
            "SELECT template, action, COUNT(*) FROM feedback "
            "WHERE template IS NOT NULL AND excluded_at IS NULL GROUP BY template, action"
        ).fetchall()
        out: dict[str, dict[str, int]] = {}
        for template, action, count in rows:
            counts = out.setdefault(template, dict.fromkeys(FEEDBACK_ACTIONS, 0))
            if action in counts:
                counts[action] = int(count)
        return out

    def exclude_feedback(self, template: str | None = None) -> int:
        """Leave the feedback so far (on ``template``, or on all) out of the ranking; the rows
        stay in the audit trail. Returns how many rows were newly excluded."""
        sql = (
            "UPDATE feedback SET excluded_at = ? WHERE excluded_at IS NULL AND template IS NOT NULL"
        )
        params: tuple[Any, ...] = (self._now(),)
        if template is not None:
            sql, params = sql + " AND template = ?", (*params, template)
        return int(self._run(sql, params).rowcount)

    def record_feedback(
        self,
        request_id: str,
        key_id: int | None,
        action: str,
        rank: int | None,
        strategy: str | None,
        template: str | None,
        final_text: str | None,
        comment: str | None,
    ) -> int:
        """One outcome per comment: the feedback on ``request_id`` (by this key), replacing an
        earlier one in place (same id); the queue item of that comment gets the outcome too."""
        values = {
            "at": self._now(),
            "rank": rank,
            "strategy": strategy,
            "template": template,
            "action": action,
            "final_text": final_text,
            "comment": comment,
            "excluded_at": None,
        }
        with self._lock:
            try:
                found = self._one_per_comment("feedback", values, request_id, key_id)
                self._db.execute(
                    "UPDATE queue SET outcome = ? WHERE request_id = ? AND key_id IS ?",
                    (action, request_id, key_id),
                )
                self._db.commit()
                return found
            except sqlite3.Error as exc:
                raise StorageError(f"Databasefout ({self.url}): {exc}") from None

    def _one_per_comment(
        self, table: str, values: dict[str, Any], request_id: str, key_id: int | None
    ) -> int:
        """The row of ``table`` (feedback, corrections) for one comment by one key: added, or
        replaced in place (same id). The caller holds the lock and commits."""
        row = self._db.execute(
            f"SELECT id FROM {table} WHERE request_id = ? AND key_id IS ? ORDER BY id DESC LIMIT 1",
            (request_id, key_id),
        ).fetchone()
        names = list(values)
        if row is None:
            columns = ", ".join([*names, "request_id", "key_id"])
            marks = ", ".join("?" * (len(names) + 2))
            cur = self._db.execute(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                (*values.values(), request_id, key_id),
            )
            return int(cur.lastrowid or 0)
        found = int(row[0])
        assignments = ", ".join(f"{name} = ?" for name in names)
        self._db.execute(
            f"UPDATE {table} SET {assignments} WHERE id = ?", (*values.values(), found)
        )
        return found

    # --- the queue ----------------------------------------------------------------------------

    def add_to_queue(self, item: dict[str, Any]) -> int:
        """A comment in the team's queue (``item``: the columns of the queue table but id,
        status and created_at); returns its id."""
        row = {**item, "status": "open", "created_at": self._now()}
        row["flags"] = json.dumps(list(row.get("flags") or []))
        names = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cur = self._run(f"INSERT INTO queue ({names}) VALUES ({marks})", tuple(row.values()))
        return int(cur.lastrowid or 0)

    def replan_queue_item(
        self, item_id: int, key_id: int | None, item: dict[str, Any]
    ) -> dict[str, Any] | None:
        """The queued comment after it was advised again (with corrected labels): its request id,
        priority, deadline and labels follow the new plan; status, posting time and text stay.
        None when there is no such item."""
        kept = ("request_id", "priority", "situation", "title", "deadline", "deadline_utc")
        row = {k: item[k] for k in (*kept, "sentiment", "intent", "topic")}
        row["flags"] = json.dumps(list(item.get("flags") or []))
        sets = ", ".join(f"{name} = ?" for name in row)
        cur = self._run(
            f"UPDATE queue SET {sets} WHERE id = ? AND key_id IS ?",
            (*row.values(), item_id, key_id),
        )
        return self.queue_item(item_id, key_id) if cur.rowcount else None

    def queue_item(self, item_id: int, key_id: int | None) -> dict[str, Any] | None:
        """One item of this key's queue (another key's is as unknown as a made-up one)."""
        rows = self._dicts("SELECT * FROM queue WHERE id = ? AND key_id IS ?", (item_id, key_id))
        return rows[0] if rows else None

    def queue_items(
        self,
        key_id: int | None,
        statuses: Iterable[str] = QUEUE_STATUSES,
        priority: str | None = None,
        limit: int = 100,
        since: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """This key's queue, the earliest deadline first (overdue ones lead)."""
        wanted = tuple(statuses)
        sql = (
            f"SELECT * FROM queue WHERE key_id IS ? AND status IN ({', '.join('?' * len(wanted))})"
        )
        params: tuple[Any, ...] = (key_id, *wanted)
        if priority is not None:
            sql, params = sql + " AND priority = ?", (*params, priority)
        if since is not None:
            sql, params = sql + " AND posted_utc >= ?", (*params, stamp(since))
        sql += " ORDER BY deadline_utc, id LIMIT ?"
        return self._dicts(sql, (*params, limit))

    def update_queue_item(
        self,
        item_id: int,
        key_id: int | None,
        status: str,
        outcome: str | None = None,
        final_text: str | None = None,
    ) -> dict[str, Any] | None:
        """A new status (and outcome, and reply as posted); leaving ``open`` stamps when it was
        handled, going back to ``open`` clears that. None when there is no such item."""
        current = self.queue_item(item_id, key_id)
        if current is None:
            return None
        handled = None if status == "open" else current["handled_at"] or self._now()
        self._run(
            "UPDATE queue SET status = ?, handled_at = ?, outcome = COALESCE(?, outcome), "
            "final_text = COALESCE(?, final_text) WHERE id = ?",
            (status, handled, outcome, final_text, item_id),
        )
        return self.queue_item(item_id, key_id)

    # --- corrections --------------------------------------------------------------------------

    def record_correction(
        self,
        request_id: str,
        key_id: int | None,
        labels: dict[str, Any],
        corrected: list[str],
        model: dict[str, Any],
        text: str | None,
    ) -> int:
        """The agent's labels for one comment (all four heads), which heads they changed, the
        model's labels, and the text when it may be kept. One per comment: a second replaces
        the first (same id)."""
        values = {
            "at": self._now(),
            "sentiment": labels["sentiment"],
            "intent": labels["intent"],
            "topic": labels["topic"],
            "flags": json.dumps(sorted(labels["flags"])),
            "corrected": json.dumps(corrected),
            "model": json.dumps(model, ensure_ascii=False),
            "text": text,
        }
        with self._lock:
            try:
                found = self._one_per_comment("corrections", values, request_id, key_id)
                self._db.commit()
                return found
            except sqlite3.Error as exc:
                raise StorageError(f"Databasefout ({self.url}): {exc}") from None

    def corrections(
        self, key_id: int | None = None, every_key: bool = True, since: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Stored corrections, oldest first (those of ``key_id`` unless ``every_key``), with
        flags, corrected heads and model labels parsed."""
        sql = "SELECT * FROM corrections WHERE 1 = 1"
        params: tuple[Any, ...] = ()
        if not every_key:
            sql, params = sql + " AND key_id IS ?", (key_id,)
        if since is not None:
            sql, params = sql + " AND at >= ?", (*params, stamp(since))
        rows = self._dicts(sql + " ORDER BY id", params)
        for row in rows:
            for name in ("flags", "corrected", "model"):
                row[name] = json.loads(row[name])
        return rows

    # --- retention ----------------------------------------------------------------------------

    def apply_retention(self, days: int) -> dict[str, int]:
        """Delete what is older than ``days`` (by this storage's clock); ``0`` deletes nothing."""
        if days <= 0:
            return {}
        return self.delete_older_than(self.clock() - timedelta(days=days))

    def delete_older_than(self, cutoff: datetime) -> dict[str, int]:
        """Delete the rows with personal data written before ``cutoff`` (per table: how many)."""
        deleted = {}
        for table, column in RETAINED.items():
            cur = self._run(f"DELETE FROM {table} WHERE {column} < ?", (stamp(cutoff),))
            deleted[table] = int(cur.rowcount)
        return deleted

    def _dicts(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        cur = self._run(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def sqlite_path(url: str) -> str:
    """``sqlite:///relative.db``, ``sqlite:////abs/path.db`` or ``sqlite://:memory:``."""
    if url in ("sqlite://", "sqlite://:memory:", "sqlite:///:memory:"):
        return ":memory:"
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///") :]
    scheme = url.split(":", 1)[0]
    raise StorageError(
        f"Database-URL {url!r} wordt niet ondersteund (schema {scheme!r}); gebruik "
        "sqlite:///pad/naar/responder.db. Een andere database vraagt een eigen Storage-klasse."
    )
