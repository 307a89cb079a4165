"""Several model processes of one thread each: on a small CPU this labels more comments per
second than one process using every core (measured in ``benchmarks/throughput.py``)."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any

from responder.protocols import HeadScores

_MODEL: Any = None


def _exit_with_parent() -> None:
    """A worker must not outlive its parent, even one killed with SIGKILL (``--resume``)."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _load(model_dir: str) -> None:
    from responder.model.modeling import load_model

    global _MODEL
    _exit_with_parent()
    _MODEL = load_model(model_dir, threads=1)


def _predict(args: tuple[list[str], int, bool]) -> list[HeadScores]:
    texts, batch_size, flags_only = args
    score = _MODEL.predict_flags if flags_only else _MODEL.predict
    scores: list[HeadScores] = score(texts, batch_size)
    return scores


class ParallelClassifier:
    """A ``Classifier`` that spreads each call over ``workers`` processes (spawned, each with
    its own copy of the model). Use it as a context manager so the processes stop."""

    def __init__(self, model_dir: Path, workers: int) -> None:
        from responder.errors import ModelNotFoundError
        from responder.model.modeling import TriageConfig

        if not (Path(model_dir) / "model.safetensors").is_file():
            raise ModelNotFoundError(
                f"Geen triagemodel gevonden in {model_dir}. Bouw het met 'responder model build'."
            )
        TriageConfig.load(Path(model_dir))  # a clear error now rather than in every worker
        self.workers = workers
        self._pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_load,
            initargs=(str(model_dir),),
        )

    def predict(self, texts: Sequence[str], batch_size: int = 32) -> list[HeadScores]:
        return self._spread(texts, batch_size, flags_only=False)

    def predict_flags(self, texts: Sequence[str], batch_size: int = 32) -> list[HeadScores]:
        """The ``FlagScorer`` protocol, spread over the processes like ``predict``."""
        return self._spread(texts, batch_size, flags_only=True)

    def _spread(self, texts: Sequence[str], batch_size: int, flags_only: bool) -> list[HeadScores]:
        if not texts:
            return []
        n = min(self.workers, len(texts))
        # Interleave, so that every process gets a similar mix of short and long comments.
        parts = [list(texts[i::n]) for i in range(n)]
        jobs = [(p, batch_size, flags_only) for p in parts]
        results = list(self._pool.map(_predict, jobs))
        out: list[HeadScores] = [None] * len(texts)  # type: ignore[list-item]
        for i, scores in enumerate(results):
            out[i::n] = scores
        return out

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ParallelClassifier:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
