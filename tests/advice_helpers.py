"""Build a triage with chosen labels (real language and register detection) for plan/suggest tests."""

from __future__ import annotations

from collections.abc import Iterable

from responder.labels import FLAGS, SINGLE_LABEL_HEADS
from responder.protocols import HeadScores
from responder.triage.detect import detect_language, detect_register
from responder.triage.normalise import normalise
from responder.triage.service import Triage, build_triage


def scores_for(
    sentiment: str, intent: str, topic: str, flags: Iterable[str] = (), confidence: float = 0.9
) -> HeadScores:
    chosen = {"sentiment": sentiment, "intent": intent, "topic": topic}
    single = {}
    for head, labels in SINGLE_LABEL_HEADS.items():
        rest = (1 - confidence) / (len(labels) - 1)
        single[head] = {lab: (confidence if lab == chosen[head] else rest) for lab in labels}
    raised = set(flags)
    return HeadScores(
        single=single,
        flags={f: (0.9 if f in raised else 0.02) for f in FLAGS},
        thresholds=dict.fromkeys(FLAGS, 0.5),
    )


def triage_for(
    text: str,
    sentiment: str = "negative",
    intent: str = "complaint",
    topic: str = "general",
    flags: Iterable[str] = (),
    confidence: float = 0.9,
) -> Triage:
    """The triage a model with these labels would give ``text`` (non-Dutch text gets none)."""
    clean = normalise(text)
    language = detect_language(clean)
    scores = None
    if language.label in ("nl", "und"):
        scores = scores_for(sentiment, intent, topic, flags, confidence)
    return build_triage(scores, language, detect_register(clean))
