"""The judged reply set: team-written comments with what a good first reply must and must not
say, and the checker that scores an assistant's replies against them.

A case (``tests/cases/replies.yaml``) gives the comment, where it was posted, the situation the
playbook should choose, and two lists of small checks on the first suggestion: ``must`` (each
must hold) and ``must_not`` (none may hold). A check is a one-key mapping:

``{any: [..]}``            one of these substrings occurs (case-insensitive)
``{all: [..]}``            every one of them occurs
``{not_any: [..]}``        none of them occurs
``{regex: ".."}``          the pattern matches somewhere (case-insensitive)
``{opening_any: [..]}``    the first sentence (after a greeting such as "Hoi Sanne,") has one
``{no_question_for: ..}``  the reply asks nobody for this fact (the comment gave it already):
                           product, reference, when, amount, tried, repeat, waiting, affected,
                           details
``{register: je|u}``       the reply addresses the commenter in this form only
``{language: nl|en|fr|de}`` the reply is written in this language

``reply: false`` marks a comment that should get no reply at all (spam).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, cast

import yaml

from responder.advice.plan import CommentContext
from responder.advice.playbook import Playbook
from responder.errors import DataError

CHECK_KINDS = (
    "any",
    "all",
    "not_any",
    "regex",
    "opening_any",
    "no_question_for",
    "register",
    "language",
)
LIST_CHECKS = frozenset({"any", "all", "not_any", "opening_any"})
CASE_KEYS = frozenset(
    {"text", "situation", "must", "must_not", "channel", "private", "author_name", "reply", "note"}
)
JUDGED_AT = datetime(2026, 11, 25, 10, 0)
"""Every case is judged as if posted on Wednesday 25 November 2026, 10:00, in opening hours."""

QUESTION_TOPICS: dict[str, tuple[str, ...]] = {
    "product": (
        "welk product",
        "welk apparaat",
        "welk artikel",
        "welk type",
        "welk model",
        "wat voor product",
        "om welk",
        "which product",
        "what product",
        "quel produit",
        "welches produkt",
        "welches gerät",
    ),
    "reference": (
        "ordernummer",
        "bestelnummer",
        "klantnummer",
        "klant- of ordernummer",
        "dossiernummer",
        "referentienummer",
        "factuurnummer",
        "trackingcode",
        "track & trace",
        "order number",
        "numéro de commande",
        "bestellnummer",
    ),
    "when": (
        "wanneer",
        "sinds wanneer",
        "welke datum",
        "welke dag",
        "hoe lang",
        "when",
        "since when",
        "how long",
        "quand",
        "depuis quand",
        "wann",
        "seit wann",
    ),
    "amount": ("welk bedrag", "hoeveel", "om welk bedrag", "how much", "combien", "wie viel"),
    "tried": (
        "al gebeld",
        "al contact",
        "al geprobeerd",
        "contact opgenomen",
        "opnieuw opgestart",
        "opnieuw op te starten",
        "opnieuw opstarten",
        "herstart",
        "already called",
        "already tried",
    ),
    "repeat": ("eerder gebeurd", "vaker gebeurd", "eerste keer", "happened before"),
    "waiting": ("hoe lang", "wachttijd", "how long"),
    "affected": ("om wie", "wie is", "wie er", "who was"),
    "details": (
        "wat er is gebeurd",
        "wat er precies",
        "wat is er precies",
        "wat er is misgegaan",
        "meer vertellen",
        "toelichten",
        "wat er mis",
        "what happened",
    ),
}
"""What asking for a fact sounds like, per fact: the words of a question or request for it."""

REQUEST = re.compile(
    r"\?|horen graag|laat (?:ons|het) (?:\w+ )?weten|stuur (?:ons|me)|\bdeel\b|\bdelen\b|"
    r"\bgraag (?:je|uw)\b|\bmet (?:je|uw)\b|\bkun je\b|\bkunt u\b|\bwil je\b|\bwilt u\b|\bgeef\b|"
    r"\bvertel\b|\bnoem\b|could you|can you|please (?:send|share|let|tell)|let us know|"
    r"pourriez|pouvez|merci de|envoyez|könnten sie|können sie|\bbitte\b|teilen sie",
    re.IGNORECASE,
)
"""A sentence that asks the commenter for something."""

REGISTER_FORMS = {
    "u": re.compile(r"(?<![\w-])(?:u|uw|uzelf)(?![\w-])", re.IGNORECASE),
    "je": re.compile(r"(?<![\w-])(?:je|jij|jou|jouw|jezelf)(?![\w-])", re.IGNORECASE),
}
LANGUAGE_WORDS: dict[str, frozenset[str]] = {
    "nl": frozenset(
        [
            "het",
            "een",
            "en",
            "van",
            "ik",
            "je",
            "jij",
            "u",
            "uw",
            "we",
            "wij",
            "is",
            "niet",
            "dat",
            "voor",
            "met",
            "op",
            "graag",
            "dank",
            "bedankt",
            "jouw",
            "hebben",
            "heeft",
            "ons",
            "onze",
            "naar",
            "wat",
            "vervelend",
            "kijken",
            "gerust",
            "helpen",
            "zijn",
            "bij",
        ]
    ),
    "en": frozenset(
        [
            "the",
            "and",
            "you",
            "your",
            "we",
            "our",
            "is",
            "are",
            "to",
            "for",
            "with",
            "sorry",
            "thank",
            "thanks",
            "please",
            "this",
            "that",
            "of",
            "have",
            "has",
            "it",
            "us",
            "can",
            "help",
            "will",
        ]
    ),
    "fr": frozenset(
        [
            "le",
            "la",
            "les",
            "et",
            "vous",
            "votre",
            "nous",
            "notre",
            "est",
            "pour",
            "avec",
            "merci",
            "désolé",
            "désolés",
            "bonjour",
            "des",
            "une",
            "un",
            "ce",
            "cette",
            "pas",
            "aider",
            "sommes",
            "avons",
        ]
    ),
    "de": frozenset(
        [
            "der",
            "das",
            "und",
            "sie",
            "ihr",
            "ihre",
            "wir",
            "unser",
            "ist",
            "für",
            "mit",
            "danke",
            "bitte",
            "entschuldigung",
            "nicht",
            "ein",
            "eine",
            "es",
            "zu",
            "uns",
            "ihnen",
            "helfen",
            "leid",
        ]
    ),
}
"""Common words that tell the four languages apart ("die" and "de" are left out: shared)."""
GREETING = re.compile(
    r"^\s*(?:hoi|hallo|beste|dag|hi|hello|dear|bonjour|liebe[rs]?)\b[^,!.?]{0,40}[,!]\s*",
    re.IGNORECASE,
)
"""A greeting before the first sentence ("Hoi Sanne,"), skipped by ``opening_any``."""


@dataclass(frozen=True)
class Check:
    """One check on a reply: its kind (a key of ``CHECK_KINDS``) and what it looks for."""

    kind: str
    arg: tuple[str, ...]

    def describe(self) -> str:
        words = ", ".join(repr(a) for a in self.arg)
        return {
            "any": f"mention one of {words}",
            "all": f"mention all of {words}",
            "not_any": f"mention none of {words}",
            "regex": f"match /{self.arg[0]}/",
            "opening_any": f"open with one of {words}",
            "no_question_for": f"not ask for the {self.arg[0]} (the comment gave it)",
            "register": f"use the {self.arg[0]}-form only",
            "language": f"be written in {self.arg[0]}",
        }[self.kind]


@dataclass(frozen=True)
class JudgedCase:
    """A comment and what a good first reply to it must and must not say."""

    id: str
    text: str
    situation: str
    must: tuple[Check, ...] = ()
    must_not: tuple[Check, ...] = ()
    channel: str | None = None
    private: bool = False
    author_name: str | None = None
    reply: bool = True
    """False: the right answer is no reply at all (spam)."""
    note: str = ""

    def context(self) -> CommentContext:
        return CommentContext(
            channel=self.channel,
            received_at=JUDGED_AT,
            private=self.private,
            author_name=self.author_name,
        )


@dataclass(frozen=True)
class Answer:
    """What an assistant made of a case: the situation it chose and its first reply (if any)."""

    situation: str | None
    reply: str | None
    priority: str | None = None
    """The plan's priority (P1-P4), when the assistant gives one."""


