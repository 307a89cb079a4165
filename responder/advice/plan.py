"""plan(): the organisation's procedure applied to one comment.

Priority, who handles it, the response deadline (from the comment's time and the opening hours),
public or private, whether to answer at all, and the steps, each with a one-line reason so that a
new agent learns the procedure while using it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from responder.advice.personal_data import find_personal_data
from responder.advice.playbook import Playbook, PlaybookError, Signals, Situation
from responder.errors import InputError
from responder.names import (
    ACTION_NAMES,
    FLAG_NAMES,
    HEAD_NAMES,
    VISIBILITY_NAMES,
    format_moment,
    label_name,
)
from responder.triage.service import Triage


@dataclass(frozen=True)
class CommentContext:
    """Where and when the comment was posted, and who answers it."""

    channel: str | None = None
    """A channel id of the playbook; ``None`` means the playbook's default channel."""
    received_at: datetime | None = None
    """When the comment was posted; ``None`` means now. Naive times are in the playbook's zone."""
    private: bool = False
    """The comment came in as a private message rather than a public post."""
    agent_initials: str | None = None
    author_name: str | None = None
    """The commenter's display name; its first word is used to greet them."""


@dataclass(frozen=True)
class PlanStep:
    do: str
    why: str


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    reach: str


@dataclass(frozen=True)
class Plan:
    situation: str
    title: str
    priority: str
    priority_name: str
    route: Team
    speaks: Team
    """The team that posts the public reply."""
    notify: list[Team]
    received_at: datetime
    deadline: datetime
    open_now: bool
    visibility: str
    action: str
    respond: bool
    tone: str
    channel: str
    register: str
    steps: list[PlanStep]
    reasons: list[str]
    """Why this priority, route and visibility: the situation and what in the triage led to it."""
    also: list[str] = field(default_factory=list)
    """Other situations that apply too (a second flag), with the team to inform."""
    playbook_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["received_at"] = self.received_at.isoformat()
        out["deadline"] = self.deadline.isoformat()
        out["visibility_name"] = VISIBILITY_NAMES[self.visibility]
        out["action_name"] = ACTION_NAMES[self.action]
        out["deadline_text"] = format_moment(self.deadline, self.received_at)
        out["register_name"] = label_name("register", self.register)
        return out


def signals_for(triage: Triage, comment: str, playbook: Playbook) -> Signals:
    """What the playbook's conditions look at, from a triage and the comment text."""
    if not triage.is_dutch or triage.intent is None:
        return Signals("other")
    low = comment.lower()
    spam = any(
        re.search(r"(?<!\w)" + re.escape(word.lower()) + r"(?!\w)", low)
        for word in playbook.organisation.spam_words
    )
    return Signals(
        language="nl",
        sentiment=triage.sentiment.label if triage.sentiment else None,
        intent=triage.intent.label,
        topic=triage.topic.label if triage.topic else None,
        flags=frozenset(f.label for f in triage.flags),
        spam=spam,
    )


def choose_situation(
    triage: Triage, comment: str, playbook: Playbook
) -> tuple[Situation, list[Situation]]:
    """The situation that decides the plan, and the other (flag) situations that also apply."""
    signals = signals_for(triage, comment, playbook)
    found = playbook.matching(signals)
    if not found:
        raise PlaybookError(
            playbook.label,
            [
                f"geen situatie past bij {signals}; voeg een situatie toe (zie `responder playbook check`)"
            ],
        )
    others = [s for s in found[1:] if s.when.flags and s.route != found[0].route]
    return found[0], others


def register_for(triage: Triage, playbook: Playbook) -> str:
    """Mirror the commenter's register; the playbook's default when it is unknown."""
    label = triage.register.label
    return label if label in ("u", "je") else playbook.organisation.default_register


def plan(triage: Triage, comment: str, context: CommentContext, playbook: Playbook) -> Plan:
    """Apply the playbook to one triaged comment."""
    org = playbook.organisation
    channel = context.channel or org.default_channel
    if channel not in org.channels:
        raise InputError(f"Onbekend kanaal {channel!r}; kies uit {', '.join(org.channels)}.")
    situation, others = choose_situation(triage, comment, playbook)
    priority = playbook.priorities[situation.priority]
    received = _aware(context.received_at, playbook)
    open_now = _is_open(received, playbook)
    if priority.clock == "always":
        deadline = received + timedelta(minutes=priority.deadline_minutes)
    else:
        deadline = add_business_minutes(received, priority.deadline_minutes, playbook)

    def team(team_id: str) -> Team:
        t = playbook.teams[team_id]
        return Team(team_id, t.name, t.reach)

    route = team(situation.route)
    speaks = (
        route
        if playbook.teams[situation.route].speaks_for_organisation
        else team(playbook.public_voice)
    )
    notify_ids = [t for t in priority.notify if t != situation.route]
    visibility = "private" if context.private else situation.visibility
    first, last = _extra_steps(triage, comment, context, situation, received, playbook)
    steps = first + [PlanStep(s.do, s.why) for s in situation.steps] + last
    also = []
    for other in others:
        also.append(f"{other.title}: informeer ook {playbook.teams[other.route].name}.")
        steps.append(
            PlanStep(
                f"Informeer ook {playbook.teams[other.route].name} ({other.title.lower()}).",
                f"De reactie valt ook onder '{other.title}'; dat team moet het weten.",
            )
        )
    return Plan(
        situation=situation.id,
        title=situation.title,
        priority=situation.priority,
        priority_name=priority.name,
        route=route,
        speaks=speaks,
        notify=[team(t) for t in notify_ids],
        received_at=received,
        deadline=deadline,
        open_now=open_now,
        visibility=visibility,
        action=situation.action,
        respond=situation.action == "respond",
        tone=situation.tone,
        channel=channel,
        register=register_for(triage, playbook),
        steps=steps,
        reasons=_reasons(triage, situation, speaks, route, context),
        also=also,
        playbook_version=playbook.version,
    )


