"""Telling words that back up a P1 flag, so that only corroborated flags escalate.

The model raises P1 flags (legal, media, safety, privacy incident, discrimination) on ordinary
complaints far more often than those are real: on 180 webcare comments that helpers wrote for the
judged reply sets, 18-29 % of the comments without any risk got a P1 flag, mostly ``safety`` on a
broken appliance or a mouldy bag of fruit and ``discrimination`` on a policy that affects a group.
A real safety report nearly always names what is dangerous (gas, smoke, a shock, an injury, an
allergic reaction); a real legal threat names a lawyer, a court or a complaints body.

So a raised P1 flag escalates only when the comment contains one of its telling words, or when
the model is nearly certain (:data:`SURE_WITHOUT_CUE`). ``abuse`` works the same way with a list
of insults (:data:`SURE_ABUSE`), and the other way round too: the model misses plain insults it
rarely saw ("klootzak", "trut"), so a listed insult raises ``abuse`` when the model gives it at
least :data:`ABUSE_FLOOR`. Abuse is not P1, but it sets the boundary reply and hides the comment,
which insults a customer who only complained. A flag without either is kept as a
*possible* flag: shown to the agent with its evidence, not escalated, and the agent confirms it
with one click when it is right. The word lists were written from domain knowledge and pruned on
the development split (a word that kept more false flags there than it saved true ones went),
then extended on a second development set of 300 comments that a helper wrote without seeing
this code (``data/cues/flags-dev2.jsonl``: vlogs, podcasts, stitches, a pregnancy, a national
identity card); the test split and the judged reply sets were not used to choose them. For ``abuse`` the two
numbers (0.90, 0.10) were chosen for the best abuse F1 on the development split; the insult list
is a general one, but the real abuse set's missed insults had been looked at before it was
written, so that set is not independent of it. ``benchmarks/real_text.py``
reports the effect beside the model's own flags.

Matching (:func:`cue_words`): a cue of at most four letters must be a whole word (with a plural
or diminutive ending: ``gas``, ``rook``, ``pijn``); a longer cue may sit inside a compound
(``allergi`` in "notenallergie", ``gegevens`` in "reisgegevens").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

SURE_WITHOUT_CUE = 0.97
"""A P1 flag the model gives at least this probability escalates without a telling word."""
SURE_ABUSE = 0.90
"""The same for ``abuse``: above it no insult needs to be named ("stelletje amateurs")."""
ABUSE_FLOOR = 0.10
"""An insult from the list raises ``abuse`` when the model gives it at least this much, below
its own threshold: the model misses plain insults it rarely saw ("klootzak", "trut")."""
MAX_WHOLE_WORD_CHARS = 4

_CUES: dict[str, str] = {
    "safety": """
        gas | gasgeur | gaslucht | gaslek | gasleiding | gasmeter | gaskraan | rotte eieren | gesis |
        koolmonoxide | co-melder | co melder | rookmelder | brand | vlam | vuur | vonk | ontplof |
        explo | rook | rookt | rookte | roken | vonkt | vonkte | smeul | smelt | gesmolten | schroei | verschroeid | heet | oververhit | gloei |
        verbrand | knetter | kortsluit | stroomschok | schok | onder stroom | onder spanning |
        stopcontact | blote draden | meterkast | groepenkast | elektrocut | gevaar | onveilig |
        veilig | risico | ongeluk | ongeval | gewond | verwond | letsel | bloed | snee | gesneden |
        brandwond | gebroken | breuk | gevallen | valt | vallen | viel | gestruikeld | uitgegleden |
        struikel | ziek | misselijk | overgeven | overgegeven | braken | diarree | vergiftig |
        allergi | allergische reactie | jeuk | uitslag | bulten | bultjes | blaren | zwelling | zwellen |
        gezwollen | opgezwollen | benauwd | adem | stikken | gestikt | verslikt | ingeslikt |
        doorgeslikt | pijn | krampen | koorts | onwel | flauwgevallen | bewusteloos | ziekenhuis |
        spoedeisende | ehbo | huisarts | dokter | arts | ambulance | 112 | noodgeval | dosering |
        medicijn | medicatie | pillen | tabletten | glas | splinter | scherp | hangt los |
        losgeraakt | instort | ingestort | scheur | accu | batterij | knoopcel | lekt | zuur |
        schimmel | bedorven | beschimmeld | stukje metaal | in mijn eten | drinkwater | drinken |
        bedreigd | aangevallen | mishandeld | geslagen | neergeslagen | aangereden | aanrijding | botsing |
        geknald | chemicali | giftig | gif | prikken | prikt | brandend | tril | hardhandig |
        vastgepakt | gesleurd | geduwd | blauwe plekken | spuug | stuiptrek | durf niet meer |
        remmen | remt | peuter | kinderen | brak | scherf | scherven | glazen | stroomstoot |
        hechting | kokhalz | kots | bont en blauw | in haar mond | in zijn mond | in z'n mond |
        in mijn mond | rauw | opengehaald | opengesneden | in elkaar geklapt | klapte in elkaar |
        ingeklapt | stikgevaar | te hard reed | te hard rijd | te hard gereden | levensgevaar
    """,
    "discrimination": """
        discrimin | racis | afkomst | huidskleur | kleur | zwart | zwarte | donker | bruine |
        buitenlander | allochto | migrant | vluchteling | asielzoeker | moslim | islam | joods |
        jood | joden | christen | geloof | religie | hoofddoek | keppel | tulband | baard | homo |
        gay | lesbi | lhbt | queer | trans | transgender | transvrouw | transman | non-binair | biseks | seksis |
        gehandicapt | handicap | beperking | rolstoel | blind | doof | autis | adhd | down |
        leeftijd | ouderen | oud | bejaard | te oud | accent | achternaam | nationaliteit |
        marokka | turk | turken | pool | polen | surinam | antilli | afrika | aziat | chinees |
        uitgesloten | uitsluit | geweigerd | weigerden | anders behandeld | ongelijk | onderscheid |
        apart genomen | wit | witte | blank | blanke | soort | mensen zoals | zulke mensen | afro |
        kroes | boerkini | exotisch | antillen | nederlander | nederlandse | hier geboren |
        oude mensen | scootmobiel | slechtziend | visueel | vrouw | man | mannen | meisje | types | normale mensen | die lui |
        dat soort | die mensen | eigen land | gelukszoeker | dat volk | dat tuig |
        geen nederlands | nederlands leren | belgisch | belg | zwanger | zwangerschap | jonge |
        dames | geslacht | gebarentolk | gebarentaal | doven
    """,
    "legal_threat": """
        advocaat | advocaten | jurist | juridisch | rechter | rechtbank | rechtszaak | rechtszaal |
        rechten | dagvaard | gedagvaard | aansprakelijk | ingebrekestelling |
        in gebreke | sommatie | schadevergoeding | schadeclaim | claim | aangifte | politie |
        geschillencommissie | kifid | ombudsman | acm | autoriteit | consumentenbond |
        juridisch loket | rechtsbijstand | wet | wettelijk | illegaal | strafbaar |
        oplichting | oplichters | fraude | stappen ondernemen | commissie | inspectie | unia |
        aanklag | aan te klagen | klaag jullie aan | klaag u aan | klaag je aan | geding | gerechtelijk |
        consumentencentrum | nvwa | toezichthouder
    """,
    "media_threat": """
        krant | kranten | pers | journalist | media | nieuws | rtl | nos | sbs | tv | televisie |
        radar | kassa | opgelicht | radio | omroep | viraal | volgers | followers | tiktok |
        instagram | insta | twitter | facebook | youtube | linkedin | reddit | posten | delen |
        gedeeld | review | recensie | trustpilot | google | sterren | wereld |
        redactie | gazet | te weten | blog | artikel | publiceren | online | vrt | viral | telegraaf | volkskrant | hln |
        vlog | podcast | forum | retweet | views | video | influencer | kijkers | luisteraars
    """,
    "privacy_incident": """
        gegevens | data | datalek | beveiligingslek | lek | gelekt | gehackt | hack | phishing | privacy | avg | gdpr |
        brief | brieven | mail | adres | e-mailadres | mailadres | naam | namen | geboortedatum | bsn | burgerservicenummer |
        paspoort | identiteitskaart | id-kaart | rijbewijs | kopie | rekeningnummer | iban |
        pasnummer | wachtwoord | inloggegevens | inlog | account | dossier | uitslag | medisch | diagnose |
        iemand anders | andermans | andere klant | vreemde | verkeerde persoon | verkeerd adres |
        buurman | buurvrouw | buren | inzien | inzage | zichtbaar | openbaar | kon zien | camera | foto |
        beelden | toestemming | verwijder | mijn nummer | privé | geschiedenis | vorige eigenaar |
        nep-id | leeggehaald | iedereen kon
    """,
    "abuse": """
        klootzak | klootzakken | kut | kutwijf | kuthoer | kutkind | kutbedrijf | kutwinkel |
        tering | teringlijer | teringlijers | teringzooi | tyfus | tyfuslijer | kankerlijer |
        kankerlijers | kankerhoer | kankerzooi | kankerbedrijf | kankerwinkel | hoer | hoeren |
        hoertje | slet | sloerie | trut | trutten | teef | wijf | bitch | lul | lulletje | eikel |
        eikels | rotzak | rotzakken | smeerlap | smeerlappen | schoft | schoften | schoelje | ploert |
        proleet | proleten | tuig | tuftuig | uitschot | schorem | gespuis | idioot | idioten |
        debiel | debielen | imbeciel | mongool | mongolen | randdebiel | halvegare | malloot |
        mafkees | sukkel | sukkels | oen | oenen | klojo | kneus | kneuzen | loser | losers |
        uilskuiken | stomkop | stommeling | domkop | dombo | dwaas | lafaard | lafaards | klaploper |
        profiteur | profiteurs | parasiet | parasieten | flikker | flikkers | mietje | nazi | nazis |
        fascist | fascisten | landverrader | motherfucker | stfu | klootviool | prutsers | clowns |
        rot op | sodemieter op | donder op | flikker op | hou je kop | hou je bek | kop dicht |
        bek dicht | in elkaar slaan | ik maak je af | val dood | fuck you | fuck jullie | fuck off |
        vuile hond | stelletje prutsers |
        kluns | klunzen | graaier | graaiers | zakkenvuller | zakkenvullers | zeikerd | zeikerds |
        kakker | kakkers | snertvent | nitwit | nitwits | fantasten | hufter |
        hufters | lomperik | azijnpisser | vetzak | dikzak | schijtlijster | lafbek |
        stommerik | sufferd | sufferds | oetlul | oelewapper | nietsnut | nietsnutten | zageman |
        achterlijk | achterlijke | stommen uil | stomme uil | zak hooi |
        platbranden | in de fik steken | weet waar je woont | weet waar jij woont
    """,
}
CUES: dict[str, tuple[str, ...]] = {
    flag: tuple(w.strip() for w in words.split("|") if w.strip()) for flag, words in _CUES.items()
}
"""Per checked flag (the P1 flags and ``abuse``), the words of which a comment must contain one
for the flag to escalate."""
CHECKED_FLAGS = tuple(CUES)
WHOLE_WORDS = frozenset({"abuse"})
"""Flags whose words match whole words only: an insult inside a longer word is no insult
("zeurwijf" is, "wijfje" is not; "lul" is not "lullig"), except :data:`COMPOUND_TAILS`."""
COMPOUND_TAILS = frozenset(
    (  # noqa: SIM905 - a word list reads best as text
        "sukkel sukkels trut trutten idioot idioten debiel debielen kluns klunzen prutsers "
        "klootzak klootzakken graaiers kakker kakkers hufter hufters"
    ).split()
)
"""Insults that stay insults at the end of a compound ("marketingsukkels", "censuurtrutten",
"bankklunzen"); other insults count only as whole words ("oen" is in "schoen")."""
FORCED_WHOLE = frozenset(
    (  # noqa: SIM905 - a word list reads best as text
        "heet valt vallen viel gevallen schok scherp zuur 112 breuk claim mail data adres foto "
        "brief account inlog buren naam namen lek kassa nieuws online artikel delen openbaar radar "
        "sterren wereld trans down man vrouw kleur zwart geloof oud pool turk wit soort "
        "roken braken geslagen rechten insta gedeeld beelden baard veilig jonge dames privé video"
    ).split()
)
"""Cues that are also part of ordinary words ("geschokt", "mevrouw", "transactie", "nieuwsbrief",
"e-mail", "openbaar vervoer", "afgebroken", "opgeslagen", "gerechten", "installatie",
"ingedeeld", "voorbeelden", "jongens", "dameskleding", "privébericht", "Videoland"): they count
only as a whole word (with a plural or diminutive)."""


IDIOMS = re.compile(
    r"(?<!\w)(?:valt|vallen|viel|vielen)\s+(?:\w+\s+){0,2}?(?:"
    r"onder\s+(?:de\s+|het\s+|uw\s+|jullie\s+)?(?:garantie|voorwaarden|regeling|dekking|verzekering)"
    r"|(?:tegen|mee)(?!\s+(?:de|het|een|mijn|m'n|z'n|zijn|haar|d'r|hun|onze|ons)(?!\w))"
    r"|(?:uit|op)(?=\s*(?:[.,!?;:)]|$|(?:en|maar|want|dus|dat|weer|steeds|telkens|vaak|bij|tijdens)"
    r"(?!\w)))"
    r")"
    r"|(?<!\w)per\s+ongeluk(?!\w)"
    r"|(?<!\w)(?:deze|mijn|m'n|mn|onze|uw|je|jouw)\s+(?:\w+\s+)?claim(?!\w)"
)
"""Phrases in which a telling word means something harmless: "valt dit nog onder de garantie",
"het valt tegen", "de stroom viel uit" (an outage, not a fall; "viel uit de bus", "viel uit bed",
"viel op z'n hoofd", "viel tegen de kast" and "viel onder de tram" still count) and "per ongeluk"
(by accident), and the customer's own claim ("zodra deze claim is betaald", "mijn claim voor
de ruitschade": an insurance claim, not a legal one). A "beveiliger" needs no idiom: "veilig"
counts only as a whole word."""


def _normal(text: str) -> str:
    """Lower case, single spaces, and the :data:`IDIOMS` blanked out."""
    low = re.sub(r"\s+", " ", text.lower().replace("’", "'"))
    return IDIOMS.sub(lambda m: " " * len(m.group(0)), low)


def _has(text: str, cue: str, whole_word: bool = False) -> bool:
    if whole_word or len(cue) <= MAX_WHOLE_WORD_CHARS:
        return _pattern(cue, False).search(text) is not None
    return cue in text


@functools.cache
def _pattern(cue: str, whole: bool) -> re.Pattern[str]:
    """A short cue as a whole word, with a plural or diminutive ending unless ``whole``."""
    tail = "" if whole else r"(?:s|en|je|jes)?"
    return re.compile(r"(?<!\w)" + re.escape(cue) + tail + r"(?!\w)")


QUOTED = re.compile(
    r"(?:(?<=\s)|(?<=^)|(?<=[(:]))['\"‘“„](?P<inner>[^'\"‘’“”\n]{1,80})['\"’”](?![\w])"
)
"""A quoted phrase ("noemde mij 'profiteur'"): the words of someone else, not the commenter's."""
REPORTED = re.compile(
    r"(?:noemde|noemden|noemt|riep|riepen|roept|schold|scholden|scheldt|zei|zeiden|zegt"
    r"|uitgemaakt\s+voor|uitgescholden\s+voor|werd\s+(?:ik|hij|zij|ze)\s+genoemd"
    r"|ben\s+(?:ook\s+)?(?:maar\s+)?een|alsof\s+(?:ik|we|wij|hij|zij|ze))"
    r"(?:\s+\S+){0,4}\s*$"
)
"""Words that report what someone else said, or what the commenter says of themselves ("ik ben
een kluns", "alsof ik achterlijk was"): an insult right after them is quoted or self-directed,
not meant for anyone."""


