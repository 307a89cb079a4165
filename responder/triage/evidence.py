"""Why a flag was raised: the words of the comment that triggered it, found by leaving each word
out and measuring how much the flag's probability drops (occlusion). It works for any
:class:`Classifier`, costs one extra model call per flagged batch, and runs only for comments
that have a flag, which in real traffic are few."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from responder.protocols import Classifier, HeadScores

WORD = re.compile(r"[\w@#€$%'’&-]+", re.UNICODE)
MAX_PIECES = 48
"""A long comment is cut into at most this many pieces of consecutive words, so that explaining
it costs at most this many extra texts to score."""
FUNCTION_WORDS = frozenset(
    (  # noqa: SIM905 - a word list reads best as text
        "de het een en of maar dat die dit deze daar hier er ik je jij u uw we wij ze zij hij mij "
        "me mijn ons onze jullie hun hem haar is ben bent zijn was waren wordt worden werd heb "
        "hebt heeft hebben had kan kun kunt kunnen wil wilt willen moet moeten zal zou in op aan "
        "bij met van voor naar uit om tot over door als dan te al nog ook wel niet geen zo heel "
        "erg echt even toch maar nu dus want of wat wie waar hoe wanneer waarom the a an to of "
        "and or is are i you it"
    ).split()
)
"""Words that never carry a flag on their own: left out of the occlusion (fewer texts to score),
never returned as evidence."""
MAX_WORDS = 3
"""At most this many pieces of evidence per flag."""
MIN_SHARE = 0.15
"""A piece counts when leaving it out removes at least this share of the flag's probability."""


def pieces(text: str) -> list[tuple[int, int]]:
    """Character spans of the content words (not :data:`FUNCTION_WORDS`), grouped so that there
    are at most ``MAX_PIECES``."""
    spans = [m.span() for m in WORD.finditer(text) if m.group().lower() not in FUNCTION_WORDS]
    size = max(1, math.ceil(len(spans) / MAX_PIECES))
    return [
        (spans[i][0], spans[min(i + size, len(spans)) - 1][1]) for i in range(0, len(spans), size)
    ]


def flag_evidence(
    classifier: Classifier,
    texts: Sequence[str],
    scores: Sequence[HeadScores],
    batch_size: int = 32,
) -> list[dict[str, list[str]]]:
    """Per text, for each raised flag, the words that triggered it (strongest first)."""
    variants: list[str] = []
    plan: list[tuple[int, list[tuple[int, int]], int]] = []  # text, its pieces, first variant
    for i, (text, s) in enumerate(zip(texts, scores, strict=True)):
        if not s.raised_flags():
            continue
        spans = pieces(text)
        plan.append((i, spans, len(variants)))
        variants += [(text[:a] + " " + text[b:]).strip() for a, b in spans]
    out: list[dict[str, list[str]]] = [{} for _ in texts]
    if not variants:
        return out
    without = classifier.predict(variants, batch_size=batch_size)
    for i, spans, first in plan:
        s = scores[i]
        for flag in s.raised_flags():
            p = s.flags[flag]
            drops = [(p - without[first + k].flags[flag], k) for k in range(len(spans))]
            drops.sort(key=lambda d: -d[0])
            chosen = [k for drop, k in drops[:MAX_WORDS] if drop >= MIN_SHARE * p]
            if not chosen and drops and drops[0][0] > 0:
                chosen = [drops[0][1]]
            out[i][flag] = [texts[i][spans[k][0] : spans[k][1]] for k in chosen]
    return out
