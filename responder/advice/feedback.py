"""How the team's feedback on a template nudges its place in the ranking: bounded, so the
playbook's order still decides, and a few votes move nothing.

The adjustment of a template with ``used``, ``edited`` and ``rejected`` votes is

    MAX_ADJUSTMENT * (used + 0.5 * edited - rejected) / (used + edited + rejected + PRIOR_VOTES)

and it counts only from ``NOTICEABLE`` (0.05) on; a smaller one is zero. Its size is at most
``MAX_ADJUSTMENT`` (0.15), one and a half steps of the playbook's order (0.1 each): one
template's feedback can lift it past its neighbour, not past a reply two steps up, and a reply
three steps down never gets ahead, whatever the feedback on both. With the prior of five votes
a template needs at least three votes, all the same way, before it moves at all; one vote
(0.025) moves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_ADJUSTMENT = 0.15
"""The most an adjustment can be, approached only after many votes one way."""
PRIOR_VOTES = 5
"""Votes a template is assumed to have had with no lean either way."""
EDITED_WEIGHT = 0.5
"""An edited reply was half useful."""
NOTICEABLE = 0.05
"""Smaller adjustments are dropped: they would only reorder by chance, never by a clear lean."""


@dataclass(frozen=True)
class TemplateFeedback:
    """How often the team used, edited or rejected the suggestions made from one template."""

    used: int = 0
    edited: int = 0
    rejected: int = 0

    @property
    def votes(self) -> int:
        return self.used + self.edited + self.rejected

    def adjustment(self) -> float:
        """The change to the template's score: a smoothed rate, zero below ``NOTICEABLE`` and
        at most ``MAX_ADJUSTMENT``."""
        net = self.used + EDITED_WEIGHT * self.edited - self.rejected
        change = round(MAX_ADJUSTMENT * net / (self.votes + PRIOR_VOTES), 4)
        return change if abs(change) >= NOTICEABLE else 0.0

    def explanation(self) -> str | None:
        """The Dutch line for the ranking explanation; None when the feedback moves nothing."""
        change = self.adjustment()
        if not change:
            return None
        counts = ", ".join(
            f"{n} keer {word}"
            for n, word in (
                (self.used, "gebruikt"),
                (self.edited, "aangepast"),
                (self.rejected, "afgewezen"),
            )
            if n
        )
        if change > 0:
            return f"Hoger: vaak gebruikt door het team ({counts})."
        return f"Lager: vaak afgewezen door het team ({counts})."
