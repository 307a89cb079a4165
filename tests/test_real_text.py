"""The real-text figures computed from known scores: recall on flagged comments and the share of
unflagged comments that still get a P1 flag (false escalations in the team's own traffic)."""

from __future__ import annotations

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
