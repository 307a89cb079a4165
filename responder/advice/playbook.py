"""The organisation's reputation-management procedure as data: a versioned YAML playbook.

A playbook holds the organisation's settings (brand, channels and their length limits, opening
hours, what may be offered), its teams and priorities, and for every situation (a combination of
intent, topic, sentiment and flags) the priority, route, visibility, steps and reply templates in
a ``u`` and a ``je`` variant. It is validated on load; every error names the file, line and field.
"""

from __future__ import annotations

import itertools
import re
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, time
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from responder.errors import InputError
from responder.labels import FLAGS, INTENTS, SENTIMENTS, TOPICS

DEFAULT_PLAYBOOK = "standaard.yaml"
"""The playbook shipped in the package (``responder/playbooks/``)."""

PRIORITIES = ("P1", "P2", "P3", "P4")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
Visibility = Literal["public", "private", "public_then_private"]
Action = Literal["respond", "hide", "report", "hide_and_report", "manual"]
Register = Literal["u", "je"]

STRATEGIES: dict[str, str] = {
    "acknowledge_to_private": "Erkennen en naar een privébericht",
    "ask_missing_fact": "Vragen naar het ene ontbrekende gegeven",
    "explain_and_escalate": "Uitleggen en doorzetten",
    "inform": "Informeren en verwijzen",
    "holding_statement": "Bevestigen en later terugkomen",
    "set_boundary": "Grens stellen",
    "thank": "Bedanken",
    "pass_on": "Doorgeven aan het team",
    "ask_clarification": "Vragen wat de klant bedoelt",
    "invite": "Uitnodigen om terug te komen",
}
"""Reply strategies, with the Dutch name shown to agents. Suggestions differ in strategy."""

PLACEHOLDERS = ("onderwerp", "Onderwerp", "merk", "prive", "link")
"""Placeholders a reply template may use: the comment's subject (lower or capitalised), the
brand, the channel's way to a private conversation, and the information link for the topic."""


class PlaybookError(InputError):
    """A playbook file cannot be read or does not validate; lists every problem with its line."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path, self.problems = path, problems
        listed = "\n".join(f"  {p}" for p in problems)
        super().__init__(
            f"Draaiboek {path} is ongeldig ({len(problems)} probleem/problemen):\n{listed}"
        )


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Variants(_Model):
    """A text in the formal (``u``) and informal (``je``) register; both are required."""

    u: str | None = None
    je: str | None = None

    @model_validator(mode="after")
    def _twins(self) -> Variants:
        if self.je is not None and self.u is None:
            raise ValueError("de 'je'-tekst heeft geen 'u'-tegenhanger")
        if self.u is not None and self.je is None:
            raise ValueError("de 'u'-tekst heeft geen 'je'-tegenhanger")
        if self.u is None:
            raise ValueError("een 'u'- en een 'je'-tekst zijn verplicht")
        if not self.u.strip() or not (self.je or "").strip():
            raise ValueError("de tekst is leeg")
        return self

    def get(self, register: Register) -> str:
        return (self.u if register == "u" else self.je) or ""


class Channel(_Model):
    name: str
    max_chars: int = Field(ge=60, le=100_000)
    private: Variants
    """How to move this channel's conversation to private (a DM, or a form where there is none)."""


class Subject(_Model):
    """How replies refer to what a comment is about, when one of the words matches."""

    words: list[str] = Field(min_length=1)
    text: Variants


