"""Request and response schemas, named by role: ``*Request`` comes in, ``*Public`` goes out.

Requests are strict (``false`` is no id, ``"1"`` no rank) and their JSON schema says what the
server refuses: the limits that depend on the settings and the playbook (text length, list size,
channels) are filled in by :mod:`responder.api.docs`."""

from __future__ import annotations

import re
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    model_validator,
)

from responder.api.errors import ISO_EXAMPLE
from responder.labels import FLAGS, INTENTS, SENTIMENTS, TOPICS
from responder.triage.normalise import INVISIBLE, without_surrogates

_SPACE = "".join(f"\\u{c:04x}" for c in range(sys.maxunicode + 1) if chr(c).isspace())
VISIBLE = f"[^{_SPACE}{INVISIBLE.pattern[1:-1]}]"
"""A character that survives normalisation: text without one is empty (and refused)."""
NOT_BLANK = f"[^{_SPACE}]"
INITIALS = f"^[{_SPACE}]*[A-Za-zÀ-ÿ]{{0,5}}[{_SPACE}]*$"
"""What the signature accepts: up to five letters (spaces around them are dropped)."""
POSTED_YEARS = re.compile(r"20[0-9]{2}-")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    @model_validator(mode="before")
    @classmethod
    def _without_surrogates(cls, data: Any) -> Any:
        """Half a UTF-16 pair (JSON's ``"\\ud800"``) becomes U+FFFD in every field and name, so
        that it can be echoed, stored and written as UTF-8."""
        if not isinstance(data, dict):
            return data
        return {
            without_surrogates(k) if isinstance(k, str) else k: (
                without_surrogates(v) if isinstance(v, str) else v
            )
            for k, v in data.items()
        }


def _posted_at(value: object) -> object:
    """Only an ISO 8601 string in 2000–2099 (no Unix time: a number is more often a mistake)."""
    if value is None or (isinstance(value, str) and POSTED_YEARS.match(value)):
        return value
    raise ValueError(f"Geef het tijdstip als ISO 8601 in de jaren 2000–2099, {ISO_EXAMPLE}.")


def _initials(value: str | None) -> str | None:
    """Checked here, not only where a reply is signed: a comment that gets no reply must not
    let bad initials through."""
    if value is None or re.fullmatch(INITIALS, value):
        return value
    raise ValueError("Gebruik als initialen hoogstens vijf letters, zoals 'AB'.")


def _whole_number(value: object) -> object:
    """``15.0`` is the integer 15 (as in JSON Schema); ``true`` and ``false`` are no numbers."""
    if isinstance(value, bool):
        raise ValueError("true of false is hier geen geldige waarde.")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _label_id(value: object) -> object:
    value = _whole_number(value)
    if value is None or isinstance(value, str | int):
        return value
    raise ValueError("Het kenmerk (id) moet tekst of een geheel getal zijn.")


WholeNumber = BeforeValidator(_whole_number)
Comment = Annotated[
    str,
    Field(
        description="De reactie zoals geplaatst: minstens één zichtbaar teken, hoogstens het "
        "maximum van de server (zie /v1/playbook, max_text_chars).",
        json_schema_extra={"minLength": 1, "pattern": VISIBLE},
    ),
]
PostedAt = Annotated[
    Annotated[datetime, Strict(False)] | None,
    BeforeValidator(_posted_at),
    Field(
        None,
        description="Tijdstip van de reactie (ISO 8601, jaren 2000–2099); zonder tijdzone geldt "
        "die van het draaiboek.",
        json_schema_extra={"pattern": f"^{POSTED_YEARS.pattern}"},
    ),
]


class TriageRequest(_In):
    text: Comment = Field(examples=["Waar blijft mijn pakket?"])


if TYPE_CHECKING:
    Sentiment: TypeAlias = str
    Intent: TypeAlias = str
    Topic: TypeAlias = str
    FlagLabel: TypeAlias = str
else:  # the label scheme's labels as enums in the schema, one home for them (responder.labels)
    Sentiment, Intent, Topic, FlagLabel = (
        Literal[labels] for labels in (SENTIMENTS, INTENTS, TOPICS, FLAGS)
    )


