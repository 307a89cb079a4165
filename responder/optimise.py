"""Make a trained triage model smaller and faster for batch work, and check it stays as good.

Two steps, each measured by ``benchmarks/throughput.py``:

- **Vocabulary trimming.** multilingual-e5 has 250,002 SentencePiece pieces; Dutch uses a small
  part of them. We keep every piece that Dutch text needs (the pieces of every word in a Dutch
  word list, in lower, title and upper case, of the team's comments, every single character and
  the special tokens), drop the rest from the tokenizer and the embedding matrix, and keep the
  order. A text whose pieces are all kept is tokenised exactly as before (a Unigram tokenizer
  picks the best segmentation; removing pieces it did not pick cannot change that choice).
- **Cheaper arithmetic**, chosen when the model loads (:func:`apply_precision`):
  - ``bf16``: the encoder computes in bfloat16 (pooling and heads stay float32). On a CPU with
    native bfloat16 instructions (AVX512-BF16, AMX) matrix products run about twice as fast as
    in float32, and the test-split macro-F1 stays within 0.01 of float32.
  - ``int8``: int8 weights for the attention projections and the feed-forward input layer
    (dynamic quantisation, per channel). The feed-forward output layer stays in float:
    quantising it costs accuracy for little speed. For CPUs without native bfloat16, where
    bfloat16 is emulated and slower than float32.
  - ``onnx-int8``: the encoder in int8 through ONNX Runtime, weights and activations, smoothed
    first (see :mod:`responder.onnx_int8`); ``responder model optimise`` writes its file. The
    fastest here: about 1.3× the bf16 encoder on this 2-core CPU.
  - ``auto`` (what ``responder model optimise`` writes): ``onnx-int8`` when the model folder has
    its file, else ``bf16`` where the CPU has it natively, else ``int8``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from responder.distil import DistilArgs
from responder.errors import InputError, ModelLoadError

DEFAULT_WORDLIST = Path("/usr/share/dict/dutch")
"""Debian's ``wdutch`` package (OpenTaal word list, ~413,000 words)."""
QUANTIZED_SUFFIXES = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
)
"""Linear layers that get int8 weights; ``output.dense`` of the feed-forward block stays float."""
PRECISIONS = ("none", "bf16", "int8", "onnx-int8", "auto")
BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")
"""Linux ``/proc/cpuinfo`` flags of CPUs that compute bfloat16 products natively."""


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


def resolve_precision(requested: str, native_bf16: bool | None = None) -> str:
    """``auto`` → ``bf16`` or ``int8`` for this CPU; other values unchanged. (A model folder
    with an ``onnx-int8`` file prefers that: :meth:`TriageModel.from_pretrained`.)"""
    if requested != "auto":
        return requested
    native = cpu_has_native_bf16() if native_bf16 is None else native_bf16
    return "bf16" if native else "int8"


def apply_precision(encoder: nn.Module, requested: str) -> tuple[nn.Module, str]:
    """The encoder in the requested arithmetic, and the name of what was applied (``onnx-int8``
    is not a torch encoder: :meth:`TriageModel.from_pretrained` loads it)."""
    precision = resolve_precision(requested)
    if precision == "onnx-int8":
        raise ModelLoadError("onnx-int8 wordt geladen met TriageModel.from_pretrained.")
    if precision == "int8":
        return quantize_int8(encoder), precision
    if precision == "bf16":
        return encoder.to(torch.bfloat16), precision
    return encoder, precision


@dataclass(frozen=True)
class TrimReport:
    pieces_before: int
    pieces_after: int
    parameters_before: int
    parameters_after: int
    words: int
    texts: int

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def read_wordlist(path: Path) -> list[str]:
    if not path.is_file():
        raise InputError(
            f"Woordenlijst {path} niet gevonden. Installeer hem met `apt-get install wdutch` of "
            "geef er een op met --wordlist (één woord per regel)."
        )
    words = []
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            word = line.strip()
            if word and not word.startswith("#"):
                words.append(word)
    return words


def pieces_needed(tokenizer: Any, words: Sequence[str], texts: Sequence[str]) -> set[int]:
    """Ids of every piece the tokenizer uses for these words (three casings) and texts."""
    backend = tokenizer.backend_tokenizer
    variants = [v for w in words for v in {w, w.lower(), w[:1].upper() + w[1:], w.upper()}]
    kept: set[int] = set()
    for start in range(0, len(variants), 20_000):
        for enc in backend.encode_batch(variants[start : start + 20_000], add_special_tokens=False):
            kept.update(enc.ids)
    for start in range(0, len(texts), 2_000):
        for enc in backend.encode_batch(
            list(texts[start : start + 2_000]), add_special_tokens=False
        ):
            kept.update(enc.ids)
    return kept


