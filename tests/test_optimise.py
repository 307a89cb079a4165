"""The Dutch-vocabulary copy: trimming changes nothing for covered text; clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from optimised import SAMPLE, optimised_copy

from responder.errors import InputError
from responder.model.modeling import TriageModel
from responder.model.optimise import read_wordlist


@pytest.fixture(scope="module")
def trimmed(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Vocabulary trimmed, float32 arithmetic."""
    return optimised_copy(tiny_model, tmp_path_factory, "none")


def test_trimming_shrinks_the_vocabulary_and_changes_nothing_for_covered_text(
    tiny_model: Path, trimmed: Path
) -> None:
    full, small = TriageModel.from_pretrained(tiny_model), TriageModel.from_pretrained(trimmed)
    info = json.loads((trimmed / "optimisation.json").read_text())
    assert info["pieces_after"] < info["pieces_before"]
    assert small.encoder.get_input_embeddings().num_embeddings == info["pieces_after"]
    for text in SAMPLE:
        a = full.tokenizer.convert_ids_to_tokens(full.tokenizer(text)["input_ids"])
        b = small.tokenizer.convert_ids_to_tokens(small.tokenizer(text)["input_ids"])
        assert a == b, text
    p, q = full.predict_proba(SAMPLE), small.predict_proba(SAMPLE)
    for head in p:
        np.testing.assert_allclose(p[head], q[head], atol=1e-5)
    # Text the word list never saw still tokenises (into smaller pieces), never into nothing.
    ids = small.tokenizer("Zwembadkaartje ĳverig 😀")["input_ids"]
    assert len(ids) > 3 and small.predict(["Zwembadkaartje ĳverig 😀"])


def test_missing_wordlist_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="wdutch"):
        read_wordlist(tmp_path / "geen-lijst")
