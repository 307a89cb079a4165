"""Every format in, every format out: values, order and types survive; bad input is explained."""

from __future__ import annotations

import codecs
import csv
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook, load_workbook

from responder.batch.formats import cell_text, detect_encoding, open_source, sniff_delimiter
from responder.batch.labelling import ADDED_COLUMNS, label_file
from responder.config import Settings
from responder.errors import InputError
from responder.triage.service import TriageService

KINDS = ("csv", "xlsx", "jsonl", "parquet")
ROWS: list[dict[str, Any]] = [
    {"id": 1, "tekst": "Top service, bedankt!", "kanaal": "x"},
    {"id": 2, "tekst": "Pakket niet geleverd; ik bel mijn advocaat", "kanaal": None},
    {"id": 3, "tekst": 'Regel een\nregel twee, met "aanhalingstekens"', "kanaal": "facebook"},
    {"id": 4, "tekst": "=)  café € 5,-", "kanaal": "instagram"},
]


@pytest.fixture
def service(fake_classifier) -> TriageService:  # type: ignore[no-untyped-def]
    return TriageService(fake_classifier, Settings(max_text_chars=200))


def write_table(path: Path, rows: list[dict[str, Any]], columns: list[str] | None = None) -> Path:
    """Write ``rows`` in the format of ``path``'s extension, as an export tool would."""
    columns = columns or list(rows[0])
    kind = path.suffix[1:]
    if kind == "csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(columns)
            writer.writerows([cell_text(r.get(c)) for c in columns] for r in rows)
    elif kind == "jsonl":
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    elif kind == "xlsx":
        book = Workbook()
        sheet = book.active
        sheet.title = "Export"
        sheet.append(columns)
        for r in rows:
            sheet.append([r.get(c) for c in columns])
        for line in sheet.iter_rows():
            for cell in line:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text, as Excel stores a typed '=)'
        book.save(path)
    else:
        pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def read_back(path: Path) -> list[dict[str, Any]]:
    return [row.values for row in open_source(path).rows()]


def as_text(value: Any) -> str:
    return cell_text(value)


@pytest.mark.parametrize("src_kind", KINDS)
@pytest.mark.parametrize("out_kind", KINDS)
def test_every_format_to_every_format(
    service: TriageService, tmp_path: Path, src_kind: str, out_kind: str
) -> None:
    src = write_table(tmp_path / f"in.{src_kind}", ROWS)
    out = tmp_path / f"out.{out_kind}"
    summary = label_file(service, src, out)
    assert (summary.rows, summary.errors) == (4, 0)
    got = read_back(out)
    assert len(got) == len(ROWS)
    for before, after in zip(ROWS, got, strict=True):
        assert list(after)[:3] == ["id", "tekst", "kanaal"]
        assert list(after)[3:] == list(ADDED_COLUMNS)
        for key, value in before.items():
            # CSV holds text only and Excel has no empty string; otherwise types survive.
            if "csv" in (src_kind, out_kind) or (value is None and "xlsx" in (src_kind, out_kind)):
                assert as_text(after[key]) == as_text(value), (key, after[key])
            else:
                assert after[key] == value, (key, after[key])
        assert after["sentiment"] in ("positive", "negative", "neutral")
    assert "legal_threat" in as_text(got[1]["flags"])


def test_parquet_keeps_types_and_adds_typed_columns(service: TriageService, tmp_path: Path) -> None:
    table = pa.table(
        {
            "id": pa.array([7, 8], pa.int32()),
            "text": ["Top!", "Ik bel mijn advocaat, niet geleverd"],
            "at": pa.array([datetime(2026, 11, 25, 14, 5), None], pa.timestamp("ms")),
            "day": pa.array([date(2026, 11, 25), date(2026, 11, 26)]),
            "likes": pa.array([[1, 2], None], pa.list_(pa.int64())),
            "kind": pa.array(["a", "b"]).dictionary_encode(),
        },
        metadata={"source": "export"},
    )
    src, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    pq.write_table(table, src)
    label_file(service, src, out)
    result = pq.read_table(out)
    assert result.select(table.column_names).equals(table)
    assert result.schema.metadata == {b"source": b"export"}
    assert result.schema.field("flags").type == pa.list_(pa.string())
    assert result.schema.field("flags_scores").type == pa.list_(pa.float64())
    assert result.schema.field("sentiment_score").type == pa.float64()
    assert result.column("flags").to_pylist() == [[], ["legal_threat"]]


