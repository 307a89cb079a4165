"""Torture files through ``responder label``: whatever the file, every input row comes out, in
order (with ``error`` where it could not be labelled or something was changed), the input's bytes
never change, and a refusal is one Dutch line with exit code 2, before any work.

The command runs in process over the fake classifier (no model), so the whole suite takes seconds.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from responder.cli import cli

OUTPUTS = ("csv", "jsonl", "xlsx", "parquet")
Label = Callable[..., Any]


def dutch(i: int) -> str:
    """A comment the language check surely calls Dutch (no comma: fits a CSV cell unquoted)."""
    return f"Mijn pakket {i} is nog steeds niet geleverd en ik wacht al weken op een antwoord"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- the files ------------------------------------------------------------------------------------


def write_csv(path: Path, rows: list[list[Any]], encoding: str = "utf-8", **fmt: Any) -> None:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, **fmt).writerows(rows)


def write_jsonl_lines(path: Path, lines: list[str]) -> None:
    path.write_bytes("".join(line + "\n" for line in lines).encode("utf-8", "surrogatepass"))


def lone_surrogates_jsonl(path: Path) -> None:
    write_jsonl_lines(
        path,
        [
            r'{"id": 1, "tekst": "x \ud800"}',
            r'{"id": 2, "tekst": "' + dutch(2) + r'", "meta": {"\udfff": ["\ud83d"]}}',
            r'{"id": 3, "tekst": "' + dutch(3) + r'", "\ud83d": "sleutel kapot"}',
            '{"id": 4, "tekst": "' + dutch(4) + '"}',
        ],
    )


def lone_surrogate_utf16_csv(path: Path) -> None:
    text = f"id,tekst\r\n1,{dutch(1)}\r\n2,{dutch(2)} \ud800\r\n3,{dutch(3)}\r\n"
    path.write_bytes(codecs_bom("utf-16-le") + text.encode("utf-16-le", "surrogatepass"))


def codecs_bom(codec: str) -> bytes:
    import codecs

    return {
        "utf-16-le": codecs.BOM_UTF16_LE,
        "utf-16-be": codecs.BOM_UTF16_BE,
        "utf-32-le": codecs.BOM_UTF32_LE,
    }[codec]


def unterminated_quote_csv(path: Path) -> None:
    """The tester's file: 100 data lines, one opening quote on line 41 that never closes."""
    lines = ["id,tekst"]
    lines += [f'{i},"{dutch(i)}' if i == 40 else f"{i},{dutch(i)}" for i in range(1, 101)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def stray_quote_csv(path: Path) -> None:
    """A quote that does close, but two lines on, in the middle of another row's cell."""
    lines = ["id,tekst"]
    lines += [f'{i},"{dutch(i)}' + ('"' if i != 10 else "") for i in range(1, 21)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def unterminated_last_line_csv(path: Path) -> None:
    path.write_text(f'id,tekst\n1,{dutch(1)}\n2,"{dutch(2)}', encoding="utf-8")


def embedded_newlines_csv(path: Path) -> None:
    path.write_bytes(
        (
            "id,tekst,notitie\r\n"
            f'1,"{dutch(1)}\nen nog een regel","a\r\nb"\r\n'
            f'2,"{dutch(2)}\r\n\r\nmet een lege regel erin",""\r\n'
            f'3,"{dutch(3)}, ""geciteerd""\rmet een losse CR",x\r\n'
        ).encode()
    )


def ragged_csv(path: Path) -> None:
    path.write_text(
        f"id,tekst,kanaal\n1,{dutch(1)}\n2,{dutch(2)},x,extra,nog meer\n3\n4,{dutch(4)},y\n",
        encoding="utf-8",
    )


def nul_bytes_csv(path: Path) -> None:
    path.write_bytes(f"id,tekst\n1,{dutch(1)}\x00\n2,{dutch(2)}\n3,\x00\x00\n".encode())


def ten_megabyte_cell_csv(path: Path) -> None:
    write_csv(
        path, [["id", "tekst"], [1, dutch(1)], [2, "niet geleverd " * 750_000], [3, dutch(3)]]
    )


def cp1252_csv(path: Path) -> None:
    write_csv(
        path,
        [["id", "tekst", "bedrag"], [1, f"Café: {dutch(1)}", "€ 5"], [2, dutch(2), "½"]],
        encoding="cp1252",
        delimiter=";",
    )


def utf8_bom_csv(path: Path) -> None:
    write_csv(
        path, [["id", "Bericht"], [1, f"Crème brûlée — {dutch(1)}"], [2, dutch(2)]], "utf-8-sig"
    )


def wide_csv(codec: str, bom: bool) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        text = f"id;tekst\r\n1;Café: {dutch(1)}\r\n2;{dutch(2)} 👍\r\n"
        path.write_bytes((codecs_bom(codec) if bom else b"") + text.encode(codec))

    return make


def xlsx_workbook(path: Path) -> None:
    """Formulas, merged cells, several sheets, and the second sheet the active one: the first
    sheet is read."""
    book = Workbook()
    first = book.active
    first.title = "Reacties"
    first.append(["id", "tekst", "som"])
    for i in range(1, 5):
        first.append([i, dutch(i), f"=A{i + 1}*2"])
    first.merge_cells("B4:B5")  # row 4's text vanishes into row 3's merged cell
    other = book.create_sheet("Notities")
    other.append(["id", "tekst"])
    other.append([99, "niet dit blad"])
    book.create_sheet("Leeg")
    book.active = 1
    book.save(path)


def parquet_nested(path: Path) -> None:
    table = pa.table(
        {
            "id": pa.array([1, 2, 3], pa.int64()),
            "tekst": [dutch(1), dutch(2), dutch(3)],
            "tags": pa.array([["a", "b"], [], None], pa.list_(pa.string())),
            "meta": pa.array(
                [{"likes": 3, "bron": "x"}, None, {"likes": None, "bron": "fb"}],
                pa.struct([("likes", pa.int64()), ("bron", pa.string())]),
            ),
            "score": pa.array([1.5, math.nan, math.inf]),
            "kaart": pa.array([[("k", 1)], [], None], pa.map_(pa.string(), pa.int64())),
        }
    )
    pq.write_table(table, path)


def jsonl_junk(path: Path) -> None:
    write_jsonl_lines(
        path,
        [
            json.dumps({"id": 1, "tekst": dutch(1)}),
            "onzin",
            "[1, 2]",
            "",
            "   ",
            "null",
            '{"id": 2, "tekst": "afgebroken',
            json.dumps({"id": 3, "tekst": dutch(3), "extra": {"a": [1, None]}}),
            '{"id": 4, "tekst": "' + dutch(4) + '", "id": 5}',
        ],
    )


def jsonl_line_breaks(path: Path) -> None:
    """A raw CR, U+2028, U+0085 and a form feed inside strings: no line break in JSONL."""
    breaks = ["\r", "\u2028", "\u0085", "\x0c"]
    rows = [{"id": i, "tekst": f"{dutch(i)}{c}tweede deel"} for i, c in enumerate(breaks, 1)]
    lines = [
        json.dumps(r, ensure_ascii=False).replace("\\r", "\r").replace("\\f", "\x0c") for r in rows
    ]
    write_jsonl_lines(path, lines)


def jsonl_not_a_number(path: Path) -> None:
    write_jsonl_lines(
        path,
        [
            '{"id": 1, "tekst": "' + dutch(1) + '", "score": NaN}',
            '{"id": 2, "tekst": "' + dutch(2) + '", "score": Infinity, "reeks": [-Infinity, 1]}',
        ],
    )


@dataclass(frozen=True)
class Torture:
    name: str
    suffix: str
    make: Callable[[Path], None]
    ids: list[str]
    """The ``id`` of every row that must come out, in order ("" where the row has none)."""
    errors: dict[int, str] = field(default_factory=dict)
    """Row index → words its ``error`` must contain; every other row is labelled without one."""
    xlsx_errors: dict[int, str] = field(default_factory=dict)
    """Notes that only an Excel output adds (characters Excel refuses, cut cells)."""
    outputs: tuple[str, ...] = OUTPUTS
    text_column: str = "tekst"


def ids(n: int) -> list[str]:
    return [str(i) for i in range(1, n + 1)]


SURROGATE = "losse UTF-16-surrogaten"
CASES = [
    Torture("lone surrogates in JSONL", "jsonl", lone_surrogates_jsonl, ids(4),
            {0: SURROGATE + ") in kolom 'tekst'", 1: "kolom 'meta'", 2: "kolom '\ufffd'"}),
    Torture("lone surrogate in UTF-16", "csv", lone_surrogate_utf16_csv, ids(3), {1: SURROGATE}),
    Torture("unterminated quote", "csv", unterminated_quote_csv, ids(100),
            {39: "regel 41: een aanhalingsteken op deze regel wordt nergens afgesloten"}),
    Torture("quote closing two lines on", "csv", stray_quote_csv, ids(20),
            {9: "regel 11: een aanhalingsteken op deze regel sluit pas op regel 12"}),
    Torture("unterminated quote on the last line", "csv", unterminated_last_line_csv, ids(2),
            {1: "regel 3: een aanhalingsteken op deze regel wordt nergens afgesloten"}),
    Torture("embedded newlines", "csv", embedded_newlines_csv, ids(3)),
    Torture("ragged rows", "csv", ragged_csv, ids(4),
            {0: "1 cel(len) minder", 1: "2 cel(len) meer", 2: "kolom 'tekst' is leeg"}),
    Torture("NUL bytes", "csv", nul_bytes_csv, ids(3), {2: "leeg"},
            {0: "tekens die Excel niet toestaat"}),
    Torture("a 10 MB cell", "csv", ten_megabyte_cell_csv, ids(3), {1: "te lang"},
            {1: "ingekort van 10.500.000 tot 32.767 tekens"}, outputs=("csv", "xlsx")),
    Torture("Windows-1252", "csv", cp1252_csv, ids(2)),
    Torture("UTF-8 with BOM", "csv", utf8_bom_csv, ids(2), text_column="Bericht"),
    Torture("UTF-16 LE with BOM", "csv", wide_csv("utf-16-le", bom=True), ids(2)),
    Torture("UTF-16 BE with BOM", "csv", wide_csv("utf-16-be", bom=True), ids(2)),
    Torture("UTF-16 LE without BOM", "csv", wide_csv("utf-16-le", bom=False), ids(2)),
    Torture("UTF-32 with BOM", "csv", wide_csv("utf-32-le", bom=True), ids(2)),
    Torture("XLSX formulas, merged cells, sheets", "xlsx", xlsx_workbook, ids(4),
            {3: "kolom 'tekst' is leeg"}),
    Torture("Parquet list, struct and map", "parquet", parquet_nested, ids(3)),
    Torture("JSONL junk lines", "jsonl", jsonl_junk, ["1", "", "", "", "", "3", "5"],
            {1: "regel 2: geen geldige JSON", 2: "regel 3: geen JSON-object", 3: "regel 6: geen JSON-object",
             4: "regel 7: geen geldige JSON", 6: "sleutel(s) id dubbel"}),
    Torture("JSONL line breaks inside strings", "jsonl", jsonl_line_breaks, ids(4),
            xlsx_errors={3: "tekens die Excel niet toestaat"}),
    Torture("JSONL NaN and Infinity", "jsonl", jsonl_not_a_number, ids(2)),
]  # fmt: skip


# --- running it -----------------------------------------------------------------------------------


@dataclass
class Ran:
    returncode: int
    stderr: str


@pytest.fixture(scope="module")
def assistant() -> Any:
    """The assistant over the fake classifier, made once (loading the playbook takes a while)."""
    from conftest import FakeClassifier

    from responder.advice.playbook import load_playbook
    from responder.assistant import Assistant
    from responder.config import Settings
    from responder.triage.service import TriageService

    return Assistant(TriageService(FakeClassifier(), Settings()), load_playbook())


@pytest.fixture
def label(assistant: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., Ran]:
    """``responder label ARGS`` in process, over the fake classifier instead of a model."""
    monkeypatch.setattr("responder.cli.label.load_assistant", lambda *_a, **_k: assistant)
    monkeypatch.setenv("RESPONDER_DATABASE_URL", f"sqlite:///{tmp_path / 'audit.db'}")

    def run(*args: str) -> Ran:
        result = CliRunner().invoke(cli, ["label", *args], catch_exceptions=False)
        return Ran(result.exit_code, result.stderr)

    return run


def read_output(path: Path) -> list[dict[str, Any]]:
    """The labelled rows, read back with each format's own library (not ours), strictly."""
    kind = path.suffix[1:]
    if kind == "csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            text = fh.read()
        header = text[: text.index("\n")]
        delimiter = header[header.index("sentiment") - 1]
        return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))
    if kind == "jsonl":

        def refuse(constant: str) -> None:
            raise AssertionError(f"not JSON: {constant}")

        lines = path.read_text(encoding="utf-8").split("\n")
        assert lines[-1] == ""
        return [json.loads(line, parse_constant=refuse) for line in lines[:-1]]
    if kind == "xlsx":
        book = load_workbook(path, read_only=True)
        header, *rows = book.worksheets[0].iter_rows(values_only=True)
        width = len(header)  # a row's empty cells at the end are not in the file
        return [dict(zip(header, row + (None,) * (width - len(row)), strict=True)) for row in rows]
    rows: list[dict[str, Any]] = pq.read_table(path).to_pylist()
    return rows