def _reported(text: str, start: int) -> bool:
    """Whether the words at ``start`` are someone else's: in quotes, or right after "noemde mij",
    "riep", "uitgemaakt voor"."""
    if any(m.start("inner") <= start < m.end("inner") for m in QUOTED.finditer(text)):
        return True
    return REPORTED.search(text[max(0, start - 60) : start]) is not None


WISHES = re.compile(
    r"(?<!\w)(?:ik\s+)?(?:hoop|hopen|wens|moge)(?!\s+niet)\s+(?:dat\s+)?(?:\S+\s+){0,5}?"
    r"(?:afbrand\w*|platbrand\w*|in\s+de\s+fik\s+\w+|onder\s+(?:een|de)\s+(?:tram|trein|bus)\s+\w+"
    r"|stikken|stikt|creper\w*|verrek\w*|dood\s*gaa?n|doodgaat|doodvalt|dood\s+valt"
    r"|kanker\s+krijg\w*)(?!\w)"
)
"""A wish of harm ("ik hoop dat jullie hele callcenter afbrandt", "hoop dat je onder een tram
komt"): abuse, where the same words without the wish are a worry or an accident ("bang dat
mijn kind onder een bus komt", "ik hoop niet dat het afbrandt")."""


@functools.cache
def _insult(cue: str) -> re.Pattern[str]:
    """An insult as a whole word, or at the end of a compound for :data:`COMPOUND_TAILS`."""
    head = r"(?<!\w)\w*" if cue in COMPOUND_TAILS else r"(?<!\w)"
    return re.compile(head + re.escape(cue) + r"(?!\w)")


