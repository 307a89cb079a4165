"""Checks every reply must pass before it is suggested (and every text `playbook check` sees).

A reply must keep the register, fit the channel, leave no placeholder, be in the language of the
situation (Dutch, or English, French, German where the playbook has replies in them), say what
the situation requires (``must_say``: leave the house, call 112), and never: promise compensation
the playbook does not allow, admit liability, ask for or repeat personal data in public, ask for
a password, argue with or blame the customer, ask for a fact the customer already gave, open
with sympathy for a complaint nobody made, or thank or sympathise with someone who abuses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from responder.advice.personal_data import find_personal_data
from responder.triage.detect import Detected, detect_language

Register = Literal["u", "je"]


@dataclass(frozen=True)
class GuardrailResult:
    name: str
    passed: bool
    message: str
    """Dutch, for the agent: what was checked, or what is wrong."""


@dataclass(frozen=True)
class ReplyContext:
    """What the checks need to know about where the reply goes and what it answers."""

    register: Register
    max_chars: int
    public: bool
    compensation_allowed: bool = False
    own_contacts: tuple[str, ...] = ()
    language: str = "nl"
    must_say: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Each element the reply must contain: its id and the substrings (any case) that prove it."""
    given_facts: frozenset[str] = frozenset()
    """The kinds of fact the comment gives (``product``, ``reference``...): never ask for them."""
    sympathy: bool = True
    """False for a comment that is no complaint (a neutral question): no sympathetic opening."""
    offender: bool = False
    """The commenter abuses or discriminates: no thanks and no sympathy anywhere."""


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
    # English, German, French replies
    r"\b(we|we'll|we will)\s+(refund|compensate|reimburse)\b",
    r"\byou('ll| will)\s+(get|receive)\b[^.!?]{0,30}\b(refund|voucher|discount|compensation|credit)",
    r"\bwir\s+(erstatten|entschädigen|vergüten)\b",
    r"\b(gutschein|entschädigung|schadenersatz|bon d'achat|dédommagement)\b",
    r"\bnous\s+(vous\s+)?(rembourserons|dédommagerons)\b",
)
LIABILITY = _rx(
    r"\b(volledig |helemaal |geheel )?(onze|mijn) (schuld|fout)\b",
    r"\b(schuld|fout) ligt (helemaal |volledig )?bij ons\b",
    r"\baansprakelijk",
    r"\bnalatig",
    r"\b(we|wij) (erkennen|geven toe)\b",
    r"\bhadden (we|wij) (nooit|niet) (mogen|moeten)\b",
    r"\b(our|unser|unsere|notre) (fault|schuld|fehler|faute)\b",
    r"\b(liable|haftbar|responsables? du dommage)\b",
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
    r"burgerservicenummer|order number|address|phone number|e-?mail address|date of birth|"
    r"bestellnummer|adresse|telefonnummer|e-mail-adresse|geburtsdatum|numéro de commande|"
    r"numéro de téléphone|adresse e-mail|date de naissance)\b",
    re.IGNORECASE,
)
PRIVATE_ROUTE = re.compile(
    r"\b(privébericht|privé|dm|direct message|persoonlijk bericht|pb|contactformulier|inbox|"
    r"private message|contact form|direktnachricht|private nachricht|kontaktformular|"
    r"message privé|formulaire de contact)\b",
    re.IGNORECASE,
)
SECRETS = re.compile(
    r"\b(wachtwoord|pincode|inlogcode|verificatiecode|sms-code|tan-code|password|passwort|"
    r"mot de passe)\b",
    re.I,
)
NEGATED_SECRET = re.compile(
    r"\b(nooit|geen|niet)\b[^.!?]{0,40}\b(wachtwoord|pincode|inlogcode|inloggegevens|code)", re.I
)
REGISTER_WORDS: dict[str, re.Pattern[str]] = {
    # In a "u" reply no informal pronoun; in a "je" reply no formal one.
    "u": re.compile(r"\b(je|jij|jou|jouw|jezelf|jullie)\b", re.IGNORECASE),
    "je": re.compile(r"\b(u|uw|uzelf)\b", re.IGNORECASE),
}
FOREIGN_REGISTER_WORDS: dict[str, dict[str, re.Pattern[str]]] = {
    # German Sie/du (the polite forms only with a capital, "sie" is also she/they), French vous/tu.
    "de": {
        "u": re.compile(r"\b(du|dich|dir|dein\w*)\b", re.IGNORECASE),
        "je": re.compile(r"(?<=[a-zäöüß,] )Sie\b|\b(Ihnen|Ihre?[mnrs]?)\b"),
    },
    "fr": {
        "u": re.compile(r"\b(tu|toi|ton|ta|tes)\b", re.IGNORECASE),
        "je": re.compile(r"\b(vous|votre|vos)\b", re.IGNORECASE),
    },
}
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "Engels", "fr": "Frans", "de": "Duits"}
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
GREETING = re.compile(r"^(hoi|hallo|hi|hey|beste)\b[^.!?]{0,40}[!,.]\s*", re.IGNORECASE)
SYMPATHY_OPENING = re.compile(
    r"^(wat |echt |heel |erg |oei,? |oh,? )*(vervelend|naar|rot|jammer|balen|sneu|frustrerend|"
    r"vreselijk|pijnlijk|sorry|excuses|onze excuses|het spijt)",
    re.IGNORECASE,
)
FOR_THE_VICTIM = re.compile(
    r"\b(dank|bedankt|fijn dat|vervelend|jammer|wat naar|sorry|excuses|begrijpelijk|"
    r"we (begrijpen|snappen) (je|uw) (frustratie|boosheid)|(je|uw) melding)\b",
    re.IGNORECASE,
)
"""Words of thanks and sympathy, and treating the comment as a report: never to an abuser."""
ASKING = re.compile(
    r"\?|\b(stuur|stuurt|geef|geeft|deel|deelt|noem|noemt|laat [^.!?]{0,30}weten|horen graag|"
    r"nodig|met (je|uw))\b",
    re.IGNORECASE,
)
"""A sentence that asks the customer for something."""
FACT_QUESTIONS: dict[str, re.Pattern[str]] = {
    "product": re.compile(
        r"\b(welk|welke|om welk|om welke|wat voor)\s+(\w+\s+)?(product|apparaat|artikel|"
        r"toestel)\b",
        re.IGNORECASE,
    ),
    "reference": re.compile(
        r"\b(ordernummer|bestelnummer|klantnummer|klant- of ordernummer|factuurnummer|"
        r"zaaknummer|dossiernummer|referentienummer)\b",
        re.IGNORECASE,
    ),
    "amount": re.compile(r"\b(welk bedrag|om welk bedrag|hoeveel)\b", re.IGNORECASE),
    "waiting": re.compile(r"\bhoe lang\b[^.!?]*\b(wacht|wachten|gewacht)", re.IGNORECASE),
    "duration": re.compile(r"\b(sinds wanneer|hoe lang (al|speelt))\b", re.IGNORECASE),
    "date": re.compile(r"\b(wanneer|welke datum|op welke dag)\b", re.IGNORECASE),
    "tried": re.compile(r"\b(heeft|hebt|heb) (u|je) al (gebeld|contact|gemaild)", re.IGNORECASE),
}
"""How a reply asks for each kind of fact (only sentences that ask count, see ``ASKING``)."""


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
    words = FOREIGN_REGISTER_WORDS.get(ctx.language, REGISTER_WORDS if ctx.language == "nl" else {})
    wrong = words[ctx.register].search(text) if words else None
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
    missing = [must_id for must_id, proof in ctx.must_say if not _says(text, proof)]
    add(
        "must_say",
        f"Mist wat hier altijd gezegd moet worden: {', '.join(missing)}." if missing else None,
        "Zegt wat de situatie vraagt."
        if ctx.must_say
        else "Deze situatie vraagt geen vaste inhoud.",
    )
    asked = asked_fact(text, ctx.given_facts)
    add(
        "no_known_fact_question",
        f"Vraagt naar iets wat de klant al heeft gegeven ('{asked}')." if asked else None,
        "Vraagt niet naar wat de klant al heeft gegeven.",
    )
    add("fitting_tone", tone_problem(text, ctx), "Toon past bij de reactie.")
    if check_language:
        lang = _language_of(re.sub(r"https?://\S+|\^\S+", " ", text))
        name = LANGUAGE_NAMES.get(ctx.language, ctx.language)
        accepted = ("nl", "und") if ctx.language == "nl" else (ctx.language, "und")
        add(
            "language",
            None if lang.label in accepted else f"De tekst lijkt geen {name} ({lang.label}).",
            f"{name}.",
        )
    return results


