"""The triage model: one shared encoder, softmax heads for sentiment, intent and topic, and a
multi-label head for flags. Hugging Face verbs: ``from_pretrained``, ``save_pretrained``,
``predict``, ``predict_proba``."""

from __future__ import annotations

import bisect
import json
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn

from responder.config import CONFIG_NAME
from responder.errors import ModelLoadError, ModelNotFoundError
from responder.labels import FLAGS, SINGLE_LABEL_HEADS
from responder.model.convert import pin_tokenizer_class
from responder.model.precision import (
    ONNX_NAME,
    apply_precision,
    check_precision,
    resolve_precision,
)
from responder.protocols import HeadScores

if TYPE_CHECKING:
    from responder.model.onnx_int8 import OnnxEncoder

HEADS_NAME = "heads.safetensors"
QUERY_PREFIX = "query: "
"""E5 models expect a prefix; ``query:`` is the one its authors use for classification."""

RECENT_VECTORS = 256
"""How many recent texts' sentence vectors a model keeps (see ``TriageModel.vector_of``); a
prediction over more texts than this (batch labelling) keeps none."""
SENTENCE_END = re.compile(r"[.!?…]+[\"')\]]*(?=\s)|\n")
"""Where a sentence ends, for reading a long text in pieces: just after its punctuation, or where
a line breaks (with or without punctuation)."""
MIN_TAIL_TOKENS = 8
"""The fewest tokens of its end a long text's tail window must hold (after the prefix); a
smaller ``tail_length`` reads no tail."""


def _ends_sentence(stops: Sequence[int], token_end: int, next_start: int) -> bool:
    """Whether a sentence ends between a token (ending at ``token_end``) and the next (starting
    at ``next_start``): a stop in that gap, right after punctuation or after a line break (the
    tokens leave the whitespace out)."""
    at = bisect.bisect_left(stops, token_end)
    return at < len(stops) and stops[at] <= next_start


class RecentVectors:
    """The unit sentence vectors of the last ``RECENT_VECTORS`` texts, safe across threads; a
    copy of a model (distillation, quantisation) starts with none."""

    def __init__(self) -> None:
        self._vectors: OrderedDict[str, NDArray[np.float32]] = OrderedDict()
        self._lock = threading.Lock()

    def __deepcopy__(self, memo: dict[int, object]) -> RecentVectors:
        return RecentVectors()

    def put(self, texts: Sequence[str], vectors: NDArray[np.float32]) -> None:
        with self._lock:
            for text, vector in zip(texts, vectors, strict=True):
                self._vectors[text] = vector
                self._vectors.move_to_end(text)
            while len(self._vectors) > RECENT_VECTORS:
                self._vectors.popitem(last=False)

    def get(self, text: str) -> NDArray[np.float32] | None:
        with self._lock:
            return self._vectors.get(text)


