"""The encoder in int8 through ONNX Runtime, smoothed first so int8 keeps the model's accuracy.

``responder model optimise`` writes ``encoder-int8.onnx`` next to the model: the encoder and the
pooling (input ids and attention mask in, the pooled features out) with int8 weights per output
channel and int8 activations, quantised per batch as it runs (ONNX Runtime dynamic quantisation).
The heads stay in float32 in torch. On a CPU with VNNI (int8 dot products) this runs about 1.3×
as fast as the bf16 encoder in torch.

Quantising activations naively costs accuracy: a few channels of the encoder's hidden states are
20-70× larger than the rest, and one int8 scale per batch leaves the other channels only a few
levels. So each Linear layer first gets *smoothed* (the SmoothQuant recipe): its input channel
``j`` is divided by ``s_j`` and the matching weight column multiplied by it, which changes
nothing in exact arithmetic but moves the range of the large channels into the weights, which are
quantised per output channel. ``s_j = max|x_j|^α / max|W_:,j|^(1-α)``, with ``max|x_j|`` measured
on calibration texts. With α = 0.8, and the one layer with the widest inputs kept in float32,
every head's test macro-F1 stays within 0.01 of float32 (``benchmarks/results/throughput.json``);
without smoothing flags lose 0.018 and sentiment 0.009.
"""

from __future__ import annotations

import copy
import logging
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from responder.errors import ModelLoadError

SMOOTHING_ALPHA = 0.8
CALIBRATION_TEXTS = 768
FLOAT_WIDEST = 1
"""Linear layers kept in float32: those whose inputs reach furthest. In the default model one
feed-forward output layer sees values up to ~70 where the next sees ~44; keeping it float brings
the dev-split flags macro-F1 from -0.023 to -0.011 of float32 for ~4 % of the speed."""
SCOPES_KEY = "pkg.torch.onnx.name_scopes"
"""Node metadata in which torch's exporter records the modules a node was traced in."""