def test_parquet_from_spreadsheet_gets_types_from_values(
    service: TriageService, tmp_path: Path
) -> None:
    rows = [
        {"n": 1, "text": "Top", "when": datetime(2026, 1, 2, 3, 4), "mixed": 1},
        {"n": 2, "text": "Slecht", "when": None, "mixed": "twee"},
    ]
    src, out = write_table(tmp_path / "in.xlsx", rows), tmp_path / "out.parquet"
    label_file(service, src, out)
    schema = pq.read_schema(out)
    assert schema.field("n").type == pa.int64()
    assert schema.field("when").type == pa.timestamp("us")
    assert schema.field("mixed").type == pa.string()
    assert pq.read_table(out).column("mixed").to_pylist() == ["1", "twee"]


def test_xlsx_keeps_values_and_joins_flags(service: TriageService, tmp_path: Path) -> None:
    rows = [
        {
            "text": "Niet geleverd, advocaat",
            "n": 3,
            "f": 0.25,
            "when": datetime(2026, 11, 25, 14, 5),
        },
        {"text": "=SUM(A1:A2)", "n": None, "f": 1.5, "when": datetime(2026, 11, 26)},
    ]
    src, out = write_table(tmp_path / "in.xlsx", rows), tmp_path / "out.xlsx"
    label_file(service, src, out)
    book = load_workbook(out)
    sheet = book.active
    assert sheet.title == "Export"
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:4] == ("text", "n", "f", "when")
    assert values[1][:4] == ("Niet geleverd, advocaat", 3, 0.25, datetime(2026, 11, 25, 14, 5))
    assert values[1][values[0].index("flags")] == "legal_threat"
    assert sheet.cell(3, 1).data_type == "s" and sheet.cell(3, 1).value == "=SUM(A1:A2)"


def test_xlsx_output_replaces_characters_excel_refuses(
    service: TriageService, tmp_path: Path
) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": "Top\x07 service"}) + "\n", encoding="utf-8")
    label_file(service, src, tmp_path / "out.xlsx")
    row = list(load_workbook(tmp_path / "out.xlsx").active.iter_rows(values_only=True))[1]
    assert row[0] == "Top\ufffd service" and "Excel" in row[-1]


@pytest.mark.parametrize(("delimiter", "name"), [(";", "semicolon"), ("\t", "tab"), ("|", "pipe")])
def test_csv_delimiter_is_sniffed_and_kept(
    service: TriageService, tmp_path: Path, delimiter: str, name: str
) -> None:
    src, out = tmp_path / f"{name}.csv", tmp_path / "out.csv"
    body = delimiter.join(["datum", "bericht", "bedrag"]) + "\n"
    body += delimiter.join(["2026-11-25", '"Niet geleverd, echt; slecht"', "5,50"]) + "\n"
    src.write_text(body, encoding="utf-8")
    label_file(service, src, out)
    with out.open(encoding="utf-8", newline="") as fh:
        got = list(csv.reader(fh, delimiter=delimiter))
    assert got[0][:3] == ["datum", "bericht", "bedrag"]
    assert got[1][:3] == ["2026-11-25", "Niet geleverd, echt; slecht", "5,50"]
    assert got[1][3] == "negative"


def test_sniffer_prefers_the_consistent_delimiter() -> None:
    assert sniff_delimiter("a;b;c\n1;2,5;3\n4;5;6\n") == ";"
    assert sniff_delimiter("tekst\nhallo, daar\n") == ","
    assert sniff_delimiter("a\tb\n1\t2\n") == "\t"


def test_csv_round_trip_is_exact(service: TriageService, tmp_path: Path) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    lines = [
        "id,text,note",
        '1,"Regel een\r\nregel twee, ""quote""",  spaties  ',
        "2,Top service,",
        '3,"niet geleverd","a,b"',
    ]
    src.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    label_file(service, src, out)
    with src.open(encoding="utf-8", newline="") as a, out.open(encoding="utf-8", newline="") as b:
        before, after = list(csv.reader(a)), list(csv.reader(b))
    assert [r[:3] for r in after] == before
    assert not out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert out.read_bytes().count(b"\r\n") == 5  # header, three rows, one inside a cell


