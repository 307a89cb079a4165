"""Ranking by fit: a reply whose example comments look like the comment rises, one whose examples
do not falls, within ``MAX_FIT``; no index (or one that sees no difference) keeps the old order;
strong signals stay decisive; the same input gives the same ranking."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from advice_helpers import triage_for
from numpy.typing import NDArray

from responder.advice.plan import CommentContext, plan
from responder.advice.playbook import REGISTERS, load_playbook
from responder.advice.similarity import (
    MAX_FIT,
    MIN_SPREAD,
    ReplyIndex,
    fit_bonuses,
)
from responder.advice.suggest import Suggestions, suggest

PB = load_playbook()
CONTEXT = CommentContext("facebook", datetime(2026, 11, 25, 10, 0), agent_initials="AB")
WIDTH = 256


def bag_of_words(texts: Sequence[str]) -> NDArray[np.float32]:
    """A deterministic stand-in for the encoder: hashed word counts, unit length."""
    out = np.zeros((len(texts), WIDTH), np.float32)
    for row, text in enumerate(texts):
        for word in re.findall(r"\w+", text.lower()):
            out[row, zlib.crc32(word.encode()) % WIDTH] += 1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    unit: NDArray[np.float32] = out / np.maximum(norms, 1e-12)
    return unit


def constant(texts: Sequence[str]) -> NDArray[np.float32]:
    """An encoder that sees no difference between any two texts."""
    return np.ones((len(texts), 8), np.float32)


INDEX = ReplyIndex(PB, bag_of_words)


def ranked(text: str, topic: str, index: ReplyIndex | None, **labels: object) -> Suggestions:
    t = triage_for(text, topic=topic, **labels)  # type: ignore[arg-type]
    return suggest(t, text, CONTEXT, PB, plan(t, text, CONTEXT, PB), fit=index)


def test_the_index_holds_every_example_once() -> None:
    examples = sum(len(r.examples) for s in PB.situations for r in s.replies)
    assert len(INDEX) == examples > 8 * 28


def test_bonuses_are_bounded_and_centred() -> None:
    bonuses = fit_bonuses({0: (0.9, "a"), 1: (0.5, "b"), 2: (0.2, "c"), 3: (0.1, "d")})
    values = [b.bonus for b in bonuses.values()]
    assert max(abs(v) for v in values) == pytest.approx(MAX_FIT)
    assert sum(values) == pytest.approx(0.0, abs=1e-3)
    assert bonuses[0].bonus > 0 > bonuses[3].bonus
    # Fits that hardly differ move little: the spread is at least MIN_SPREAD.
    close = fit_bonuses({0: (0.80, "a"), 1: (0.79, "b")})
    assert max(abs(b.bonus) for b in close.values()) < MAX_FIT * 0.01 / MIN_SPREAD + 1e-6


def test_a_reply_whose_examples_fit_the_comment_moves_up_within_the_bound() -> None:
    text = "Pakket staat op bezorgd, maar niemand heeft iets gekregen."
    before = ranked(text, "delivery", None)
    after = ranked(text, "delivery", INDEX)
    assert before.items[0].template == "bezorgklacht#1/text"
    first = after.items[0]
    assert first.template == "bezorgklacht#4/text"
    assert "'bezorgd'" in first.text
    assert any(line.startswith("Hoger: lijkt op voorbeelden als") for line in first.ranking)
    # Bounded: no reply moves more than MAX_FIT from its score without the fit.
    plain = {s.template: s.score for s in before.items}
    for s in after.items:
        if s.template in plain:
            assert abs(s.score - plain[s.template]) <= MAX_FIT + 1e-9
    likeness = INDEX.likeness("bezorgklacht", text)
    assert likeness[3].bonus == pytest.approx(MAX_FIT)
    assert min(b.bonus for b in likeness.values()) < 0  # one rises, another falls
    assert all(abs(b.bonus) <= MAX_FIT for b in likeness.values())


def test_a_reply_whose_examples_do_not_fit_moves_down() -> None:
    text = "Doos kwam helemaal kapot aan en er mist de helft."
    before = ranked(text, "delivery", None)
    after = ranked(text, "delivery", INDEX)
    order_before = [s.template for s in before.items]
    order_after = [s.template for s in after.items]
    assert order_before != order_after
    assert after.items[0].template == "bezorgklacht#5/text"
    assert len({s.strategy for s in after.items}) == len(after.items)  # still one per strategy


def test_without_an_index_or_with_one_that_sees_no_difference_the_order_stays() -> None:
    text = "Mijn pakket is nog steeds niet binnen, al een week."
    before = ranked(text, "delivery", None)
    flat = ranked(text, "delivery", ReplyIndex(PB, constant))
    assert [s.template for s in flat.items] == [s.template for s in before.items]
    assert [s.score for s in flat.items] == [s.score for s in before.items]
    assert [s.ranking for s in flat.items] == [s.ranking for s in before.items]


def test_the_same_comment_gives_the_same_ranking() -> None:
    text = "Er is twee keer geld afgeschreven voor dezelfde factuur."
    first = ranked(text, "billing", INDEX)
    again = ranked(text, "billing", ReplyIndex(PB, bag_of_words))
    assert first == again


def test_the_playbook_answer_stays_first() -> None:
    text = "Hoe laat zijn jullie zaterdag open? Hebben jullie ook een chat?"
    result = ranked(text, "general", INDEX, sentiment="neutral", intent="question")
    assert "zaterdag" in result.items[0].text.lower()


def test_the_comment_vector_can_be_given() -> None:
    text = "Waar blijft mijn terugbetaling"
    vector = INDEX.vector(text)
    assert INDEX.likeness("factuurklacht", vector) == INDEX.likeness("factuurklacht", text)
    assert INDEX.likeness("spam", text) == {}  # no replies: nothing to rank


def test_embed_must_give_one_row_per_text() -> None:
    with pytest.raises(ValueError, match="matrix"):
        ReplyIndex(PB, lambda texts: np.ones(len(texts), np.float32))


def test_every_situation_with_replies_has_a_bank_of_eight_with_examples() -> None:
    without = {s.id for s in PB.situations if not s.replies}
    assert without == {"spam", "andere_taal"}
    for situation in PB.situations:
        if not situation.replies:
            continue
        assert len(situation.replies) >= 8, situation.id
        for i, reply in enumerate(situation.replies, start=1):
            assert 2 <= len(reply.examples) <= 4, f"{situation.id}#{i}"
            assert not re.search(r"\d|@", " ".join(reply.examples)), f"{situation.id}#{i}"
            for register in REGISTERS:
                assert reply.text.get(register).strip()
                if reply.short is not None:
                    assert reply.short.get(register).strip()


def test_the_triage_model_embeds_unit_vectors_in_order(tiny_base: Path) -> None:
    from responder.model.modeling import TriageModel

    model = TriageModel.from_base(tiny_base)
    texts = ["Waar blijft mijn pakket?", "Top service!", "Waar blijft mijn pakket?"]
    vectors = model.embed(texts)
    assert vectors.shape[0] == 3 and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vectors[0], vectors[2], atol=1e-5)
    assert np.allclose(model.embed(texts[1:2])[0], vectors[1], atol=1e-5)
    assert model.embed([]).shape[0] == 0


@pytest.mark.slow
def test_the_assistant_ranks_by_fit_with_the_vector_of_the_triage(tiny_model: Path) -> None:
    """With fit ranking on, the comment's vector comes from its triage (no second forward pass),
    equals what ``embed`` gives, and the suggestions stay one per strategy and deterministic."""
    from responder.assistant import Assistant
    from responder.config import Settings
    from responder.model.modeling import TriageModel

    text = "Mijn pakket is al een week onderweg en niemand weet waar het is."
    on = Assistant.from_settings(Settings(fit_ranking=True), model=tiny_model)
    model = on.triage_service.embedder()
    assert isinstance(model, TriageModel)
    first = on.advise(text, CONTEXT)
    assert on._fit is not None and len(on._fit) > 8 * 28
    calls = 0
    embed = model.embed

    def counting(texts: Sequence[str], batch_size: int = 32) -> NDArray[np.float32]:
        nonlocal calls
        calls += 1
        return embed(texts, batch_size)

    model.embed = counting  # type: ignore[method-assign]
    on.triage_service.triage(text)
    vector = on.triage_service.vector(text)
    assert calls == 0, "the vector of a comment just triaged is kept"
    assert vector is not None
    assert np.allclose(vector, embed([text])[0], atol=1e-5)
    again = on.advise(text, CONTEXT)
    assert [s.text for s in again.suggestions.items] == [s.text for s in first.suggestions.items]
    assert len({s.strategy for s in first.suggestions.items}) == len(first.suggestions.items)
    off = Assistant.from_settings(Settings(), model=tiny_model)
    assert off.reply_fit(text) == (None, None)
