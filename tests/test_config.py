"""Settings: which model serves and which labels files; the listed API settings."""

from __future__ import annotations

from pathlib import Path

import pytest

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


def test_listed_settings_are_trimmed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESPONDER_ALLOWED_HOSTS", " Webcare.Intern , [fd00::5],, ")
    monkeypatch.setenv("RESPONDER_TRUSTED_PROXIES", "10.0.0.1, 192.168.0.0/16")
    settings = Settings()
    assert settings.allowed_host_list == ["webcare.intern", "fd00::5"]
    assert settings.trusted_proxy_list == ["10.0.0.1", "192.168.0.0/16"]
    assert Settings().body_timeout_seconds > 0
    monkeypatch.delenv("RESPONDER_ALLOWED_HOSTS")
    monkeypatch.delenv("RESPONDER_TRUSTED_PROXIES")
    assert Settings().allowed_host_list == Settings().trusted_proxy_list == []  # none by default
