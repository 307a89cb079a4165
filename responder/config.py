"""Settings from the environment (prefix ``RESPONDER_``) with defaults that work offline."""

from pathlib import Path
from typing import Annotated

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_BASE_MODEL = "intfloat/multilingual-e5-small"
CONFIG_NAME = "triage_config.json"
"""The file that makes a folder a triage model (label maps, thresholds, arithmetic)."""
DEFAULT_STUDENT_LAYERS: int | None = None
"""Encoder layers of the optimised copy (`responder model optimise --layers N`); ``None`` keeps all
12. Opt-in: a 10-layer student, 2 epochs, lost 0.01-0.04 macro-F1 per head (see responder.model.distil)."""


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
    label_workers: int = 1
    """Model processes for `responder label`. One process uses every core; two processes of one
    thread each label ~7 % more per second on 2 cores but double the memory."""
    flag_cues: bool = True
    """Escalate a P1 flag only when the comment contains one of its telling words or the model is
    nearly certain; otherwise it is shown as a possible flag (``responder/triage/cues.py``)."""
    wordlist: Path = Path("/usr/share/dict/dutch")
    """Dutch word list for `model optimise` (Debian package ``wdutch``)."""

    # --- the API (`responder serve`) ---
    database_url: str = "sqlite:///var/responder.db"
    """Embedded SQLite by default: API keys, audit log, feedback."""
    require_api_key: bool | None = None
    """``None``: required whenever the server listens beyond loopback. It cannot be switched off
    there; on loopback ``true`` switches it on."""
    cors_origins: str = ""
    """Comma-separated origins allowed to call the API from a browser (e.g. the extension's
    ``chrome-extension://<id>``); none by default."""
    allowed_hosts: str = ""
    """Comma-separated host names the server answers to besides localhost, 127.0.0.1, [::1] and
    the address it listens on (against DNS rebinding); ``*`` accepts any. On all interfaces
    (``--host 0.0.0.0``, where keys are required) any name is accepted unless some are listed."""
    trusted_proxies: str = ""
    """Comma-separated addresses (or networks) of reverse proxies whose ``X-Forwarded-For`` is
    believed; none by default, so a client cannot pick its own address for the rate limit."""
    body_timeout_seconds: float = 15.0
    """A request body must have arrived this long after its headers (a stalled one gets 408)."""
    rate_limit_per_minute: int = 120
    """Requests per minute per API key (or per client address without keys), per worker."""
    max_body_bytes: int = 1_000_000
    max_batch: int = 1000
    """Most comments in one ``POST /v1/label``."""
    audit_text: bool = False
    """Store comment text in the audit log, feedback, the team's queue and label corrections
    (personal data: off by default). Corrections are used by `train --with-feedback` only with
    their text."""
    feedback_ranking: bool = True
    """Let the team's feedback (used, edited, rejected per template) nudge the order of the
    suggestions, within bounds; off gives the playbook's order. See ``responder/advice/feedback.py``."""
    fit_ranking: bool = False
    """Let the likeness between a comment and each reply's example comments (the triage model's
    own sentence vectors) choose among replies of the same strategy; see
    ``responder/advice/similarity.py``. Off (the default, as measured) gives the playbook's order."""
    inference_concurrency: int = 16
    """Requests handled at once per worker, off the event loop. With micro-batching their model
    calls share forward passes; without it keep this at 1 (torch already uses every core)."""
    retention_days: Annotated[int, Field(ge=0)] = 30
    """Days that comment data is kept: the audit log, feedback, the team's queue and label
    corrections. Older rows are deleted automatically, at start-up and at most hourly while
    serving (AVG: storage limitation). ``0`` keeps them indefinitely: only with a documented
    reason."""
    queue_limit: int = 500
    """Most items one ``GET /v1/queue`` returns."""
    micro_batching: bool = True
    """Gather concurrent comments into one forward pass (see ``responder/batching.py``)."""

    @property
    def cors_origin_list(self) -> list[str]:
        return _listed(self.cors_origins)

    @property
    def allowed_host_list(self) -> list[str]:
        return [h.lower().strip("[]") for h in _listed(self.allowed_hosts)]

    @property
    def trusted_proxy_list(self) -> list[str]:
        return _listed(self.trusted_proxies)

    @property
    def reference_model_path(self) -> Path:
        """Where `responder train` and `model build` put the trained (unoptimised) model."""
        return self.models_dir / "triage"

    @property
    def optimised_model_path(self) -> Path:
        """Where `responder model optimise` puts the smaller, faster copy."""
        return self.models_dir / "triage-fast"

    @property
    def triage_model_path(self) -> Path:
        """The model for the API, `triage`, `suggest` and `eval`: ``RESPONDER_MODEL_PATH``, else
        the trained model. Its answers do not depend on what else is in the batch."""
        return self.model_path or self.reference_model_path

    @property
    def batch_model_path(self) -> Path:
        """The model for `responder label`: ``RESPONDER_MODEL_PATH``, else the optimised copy when
        it exists (faster; in int8 or bf16 arithmetic, scores can vary in the third decimal with
        what else is in the batch), else the trained model."""
        if self.model_path:
            return self.model_path
        if (self.optimised_model_path / CONFIG_NAME).is_file():
            return self.optimised_model_path
        return self.reference_model_path

    @property
    def converted_base_path(self) -> Path:
        return self.models_dir / "multilingual-e5-small"


def _listed(value: str) -> list[str]:
    """The items of a comma-separated setting, trimmed, empty ones left out."""
    return [item.strip() for item in value.split(",") if item.strip()]
