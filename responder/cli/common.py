"""What the commands share: messages and progress on stderr, the --model option, the assistant."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from responder.config import Settings
from responder.errors import InputError

if TYPE_CHECKING:  # keeps `responder --help` free of torch
    from responder.assistant import Assistant


def say(message: str) -> None:
    click.echo(message, err=True)


class Progress:
    """A tqdm bar on a terminal; in a pipe or log a line every ten percent."""

    def __init__(self, total: int | None, desc: str, unit: str = "it") -> None:
        self.total, self.desc, self.done, self.last_pct = total, desc, 0, -10
        self.started = time.monotonic()
        self.bar: Any = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True)

    def update(self, n: int = 1, postfix: str | None = None) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
            if postfix:
                self.bar.set_postfix_str(postfix)
            return
        if self.total:
            pct = int(100 * self.done / self.total)
            if pct >= self.last_pct + 10 or self.done == self.total:
                self.last_pct = pct
                elapsed = time.monotonic() - self.started
                eta = elapsed / self.done * (self.total - self.done)
                extra = f", {postfix}" if postfix else ""
                say(f"{self.desc}: {pct}% ({self.done}/{self.total}, nog ~{eta:.0f} s{extra})")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def training_progress() -> tuple[Callable[[int, int, float], None], Callable[[], None]]:
    state: dict[str, Progress] = {}

    def report(step: int, total: int, loss: float) -> None:
        if "bar" not in state or step == 1:  # a new training run (model, then its student)
            if "bar" in state:
                state["bar"].close()
            state["bar"] = Progress(total, "Trainen", unit="stap")
        state["bar"].update(1, postfix=f"loss {loss:.3f}")

    def close() -> None:
        if "bar" in state:
            state["bar"].close()

    return report, close


model_option = click.option(
    "--model",
    "model",
    type=click.Path(path_type=Path),
    default=None,
    help="Map van het triagemodel (standaard: models/triage of RESPONDER_MODEL_PATH).",
)


def load_assistant(model: Path | None = None, **options: Any) -> Assistant:
    """The service as the settings say, auditing into the database like the API does (without
    a usable database it still answers, and says that nothing was recorded)."""
    from responder.assistant import Assistant
    from responder.storage import Storage, StorageError

    settings = Settings()
    storage: Storage | None = None
    try:
        storage = Storage(settings.database_url)
    except (StorageError, OSError) as exc:
        say(f"Let op: niets vastgelegd in het auditlog ({exc}).")
    return Assistant.from_settings(settings, model=model, storage=storage, **options)


def comment_text(text: str) -> str:
    """The comment from the command line (``-``: from stdin) as valid Unicode: bytes that are
    not UTF-8, on stdin or in an argument the shell could not decode (Python hands those on as
    lone surrogates), become U+FFFD, and the user hears about it."""
    from responder.triage.normalise import without_surrogates

    if text == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is not None:
            text = bytes(stream.read()).decode("utf-8", "surrogateescape")
        else:
            text = sys.stdin.read()
    clean = without_surrogates(text)
    if clean != text:
        say("Let op: de tekst is geen geldige UTF-8; onleesbare tekens zijn vervangen door \ufffd.")
    return clean


def parse_time(value: str | None) -> datetime | None:
    """``--time`` as a datetime, checked before any model is loaded."""
    from responder.advice.plan import check_posted_at

    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"Tijdstip {value!r} niet herkend; gebruik bijvoorbeeld 2026-11-25T21:30."
        ) from None
    return check_posted_at(moment)
