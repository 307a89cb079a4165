"""Settings from the environment (prefix ``RESPONDER_``) with defaults that work offline."""

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_BASE_MODEL = "intfloat/multilingual-e5-small"


class Settings(BaseSettings):
    """Process-wide settings; every field can be set as ``RESPONDER_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="RESPONDER_", extra="ignore")

    models_dir: Path = Path("models")
    """Where built models live (converted base encoder, trained triage model)."""
    model_path: Path | None = None
    """The triage model to serve; defaults to ``<models_dir>/triage``."""
    base_model: str = DEFAULT_BASE_MODEL
    """Hub id or local folder of the encoder that training starts from."""
    playbook_path: Path | None = None
    """The organisation's playbook (YAML); ``None`` uses the default one shipped in the package."""
    data_dir: Path = Path("data")
    max_text_chars: int = 5000
    """Longer comments are rejected with a clear error rather than silently cut."""
    threads: int | None = None
    """Torch intra-op threads; ``None`` lets torch decide (all cores)."""

    @property
    def triage_model_path(self) -> Path:
        return self.model_path or self.models_dir / "triage"

    @property
    def converted_base_path(self) -> Path:
        return self.models_dir / "multilingual-e5-small"