class LabelsRequest(_In):
    """The agent's correction: the heads given replace the model's (``flags`` the whole set)."""

    sentiment: Sentiment | None = None
    intent: Intent | None = None
    topic: Topic | None = None
    flags: list[FlagLabel] | None = Field(
        None, max_length=7, description="Alle vlaggen die gelden (een lege lijst: geen)."
    )

    def given(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class SuggestRequest(_In):
    text: Comment
    channel: str | None = Field(
        None, min_length=1, description="Kanaal uit het draaiboek, bijv. x of facebook."
    )
    author_name: str | None = Field(
        None, max_length=100, description="Weergavenaam van de schrijver."
    )
    posted_at: PostedAt
    initials: Annotated[str | None, AfterValidator(_initials)] = Field(
        None,
        max_length=5,
        description="Initialen van de medewerker: hoogstens vijf letters.",
        json_schema_extra={"pattern": INITIALS},
    )
    private: bool = Field(False, description="De reactie kwam binnen als privébericht.")
    labels: LabelsRequest | None = Field(
        None,
        description="Correctie van de medewerker: plan en suggesties volgen deze labels.",
    )
    queue: bool = Field(False, description="Zet de reactie ook in de wachtrij van het team.")
    queue_id: Annotated[int | None, WholeNumber] = Field(
        None,
        ge=1,
        le=2**53 - 1,
        description="Een item dat al in de wachtrij staat: prioriteit, termijn en labels volgen "
        "deze (gecorrigeerde) suggestie; er komt geen tweede item bij.",
    )


class CheckRequest(_In):
    comment: Comment
    reply: str = Field(
        min_length=1, max_length=10_000, description="Het (aangepaste) antwoord om te controleren."
    )
    channel: str | None = Field(None, min_length=1)
    private: bool = False
    posted_at: PostedAt
    labels: LabelsRequest | None = None


class QueueRequest(_In):
    text: Comment
    channel: str | None = Field(None, min_length=1)
    posted_at: PostedAt
    author_name: str | None = Field(None, max_length=100)
    private: bool = False
    labels: LabelsRequest | None = None


class QueueUpdateRequest(_In):
    status: Literal["open", "answered", "escalated"]
    outcome: Literal["used", "edited", "rejected"] | None = None
    final_text: str | None = Field(
        None,
        max_length=10_000,
        description="Het antwoord zoals geplaatst; alleen bewaard als de server reactieteksten "
        "bewaart.",
    )


class CorrectionRequest(_In):
    request_id: str = Field(min_length=8, max_length=64)
    labels: LabelsRequest


class LabelItemRequest(_In):
    id: Annotated[str | int | None, BeforeValidator(_label_id)] = Field(
        None, description="Uw kenmerk; komt ongewijzigd terug."
    )
    text: str = Field(
        description="De reactie. Een lege of te lange geeft bij dit item een fout, niet bij het "
        "hele verzoek."
    )


class LabelRequest(_In):
    items: list[LabelItemRequest] = Field(
        min_length=1, description="Reacties om te labelen, in volgorde."
    )


def _required_for(action: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "if": {"properties": {"action": {"const": action}}, "required": ["action"]},
        "then": {"required": list(fields), "properties": fields},
    }


class FeedbackRequest(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                _required_for("used", {"rank": {"type": "integer"}}),
                _required_for(
                    "edited",
                    {
                        "rank": {"type": "integer"},
                        "final_text": {"type": "string", "pattern": NOT_BLANK},
                    },
                ),
            ]
        }
    )

    request_id: str = Field(min_length=8, max_length=64)
    action: Literal["used", "edited", "rejected"] = Field(
        description="used en edited vragen rank; edited ook final_text."
    )
    rank: Annotated[int | None, WholeNumber] = Field(
        None, ge=1, le=20, description="Welke suggestie (1 = bovenste)."
    )
    final_text: str | None = Field(
        None,
        max_length=10_000,
        description="De tekst zoals geplaatst; alleen bewaard als de server reactieteksten bewaart.",
    )


class _Out(BaseModel):
    # "register" is a domain word here; pydantic's BaseModel has a method of that name.
    model_config = ConfigDict(populate_by_name=True)