def assert_rows_kept(case: Torture, src: Path, before: str, out: Path, result: Ran) -> None:
    """The invariants: the input unchanged, nothing left behind, every row out in order, and each
    row either labelled cleanly or carrying the expected note in ``error``."""
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert digest(src) == before, "the input file changed"
    assert sorted(p.name for p in src.parent.iterdir() if p.suffix != ".db") == sorted(
        [src.name, out.name]
    ), "leftovers beside the output"
    rows = read_output(out)
    assert [str(r.get("id") if r.get("id") is not None else "") for r in rows] == case.ids
    assert f"{len(case.ids)} rijen geschreven" in result.stderr
    extra = case.xlsx_errors if out.suffix == ".xlsx" else {}
    for index, row in enumerate(rows):
        error = row["error"] or ""
        for expected in filter(None, (case.errors.get(index), extra.get(index))):
            assert expected in error, (index, error)
        if index not in case.errors and index not in extra:
            assert not error and row["sentiment"], (index, error)


@pytest.mark.parametrize(
    ("case", "out_kind"),
    [(case, kind) for case in CASES for kind in case.outputs],
    ids=[f"{case.name}-{kind}" for case in CASES for kind in case.outputs],
)
def test_every_row_comes_out_and_the_input_is_untouched(
    label: Callable[..., Ran], tmp_path: Path, case: Torture, out_kind: str
) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    src = folder / f"invoer.{case.suffix}"
    case.make(src)
    before = digest(src)
    out = folder / f"uitvoer.{out_kind}"
    result = label(str(src), "-o", str(out), "--text-column", case.text_column)
    assert_rows_kept(case, src, before, out, result)


