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


class FlagsAlone(Recording):
    def __init__(self) -> None:
        super().__init__()
        self.flag_calls: list[list[str]] = []

    def predict_flags(self, texts: Sequence[str], batch_size: int = 32) -> list[HeadScores]:
        with self.lock:
            self.flag_calls.append(list(texts))
        return [HeadScores(single={"t": {t: 0.5}}, flags={}) for t in texts]


def test_flags_alone_are_asked_of_the_wrapped_classifier_when_it_can() -> None:
    """Evidence asks for the flags alone: passed on where the wrapped classifier has
    ``predict_flags`` (one call at a time with the batches), else an ordinary prediction."""
    from responder.protocols import FlagScorer

    able = FlagsAlone()
    batching = BatchingClassifier(able, max_batch=64)
    assert isinstance(batching, FlagScorer)
    scores = batching.predict_flags(["a", "b"])
    assert [next(iter(s.single["t"])) for s in scores] == ["a", "b"]
    assert able.flag_calls == [["a", "b"]] and able.calls == []
    plain = Recording()
    scores = BatchingClassifier(plain, max_batch=64).predict_flags(["c"])
    assert [next(iter(s.single["t"])) for s in scores] == ["c"] and plain.calls == [["c"]]


def test_calls_into_the_wrapped_classifier_never_overlap() -> None:
    """The worker's batches, a caller's own big batch and evidence calls share the wrapped
    model (and its tokenizer): never two at once."""
    inside = {"now": 0, "most": 0}
    guard = threading.Lock()

    class Counting(FlagsAlone):
        def _enter(self) -> None:
            with guard:
                inside["now"] += 1
                inside["most"] = max(inside["most"], inside["now"])
            threading.Event().wait(0.005)
            with guard:
                inside["now"] -= 1

        def predict(self, texts: Sequence[str], batch_size: int = 32) -> list[HeadScores]:
            self._enter()
            return super().predict(texts, batch_size)

        def predict_flags(self, texts: Sequence[str], batch_size: int = 32) -> list[HeadScores]:
            self._enter()
            return super().predict_flags(texts, batch_size)

    batching = BatchingClassifier(Counting(), max_batch=4)
    jobs = [["x"], [str(i) for i in range(6)], ["y"], ["z", "w"]] * 6
    with ThreadPoolExecutor(12) as pool:
        list(pool.map(batching.predict, jobs))
        list(pool.map(batching.predict_flags, jobs))
    assert inside["most"] == 1
