"""The label scheme: the contract between data, model, playbook and API."""

from typing import Final

SENTIMENTS: Final = ("negative", "neutral", "positive")
INTENTS: Final = ("complaint", "question", "praise", "suggestion", "other")
TOPICS: Final = (
    "delivery",
    "product",
    "service",
    "billing",
    "outage",
    "account_privacy",
    "policy",
    "general",
)
FLAGS: Final = (
    "legal_threat",
    "media_threat",
    "churn_threat",
    "safety",
    "abuse",
    "privacy_incident",
    "discrimination",
)
REGISTERS: Final = ("u", "je", "unknown")

SINGLE_LABEL_HEADS: Final[dict[str, tuple[str, ...]]] = {
    "sentiment": SENTIMENTS,
    "intent": INTENTS,
    "topic": TOPICS,
}
"""Heads with exactly one label per comment (softmax)."""

HEADS: Final = ("sentiment", "intent", "topic", "flags")
