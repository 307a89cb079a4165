"""The thing a comment is about, read from its noun phrases when no word list knows it.

The product list (``facts.PRODUCT_ARTICLE``) and the playbook's subject words name what they
know: "de powerbank", "je factuur". A customer writes about anything: "een stuk van het afdak
hangt los", "het stopcontact in onze living geeft vonken", "mijn parkeervergunning is nog niet
binnen". The article in the comment says what the noun is: the word after "de", "het", "mijn" or
"onze" (after at most two adjectives ending in -e) is read as a noun, and the reply says "het
afdak" or "je stopcontact" without knowing the word. Two word lists from the UD Dutch treebanks
(``words/``, CC BY-SA 4.0, built by ``data/lexicon/build_words.py``) keep out what is no noun:
"het ruikt", "was het druk" ("druk" is a de-word, so "het" is the pronoun), "het duidelijk".

Which noun phrase is *the* thing: the first one that is

- not after a preposition of place or time ("bij de ingang", "in de winkel", "sinds de
  storing"): those set the scene; the thing is what the sentence is about ("van", "met" and
  "over" are allowed: "een stuk van het afdak", "een probleem met de router");
- not a person (the customer's family, staff: the reply names those elsewhere), a time, a body
  part, one's own data, an insult, a threat's own words, or an abstract word ("het probleem");
- written in lower case (a capital after an article is a name: "de Albert Heijn").

Only definite phrases count: after "een" the article of the noun is unknown, and after "die",
"dat", "deze" or "dit" a verb is as likely as a noun ("dat ruikt"). It is a fallback: the subject
words of the playbook and the product list come first (``suggest.subject_for``).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from responder.advice.facts import NOT_OWN_THINGS, PRODUCT_ARTICLE, RELATION_WORDS
from responder.triage.cues import CUES

DETERMINER = re.compile(r"(?<![\w'’-])(?P<det>de|het|'t|mijn|m'n|mn|onze|ons)\s+", re.IGNORECASE)
"""Only articles and possessives: after "die", "dat", "deze" and "dit" a verb is as likely as a
noun ("dat ruikt", "die stuurt")."""
WORD = re.compile(r"[^\W\d_][^\W\d_-]*(?:-[^\W\d_]+)?")
MAX_ADJECTIVES = 2
ADJECTIVE_ENDINGS = ("lijk", "ig", "isch", "baar", "loos", "zaam", "end", "er", "st")
"""Endings of words that are adjectives or adverbs, not nouns ("het duidelijk", "de beter")."""
SCENE = re.compile(
    r"(?<!\w)(?:bij|in|op|aan|naar|voor|achter|naast|onder|boven|door|tegen|langs|uit|om|"
    r"tijdens|sinds|na|vanaf|tot|richting|via|per|zonder|binnen|buiten|rond|rondom)\s*$",
    re.IGNORECASE,
)
"""A preposition right before the phrase: it sets the scene ("bij de ingang", "sinds de storing")."""
NOT_THINGS = frozenset(
    (  # noqa: SIM905 - a word list reads best as text
        # people (besides the customer's family in RELATION_WORDS)
        "monteur monteurs medewerker medewerkers medewerkster chauffeur chauffeurs bezorger "
        "bezorgers koerier postbode receptioniste receptionist portier beveiliger bewaker "
        "bewakers assistente assistent kassière caissière kassamedewerker verkoper verkoopster "
        "conducteur manager filiaalmanager bedrijfsleider eigenaar directeur agent agenten "
        "dokter arts huisarts verpleegkundige tandarts juf meester leraar docent begeleider "
        "ober serveerster kok klant klanten mensen persoon mevrouw meneer heer dame jongen "
        "meisje vrouw man kerel gast gasten reiziger reizigers passagier passagiers "
        "klantenservice klantendienst webcare helpdesk callcenter team afdeling organisatie "
        "bedrijf firma gemeente overheid regering politie adviseur verzekeraar trainer coach "
        "makelaar huismeester fysiotherapeut stewardess purser piloot loodgieter schoonmaker "
        "bestuurder conciërge kapper schoonfamilie vrienden vriendinnen personeel stad land "
        "brandweer ambulance controleur apotheker jongeren ouderen kinderen "
        # time
        "keer keren dag dagen week weken maand maanden jaar jaren uur uren minuut minuten "
        "seconde ochtend morgen middag avond nacht weekend tijd moment periode datum "
        "begin einde eind toekomst verleden vandaag gisteren voormiddag namiddag vakantie "
        "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag feestdag "
        # the body (besides facts.NOT_OWN_THINGS)
        "pols enkel knie schouder lippen lip tong maag hoofdpijn "
        # abstract and talk
        "probleem problemen vraag vragen klacht klachten bedoeling manier reden redenen situatie "
        "zaak zaken ding dingen iets niets niks rest helft deel stuk beetje aantal geval "
        "gevallen kans keuze oplossing antwoord antwoorden reactie reacties bericht berichten "
        "mail mails melding meldingen nummer mening ervaring ervaringen communicatie fout "
        "fouten schuld excuses moeite gedoe idee gevoel indruk hele eerste tweede derde "
        "laatste volgende vorige andere zelfde enige beste ergste "
        "waarheid realiteit feit feiten woord woorden zin zinnen tekst teksten info "
        "informatie uitleg nieuws verhaal regels regel wet procedure systeem beleid "
        "service kwaliteit prijs prijzen kosten geld bedrag euro cent "
        "hulp steun excuus begrip respect fatsoen schande grap onzin samenwerking moed winst "
        "verlies uitje zin plezier moeite verschil mogelijkheid "
        # pronoun-like and function words after an article
        "zelfde volgende hele halve echte enige andere allerbeste "
    ).split()
)
"""Nouns that are no thing to name: people, time, abstract words and talk. Body parts and one's
own data come from ``facts.NOT_OWN_THINGS``."""
FUNCTION_WORDS = frozenset(
    (  # noqa: SIM905 - a word list reads best as text
        "niet wel ook nog maar toch even eens gewoon echt heel zeer zo dan daar hier waar "
        "nooit altijd alleen weer meer minder veel weinig eerst later snel "
        "zijn was waren wordt werd worden heeft hebben had hadden kan kon kunnen moet moest "
        "moeten zal zou zullen wil wilde willen mag mocht gaat ging gaan komt kwam komen "
        "doet deed doen staat stond ligt lag zit zat krijg kreeg "
        "ik je jij u hij zij ze we wij jullie men het die dat deze dit er "
        "omdat want terwijl zodat nadat voordat toen als wanneer hoewel dus "
        "wat wie welke hoe waarom voor tegendeel uitzoeken "
        "raar gek fijn leuk jammer erg goed slecht lastig vreemd zonde prima top super"
    ).split()
)
"""Words that follow "die", "dat", "de" or "het" without being a noun ("dat niet", "die ik")."""
NOT_THING_ENDINGS = (
    "chauffeur",
    "medewerker",
    "medewerkers",
    "monteur",
    "bezorger",
    "verkoper",
    "verkopers",
    "kundige",
    "kundigen",
    "nummer",
    "gegevens",
    "naam",
    "adres",
    "datum",
    "wachtwoord",
    "pijn",
)
"""Endings of people ("buschauffeur", "verpleegkundige") and of one's own data ("klantnummer",
"geboortedatum"): the reply names those elsewhere, or never."""
PARTICIPLE = re.compile(
    r"^(?:aan|op|uit|af|door|in|mee|na|om|over|terug|toe|voor)?(?:ge|be|ver|ont|her)\w{2,}[td]$"
)
"""A past participle ("aangekaart", "belazerd", "gebeld"): no noun, even when it ends in one."""
MIN_NOUN_CHARS = 4
SENSITIVE = (
    # health
    "test",
    "zwanger",
    "diagnose",
    "uitslag",
    "ziekte",
    "kanker",
    "hiv",
    "soa",
    "therapie",
    "medicij",
    "medicatie",
    "psych",
    # money trouble and income
    "schuld",
    "sanering",
    "loon",
    "salaris",
    "uitkering",
    "toeslag",
    "bankrekening",
    "rekeningnummer",
    "inkomen",
    "achterstand",
    # who someone is
    "huidskleur",
    "afkomst",
    "geloof",
    "religie",
    "geaardheid",
    "handicap",
    "beperking",
    # documents and files
    "identiteitskaart",
    "paspoort",
    "rijbewijs",
    "dossier",
    "verblijfsvergunning",
)
"""Parts of words for what no public reply should name even when the customer does ("uw
hiv-test", "uw schuldsanering", "uw huidskleur", "uw identiteitskaart")."""
INSULTS = frozenset(CUES["abuse"])
"""An insult is no thing to name ("dat tuig van jullie")."""
THREAT_WORDS = tuple(
    w for flag in ("legal_threat", "media_threat") for w in CUES[flag] if len(w) >= MIN_NOUN_CHARS
)
"""A threat's own words are never repeated as its subject: the reply to a legal threat does not
say "uw rechtsbijstandsverzekering", nor the reply to a media threat "de krant"."""
MIN_THREAT_SUBSTRING = 7
"""A threat word this long counts inside a compound too ("rechtsbijstandsverzekering"); a
shorter one only as the whole noun ("insta" is no part of "installatie")."""
MIN_HEAD_CHARS = 3
"""The shortest part of a compound: "dak" in "platdak"."""
WORDS = Path(__file__).parent / "words"


def thing_named_in(text: str) -> str | None:
    """The first noun phrase of ``text`` that names a thing, as "het afdak", "de parkeervergunning"
    or "mijn stopcontact" (the customer's own possessive; the reply turns it into "je"/"uw").
    ``None`` when there is none."""
    for m in DETERMINER.finditer(text):
        if SCENE.search(text[max(0, m.start() - 12) : m.start()]):
            continue
        noun = _noun_after(text, m.end())
        if noun is None:
            continue
        low = noun.lower()
        if any(_excluded(form) for form in _singulars(low)):
            continue
        if low.endswith(NOT_THING_ENDINGS) or any(w in low for w in SENSITIVE):
            continue
        if any(low == w or (len(w) >= MIN_THREAT_SUBSTRING and w in low) for w in THREAT_WORDS):
            continue
        det = m.group("det").lower().replace("’", "'")
        if det in ("het", "'t") and (
            _articles().get(low) == "de" or (not is_noun(low) and low.endswith(("t", "d")))
        ):
            continue  # "het ruikt", "was het druk": "het" is the pronoun
        lead = {"mijn": "mijn", "m'n": "mijn", "mn": "mijn", "onze": "onze", "ons": "ons"}.get(
            det, "het" if det in ("het", "'t") else "de"
        )
        return f"{lead} {low}"
    return None


def _excluded(word: str) -> bool:
    return word in NOT_THINGS or word in NOT_OWN_THINGS or word in RELATION_WORDS or word in INSULTS


def _singulars(word: str) -> tuple[str, ...]:
    """The word and what it may be the plural of ("portiers": "portier")."""
    forms = [word]
    if word.endswith("s"):
        forms.append(word[:-1])
    if word.endswith("en"):
        forms.append(word[:-2])
    return tuple(forms)


def _noun_after(text: str, at: int) -> str | None:
    """The noun of the phrase that starts at ``at``: after at most two adjectives (a word ending
    in -e that is no known noun: "nieuwe", "marokkaanse"), a word that may be a noun."""
    prev_end = at
    for index, m in enumerate(WORD.finditer(text, at)):
        if index > MAX_ADJECTIVES or text[prev_end : m.start()].strip():
            return None  # too far, or punctuation in between
        prev_end = m.end()
        word = m.group(0)
        low = word.lower()
        if word[:1].isupper() and not text.isupper():
            return None  # a name ("de Albert Heijn", "het Rijksmuseum")
        if (
            low.endswith("e")
            and not low.endswith("je")
            and not is_noun(low)
            and index < MAX_ADJECTIVES
        ):
            continue  # an adjective
        if len(low) < MIN_NOUN_CHARS or low in FUNCTION_WORDS or not _may_be_noun(low):
            return None
        if PARTICIPLE.match(low) and low not in _words("nouns.txt"):
            return None  # "het aangekaart", "ons belazerd": a verb, whatever it ends in
        return word
    return None


def _may_be_noun(word: str) -> bool:
    if word in _words("nouns.txt") or word in PRODUCT_ARTICLE:
        return True
    if word in _words("not_nouns.txt"):
        return False
    return is_noun(word) or not word.endswith(ADJECTIVE_ENDINGS)


def is_noun(word: str) -> bool:
    """A word the treebanks or the product list know as a noun, or a compound ending in one
    ("parkeervergunning": "vergunning", "stopcontact": "contact"); both parts have at least
    three letters, so "stinkt" is no compound of "inkt"."""
    nouns = _words("nouns.txt")
    if word in nouns or word in PRODUCT_ARTICLE:
        return True
    return any(
        word[i:] in nouns or word[i:] in PRODUCT_ARTICLE
        for i in range(MIN_HEAD_CHARS, len(word) - MIN_HEAD_CHARS + 1)
    )


@functools.cache
def _words(name: str) -> frozenset[str]:
    """A word list of ``responder/advice/words`` (built from the UD Dutch treebanks)."""
    path = WORDS / name
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.split("\t")[0] for line in lines if line and not line.startswith("#"))


@functools.cache
def _articles() -> dict[str, str]:
    """The article of each singular noun in the treebanks (``de``, ``het``, ``de/het``)."""
    lines = (WORDS / "nouns.txt").read_text(encoding="utf-8").splitlines()
    pairs = (line.split("\t") for line in lines if line and not line.startswith("#"))
    return {p[0]: p[1] for p in pairs if len(p) == 2 and p[1] != "-"}
