"""Label corrections: checked against the scheme, applied to a triage (the plan follows), stored
as complete examples, and added to the training data by `responder train --with-feedback`
(tiny model), which reports the model before and after on the same test split."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from responder.cli import cli
from responder.errors import DataError, InputError
from responder.model.data import correction_rows, load_comments, with_corrections
from responder.storage import Storage
from responder.triage.corrections import (
    Labels,
    corrected_triage,
    full_labels,
    model_labels,
    model_summary,
)
from responder.triage.service import Flag, Scored, Triage

TRIAGE = Triage(
    sentiment=Scored("negative", 0.9),
    intent=Scored("complaint", 0.45),
    topic=Scored("delivery", 0.8),
    flags=[Flag("privacy_incident", 0.7, ["gegevens"])],
    flag_probabilities={"privacy_incident": 0.7},
    language=Scored("nl", 0.99),
    register=Scored("u", 0.9),
    low_confidence=["intent"],
)


def test_labels_are_checked() -> None:
    assert not Labels.of(None) and not Labels.of({})
    labels = Labels.of({"topic": "billing", "flags": ["safety", "abuse", "safety"]})
    assert labels.heads == ["topic", "flags"] and labels.flags == ("safety", "abuse")
    assert Labels.of({"flags": []}).heads == ["flags"]  # an empty set clears the flags
    for bad, message in (
        ({"topic": "weer"}, "kies uit"),
        ({"flags": ["boos"]}, "Onbekende vlag"),
        ({"stemming": "x"}, "Onbekende kop"),
    ):
        with pytest.raises(InputError, match=message):
            Labels.of(bad)


def test_corrected_triage_and_what_the_model_said() -> None:
    fixed, heads = corrected_triage(TRIAGE, Labels.of({"intent": "question", "flags": []}))
    assert heads == ["intent", "flags"]
    assert fixed.intent == Scored("question", 1.0) and fixed.flags == []
    assert fixed.low_confidence == [] and fixed.topic == TRIAGE.topic
    same, none = corrected_triage(TRIAGE, Labels.of({"sentiment": "negative"}))
    assert none == [] and same.sentiment == TRIAGE.sentiment
    kept, _ = corrected_triage(TRIAGE, Labels.of({"flags": ["privacy_incident", "abuse"]}))
    evidence = {f.label: f.evidence for f in kept.flags}
    assert evidence == {"abuse": [], "privacy_incident": ["gegevens"]}  # the model's words stay
    foreign = Triage(None, None, None, [], {}, Scored("en", 0.9), Scored("unknown", 0.5))
    untouched, heads = corrected_triage(foreign, Labels.of({"topic": "billing"}))
    assert heads == [] and untouched.topic is None and untouched.notes


def test_an_agent_decides_on_possible_flags_too() -> None:
    from responder.triage.service import possible_note

    doubt = Flag("safety", 0.8, ["stofzuiger"])
    triage = replace(TRIAGE, possible_flags=[doubt], notes=["anders", possible_note(doubt)])
    confirmed, heads = corrected_triage(
        triage, Labels.of({"flags": ["privacy_incident", "safety"]})
    )
    assert heads == ["flags"] and confirmed.possible_flags == []
    assert {f.label: f.evidence for f in confirmed.flags} == {
        "privacy_incident": ["gegevens"],
        "safety": ["stofzuiger"],  # the model's words for the possible flag stay
    }
    assert confirmed.notes == ["anders"]  # the note about the possible flag is gone
    dismissed, heads = corrected_triage(triage, Labels.of({"flags": ["privacy_incident"]}))
    assert heads == [] and dismissed.possible_flags == [] and dismissed.flags_confirmed
    kept, _ = corrected_triage(triage, Labels.of({"topic": "billing"}))
    assert kept.possible_flags == [doubt]  # flags not touched: still possible


def test_full_labels_from_a_stored_triage() -> None:
    stored = {
        **TRIAGE.to_dict(),
        "flags": [],  # suggested with the flag removed ...
        "model_labels": {"flags": [{"label": "privacy_incident", "probability": 0.7}]},
    }
    assert model_summary(stored)["flags"] == ["privacy_incident"]  # ... the model raised it
    labels, changed, model = full_labels(stored, Labels.of({"flags": [], "topic": "billing"}))
    assert labels == {
        "sentiment": "negative",
        "intent": "complaint",
        "topic": "billing",
        "flags": [],
    }
    assert changed == ["topic", "flags"] and model["topic"] == "delivery"
    with pytest.raises(InputError, match="niet als Nederlands"):
        full_labels(
            {"sentiment": None, "intent": None, "topic": None}, Labels.of({"topic": "billing"})
        )


def test_correction_rows_and_merged_data(tiny_data: Path, tmp_path: Path) -> None:
    test_text = next(iter(load_comments(tiny_data / "test.jsonl")))["text"]
    train_text = list(load_comments(tiny_data / "train.jsonl"))[25]["text"]  # not in dev or test
    labels = {"sentiment": "neutral", "intent": "question", "topic": "billing", "flags": "[]"}
    records = [
        {"id": 1, "text": "Hoe zit het met mijn factuur?", **labels},
        {"id": 2, "text": None, **labels},  # no text kept: nothing to learn from
        {"id": 3, "text": test_text, **labels},  # in the test split: would leak
        {"id": 4, "text": train_text, **labels},  # in train: replaces its labels
    ]
    rows = correction_rows(records)
    assert [r["text"] for r in rows] == ["Hoe zit het met mijn factuur?", test_text, train_text]
    assert rows[0]["flags"] == []
    added, left_out = with_corrections(tiny_data, rows, tmp_path / "merged")
    assert (added, left_out) == (2, 1)
    train = [json.loads(line) for line in (tmp_path / "merged" / "train.jsonl").open()]
    assert len(train) == 61 and train[-1]["text"] == "Hoe zit het met mijn factuur?"
    assert next(r for r in train if r["text"] == train_text)["topic"] == "billing"
    assert (tmp_path / "merged" / "test.jsonl").read_text() == "".join(
        json.dumps(
            {k: r[k] for k in ("text", "sentiment", "intent", "topic", "flags")},
            ensure_ascii=False,
        )
        + "\n"
        for r in load_comments(tiny_data / "test.jsonl")
    )
    with pytest.raises(DataError, match="onbekend"):
        correction_rows([{"id": 9, "text": "x", **labels, "topic": "weer"}])


@pytest.mark.slow
def test_train_with_feedback_adds_corrections_and_compares(
    tiny_model: Path,
    tiny_base: Path,
    tiny_data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db_url = f"sqlite:///{tmp_path / 'team.db'}"
    monkeypatch.setenv("RESPONDER_DATABASE_URL", db_url)
    db = Storage(db_url)
    labels = {"sentiment": "negative", "intent": "complaint", "topic": "billing", "flags": []}
    model = {**labels, "topic": "delivery"}
    db.record_correction("r1", None, labels, ["topic"], model, "Ik betaal te veel voor niks")
    db.record_correction("r2", None, labels, ["topic"], model, None)
    db.close()
    out = tmp_path / "triage"
    shutil.copytree(tiny_model, out)  # the model before
    runner = CliRunner()
    args = ["train", "--with-feedback", "--data", str(tiny_data), "--output", str(out)]
    args += ["--base-model", str(tiny_base), "--epochs", "1", "--batch-size", "8"]
    result = runner.invoke(cli, [*args, "--ordinary", "geen"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "1 toegevoegd" in result.stderr and "1 zonder bewaarde tekst" in result.stderr
    assert "Voor en na de correcties" in result.stdout and "| kop | voor | na |" in result.stdout
    log = json.loads((out / "training_log.json").read_text())
    assert log["train_examples"] == 61
    result = runner.invoke(
        cli,
        ["eval", "--model", str(out), "--before", str(tiny_model), "--data", str(tiny_data)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "## Voor" in result.stdout and "| sentiment (macro-F1) |" in result.stdout


def test_a_confirmed_possible_flag_is_recorded_as_the_models_possible_flag() -> None:
    doubt = Flag("safety", 0.8, ["stofzuiger"])
    triage = replace(TRIAGE, possible_flags=[doubt])
    stored = triage.to_dict()
    assert model_summary(stored)["possible_flags"] == ["safety"]
    labels, changed, model = full_labels(
        stored, Labels.of({"flags": ["privacy_incident", "safety"]})
    )
    assert labels["flags"] == ["privacy_incident", "safety"] and changed == ["flags"]
    assert model["flags"] == ["privacy_incident"] and model["possible_flags"] == ["safety"]
    assert set(labels) == {"sentiment", "intent", "topic", "flags"}  # the example: four heads
    # Suggested with the flags overridden: the corrected triage has no possible flags left, the
    # model's are under model_labels.
    fixed, heads = corrected_triage(triage, Labels.of({"flags": ["safety"]}))
    said = {**fixed.to_dict(), "model_labels": model_labels(triage, heads)}
    assert model_summary(said)["possible_flags"] == ["safety"]
    assert model_summary(said)["flags"] == ["privacy_incident"]