def trim_vocabulary(
    model: Any,
    words: Sequence[str],
    texts: Sequence[str],
    workdir: Path,
    progress: Callable[[str], None] = lambda _m: None,
) -> TrimReport:
    """Trim ``model`` (a TriageModel) in place: tokenizer and word embeddings."""
    from transformers import PreTrainedTokenizerFast

    tokenizer = model.tokenizer
    spec = json.loads(tokenizer.backend_tokenizer.to_str())
    if spec["model"]["type"] != "Unigram":
        raise ModelLoadError("Alleen een Unigram-tokenizer (SentencePiece) kan worden ingekort.")
    vocab: list[list[Any]] = spec["model"]["vocab"]
    special = {t["id"] for t in spec["added_tokens"]} | {spec["model"]["unk_id"]}
    single = {i for i, (piece, _) in enumerate(vocab) if len(piece.removeprefix("\u2581")) <= 1}
    progress(f"Stukjes zoeken voor {len(words)} woorden en {len(texts)} teksten …")
    kept = sorted(pieces_needed(tokenizer, words, texts) | special | single)
    new_id = {old: new for new, old in enumerate(kept)}

    spec["model"]["vocab"] = [vocab[i] for i in kept]
    spec["model"]["unk_id"] = new_id[spec["model"]["unk_id"]]
    for token in spec["added_tokens"]:
        token["id"] = new_id[token["id"]]
    for entry in (spec.get("post_processor") or {}).get("special_tokens", {}).values():
        entry["ids"] = [new_id[i] for i in entry["ids"]]
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "tokenizer.json").write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    names = {
        k: getattr(tokenizer, k)
        for k in (
            "bos_token",
            "eos_token",
            "unk_token",
            "sep_token",
            "pad_token",
            "cls_token",
            "mask_token",
        )
    }
    model.tokenizer = PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_file=str(workdir / "tokenizer.json"),
        model_max_length=tokenizer.model_max_length,
        **names,
    )

    before = sum(p.numel() for p in model.encoder.parameters())
    old = model.encoder.get_input_embeddings()
    index = torch.tensor(kept, dtype=torch.long)
    new = nn.Embedding(len(kept), old.embedding_dim, padding_idx=new_id.get(old.padding_idx or 1))
    with torch.no_grad():
        new.weight.copy_(old.weight[index])
    model.encoder.set_input_embeddings(new)
    model.encoder.config.vocab_size = len(kept)
    if getattr(model.encoder.config, "pad_token_id", None) is not None:
        model.encoder.config.pad_token_id = new_id[model.encoder.config.pad_token_id]
    after = sum(p.numel() for p in model.encoder.parameters())
    return TrimReport(len(vocab), len(kept), before, after, len(words), len(texts))


def quantize_int8(encoder: nn.Module) -> nn.Module:
    """int8 weights (per output channel) for the selected Linear layers; activations stay float."""
    import warnings

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


def optimise_model(
    source: Path,
    dest: Path,
    words: Sequence[str],
    texts: Iterable[str],
    precision: str = "auto",
    progress: Callable[[str], None] = lambda _m: None,
    distillation: Distillation | None = None,
) -> TrimReport:
    """Write an optimised copy of the model in ``source`` to ``dest`` (atomically).

    With ``distillation`` the copy is a shallower student of the model (see
    :mod:`responder.distil`), trained first; its log goes into ``optimisation.json``. Besides the
    float32 weights the copy gets the smoothed int8 encoder for ONNX Runtime
    (:mod:`responder.onnx_int8`), calibrated on ``texts``, when ``precision`` is ``auto`` or
    ``onnx-int8``."""
    from responder.modeling import TriageModel

    if precision not in PRECISIONS:
        raise InputError(
            f"Onbekende rekenprecisie {precision!r}; kies uit {', '.join(PRECISIONS)}."
        )
    texts = list(texts)
    if precision == "onnx-int8" and not texts:
        raise InputError("onnx-int8 heeft teksten nodig om te kalibreren; er zijn er geen.")
    model = TriageModel.from_pretrained(source, precision="none")
    distilled: dict[str, Any] | None = None
    if distillation is not None:
        from responder.distil import distil, encoder_layers

        if distillation.args.layers < len(encoder_layers(model)):
            model, log = distil(
                model,
                distillation.train_texts,
                distillation.dev_texts,
                distillation.args,
                say=progress,
                progress=distillation.progress,
            )
            distilled = {**asdict(distillation.args), **log.to_dict()}
    tmp = dest.with_name(f".{dest.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    report = trim_vocabulary(model, words, texts, tmp / "_tokenizer", progress)
    model.config.quantization = precision
    model.save_pretrained(tmp)
    shutil.rmtree(tmp / "_tokenizer")
    exported: dict[str, Any] | None = None
    if precision in ("auto", "onnx-int8") and texts:
        from responder.onnx_int8 import CALIBRATION_TEXTS, ONNX_NAME, export_int8

        calibration = min(len(texts), CALIBRATION_TEXTS)
        progress(f"int8-encoder voor ONNX Runtime maken (kalibratie op {calibration} teksten) …")
        exported = export_int8(model, texts, tmp / ONNX_NAME)
    for name in ("training_args.json", "training_log.json"):
        if (source / name).is_file():
            shutil.copy2(source / name, tmp / name)
    (tmp / "optimisation.json").write_text(
        json.dumps(
            {
                "source": str(source),
                "quantization": model.config.quantization,
                **report.to_dict(),
                "distillation": distilled,
                "onnx_int8": exported,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    if dest.exists():
        shutil.rmtree(dest)
    tmp.rename(dest)
    return report


@dataclass
class Distillation:
    """What :func:`optimise_model` needs to train a shallower student first."""

    args: DistilArgs
    train_texts: Sequence[str]
    dev_texts: Sequence[str]
    progress: Callable[[int, int, float], None] | None = None
