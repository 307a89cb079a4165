"""Batch labelling keeps every row and field, in order, and loses nothing on bad input."""

import csv
import json
from pathlib import Path

import pytest

from responder.config import Settings
from responder.errors import InputError
from responder.labelling import ADDED_COLUMNS, label_file
from responder.triage import TriageService


@pytest.fixture
def service(fake_classifier) -> TriageService:  # type: ignore[no-untyped-def]
    return TriageService(fake_classifier, Settings(max_text_chars=200))


ROWS = [
    {"id": 1, "text": "Top service!", "meta": {"likes": 3}},
    {"id": 2, "text": "", "meta": None},
    {"id": 3, "text": "Pakket niet geleverd, ik bel mijn advocaat", "meta": [1, 2]},
    {"id": 4, "text": "Where is my parcel? Nobody answers my emails at all.", "meta": "x"},
    {"id": 5, "text": "x" * 300, "meta": 0},
    {"id": 6, "meta": "no text field"},
]


def test_jsonl_keeps_every_row_and_field_in_order(service: TriageService, tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    summary = label_file(service, src, out, batch_size=2)
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in got] == [1, 2, 3, 4, 5, 6]
    for before, after in zip(ROWS, got, strict=True):
        assert {k: after[k] for k in before} == before
        assert list(after)[: len(before)] == list(before)
        assert set(ADDED_COLUMNS) <= set(after)
    assert got[0]["sentiment"] == "positive" and got[0]["error"] is None
    assert got[1]["sentiment"] is None and "leeg" in got[1]["error"]
    assert got[2]["flags"] == ["legal_threat"] and got[2]["flags_scores"] == [0.9]
    assert got[3]["language"] == "en" and got[3]["error"] == "niet_nederlands"
    assert "te lang" in got[4]["error"]
    assert "ontbreekt" in got[5]["error"]
    assert (summary.rows, summary.labelled, summary.not_dutch, summary.errors) == (6, 2, 1, 3)


def test_csv_keeps_columns_and_joins_flags(service: TriageService, tmp_path: Path) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text(
        'bericht,datum\n"Regel een\nregel twee: niet geleverd, advocaat!",2026-11-01\nTop,2026-11-02\n,2026-11-03\n',
        encoding="utf-8",
    )
    label_file(service, src, out, text_column="bericht")
    with out.open(encoding="utf-8", newline="") as fh:
        got = list(csv.DictReader(fh))
    assert [r["datum"] for r in got] == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert got[0]["bericht"].startswith("Regel een\nregel twee")
    assert got[0]["flags"] == "legal_threat"
    assert got[2]["error"] and not got[2]["sentiment"]
    assert list(got[0])[:2] == ["bericht", "datum"]


def test_unknown_text_column_lists_columns(service: TriageService, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("message,author\nhoi,x\n", encoding="utf-8")
    with pytest.raises(InputError, match="Gevonden kolommen: message, author"):
        label_file(service, src, tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_column_clash_needs_a_prefix(service: TriageService, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": "top", "sentiment": "mine"}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="--prefix"):
        label_file(service, src, tmp_path / "out.jsonl")
    label_file(service, src, tmp_path / "out.jsonl", prefix="r_")
    row = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert row["sentiment"] == "mine" and row["r_sentiment"] == "positive"


def test_wrong_encoding_is_a_clear_error_and_writes_nothing(
    service: TriageService, tmp_path: Path
) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes("text\nCafé geweldig\n".encode("cp1252"))
    with pytest.raises(InputError, match="geen UTF-8"):
        label_file(service, src, tmp_path / "out.csv")
    assert list(tmp_path.iterdir()) == [src]


def test_broken_jsonl_line_names_the_line(service: TriageService, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "ok"}\n{"text": \n', encoding="utf-8")
    with pytest.raises(InputError, match="regel 2"):
        label_file(service, src, tmp_path / "out.jsonl")


def test_csv_row_with_extra_cells_keeps_them(service: TriageService, tmp_path: Path) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text("text,a\ntop,1,surplus\n", encoding="utf-8")
    label_file(service, src, out)
    with out.open(encoding="utf-8", newline="") as fh:
        row = next(csv.DictReader(fh))
    assert row["sentiment"] == "positive"
    assert row["error"].endswith('extra cellen: ["surplus"]')


def test_empty_files(service: TriageService, tmp_path: Path) -> None:
    for name in ("in.csv", "in.jsonl"):
        src = tmp_path / name
        src.write_text("", encoding="utf-8")
        summary = label_file(service, src, tmp_path / f"out{src.suffix}")
        assert summary.rows == 0


def test_csv_with_header_only_keeps_the_header(service: TriageService, tmp_path: Path) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text("text,datum\n", encoding="utf-8")
    assert label_file(service, src, out).rows == 0
    assert out.read_text(encoding="utf-8").splitlines()[0] == "text,datum," + ",".join(
        ADDED_COLUMNS
    )