class Advisor(Protocol):
    """Anything with ``advise`` like :class:`responder.assistant.Assistant`."""

    def advise(self, text: str, context: CommentContext | None = None) -> Any: ...


# -- loading -----------------------------------------------------------------------------------


def load_judged(path: Path | str) -> list[JudgedCase]:
    """The cases of a judged set, validated: every key and check kind known, every argument of
    the right type, every pattern compilable. Errors name the case."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"{path}: niet te lezen als YAML: {exc}") from exc
    if not isinstance(raw, list):
        raise DataError(f"{path}: verwacht een lijst met gevallen.")
    return [_case(path, i, item) for i, item in enumerate(raw)]


def _case(path: Path, index: int, item: Any) -> JudgedCase:
    where = f"{path}: geval {index + 1}"
    if not isinstance(item, dict):
        raise DataError(f"{where}: verwacht een mapping met text, situation, must en must_not.")
    unknown = set(item) - CASE_KEYS
    if unknown:
        raise DataError(
            f"{where}: onbekende velden {sorted(unknown)}; kies uit {sorted(CASE_KEYS)}."
        )
    text, situation = item.get("text"), item.get("situation")
    if not isinstance(text, str) or not text.strip():
        raise DataError(f"{where}: 'text' ontbreekt of is leeg.")
    where = f"{where} ({text[:40]!r})"
    if not isinstance(situation, str) or not situation:
        raise DataError(f"{where}: 'situation' ontbreekt.")
    for key, kind in (("channel", str), ("author_name", str), ("note", str)):
        if key in item and not isinstance(item[key], kind):
            raise DataError(f"{where}: '{key}' moet tekst zijn.")
    for key in ("private", "reply"):
        if key in item and not isinstance(item[key], bool):
            raise DataError(f"{where}: '{key}' moet true of false zijn.")
    must = tuple(_check(where, "must", c) for c in _list(where, "must", item.get("must", [])))
    must_not = tuple(
        _check(where, "must_not", c) for c in _list(where, "must_not", item.get("must_not", []))
    )
    if any(c.kind == "no_question_for" for c in must_not):
        raise DataError(
            f"{where}: no_question_for hoort onder 'must' (het antwoord vraagt er niet om)."
        )
    reply = item.get("reply", True)
    if reply and not must:
        raise DataError(
            f"{where}: een geval met antwoord heeft minstens één 'must'-controle nodig."
        )
    return JudgedCase(
        id=f"{index + 1:03d}-{situation}",
        text=text,
        situation=situation,
        must=must,
        must_not=must_not,
        channel=item.get("channel"),
        private=item.get("private", False),
        author_name=item.get("author_name"),
        reply=reply,
        note=item.get("note", ""),
    )


def _list(where: str, key: str, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise DataError(f"{where}: '{key}' moet een lijst met controles zijn.")
    return value


def _check(where: str, key: str, raw: Any) -> Check:
    if not isinstance(raw, dict) or len(raw) != 1:
        raise DataError(f"{where}: elke controle in '{key}' is één sleutel, zoals {{any: [...]}}.")
    ((kind, arg),) = raw.items()
    if kind not in CHECK_KINDS:
        raise DataError(f"{where}: onbekende controle {kind!r}; kies uit {', '.join(CHECK_KINDS)}.")
    if kind in LIST_CHECKS:
        if not isinstance(arg, list) or not arg or not all(isinstance(a, str) and a for a in arg):
            raise DataError(f"{where}: {kind} verwacht een niet-lege lijst met teksten.")
        return Check(kind, tuple(arg))
    if not isinstance(arg, str) or not arg:
        raise DataError(f"{where}: {kind} verwacht één tekst.")
    if kind == "regex":
        try:
            re.compile(arg)
        except re.error as exc:
            raise DataError(f"{where}: ongeldige regex {arg!r}: {exc}") from exc
    allowed = {
        "no_question_for": tuple(QUESTION_TOPICS),
        "register": ("u", "je"),
        "language": tuple(LANGUAGE_WORDS),
    }.get(kind)
    if allowed and arg not in allowed:
        raise DataError(f"{where}: {kind} {arg!r} onbekend; kies uit {', '.join(allowed)}.")
    return Check(kind, (arg,))


def problems_with_playbook(cases: Iterable[JudgedCase], playbook: Playbook) -> list[str]:
    """Cases that name a situation or channel the playbook does not have."""
    situations = {s.id for s in playbook.situations}
    channels = set(playbook.organisation.channels)
    out = []
    for case in cases:
        if case.situation not in situations:
            out.append(f"{case.id}: unknown situation {case.situation!r}")
        if case.channel is not None and case.channel not in channels:
            out.append(f"{case.id}: unknown channel {case.channel!r}")
    return out


# -- checking ----------------------------------------------------------------------------------


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def language_of(text: str) -> str:
    """nl, en, fr or de by common words; "unknown" when no language clearly leads."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    counts = {lang: sum(w in vocab for w in words) for lang, vocab in LANGUAGE_WORDS.items()}
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if ranked[0][1] == 0 or ranked[0][1] == ranked[1][1]:
        return "unknown"
    return ranked[0][0]