CHURN = re.compile(
    r"(?<!\w)(?:"
    r"(?:ik|we|wij)\s+zeg\w*\s+(?:\S+\s+){0,4}?op|zeg\w*\s+(?:ik|we|wij)\s+(?:\S+\s+){0,4}?op"
    r"|opzeg\w*|op\s+te\s+zeggen|opgezegd"
    r"|(?:ik|we|wij|en|dan)\s+stap\w*\s+(?:\S+\s+){0,3}?over"
    r"|stap\w*\s+(?:ik|we|wij)\s+(?:\S+\s+){0,3}?over"
    r"|overstap\w*|overgestapt|stopgezet|stop\s+te\s+zetten"
    r"|(?:ik|we|wij)\s+zet\w*\s+(?:\S+\s+){0,3}?stop|zet\s+(?:ik|we|wij)\s+(?:\S+\s+){0,3}?stop"
    r"|(?:naar|bij)\s+(?:een|ne)\s+(?:ander\w*|concurrent\w*)|concurrent\w*"
    r"|(?:ik|we|wij)\s+(?:zoek|kies|neem)\w*\s+(?:\S+\s+){0,2}?(?:een\s+)?andere"
    r"|(?:zoek|kies|neem)\s+(?:ik|we|wij)\s+(?:\S+\s+){0,2}?(?:een\s+)?andere"
    r"|afscheid\s+nemen|klant\s+af|ergens\s+anders|elders|alternatief|andere\s+partij"
    r"|(?:ik|we|wij)\s+(?:ben|zijn)\s+(?:hier\s+|er\s+)?weg(?!\s+van)|ben\s+ik\s+(?:hier\s+)?weg(?!\s+van)"
    r"|weg\s+bij\s+(?:jullie|julle|ulle|u)|(?:ik|we|wij)\s+ga\w*\s+(?:hier\s+)?weg"
    r"|(?:kom|komen)\s+(?:hier\s+|daar\s+)?niet\s+meer(?=\s*(?:terug|[.!,]|$))"
    r"|(?:zie|ziet|zien)\s+(?:\S+\s+){0,3}?niet\s+meer\s+terug"
    r"|(?:ik|we|wij)\s+stop\w*\s+(?:ermee|met\s+jullie)|stop\s+ik\s+ermee"
    r"|(?:geen|niet\s+meer)\s+(?:\S+\s+)?(?:klant|lid)(?:\s+meer)?|blijf\s+(?:ik\s+)?niet"
    r"|nooit\s*meer|laatste\s+bestelling|laatste\s+keer\s+dat\s+ik\s+(?:hier|bij\s+jullie|iets)"
    r"|klaar\s+(?:mee|ermee|met\s+jullie)|ermee\s+klaar"
    r"|(?:niet|nie)\s+(?:meer\s+)?(?:te\s+)?verleng\w*|verleng\w*\s+(?:ik\s+)?(?:nie|niet)"
    r"|mooi\s+geweest|heb\s+het\s+gehad|doei|boycot\w*|(?:ik|we|wij)\s+vertrek\w*"
    r"|account\s+(?:\S+\s+)?(?:laten\s+)?verwijder\w*|verwijder\s+mijn\s+account"
    r"|beëindig\w*|haal\s+\S+(?:\s+\S+)?\s+weg|doorgeknipt"
    r")(?!\w)"
)
"""Phrases that show a churn threat ("ik zeg mijn abonnement op", "per 1 januari stap ik over",
"ik kom hier niet meer"). They are only the evidence shown for a ``churn_threat`` flag: churn is
not a checked flag, so they raise and hold back nothing."""