def test_values_survive_the_torture(label: Callable[..., Ran], tmp_path: Path) -> None:
    """What the invariants do not see: the changed values themselves."""
    src = tmp_path / "in.jsonl"
    lone_surrogates_jsonl(src)
    label(str(src), "-o", str(tmp_path / "out.jsonl"))
    rows = read_output(tmp_path / "out.jsonl")
    assert rows[0]["tekst"] == "x \ufffd" and rows[1]["meta"] == {"\ufffd": ["\ufffd"]}

    src = tmp_path / "nan.jsonl"
    jsonl_not_a_number(src)
    label(str(src), "-o", str(tmp_path / "nan-out.jsonl"))
    rows = read_output(tmp_path / "nan-out.jsonl")
    assert [r["score"] for r in rows] == [None, "Infinity"] and rows[1]["reeks"] == ["-Infinity", 1]

    src = tmp_path / "breaks.jsonl"
    jsonl_line_breaks(src)
    label(str(src), "-o", str(tmp_path / "breaks-out.csv"))
    rows = read_output(tmp_path / "breaks-out.csv")
    assert rows[0]["tekst"].endswith("\rtweede deel") and rows[1]["tekst"].endswith(
        "\u2028tweede deel"
    )

    src = tmp_path / "lang.csv"
    ten_megabyte_cell_csv(src)
    label(str(src), "-o", str(tmp_path / "lang.xlsx"))
    cell = read_output(tmp_path / "lang.xlsx")[1]["tekst"]
    assert len(cell) == 32_767 and cell.startswith("niet geleverd")


