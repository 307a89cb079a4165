"""Metrics checked against hand-computed values."""

from pathlib import Path

import numpy as np
import pytest

from responder.model.evaluation import majority_predictions, multi_label_report, single_label_report
from responder.model.trainer import best_threshold


def test_single_label_report_matches_hand_computation() -> None:
    truth = ["a", "a", "b", "b", "c"]
    pred = ["a", "b", "b", "b", "a"]
    r = single_label_report(truth, pred, ["a", "b", "c"])
    assert r["confusion"] == [[1, 1, 0], [0, 2, 0], [1, 0, 0]]
    assert r["per_class"]["a"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert r["per_class"]["b"]["precision"] == pytest.approx(0.6667, abs=1e-4)
    assert r["per_class"]["b"]["recall"] == 1.0
    assert r["per_class"]["c"]["f1"] == 0.0
    assert r["accuracy"] == 0.6
    assert r["macro_f1"] == pytest.approx((0.5 + 0.8 + 0.0) / 3, abs=1e-3)


def test_multi_label_report() -> None:
    truth = [["x"], ["x", "y"], [], ["y"]]
    pred = [["x"], ["y"], ["x"], []]
    r = multi_label_report(truth, pred, ["x", "y", "z"])
    assert r["confusion"]["x"] == [[1, 1], [1, 1]]
    assert r["per_class"]["y"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2}
    assert r["per_class"]["z"]["support"] == 0
    assert r["exact_match"] == 0.25
    assert r["micro_f1"] == pytest.approx(0.5714, abs=1e-4)


def test_majority_baseline_uses_train_counts() -> None:
    rows = [{"sentiment": "negative", "intent": "question", "topic": "billing", "flags": []}] * 3
    rows += [{"sentiment": "positive", "intent": "praise", "topic": "general", "flags": ["abuse"]}]
    out = majority_predictions(rows, 2)
    assert out["sentiment"] == ["negative", "negative"] and out["flags"] == [[], []]


def test_best_threshold_picks_the_f1_optimum() -> None:
    import numpy as np

    probs = np.array([0.9, 0.8, 0.42, 0.3, 0.2, 0.1], dtype=np.float32)
    truth = np.array([1, 1, 1, 0, 0, 0], dtype=np.float32)
    # 0.35 and 0.40 both give F1 = 1; ties go to the lower threshold (recall first).
    assert best_threshold(probs, truth)[0] == pytest.approx(0.35)
    assert best_threshold(probs, np.zeros(6, dtype=np.float32))[0] == 0.5


def test_thresholds_respect_the_false_alarm_rate_on_ordinary_text() -> None:
    probs = np.array([0.95, 0.6, 0.4, 0.3], dtype=np.float32)
    truth = np.array([1, 1, 0, 0], dtype=np.float32)
    ordinary = np.linspace(0.0, 0.7, 100).astype(np.float32)  # ordinary text scores up to 0.7
    free = best_threshold(probs, truth)
    capped, f1, far = best_threshold(probs, truth, ordinary, max_false_alarm=0.02)
    assert free[0] <= 0.6 and capped >= 0.7  # the dev-best threshold flags 14 % of ordinary
    assert far is not None and far <= 0.02 and f1 == pytest.approx(2 / 3)
    impossible = best_threshold(probs, truth, np.full(10, 0.999, np.float32), 0.0)
    assert impossible[0] == 0.99  # nothing meets the cap: the strictest threshold


def test_a_larger_beta_picks_a_threshold_with_more_recall() -> None:
    probs = np.array([0.92, 0.81, 0.27, 0.52, 0.47, 0.42, 0.17], dtype=np.float32)
    truth = np.array([1, 1, 1, 0, 0, 0, 0], dtype=np.float32)
    precise = best_threshold(probs, truth)[0]
    recalling = best_threshold(probs, truth, beta=3.0)[0]
    assert recalling < precise and (probs[truth == 1] >= recalling).all()


def test_abuse_has_its_own_false_alarm_cap() -> None:
    from responder.model.training_args import TrainingArgs

    args = TrainingArgs()
    assert args.cap_for("abuse") == 0.01
    assert args.cap_for("legal_threat") == args.max_false_alarm == 0.005
    assert TrainingArgs(flag_max_false_alarm={}).cap_for("abuse") == 0.005


def test_calibration_applies_a_cap_per_flag(tiny_model: Path) -> None:
    """With a cap of 0 for one flag and no cap for the others, only that flag's threshold is
    pushed to where ordinary text no longer raises it."""
    from responder.model.modeling import load_model
    from responder.model.trainer import calibrate

    model = load_model(tiny_model, precision="none")
    flags = model.config.flags
    dev = [
        {
            "text": "Ik stap naar de rechter",
            "sentiment": "negative",
            "intent": "complaint",
            "topic": "billing",
            "flags": ["legal_threat"],
        },
        {
            "text": "Fijne dag nog",
            "sentiment": "positive",
            "intent": "praise",
            "topic": "general",
            "flags": [],
        },
    ]
    ordinary = [f"Gewone zin nummer {i} over het weer en de trein." for i in range(40)]
    strict = flags[0]
    caps = {f: (0.0 if f == strict else 1.0) for f in flags}
    chosen = calibrate(model, dev, ordinary, caps)
    assert chosen[strict]["false_alarm"] == 0.0 or chosen[strict]["threshold"] == 0.99
    loose = calibrate(model, dev, ordinary, 1.0)
    assert chosen[strict]["threshold"] >= loose[strict]["threshold"]
