"""Loading labelled data with datasets, and refusing rows outside the label scheme."""

import json
from pathlib import Path

import pytest

from responder.errors import DataError
from responder.model.data import load_comments, parse_flags, split_path

ROW = {"text": "Pakket kwijt", "sentiment": "negative", "intent": "complaint", "topic": "delivery"}


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return path


def test_loads_jsonl_and_drops_extra_columns(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "d.jsonl", [{**ROW, "flags": ["churn_threat"], "id": "x", "platform": "x"}]
    )
    ds = load_comments(path)
    assert ds.column_names == ["text", "sentiment", "intent", "topic", "flags"]
    assert ds[0]["flags"] == ["churn_threat"]


def test_loads_csv_with_semicolon_flags_and_other_text_column(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        "bericht,sentiment,intent,topic,flags\n"
        '"Ik ga naar de krant, en opzeggen",negative,complaint,general,media_threat;churn_threat\n'
        "Top!,positive,praise,general,\n",
        encoding="utf-8",
    )
    ds = load_comments(path, text_column="bericht")
    assert ds[0]["text"].startswith("Ik ga naar de krant")
    assert ds[0]["flags"] == ["media_threat", "churn_threat"]
    assert ds[1]["flags"] == []


def test_unknown_label_names_file_and_row(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "d.jsonl", [{**ROW, "flags": []}, {**ROW, "topic": "weer", "flags": []}]
    )
    with pytest.raises(DataError, match=r"rij 2: topic 'weer' is onbekend"):
        load_comments(path)


def test_missing_column_lists_what_was_found(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [{"text": "x", "sentiment": "neutral"}])
    with pytest.raises(DataError, match=r"ontbreken\. Gevonden: text, sentiment"):
        load_comments(path)


def test_unknown_text_column(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [{**ROW, "flags": []}])
    with pytest.raises(DataError, match="kolom 'bericht' bestaat niet"):
        load_comments(path, text_column="bericht")


def test_missing_file_and_wrong_format(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="niet gevonden"):
        load_comments(tmp_path / "nope.jsonl")
    (tmp_path / "d.xlsx").write_bytes(b"PK")
    with pytest.raises(DataError, match=r"alleen \.jsonl en \.csv"):
        load_comments(tmp_path / "d.xlsx")


@pytest.mark.parametrize(
    ("value", "expected"), [(None, []), ("", []), ("abuse", ["abuse"]), ('["safety"]', ["safety"])]
)
def test_parse_flags(value: object, expected: list[str]) -> None:
    assert parse_flags(value, "x") == expected


def test_parse_flags_refuses_unknown() -> None:
    with pytest.raises(DataError, match="onbekende flag"):
        parse_flags(["boos"], "x")


def test_split_path(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"Geen dev\.jsonl"):
        split_path(tmp_path, "dev")
