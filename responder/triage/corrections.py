"""The agent's correction of a triage: labels that replace the model's, so that the plan and the
suggestions follow the corrected reading, and the stored example that retraining learns from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from responder.errors import InputError
from responder.labels import FLAGS, SINGLE_LABEL_HEADS
from responder.names import label_name
from responder.triage.service import Flag, Scored, Triage, possible_note

HEAD_ORDER = ("sentiment", "intent", "topic", "flags")


@dataclass(frozen=True)
class Labels:
    """The heads an agent set; ``None`` leaves the model's label. ``flags`` replaces the whole set."""

    sentiment: str | None = None
    intent: str | None = None
    topic: str | None = None
    flags: tuple[str, ...] | None = None

    @classmethod
    def of(cls, given: Mapping[str, Any] | None) -> Labels:
        """Checked against the label scheme, with a Dutch message naming what is allowed."""
        given = dict(given or {})
        unknown = sorted(set(given) - set(HEAD_ORDER))
        if unknown:
            raise InputError(
                f"Onbekende kop(pen) {', '.join(unknown)}; corrigeer {', '.join(HEAD_ORDER)}."
            )
        single: dict[str, str | None] = {}
        for head, allowed in SINGLE_LABEL_HEADS.items():
            value = given.get(head)
            if value is not None and value not in allowed:
                raise InputError(f"{head} '{value}' bestaat niet; kies uit {', '.join(allowed)}.")
            single[head] = value
        flags = given.get("flags")
        if flags is not None:
            wrong = sorted(set(flags) - set(FLAGS))
            if wrong:
                raise InputError(
                    f"Onbekende vlag(gen) {', '.join(wrong)}; kies uit {', '.join(FLAGS)}."
                )
            flags = tuple(f for f in FLAGS if f in set(flags))
        return cls(single["sentiment"], single["intent"], single["topic"], flags)

    @property
    def heads(self) -> list[str]:
        """The heads this correction sets, in the scheme's order."""
        return [h for h in HEAD_ORDER if getattr(self, h) is not None]

    def __bool__(self) -> bool:
        return bool(self.heads)


def corrected_triage(triage: Triage, labels: Labels) -> tuple[Triage, list[str]]:
    """``triage`` with the agent's labels (certain: probability 1), and the heads that differ
    from the model's. A flag the model also raised keeps its evidence. A comment in another
    language has no labels to correct: it is returned as it is, with a note."""
    if not labels:
        return triage, []
    if triage.intent is None:
        note = (
            "De reactie is niet als Nederlands ingedeeld; de gecorrigeerde labels tellen niet "
            "mee voor het plan."
        )
        return replace(triage, notes=[*triage.notes, note]), []
    changed: dict[str, Any] = {}
    for head in ("sentiment", "intent", "topic"):
        wanted = getattr(labels, head)
        now: Scored | None = getattr(triage, head)
        if wanted is not None and (now is None or now.label != wanted):
            changed[head] = Scored(wanted, 1.0)
    if labels.flags is not None and set(labels.flags) != {f.label for f in triage.flags}:
        evidence = {f.label: f.evidence for f in [*triage.possible_flags, *triage.flags]}
        changed["flags"] = [Flag(f, 1.0, evidence.get(f, [])) for f in labels.flags]
    heads = [h for h in HEAD_ORDER if h in changed]
    low = [h for h in triage.low_confidence if h not in changed]
    confirmed = labels.flags is not None
    if confirmed:  # the agent decided on every flag, the possible ones too
        changed["possible_flags"] = []
        changed["notes"] = [n for n in triage.notes if n not in _possible_notes(triage)]
    return replace(triage, **changed, low_confidence=low, flags_confirmed=confirmed), heads


def _possible_notes(triage: Triage) -> set[str]:
    return {possible_note(f) for f in triage.possible_flags}


def model_labels(triage: Triage, heads: list[str]) -> dict[str, Any]:
    """What the model said for the ``heads`` an agent overrode (label, probability, Dutch name;
    for flags the list of flags that escalated, and under ``possible_flags`` those it raised
    without a telling word)."""
    out: dict[str, Any] = {}
    for head in heads:
        if head == "flags":
            for key, flags in (("flags", triage.flags), ("possible_flags", triage.possible_flags)):
                out[key] = [
                    {
                        "label": f.label,
                        "probability": f.probability,
                        "name": label_name("flags", f.label),
                    }
                    for f in flags
                ]
            continue
        scored: Scored | None = getattr(triage, head)
        out[head] = (
            None
            if scored is None
            else {
                "label": scored.label,
                "probability": scored.probability,
                "name": label_name(head, scored.label),
            }
        )
    return out


def model_summary(triage: Mapping[str, Any]) -> dict[str, Any]:
    """The model's four labels of a triage as the audit log keeps it (where an agent overrode a
    head when asking for suggestions, the model's own label is under ``model_labels``), and its
    possible flags (raised without a telling word, not escalated): an agent who confirms one
    corrects the telling words, not the model."""
    out: dict[str, Any] = {
        h: (triage.get(h) or {}).get("label") for h in ("sentiment", "intent", "topic")
    }
    out["flags"] = sorted(f["label"] for f in triage.get("flags") or [])
    out["possible_flags"] = sorted(f["label"] for f in triage.get("possible_flags") or [])
    for head, said in (triage.get("model_labels") or {}).items():
        if head in ("flags", "possible_flags"):
            out[head] = sorted(f["label"] for f in said)
        elif head in out:
            out[head] = said["label"] if said else None
    return out


def full_labels(
    triage: Mapping[str, Any], labels: Labels
) -> tuple[dict[str, Any], list[str], dict[str, Any]]:
    """The correction as a complete labelled example: the four labels (the model's where the
    agent set none), the heads that differ from the model's, and the model's labels."""
    model = model_summary(triage)
    if any(model[h] is None for h in ("sentiment", "intent", "topic")):
        raise InputError(
            "Deze reactie is niet als Nederlands ingedeeld; een correctie kan alleen bij een "
            "ingedeelde reactie."
        )
    result = {h: model[h] for h in HEAD_ORDER}
    for head in labels.heads:
        value = getattr(labels, head)
        result[head] = sorted(value) if head == "flags" else value
    changed = [h for h in HEAD_ORDER if result[h] != model[h]]
    return result, changed, model
