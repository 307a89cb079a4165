"""The team's queue: comments pasted on the page or sent by the extension, with their status
(open, answered, escalated), priority and deadline from the plan, kept per API key (one team)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from responder.assistant import Advice
from responder.storage import stamp
from responder.triage.normalise import without_surrogates

PREVIEW_CHARS = 120
"""How much of a comment the queue shows (when comment text is kept)."""


def queue_row(advice: Advice, text: str, keep_text: bool) -> dict[str, Any]:
    """What the queue keeps of an advised comment: labels, priority and deadline; the text only
    when the server keeps comment text (``audit_text``)."""
    t, p = advice.triage, advice.plan
    return {
        "key_id": None,
        "request_id": advice.request_id,
        "priority": p.priority,
        "situation": p.situation,
        "title": p.title,
        "deadline": p.deadline.isoformat(),
        "deadline_utc": stamp(p.deadline),
        "posted_at": p.received_at.isoformat(),
        "posted_utc": stamp(p.received_at),
        "channel": p.channel,
        "sentiment": t.sentiment.label if t.sentiment else None,
        "intent": t.intent.label if t.intent else None,
        "topic": t.topic.label if t.topic else None,
        "flags": [f.label for f in t.flags],
        "text": without_surrogates(text) if keep_text else None,
    }


def item_public(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A queue row as the API returns it; ``overdue`` when still open past its deadline."""
    import json

    flags = row["flags"] if isinstance(row["flags"], list) else json.loads(row["flags"] or "[]")
    text = row["text"]
    preview = None
    if text:
        flat = " ".join(text.split())
        preview = flat if len(flat) <= PREVIEW_CHARS else flat[: PREVIEW_CHARS - 1] + "…"
    deadline = datetime.fromisoformat(row["deadline"])
    return {
        "id": row["id"],
        "request_id": row["request_id"],
        "status": row["status"],
        "priority": row["priority"],
        "situation": row["situation"],
        "title": row["title"],
        "deadline": row["deadline"],
        "overdue": row["status"] == "open" and deadline < now.astimezone(UTC),
        "posted_at": row["posted_at"],
        "created_at": row["created_at"],
        "handled_at": row["handled_at"],
        "channel": row["channel"],
        "summary": {
            "sentiment": row["sentiment"],
            "intent": row["intent"],
            "topic": row["topic"],
            "flags": flags,
        },
        "outcome": row["outcome"],
        "text": text,
        "preview": preview,
    }
