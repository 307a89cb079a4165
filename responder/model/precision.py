"""Which arithmetic the encoder computes in, decided once when a model loads.

- ``none``: float32, the reference.
- ``bf16``: the encoder in bfloat16 (pooling and heads stay float32). On a CPU with native
  bfloat16 instructions (AVX512-BF16, AMX) matrix products run about twice as fast as float32.
- ``int8``: int8 weights for the attention projections and the feed-forward input layer (dynamic
  quantisation, per channel), for CPUs without native bfloat16.
- ``onnx-int8``: the encoder in int8 through ONNX Runtime (weights and activations, smoothed
  first; see :mod:`responder.model.onnx_int8`); needs the file ``responder model optimise``
  writes beside the weights.
- ``auto``: ``onnx-int8`` when the model folder has that file, else ``bf16`` where the CPU has it
  natively, else ``int8``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from responder.errors import ModelLoadError, ResponderError

if TYPE_CHECKING:  # torch loads only when an encoder is converted: the CLI starts fast
    from torch import nn

ONNX_NAME = "encoder-int8.onnx"
"""The int8 encoder for ONNX Runtime, beside the float32 weights in the model folder."""

PRECISIONS = ("none", "bf16", "int8", "onnx-int8", "auto")
BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")
"""Linux ``/proc/cpuinfo`` flags of CPUs that compute bfloat16 products natively."""
QUANTIZED_SUFFIXES = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
)
"""Linear layers that get int8 weights; ``output.dense`` of the feed-forward block stays float."""


def check_precision(
    name: str, where: str = "gevraagd", error: type[ResponderError] = ModelLoadError
) -> str:
    """``name`` when it is a known precision, else a clear error naming where it came from (an
    option of the user is an :class:`InputError`, a saved config a :class:`ModelLoadError`)."""
    if name not in PRECISIONS:
        raise error(
            f"Onbekende rekenprecisie {name!r} ({where}); kies uit {', '.join(PRECISIONS)}."
        )
    return name


def cpu_has_native_bf16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether this CPU multiplies bfloat16 natively (elsewhere bfloat16 is emulated, slowly)."""
    try:
        with cpuinfo.open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return any(flag in line.split() for flag in BF16_CPU_FLAGS)
    except OSError:
        pass
    return False


def resolve_precision(
    requested: str, folder: Path | None = None, native_bf16: bool | None = None
) -> str:
    """The one ``auto`` decision: ``onnx-int8`` when ``folder`` holds the ONNX encoder, else
    ``bf16`` or ``int8`` for this CPU. Other values are checked and returned unchanged;
    ``onnx-int8`` without its file is an error."""
    check_precision(requested)
    has_onnx = folder is not None and (folder / ONNX_NAME).is_file()
    if requested == "onnx-int8" and folder is not None and not has_onnx:
        raise ModelLoadError(
            f"{folder / ONNX_NAME} ontbreekt: rekenprecisie onnx-int8 kan alleen met een "
            "model van 'responder model optimise'."
        )
    if requested != "auto":
        return requested
    if has_onnx:
        return "onnx-int8"
    native = cpu_has_native_bf16() if native_bf16 is None else native_bf16
    return "bf16" if native else "int8"


def apply_precision(encoder: nn.Module, precision: str) -> nn.Module:
    """The torch encoder in a resolved precision (``onnx-int8`` replaces the torch encoder and is
    loaded by :meth:`TriageModel.from_pretrained`)."""
    if precision == "int8":
        return quantize_int8(encoder)
    if precision == "bf16":
        import torch

        return encoder.to(torch.bfloat16)
    if precision == "none":
        return encoder
    raise ModelLoadError(f"Rekenprecisie {precision!r} is geen torch-rekenwijze.")


def quantize_int8(encoder: nn.Module) -> nn.Module:
    """int8 weights (per output channel) for the selected Linear layers; activations stay float."""
    import warnings

    import torch
    from torch import nn
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    chosen = {
        name: per_channel_dynamic_qconfig
        for name, module in encoder.named_modules()
        if isinstance(module, nn.Linear) and name.endswith(QUANTIZED_SUFFIXES)
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch points to torchao; the eager API still works
        quantized: nn.Module = quantize_dynamic(encoder, chosen, dtype=torch.qint8)  # type: ignore[no-untyped-call]
    return quantized
