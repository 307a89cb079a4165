"""Settings: which model serves and which labels files."""

from __future__ import annotations

from pathlib import Path

from responder.config import Settings


def test_labelling_prefers_the_optimised_copy_and_serving_does_not(tmp_path: Path) -> None:
    settings = Settings(models_dir=tmp_path)
    assert settings.batch_model_path == settings.triage_model_path == tmp_path / "triage"
    (tmp_path / "triage-fast").mkdir()
    (tmp_path / "triage-fast" / "triage_config.json").write_text("{}")
    assert settings.batch_model_path == tmp_path / "triage-fast"
    assert settings.triage_model_path == tmp_path / "triage"
    explicit = Settings(models_dir=tmp_path, model_path=tmp_path / "x")
    assert explicit.batch_model_path == explicit.triage_model_path == tmp_path / "x"
