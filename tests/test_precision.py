"""The arithmetic chosen at load: bf16 and int8 agree with float32; one `auto` decision."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from optimised import SAMPLE, WORDS

from responder.errors import InputError, ModelLoadError
from responder.model.modeling import TriageModel
from responder.model.optimise import optimise_model
from responder.model.precision import ONNX_NAME, cpu_has_native_bf16, resolve_precision


def test_int8_agrees_with_float_on_a_fixed_sample(tiny_model: Path, tmp_path: Path) -> None:
    dest = tmp_path / "triage-int8"
    optimise_model(tiny_model, dest, WORDS, SAMPLE[:40], precision="int8")
    full, fast = TriageModel.from_pretrained(tiny_model), TriageModel.from_pretrained(dest)
    assert json.loads((dest / "triage_config.json").read_text())["quantization"] == "int8"
    assert fast.precision == "int8"
    p, q = full.predict_proba(SAMPLE), fast.predict_proba(SAMPLE)
    for head in ("sentiment", "intent", "topic"):
        agree = (p[head].argmax(1) == q[head].argmax(1)).mean()
        assert agree >= 0.9, (head, agree)
        assert np.abs(p[head] - q[head]).max() < 0.2
    assert ((p["flags"] > 0.5) == (q["flags"] > 0.5)).mean() >= 0.9


def test_bf16_agrees_with_float_on_a_fixed_sample(tiny_model: Path, tmp_path: Path) -> None:
    dest = tmp_path / "triage-bf16"
    optimise_model(tiny_model, dest, WORDS, SAMPLE[:40], precision="bf16")
    full, fast = TriageModel.from_pretrained(tiny_model), TriageModel.from_pretrained(dest)
    assert fast.precision == "bf16" and full.precision == "none"
    assert next(fast.encoder.parameters()).dtype == torch.bfloat16
    assert next(fast.heads.parameters()).dtype == torch.float32
    p, q = full.predict_proba(SAMPLE), fast.predict_proba(SAMPLE)
    for head in ("sentiment", "intent", "topic"):
        assert q[head].dtype == np.float32
        assert (p[head].argmax(1) == q[head].argmax(1)).mean() >= 0.9, head
        assert np.abs(p[head] - q[head]).max() < 0.1
    assert ((p["flags"] > 0.5) == (q["flags"] > 0.5)).mean() >= 0.9


def test_onnx_int8_without_its_file_is_a_clear_error(
    tiny_model: Path, auto_optimised: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "triage-auto"
    shutil.copytree(auto_optimised, dest)
    (dest / ONNX_NAME).write_bytes(b"geen onnx")
    with pytest.raises(ModelLoadError, match=r"beschadigd.*model optimise"):
        TriageModel.from_pretrained(dest)
    (dest / ONNX_NAME).unlink()
    assert TriageModel.from_pretrained(dest).precision in ("bf16", "int8")  # auto falls back
    with pytest.raises(ModelLoadError, match=r"encoder-int8\.onnx ontbreekt"):
        TriageModel.from_pretrained(dest, precision="onnx-int8")
    with pytest.raises(ModelLoadError, match="onnx-int8"):
        TriageModel.from_pretrained(tiny_model, precision="onnx-int8")


def test_precision_can_be_chosen_at_load(tiny_model: Path) -> None:
    for precision in ("none", "bf16", "int8"):
        model = TriageModel.from_pretrained(tiny_model, precision=precision)
        assert model.precision == precision
        assert len(model.predict(SAMPLE[:3])) == 3
    assert TriageModel.from_pretrained(tiny_model, precision="auto").precision in ("bf16", "int8")
    with pytest.raises(ModelLoadError, match="rekenprecisie 'fp8'"):
        TriageModel.from_pretrained(tiny_model, precision="fp8")


def test_unknown_precision_in_the_config_is_a_clear_error(tiny_model: Path, tmp_path: Path) -> None:
    dest = tmp_path / "model"
    shutil.copytree(tiny_model, dest)
    config = json.loads((dest / "triage_config.json").read_text())
    (dest / "triage_config.json").write_text(json.dumps({**config, "quantization": "int4"}))
    with pytest.raises(ModelLoadError, match=r"'int4'.*triage_config\.json"):
        TriageModel.from_pretrained(dest)
    with pytest.raises(InputError, match="rekenprecisie 'int4'"):
        optimise_model(tiny_model, tmp_path / "x", WORDS, SAMPLE[:5], precision="int4")


def test_auto_precision_follows_the_cpu(tmp_path: Path) -> None:
    zen4 = tmp_path / "zen4"
    zen4.write_text("processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512_bf16 avx512_vnni\n")
    skylake = tmp_path / "skylake"
    skylake.write_text("processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512_vnni\n")
    assert cpu_has_native_bf16(zen4) and not cpu_has_native_bf16(skylake)
    assert not cpu_has_native_bf16(tmp_path / "no-such-file")
    assert resolve_precision("auto", native_bf16=True) == "bf16"
    assert resolve_precision("auto", native_bf16=False) == "int8"
    assert resolve_precision("none", native_bf16=True) == "none"
