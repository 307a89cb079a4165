"""The embedded database: API keys (only hashes stored), the audit log, feedback, and clear
errors for a URL it cannot use."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from responder.errors import InputError
from responder.storage import KEY_PREFIX, Storage, StorageError, hash_key, sqlite_path


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Storage]:
    storage = Storage(f"sqlite:///{tmp_path / 'responder.db'}")
    yield storage
    storage.close()


def test_keys_create_verify_list_and_revoke(db: Storage) -> None:
    key, secret = db.create_key("  extensie team A  ")
    assert secret.startswith(KEY_PREFIX) and len(secret) > 40
    assert key.name == "extensie team A" and key.active and key.prefix == secret[:10]
    other, other_secret = db.create_key("pagina")
    assert other_secret != secret and other.id != key.id
    verified = db.verify_key(secret)
    assert verified is not None and verified.id == key.id
    assert db.verify_key(secret + "x") is None and db.verify_key("") is None
    assert [(k.id, k.name, k.active) for k in db.list_keys()] == [
        (key.id, "extensie team A", True),
        (other.id, "pagina", True),
    ]
    revoked = db.revoke_key(key.id)
    assert not revoked.active and revoked.revoked_at
    assert db.verify_key(secret) is None  # a revoked key no longer opens anything
    assert db.revoke_key(key.id).revoked_at == revoked.revoked_at  # revoking twice changes nothing
    assert db.verify_key(other_secret) is not None
    assert [k.active for k in db.list_keys()] == [False, True]


def test_key_names_and_ids_are_checked(db: Storage) -> None:
    for name in ("", "   ", "x" * 101):
        with pytest.raises(InputError, match="naam van 1 tot 100 tekens"):
            db.create_key(name)
    with pytest.raises(InputError, match="Geen sleutel met id 99"):
        db.revoke_key(99)
    with pytest.raises(InputError, match="Geen sleutel met id 5"):
        db.key(5)


def test_only_the_hash_of_a_key_is_stored(tmp_path: Path) -> None:
    file = tmp_path / "keys.db"
    db = Storage(f"sqlite:///{file}")
    _, secret = db.create_key("team")
    rows = db._db.execute("SELECT hash, prefix FROM api_keys").fetchall()
    db.close()
    assert rows == [(hash_key(secret), secret[:10])]
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("keys.db*"))
    assert secret.encode() not in raw and hash_key(secret).encode() in raw


def test_audit_entry_round_trip(db: Storage) -> None:
    triage = {"intent": {"label": "complaint", "probability": 0.9}, "flags": []}
    plan = {"situation": "bezorging", "priority": "P2", "route": "logistiek"}
    suggestions = [{"rank": 1, "strategy": "excuses", "template": "t1", "source": "template"}]
    db.audit("a" * 32, "suggest", 3, triage, plan, suggestions, "Waar is mijn pakket? ✉️")
    db.audit("b" * 32, "label", None, {"items": 2, "errors": 1})
    entry = db.audit_entry("a" * 32)
    assert entry is not None
    assert entry["endpoint"] == "suggest" and entry["key_id"] == 3 and entry["at"]
    assert entry["triage"] == triage and entry["plan"] == plan
    assert entry["suggestions"] == suggestions
    assert entry["comment"] == "Waar is mijn pakket? ✉️"
    label = db.audit_entry("b" * 32)
    assert label is not None and label["triage"] == {"items": 2, "errors": 1}
    assert label["plan"] is None and label["suggestions"] is None and label["comment"] is None
    assert db.audit_entry("c" * 32) is None


def test_feedback_is_stored_in_order(db: Storage) -> None:
    first = db.add_feedback("r1", None, "used", 1, "excuses", "t1", None, None)
    second = db.add_feedback("r1", 2, "edited", 2, "uitleg", "t2", "Aangepast ^AB", "tekst")
    third = db.add_feedback("r2", None, "rejected", None, None, None, None, None)
    assert first < second < third
    rows = db.feedback()
    assert [(r["id"], r["request_id"], r["action"]) for r in rows] == [
        (first, "r1", "used"),
        (second, "r1", "edited"),
        (third, "r2", "rejected"),
    ]
    assert rows[1]["key_id"] == 2 and rows[1]["rank"] == 2 and rows[1]["strategy"] == "uitleg"
    assert rows[1]["template"] == "t2" and rows[1]["final_text"] == "Aangepast ^AB"
    assert rows[1]["comment"] == "tekst" and rows[1]["at"]
    assert rows[2]["rank"] is None and rows[2]["strategy"] is None


def test_data_survives_reopening(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    db = Storage(url)
    _, secret = db.create_key("team")
    db.audit("r" * 32, "triage", None, {"intent": None})
    db.close()
    again = Storage(url)
    assert again.verify_key(secret) is not None and again.audit_entry("r" * 32) is not None
    again.close()


def test_in_memory_database() -> None:
    for url in ("sqlite://", "sqlite://:memory:", "sqlite:///:memory:"):
        assert sqlite_path(url) == ":memory:"
    db = Storage("sqlite://")
    db.audit("m" * 32, "triage", None)
    assert db.audit_entry("m" * 32) is not None
    db.close()


def test_unsupported_url_is_a_clear_error() -> None:
    for url in ("postgresql://db.example.nl/responder", "mysql://x", "responder.db"):
        with pytest.raises(StorageError, match="niet ondersteund") as info:
            Storage(url)
        assert "sqlite:///" in str(info.value) and info.value.exit_code == 4


def test_a_database_in_a_missing_folder_is_created(tmp_path: Path) -> None:
    file = tmp_path / "nieuw" / "diep" / "responder.db"
    db = Storage(f"sqlite:///{file}")
    db.create_key("team")
    db.close()
    assert file.is_file()


def test_a_database_that_cannot_be_opened_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "een-map.db"
    folder.mkdir()  # a folder where the file should be
    with pytest.raises(StorageError, match="kan niet worden geopend"):
        Storage(f"sqlite:///{folder}")