def _reasons(
    triage: Triage, situation: Situation, speaks: Team, route: Team, context: CommentContext
) -> list[str]:
    reasons = []
    raised = [f.label for f in triage.flags]
    hit = [f for f in situation.when.flags if f in raised]
    if hit:
        names = ", ".join(FLAG_NAMES[f] for f in hit)
        reasons.append(
            f"{situation.priority} omdat de reactie is gemarkeerd als {names}: dat gaat voor, "
            "wat het sentiment ook is."
        )
    elif triage.intent is not None:
        described = ", ".join(
            f"{HEAD_NAMES[h]} '{s.label}'"
            for h, s in (
                ("intent", triage.intent),
                ("topic", triage.topic),
                ("sentiment", triage.sentiment),
            )
            if s is not None
        )
        reasons.append(
            f"Situatie '{situation.title}' ({situation.priority}) op grond van {described}."
        )
    else:
        reasons.append(
            f"Situatie '{situation.title}': de reactie is niet in het Nederlands ingedeeld."
        )
    if speaks.id != route.id:
        reasons.append(
            f"{route.name} behandelt de zaak maar spreekt niet namens de organisatie; "
            f"{speaks.name} plaatst de reactie na overleg."
        )
    if context.private:
        reasons.append("De reactie kwam binnen als privébericht, dus het antwoord is ook privé.")
    return reasons


def _extra_steps(
    triage: Triage,
    comment: str,
    context: CommentContext,
    situation: Situation,
    received: datetime,
    playbook: Playbook,
) -> tuple[list[PlanStep], list[PlanStep]]:
    """Steps that come from this comment rather than the situation: (before, after) its steps."""
    first, steps = [], []
    if triage.low_confidence:
        heads = ", ".join(HEAD_NAMES.get(h, h) for h in triage.low_confidence)
        steps.append(
            PlanStep(
                f"Controleer de indeling zelf: het model twijfelt over {heads}.",
                "Bij twijfel kan de situatie, en dus de aanpak, een andere zijn.",
            )
        )
    if not context.private and find_personal_data(comment):
        first.append(
            PlanStep(
                "Verberg de reactie of vraag de klant haar aan te passen: er staan "
                "persoonsgegevens in (zoals een telefoonnummer, adres of ordernummer).",
                "Persoonsgegevens horen niet openbaar zichtbaar te blijven, ook niet als de klant "
                "ze zelf plaatst.",
            )
        )
    if (
        not _is_open(received, playbook)
        and playbook.priorities[situation.priority].clock != "always"
    ):
        nxt = next_opening(received, playbook)
        steps.append(
            PlanStep(
                f"Buiten openingstijden ontvangen: de termijn loopt vanaf {format_moment(nxt, received)}.",
                "Reacties met een lagere prioriteit wachten tot het team er weer is.",
            )
        )
    return first, steps


EARLIEST_YEAR, LATEST_YEAR = 2000, 2099
"""Posting times outside these years are typing errors (and near 1 and 9999 the deadline
arithmetic overflows): refused with a clear error."""


def _aware(moment: datetime | None, playbook: Playbook) -> datetime:
    zone = playbook.organisation.zone
    if moment is None:
        return datetime.now(zone).replace(microsecond=0)
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise InputError(
            f"Tijdstip {moment.isoformat()} ligt buiten {EARLIEST_YEAR}–{LATEST_YEAR}; "
            "geef aan wanneer de reactie geplaatst is, bijvoorbeeld 2026-11-25T21:30."
        )
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


def _is_open(moment: datetime, playbook: Playbook) -> bool:
    hours = playbook.organisation.hours_on(moment.date())
    return hours is not None and hours[0] <= moment.timetz().replace(tzinfo=None) < hours[1]


def _intervals(start: datetime, playbook: Playbook) -> Iterator[tuple[datetime, datetime]]:
    """Open intervals from ``start`` on, in the playbook's zone (at most a year ahead)."""
    zone = playbook.organisation.zone
    day = start.date()
    for _ in range(366):
        hours = playbook.organisation.hours_on(day)
        if hours is not None:
            begin = datetime.combine(day, hours[0], zone)
            end = datetime.combine(day, hours[1], zone)
            if end > start:
                yield max(begin, start), end
        day += timedelta(days=1)


def add_business_minutes(start: datetime, minutes: int, playbook: Playbook) -> datetime:
    """The moment ``minutes`` of opening hours after ``start`` have passed."""
    left = timedelta(minutes=minutes)
    for begin, end in _intervals(start, playbook):
        if end - begin >= left:
            return begin + left
        left -= end - begin
    raise ValueError("geen openingstijden in het komende jaar")  # validation prevents this


def next_opening(moment: datetime, playbook: Playbook) -> datetime:
    begin, _ = next(_intervals(moment, playbook))
    return begin