class ScoredPublic(BaseModel):
    label: str
    probability: float
    name: str | None = Field(
        None, description="De Nederlandse naam van het label, zoals de webpagina hem toont."
    )


class FlagPublic(ScoredPublic):
    evidence: list[str] = Field(
        default_factory=list,
        description=(
            "De woorden in de reactie die het signaal gaven: de signaalwoorden van het signaal in "
            "de volgorde van de tekst, of anders de woorden waarvan weglaten het signaal het meest "
            "verzwakt (sterkste eerst)."
        ),
    )


class TriagePublic(_Out):
    sentiment: ScoredPublic | None
    intent: ScoredPublic | None
    topic: ScoredPublic | None
    flags: list[FlagPublic]
    possible_flags: list[FlagPublic] = Field(
        default_factory=list,
        description=(
            "Signalen die het model zag zonder dat de reactie een woord noemt dat erop wijst: "
            "getoond, niet geëscaleerd. Een medewerker zet ze aan met labels.flags."
        ),
    )
    flag_probabilities: dict[str, float]
    language: dict[str, Any]
    register_: ScoredPublic = Field(alias="register")
    low_confidence: list[str]
    notes: list[str]
    model_labels: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "Wat het model zei bij de koppen die de medewerker corrigeerde; bij flags ook de "
            "mogelijke vlaggen (possible_flags)."
        ),
    )


class TeamPublic(BaseModel):
    id: str
    name: str
    reach: str


class StepPublic(BaseModel):
    do: str
    why: str


class EscalationTeamPublic(BaseModel):
    team: str
    name: str
    contact: str = Field(description="Hoe het team te bereiken is (uit het draaiboek).")
    role: str
    own_team: bool = Field(description="Het team dat normaal de reacties plaatst (webcare).")


class PlanPublic(_Out):
    situation: str
    title: str
    priority: str
    priority_name: str
    route: TeamPublic
    speaks: TeamPublic
    notify: list[TeamPublic]
    received_at: str
    deadline: str
    deadline_text: str = Field(
        description="De termijn in het Nederlands, ten opzichte van het ontvangstmoment: "
        "'vandaag 14.30 uur', 'morgen 8.00 uur' of 'maandag 2 december 8.00 uur'."
    )
    open_now: bool
    visibility: str
    visibility_name: str
    action: str
    action_name: str
    respond: bool
    tone: str
    channel: str
    register_: str = Field(alias="register")
    register_name: str = Field(description="De aanspreekvorm in het Nederlands, bijv. u-vorm.")
    steps: list[StepPublic]
    reasons: list[str]
    also: list[str]
    playbook_version: str
    language: str = Field(description="De taal van de reactie (ISO-code); antwoorden in die taal.")
    register_reason: str = Field(description="Waarom deze aanspreekvorm.")
    must_say: list[str] = Field(
        description="Wat elk antwoord in deze situatie moet zeggen (bijv. de gasinstructie)."
    )
    facts: list[str] = Field(
        description="Wat de klant al zei (hoe lang, hoe vaak, welk product): niet opnieuw vragen."
    )
    answer: str = Field(
        description="Het antwoord uit het draaiboek op een feitelijke vraag, of leeg."
    )
    posted_by: EscalationTeamPublic | None = Field(
        None, description="Wie de reactie plaatst en hoe dat team te bereiken is."
    )
    escalate_to: list[EscalationTeamPublic] = Field(
        default_factory=list, description="Andere teams om in te schakelen, met contact."
    )
    escalation_text: str = Field("", description="In één zin: wie plaatst, wie inschakelen.")


class GuardrailPublic(BaseModel):
    name: str
    passed: bool
    message: str


class SuggestionPublic(_Out):
    rank: int
    strategy: str
    strategy_name: str
    text: str
    register_: str = Field(alias="register")
    channel: str
    posted: str
    step: int
    step_text: str
    why: str
    tone: str
    explanation: str
    guardrails: list[GuardrailPublic]
    source: str
    template: str
    score: float
    ranking: list[str]
    language: str
    facts_used: list[str] = Field(description="Wat de klant al zei en dit antwoord erkent.")