def test_utf8_bom_is_read_and_kept(service: TriageService, tmp_path: Path) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_bytes(b"\xef\xbb\xbfBericht;Datum\nTop, echt!;25-11-2026\n")
    label_file(service, src, out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfBericht;Datum;sentiment")
    assert detect_encoding(src) == ("utf-8-sig", True)


def test_windows_1252_falls_back_and_says_so(service: TriageService, tmp_path: Path) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_bytes("tekst;prijs\nCafé top;€ 5\n".encode("cp1252"))
    said: list[str] = []
    label_file(service, src, out, notify=said.append)
    assert any("Windows-1252" in s for s in said)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # going back to Excel: UTF-8 with BOM
    row = raw.decode("utf-8-sig").splitlines()[1].split(";")
    assert row[:2] == ["Café top", "€ 5"]


def test_mixed_encodings_are_refused(service: TriageService, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes("text\nCafé\n".encode() + "Crème\n".encode("cp1252"))
    with pytest.raises(InputError, match=r"mengt UTF-8.*regel 3"):
        label_file(service, src, tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_jsonl_with_bom_and_varying_keys_to_csv(service: TriageService, tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.csv"
    lines = [{"text": "Top"}, {"text": "Slecht", "extra": {"a": 1}}, {"id": 3, "text": "Hoi"}]
    src.write_bytes(b"\xef\xbb\xbf" + "".join(json.dumps(r) + "\n" for r in lines).encode())
    label_file(service, src, out)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        got = list(csv.DictReader(fh))
    assert list(got[0])[:3] == ["text", "extra", "id"]
    assert [r["extra"] for r in got] == ["", '{"a": 1}', ""]
    assert got[2]["id"] == "3"


@pytest.mark.parametrize("kind", KINDS)
def test_one_row_and_header_only(service: TriageService, tmp_path: Path, kind: str) -> None:
    one = write_table(tmp_path / f"one.{kind}", ROWS[:1])
    assert label_file(service, one, tmp_path / f"one-out.{kind}").rows == 1
    assert read_back(tmp_path / f"one-out.{kind}")[0]["tekst"] == ROWS[0]["tekst"]
    if kind == "jsonl":
        return  # JSONL has no header
    columns = ["id", "tekst", "kanaal"]
    if kind == "parquet":
        empty = tmp_path / "empty.parquet"
        schema = pa.schema([("id", pa.int64()), ("tekst", pa.string()), ("kanaal", pa.string())])
        pq.write_table(schema.empty_table(), empty)
    else:
        empty = write_table(tmp_path / f"empty.{kind}", [], columns)
    out = tmp_path / f"empty-out.{kind}"
    assert label_file(service, empty, out).rows == 0
    assert open_source(out).columns == [*columns, *ADDED_COLUMNS]


@pytest.mark.parametrize("kind", ("csv", "jsonl"))
def test_completely_empty_file(service: TriageService, tmp_path: Path, kind: str) -> None:
    src = tmp_path / f"in.{kind}"
    src.write_bytes(b"")
    said: list[str] = []
    assert label_file(service, src, tmp_path / "out.csv", notify=said.append).rows == 0
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").startswith("sentiment,")
    assert any("leeg" in s for s in said)


def test_duplicate_columns_are_named(service: TriageService, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("text,datum,text,x,x,x\nhoi,1,2,3,4,5\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"dubbele kolomnamen: 'text' \(2×\), 'x' \(3×\)"):
        label_file(service, src, tmp_path / "out.csv")
    book = Workbook()
    book.active.append(["tekst", "Tekst", "tekst"])
    book.save(tmp_path / "in.xlsx")
    with pytest.raises(InputError, match="'tekst' \\(2×\\)"):
        label_file(service, tmp_path / "in.xlsx", tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_xlsx_cells_beyond_the_header_and_empty_rows(
    service: TriageService, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    for row in (["text", "n"], ["Top", 1, "extra"], [], ["Slecht", 2], [], []):
        sheet.append(row)
    book.create_sheet("Andere")
    book.save(tmp_path / "in.xlsx")
    said: list[str] = []
    label_file(service, tmp_path / "in.xlsx", tmp_path / "out.jsonl", notify=said.append)
    got = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert [r["text"] for r in got] == ["Top", None, "Slecht"]  # trailing empty rows: layout
    assert got[0]["error"].endswith('extra cellen: ["extra"]') and got[0]["sentiment"]
    assert got[1]["error"] == "lege rij"
    assert any("werkbladen" in s and "Andere" in s for s in said)


def test_xlsx_with_a_wrong_dimension_is_read_whole(service: TriageService, tmp_path: Path) -> None:
    import zipfile

    src = write_table(tmp_path / "in.xlsx", ROWS)
    fixed = tmp_path / "fixed.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(fixed, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b'<dimension ref="A1:C5" />' in data
                data = data.replace(b'<dimension ref="A1:C5" />', b'<dimension ref="A1:A1" />')
            zout.writestr(item, data)
    label_file(service, fixed, tmp_path / "out.jsonl")
    got = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert [{k: r[k] for k in ROWS[0]} for r in got] == ROWS


@pytest.mark.parametrize(
    ("name", "data", "needle"),
    [
        ("kapot.xlsx", b"geen zip", "geen geldig Excel-bestand"),
        ("kapot.parquet", b"PAR1 kapot", "geen geldig Parquet-bestand"),
        ("kapot.txt", b"text\nhoi\n", "onbekend bestandstype"),
    ],
)
def test_unreadable_files_are_clear_errors(
    service: TriageService, tmp_path: Path, name: str, data: bytes, needle: str
) -> None:
    src = tmp_path / name
    src.write_bytes(data)
    with pytest.raises(InputError, match=needle):
        label_file(service, src, tmp_path / "out.csv")


def test_unknown_output_extension(service: TriageService, tmp_path: Path) -> None:
    src = write_table(tmp_path / "in.csv", ROWS)
    with pytest.raises(InputError, match=r"\.csv, \.xlsx, \.jsonl of \.parquet"):
        label_file(service, src, tmp_path / "out.xls")


@pytest.mark.parametrize("kind", KINDS)
def test_lone_surrogates_reach_every_writer_as_replacement_characters(
    service: TriageService, tmp_path: Path, kind: str
) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        '{"tekst": "x \\ud800"}\n{"tekst": "top", "meta": {"a": ["\\udfff"]}}\n{"tekst": "top"}\n',
        encoding="utf-8",
    )
    out = tmp_path / f"out.{kind}"
    assert label_file(service, src, out).rows == 3
    got = read_back(out)
    assert got[0]["tekst"] == "x \ufffd" and "\ufffd" in as_text(got[1]["meta"])
    assert [r["error"] for r in got] == [
        "ongeldige tekens (losse UTF-16-surrogaten) in kolom 'tekst' vervangen door \ufffd",
        "ongeldige tekens (losse UTF-16-surrogaten) in kolom 'meta' vervangen door \ufffd",
        None if kind != "csv" else "",
    ]


def test_xlsx_output_says_where_a_cell_was_cut(service: TriageService, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    long = "é" * 40_000
    emoji = "a" + "👍" * 20_000  # Excel counts UTF-16 units: each emoji is two
    src.write_text(json.dumps({"text": "Top", "lang": long, "emoji": emoji}) + "\n", "utf-8")
    label_file(service, src, tmp_path / "out.xlsx")
    sheet = load_workbook(tmp_path / "out.xlsx").active
    header, row = list(sheet.iter_rows(values_only=True))
    values = dict(zip(header, row, strict=True))
    assert values["lang"] == long[:32_767]
    assert values["emoji"] == emoji[: 1 + 16_383]
    assert values["sentiment"] == "positive"
    assert values["error"] == (
        "kolom 'lang' ingekort van 40.000 tot 32.767 tekens (meer past niet in een Excel-cel); "
        "de volledige tekst staat in de invoer; kolom 'emoji' ingekort van 20.001 tot 16.384 "
        "tekens (meer past niet in een Excel-cel); de volledige tekst staat in de invoer"
    )


@pytest.mark.parametrize(
    ("codec", "bom"),
    [
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-32-le", codecs.BOM_UTF32_LE),
        ("utf-32-be", codecs.BOM_UTF32_BE),
        ("utf-16-le", b""),
        ("utf-16-be", b""),
    ],
    ids=[
        "utf-16-le",
        "utf-16-be",
        "utf-32-le",
        "utf-32-be",
        "utf-16-le-no-bom",
        "utf-16-be-no-bom",
    ],
)
def test_utf16_and_utf32_are_recognised(
    service: TriageService, tmp_path: Path, codec: str, bom: bytes
) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_bytes(bom + "tekst\tprijs\r\nCafé top\t€ 5\r\n".encode(codec))
    said: list[str] = []
    label_file(service, src, out, notify=said.append)
    assert out.read_bytes().startswith("\ufefftekst\tprijs\tsentiment".encode())
    assert read_back(out)[0]["tekst"] == "Café top" and read_back(out)[0]["prijs"] == "€ 5"
    assert any("herkend aan de nul-bytes" in s for s in said) == (not bom)


def test_broken_utf16_is_refused(service: TriageService, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes(codecs.BOM_UTF16_LE + "tekst\r\nhallo\r\n".encode("utf-16-le") + b"x")
    with pytest.raises(InputError, match=r"is UTF-16, maar beschadigd rond regel 3"):
        label_file(service, src, tmp_path / "out.csv")


def test_a_few_nul_bytes_are_not_utf16(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes(b"tekst\nhal\x00lo\n" + b"a\x00" * 3)
    assert detect_encoding(src) == ("utf-8", False)


def test_jsonl_lines_end_at_newline_only(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes('{"text": "een\rtwee\u2028drie\u0085vier"}\r\n{"text": "b"}\n'.encode())
    rows = read_back(src)
    assert [r["text"] for r in rows] == ["een\rtwee\u2028drie\u0085vier", "b"]


def test_jsonl_output_is_strict_json(service: TriageService, tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(
        '{"text": "top", "a": NaN, "b": [Infinity, -Infinity], "c": "x\u2028y"}\n', "utf-8"
    )
    label_file(service, src, out)

    def refuse(constant: str) -> None:
        raise AssertionError(constant)

    raw = out.read_text(encoding="utf-8")
    assert "\u2028" not in raw and raw.count("\n") == 1
    row = json.loads(raw, parse_constant=refuse)
    assert (row["a"], row["b"], row["c"]) == (None, ["Infinity", "-Infinity"], "x\u2028y")


def test_xlsx_reads_the_first_sheet_whichever_is_active(
    service: TriageService, tmp_path: Path
) -> None:
    book = Workbook()
    book.active.append(["text"])
    book.active.append(["Top service"])
    book.create_sheet("Later").append(["niet dit"])
    book.active = 1
    book.save(tmp_path / "in.xlsx")
    said: list[str] = []
    label_file(service, tmp_path / "in.xlsx", tmp_path / "out.jsonl", notify=said.append)
    assert [r["text"] for r in read_back(tmp_path / "out.jsonl")] == ["Top service"]
    assert any("alleen 'Sheet' wordt gelabeld (niet: 'Later')" in s for s in said)


@pytest.mark.parametrize(
    ("body", "texts", "note"),
    [
        (
            'id,text\n1,top\n2,"open\n3,top\n4,top\n',
            ["top", "open", "top", "top"],
            "regel 3: een aanhalingsteken op deze regel wordt nergens afgesloten; de regel is "
            "los gelezen en de regels erna elk als eigen rij",
        ),
        (
            'id,text\n1,"top"\n2,"open\n3,"top"\n4,"top"\n',
            ["top", "open", "top", "top"],
            "regel 3: een aanhalingsteken op deze regel sluit pas op regel 4, midden in een cel",
        ),
        (
            'id,text\n1,"top\nen verder"\n2,"x ""y"" z"\n3,"open',
            ["top\nen verder", 'x "y" z', "open"],
            "regel 5: een aanhalingsteken op deze regel wordt nergens afgesloten; de regel is "
            "los gelezen. Controleer",
        ),
    ],
    ids=["to-the-end", "closes-later", "last-line"],
)
def test_a_stray_quote_never_merges_rows(
    tmp_path: Path, body: str, texts: list[str], note: str
) -> None:
    src = tmp_path / "in.csv"
    src.write_text(body, encoding="utf-8")
    source = open_source(src)
    rows = list(source.rows())
    assert source.total == len(rows) == len(texts)
    assert [r.values["text"] for r in rows] == texts
    noted = [r for r in rows if r.problems]
    assert len(noted) == 1 and noted[0].problems[0].startswith(note)


def test_a_header_with_a_stray_quote_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text('id,"text\n1,top\n', encoding="utf-8")
    with pytest.raises(InputError, match="De kopregel is onleesbaar: regel 1: een aanhalingsteken"):
        open_source(src)
