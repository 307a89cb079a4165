"""Micro-batching: comments that arrive at the same moment from different threads share one
forward pass. On a CPU one batch of 16 short comments costs far less than 16 single passes."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future

from responder.protocols import Classifier, FlagScorer, HeadScores


class BatchingClassifier:
    """Wraps a classifier; concurrent ``predict`` calls run together on one worker thread.
    Calls that arrive while a forward pass runs form the next batch (up to ``max_batch`` texts),
    so a lone request never waits; ``max_wait_s`` can add a short gathering pause. Results and
    errors go back to each caller; the order of texts within a call is kept."""

    def __init__(self, inner: Classifier, max_batch: int = 32, max_wait_s: float = 0.0) -> None:
        self.inner, self.max_batch, self.max_wait_s = inner, max_batch, max_wait_s
        self._pending: list[tuple[list[str], Future[list[HeadScores]]]] = []
        self._cond = threading.Condition()
        self._worker: threading.Thread | None = None
        self.batches = 0
        """How many forward passes ran (for tests and metrics)."""
        self._inner = threading.Lock()
        """One call into the wrapped classifier at a time: the worker's batches, a caller's own
        full batch and evidence calls would otherwise share its tokenizer across threads, and a
        fast tokenizer's truncation setting is switched per call."""

    def predict(self, texts: Sequence[str], batch_size: int = 32) -> list[HeadScores]:
        if not texts:
            return []
        if len(texts) >= self.max_batch:  # already a batch: no reason to wait
            with self._cond:
                self.batches += 1
            with self._inner:
                return self.inner.predict(texts, batch_size)
        future: Future[list[HeadScores]] = Future()
        with self._cond:
            self._pending.append((list(texts), future))
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="batcher", daemon=True)
                self._worker.start()
            self._cond.notify()
        return future.result()

    def predict_flags(self, texts: Sequence[str], batch_size: int = 32) -> list[HeadScores]:
        """The ``FlagScorer`` protocol where the wrapped classifier has it (else ``predict``):
        evidence asks for several variants at once, so this call is not gathered with others."""
        if isinstance(self.inner, FlagScorer):
            with self._cond:
                self.batches += 1
            with self._inner:
                return self.inner.predict_flags(texts, batch_size)
        return self.predict(texts, batch_size)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending:
                    self._cond.wait()
                if self.max_wait_s > 0:  # optionally let callers arriving together join
                    self._cond.wait_for(
                        lambda: sum(len(t) for t, _ in self._pending) >= self.max_batch,
                        timeout=self.max_wait_s,
                    )
                batch: list[tuple[list[str], Future[list[HeadScores]]]] = []
                size = 0
                while self._pending and (
                    not batch or size + len(self._pending[0][0]) <= self.max_batch
                ):
                    texts, future = self._pending.pop(0)
                    batch.append((texts, future))
                    size += len(texts)
                self.batches += 1
            all_texts = [t for texts, _ in batch for t in texts]
            try:
                with self._inner:
                    scores = self.inner.predict(all_texts, batch_size=max(len(all_texts), 1))
            except BaseException as exc:  # every caller gets the error
                for _, future in batch:
                    future.set_exception(exc)
                continue
            start = 0
            for texts, future in batch:
                future.set_result(scores[start : start + len(texts)])
                start += len(texts)
