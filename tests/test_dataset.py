"""The team's data set meets the coverage the product needs and holds no personal data."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from responder.labels import FLAGS, INTENTS, TOPICS

DATA = Path(__file__).resolve().parents[1] / "data" / "comments"


@pytest.fixture(scope="module")
def rows() -> dict[str, list[dict]]:
    return {
        split: [
            json.loads(line)
            for line in (DATA / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
        ]
        for split in ("train", "dev", "test")
    }


def test_size_and_coverage(rows: dict[str, list[dict]]) -> None:
    everything = [r for split in rows.values() for r in split]
    assert len(everything) >= 3000
    topics = Counter(r["topic"] for r in everything)
    intents = Counter(r["intent"] for r in everything)
    flags = Counter(f for r in everything for f in r["flags"])
    sentiments = Counter(r["sentiment"] for r in everything)
    assert all(topics[t] >= 250 for t in TOPICS), topics
    assert all(intents[i] >= 250 for i in INTENTS), intents
    assert all(flags[f] >= 120 for f in FLAGS), flags
    assert min(sentiments.values()) >= 0.15 * len(everything), sentiments


def test_splits_are_disjoint(rows: dict[str, list[dict]]) -> None:
    texts = {split: {r["text"].lower() for r in split_rows} for split, split_rows in rows.items()}
    assert not texts["train"] & texts["test"]
    assert not texts["train"] & texts["dev"]
    assert not texts["dev"] & texts["test"]


def test_no_personal_data(rows: dict[str, list[dict]]) -> None:
    phone = re.compile(r"(?<!\d)(?:\+31|0031|06)[\s-]?\d{2,4}[\s-]?\d{2,4}[\s-]?\d{0,4}(?!\d)")
    email = re.compile(r"[\w.+-]+@[\w-]+\.[a-z]{2,}")
    postcode_street = re.compile(r"\b\d{4}\s?[A-Z]{2}\b")
    for split_rows in rows.values():
        for r in split_rows:
            assert not phone.search(r["text"]), r["text"]
            assert not email.search(r["text"]), r["text"]
            assert not postcode_street.search(r["text"]), r["text"]