def asked_for(text: str, topic: str) -> str | None:
    """The sentence of ``text`` that asks the commenter for ``topic``, if any."""
    for sentence in sentences(text):
        low = sentence.lower()
        if REQUEST.search(sentence) and any(word in low for word in QUESTION_TOPICS[topic]):
            return sentence
    return None


def holds(check: Check, text: str) -> tuple[bool, str]:
    """Whether ``check`` holds for ``text``, and what in the text decided it."""
    low = text.lower()
    found = [a for a in check.arg if a.lower() in low]
    if check.kind == "any":
        return bool(found), f"found {found[0]!r}" if found else "none found"
    if check.kind == "all":
        missing = [a for a in check.arg if a not in found]
        return not missing, f"missing {missing}" if missing else "all found"
    if check.kind == "not_any":
        return not found, f"found {found}" if found else "none found"
    if check.kind == "regex":
        m = re.search(check.arg[0], text, re.IGNORECASE)
        return m is not None, f"matched {m.group(0)!r}" if m else "no match"
    if check.kind == "opening_any":
        opening = sentences(GREETING.sub("", text))
        first = opening[0] if opening else ""
        hit = [a for a in check.arg if a.lower() in first.lower()]
        return bool(hit), f"opens {first[:60]!r}"
    if check.kind == "no_question_for":
        sentence = asked_for(text, check.arg[0])
        return sentence is None, f"asks {sentence!r}" if sentence else "asks nothing about it"
    if check.kind == "register":
        other = "je" if check.arg[0] == "u" else "u"
        m = REGISTER_FORMS[other].search(text)
        return m is None, f"uses {m.group(0)!r}" if m else f"no {other}-forms"
    lang = language_of(text)
    return lang == check.arg[0], f"reads as {lang}"


