"""The embedded database (SQLite): API keys, the audit log and feedback on suggestions.

One small module behind a URL (``RESPONDER_DATABASE_URL``), so another database can replace it.
Keys are stored as SHA-256 hashes (they are long random strings, so a fast hash is enough); the
audit log holds labels, plan and choices, and comment text only when the operator turns it on.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
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
"""
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


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class Storage:
    """SQLite behind a lock; safe to share between the server's threads."""

    def __init__(self, url: str) -> None:
        self.url = url
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
            (name, secret[:10], hash_key(secret), _now()),
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
            self._run("UPDATE api_keys SET revoked_at = ? WHERE id = ?", (_now(), key_id))
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
                _now(),
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
            (request_id, _now(), key_id, rank, strategy, template, action, final_text, comment),
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
        params: tuple[Any, ...] = (_now(),)
        if template is not None:
            sql, params = sql + " AND template = ?", (*params, template)
        return int(self._run(sql, params).rowcount)


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