@dataclass
class TriageConfig:
    """Everything needed to rebuild the heads and read their outputs, saved beside the weights."""

    base_model: str
    labels: dict[str, list[str]] = field(
        default_factory=lambda: {head: list(names) for head, names in SINGLE_LABEL_HEADS.items()}
    )
    flags: list[str] = field(default_factory=lambda: list(FLAGS))
    flag_thresholds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(FLAGS, 0.5))
    temperatures: dict[str, float] = field(default_factory=dict)
    """Per-head softmax temperature fitted on dev, so that probabilities are calibrated."""
    label_bias: dict[str, list[float]] = field(default_factory=dict)
    """Per head, a log-bias per label (in label order) added to the scaled logits: the training
    set's label prior partly divided out (``TrainingArgs.prior_correction``). The team's data is
    half negative; real text is not, and a model trained on it calls too much negative."""
    text_prefix: str = QUERY_PREFIX
    max_length: int = 128
    dropout: float = 0.1
    pooling: str = "mean_max"
    """``mean`` (as E5 was trained) or ``mean_max``: mean and max over tokens side by side, so
    that one decisive word ("advocaat", "Radar") is not averaged away."""
    read_tail: bool = True
    """For a text longer than ``max_length`` tokens the flags also read its last ``tail_length``
    tokens, and a flag takes the higher of the two: a long complaint often ends with its threat
    ("… dan schakel ik een advocaat in"). The other heads read the beginning only."""
    tail_sentiment: bool = True
    """For the same long texts, sentiment takes the mean of what the beginning and the end say: a
    long review or complaint often tells its story first and gives its verdict last ("… maar
    nooit meer"). Intent and topic keep the beginning, where the ask usually is."""
    tail_length: int = 64
    """Tokens of the end of a long text that the flags read (the prefix and special tokens
    included); shorter than ``max_length`` to keep the cost down: a threat is one sentence."""
    sentence_chunks: int = 64
    """With a number (tokens, the prefix and special tokens included), a text longer than it is
    read in pieces of whole sentences of at most that many tokens, the way the model was
    trained (the team's comments are ~30 tokens, 90 % under 72), and sentiment is the mean of
    the pieces: a long review is judged on all it says, not on its opening story. Only
    sentiment: flags read piece by piece raise more false alarms (more looks, each out of
    context), and intent and topic are where the text starts. 0: no pieces. Pieces need a fast
    tokenizer (for the offsets of the sentences); with a slow one nothing is read in pieces."""
    sentence_chunks_below: float = 0.9
    """Pieces are read only for a long text whose sentiment as read whole (beginning, and tail
    with ``tail_sentiment``) is less sure than this (top probability): most long comments say
    clearly what they feel, and the pieces cost a second pass over the text."""
    quantization: str = "none"
    """Arithmetic when the model loads (see precision.py): ``none`` (float32), ``bf16``, ``int8``
    (selected layers get int8 weights) or ``auto`` (bf16 where the CPU computes it natively,
    int8 elsewhere). The weights on disk stay float32 whatever is chosen."""
    version: int = 1

    def names(self, head: str) -> list[str]:
        return self.flags if head == "flags" else self.labels[head]

    def save(self, folder: Path) -> None:
        (folder / CONFIG_NAME).write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> TriageConfig:
        try:
            raw = json.loads((folder / CONFIG_NAME).read_text(encoding="utf-8"))
            return cls(**raw)
        except (OSError, json.JSONDecodeError, TypeError) as exc:
            raise ModelLoadError(
                f"{folder / CONFIG_NAME} ontbreekt of is onleesbaar ({exc}). "
                "Train het model opnieuw met: responder train"
            ) from exc


def load_encoder(name_or_path: str | Path, weights: bool = True) -> tuple[Any, Any]:
    """(encoder, tokenizer) from a local folder, never from the network. With ``weights`` false
    the encoder has its architecture but no weights (on the meta device: nothing is read)."""
    from transformers import AutoConfig, AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    logging.getLogger("transformers").setLevel(logging.ERROR)
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(name_or_path), local_files_only=True)
        if not weights:
            config = AutoConfig.from_pretrained(str(name_or_path), local_files_only=True)
            with torch.device("meta"):
                return AutoModel.from_config(config), tokenizer  # type: ignore[no-untyped-call]
        try:
            encoder = AutoModel.from_pretrained(
                str(name_or_path), local_files_only=True, add_pooling_layer=False
            )
        except TypeError:
            encoder = AutoModel.from_pretrained(str(name_or_path), local_files_only=True)
    except OSError as exc:
        raise ModelLoadError(f"Kan het model in {name_or_path} niet laden: {exc}") from exc
    except Exception as exc:  # safetensors, json and torch raise many types for a bad folder
        raise ModelLoadError(
            f"Het model in {name_or_path} is beschadigd of onvolledig ({exc}). "
            "Bouw het opnieuw met: responder model build"
        ) from exc
    return encoder, tokenizer


def encoder_layers(model: TriageModel) -> nn.ModuleList:
    """The transformer layers of a BERT-like encoder, lowest first."""
    layers = getattr(getattr(model.encoder, "encoder", None), "layer", None)
    if not isinstance(layers, nn.ModuleList):
        raise ModelLoadError("Dit model heeft geen BERT-achtige encoder met losse lagen.")
    return layers


