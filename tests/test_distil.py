"""The distilled student: fewer layers, the teacher's heads, layers chosen by measured change."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import make_rows

from responder.errors import InputError
from responder.model.distil import DistilArgs, choose_layers, distil, keep_layers
from responder.model.modeling import TriageModel, encoder_layers

TEXTS = [str(r["text"]) for r in make_rows(48)]


def _logits(model: TriageModel) -> np.ndarray:
    out = model.logits(TEXTS[:16])
    return np.concatenate([out[h] for h in sorted(out)], axis=1)


def test_keeping_every_layer_changes_nothing(tiny_model: Path) -> None:
    teacher = TriageModel.from_pretrained(tiny_model, precision="none")
    same = keep_layers(teacher, range(len(encoder_layers(teacher))))
    np.testing.assert_allclose(_logits(same), _logits(teacher), atol=1e-6)
    fewer = keep_layers(teacher, [0])
    assert len(encoder_layers(fewer)) == 1 and len(encoder_layers(teacher)) == 2


def test_the_layer_that_changes_the_outputs_least_is_dropped(tiny_model: Path) -> None:
    teacher = TriageModel.from_pretrained(tiny_model, precision="none")
    reference = _logits(teacher)
    # change[k]: how far the outputs move when only layer k is kept
    change = [float(np.mean((_logits(keep_layers(teacher, [k])) - reference) ** 2)) for k in (0, 1)]
    kept = choose_layers(teacher, TEXTS[:16], 1, lambda _m: None)
    assert kept == [int(np.argmin(change))]
    with pytest.raises(InputError):
        choose_layers(teacher, TEXTS[:16], 3, lambda _m: None)


def test_student_learns_the_teacher_and_keeps_its_heads(tiny_model: Path, tmp_path: Path) -> None:
    teacher = TriageModel.from_pretrained(tiny_model, precision="none")
    student, log = distil(teacher, TEXTS, TEXTS[:16], DistilArgs(layers=1, epochs=4, batch_size=8))
    assert log.epochs[-1]["loss"] < log.epochs[0]["loss"]
    for name, value in teacher.heads.state_dict().items():
        assert torch.equal(value, student.heads.state_dict()[name])
    student.save_pretrained(tmp_path / "student")
    loaded = TriageModel.from_pretrained(tmp_path / "student", precision="none")
    assert len(encoder_layers(loaded)) == 1
    np.testing.assert_allclose(_logits(loaded), _logits(student), atol=1e-5)
