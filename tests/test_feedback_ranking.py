"""The team's feedback nudges the ranking per template: counted in one query, bounded, never
promoting a reply that fails a guardrail, off with a setting, and reset with a command."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from datetime import datetime
from importlib import resources
from pathlib import Path

import pytest
from advice_helpers import triage_for
from click.testing import CliRunner
from conftest import FakeClassifier

from responder.advice.feedback import MAX_ADJUSTMENT, TemplateFeedback
from responder.advice.plan import CommentContext, plan
from responder.advice.playbook import DEFAULT_PLAYBOOK, Playbook, load_playbook, parse_playbook
from responder.advice.suggest import Suggestions, suggest
from responder.assistant import Assistant
from responder.cli.app import cli
from responder.config import Settings
from responder.storage import Storage
from responder.triage.service import TriageService

PB = load_playbook()
TEXT = "Kunt u mij vertellen waar mijn pakket blijft? Ik wacht al een week."
CONTEXT = CommentContext("facebook", datetime(2026, 11, 25, 10, 0), agent_initials="AB")
FIRST, SECOND, THIRD = "bezorgklacht#1/v1/text", "bezorgklacht#2/text", "bezorgklacht#3/text"


def ranked(
    feedback: Mapping[str, TemplateFeedback] | None = None, playbook: Playbook = PB
) -> Suggestions:
    t = triage_for(TEXT, topic="delivery")
    return suggest(t, TEXT, CONTEXT, playbook, plan(t, TEXT, CONTEXT, playbook), feedback=feedback)


def templates(result: Suggestions) -> list[str]:
    return [s.template for s in result.items]


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    db = Storage(f"sqlite:///{tmp_path / 'feedback.db'}")
    yield db
    db.close()


# --- the formula --------------------------------------------------------------------------------


def test_the_playbook_order_without_feedback() -> None:
    # The first three strategies; the bank's later strategies follow them.
    assert templates(ranked())[:3] == [FIRST, SECOND, THIRD]
    assert templates(ranked({})) == templates(ranked(None))


def test_one_or_two_votes_move_nothing() -> None:
    for votes in (
        TemplateFeedback(used=1),
        TemplateFeedback(rejected=2),
        TemplateFeedback(1, 1, 1),
    ):
        assert votes.adjustment() == 0.0 and votes.explanation() is None
        assert ranked({SECOND: votes, FIRST: votes}) == ranked()


def test_the_adjustment_is_bounded_and_smoothed() -> None:
    assert TemplateFeedback(used=3).adjustment() == pytest.approx(0.15 * 3 / 8, abs=1e-4)
    assert TemplateFeedback(used=8, rejected=1).adjustment() == pytest.approx(
        0.15 * 7 / 14, abs=1e-4
    )
    assert TemplateFeedback(used=4, edited=4).adjustment() == pytest.approx(0.15 * 6 / 13, abs=1e-4)
    for votes in (TemplateFeedback(used=10**6), TemplateFeedback(rejected=10**6)):
        assert 0.1 < abs(votes.adjustment()) <= MAX_ADJUSTMENT


def test_many_rejections_drop_a_template_below_the_next_strategy() -> None:
    result = ranked({FIRST: TemplateFeedback(used=1, rejected=20)})
    assert templates(result)[:3] == [SECOND, FIRST, THIRD]
    dropped = result.items[1]
    assert dropped.score == pytest.approx(1.0 - 0.15 * 19 / 26, abs=1e-4)
    assert (
        dropped.ranking[-1]
        == "Lager: vaak afgewezen door het team (1 keer gebruikt, 20 keer afgewezen)."
    )


def test_many_uses_lift_a_template_one_place_not_two() -> None:
    result = ranked({SECOND: TemplateFeedback(used=20), THIRD: TemplateFeedback(used=10**6)})
    # The third strategy is 0.2 below the first: no amount of feedback makes up two places.
    assert templates(result)[:3] == [SECOND, FIRST, THIRD]
    lifted = result.items[0]
    assert lifted.ranking == ["Hoger: vaak gebruikt door het team (20 keer gebruikt)."]
    assert result.items[2].score < result.items[1].score


def test_ties_are_broken_by_template_id_and_the_same_state_ranks_the_same() -> None:
    # 0.1 exactly: the second strategy's score equals the first's.
    votes = {SECOND: TemplateFeedback(used=10, rejected=0, edited=0)}
    assert TemplateFeedback(used=10).adjustment() == pytest.approx(0.1)
    result = ranked(votes)
    assert result.items[0].score == result.items[1].score == 1.0
    assert templates(result)[:2] == sorted([FIRST, SECOND])
    assert ranked(votes) == result


def test_a_reply_failing_a_guardrail_is_never_promoted() -> None:
    text = (resources.files("responder") / "playbooks" / DEFAULT_PLAYBOOK).read_text("utf-8")
    phone = "Bel ons op 020-1234567 of kijk op {link}."
    for informs in (
        "Op {link} leest u hoe u uw zending kunt volgen.",
        "Op {link} leest u hoe u uw zending volgt.",
    ):
        text = text.replace(informs, phone)
    pb = parse_playbook(text)
    loved = {t: TemplateFeedback(used=10**6) for t in (THIRD, "bezorgklacht#3/short")}
    hated = {FIRST: TemplateFeedback(rejected=10**6), SECOND: TemplateFeedback(rejected=10**6)}
    result = ranked({**loved, **hated}, pb)
    assert not any(s.template.startswith("bezorgklacht#3/") for s in result.items)
    assert all(s.template == "bezorgklacht#7/text" for s in result.items if s.strategy == "inform")
    assert any(n.startswith(f"Antwoord {THIRD} overgeslagen") for n in result.notes)


# --- storage, assistant, setting ----------------------------------------------------------------


def test_storage_counts_feedback_per_template(storage: Storage) -> None:
    for action in ("used", "used", "edited", "rejected"):
        storage.add_feedback("r1", None, action, 1, "s", "a#1/text", None, None)
    storage.add_feedback("r2", None, "rejected", 2, "s", "b#2/short", None, None)
    storage.add_feedback("r3", None, "rejected", None, None, None, None, None)  # no template
    assert storage.template_feedback() == {
        "a#1/text": {"used": 2, "edited": 1, "rejected": 1},
        "b#2/short": {"used": 0, "edited": 0, "rejected": 1},
    }
    assert storage.exclude_feedback("a#1/text") == 4
    assert storage.template_feedback() == {"b#2/short": {"used": 0, "edited": 0, "rejected": 1}}
    assert storage.exclude_feedback() == 1 and storage.template_feedback() == {}
    assert len(storage.feedback()) == 6  # kept for the audit trail
    storage.add_feedback("r4", None, "used", 1, "s", "a#1/text", None, None)
    assert storage.template_feedback() == {"a#1/text": {"used": 1, "edited": 0, "rejected": 0}}


def test_an_older_database_gets_the_new_column(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:
        old.execute(
            "CREATE TABLE feedback (id INTEGER PRIMARY KEY, request_id TEXT NOT NULL, at TEXT "
            "NOT NULL, key_id INTEGER, rank INTEGER, strategy TEXT, template TEXT, action TEXT "
            "NOT NULL, final_text TEXT, comment TEXT)"
        )
        old.execute(
            "INSERT INTO feedback (request_id, at, template, action) VALUES ('r', 'x', 't', 'used')"
        )
    old.close()
    db = Storage(f"sqlite:///{path}")
    assert db.template_feedback() == {"t": {"used": 1, "edited": 0, "rejected": 0}}
    db.close()


def make(storage: Storage | None, feedback_ranking: bool = True) -> Assistant:
    service = TriageService(FakeClassifier(), Settings())
    return Assistant(service, PB, storage, feedback_ranking=feedback_ranking)


def test_the_assistant_ranks_with_recorded_feedback_and_off_restores_the_order(
    storage: Storage,
) -> None:
    text = "Mijn pakket is niet geleverd, waar blijft het?"
    assistant = make(storage)
    first = assistant.advise(text, CONTEXT)
    order = [s.template for s in first.suggestions.items]
    assistant.record_feedback(first.request_id, "rejected", rank=1)
    for _ in range(19):  # one outcome per comment: twenty votes take twenty comments
        advice = assistant.advise(text, CONTEXT)
        rank = next(s.rank for s in advice.suggestions.items if s.template == order[0])
        assistant.record_feedback(advice.request_id, "rejected", rank=rank)
    # Recording feedback refreshes the counts at once; the top template drops one place.
    again = [s.template for s in assistant.advise(text, CONTEXT).suggestions.items]
    assert again == [order[1], order[0], *order[2:]]
    off = make(storage, feedback_ranking=False)
    assert [s.template for s in off.advise(text, CONTEXT).suggestions.items] == order
    assert make(None).template_feedback() is None
    # An app given a ready assistant: its settings can switch the ranking off.
    assert (
        make(storage).with_storage(storage, False, feedback_ranking=False).template_feedback()
        is None
    )


def test_the_counts_are_cached_between_suggestions(storage: Storage) -> None:
    assistant = make(storage)
    assert assistant.template_feedback() == {}
    storage.add_feedback("r", None, "used", 1, "s", FIRST, None, None)  # another process
    assert assistant.template_feedback() == {}  # read again within 30 seconds at most
    assistant._feedback = None
    assert assistant.template_feedback() == {FIRST: TemplateFeedback(used=1)}


def test_the_setting_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().feedback_ranking is True
    monkeypatch.setenv("RESPONDER_FEEDBACK_RANKING", "false")
    assert Settings().feedback_ranking is False


# --- the reset command --------------------------------------------------------------------------


def test_feedback_reset_asks_and_excludes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("RESPONDER_DATABASE_URL", url)
    db = Storage(url)
    for template in (FIRST, FIRST, SECOND):
        db.add_feedback("r", None, "rejected", 1, "s", template, None, None)

    refused = CliRunner().invoke(cli, ["feedback", "reset"], input="n\n")
    assert refused.exit_code != 0 and len(db.template_feedback()) == 2

    one = CliRunner().invoke(cli, ["feedback", "reset", "--template", FIRST, "--yes"])
    assert one.exit_code == 0, one.output
    assert f"2 feedbackregels van sjabloon {FIRST}" in one.stderr
    assert set(db.template_feedback()) == {SECOND}

    done = CliRunner().invoke(cli, ["feedback", "reset"], input="y\n")
    assert done.exit_code == 0 and db.template_feedback() == {}
    assert len(db.feedback()) == 3
    db.close()