class TriageModel(nn.Module):
    """Shared encoder with four heads; mean pooling over tokens as E5 was trained."""

    def __init__(self, encoder: Any, tokenizer: Any, config: TriageConfig) -> None:
        super().__init__()
        self.encoder = encoder
        self.tokenizer = tokenizer
        self.config = config
        hidden = int(encoder.config.hidden_size) * (2 if config.pooling == "mean_max" else 1)
        self.dropout = nn.Dropout(config.dropout)
        self.heads = nn.ModuleDict(
            {head: nn.Linear(hidden, len(names)) for head, names in config.labels.items()}
        )
        self.heads["flags"] = nn.Linear(hidden, len(config.flags))
        self.precision = "none"
        self._recent = RecentVectors()
        """The arithmetic the encoder uses: ``none`` (float32), ``bf16``, ``int8`` or ``onnx-int8``."""
        self.onnx: OnnxEncoder | None = None
        """With ``onnx-int8``: the int8 encoder in ONNX Runtime that :meth:`features` uses."""

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_base(cls, base_model: str | Path, config: TriageConfig | None = None) -> TriageModel:
        """A fresh model whose heads are untrained, on top of a base encoder folder."""
        encoder, tokenizer = load_encoder(base_model)
        return cls(encoder, tokenizer, config or TriageConfig(base_model=str(base_model)))

    @classmethod
    def from_pretrained(cls, folder: str | Path, precision: str | None = None) -> TriageModel:
        """Load a model saved with :meth:`save_pretrained`; clear errors when it is not there.

        ``precision`` overrides the ``quantization`` in the saved config (``none``, ``bf16``,
        ``int8``, ``onnx-int8`` or ``auto``); :attr:`precision` says what was applied."""
        from safetensors.torch import load_file

        path = Path(folder)
        if not path.is_dir():
            raise ModelNotFoundError(
                f"Geen triagemodel gevonden in {path}. Bouw het standaardmodel met "
                "'responder model build' of geef een map op met --model."
            )
        config = TriageConfig.load(path)
        where = "gevraagd" if precision else f"in {path / CONFIG_NAME}"
        requested = resolve_precision(
            check_precision(precision or config.quantization, where), path
        )
        # With onnx-int8 the torch encoder is only its shape (no weights are read or kept).
        encoder, tokenizer = load_encoder(path, weights=requested != "onnx-int8")
        model = cls(encoder, tokenizer, config)
        try:
            state = load_file(str(path / HEADS_NAME))
            model.heads.load_state_dict(state)
        except Exception as exc:  # safetensors raises several types for a bad file
            raise ModelLoadError(
                f"De classificatiekoppen in {path / HEADS_NAME} ontbreken of zijn beschadigd "
                f"({exc}). Train het model opnieuw met: responder train"
            ) from exc
        model.eval()
        if requested == "onnx-int8":
            from responder.model.onnx_int8 import OnnxEncoder

            model.onnx = OnnxEncoder(path / ONNX_NAME)
            model.precision = "onnx-int8"
            return model
        model.encoder, model.precision = apply_precision(model.encoder, requested), requested
        return model

    def save_pretrained(self, folder: str | Path) -> Path:
        """Encoder, tokenizer, heads and config; the caller adds card, metrics and training args."""
        from safetensors.torch import save_file

        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        self.encoder.save_pretrained(path)
        self.tokenizer.save_pretrained(path)
        pin_tokenizer_class(path)
        save_file(
            {k: v.contiguous() for k, v in self.heads.state_dict().items()}, str(path / HEADS_NAME)
        )
        self.config.save(path)
        return path

    # -- forward ----------------------------------------------------------------------------
    def encode(self, texts: Sequence[str]) -> dict[str, torch.Tensor]:
        batch = self.tokenizer(
            [self.config.text_prefix + t for t in texts],
            padding=True,
            truncation=True,
            max_length=self._max_tokens(),
            return_tensors="pt",
        )
        return {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> dict[str, torch.Tensor]:
        pooled = self.dropout(self.features(input_ids, attention_mask))
        return {head: layer(pooled) for head, layer in self.heads.items()}

    def features(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """The pooled encoder output the heads read (float32, before dropout)."""
        if self.onnx is not None:
            return self.onnx(input_ids, attention_mask)
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        hidden = hidden.float()  # pooling and heads in float32 whatever the encoder computes in
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled: torch.Tensor = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        if self.config.pooling == "mean_max":
            peak = hidden.masked_fill(mask == 0, torch.finfo(hidden.dtype).min).amax(dim=1)
            pooled = torch.cat([pooled, peak], dim=-1)
        return pooled

    def _max_tokens(self) -> int:
        # Never longer than the encoder has positions for (small test encoders have few).
        return min(
            self.config.max_length,
            int(getattr(self.encoder.config, "max_position_embeddings", 512)),
        )

    @torch.inference_mode()
    def logits(
        self, texts: Sequence[str], batch_size: int = 32, sentiment: bool = True
    ) -> dict[str, NDArray[np.float32]]:
        """Raw head outputs for ``texts``.

        All texts are tokenised at once and batched in order of their token count, so a batch
        holds texts of (nearly) the same length and little compute goes to padding. With
        ``sentiment`` false, a long text's sentiment is not read in pieces (see
        ``TriageConfig.sentence_chunks``): it is then only the beginning's, for a caller that
        needs the flags alone."""
        self.eval()
        width = {head: len(self.config.names(head)) for head in self.heads}
        if not texts:
            return {head: np.zeros((0, width[head]), np.float32) for head in self.heads}
        order: list[int] = []
        parts: dict[str, list[NDArray[np.float32]]] = {head: [] for head in self.heads}
        keep = len(texts) <= RECENT_VECTORS
        for rows, input_ids, mask in self.batches_by_length(texts, batch_size):
            order += rows
            pooled = self.features(input_ids, mask)
            for head, layer in self.heads.items():
                parts[head].append(layer(self.dropout(pooled)).float().numpy())
            if keep:
                self._remember([texts[r] for r in rows], pooled.float().numpy())
        inverse = np.argsort(np.asarray(order, dtype=np.int64))
        out = {head: np.concatenate(chunks)[inverse] for head, chunks in parts.items()}
        if self.config.read_tail and "flags" in self.heads:
            mean_sentiment = sentiment and self.config.tail_sentiment and "sentiment" in self.heads
            for rows, input_ids, mask in self.tail_batches(texts, batch_size):
                pooled = self.dropout(self.features(input_ids, mask))
                tail = self.heads["flags"](pooled)
                out["flags"][rows] = np.maximum(out["flags"][rows], tail.float().numpy())
                if mean_sentiment:
                    end = self.heads["sentiment"](pooled).float().numpy()
                    out["sentiment"][rows] = (out["sentiment"][rows] + end) / 2
        if sentiment and self.config.sentence_chunks > 0 and "sentiment" in self.heads:
            self._read_pieces(texts, out, batch_size)
        return out

    def _read_pieces(
        self, texts: Sequence[str], out: dict[str, NDArray[np.float32]], batch_size: int
    ) -> None:
        """The sentiment of the texts longer than ``sentence_chunks`` tokens whose sentiment in
        ``out`` is unsure: the mean of their pieces of whole sentences (see
        ``TriageConfig.sentence_chunks``), written into ``out``."""
        sure = self.probabilities({"sentiment": out["sentiment"]})["sentiment"].max(axis=1)
        unsure = [i for i in range(len(texts)) if sure[i] < self.config.sentence_chunks_below]
        found = self.sentence_pieces([texts[i] for i in unsure])
        pieces = {unsure[k]: seqs for k, seqs in found.items()}
        if not pieces:
            return
        owners = np.asarray([i for i, seqs in pieces.items() for _ in seqs], dtype=np.int64)
        flat = [seq for seqs in pieces.values() for seq in seqs]
        read = np.zeros((len(flat), len(self.config.names("sentiment"))), np.float32)
        order = sorted(range(len(flat)), key=lambda k: len(flat[k]))
        for rows, input_ids, mask in self._padded(flat, order, batch_size):
            pooled = self.dropout(self.features(input_ids, mask))
            read[rows] = self.heads["sentiment"](pooled).float().numpy()
        total = np.zeros((len(texts), read.shape[1]), np.float32)
        np.add.at(total, owners, read)
        count = np.bincount(owners, minlength=len(texts)).astype(np.float32)
        long = np.asarray(list(pieces), dtype=np.int64)
        out["sentiment"][long] = total[long] / count[long, None]

    def sentence_pieces(self, texts: Sequence[str]) -> dict[int, list[list[int]]]:
        """For each text longer than ``sentence_chunks`` tokens (by position in ``texts``): its
        pieces as token ids, each the prefix, whole sentences of the text that fit together, and
        the end token. A sentence longer than a piece holds is cut into pieces of its own, so
        every token of the text is read once. Nothing for shorter texts."""
        budget = min(self.config.sentence_chunks, self._max_tokens())
        if not texts or budget <= 0 or not getattr(self.tokenizer, "is_fast", False):
            return {}
        strings = [self.config.text_prefix + t for t in texts]
        encoded = self.tokenizer(
            strings,
            return_offsets_mapping=True,
            return_special_tokens_mask=True,
            return_attention_mask=False,
        )
        head = self._prefix_tokens()
        pieces: dict[int, list[list[int]]] = {}
        for i, ids in enumerate(encoded["input_ids"]):
            if len(ids) <= budget:
                continue
            special = encoded["special_tokens_mask"][i]
            end = len(ids)
            while end > head and special[end - 1]:
                end -= 1
            room = budget - head - (len(ids) - end)
            if room < MIN_TAIL_TOKENS:
                continue  # pieces too small to hold a sentence: the text is read as before
            stops = sorted(
                m.start() if m.group() == "\n" else m.end()
                for m in SENTENCE_END.finditer(strings[i])
            )
            groups: list[list[int]] = []
            current: list[int] = []
            sentence: list[int] = []
            offsets = encoded["offset_mapping"][i]
            for k in range(head, end):
                sentence.append(ids[k])
                after = offsets[k + 1][0] if k + 1 < end else len(strings[i])
                if _ends_sentence(stops, offsets[k][1], after) or k == end - 1:
                    if current and len(current) + len(sentence) > room:
                        groups.append(current)
                        current = []
                    while len(sentence) > room:
                        groups.append(sentence[:room])
                        sentence = sentence[room:]
                    current += sentence
                    sentence = []
            if current:
                groups.append(current)
            pieces[i] = [ids[:head] + group + ids[end:] for group in groups]
        return pieces

    def _remember(self, texts: Sequence[str], pooled: NDArray[np.float32]) -> None:
        """Keep the unit sentence vectors of the last few texts a prediction saw, so that ranking
        replies by likeness (``vector_of``) costs no second forward pass."""
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        self._recent.put(texts, (pooled / np.maximum(norms, 1e-12)).astype(np.float32))

    def vector_of(self, text: str) -> NDArray[np.float32]:
        """The unit sentence vector of ``text`` (as ``embed`` gives it): from the last
        predictions when ``text`` was among them, else one forward pass."""
        found = self._recent.get(text)
        if found is not None:
            return found
        vector: NDArray[np.float32] = self.embed([text])[0]
        return vector

    @torch.inference_mode()
    def embed(self, texts: Sequence[str], batch_size: int = 32) -> NDArray[np.float32]:
        """Unit-length sentence vectors for ``texts`` (one row each, in order): the pooled
        ``features`` the heads read, without the heads, for similarity between comments."""
        self.eval()
        if not texts:
            return np.zeros((0, 0), np.float32)
        order: list[int] = []
        parts: list[NDArray[np.float32]] = []
        for rows, input_ids, mask in self.batches_by_length(texts, batch_size):
            order += rows
            parts.append(self.features(input_ids, mask).float().numpy())
        vectors = np.concatenate(parts)[np.argsort(np.asarray(order, dtype=np.int64))]
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        unit: NDArray[np.float32] = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
        return unit

    def batches_by_length(
        self, texts: Sequence[str], batch_size: int
    ) -> Iterator[tuple[list[int], torch.Tensor, torch.Tensor]]:
        """``(positions in texts, input ids, attention mask)`` per batch, shortest texts first.

        All texts are tokenised at once; each batch is padded to its own longest text."""
        ids: list[list[int]] = self.tokenizer(
            [self.config.text_prefix + t for t in texts],
            truncation=True,
            max_length=self._max_tokens(),
            return_attention_mask=False,
        )["input_ids"]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        yield from self._padded(ids, order, batch_size)

    def tail_batches(
        self, texts: Sequence[str], batch_size: int
    ) -> Iterator[tuple[list[int], torch.Tensor, torch.Tensor]]:
        """Like :meth:`batches_by_length`, for the texts longer than the model reads: the prefix
        and their last tokens (see ``TriageConfig.read_tail``). Nothing for short texts."""
        limit = self._max_tokens()
        window = min(limit, self.config.tail_length)
        full: list[list[int]] = self.tokenizer(
            [self.config.text_prefix + t for t in texts], return_attention_mask=False
        )["input_ids"]
        long = [i for i, seq in enumerate(full) if len(seq) > limit]
        if not long:
            return
        head = self._prefix_tokens()
        if window - head < MIN_TAIL_TOKENS:
            return  # a window too small to hold a sentence of the text: nothing to read
        tails = {i: full[i][:head] + full[i][-(window - head) :] for i in long}
        yield from self._padded(tails, long, batch_size)

    def _prefix_tokens(self) -> int:
        """How many tokens every text starts with: the start token and the prefix ("query: "),
        as they are tokenised inside a text (alone, the prefix ends in an extra "▁")."""
        a, b = (self.tokenizer(self.config.text_prefix + word)["input_ids"] for word in ("x", "y"))
        same = 0
        while same < min(len(a), len(b)) and a[same] == b[same]:
            same += 1
        return same

    def _padded(
        self, ids: Sequence[list[int]] | dict[int, list[int]], order: list[int], batch_size: int
    ) -> Iterator[tuple[list[int], torch.Tensor, torch.Tensor]]:
        pad = int(self.tokenizer.pad_token_id or 0)
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            batch = [ids[i] for i in rows]
            longest = max(map(len, batch))
            input_ids = torch.full((len(batch), longest), pad, dtype=torch.long)
            mask = torch.zeros((len(batch), longest), dtype=torch.long)
            for row, seq in enumerate(batch):
                input_ids[row, : len(seq)] = torch.tensor(seq, dtype=torch.long)
                mask[row, : len(seq)] = 1
            yield rows, input_ids, mask

    def probabilities(
        self, logits: dict[str, NDArray[np.float32]]
    ) -> dict[str, NDArray[np.float32]]:
        """Calibrated softmax for single-label heads, sigmoid for flags."""
        out: dict[str, NDArray[np.float32]] = {}
        for head, values in logits.items():
            if head == "flags":
                out[head] = (1.0 / (1.0 + np.exp(-values))).astype(np.float32)
            else:
                scaled = values / self.config.temperatures.get(head, 1.0)
                bias = self.config.label_bias.get(head)
                if bias is not None:
                    scaled = scaled + np.asarray(bias, dtype=np.float32)
                scaled = scaled - scaled.max(axis=1, keepdims=True)
                exp = np.exp(scaled)
                out[head] = (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)
        return out

    def predict_proba(
        self, texts: Sequence[str], batch_size: int = 32, sentiment: bool = True
    ) -> dict[str, NDArray[np.float32]]:
        return self.probabilities(self.logits(texts, batch_size, sentiment))

    def predict(self, texts: Sequence[str], batch_size: int = 32) -> list[HeadScores]:
        """Scores per head for every text (the ``Classifier`` protocol)."""
        return self._scores(self.predict_proba(texts, batch_size), len(texts))

    def predict_flags(self, texts: Sequence[str], batch_size: int = 32) -> list[HeadScores]:
        """Scores in which only the flags are read in full (the ``FlagScorer`` protocol): a
        long text's sentiment is not read piece by piece. For evidence by occlusion, which
        scores many variants of a comment for one flag."""
        return self._scores(self.predict_proba(texts, batch_size, sentiment=False), len(texts))

    def _scores(self, probs: dict[str, NDArray[np.float32]], n: int) -> list[HeadScores]:
        results: list[HeadScores] = []
        for i in range(n):
            single = {
                head: dict(zip(names, map(float, probs[head][i]), strict=True))
                for head, names in self.config.labels.items()
            }
            flags = dict(zip(self.config.flags, map(float, probs["flags"][i]), strict=True))
            results.append(
                HeadScores(single=single, flags=flags, thresholds=self.config.flag_thresholds)
            )
        return results


def load_model(
    folder: str | Path, threads: int | None = None, precision: str | None = None
) -> TriageModel:
    """The one way a process gets its model: torch's thread count (``None`` leaves torch's
    choice), then :meth:`TriageModel.from_pretrained`. Used by the service and worker processes."""
    if threads:
        torch.set_num_threads(threads)
    return TriageModel.from_pretrained(folder, precision)
