"""Checks every reply must pass before it is suggested (and every text `playbook check` sees).

A reply must keep the register, fit the channel, leave no placeholder, be Dutch, and never:
promise compensation the playbook does not allow, admit liability, ask for or repeat personal
data in public, ask for a password, or argue with or blame the customer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from responder.advice.personal_data import find_personal_data
from responder.triage.detect import detect_language

Register = Literal["u", "je"]


@dataclass(frozen=True)
class GuardrailResult:
    name: str
    passed: bool
    message: str
    """Dutch, for the agent: what was checked, or what is wrong."""


@dataclass(frozen=True)
class ReplyContext:
    """What the checks need to know about where the reply goes."""

    register: Register
    max_chars: int
    public: bool
    compensation_allowed: bool = False
    own_contacts: tuple[str, ...] = ()


def _rx(*patterns: str) -> list[re.Pattern[str]]:
    return [re.compile(p, re.IGNORECASE) for p in patterns]


_COMP_NOUN = (
    r"(vergoeding|compensatie|schadevergoeding|korting|tegoed\w*|cadeaubon|waardebon|voucher|"
    r"geld terug|creditnota|terugbetaling|gratis \w+)"
)
_OBJECT = r"((u|je|jou|jullie|een|de|het|graag|alsnog|wel|extra|als|ter|daarom|dan)\s+){0,4}"
"""Words that may stand between a verb of giving and what is given ("we sturen u graag een...")."""
COMPENSATION_PROMISES = _rx(
    r"\b(we|wij)\b[^.!?]{0,40}\b(vergoeden|compenseren|crediteren|terugstorten|terugbetalen|storten)\b",
    r"\b(vergoeden|compenseren|crediteren|storten|betalen)\s+(we|wij)\b",
    r"\b(krijgt|ontvangt|krijg|ontvang)\s+(u|je|jij)\b[^.!?]{0,40}\b" + _COMP_NOUN,
    r"\b(u|je|jij)\s+(krijgt|ontvangt)\b[^.!?]{0,40}\b" + _COMP_NOUN,
    r"\b(we|wij)\b[^.!?]{0,30}\b(sturen|geven|bieden|schenken|regelen)\s+" + _OBJECT + _COMP_NOUN,
    r"\b(sturen|geven|bieden|schenken|regelen)\s+(we|wij)\s+" + _OBJECT + _COMP_NOUN,
    r"\b(schadevergoeding|cadeaubon|waardebon|tegoedbon|voucher)\b",
)
LIABILITY = _rx(
    r"\b(volledig |helemaal |geheel )?(onze|mijn) (schuld|fout)\b",
    r"\b(schuld|fout) ligt (helemaal |volledig )?bij ons\b",
    r"\baansprakelijk",
    r"\bnalatig",
    r"\b(we|wij) (erkennen|geven toe)\b",
    r"\bhadden (we|wij) (nooit|niet) (mogen|moeten)\b",
)
BLAME = _rx(
    r"\b(u|je|jij) (had|hadden|heeft|hebt) (beter |zelf |gewoon )*(moeten|kunnen)\b",
    r"\b(uw|je|jouw) eigen (schuld|fout|probleem)\b",
    r"\b(uw|jouw) (probleem|schuld)\b",
    r"\b(dat|dit|het) klopt (gewoon |echt )?niet wat (u|je|jij)\b",
    r"\b(u|je|jij) (heeft|hebt|heb) (geen )?(on)?gelijk\b",
    r"\bniet waar\b",
    r"\bzoals (u|je|jij) (had|hebt|heeft|kon|kunt|kan) (kunnen )?(lezen|zien|weten)",
    r"\blees (eerst|gewoon|even|dan) ",
    r"\b(leest|kijkt) u (eerst|even|gewoon|dan)\b",
    r"\b(u|je|jij) (begrijpt|snapt|begrijp|snap) (het|dat) (niet|verkeerd)",
    r"\b(onzin|belachelijk|overdreven|overdrijft|overdrijf|zeur\w*|klaag\w*)\b",
)
ASKS_FOR_DATA = re.compile(
    r"\b(ordernummer|klantnummer|klant- of ordernummer|factuurnummer|adres|postcode|huisnummer|"
    r"telefoonnummer|06-nummer|e-mailadres|mailadres|geboortedatum|rekeningnummer|iban|bsn|"
    r"burgerservicenummer)\b",
    re.IGNORECASE,
)
PRIVATE_ROUTE = re.compile(
    r"\b(privébericht|privé|dm|direct message|persoonlijk bericht|pb|contactformulier|inbox)\b",
    re.IGNORECASE,
)
SECRETS = re.compile(r"\b(wachtwoord|pincode|inlogcode|verificatiecode|sms-code|tan-code)\b", re.I)
NEGATED_SECRET = re.compile(
    r"\b(nooit|geen|niet)\b[^.!?]{0,40}\b(wachtwoord|pincode|inlogcode|inloggegevens|code)", re.I
)
REGISTER_WORDS: dict[str, re.Pattern[str]] = {
    # In a "u" reply no informal pronoun; in a "je" reply no formal one.
    "u": re.compile(r"\b(je|jij|jou|jouw|jezelf|jullie)\b", re.IGNORECASE),
    "je": re.compile(r"\b(u|uw|uzelf)\b", re.IGNORECASE),
}
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


def _first(patterns: list[re.Pattern[str]], text: str) -> str | None:
    for p in patterns:
        m = p.search(text)
        if m:
            return m.group(0)
    return None


def check_reply(text: str, ctx: ReplyContext, check_language: bool = True) -> list[GuardrailResult]:
    """Run every guardrail on a finished reply (signature included)."""
    results: list[GuardrailResult] = []

    def add(name: str, problem: str | None, ok: str) -> None:
        results.append(GuardrailResult(name, problem is None, problem or ok))

    stripped = text.strip()
    add("not_empty", None if len(stripped) >= 10 else "De reactie is (bijna) leeg.", "Niet leeg.")
    n = len(text)
    add(
        "length",
        None if n <= ctx.max_chars else f"{n} tekens; het kanaal staat er {ctx.max_chars} toe.",
        f"{n} van maximaal {ctx.max_chars} tekens.",
    )
    left = PLACEHOLDER.search(text)
    add(
        "placeholders",
        f"Plaatshouder {left.group(0)} is niet ingevuld." if left else None,
        "Alle plaatshouders zijn ingevuld.",
    )
    wrong = REGISTER_WORDS[ctx.register].search(text)
    other = "je" if ctx.register == "u" else "u"
    add(
        "register",
        f"Spreekt de klant aan met '{ctx.register}', maar bevat '{wrong.group(0)}' ({other}-vorm)."
        if wrong
        else None,
        f"Consequent de {ctx.register}-vorm.",
    )
    promise = None if ctx.compensation_allowed else _first(COMPENSATION_PROMISES, text)
    add(
        "no_compensation_promise",
        f"Belooft een vergoeding ('{promise}'); het draaiboek staat dat hier niet toe."
        if promise
        else None,
        "Belooft geen vergoeding.",
    )
    liability = _first(LIABILITY, text)
    add(
        "no_liability",
        f"Erkent schuld of aansprakelijkheid ('{liability}')." if liability else None,
        "Erkent geen schuld of aansprakelijkheid.",
    )
    blame = _first(BLAME, text)
    add(
        "no_blame",
        f"Spreekt de klant tegen of geeft de klant de schuld ('{blame}')." if blame else None,
        "Geen discussie, geen verwijt.",
    )
    add("personal_data", _personal_data_problem(text, ctx), _personal_data_ok(ctx))
    if check_language:
        lang = detect_language(re.sub(r"https?://\S+|\^\S+", " ", text))
        add(
            "dutch",
            None
            if lang.label in ("nl", "und")
            else f"De tekst lijkt geen Nederlands ({lang.label}).",
            "Nederlands.",
        )
    return results


def _personal_data_ok(ctx: ReplyContext) -> str:
    if ctx.public:
        return "Geen persoonsgegevens in het openbaar; gegevens alleen via een privékanaal."
    return "Geen vraag om wachtwoorden of codes."


def _personal_data_problem(text: str, ctx: ReplyContext) -> str | None:
    for sentence in _sentences(text):
        if SECRETS.search(sentence) and not NEGATED_SECRET.search(sentence):
            return "Vraagt om een wachtwoord of code; dat doet een medewerker nooit."
    if not ctx.public:
        return None
    scrubbed = text
    for contact in ctx.own_contacts:
        scrubbed = scrubbed.replace(contact, " ")
    scrubbed = re.sub(r"https?://\S+", " ", scrubbed)
    found = find_personal_data(scrubbed)
    if found:
        return f"Bevat een {found[0].kind}; persoonsgegevens horen niet in een openbare reactie."
    asked = ASKS_FOR_DATA.search(text)
    if asked and not PRIVATE_ROUTE.search(text):
        return (
            f"Vraagt om '{asked.group(0)}' zonder te verwijzen naar een privékanaal; "
            "vraag persoonsgegevens alleen privé."
        )
    return None


def passed(results: list[GuardrailResult]) -> bool:
    return all(r.passed for r in results)