@lru_cache(maxsize=4096)
def _language_of(text: str) -> Detected:
    """The detected language, once per text: the same text is checked in many contexts."""
    return detect_language(text)


def _says(text: str, proof: tuple[str, ...]) -> bool:
    low = text.lower()
    return any(p.lower() in low for p in proof)


def asked_fact(text: str, given: frozenset[str]) -> str | None:
    """The words with which the reply asks for a fact of a kind the comment already gives."""
    found = asked_facts(text, given)
    return next(iter(found.values()), None)


def asked_facts(text: str, kinds: Iterable[str] = FACT_QUESTIONS) -> dict[str, str]:
    """The kinds of fact (of ``kinds``) the reply asks for, each with the words that ask."""
    wanted = sorted(set(kinds))
    found: dict[str, str] = {}
    if not wanted:
        return found
    for sentence in _sentences(text):
        if not ASKING.search(sentence):
            continue
        for kind in wanted:
            pattern = FACT_QUESTIONS.get(kind)
            match = pattern.search(sentence) if pattern else None
            if match and kind not in found:
                found[kind] = match.group(0)
    return found


CHEER = re.compile(
    r"(?i)(?<!\w)(?:wat leuk|wat fijn|fijn dat|leuk om te lezen|fijn om te lezen|hoera)"
)
"""Cheerful words that do not follow condolences ("Gecondoleerd met uw verlies. Wat leuk om te
lezen!")."""


def tone_problem(text: str, ctx: ReplyContext) -> str | None:
    if "gecondoleerd" in text.lower():
        cheer = CHEER.search(text)
        if cheer:
            return (
                f"Condoleert en klinkt daarna vrolijk ('{cheer.group(0)}'); houd de toon ingetogen."
            )
    if ctx.offender:
        found = FOR_THE_VICTIM.search(text)
        if found:
            return (
                f"Bedankt of troost iemand die zelf scheldt of discrimineert ('{found.group(0)}'); "
                "stel een grens."
            )
    if not ctx.sympathy or ctx.offender:
        opening = SYMPATHY_OPENING.search(GREETING.sub("", text.strip(), count=1))
        if opening:
            return (
                f"Opent met medeleven ('{opening.group(0)}'), maar de klant klaagt niet; "
                "beantwoord de vraag."
            )
    return None


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