class Organisation(_Model):
    brand: str
    default_register: Register = "u"
    signature: str = "^{initialen}"
    signature_without_initials: str = "Team webcare {merk}"
    greeting: Variants = Variants(u="Hallo {naam}!", je="Hoi {naam}!")
    """Put before a reply when the commenter's name is known; left out when it does not fit."""
    timezone: str = "Europe/Amsterdam"
    opening_hours: dict[str, str]
    closed_on: list[date] = Field(default_factory=list)
    channels: dict[str, Channel]
    default_channel: str
    compensation_in_public: bool = False
    compensation_in_private: bool = False
    compensation_note: str = ""
    public_contacts: list[str] = Field(default_factory=list)
    """Contact details of the organisation itself that a public reply may name."""
    links: dict[str, str] = Field(default_factory=dict)
    spam_words: list[str] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"onbekende tijdzone {value!r} (bijvoorbeeld Europe/Amsterdam)"
            ) from None
        return value

    @field_validator("opening_hours")
    @classmethod
    def _hours(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(WEEKDAYS))
        if unknown:
            raise ValueError(f"onbekende dag(en) {unknown}; gebruik {', '.join(WEEKDAYS)}")
        for day, spec in value.items():
            parse_hours(spec, day)
        if all(parse_hours(spec, day) is None for day, spec in value.items()):
            raise ValueError("minstens één dag moet openingstijden hebben")
        return value

    @field_validator("links")
    @classmethod
    def _links(cls, value: dict[str, str]) -> dict[str, str]:
        _check_labels(value, (*TOPICS,), "onderwerp")
        if value and "general" not in value:
            raise ValueError("'general' ontbreekt: de link voor reacties zonder eigen onderwerp")
        return value

    @model_validator(mode="after")
    def _default_channel(self) -> Organisation:
        if self.default_channel not in self.channels:
            raise ValueError(
                f"default_channel {self.default_channel!r} staat niet onder channels "
                f"({', '.join(self.channels)})"
            )
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def hours_on(self, day: date) -> tuple[time, time] | None:
        if day in self.closed_on:
            return None
        return parse_hours(self.opening_hours.get(WEEKDAYS[day.weekday()], "gesloten"), "")


class Team(_Model):
    name: str
    speaks_for_organisation: bool = False
    """Whether this team may post public statements on the organisation's behalf."""
    reach: str = ""
    """How to reach the team internally (a channel, a rota)."""


class Priority(_Model):
    name: str
    deadline_minutes: int = Field(ge=1, le=60 * 24 * 14)
    clock: Literal["always", "opening_hours"] = "opening_hours"
    """``always``: the deadline runs around the clock; otherwise only within opening hours."""
    notify: list[str] = Field(default_factory=list)


_CONDITION_LABELS: dict[str, tuple[tuple[str, ...], str]] = {
    "intents": (INTENTS, "intent"),
    "topics": (TOPICS, "onderwerp"),
    "sentiments": (SENTIMENTS, "sentiment"),
    "flags": (FLAGS, "vlag"),
}


class Condition(_Model):
    """When a situation applies. An empty list means: any value. ``flags``: any one of them."""

    language: Literal["nl", "other"] = "nl"
    intents: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    sentiments: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    spam: bool | None = None

    @field_validator("intents", "topics", "sentiments", "flags")
    @classmethod
    def _labels(cls, v: list[str], info: ValidationInfo) -> list[str]:
        allowed, kind = _CONDITION_LABELS[str(info.field_name)]
        _check_labels(v, allowed, kind)
        return v

    def matches(self, signals: Signals) -> bool:
        if self.language != signals.language:
            return False
        if self.language == "other":
            return True
        return (
            (not self.intents or signals.intent in self.intents)
            and (not self.topics or signals.topic in self.topics)
            and (not self.sentiments or signals.sentiment in self.sentiments)
            and (not self.flags or any(f in signals.flags for f in self.flags))
            and (self.spam is None or self.spam == signals.spam)
        )


class Step(_Model):
    do: str
    why: str


def one_of(value: str, allowed: Iterable[str], what: str) -> str:
    """``value`` when it is one of ``allowed``, else an error that lists the choices."""
    choices = list(allowed)
    if value not in choices:
        raise ValueError(f"onbekende {what} {value!r}; kies uit {', '.join(choices)}")
    return value


class Reply(_Model):
    strategy: str
    serves: int = Field(ge=1)
    """The (1-based) step of the situation this reply carries out."""
    why: str
    text: Variants
    short: Variants | None = None
    """A shorter form for channels whose limit the full text exceeds."""

    @field_validator("strategy")
    @classmethod
    def _strategy(cls, v: str) -> str:
        return one_of(v, STRATEGIES, "strategie")

    def forms(self) -> list[Variants]:
        return [self.text] if self.short is None else [self.text, self.short]


