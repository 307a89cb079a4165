"""Micro-batching: concurrent calls share forward passes, keep their order, get their errors."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from responder.model.batching import BatchingClassifier
from responder.protocols import HeadScores


class Recording:
    def __init__(self, fail_on: str | None = None) -> None:
        self.calls: list[list[str]] = []
        self.fail_on = fail_on
        self.lock = threading.Lock()

    def predict(self, texts: Sequence[str], batch_size: int = 32) -> list[HeadScores]:
        with self.lock:
            self.calls.append(list(texts))
        if self.fail_on and self.fail_on in texts:
            raise RuntimeError("kapot")
        threading.Event().wait(0.01)  # a forward pass takes time
        return [HeadScores(single={"t": {t: 1.0}}, flags={}) for t in texts]


def test_concurrent_calls_share_batches_and_keep_order() -> None:
    inner = Recording()
    batching = BatchingClassifier(inner, max_batch=64, max_wait_s=0.02)
    calls = [[f"a{i}", f"b{i}"] for i in range(24)]
    with ThreadPoolExecutor(24) as pool:
        results = list(pool.map(batching.predict, calls))
    for texts, scores in zip(calls, results, strict=True):
        assert [next(iter(s.single["t"])) for s in scores] == texts
    assert sum(len(c) for c in inner.calls) == 48
    assert len(inner.calls) < len(calls)  # shared forward passes
    assert batching.batches == len(inner.calls)


def test_errors_reach_every_caller_of_that_batch_and_the_batcher_survives() -> None:
    batching = BatchingClassifier(Recording(fail_on="boem"), max_wait_s=0.0)
    with pytest.raises(RuntimeError, match="kapot"):
        batching.predict(["boem"])
    assert len(batching.predict(["daarna"])) == 1


def test_big_calls_and_empty_calls_skip_the_queue() -> None:
    inner = Recording()
    batching = BatchingClassifier(inner, max_batch=4)
    assert batching.predict([]) == []
    assert len(batching.predict([str(i) for i in range(10)])) == 10
    assert inner.calls == [[str(i) for i in range(10)]]
