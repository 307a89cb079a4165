"""Seams between the core and whatever produces predictions (real model, fake in tests)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class HeadScores:
    """Probabilities of one comment: per single-label head a label→probability map, and per flag
    its probability with the threshold above which it counts as raised."""

    single: dict[str, dict[str, float]]
    flags: dict[str, float]
    thresholds: dict[str, float] = field(default_factory=dict)

    def top(self, head: str) -> tuple[str, float]:
        scores = self.single[head]
        label = max(scores, key=lambda name: scores[name])
        return label, scores[label]

    def raised_flags(self) -> list[str]:
        return [f for f, p in self.flags.items() if p >= self.thresholds.get(f, 0.5)]


@runtime_checkable
class Classifier(Protocol):
    """Anything that scores comments on the label scheme."""

    def predict(self, texts: Sequence[str], batch_size: int = 32) -> list[HeadScores]: ...


@runtime_checkable
class FlagScorer(Protocol):
    """A classifier that can score comments for their flags alone, skipping work only the other
    heads need (evidence by occlusion scores many variants of a comment for one flag). The
    flags must be those ``predict`` gives; the other heads may be rougher."""

    def predict_flags(self, texts: Sequence[str], batch_size: int = 32) -> list[HeadScores]: ...


@runtime_checkable
class Embedder(Protocol):
    """A model that also gives unit sentence vectors (for ranking replies by likeness)."""

    def embed(self, texts: Sequence[str], batch_size: int = 32) -> NDArray[np.float32]: ...

    def vector_of(self, text: str) -> NDArray[np.float32]: ...