class Situation(_Model):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    when: Condition
    priority: str
    route: str
    visibility: Visibility = "public_then_private"
    action: Action = "respond"
    tone: str
    steps: list[Step] = Field(min_length=1)
    replies: list[Reply] = Field(default_factory=list)

    @field_validator("priority")
    @classmethod
    def _priority(cls, v: str) -> str:
        return one_of(v, PRIORITIES, "prioriteit")

    @model_validator(mode="after")
    def _replies(self) -> Situation:
        for i, reply in enumerate(self.replies):
            if reply.serves > len(self.steps):
                raise ValueError(
                    f"replies[{i}].serves is {reply.serves}, maar er zijn {len(self.steps)} stappen"
                )
        strategies = {r.strategy for r in self.replies}
        if self.action == "respond" and len(strategies) < 3:
            raise ValueError(
                "een situatie met action 'respond' heeft antwoorden in minstens drie "
                f"verschillende strategieën nodig (nu: {', '.join(sorted(strategies)) or 'geen'})"
            )
        return self


class Playbook(_Model):
    version: str
    name: str
    organisation: Organisation
    public_voice: str = "webcare"
    """The team that posts public replies when the routed team may not speak for the organisation."""
    teams: dict[str, Team]
    priorities: dict[str, Priority]
    subjects: dict[str, list[Subject]] = Field(default_factory=dict)
    fallback_subjects: dict[str, Variants]
    situations: list[Situation] = Field(min_length=1)

    @field_validator("priorities")
    @classmethod
    def _priorities(cls, v: dict[str, Priority]) -> dict[str, Priority]:
        missing = [p for p in PRIORITIES if p not in v]
        unknown = [p for p in v if p not in PRIORITIES]
        if missing or unknown:
            raise ValueError(
                f"verwacht precies {', '.join(PRIORITIES)} (ontbreekt: {missing}, onbekend: {unknown})"
            )
        return v

    @field_validator("subjects")
    @classmethod
    def _subjects(cls, v: dict[str, list[Subject]]) -> dict[str, list[Subject]]:
        _check_labels(v, TOPICS, "onderwerp")
        return v

    @field_validator("fallback_subjects")
    @classmethod
    def _fallbacks(cls, v: dict[str, Variants]) -> dict[str, Variants]:
        _check_labels(v, TOPICS, "onderwerp")
        missing = [t for t in TOPICS if t not in v]
        if missing:
            raise ValueError(f"ontbreekt voor onderwerp(en): {', '.join(missing)}")
        return v

    @property
    def label(self) -> str:
        return f"{self.name} (versie {self.version})"

    def situation(self, situation_id: str) -> Situation:
        return next(s for s in self.situations if s.id == situation_id)

    def matching(self, signals: Signals) -> list[Situation]:
        """All situations that apply, the most urgent first (ties: the one listed first)."""
        found = [s for s in self.situations if s.when.matches(signals)]
        return sorted(found, key=lambda s: PRIORITIES.index(s.priority))


@dataclass(frozen=True)
class Signals:
    """What the playbook's conditions look at: the triage labels plus the spam check."""

    language: Literal["nl", "other"]
    sentiment: str | None = None
    intent: str | None = None
    topic: str | None = None
    flags: frozenset[str] = frozenset()
    spam: bool = False


def parse_hours(spec: str, day: str) -> tuple[time, time] | None:
    """``"08:00-20:00"`` → (08:00, 20:00); ``"gesloten"`` → None."""
    if spec.strip().lower() == "gesloten":
        return None
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", spec)
    if not m:
        raise ValueError(f"{day}: {spec!r} is geen tijdvak; schrijf '08:00-20:00' of 'gesloten'")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h2 == 24 and m2 == 0:
        h2, m2 = 23, 59
    if not (0 <= h1 < 24 and 0 <= h2 < 24 and m1 < 60 and m2 < 60):
        raise ValueError(f"{day}: {spec!r} bevat een ongeldige tijd")
    start, end = time(h1, m1), time(h2, m2)
    if end <= start:
        raise ValueError(f"{day}: {spec!r} eindigt niet na het begin")
    return start, end