class ScaledInput(nn.Module):
    """``linear(x)`` computed as ``linear'(x / s)`` with ``linear'`` = the weight columns × ``s``."""

    def __init__(self, linear: nn.Linear, scale: torch.Tensor) -> None:
        super().__init__()
        self.inverse: torch.Tensor
        self.register_buffer("inverse", (1.0 / scale).to(linear.weight.dtype).contiguous())
        self.linear = nn.Linear(
            linear.in_features, linear.out_features, bias=linear.bias is not None
        )
        with torch.no_grad():
            self.linear.weight.copy_(linear.weight * scale[None, :])
            if linear.bias is not None:
                self.linear.bias.copy_(linear.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.linear(x * self.inverse)
        return out


def encoder_linears(model: Any) -> dict[str, nn.Linear]:
    """The encoder's Linear layers inside its transformer blocks (not the embeddings)."""
    return {
        name: module
        for name, module in model.encoder.named_modules()
        if isinstance(module, nn.Linear) and ".layer." in f".{name}"
    }


@torch.inference_mode()
def input_ranges(model: Any, texts: Sequence[str], batch_size: int = 32) -> dict[str, torch.Tensor]:
    """Per input channel, the largest ``|x|`` each encoder Linear layer sees on ``texts``."""
    ranges: dict[str, torch.Tensor] = {}

    def watch(name: str) -> Any:
        def hook(_module: nn.Module, inputs: tuple[torch.Tensor, ...], _out: Any) -> None:
            x = inputs[0].detach().float().abs().reshape(-1, inputs[0].shape[-1]).amax(0)
            ranges[name] = torch.maximum(ranges[name], x) if name in ranges else x

        return hook

    handles = [m.register_forward_hook(watch(n)) for n, m in encoder_linears(model).items()]
    try:
        model.eval()
        for _rows, input_ids, mask in model.batches_by_length(list(texts), batch_size):
            model.features(input_ids, mask)
    finally:
        for handle in handles:
            handle.remove()
    return ranges


def smooth(model: Any, ranges: dict[str, torch.Tensor], alpha: float = SMOOTHING_ALPHA) -> int:
    """Replace every encoder Linear layer by its smoothed :class:`ScaledInput` (in place); the
    model computes the same function. Returns how many layers were smoothed."""
    done = 0
    for name, linear in encoder_linears(model).items():
        if name not in ranges:
            continue
        weight = linear.weight.detach().float().abs().amax(0).clamp(min=1e-5)
        seen = ranges[name].clamp(min=1e-5)
        scale = (seen.pow(alpha) / weight.pow(1.0 - alpha)).clamp(min=1e-5)
        parent_name, _, child = name.rpartition(".")
        parent = model.encoder.get_submodule(parent_name) if parent_name else model.encoder
        setattr(parent, child, ScaledInput(linear, scale))
        done += 1
    return done


@contextmanager
def quiet_loggers() -> Iterator[None]:
    """Silence the exporter's notes (torchvision absent) and the quantiser's advice, which
    go to the root logger; errors still show."""
    loggers = [logging.getLogger(), logging.getLogger("torch.onnx")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


class _Pooled(nn.Module):
    def __init__(self, model: Any) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        pooled: torch.Tensor = self.model.features(input_ids, attention_mask)
        return pooled


def nodes_of(graph: Any, modules: Sequence[str]) -> list[str]:
    """Names of the graph's MatMul nodes that the exporter traced inside one of ``modules``
    (encoder module names such as ``encoder.layer.4.output.dense``)."""
    found = []
    for node in graph.node:
        if node.op_type != "MatMul":
            continue
        scopes = next((p.value for p in node.metadata_props if p.key == SCOPES_KEY), "")
        if any(f".{name}'" in scopes or f".{name}." in scopes for name in modules):
            found.append(node.name)
    return found


def export_int8(
    model: Any,
    texts: Sequence[str],
    path: Path,
    alpha: float = SMOOTHING_ALPHA,
    keep_float: int = FLOAT_WIDEST,
) -> dict[str, Any]:
    """Write the smoothed, int8 encoder of ``model`` (a float32 TriageModel, left unchanged) to
    ``path``. ``texts`` calibrate the smoothing (the first :data:`CALIBRATION_TEXTS`); the
    ``keep_float`` Linear layers with the widest input ranges stay float32."""
    import warnings

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    if not texts:
        raise ValueError("export_int8 needs calibration texts")
    copy_ = copy.deepcopy(model).float().eval()
    calibration = list(texts)[:CALIBRATION_TEXTS]
    ranges = input_ranges(copy_, calibration)
    widest = sorted(ranges, key=lambda name: float(ranges[name].max()), reverse=True)[:keep_float]
    smoothed = smooth(copy_, ranges, alpha)
    if hasattr(copy_.encoder, "set_attn_implementation"):
        copy_.encoder.set_attn_implementation("eager")  # plain ops export and quantise cleanly
    sample = copy_.encode(calibration[:4])
    batch, tokens = torch.export.Dim("batch"), torch.export.Dim("tokens")
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings(), quiet_loggers():
        warnings.simplefilter("ignore")
        floating = Path(tmp) / "float.onnx"
        torch.onnx.export(
            _Pooled(copy_),
            (sample["input_ids"], sample["attention_mask"]),
            str(floating),
            dynamo=True,
            external_data=False,
            input_names=["input_ids", "attention_mask"],
            output_names=["pooled"],
            dynamic_shapes={
                "input_ids": {0: batch, 1: tokens},
                "attention_mask": {0: batch, 1: tokens},
            },
            verbose=False,
        )
        graph = onnx.load(str(floating))
        del graph.graph.value_info[:]  # the exporter's shape notes confuse the quantiser
        onnx.save(graph, str(floating))
        excluded = nodes_of(graph.graph, widest)
        quantize_dynamic(
            str(floating),
            str(path),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
            nodes_to_exclude=excluded,
        )
    return {
        "file": path.name,
        "smoothing_alpha": alpha,
        "smoothed_layers": smoothed,
        "calibration_texts": len(calibration),
        "float_layers": {name: round(float(ranges[name].max()), 1) for name in widest},
        "float_matmuls": len(excluded),
        "bytes": path.stat().st_size,
    }


class OnnxEncoder:
    """Pooled features from the int8 ONNX file, in as many threads as torch uses."""

    def __init__(self, path: Path, threads: int | None = None) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or torch.get_num_threads()
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            self.session = ort.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own types for missing or broken files
            raise ModelLoadError(
                f"Het int8-model {path} ontbreekt of is beschadigd ({exc}). Maak het opnieuw met: "
                "responder model optimise"
            ) from exc

    def __call__(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        feeds = {
            "input_ids": input_ids.numpy().astype(np.int64, copy=False),
            "attention_mask": attention_mask.numpy().astype(np.int64, copy=False),
        }
        (pooled,) = self.session.run(["pooled"], feeds)
        return torch.from_numpy(np.ascontiguousarray(pooled, dtype=np.float32))
