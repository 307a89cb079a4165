"""Make a trained triage model smaller and faster for batch work, and check it stays as good.

Two steps, each measured by ``benchmarks/throughput.py``:

- **Vocabulary trimming.** multilingual-e5 has 250,002 SentencePiece pieces; Dutch uses a small
  part of them. We keep every piece that Dutch text needs (the pieces of every word in a Dutch
  word list, in lower, title and upper case, of the team's comments, every single character and
  the special tokens), drop the rest from the tokenizer and the embedding matrix, and keep the
  order. A text whose pieces are all kept is tokenised exactly as before (a Unigram tokenizer
  picks the best segmentation; removing pieces it did not pick cannot change that choice).
- **Cheaper arithmetic**, chosen when the model loads (:mod:`responder.model.precision`); this
  step writes the int8 ONNX encoder that ``onnx-int8`` (and ``auto``) use: about 1.3× the bf16
  encoder on this 2-core CPU, test-split macro-F1 within 0.004 of float32.
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

from responder.errors import InputError, ModelLoadError
from responder.model.distil import DistilArgs
from responder.model.precision import ONNX_NAME, check_precision

DEFAULT_WORDLIST = Path("/usr/share/dict/dutch")
"""Debian's ``wdutch`` package (OpenTaal word list, ~413,000 words)."""


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
    :mod:`responder.model.distil`), trained first; its log goes into ``optimisation.json``. Besides the
    float32 weights the copy gets the smoothed int8 encoder for ONNX Runtime
    (:mod:`responder.model.onnx_int8`), calibrated on ``texts``, when ``precision`` is ``auto`` or
    ``onnx-int8``."""
    from responder.model.modeling import TriageModel

    check_precision(precision, error=InputError)
    texts = list(texts)
    if precision == "onnx-int8" and not texts:
        raise InputError("onnx-int8 heeft teksten nodig om te kalibreren; er zijn er geen.")
    model = TriageModel.from_pretrained(source, precision="none")
    distilled: dict[str, Any] | None = None
    if distillation is not None:
        from responder.model.distil import distil
        from responder.model.modeling import encoder_layers

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
        from responder.model.onnx_int8 import CALIBRATION_TEXTS, export_int8

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
