"""Request and response schemas, named by role: ``*Request`` comes in, ``*Public`` goes out."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TriageRequest(_In):
    text: str = Field(
        description="De reactie zoals geplaatst.", examples=["Waar blijft mijn pakket?"]
    )


class SuggestRequest(_In):
    text: str = Field(description="De reactie zoals geplaatst.")
    channel: str | None = Field(None, description="Kanaal uit het draaiboek, bijv. x of facebook.")
    author_name: str | None = Field(
        None, max_length=100, description="Weergavenaam van de schrijver."
    )
    posted_at: datetime | None = Field(None, description="Tijdstip van de reactie (ISO 8601).")
    initials: str | None = Field(None, max_length=5, description="Initialen van de medewerker.")
    private: bool = Field(False, description="De reactie kwam binnen als privébericht.")


class LabelItemRequest(_In):
    id: str | int | None = None
    text: str


class LabelRequest(_In):
    items: list[LabelItemRequest] = Field(description="Reacties om te labelen, in volgorde.")


class FeedbackRequest(_In):
    request_id: str = Field(min_length=8, max_length=64)
    action: Literal["used", "edited", "rejected"]
    rank: int | None = Field(None, ge=1, le=20, description="Welke suggestie (1 = bovenste).")
    final_text: str | None = Field(None, max_length=10_000, description="De tekst zoals geplaatst.")


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
        description="De woorden in de reactie die het signaal gaven (sterkste eerst).",
    )


class TriagePublic(_Out):
    sentiment: ScoredPublic | None
    intent: ScoredPublic | None
    topic: ScoredPublic | None
    flags: list[FlagPublic]
    flag_probabilities: dict[str, float]
    language: dict[str, Any]
    register_: ScoredPublic = Field(alias="register")
    low_confidence: list[str]
    notes: list[str]


class TeamPublic(BaseModel):
    id: str
    name: str
    reach: str


class StepPublic(BaseModel):
    do: str
    why: str


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


class SuggestPublic(BaseModel):
    request_id: str
    triage: TriagePublic
    plan: PlanPublic
    suggestions: list[SuggestionPublic]
    notes: list[str]


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
