"""`responder playbook check`: beyond validation, does the playbook work for every comment?

It reports label combinations that no situation covers, situations that can never apply, and
replies that break a guardrail or do not fit a channel, rendered with the longest subject and
signature so that what passes here passes for every comment.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from responder.advice.guardrails import check_reply
from responder.advice.plan import CommentContext
from responder.advice.playbook import (
    STRATEGIES,
    Playbook,
    Register,
    Situation,
    uncovered,
    unreachable,
)
from responder.advice.suggest import Addressing, render, reply_checks
from responder.labels import TOPICS

LONGEST_INITIALS = "ABCDE"


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check_playbook(pb: Playbook) -> CheckReport:
    report = CheckReport()
    gaps: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for s in uncovered(pb):
        if s.language == "other":
            report.problems.append(
                "Geen situatie voor reacties in een andere taal (when: {language: other})."
            )
            continue
        flags = ",".join(sorted(s.flags)) or "geen"
        gaps[(s.intent or "", s.topic or "", flags)].add(
            f"{s.sentiment}{' (spam)' if s.spam else ''}"
        )
    for (intent, topic, flags), sentiments in sorted(gaps.items()):
        report.problems.append(
            f"Geen situatie voor intent={intent}, topic={topic}, vlaggen={flags} "
            f"(sentiment: {', '.join(sorted(sentiments))})."
        )
    for sid in unreachable(pb):
        report.warnings.append(
            f"Situatie {sid!r} komt nooit aan de beurt: een eerdere of urgentere situatie past altijd."
        )
    for situation in pb.situations:
        if situation.action == "respond":
            _check_replies(pb, situation, report)
    return report


def _check_replies(pb: Playbook, situation: Situation, report: CheckReport) -> None:
    """Every reply, on every channel, in both registers, for every topic the situation can have."""
    org = pb.organisation
    public = situation.visibility != "private"
    for channel_id, channel in org.channels.items():
        signatures = (
            CommentContext(channel_id, agent_initials=LONGEST_INITIALS),
            CommentContext(channel_id),
        )
        for reg in ("u", "je"):
            register: Register = "je" if reg == "je" else "u"
            ctx = reply_checks(pb, register, channel.max_chars, public)
            fitting: set[str] = set()
            for i, reply in enumerate(situation.replies):
                always_fits = True
                for topic in situation.when.topics or TOPICS:
                    subject = _longest_subject(pb, topic, register)
                    fits_here = False
                    for form in reply.forms():
                        texts = [
                            render(
                                form.get(register),
                                Addressing(pb, c, channel_id, register, topic, subject),
                            )
                            for c in signatures
                        ]
                        fits_here = fits_here or max(len(t) for t in texts) <= channel.max_chars
                        for text in texts:
                            failed = [
                                r
                                for r in check_reply(text, ctx)
                                if not r.passed and r.name != "length"
                            ]
                            if failed:
                                report.problems.append(
                                    f"{situation.id} antwoord {i + 1} ({reg}, {channel_id}): "
                                    + "; ".join(r.message for r in failed)
                                    + f" Tekst: {text!r}"
                                )
                                return
                    always_fits = always_fits and fits_here
                if always_fits:
                    fitting.add(reply.strategy)
            if len(fitting) < 3:
                names = ", ".join(STRATEGIES[s] for s in sorted(fitting)) or "geen"
                report.problems.append(
                    f"{situation.id} ({reg}, {channel.name}, max {channel.max_chars} tekens): maar "
                    f"{len(fitting)} strategie(ën) passen altijd ({names}); voeg een korte vorm "
                    "(short) toe."
                )


def _longest_subject(pb: Playbook, topic: str | None, register: Register) -> str:
    topic = topic or "general"
    options = [pb.fallback_subjects[topic].get(register)]
    lists = pb.subjects.values() if topic == "general" else [pb.subjects.get(topic, [])]
    for subjects in lists:
        options.extend(s.text.get(register) for s in subjects)
    return max(options, key=len)