def _check_labels(values: Iterable[str], allowed: tuple[str, ...], kind: str) -> None:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValueError(f"onbekend(e) {kind} {unknown}; kies uit {', '.join(allowed)}")


# --- loading ------------------------------------------------------------------------------------


class _LineLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys (PyYAML would silently keep the last one)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"sleutel {key!r} komt twee keer voor (eerst op regel {seen[key] + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _line_index(
    node: yaml.Node, path: tuple[Any, ...] = ()
) -> Iterator[tuple[tuple[Any, ...], int]]:
    """(path, 1-based line) for every node, so validation errors can point into the file."""
    yield path, node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            yield (*path, key_node.value), key_node.start_mark.line + 1
            yield from _line_index(value_node, (*path, key_node.value))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _line_index(item, (*path, i))


def _describe(err: ErrorDetails) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "missing":
        return "verplicht veld ontbreekt"
    if kind == "extra_forbidden":
        return "onbekend veld (tikfout?)"
    if kind == "literal_error":
        return (
            f"ongeldige waarde {err.get('input')!r}; {msg.replace('Input should be', 'verwacht')}"
        )
    if kind in (
        "string_type",
        "int_type",
        "int_parsing",
        "bool_type",
        "bool_parsing",
        "list_type",
        "dict_type",
        "model_type",
        "date_from_datetime_parsing",
        "date_parsing",
    ):
        return f"verkeerd type ({msg})"
    if kind == "string_pattern_mismatch":
        return "alleen kleine letters, cijfers en _ toegestaan"
    return str(msg).removeprefix("Value error, ")


def parse_playbook(text: str, source: str = "<tekst>") -> Playbook:
    """Validate playbook YAML; raise :class:`PlaybookError` listing every problem with its line."""
    try:
        root = yaml.compose(text, Loader=_LineLoader)
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        problem = getattr(exc, "problem", None) or str(exc)
        raise PlaybookError(source, [f"{where}: geen geldige YAML: {problem}"]) from None
    if root is None or not isinstance(data, dict):
        raise PlaybookError(source, [f"{source}:1: het draaiboek moet een YAML-mapping zijn"])
    lines = dict(_line_index(root))
    try:
        playbook = Playbook.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            line = next((lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in lines), 1)
            field = ".".join(str(p) for p in loc) or "(bovenste niveau)"
            problems.append(f"{source}:{line}: {field}: {_describe(err)}")
        raise PlaybookError(source, problems) from None
    problems = [f"{source}:{lines.get(loc, 1)}: {msg}" for loc, msg in _cross_check(playbook)]
    if problems:
        raise PlaybookError(source, problems)
    return playbook


