"""End to end on the real base model and the team's data: a small training run must beat the
majority-class baseline on dev. Slow (a minute or two); CI runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from responder.config import DEFAULT_BASE_MODEL, Settings
from responder.model.building import evaluate, resolve_base_model
from responder.model.data import load_comments
from responder.model.trainer import train
from responder.model.training_args import TrainingArgs

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "comments"


@pytest.mark.slow
def test_small_training_run_beats_majority_baseline(tmp_path: Path) -> None:
    existing = ROOT / "models" / "multilingual-e5-small"
    settings = Settings(
        models_dir=existing.parent if (existing / "config.json").is_file() else tmp_path
    )
    base = resolve_base_model(DEFAULT_BASE_MODEL, settings, lambda _m: None)
    train_rows = list(load_comments(DATA / "train.jsonl"))
    dev_rows = list(load_comments(DATA / "dev.jsonl"))
    args = TrainingArgs(epochs=2, max_train_examples=1000, learning_rate=8e-5, freeze_layers=0)
    model, log = train(args, train_rows, dev_rows, base)
    assert log["train_examples"] == 1000
    metrics = evaluate(model, DATA, "dev")
    for head in ("sentiment", "intent", "topic"):
        ours = metrics["model"][head]["macro_f1"]
        majority = metrics["baselines"]["majority"][head]["macro_f1"]
        assert ours > majority + 0.15, (head, ours, majority)
    assert (
        metrics["model"]["sentiment"]["macro_f1"]
        > metrics["baselines"]["textblob_nl"]["sentiment"]["macro_f1"]
    )