# --- refusals -------------------------------------------------------------------------------------


def _spelled_otherwise(folder: Path) -> list[str]:
    (folder / "sub").mkdir()
    return [str(folder / "invoer.csv"), "-o", f"{folder}/./sub/../invoer.csv"]


def _symlinked(folder: Path) -> list[str]:
    (folder / "link.csv").symlink_to(folder / "invoer.csv")
    return [str(folder / "invoer.csv"), "-o", str(folder / "link.csv")]


def _hard_linked(folder: Path) -> list[str]:
    os.link(folder / "invoer.csv", folder / "ook.csv")
    return [str(folder / "invoer.csv"), "-o", str(folder / "ook.csv")]


def _into_a_folder(folder: Path) -> list[str]:
    (folder / "uit.csv").mkdir()
    return [str(folder / "invoer.csv"), "-o", str(folder / "uit.csv")]


def _report_into_a_folder(folder: Path) -> list[str]:
    (folder / "rapport").mkdir()
    args = [str(folder / "invoer.csv"), "-o", str(folder / "uit.csv")]
    return [*args, "--report", str(folder / "rapport")]


def _duplicate_headers(folder: Path) -> list[str]:
    (folder / "invoer.csv").write_text("id,tekst,tekst\n1,a,b\n", encoding="utf-8")
    return [str(folder / "invoer.csv"), "-o", str(folder / "uit.csv")]


