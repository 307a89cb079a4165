"""Table-driven: team-written Dutch comments (tests/cases/advice.yaml) through plan and suggest."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from advice_helpers import triage_for

from responder.advice.guardrails import passed
from responder.advice.plan import CommentContext, plan
from responder.advice.playbook import Playbook, load_playbook
from responder.advice.suggest import suggest

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "advice.yaml").read_text("utf-8"))


@pytest.fixture(scope="module")
def playbook() -> Playbook:
    return load_playbook()


def test_there_are_many_cases() -> None:
    assert len(CASES) >= 50
    situations = {c["expect"]["situation"] for c in CASES}
    assert len(situations) >= 18, "cover (nearly) every situation of the default playbook"


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{i:02d}-{c['expect']['situation']}" for i, c in enumerate(CASES)]
)
def test_case(case: dict[str, Any], playbook: Playbook) -> None:
    text, expect = case["text"], case["expect"]
    triage = triage_for(
        text,
        case.get("sentiment", "neutral"),
        case.get("intent", "other"),
        case.get("topic", "general"),
        case.get("flags", []),
    )
    when = datetime.fromisoformat(case.get("time", "2026-11-25T10:00"))
    context = CommentContext(channel=case.get("channel"), received_at=when, agent_initials="AB")
    p = plan(triage, text, context, playbook)
    assert p.situation == expect["situation"]
    assert p.priority == expect["priority"]
    assert p.register == expect["register"], p.register
    if "route" in expect:
        assert p.route.id == expect["route"]
    if "deadline" in expect:
        assert p.deadline.strftime("%Y-%m-%dT%H:%M") == expect["deadline"]
    result = suggest(triage, text, context, playbook, p)
    if not p.respond:
        assert result.items == [] and result.notes
        return
    assert len(result.items) >= 3
    assert len({s.strategy for s in result.items}) == len(result.items)
    limit = playbook.organisation.channels[p.channel].max_chars
    for s in result.items:
        assert passed(s.guardrails), s
        assert len(s.text) <= limit
        assert s.text.endswith("^AB")
    if "subject" in expect:
        assert any(expect["subject"] in s.text for s in result.items), [
            s.text for s in result.items
        ]
    for word in expect.get("never", []):
        pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)
        assert not any(pattern.search(s.text) for s in result.items), word
    for words in expect.get("says", []):  # what every reply must say (must_say)
        assert all(words.lower() in s.text.lower() for s in result.items), (words, result.items)
    first = result.items[0]
    if "first_strategy" in expect:
        assert first.strategy == expect["first_strategy"], first
    for words in expect.get("first_says", []):  # the best reply answers or acknowledges this
        assert words.lower() in first.text.lower(), (words, first.text)
