"""Ranking by fit: how much a comment looks like the example comments each reply was written for.

Every playbook reply lists a few short comments it fits (``Reply.examples``). A ``ReplyIndex``
embeds them once, with any function that turns texts into unit vectors (the triage model's
``TriageModel.embed``, or a fake in tests). For a comment, each reply of its situation gets its
best cosine over its own examples; the fit bonus is that cosine's distance from the situation's
mean, scaled so that the reply furthest from the mean gets ``MAX_FIT``:

    bonus = MAX_FIT * (best - mean) / max(max |best - mean|, MIN_SPREAD)

So the bonus is bounded (at most ``MAX_FIT``, 0.3, three steps of the playbook's order, either
way), centred (one reply rising means another falls), and small when the replies' fits hardly
differ (``MIN_SPREAD``: differences in cosine well below it are noise and move little). It is off by
default (``Settings.fit_ranking``): on both judged sets it made the first suggestion worse, not
better (see ``benchmarks/results/replies.json``, ``fit_ranking``). The
strong signals stay decisive: ``suggest`` gives a reply that names the comment's own words or
the playbook's answer the full bonus, whatever its examples, and guardrails still drop replies
before any ranking. Then the one-reply-per-strategy selection keeps the suggestions diverse.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from responder.advice.playbook import Playbook

Embed = Callable[[Sequence[str]], NDArray[np.float32]]
"""Texts → one unit-length row vector each, in order."""

MAX_FIT = 0.3
"""The most the fit moves a reply's score, up or down (the playbook's order steps by 0.1). It
only chooses among replies of the same strategy (``suggest``): the kind of answer stays the
playbook's."""
MIN_SPREAD = 0.05
"""The spread of fits (in cosine) from which the best-fitting reply gets the full bonus; below
it the bonuses shrink in proportion, so near-equal fits reorder little."""
NOTICEABLE = 0.05
"""A bonus from this size on is explained in the suggestion's ranking lines."""


@dataclass(frozen=True)
class Likeness:
    """How well one reply fits a comment: its bounded bonus and its closest example."""

    bonus: float
    example: str
    similarity: float

    def explanation(self) -> str | None:
        """The Dutch ranking line, or None when the bonus is too small to mention."""
        if self.bonus >= NOTICEABLE:
            return f"Hoger: lijkt op voorbeelden als '{self.example}'."
        if self.bonus <= -NOTICEABLE:
            return "Lager: de reactie lijkt minder op de voorbeelden van dit antwoord."
        return None


NO_FIT = Likeness(0.0, "", 0.0)
"""For a reply without examples in a situation whose other replies have them."""


class ReplyIndex:
    """The example vectors of every reply of a playbook, embedded once (one ``embed`` call)."""

    def __init__(self, playbook: Playbook, embed: Embed) -> None:
        self.embed = embed
        self.version = playbook.version
        owners: list[tuple[str, int]] = []
        texts: list[str] = []
        for situation in playbook.situations:
            for index, reply in enumerate(situation.replies):
                for example in reply.examples:
                    owners.append((situation.id, index))
                    texts.append(example)
        vectors = _unit(embed(texts)) if texts else np.zeros((0, 0), np.float32)
        self._examples: dict[str, dict[int, tuple[NDArray[np.float32], tuple[str, ...]]]] = {}
        rows: dict[tuple[str, int], list[int]] = {}
        for row, owner in enumerate(owners):
            rows.setdefault(owner, []).append(row)
        for (situation_id, index), picked in rows.items():
            self._examples.setdefault(situation_id, {})[index] = (
                vectors[picked],
                tuple(texts[r] for r in picked),
            )

    def __len__(self) -> int:
        return sum(len(m) for by_reply in self._examples.values() for m, _ in by_reply.values())

    def covers(self, situation_id: str) -> bool:
        """Whether at least two replies of the situation have examples (else nothing to rank)."""
        return len(self._examples.get(situation_id, {})) >= 2

    def vector(self, comment: str) -> NDArray[np.float32]:
        """The comment's unit vector (one call of ``embed``)."""
        vector: NDArray[np.float32] = _unit(self.embed([comment]))[0]
        return vector

    def likeness(
        self, situation_id: str, comment: str | NDArray[np.float32]
    ) -> dict[int, Likeness]:
        """Per reply index of the situation: its fit bonus and closest example; replies without
        examples are left out (no bonus). ``comment``: its text, or its vector when known."""
        by_reply = self._examples.get(situation_id, {})
        if len(by_reply) < 2:
            return {}
        vector = self.vector(comment) if isinstance(comment, str) else comment
        best: dict[int, tuple[float, str]] = {}
        for index, (matrix, examples) in sorted(by_reply.items()):
            cosines = matrix @ vector
            top = int(np.argmax(cosines))
            best[index] = (float(cosines[top]), examples[top])
        return fit_bonuses(best)


def fit_bonuses(best: Mapping[int, tuple[float, str]]) -> dict[int, Likeness]:
    """Centred, bounded bonuses from each reply's best cosine (see the module's formula)."""
    if not best:
        return {}
    mean = sum(cos for cos, _ in best.values()) / len(best)
    spread = max(MIN_SPREAD, max(abs(cos - mean) for cos, _ in best.values()))
    return {
        index: Likeness(round(MAX_FIT * (cos - mean) / spread, 4), example, round(cos, 4))
        for index, (cos, example) in best.items()
    }


def _unit(vectors: NDArray[np.float32]) -> NDArray[np.float32]:
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim != 2:
        raise ValueError(f"embed moet een matrix geven (één rij per tekst), niet {matrix.shape}")
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit: NDArray[np.float32] = (matrix / np.maximum(norms, 1e-12)).astype(np.float32)
    return unit