def _xlsx_onto_itself(folder: Path) -> list[str]:
    xlsx_workbook(folder / "invoer.xlsx")
    return [str(folder / "invoer.xlsx"), "-o", str(folder / "invoer.xlsx")]


REFUSALS: list[tuple[str, Callable[[Path], list[str]], str]] = [
    ("output is the input", lambda f: [str(f / "invoer.csv"), "-o", str(f / "invoer.csv")],
     "De uitvoer {f}/invoer.csv is het invoerbestand zelf en zou het overschrijven. Kies een "
     "andere naam, bijvoorbeeld invoer-gelabeld.csv."),
    ("output is the input, spelled otherwise", _spelled_otherwise, "invoerbestand zelf"),
    ("output is a symbolic link to the input", _symlinked, "invoerbestand zelf"),
    ("output is a hard link to the input", _hard_linked, "invoerbestand zelf"),
    ("xlsx onto itself", _xlsx_onto_itself, "invoer-gelabeld.xlsx"),
    ("report is the input",
     lambda f: [str(f / "invoer.csv"), "-o", str(f / "uit.csv"), "--report", str(f / "invoer.csv")],
     "Het rapport {f}/invoer.csv is het invoerbestand zelf"),
    ("report is the output",
     lambda f: [str(f / "invoer.csv"), "-o", str(f / "uit.csv"), "--report", str(f / "uit.csv")],
     "Het rapport en de uitvoer zijn hetzelfde bestand"),
    ("output is a folder", _into_a_folder,
     "De uitvoer {f}/uit.csv is een map. Geef een bestandsnaam op, bijvoorbeeld "
     "{f}/uit.csv/invoer-gelabeld.csv."),
    ("report is a folder", _report_into_a_folder, "Het rapport {f}/rapport is een map"),
    ("report in a missing folder",
     lambda f: [str(f / "invoer.csv"), "-o", str(f / "uit.csv"), "--report", str(f / "nee/r.html")],
     "De map voor het rapport bestaat niet"),
    ("duplicate headers", _duplicate_headers, "dubbele kolomnamen: 'tekst' (2×)"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make_args", "needle"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_a_file_that_would_be_lost_is_refused_before_any_work(
    label: Callable[..., Ran],
    assistant: Any,
    tmp_path: Path,
    make_args: Callable[[Path], list[str]],
    needle: str,
) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "invoer.csv").write_text(f"id,tekst\n1,{dutch(1)}\n", encoding="utf-8")
    args = make_args(folder)
    files = {p: digest(p) for p in folder.rglob("*") if p.is_file()}
    calls = len(assistant.triage_service.classifier.calls)
    result = label(*args)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("fout: ") and result.stderr.count("\n") == 1, result.stderr
    assert needle.format(f=folder) in result.stderr
    assert {p: digest(p) for p in folder.rglob("*") if p.is_file()} == files
    assert len(assistant.triage_service.classifier.calls) == calls, "labelled before refusing"