def evidence_words(text: str, flag: str, limit: int = 3) -> list[str]:
    """The words of ``text`` that show ``flag``, as they stand in the comment (the whole word
    around a cue: "notenallergie" for ``allergi``), in the order they appear, at most ``limit``;
    empty when the comment has none of the flag's telling words (or :data:`CHURN` for churn).
    The spans are those of the matches themselves: an insult someone else said ("noemde mij een
    sukkel") is not shown, and "elders" is not found in "kelders"."""
    normal = _normal(text)
    if flag == "churn_threat":
        spans = [m.span() for m in CHURN.finditer(normal)]
    else:
        spans = [span for _, span in _matches(normal, flag)]
    out: list[str] = []
    for start, end in sorted(spans):
        while start > 0 and normal[start - 1].isalnum():
            start -= 1
        while end < len(normal) and normal[end].isalnum():
            end += 1
        word = _as_written(text, normal[start:end].strip())
        if word and not any(
            word.lower() in seen.lower() or seen.lower() in word.lower() for seen in out
        ):
            out.append(word)
        if len(out) == limit:
            break
    return out


def _as_written(text: str, word: str) -> str:
    """``word`` (lower case, single spaces) as the comment writes it, capitals included."""
    parts = [re.escape(p).replace("'", "['’]") for p in word.split()]
    found = re.search(r"\s+".join(parts), text, re.IGNORECASE) if parts else None
    return found.group(0) if found else word


