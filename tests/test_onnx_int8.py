"""The smoothed int8 encoder for ONNX Runtime: smoothing is exact in float; int8 agrees."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import torch
from optimised import SAMPLE

from responder.model.modeling import TriageModel
from responder.model.onnx_int8 import ScaledInput, encoder_linears, input_ranges, smooth
from responder.model.precision import ONNX_NAME


def test_smoothing_changes_nothing_in_float(tiny_model: Path) -> None:
    """Dividing each Linear input channel by s and multiplying the weight column by s is the
    same function; only the ranges int8 sees change."""
    model = TriageModel.from_pretrained(tiny_model, precision="none")
    linears = encoder_linears(model)
    ranges = input_ranges(model, SAMPLE)
    assert set(ranges) == set(linears) and len(linears) >= 6
    first = next(iter(linears))
    assert ranges[first].shape == (linears[first].in_features,) and (ranges[first] > 0).all()
    batch = model.encode(SAMPLE)
    with torch.inference_mode():
        before = model.features(batch["input_ids"], batch["attention_mask"])
    smoothed = copy.deepcopy(model)
    assert smooth(smoothed, ranges) == len(linears)
    assert all(isinstance(smoothed.encoder.get_submodule(n), ScaledInput) for n in linears)
    with torch.inference_mode():
        after = smoothed.features(batch["input_ids"], batch["attention_mask"])
    torch.testing.assert_close(after, before, atol=1e-4, rtol=1e-4)
    # The largest input channel of the first layer is now smaller relative to the others.
    inside = input_ranges(smoothed, SAMPLE)[f"{first}.linear"]
    assert float(inside.max() / inside.median()) < float(
        ranges[first].max() / ranges[first].median()
    )


def test_onnx_int8_agrees_with_float_on_a_fixed_sample(
    tiny_model: Path, auto_optimised: Path
) -> None:
    dest = auto_optimised
    info = json.loads((dest / "optimisation.json").read_text())["onnx_int8"]
    assert info["file"] == ONNX_NAME and info["smoothed_layers"] >= 6
    assert len(info["float_layers"]) == 1 and info["float_matmuls"] == 1  # found in the graph
    assert (dest / ONNX_NAME).stat().st_size == info["bytes"]
    full, fast = TriageModel.from_pretrained(tiny_model), TriageModel.from_pretrained(dest)
    assert fast.precision == "onnx-int8" and fast.onnx is not None
    p, q = full.predict_proba(SAMPLE), fast.predict_proba(SAMPLE)
    for head in ("sentiment", "intent", "topic"):
        assert q[head].shape == p[head].shape and q[head].dtype == np.float32
        assert (p[head].argmax(1) == q[head].argmax(1)).mean() >= 0.9, head
        assert np.abs(p[head] - q[head]).max() < 0.2
    assert ((p["flags"] > 0.5) == (q["flags"] > 0.5)).mean() >= 0.9
    # The same folder still loads in torch arithmetic when asked.
    assert TriageModel.from_pretrained(dest, precision="bf16").precision == "bf16"
