"""The triage of one comment, and the service that produces it: normalise → detect → classify."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from responder.config import Settings
from responder.errors import InputError, ResponderError
from responder.names import label_name
from responder.protocols import Classifier, Embedder, HeadScores
from responder.triage.cues import corroborated, evidence_words, raised_by_words
from responder.triage.detect import Detected, detect_languages, detect_register
from responder.triage.evidence import flag_evidence
from responder.triage.normalise import check_text

LOW_CONFIDENCE = 0.5
"""A head whose top probability is below this is listed in ``low_confidence``."""


@dataclass(frozen=True)
class Scored:
    label: str
    probability: float


@dataclass(frozen=True)
class Flag(Scored):
    """A raised flag, with the words of the comment that triggered it."""

    evidence: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Triage:
    """What a comment is, how negative and how risky, each with its probability."""

    sentiment: Scored | None
    intent: Scored | None
    topic: Scored | None
    flags: list[Flag]
    flag_probabilities: dict[str, float]
    language: Scored
    register: Scored
    low_confidence: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    flags_confirmed: bool = False
    """An agent said which flags apply (``corrected_triage``): the playbook's telling words
    (``sure_words``) then no longer stand in for a flag the model missed."""
    possible_flags: list[Flag] = field(default_factory=list)
    """Flags the model raised without a telling word in the comment (P1 flags and abuse, see
    :mod:`responder.triage.cues`): shown to the agent, not acted on, not in ``flags``."""

    @property
    def is_dutch(self) -> bool:
        return self.language.label in ("nl", "und")

    def to_dict(self) -> dict[str, Any]:
        """As JSON: every label with its probability and its Dutch display name."""
        out = asdict(self)
        out["language"]["is_dutch"] = self.is_dutch
        for head in ("sentiment", "intent", "topic", "register"):
            if out[head] is not None:
                out[head]["name"] = label_name(head, out[head]["label"])
        for flag in [*out["flags"], *out["possible_flags"]]:
            flag["name"] = label_name("flags", flag["label"])
        return out


def build_triage(
    scores: HeadScores | None,
    language: Detected,
    register: Detected,
    evidence: dict[str, list[str]] | None = None,
    text: str | None = None,
) -> Triage:
    """Combine model scores, detector output and the evidence of each raised flag; non-Dutch
    text gets no Dutch labels. With the comment's ``text``, a P1 flag that none of its telling
    words backs up becomes a possible flag (:mod:`responder.triage.cues`)."""
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
    evidence = evidence or {}
    names = scores.raised_flags()
    if text is not None:  # the words raise what the model missed (a plain insult)
        names += raised_by_words(text, names, scores.flags)
    raised = [
        Flag(f, round(scores.flags[f], 4), evidence.get(f) or evidence_words(text or "", f))
        for f in names
    ]
    raised.sort(key=lambda s: -s.probability)
    flags: list[Flag] = []
    possible: list[Flag] = []
    for flag in raised:
        sure = text is None or corroborated(text, flag.label, scores.flags[flag.label])
        (flags if sure else possible).append(flag)
    notes = [possible_note(f) for f in possible]
    return Triage(
        sentiment=_round(heads["sentiment"]),
        intent=_round(heads["intent"]),
        topic=_round(heads["topic"]),
        flags=flags,
        flag_probabilities={f: round(p, 4) for f, p in scores.flags.items()},
        language=lang,
        register=reg,
        low_confidence=low,
        notes=notes,
        possible_flags=possible,
    )


def possible_note(flag: Flag) -> str:
    """What the agent reads about a flag that was not escalated."""
    name = label_name("flags", flag.label)
    return (
        f"Signaal ‘{name}’ niet geëscaleerd: het model ziet het ({round(flag.probability * 100)} "
        "%), maar de reactie noemt niets wat erop wijst. Klopt het toch, zet het signaal dan zelf aan."
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

    def embedder(self) -> Embedder | None:
        """The model behind the classifier when it can give sentence vectors (one process, also
        behind micro-batching); None for worker processes and fakes."""
        model: object = getattr(self.classifier, "inner", self.classifier)
        return model if isinstance(model, Embedder) else None

    def vector(self, text: str) -> NDArray[np.float32] | None:
        """The unit sentence vector of a valid ``text``, as its triage saw it (no second forward
        pass right after ``triage``); None when the model cannot give one."""
        embedder = self.embedder()
        if embedder is None:
            return None
        return embedder.vector_of(check_text(text, self.settings.max_text_chars))

    def triage_many(self, texts: Sequence[str], batch_size: int = 32) -> list[Triage]:
        """Triage texts that are already known to be valid (raises on the first bad one)."""
        clean = [check_text(t, self.settings.max_text_chars) for t in texts]
        languages = detect_languages(clean)
        registers = [detect_register(t) for t in clean]
        dutch = [i for i, lang in enumerate(languages) if lang.label in ("nl", "und")]
        dutch_texts = [clean[i] for i in dutch]
        predicted = self.classifier.predict(dutch_texts, batch_size=batch_size)
        told = [
            {f: evidence_words(t, f) for f in s.raised_flags()}
            for t, s in zip(dutch_texts, predicted, strict=True)
        ]
        unexplained = [{f for f, words in e.items() if not words} for e in told]
        check = self.settings.flag_cues
        held = [
            {f for f in u if check and not corroborated(t, f, s.flags[f])}
            for t, s, u in zip(dutch_texts, predicted, unexplained, strict=True)
        ]
        found = flag_evidence(
            self.classifier, dutch_texts, predicted, batch_size, unexplained, brief=held
        )
        why = [{**t, **f} for t, f in zip(told, found, strict=True)]
        scores: list[HeadScores | None] = [None] * len(clean)
        evidence: list[dict[str, list[str]]] = [{} for _ in clean]
        for i, s, e in zip(dutch, predicted, why, strict=True):
            scores[i], evidence[i] = s, e
        return [
            build_triage(s, lang, reg, e, text if check else None)
            for s, lang, reg, e, text in zip(
                scores, languages, registers, evidence, clean, strict=True
            )
        ]

    def triage_each(
        self, texts: Sequence[object], batch_size: int = 32
    ) -> list[Triage | InputError]:
        """Every text's triage, or the error that says why that text cannot be triaged: one bad
        text costs only its own place in the list (the API's ``/v1/label``, ``responder label``)."""
        out: list[Triage | InputError | None] = [None] * len(texts)
        valid: list[int] = []
        for i, text in enumerate(texts):
            try:
                check_text(text, self.settings.max_text_chars)
                valid.append(i)
            except InputError as exc:
                out[i] = exc
        good = [str(texts[i]) for i in valid]
        try:
            triaged: list[Triage | InputError] = list(self.triage_many(good, batch_size))
        except ResponderError:  # retry one by one, so that the culprit alone gets the error
            triaged = [self._triage_or_error(text) for text in good]
        for i, result in zip(valid, triaged, strict=True):
            out[i] = result
        return [r for r in out if r is not None]

    def _triage_or_error(self, text: str) -> Triage | InputError:
        try:
            return self.triage(text)
        except ResponderError as exc:
            return exc if isinstance(exc, InputError) else InputError(str(exc))