def _matches(normal: str, flag: str) -> list[tuple[str, tuple[int, int]]]:
    """Each telling word of ``flag`` in the normalised text with where it first counts (see
    :func:`cue_words`)."""
    out: list[tuple[str, tuple[int, int]]] = []
    if flag in WHOLE_WORDS:
        for cue in CUES.get(flag, ()):
            for m in _insult(cue).finditer(normal):
                if not _reported(normal, m.start()):
                    out.append((cue, m.span()))
                    break
        if flag == "abuse":
            out += [(m.group(0), m.span()) for m in WISHES.finditer(normal)]
        return out
    for cue in CUES.get(flag, ()):
        if cue in FORCED_WHOLE or len(cue) <= MAX_WHOLE_WORD_CHARS:
            found = _pattern(cue, False).search(normal)
            if found:
                out.append((cue, found.span()))
        else:
            at = normal.find(cue)
            if at >= 0:
                out.append((cue, (at, at + len(cue))))
    return out


def cue_words(text: str, flag: str) -> list[str]:
    """The telling words of ``flag`` that ``text`` contains (empty for an unchecked flag). An
    insult counts only in the commenter's own words: a customer who reports that staff called
    them a 'profiteur' is a victim, not an abuser."""
    return [cue for cue, _ in _matches(_normal(text), flag)]


def corroborated(text: str, flag: str, probability: float) -> bool:
    """Whether a raised ``flag`` may escalate: not a checked flag, nearly certain, or backed by
    one of its telling words."""
    sure = SURE_ABUSE if flag == "abuse" else SURE_WITHOUT_CUE
    if flag not in CUES or probability >= sure:
        return True
    return bool(cue_words(text, flag))


def raised_by_words(text: str, raised: Iterable[str], probabilities: dict[str, float]) -> list[str]:
    """Flags the model did not raise that the comment's words raise: ``abuse`` for a listed
    insult the model gives at least :data:`ABUSE_FLOOR`."""
    if "abuse" in raised or probabilities.get("abuse", 0.0) < ABUSE_FLOOR:
        return []
    return ["abuse"] if cue_words(text, "abuse") else []


def escalating(text: str, raised: Iterable[str], probabilities: dict[str, float]) -> list[str]:
    """The flags that escalate: ``raised`` without the uncorroborated ones, plus the flags that
    the words raise (:func:`raised_by_words`)."""
    raised = list(raised)
    kept = [f for f in raised if corroborated(text, f, probabilities[f])]
    return kept + raised_by_words(text, raised, probabilities)
