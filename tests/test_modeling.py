"""The triage model: save/load round trip, determinism, and clear errors for broken folders."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from optimised import SAMPLE as OPT_SAMPLE

from responder.errors import ModelLoadError, ModelNotFoundError
from responder.model.modeling import TriageModel
from responder.model.training_args import TrainingArgs

TEXTS = ["mijn pakket is niet geleverd", "super bedankt, top service", "is er een storing?", "!!!"]


def test_saved_model_has_card_config_labels_and_metrics(tiny_model: Path) -> None:
    for name in (
        "README.md",
        "triage_config.json",
        "training_args.json",
        "heads.safetensors",
        "config.json",
        "tokenizer.json",
        "metrics.json",
        "eval_report.md",
    ):
        assert (tiny_model / name).is_file(), name
    config = json.loads((tiny_model / "triage_config.json").read_text())
    assert config["labels"]["topic"][0] == "delivery" and len(config["flags"]) == 7
    metrics = json.loads((tiny_model / "metrics.json").read_text())
    assert set(metrics["baselines"]) == {"majority", "textblob_nl"}
    assert "textblob_nl" in (tiny_model / "README.md").read_text()


def test_round_trip_gives_identical_probabilities(tiny_model: Path, tmp_path: Path) -> None:
    model = TriageModel.from_pretrained(tiny_model)
    before = model.predict_proba(TEXTS)
    model.save_pretrained(tmp_path / "copy")
    shutil.copy(tiny_model / "training_args.json", tmp_path / "copy")
    after = TriageModel.from_pretrained(tmp_path / "copy").predict_proba(TEXTS)
    for head in before:
        np.testing.assert_allclose(before[head], after[head], atol=1e-6)


def test_predictions_follow_input_order_and_sum_to_one(tiny_model: Path) -> None:
    model = TriageModel.from_pretrained(tiny_model)
    together = model.predict_proba(TEXTS, batch_size=2)
    alone = [model.predict_proba([t]) for t in TEXTS]
    for i in range(len(TEXTS)):
        np.testing.assert_allclose(together["topic"][i], alone[i]["topic"][0], atol=1e-5)
    assert np.allclose(together["sentiment"].sum(axis=1), 1.0, atol=1e-5)
    assert model.predict_proba([])["flags"].shape == (0, 7)


def test_tiny_model_learned_the_training_pattern(tiny_model: Path) -> None:
    scores = TriageModel.from_pretrained(tiny_model).predict(["super bedankt, top service 999"])[0]
    assert scores.top("sentiment")[0] == "positive"


def test_training_is_deterministic_for_a_seed(tiny_base: Path, tiny_data: Path) -> None:
    from responder.model.data import load_comments
    from responder.model.trainer import train

    rows = list(load_comments(tiny_data / "train.jsonl"))[:24]
    args = TrainingArgs(base_model=str(tiny_base), epochs=1, batch_size=8, seed=7, freeze_layers=0)
    first, _ = train(args, rows, [], tiny_base)
    second, _ = train(args, rows, [], tiny_base)
    third, _ = train(
        TrainingArgs(base_model=str(tiny_base), epochs=1, batch_size=8, seed=8, freeze_layers=0),
        rows,
        [],
        tiny_base,
    )
    a, b, c = (m.predict_proba(TEXTS)["intent"] for m in (first, second, third))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="responder model build"):
        TriageModel.from_pretrained(tmp_path / "nothing")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda p: (p / "triage_config.json").unlink(), "triage_config.json"),
        (lambda p: (p / "heads.safetensors").write_bytes(b"garbage"), "classificatiekoppen"),
        (lambda p: (p / "model.safetensors").write_bytes(b"garbage"), "model"),
        (lambda p: (p / "config.json").write_text("{not json"), "model"),
    ],
)
def test_corrupt_folder_gives_a_clear_error(
    tiny_model: Path, tmp_path: Path, damage, message: str
) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "broken"
    shutil.copytree(tiny_model, broken)
    damage(broken)
    with pytest.raises(ModelLoadError, match=message):
        TriageModel.from_pretrained(broken)


def test_batching_by_length_keeps_every_text_with_its_own_scores(tiny_model: Path) -> None:
    """Texts are sorted by token count into batches; each score must come back to its text."""
    model = TriageModel.from_pretrained(tiny_model, precision="none")
    texts = [OPT_SAMPLE[i % len(OPT_SAMPLE)] * (1 + i % 4) for i in range(37)]
    together = model.predict_proba(texts, batch_size=8)
    for i in (0, 5, 17, 36):
        alone = model.predict_proba([texts[i]], batch_size=1)
        for head in together:
            np.testing.assert_allclose(together[head][i], alone[head][0], atol=1e-5)
    empty = model.predict_proba([])
    assert all(v.shape == (0, len(model.config.names(h))) for h, v in empty.items())


def test_the_flags_of_a_long_text_also_read_its_end(tiny_model: Path) -> None:
    """A text longer than the model reads gets a second window with its last tokens; each flag
    takes the higher of the two, sentiment the mean, intent and topic keep the beginning."""
    model = TriageModel.from_pretrained(tiny_model, precision="none")
    model.config.sentence_chunks = 0  # sentiment as the beginning and the end say it
    limit = model._max_tokens()
    short = "mijn pakket is niet geleverd"
    long = " ".join(["de levering van mijn pakket duurt al weken"] * 40) + " ik bel mijn advocaat"
    windows = list(model.tail_batches([short, long, short], batch_size=8))
    assert [rows for rows, _, _ in windows] == [[1]]  # only the long text
    _, input_ids, mask = windows[0]
    window = min(limit, model.config.tail_length)
    assert input_ids.shape == (1, window) and int(mask.sum()) == window
    full = model.tokenizer(model.config.text_prefix + long)["input_ids"]
    assert len(full) > limit
    head = model._prefix_tokens()  # the start token and "query:" as inside a text
    assert 1 < head < 10 and full[:head] == input_ids[0].tolist()[:head]
    assert input_ids[0].tolist() == full[:head] + full[-(window - head) :]  # then the end
    assert input_ids.shape[1] <= limit
    with_tail = model.predict_proba([short, long])
    model.config.read_tail = False
    without = model.predict_proba([short, long])
    model.config.tail_length = head + 2  # too small to hold a sentence: no tail is read
    assert list(model.tail_batches([long], batch_size=8)) == []
    model.config.tail_length = 64
    with torch.inference_mode():
        tail_logits = model.heads["flags"](model.features(input_ids, mask)).float().numpy()[0]
    tail = 1.0 / (1.0 + np.exp(-tail_logits))
    assert not np.allclose(tail, without["flags"][1], atol=1e-4)  # the end reads differently
    np.testing.assert_allclose(
        with_tail["flags"][1], np.maximum(without["flags"][1], tail), atol=1e-5
    )
    np.testing.assert_allclose(with_tail["flags"][0], without["flags"][0], atol=1e-6)
    for head in ("intent", "topic"):
        np.testing.assert_allclose(with_tail[head], without[head], atol=1e-6)
    # sentiment: the short text as before, the long one the mean of beginning and end (logits)
    np.testing.assert_allclose(with_tail["sentiment"][0], without["sentiment"][0], atol=1e-6)
    model.config.read_tail = True
    logits_with = model.logits([long])["sentiment"][0]
    model.config.read_tail = False
    logits_without = model.logits([long])["sentiment"][0]
    with torch.inference_mode():
        end = model.heads["sentiment"](model.features(input_ids, mask)).float().numpy()[0]
    assert not np.allclose(end, logits_without, atol=1e-4)
    np.testing.assert_allclose(logits_with, (logits_without + end) / 2, atol=1e-5)


REVIEW = (
    "Het boek begint goed. De schrijver neemt je mee naar Parijs in 1920, waar een jonge vrouw "
    "op zoek gaat naar haar vader die ze nooit heeft gekend en die volgens haar moeder al "
    "jaren dood is! Maar daarna zakt het helemaal in... Het einde is voorspelbaar en saai. "
    "Zonde van mijn geld.\nNooit meer."
)


def test_a_long_text_is_read_in_pieces_of_whole_sentences(tiny_model: Path) -> None:
    """Every token of the text is read once, in order; a piece never holds more than the budget;
    a piece ends where a sentence ends unless one sentence alone is too long."""
    model = TriageModel.from_pretrained(tiny_model, precision="none")
    model.config.sentence_chunks = 24
    full = model.tokenizer(model.config.text_prefix + REVIEW)["input_ids"]
    head = model._prefix_tokens()
    pieces = model.sentence_pieces(["kort", REVIEW, "ook kort"])
    assert list(pieces) == [1]  # only the long text
    seqs = pieces[1]
    assert len(seqs) >= 3
    assert all(len(seq) <= 24 for seq in seqs)
    assert all(seq[:head] == full[:head] and seq[-1] == full[-1] for seq in seqs)
    assert [tok for seq in seqs for tok in seq[head:-1]] == full[head:-1]
    # where each piece ends in the text: at the end of a sentence, or the piece is full
    string = model.config.text_prefix + REVIEW
    ends = model.tokenizer(string, return_offsets_mapping=True)["offset_mapping"]
    room = 24 - head - 1
    read, at_sentence_end = head, 0
    for seq in seqs:
        read += len(seq) - head - 1
        before = string[: ends[read - 1][1]]
        full = len(seq) - head - 1 == room
        assert before.endswith((".", "!", "...")) or full, before
        at_sentence_end += before.endswith((".", "!", "...")) and not full
    assert at_sentence_end >= 2
    assert any(len(seq) - head - 1 == room for seq in seqs)  # some sentence was too long
    assert model.sentence_pieces([]) == {}
    model.config.sentence_chunks = 0
    assert model.sentence_pieces([REVIEW]) == {}
    model.config.sentence_chunks = head + 3  # too small to hold a sentence: read as before
    assert model.sentence_pieces([REVIEW]) == {}


def test_a_line_break_ends_a_sentence_without_punctuation(tiny_model: Path) -> None:
    """Reviews and posts often end their lines without a full stop: a piece still ends there."""
    model = TriageModel.from_pretrained(tiny_model, precision="none")
    model.config.sentence_chunks = 40
    lines = ["het boek was saai", "de schrijver kan er niks van", "nooit meer", "zonde"] * 3
    text = "\n".join(lines)
    string = model.config.text_prefix + text
    encoded = model.tokenizer(string, return_offsets_mapping=True)
    head, ends = model._prefix_tokens(), encoded["offset_mapping"]
    (seqs,) = model.sentence_pieces([text]).values()
    assert len(seqs) >= 3
    read = head
    for seq in seqs[:-1]:
        read += len(seq) - head - 1
        # the piece's last token ends a line: a line break follows it
        assert string[ends[read - 1][1] :].startswith("\n"), string[: ends[read - 1][1]]


def test_the_sentiment_of_a_long_text_is_the_mean_of_its_pieces(tiny_model: Path) -> None:
    """Only sentiment changes, and only for a long text whose sentiment read whole is unsure;
    intent, topic and flags read as before; short texts unchanged."""
    model = TriageModel.from_pretrained(tiny_model, precision="none")
    texts = ["mijn pakket is niet geleverd", REVIEW]
    model.config.sentence_chunks = 0
    before = model.logits(texts)
    model.config.sentence_chunks = 24
    model.config.sentence_chunks_below = 0.0  # every text is sure of itself: no pieces read
    for head, values in model.logits(texts).items():
        np.testing.assert_allclose(values, before[head], atol=1e-5)
    model.config.sentence_chunks_below = 1.1  # every long text is read in pieces
    after = model.logits(texts)
    for head in ("intent", "topic", "flags"):
        np.testing.assert_allclose(after[head], before[head], atol=1e-5)
    np.testing.assert_allclose(after["sentiment"][0], before["sentiment"][0], atol=1e-5)
    seqs = model.sentence_pieces(texts)[1]
    with torch.inference_mode():
        alone = [
            model.heads["sentiment"](
                model.features(torch.tensor([seq]), torch.ones((1, len(seq)), dtype=torch.long))
            )
            .float()
            .numpy()[0]
            for seq in seqs
        ]
    assert not np.allclose(after["sentiment"][1], before["sentiment"][1], atol=1e-4)
    np.testing.assert_allclose(after["sentiment"][1], np.mean(alone, axis=0), atol=1e-4)
    # for the flags alone (evidence) the pieces are not read: the flags are the same
    full, flags_only = model.predict(texts), model.predict_flags(texts)
    for a, b in zip(full, flags_only, strict=True):
        assert a.flags == pytest.approx(b.flags, abs=1e-6)
    assert flags_only[1].single["sentiment"] != pytest.approx(full[1].single["sentiment"])


def test_the_training_prior_is_partly_divided_out_of_sentiment() -> None:
    from responder.model.trainer import UNLABELLED, prior_bias

    # 6 negative, 3 neutral, 1 positive, and two ordinary texts without a sentiment label.
    targets = {
        "sentiment": np.array([0] * 6 + [1] * 3 + [2] + [UNLABELLED] * 2),
        "intent": np.array([0] * 12),
    }
    labels = {"sentiment": ["negative", "neutral", "positive"], "intent": ["complaint", "other"]}
    bias = prior_bias(targets, labels, {"sentiment": 0.5})
    assert set(bias) == {"sentiment"}  # only the heads asked for
    neg, neu, pos = bias["sentiment"]
    assert neg < neu < pos and abs(neg + neu + pos) < 1e-3
    assert pos - neg == pytest.approx(0.5 * np.log(6), abs=1e-3)  # half of log(6/1)
    assert prior_bias(targets, labels, {"sentiment": 0.0}) == {}
    with pytest.raises(ValueError, match="sentimnet"):
        prior_bias(targets, labels, {"sentimnet": 0.5})


def test_a_label_bias_shifts_probabilities_and_survives_a_round_trip(
    tiny_model: Path, tmp_path: Path
) -> None:
    model = TriageModel.from_pretrained(tiny_model)
    assert "sentiment" in model.config.label_bias  # the default recipe corrects the prior
    model.config.label_bias = {}
    plain = model.predict_proba(TEXTS)["sentiment"]
    names = model.config.labels["sentiment"]
    model.config.label_bias = {"sentiment": [1.0 if n == "positive" else 0.0 for n in names]}
    shifted = model.predict_proba(TEXTS)["sentiment"]
    pos = names.index("positive")
    assert (shifted[:, pos] > plain[:, pos]).all()
    np.testing.assert_allclose(shifted.sum(axis=1), 1.0, atol=1e-5)
    # exp(1) more weight on positive: the odds against any other label grow by e.
    other = (pos + 1) % len(names)
    ratio = (shifted[:, pos] / shifted[:, other]) / (plain[:, pos] / plain[:, other])
    np.testing.assert_allclose(ratio, np.e, rtol=1e-3)
    model.save_pretrained(tmp_path / "copy")
    shutil.copy(tiny_model / "training_args.json", tmp_path / "copy")
    again = TriageModel.from_pretrained(tmp_path / "copy").predict_proba(TEXTS)["sentiment"]
    np.testing.assert_allclose(again, shifted, atol=1e-6)
