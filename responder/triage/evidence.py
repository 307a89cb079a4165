"""Why a flag was raised: the words of the comment that triggered it.

A flag whose telling words the comment contains (:func:`responder.triage.cues.evidence_words`:
"advocaat", "gaslucht", "ik zeg op") shows those and costs nothing. For the rest (the model's own
reading, such as abuse without a listed insult) the words are found by leaving parts of the
comment out and measuring how much the flag's probability drops (occlusion), in at most
:data:`MAX_ROUNDS` rounds so that a long comment costs about as much as a short one: first the
comment in :data:`FIRST_PARTS` parts, then the part that mattered most in at most
:data:`MAX_PIECES` pieces (a single word where the part is short; a few words in a long
comment). A comment of at most :data:`MAX_PIECES` content words is done word by word in one
round. So a flag costs at most eight extra texts to score, and only the comments whose flag no
telling word explains pay it: about one in seven of the team's flag-heavy comments, far fewer
in ordinary traffic. A flag held back for want of a telling word (it does not act) is shown
with the part of a long comment that mattered, after one round (at most four extra texts).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence

from responder.protocols import Classifier, FlagScorer, HeadScores

WORD = re.compile(r"[\w@#€$%'’&-]+", re.UNICODE)
MAX_PIECES = 4
"""At most this many left-out pieces per comment and round: a comment of at most this many
content words is explained word by word in one round."""
FIRST_PARTS = 4
"""A longer comment is first cut into this many parts."""
MAX_ROUNDS = 2
"""At most this many rounds: a long comment's evidence may be a few words rather than one."""
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
BRIEF_FROM = 12
"""A flag that is held back (see ``flag_evidence``'s ``brief``) gets one round only in a comment
of more than this many content words; a shorter comment is narrowed down to the word as usual
(its variants are short and cheap)."""
MAX_WORDS = 3
"""At most this many pieces of evidence per flag."""
MIN_SHARE = 0.15
"""A piece counts when leaving it out removes at least this share of the flag's probability."""


def content_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Character spans of the content words (not :data:`FUNCTION_WORDS`) between ``start`` and
    ``end``."""
    stop = len(text) if end is None else end
    return [
        m.span()
        for m in WORD.finditer(text, start, stop)
        if m.group().lower() not in FUNCTION_WORDS
    ]


def pieces(
    text: str, limit: int = MAX_PIECES, start: int = 0, end: int | None = None
) -> list[tuple[int, int]]:
    """The content words of ``text`` (between ``start`` and ``end``), grouped into at most
    ``limit`` pieces of consecutive words."""
    spans = content_spans(text, start, end)
    size = max(1, math.ceil(len(spans) / limit))
    return [
        (spans[i][0], spans[min(i + size, len(spans)) - 1][1]) for i in range(0, len(spans), size)
    ]


Drops = list[tuple[float, tuple[int, int]]]
"""Pieces of a comment with how much leaving each out lowers a flag's probability."""


def _without(text: str, span: tuple[int, int]) -> str:
    return (text[: span[0]] + " " + text[span[1] :]).strip()


def _drops(
    classifier: Classifier,
    jobs: list[tuple[int, str, list[tuple[int, int]]]],
    texts: Sequence[str],
    scores: Sequence[HeadScores],
    batch_size: int,
) -> list[Drops]:
    """For each job (text, flag, spans): every span with the drop in the flag's probability when
    it is left out, largest first. The variants of all jobs go to the model in one call."""
    variants: dict[tuple[int, tuple[int, int]], int] = {}
    for i, _, spans in jobs:
        for span in spans:
            variants.setdefault((i, span), len(variants))
    if not variants:
        return [[] for _ in jobs]
    score = classifier.predict_flags if isinstance(classifier, FlagScorer) else classifier.predict
    without = score([_without(texts[i], span) for i, span in variants], batch_size=batch_size)
    out = []
    for i, flag, spans in jobs:
        p = scores[i].flags[flag]
        drops = [(p - without[variants[(i, span)]].flags[flag], span) for span in spans]
        drops.sort(key=lambda d: (-d[0], d[1]))
        out.append(drops)
    return out


def flag_evidence(
    classifier: Classifier,
    texts: Sequence[str],
    scores: Sequence[HeadScores],
    batch_size: int = 32,
    wanted: Sequence[Collection[str]] | None = None,
    brief: Sequence[Collection[str]] | None = None,
) -> list[dict[str, list[str]]]:
    """Per text, for each raised flag in ``wanted`` (default: every raised flag), the words that
    triggered it (strongest first), found by occlusion. A flag in ``brief`` (per text) gets one
    round only in a long comment (see :data:`BRIEF_FROM`): the part of the comment that
    mattered, not the word. For a flag that is held back and does not act: it then costs at
    most four extra texts, and the time goes to the flags that act."""
    asked = [
        [f for f in s.raised_flags() if wanted is None or f in wanted[i]]
        for i, s in enumerate(scores)
    ]
    out: list[dict[str, list[str]]] = [{} for _ in texts]
    jobs = [
        (
            i,
            f,
            pieces(
                texts[i], MAX_PIECES if len(content_spans(texts[i])) <= MAX_PIECES else FIRST_PARTS
            ),
        )
        for i, flags in enumerate(asked)
        for f in flags
    ]

    def short(i: int, flag: str) -> bool:
        """Whether this flag's evidence stops after the first round (see ``brief``)."""
        return brief is not None and flag in brief[i] and len(content_spans(texts[i])) > BRIEF_FROM

    final: list[tuple[int, str, Drops]] = []
    empty: Drops = []
    rounds = [(i, flag, spans, empty) for i, flag, spans in jobs]
    for round_number in range(1, MAX_ROUNDS + 1):  # each splits the piece that mattered most
        narrower: list[tuple[int, str, list[tuple[int, int]], Drops]] = []
        asked_now = [(i, flag, spans) for i, flag, spans, _ in rounds]
        for (i, flag, _, before), drops in zip(
            rounds, _drops(classifier, asked_now, texts, scores, batch_size), strict=True
        ):
            top = drops[0][1] if drops and drops[0][0] > 0 else None
            if top is None:  # no single piece matters on its own: keep the wider part
                final.append((i, flag, before or drops))
            elif short(i, flag):
                final.append((i, flag, drops[:1]))  # the one part that mattered most
            elif len(content_spans(texts[i], *top)) <= 1 or round_number == MAX_ROUNDS:
                final.append((i, flag, drops))
            else:
                narrower.append((i, flag, pieces(texts[i], MAX_PIECES, *top), drops))
        rounds = narrower
        if not rounds:
            break
    for i, flag, drops in final:
        p = scores[i].flags[flag]
        chosen = [span for drop, span in drops[:MAX_WORDS] if drop >= MIN_SHARE * p]
        if not chosen and drops and drops[0][0] > 0:
            chosen = [drops[0][1]]
        out[i][flag] = [texts[i][a:b] for a, b in chosen]
    return out