class QueueSummaryPublic(BaseModel):
    sentiment: str | None
    intent: str | None
    topic: str | None
    flags: list[str]


class QueueItemPublic(BaseModel):
    id: int
    request_id: str
    status: str
    priority: str
    situation: str | None
    title: str | None
    deadline: str
    overdue: bool
    posted_at: str
    created_at: str
    handled_at: str | None
    channel: str | None
    summary: QueueSummaryPublic
    outcome: str | None
    text: str | None = Field(description="Alleen als de server reactieteksten bewaart.")
    preview: str | None


class QueuePublic(BaseModel):
    items: list[QueueItemPublic]


class SuggestPublic(BaseModel):
    request_id: str
    triage: TriagePublic
    plan: PlanPublic
    suggestions: list[SuggestionPublic]
    notes: list[str]
    corrected: list[str] = Field(
        default_factory=list, description="De koppen die de medewerker heeft gecorrigeerd."
    )
    queue_item: QueueItemPublic | None = None


class CheckFailurePublic(BaseModel):
    check: str
    message: str


class CheckResultPublic(CheckFailurePublic):
    passed: bool


class CheckPublic(_Out):
    passed: bool
    failures: list[CheckFailurePublic]
    checks: list[CheckResultPublic]
    length: int
    max_length: int
    register_: str = Field(alias="register")
    channel: str


class MonitorPublic(BaseModel):
    days: int
    from_: str = Field(alias="from")
    to: str
    total: int = Field(description="Reacties in de wachtrij van het team in deze periode.")
    status: dict[str, int]
    volume_per_hour: list[dict[str, Any]] = Field(
        description="Per uur (bij hoogstens 7 dagen): hour, negative, neutral, positive, "
        "unlabelled."
    )
    volume_per_day: list[dict[str, Any]]
    topics_per_day: list[dict[str, Any]]
    flags: dict[str, int]
    deadlines: dict[str, dict[str, Any]] = Field(
        description="Per prioriteit: comments, due, in_time, share_in_time, open_overdue, "
        "median_minutes_to_answer."
    )
    median_minutes_to_answer: float | None
    corrections: dict[str, Any] = Field(
        description="total, per_head {count, share_of_comments} en changes [{head, from, to, "
        "count}], de vaakste eerst."
    )


class CorrectionPublic(BaseModel):
    id: int
    request_id: str
    corrected: list[str] = Field(description="De koppen die verschillen van het model.")


class TriageResultPublic(BaseModel):
    request_id: str
    triage: TriagePublic


class LabelItemPublic(BaseModel):
    index: int
    id: str | int | None
    triage: TriagePublic | None
    error: str | None


class LabelPublic(BaseModel):
    request_id: str
    items: list[LabelItemPublic]
    labelled: int
    errors: int


class FeedbackPublic(BaseModel):
    id: int
    request_id: str
    action: str


class ChannelPublic(BaseModel):
    id: str
    name: str
    max_chars: int


class SituationPublic(BaseModel):
    id: str
    title: str
    priority: str
    route: str
    visibility: str
    action: str


class PlaybookPublic(BaseModel):
    name: str
    version: str
    brand: str
    default_channel: str
    default_register: str
    timezone: str
    max_text_chars: int
    channels: list[ChannelPublic]
    situations: list[SituationPublic]
    teams: list[TeamPublic]
    names: dict[str, Any] = Field(
        description="De Nederlandse namen die clients tonen: labels per kop (labels), koppen "
        "(heads), visibility, visibility_tags, actions, posted, feedback, sources, months en "
        "weekdays (responder.names.display_names)."
    )


class HealthPublic(BaseModel):
    status: str


class ReadyPublic(BaseModel):
    status: str
    model: str | None
    playbook_version: str | None
    auth_required: bool


class ErrorDetailPublic(BaseModel):
    field: str | None = None
    message: str


class ErrorBodyPublic(BaseModel):
    code: str
    message: str
    details: list[ErrorDetailPublic] = []


class ErrorPublic(BaseModel):
    """The one shape of every error response."""

    error: ErrorBodyPublic
