"""The service object every adapter uses: triage → plan → suggestions, one audit record per
request (comment text only when asked), per-item errors for many comments, and feedback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest
from conftest import FakeClassifier

from responder.advice.plan import CommentContext
from responder.advice.playbook import default_playbook_text, load_playbook
from responder.assistant import Assistant
from responder.config import Settings
from responder.errors import InputError, UnknownRequestError
from responder.names import display_names
from responder.storage import Storage
from responder.triage.service import Triage, TriageService

TEXT = "Mijn pakket met ordernummer 12345678 is niet geleverd, ik ga naar de advocaat."


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    db = Storage(f"sqlite:///{tmp_path / 'audit.db'}")
    yield db
    db.close()


def make(storage: Storage | None = None, audit_text: bool = False, **settings: object) -> Assistant:
    service = TriageService(FakeClassifier(), Settings(**settings))  # type: ignore[arg-type]
    return Assistant(service, load_playbook(), storage, audit_text)


def audit_rows(storage: Storage) -> list[tuple[str, str]]:
    rows = storage._db.execute("SELECT request_id, endpoint FROM audit ORDER BY id").fetchall()
    return [(str(r), str(e)) for r, e in rows]


def test_advise_writes_one_audit_row_without_the_comment(storage: Storage) -> None:
    assistant = make(storage)
    context = CommentContext(channel="x", received_at=datetime(2026, 11, 28, 22, 5))
    advice = assistant.advise(TEXT, context)
    assert len(advice.request_id) == 32
    assert advice.plan.situation == "juridische_dreiging" and advice.suggestions.items
    assert audit_rows(storage) == [(advice.request_id, "suggest")]
    entry = storage.audit_entry(advice.request_id)
    assert entry is not None and entry["comment"] is None and entry["key_id"] is None
    # The triage as JSON (without notes), the plan's decisions, which templates were chosen.
    assert entry["triage"]["intent"]["label"] == "complaint" and "notes" not in entry["triage"]
    assert [f["label"] for f in entry["triage"]["flags"]] == ["legal_threat"]
    plan = entry["plan"]
    assert plan["situation"] == "juridische_dreiging" and plan["priority"] == advice.plan.priority
    assert plan["channel"] == "x" and plan["route"] == advice.plan.route.id
    assert plan["playbook_version"] and plan["register"] == advice.plan.register
    assert entry["suggestions"] == [
        {"rank": s.rank, "strategy": s.strategy, "template": s.template, "source": s.source}
        for s in advice.suggestions.items
    ]
    raw = storage._db.execute("SELECT * FROM audit").fetchall()
    assert "12345678" not in repr(raw)  # nothing of the comment anywhere in the row


def test_advise_keeps_the_comment_when_audit_text_is_on(storage: Storage) -> None:
    advice = make(storage, audit_text=True).advise(TEXT, key_id=4)
    entry = storage.audit_entry(advice.request_id)
    assert entry is not None and entry["comment"] == TEXT and entry["key_id"] == 4


def test_triage_is_audited_under_its_own_request_id(storage: Storage) -> None:
    assistant = make(storage)
    rid, result = assistant.triage("Top service, bedankt!")
    assert isinstance(result, Triage) and result.sentiment is not None
    assert result.sentiment.label == "positive"
    assert audit_rows(storage) == [(rid, "triage")]
    entry = storage.audit_entry(rid)
    assert entry is not None and entry["comment"] is None
    assert entry["triage"]["sentiment"]["label"] == "positive" and entry["plan"] is None


def test_triage_each_keeps_an_error_in_place_and_triages_the_rest(storage: Storage) -> None:
    assistant = make(storage, max_text_chars=50)
    texts: list[object] = [
        "Pakket niet geleverd",
        "",
        "Top service!",
        "x" * 51,
        None,
        7,
        "   \u200b ",
        "Is er een storing?",
    ]
    rid, results = assistant.triage_each(texts)
    assert len(results) == len(texts)
    kinds = ["triage" if isinstance(r, Triage) else "error" for r in results]
    assert kinds == ["triage", "error", "triage", "error", "error", "error", "error", "triage"]
    assert all(isinstance(r, InputError) for r in results if not isinstance(r, Triage))
    assert "leeg" in str(results[1]) and "leeg" in str(results[6])
    assert "te lang" in str(results[3]) and "tekenreeks" in str(results[4])
    good = [r for r in results if isinstance(r, Triage)]
    assert [r.sentiment.label for r in good if r.sentiment] == ["negative", "positive", "neutral"]
    # The model saw only the good texts, in order, in one call.
    calls = assistant.triage_service.classifier.calls  # type: ignore[attr-defined]
    assert calls == [["Pakket niet geleverd", "Top service!", "Is er een storing?"]]
    assert audit_rows(storage) == [(rid, "label")]
    entry = storage.audit_entry(rid)
    assert entry is not None and entry["triage"] == {"items": 8, "errors": 5}
    assert entry["comment"] is None


def test_triage_each_of_nothing(storage: Storage) -> None:
    rid, results = make(storage).triage_each([])
    assert results == [] and len(rid) == 32


@pytest.fixture
def advised(storage: Storage) -> tuple[Assistant, str, int]:
    """An assistant that has advised once (audit text on), its request id and suggestion count."""
    assistant = make(storage, audit_text=True)
    advice = assistant.advise("Mijn pakket is niet geleverd.")
    assert len(advice.suggestions.items) >= 2
    return assistant, advice.request_id, len(advice.suggestions.items)


def test_feedback_is_recorded_with_the_chosen_suggestion(
    advised: tuple[Assistant, str, int], storage: Storage
) -> None:
    assistant, rid, _ = advised
    entry = storage.audit_entry(rid)
    assert entry is not None
    with pytest.raises(UnknownRequestError):  # only the key that asked (here: none) may answer
        assistant.record_feedback(rid, "used", rank=1, key_id=2)
    by_rank = {s["rank"]: s for s in entry["suggestions"]}
    first = assistant.record_feedback(rid, "used", rank=1)
    [row] = storage.feedback()
    assert (row["action"], row["rank"]) == ("used", 1)
    assert row["strategy"] == by_rank[1]["strategy"]
    assert row["template"] == by_rank[1]["template"] and row["key_id"] is None
    # One outcome per comment: each later one replaces the earlier, in place.
    second = assistant.record_feedback(rid, "edited", rank=2, final_text="Aangepast ^AB")
    [row] = storage.feedback()
    assert (row["action"], row["rank"]) == ("edited", 2)
    assert row["strategy"] == by_rank[2]["strategy"]
    assert row["final_text"] == "Aangepast ^AB"
    third = assistant.record_feedback(rid, "rejected")
    [row] = storage.feedback()
    assert first == second == third
    assert (row["action"], row["rank"]) == ("rejected", None)
    assert row["strategy"] is None and row["template"] is None and row["final_text"] is None
    assert row["comment"] == "Mijn pakket is niet geleverd."  # audit_text on


def test_feedback_is_checked(advised: tuple[Assistant, str, int], storage: Storage) -> None:
    assistant, rid, count = advised
    with pytest.raises(UnknownRequestError, match="Geen suggesties gevonden"):
        assistant.record_feedback("0" * 32, "rejected")
    triage_rid, _ = assistant.triage("Waar blijft mijn pakket?")
    with pytest.raises(UnknownRequestError):  # a triage request has no suggestions
        assistant.record_feedback(triage_rid, "rejected")
    checks: list[tuple[dict[str, object], str]] = [
        ({"action": "liked", "rank": 1}, "Onbekende actie"),
        ({"action": "used"}, "welke suggestie"),
        ({"action": "edited", "final_text": "Nieuw"}, "welke suggestie"),
        ({"action": "edited", "rank": 1}, "aangepaste tekst"),
        ({"action": "edited", "rank": 1, "final_text": "   "}, "aangepaste tekst"),
        ({"action": "used", "rank": count + 1}, f"Suggestie {count + 1} bestaat niet"),
    ]
    for kwargs, message in checks:
        with pytest.raises(InputError, match=message) as info:
            assistant.record_feedback(rid, **kwargs)  # type: ignore[arg-type]
        assert not isinstance(info.value, UnknownRequestError), kwargs
    assert storage.feedback() == []  # nothing stored for a refused feedback


def test_playbook_summary_names_everything(storage: Storage) -> None:
    assistant = make(storage)
    summary = assistant.playbook_summary(300)
    playbook = assistant.playbook
    assert summary["name"] == playbook.name and summary["version"] == playbook.version
    assert summary["max_text_chars"] == 300 and summary["timezone"] == "Europe/Amsterdam"
    assert {c["id"] for c in summary["channels"]} >= {"x", "facebook", "tiktok"}
    assert all(c["name"] and c["max_chars"] > 0 for c in summary["channels"])
    assert [s["id"] for s in summary["situations"]] == [s.id for s in playbook.situations]
    assert all(s["title"] for s in summary["situations"])
    assert {t["id"] for t in summary["teams"]} == set(playbook.teams)
    names = summary["names"]
    assert names == display_names()  # the Dutch display names, from the one home
    labels = names["labels"]
    assert labels["topic"]["billing"] and labels["intent"]["complaint"]
    assert labels["sentiment"]["negative"] and labels["flags"]["legal_threat"]
    assert len(names["months"]) == 12


def test_an_assistant_without_storage_still_answers() -> None:
    assistant = make()
    advice = assistant.advise(TEXT)
    assert len(advice.request_id) == 32 and advice.suggestions.items
    rid, result = assistant.triage("Top!")
    assert len(rid) == 32 and isinstance(result, Triage) and rid != advice.request_id
    rid, results = assistant.triage_each(["Top!", ""])
    assert len(rid) == 32 and isinstance(results[1], InputError)
    with pytest.raises(UnknownRequestError, match="geen database"):
        assistant.record_feedback(advice.request_id, "used", rank=1)


def test_with_storage_only_fills_in_a_missing_one(storage: Storage, tmp_path: Path) -> None:
    assistant = make()
    assert assistant.with_storage(storage, True) is assistant
    assert assistant.storage is storage and assistant.audit_text is True
    other = Storage(f"sqlite:///{tmp_path / 'other.db'}")
    assistant.with_storage(other, False)
    assert assistant.storage is storage and assistant.audit_text is True
    other.close()


def test_from_settings_loads_the_model_and_a_playbook(
    tiny_model: Path, storage: Storage, tmp_path: Path
) -> None:
    settings = Settings(model_path=tiny_model, audit_text=True)
    with closing(Assistant.from_settings(settings, storage=storage)) as assistant:
        assert assistant.model_name == str(tiny_model)
        assert assistant.storage is storage and assistant.audit_text is True
        assert assistant.playbook.name == load_playbook().name
        assert assistant.playbook.situations
        advice = assistant.advise("Kunt u kijken waar mijn pakket blijft?")
        assert advice.plan.register == "u" and len(advice.suggestions.items) >= 3
        entry = storage.audit_entry(advice.request_id)
        assert entry is not None and entry["comment"] == "Kunt u kijken waar mijn pakket blijft?"
    # An explicit model and playbook win over the settings.
    own = tmp_path / "eigen.yaml"
    text = default_playbook_text().replace("name: Standaarddraaiboek webcare", "name: Eigen")
    own.write_text(text, encoding="utf-8")
    missing = Settings(model_path=tmp_path / "geen-model")
    with closing(Assistant.from_settings(missing, model=tiny_model, playbook=own)) as assistant:
        assert assistant.model_name == str(tiny_model) and assistant.storage is None
        assert assistant.playbook.name == "Eigen" and assistant.advise("Top!").request_id
