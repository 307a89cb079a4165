"""The real-text figures computed from known scores: recall on flagged comments and the share of
unflagged comments that still get a P1 flag (false escalations in the team's own traffic)."""

from __future__ import annotations

import pytest

from responder.errors import DataError
from responder.labels import FLAGS
from responder.model.real_text import false_alarms, flag_recall
from responder.protocols import HeadScores


def _scores(raised: list[str]) -> HeadScores:
    return HeadScores(
        single={}, flags={f: (0.9 if f in raised else 0.1) for f in FLAGS}, thresholds={}
    )


def test_unflagged_comments_with_a_p1_flag_are_counted() -> None:
    rows = [
        {"flags": []},
        {"flags": []},
        {"flags": []},
        {"flags": []},
        {"flags": ["legal_threat"]},
        {"flags": ["abuse"]},
    ]
    scores = [
        _scores(["privacy_incident"]),  # a false escalation
        _scores(["churn_threat"]),  # not a P1 flag: not counted
        _scores([]),
        _scores([]),
        _scores(["legal_threat"]),
        _scores([]),  # a missed abuse flag
    ]
    out = flag_recall(rows, scores)
    assert out["unflagged_with_p1"] == {"n": 4, "share": 0.25}
    assert out["p1_or_abuse"] == {"n": 2, "recall": 0.5}
    assert out["legal_threat"] == {"n": 1, "recall": 1.0}
    assert out["abuse"] == {"n": 1, "recall": 0.0}


def test_false_alarms_count_only_p1_flags() -> None:
    scores = [_scores(["abuse"]), _scores(["safety", "abuse"]), _scores([]), _scores([])]
    out = false_alarms(scores)
    assert out["texts"] == 4
    assert out["any_p1"] == 0.25
    assert out["per_flag"]["abuse"] == 0.5


def test_cohen_kappa_matches_a_hand_computed_value() -> None:
    from responder.model.real_text import cohen_kappa

    first = [True, True, False, False, False, False, True, False, False, False]
    second = [True, False, False, False, False, False, True, True, False, False]
    # observed 0.8; expected 0.3 * 0.3 + 0.7 * 0.7 = 0.58; κ = 0.22 / 0.42
    assert cohen_kappa(first, second) == pytest.approx(0.22 / 0.42)
    assert cohen_kappa(first, first) == pytest.approx(1.0)
    with pytest.raises(DataError):
        cohen_kappa(first, second[:3])


def test_abuse_is_also_scored_against_the_second_annotator() -> None:
    from responder.model.real_text import second_annotator

    rows = [
        {"abuse": True, "abuse_second": True},
        {"abuse": True, "abuse_second": False},  # the annotators disagree
        {"abuse": False, "abuse_second": False},
        {"abuse": False, "abuse_second": False},
    ]
    scores = [_scores(["abuse"]), _scores([]), _scores([]), _scores([])]
    out = second_annotator(rows, scores, ["a", "b", "c", "d"])
    # against the second annotator every answer is right; on the agreed rows too
    assert out["second"] == pytest.approx(1.0)
    assert out["agreed_n"] == 3
    assert out["agreed"] == pytest.approx(1.0)
    assert 0 < out["kappa"] < 1


def test_the_hard_negatives_are_ordinary_comments_with_risky_words() -> None:
    from pathlib import Path

    from responder.model.real_text import read_jsonl

    rows = read_jsonl(Path(__file__).parent / "cases" / "hard-negatives.jsonl")
    assert len(rows) >= 100
    assert len({r["id"] for r in rows}) == len(rows) == len({r["text"] for r in rows})
    assert {r["kind"] for r in rows} == set(range(1, 9))
    assert all(r["text"].strip() and r["why_ordinary"] for r in rows)