def _cross_check(pb: Playbook) -> Iterator[tuple[tuple[Any, ...], str]]:
    """References between sections, and templates that use unknown placeholders."""
    if pb.public_voice not in pb.teams:
        yield ("public_voice",), f"public_voice: onbekend team {pb.public_voice!r}"
    elif not pb.teams[pb.public_voice].speaks_for_organisation:
        yield (
            ("public_voice",),
            f"public_voice: team {pb.public_voice!r} mag niet namens de organisatie spreken",
        )
    for name, prio in pb.priorities.items():
        for j, team in enumerate(prio.notify):
            if team not in pb.teams:
                yield (
                    ("priorities", name, "notify", j),
                    f"priorities.{name}.notify: onbekend team {team!r}",
                )
    seen: dict[str, int] = {}
    for i, sit in enumerate(pb.situations):
        where = ("situations", i)
        if sit.id in seen:
            yield (
                (*where, "id"),
                f"situations[{i}].id: {sit.id!r} komt al voor (situations[{seen[sit.id]}])",
            )
        seen.setdefault(sit.id, i)
        if sit.route not in pb.teams:
            yield (
                (*where, "route"),
                f"situations[{i}].route: onbekend team {sit.route!r}; kies uit {', '.join(pb.teams)}",
            )
        for j, reply in enumerate(sit.replies):
            for k, form in enumerate(reply.forms()):
                part = "text" if k == 0 else "short"
                for register in ("u", "je"):
                    loc = (*where, "replies", j, part, register)
                    for problem in template_problems(form.get(register)):
                        yield loc, f"situations[{i}].replies[{j}].{part}.{register}: {problem}"
                    if "{link}" in form.get(register) and not pb.organisation.links:
                        yield (
                            loc,
                            f"situations[{i}].replies[{j}].{part}.{register}: {{link}} gebruikt, maar organisation.links is leeg",
                        )
    registers: tuple[Register, ...] = ("u", "je")
    for register in registers:
        for problem in template_problems(pb.organisation.greeting.get(register), allowed=("naam",)):
            yield (
                ("organisation", "greeting", register),
                f"organisation.greeting.{register}: {problem}",
            )
    for channel_id, channel in pb.organisation.channels.items():
        for register in registers:
            for problem in template_problems(channel.private.get(register), allowed=("merk",)):
                yield (
                    ("organisation", "channels", channel_id, "private", register),
                    f"organisation.channels.{channel_id}.private.{register}: {problem}",
                )


def template_problems(template: str, allowed: tuple[str, ...] = PLACEHOLDERS) -> list[str]:
    problems = []
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        return [
            f"ongeldige accolades ({exc}); gebruik {{onderwerp}}, {{merk}}, {{prive}} of {{link}}"
        ]
    for f in fields:
        if f not in allowed:
            problems.append(
                f"onbekende plaatshouder {{{f}}}; toegestaan: {', '.join('{' + a + '}' for a in allowed)}"
            )
    return problems


def load_playbook(path: Path | str | None = None) -> Playbook:
    """Load and validate a playbook file; ``None`` loads the default one shipped in the package."""
    if path is None:
        ref = resources.files("responder") / "playbooks" / DEFAULT_PLAYBOOK
        return parse_playbook(
            ref.read_text(encoding="utf-8"), f"responder/playbooks/{DEFAULT_PLAYBOOK}"
        )
    path = Path(path)
    if not path.is_file():
        raise InputError(f"Draaiboek niet gevonden: {path}")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlaybookError(
            str(path), [f"{path}: geen UTF-8 (byte {exc.start}); sla het bestand op als UTF-8"]
        ) from None
    return parse_playbook(text, str(path))


def default_playbook_text() -> str:
    return (resources.files("responder") / "playbooks" / DEFAULT_PLAYBOOK).read_text(
        encoding="utf-8"
    )


# --- coverage -----------------------------------------------------------------------------------


def uncovered(pb: Playbook) -> list[Signals]:
    """Label combinations (no flag or one flag, spam or not) that no situation covers."""
    combos: list[Signals] = [Signals("other")]
    for s, i, t, f, spam in itertools.product(
        SENTIMENTS, INTENTS, TOPICS, (None, *FLAGS), (False, True)
    ):
        combos.append(Signals("nl", s, i, t, frozenset([f] if f else []), spam))
    return [c for c in combos if not pb.matching(c)]


def unreachable(pb: Playbook) -> list[str]:
    """Situations that never come out on top for any combination (shadowed by earlier ones)."""
    chosen: set[str] = set()
    for s, i, t, spam in itertools.product(SENTIMENTS, INTENTS, TOPICS, (False, True)):
        for flags in itertools.chain(
            [()], itertools.combinations(FLAGS, 1), itertools.combinations(FLAGS, 2)
        ):
            found = pb.matching(Signals("nl", s, i, t, frozenset(flags), spam))
            if found:
                chosen.add(found[0].id)
    found_other = pb.matching(Signals("other"))
    if found_other:
        chosen.add(found_other[0].id)
    return [s.id for s in pb.situations if s.id not in chosen]