def check_suggestion(case: JudgedCase, text: str | None) -> list[str]:
    """The checks of ``case`` that the first suggestion ``text`` fails, human-readable; empty
    when it passes. ``None`` means no reply was suggested."""
    if not case.reply:
        return [] if text is None else ["a reply was suggested; this comment should get none"]
    if text is None:
        return ["no reply was suggested"]
    failed = []
    for check in case.must:
        ok, why = holds(check, text)
        if not ok:
            failed.append(f"must {check.describe()}: {why}")
    for check in case.must_not:
        ok, why = holds(check, text)
        if ok:
            failed.append(f"must not {check.describe()}: {why}")
    return failed


# -- judging an assistant ----------------------------------------------------------------------


def answer_of(advice: Any) -> Answer:
    """The situation and first reply of an :class:`~responder.assistant.Advice`."""
    items = advice.suggestions.items
    return Answer(advice.plan.situation, items[0].text if items else None, advice.plan.priority)


def judge(
    assistant: Advisor | Callable[[JudgedCase], Answer],
    cases: Sequence[JudgedCase],
    priorities: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Run every case through ``assistant`` (an object with ``advise``, or a function from a case
    to an :class:`Answer`) and report the pass rate overall and per expected situation, the
    share of cases where the situation was right, every failure, and every answer (so that a
    changed check can be re-scored without running the model again).

    A case passes when its first reply passes every check; a wrong situation is reported beside
    it (``strict_pass_rate`` asks both). With ``priorities`` (situation id → P1…P4, from the
    playbook) it also counts escalation errors: cases whose situation is not P1 that got a P1
    plan (false escalations) and P1 cases that did not."""
    ask: Callable[[JudgedCase], Answer]
    if hasattr(assistant, "advise"):
        advisor = cast(Advisor, assistant)

        def ask(case: JudgedCase) -> Answer:
            return answer_of(advisor.advise(case.text, case.context()))

    else:
        ask = assistant
    per: dict[str, dict[str, int]] = {}
    failures: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    passed = strict = right = 0
    escalation = {"p1_cases": 0, "missed_p1": 0, "other_cases": 0, "false_p1": 0}
    for case in cases:
        answer = ask(case)
        if priorities is not None:
            urgent = priorities.get(case.situation) == "P1"
            escalation["p1_cases" if urgent else "other_cases"] += 1
            if urgent and answer.priority != "P1":
                escalation["missed_p1"] += 1
            elif not urgent and answer.priority == "P1":
                escalation["false_p1"] += 1
        failed = check_suggestion(case, answer.reply)
        situation_ok = answer.situation == case.situation
        row = per.setdefault(case.situation, {"cases": 0, "passed": 0, "situation_correct": 0})
        row["cases"] += 1
        row["passed"] += not failed
        row["situation_correct"] += situation_ok
        answers.append(
            {
                "id": case.id,
                "situation": answer.situation,
                "reply": answer.reply,
                "passed": not failed,
            }
        )
        passed += not failed
        strict += not failed and situation_ok
        right += situation_ok
        if failed or not situation_ok:
            failures.append(
                {
                    "id": case.id,
                    "text": case.text,
                    "situation": {"expected": case.situation, "got": answer.situation},
                    "reply": answer.reply,
                    "failed": failed,
                }
            )
    n = len(cases)
    extra: dict[str, Any] = {}
    if priorities is not None:
        extra["escalation"] = {
            **escalation,
            "false_p1_rate": _rate(escalation["false_p1"], escalation["other_cases"]),
            "missed_p1_rate": _rate(escalation["missed_p1"], escalation["p1_cases"]),
        }
    return {
        **extra,
        "cases": n,
        "passed": passed,
        "pass_rate": _rate(passed, n),
        "strict_pass_rate": _rate(strict, n),
        "situation_accuracy": _rate(right, n),
        "per_situation": {
            sid: {**row, "pass_rate": _rate(row["passed"], row["cases"])}
            for sid, row in per.items()
        },
        "failures": failures,
        "answers": answers,
    }


def _rate(k: int, n: int) -> float:
    return round(k / n, 4) if n else 0.0


def report_table(report: dict[str, Any]) -> str:
    """The report as a plain-text table: per situation, then overall."""
    lines = [f"{'situation':<22} {'cases':>5} {'passed':>6} {'rate':>6} {'sit.ok':>6}"]
    for sid, row in report["per_situation"].items():
        lines.append(
            f"{sid:<22} {row['cases']:>5} {row['passed']:>6} {row['pass_rate']:>6.0%} "
            f"{row['situation_correct']:>6}"
        )
    lines.append(
        f"{'overall':<22} {report['cases']:>5} {report['passed']:>6} {report['pass_rate']:>6.0%} "
        f"situation right {report['situation_accuracy']:.0%}, both {report['strict_pass_rate']:.0%}"
    )
    if "escalation" in report:
        e = report["escalation"]
        lines.append(
            f"escalation: {e['false_p1']}/{e['other_cases']} other cases got P1 "
            f"({e['false_p1_rate']:.0%}), {e['missed_p1']}/{e['p1_cases']} P1 cases did not"
        )
    return "\n".join(lines)
