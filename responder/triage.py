"""The triage of one comment, and the service that produces it: normalise → detect → classify.

The CLI and (later) the API are thin adapters over :class:`TriageService`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from responder.config import Settings
from responder.detect import Detected, detect_languages, detect_register
from responder.normalise import check_text
from responder.protocols import Classifier, HeadScores

LOW_CONFIDENCE = 0.5
"""A head whose top probability is below this is listed in ``low_confidence``."""


@dataclass(frozen=True)
class Scored:
    label: str
    probability: float


@dataclass(frozen=True)
class Triage:
    """What a comment is, how negative and how risky, each with its probability."""

    sentiment: Scored | None
    intent: Scored | None
    topic: Scored | None
    flags: list[Scored]
    flag_probabilities: dict[str, float]
    language: Scored
    register: Scored
    low_confidence: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def is_dutch(self) -> bool:
        return self.language.label in ("nl", "und")

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["language"]["is_dutch"] = self.is_dutch
        return out


def build_triage(scores: HeadScores | None, language: Detected, register: Detected) -> Triage:
    """Combine model scores and detector output; non-Dutch text gets no Dutch labels."""
    lang = Scored(language.label, language.probability)
    reg = Scored(register.label, register.probability)
    if scores is None:
        note = (
            f"De taal lijkt geen Nederlands ({language.label}); de reactie is niet "
            "ingedeeld. Beoordeel haar zelf."
        )
        return Triage(None, None, None, [], {}, lang, reg, [], [note])
    heads = {head: Scored(*scores.top(head)) for head in ("sentiment", "intent", "topic")}
    low = [head for head, s in heads.items() if s.probability < LOW_CONFIDENCE]
    flags = [Scored(f, round(scores.flags[f], 4)) for f in scores.raised_flags()]
    flags.sort(key=lambda s: -s.probability)
    return Triage(
        sentiment=_round(heads["sentiment"]),
        intent=_round(heads["intent"]),
        topic=_round(heads["topic"]),
        flags=flags,
        flag_probabilities={f: round(p, 4) for f, p in scores.flags.items()},
        language=lang,
        register=reg,
        low_confidence=low,
    )


def _round(s: Scored) -> Scored:
    return Scored(s.label, round(s.probability, 4))


class TriageService:
    """One object that turns raw comment text into a :class:`Triage`."""

    def __init__(self, classifier: Classifier, settings: Settings | None = None) -> None:
        self.classifier = classifier
        self.settings = settings or Settings()

    def triage(self, text: str) -> Triage:
        return self.triage_many([text])[0]

    def triage_many(self, texts: Sequence[str], batch_size: int = 32) -> list[Triage]:
        """Triage texts that are already known to be valid (raises on the first bad one)."""
        clean = [check_text(t, self.settings.max_text_chars) for t in texts]
        languages = detect_languages(clean)
        registers = [detect_register(t) for t in clean]
        dutch = [i for i, lang in enumerate(languages) if lang.label in ("nl", "und")]
        predicted = self.classifier.predict([clean[i] for i in dutch], batch_size=batch_size)
        scores: list[HeadScores | None] = [None] * len(clean)
        for i, s in zip(dutch, predicted, strict=True):
            scores[i] = s
        return [
            build_triage(s, lang, reg)
            for s, lang, reg in zip(scores, languages, registers, strict=True)
        ]
