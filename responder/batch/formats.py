"""Comment tables on disk, read and written row by row: CSV, XLSX, JSONL and Parquet.

Readers stream (``csv``, openpyxl read-only, ``ParquetFile.iter_batches``) and never hold a whole
file; each row keeps every value it has, and what is wrong with it travels along as a Dutch note
instead of dropping the row. Writers take rows in chunks (openpyxl write-only, ``ParquetWriter``).

CSV: the encoding is checked over the whole file first (UTF-8, with or without BOM; UTF-16 and
UTF-32 by their BOM, UTF-16 also without one by its zero bytes; Windows-1252 as a fallback that is
announced, never guessed silently), the delimiter is sniffed from ``,`` ``;`` tab and ``|``, and
the output keeps the input's delimiter and line ending. The output is UTF-8, *with* a BOM when the
input had one, was not UTF-8 or was a spreadsheet (signs that it is going back to Excel, which
needs the BOM to read UTF-8), and without one otherwise, so that a UTF-8 round trip is exact. A
stray quote never merges lines silently: the line it opens on is read on its own, with a note.

Every value read is valid Unicode: a lone surrogate (JSON's ``"\\ud800"``, broken UTF-16), which
no writer can encode, becomes U+FFFD with a note in the row's ``error``.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol, TextIO

from responder.errors import InputError
from responder.triage.normalise import without_surrogates

KINDS = {".csv": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl", ".parquet": "parquet"}
DELIMITERS = (",", ";", "\t", "|")
XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_CHARS = 32_767
"""Excel's limit on the text in one cell (in UTF-16 units, as Excel counts)."""
CSV_FIELD_LIMIT = 64 * 1024 * 1024
_SNIFF_CHARS = 64 * 1024
_BLOCK = 1 << 20
_EXCEL_MAX_INT = 2**53
_RAW_SHOWN = 500

Notify = Callable[[str], None]


def _quiet(_message: str) -> None:
    pass


def kind_of(path: Path) -> str:
    """``csv``, ``xlsx``, ``jsonl`` or ``parquet``, from the file's extension."""
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            f"{path}: onbekend bestandstype '{path.suffix or '(geen extensie)'}'. "
            "Gebruik .csv, .xlsx, .jsonl of .parquet."
        )
    return kind


# --- values ---------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A value as text for a CSV cell (and wherever a value must become text)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, default=json_default)
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    return str(value)


def json_default(value: Any) -> Any:
    """``json.dumps`` hook for values JSON has no type for (dates, decimals, bytes)."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return cell_text(value)


def finite(value: Any) -> Any:
    """``value`` without NaN or infinity, which JSON and Excel cannot hold: NaN (a missing value
    in pandas exports) becomes ``None``, infinity the text ``Infinity`` or ``-Infinity``; lists and
    objects are converted throughout."""
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    return value


def value_kind(value: Any) -> str:
    """A name for the value's type, as used to choose a Parquet column type."""
    if isinstance(value, datetime):
        return "datetime_tz" if value.tzinfo is not None else "datetime"
    if type(value) is int and not -(2**63) <= value < 2**63:
        return "bigint"
    return type(value).__name__


# --- the source -----------------------------------------------------------------------------------


@dataclass
class SourceRow:
    """One input row: its values by column, and what is wrong with it (Dutch, for ``error``)."""

    values: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    unreadable: bool = False
    """Nothing sensible could be read; the row is kept, with its problem, but not labelled."""


@dataclass
class Source:
    """An opened input file: its columns, row count and how to read it again."""

    path: Path
    kind: str
    columns: list[str]
    total: int | None
    """Number of data rows (exact for CSV, JSONL and Parquet; XLSX from its metadata)."""
    fixed_columns: bool = True
    """Every row has exactly ``columns`` (not so for JSONL, where each row has its own keys)."""
    encoding: str = "utf-8"
    has_bom: bool = False
    delimiter: str = ","
    line_terminator: str = "\r\n"
    sheet: str | None = None
    arrow_schema: Any = None

    def rows(self, batch_size: int = 5000) -> Iterator[SourceRow]:
        readers: dict[str, Callable[[], Iterator[SourceRow]]] = {
            "csv": self._csv_rows,
            "jsonl": self._jsonl_rows,
            "xlsx": self._xlsx_rows,
            "parquet": lambda: self._parquet_rows(batch_size),
        }
        return map(valid_unicode, readers[self.kind]())

    # CSV

    def _csv_rows(self) -> Iterator[SourceRow]:
        header = self.columns
        with _open_text(self.path, self.encoding, "") as fh:
            records = _csv_records(fh, self.delimiter)
            _read_header(records)
            for record in records:
                if record.values is None:
                    yield SourceRow(dict.fromkeys(header), [str(record.problem)], unreadable=True)
                elif not record.values:
                    yield SourceRow(dict.fromkeys(header), ["lege regel"], unreadable=True)
                else:
                    row = _fit_to_header(header, record.values)
                    if record.problem:
                        row.problems.insert(0, record.problem)
                    yield row

    # JSONL

    def _jsonl_rows(self) -> Iterator[SourceRow]:
        with _open_text(self.path, self.encoding, "\n") as fh:
            for n, line in _jsonl_lines(fh):
                yield _jsonl_row(n, line)

    # XLSX

    def _xlsx_rows(self) -> Iterator[SourceRow]:
        header = self.columns
        book, sheet, _ = _open_sheet(self.path)
        try:
            rows = sheet.iter_rows(values_only=True)
            next(rows, None)
            empty_run = 0
            for cells in rows:
                cells = _trim(cells)
                if not cells:
                    empty_run += 1
                    continue
                # Empty rows count only between rows with content: trailing ones are layout.
                for _ in range(empty_run):
                    yield SourceRow(dict.fromkeys(header), ["lege rij"], unreadable=True)
                empty_run = 0
                row = dict(zip(header, cells, strict=False))
                for name in header[len(cells) :]:
                    row[name] = None
                problems = []
                if len(cells) > len(header):
                    problems.append(_extra_cells_note(cells[len(header) :]))
                yield SourceRow(row, problems)
        finally:
            book.close()

    # Parquet

    def _parquet_rows(self, batch_size: int) -> Iterator[SourceRow]:
        import pyarrow.parquet as pq

        with pq.ParquetFile(self.path) as pf:
            for batch in pf.iter_batches(batch_size=batch_size):
                for values in batch.to_pylist():
                    yield SourceRow(values)


def open_source(path: Path, notify: Notify = _quiet) -> Source:
    """Open ``path`` for reading, after checking it (encoding, header, duplicate columns)."""
    kind = kind_of(path)
    if not path.is_file():
        raise InputError(f"Bestand niet gevonden: {path}")
    openers: dict[str, Callable[[Path, Notify], Source]] = {
        "csv": _open_csv,
        "jsonl": _open_jsonl,
        "xlsx": _open_xlsx,
        "parquet": _open_parquet,
    }
    try:
        source = openers[kind](path, notify)
    except OSError as exc:
        raise InputError(f"{path} is niet te lezen: {exc.strerror or exc}.") from exc
    columns = [without_surrogates(name) for name in source.columns]
    if columns != source.columns:
        changed = ", ".join(
            f"'{c}'" for c, o in zip(columns, source.columns, strict=True) if c != o
        )
        notify(f"Let op: ongeldige tekens in kolomnaam {changed} zijn vervangen door \ufffd.")
        source.columns = columns
    _check_unique(path, source.columns)
    return source


def _unicode_safe(value: Any) -> tuple[Any, bool]:
    """``value`` with every lone surrogate (also in nested lists and objects, and in keys)
    replaced by U+FFFD, and whether anything changed."""
    if isinstance(value, str):
        if value.isascii():
            return value, False
        clean = without_surrogates(value)
        return clean, clean != value
    if isinstance(value, list | tuple):
        items = [_unicode_safe(v) for v in value]
        if not any(changed for _, changed in items):
            return value, False
        cleaned = [v for v, _ in items]
        return (tuple(cleaned) if isinstance(value, tuple) else cleaned), True
    if isinstance(value, dict):
        pairs = [(_unicode_safe(k), _unicode_safe(v)) for k, v in value.items()]
        if not any(k[1] or v[1] for k, v in pairs):
            return value, False
        return {k[0]: v[0] for k, v in pairs}, True
    return value, False


def valid_unicode(row: SourceRow) -> SourceRow:
    """``row`` with every text valid Unicode (what a writer can encode): a lone surrogate, from
    JSON's ``"\\ud800"`` or broken UTF-16, becomes U+FFFD, and the row's error says where."""
    changed = [
        name
        for name, value in row.values.items()
        if _unicode_safe(name)[1] or _unicode_safe(value)[1]
    ]
    if not changed and not any(_unicode_safe(p)[1] for p in row.problems):
        return row
    values = {
        without_surrogates(name): _unicode_safe(value)[0] for name, value in row.values.items()
    }
    problems = [without_surrogates(p) for p in row.problems]
    if changed:
        names = ", ".join(f"'{without_surrogates(name)}'" for name in changed)
        problems.append(
            f"ongeldige tekens (losse UTF-16-surrogaten) in kolom {names} vervangen door \ufffd"
        )
    return SourceRow(values, problems, row.unreadable)


def _check_unique(path: Path, columns: Sequence[str]) -> None:
    seen: dict[str, int] = {}
    for name in columns:
        seen[name] = seen.get(name, 0) + 1
    dupes = [name for name, n in seen.items() if n > 1]
    if dupes:
        shown = ", ".join(f"'{d}' ({seen[d]}×)" if d else f"(leeg) ({seen[d]}×)" for d in dupes)
        raise InputError(
            f"{path}: dubbele kolomnamen: {shown}. Geef elke kolom een eigen naam; "
            "anders zou een kolom verloren gaan."
        )


# CSV and JSONL: encoding


_WIDE_BOMS = (
    # UTF-32 first: its little-endian BOM begins with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


def _text_errors(encoding: str) -> str:
    """How to open a file in ``encoding``: UTF-16 and UTF-32 let a lone surrogate through (it
    becomes U+FFFD with a note, see :func:`valid_unicode`); other encodings are strict."""
    return "surrogatepass" if encoding.startswith(("utf-16", "utf-32")) else "strict"


def _open_text(path: Path, encoding: str, newline: str | None) -> TextIO:
    return path.open(encoding=encoding, errors=_text_errors(encoding), newline=newline)


def _wide_encoding(path: Path) -> tuple[str, bool, str] | None:
    """(codec, had a BOM, name) of a UTF-16 or UTF-32 file: by its BOM, or, for UTF-16 without
    one, by the zero byte beside nearly every character (text that is mostly Latin)."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    for bom, codec, name in _WIDE_BOMS:
        if head.startswith(bom):
            return codec, True, name
    pairs = len(head) // 2
    if pairs < 8:
        return None
    even, odd = head[0 : 2 * pairs : 2].count(0), head[1 : 2 * pairs : 2].count(0)
    for zeros, other, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros >= 0.7 * pairs and other <= 0.05 * pairs:
            sample = head[: 2 * pairs].decode(codec, "replace")
            if "\n" in sample or "\r" in sample or len(head) < 4096:
                return (
                    codec,
                    False,
                    f"UTF-16 ({'little' if codec.endswith('le') else 'big'}-endian)",
                )
    return None


def _check_wide(path: Path, codec: str, name: str) -> None:
    """Refuse a UTF-16/32 file that does not decode to the end (an odd byte, a cut-off file)."""
    decoder = codecs.getincrementaldecoder(codec)(_text_errors(codec))
    lines = 0
    with path.open("rb") as fh:
        try:
            while block := fh.read(_BLOCK):
                lines += decoder.decode(block).count("\n")
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{path} is {name}, maar beschadigd rond regel {lines + 1} ({exc.reason}). "
                "Sla het bestand opnieuw op, bij voorkeur als UTF-8."
            ) from exc


def detect_encoding(path: Path, notify: Notify = _quiet) -> tuple[str, bool]:
    """(Python codec, had a BOM). UTF-16 or UTF-32 when a BOM (or UTF-16's zero bytes) says so,
    else UTF-8 unless the bytes say otherwise; then Windows-1252, said out loud. A file that mixes
    valid UTF-8 with other bytes is refused rather than garbled."""
    wide = _wide_encoding(path)
    if wide is not None:
        codec, has_bom, name = wide
        _check_wide(path, codec, name)
        if not has_bom:
            notify(f"Let op: {path.name} is gelezen als {name}, herkend aan de nul-bytes.")
        return codec, has_bom
    decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    has_bom = False
    first_bad: int | None = None
    lines = 0
    real_non_ascii = False
    with path.open("rb") as fh:
        start = True
        while block := fh.read(_BLOCK):
            if start:
                has_bom, start = block.startswith(codecs.BOM_UTF8), False
            text = decoder.decode(block)
            if first_bad is None and (bad := re.search("[\udc80-\udcff]", text)):
                first_bad = lines + text.count("\n", 0, bad.start()) + 1
            if not real_non_ascii:
                real_non_ascii = re.search("[^\x00-\x7f\udc80-\udcff]", text) is not None
            lines += text.count("\n")
        tail = decoder.decode(b"", final=True)
        if first_bad is None and re.search("[\udc80-\udcff]", tail):
            first_bad = lines + 1
    if first_bad is None:
        return ("utf-8-sig" if has_bom else "utf-8"), has_bom
    if real_non_ascii:
        raise InputError(
            f"{path} mengt UTF-8 met een andere tekenset (eerste onleesbare teken op regel "
            f"{first_bad}). Sla het bestand opnieuw op als UTF-8."
        )
    try:
        with path.open(encoding="cp1252") as fh:
            while fh.read(_BLOCK):
                pass
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path} is geen UTF-8 en ook geen Windows-1252 ({exc.reason}). "
            "Sla het bestand op als UTF-8."
        ) from exc
    notify(
        f"Let op: {path.name} is geen UTF-8 (regel {first_bad}); gelezen als Windows-1252. "
        "Controleer letters als é en € in de uitvoer."
    )
    return "cp1252", False


def sniff_delimiter(sample: str) -> str:
    """The delimiter under which the header is widest and the most rows have its width."""
    lines = sample.splitlines(keepends=True)
    if len(sample) >= _SNIFF_CHARS and len(lines) > 1:
        sample = "".join(lines[:-1])  # the last line may be cut off
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            rows = list(csv.reader(io.StringIO(sample), delimiter=delimiter))
        except csv.Error:
            continue
        rows = [r for r in rows if r][:200]
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        score = (1 + sum(len(r) == width for r in rows[1:]), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _line_terminator(sample: str) -> str:
    at = sample.find("\n")
    if at > 0 and sample[at - 1] == "\r":
        return "\r\n"
    if at >= 0:
        return "\n"
    return "\r" if "\r" in sample else "\r\n"


@dataclass
class _CsvRecord:
    line: int
    """The physical line it starts on (the header is line 1)."""
    values: list[str] | None
    """``None``: the csv module could not read it (``problem`` says why)."""
    problem: str | None = None


class _PhysicalLines:
    """A CSV file's lines as the csv module sees them, with the lines of the record being read
    kept, and lines pushed back to be read again."""

    def __init__(self, fh: Iterator[str]) -> None:
        self.fh = fh
        self.back: deque[str] = deque()
        self.taken: list[str] = []
        self.at_end = False

    def __iter__(self) -> _PhysicalLines:
        return self

    def __next__(self) -> str:
        line = self.back.popleft() if self.back else next(self.fh, None)
        if line is None:
            self.at_end = True
            raise StopIteration
        self.taken.append(line)
        return line


_QUOTED = re.compile(r'"[^"]*+(?:""[^"]*+)*+"')


def _stray_quote(text: str, delimiter: str) -> int | None:
    """Where a quote went wrong in ``text``, one record as the (lenient) csv module read it: the
    end, when a quoted cell never closes, or the offset just after a closing quote that is not
    followed by the end of the cell (``"a"b``). ``None`` when every quote is in order."""
    cell_end = re.compile(f"[{re.escape(delimiter)}\r\n]")
    pos, size = 0, len(text)
    while pos < size:
        if text[pos] == '"':
            quoted = _QUOTED.match(text, pos)
            if quoted is None:
                return size
            pos = quoted.end()
            if pos < size and text[pos] not in (delimiter, "\r", "\n"):
                return pos
        end = cell_end.search(text, pos)
        if end is None:
            break
        pos = end.end()
    return None


def _csv_records(fh: Iterator[str], delimiter: str) -> Iterator[_CsvRecord]:
    """The file's records, each with the line it starts on. A record the csv module cannot read
    becomes a problem, not the end; a quote that swallows the lines after it (it never closes, or
    closes in the middle of a cell further on) is not believed: its first line is read on its
    own, with a note, and the lines after it are read again as records of their own."""
    lines = _PhysicalLines(fh)
    reader = csv.reader(lines, delimiter=delimiter)
    start = 1
    while True:
        lines.taken.clear()
        try:
            values: list[str] = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield _CsvRecord(start, None, f"regel {start}: onleesbare rij ({exc})")
            start += max(1, len(lines.taken))
            continue
        taken = list(lines.taken)
        if len(taken) > 1 or lines.at_end:  # only then can a quote have swallowed a line
            text = "".join(taken)
            wrong = _stray_quote(text, delimiter)
            if wrong == len(text):
                why = "wordt nergens afgesloten"
            elif wrong is not None and len(taken) > 1:
                why = f"sluit pas op regel {start + _line_at(taken, wrong - 1)}, midden in een cel"
            else:
                why = ""
            if why:
                lines.back.extendleft(reversed(taken[1:]))
                values = next(csv.reader([taken[0].rstrip("\r\n")], delimiter=delimiter), [])
                after = " en de regels erna elk als eigen rij" if len(taken) > 1 else ""
                yield _CsvRecord(
                    start,
                    values,
                    f"regel {start}: een aanhalingsteken op deze regel {why}; de regel is los "
                    f"gelezen{after}. Controleer deze rij in het bestand",
                )
                start += 1
                continue
        yield _CsvRecord(start, values)
        start += len(taken)


def _line_at(lines: list[str], offset: int) -> int:
    """Which of ``lines`` (0-based) holds character ``offset`` of their concatenation."""
    for index, line in enumerate(lines):
        if offset < len(line):
            return index
        offset -= len(line)
    return len(lines) - 1


def _read_header(records: Iterator[_CsvRecord]) -> list[str] | None:
    """Read the header: the first record that is not a blank line."""
    for record in records:
        if record.values is None or record.problem:
            raise InputError(
                f"De kopregel is onleesbaar: {record.problem}. Herstel de kopregel en probeer "
                "het opnieuw."
            )
        if record.values:
            return record.values
    return None


def _fit_to_header(header: list[str], values: list[str]) -> SourceRow:
    row: dict[str, Any] = dict(zip(header, values, strict=False))
    problems: list[str] = []
    if len(values) < len(header):
        for name in header[len(values) :]:
            row[name] = None
        missing = len(header) - len(values)
        note = f"rij heeft {missing} cel(len) minder dan de kop"
        if any("\n" in v for v in values):
            note += " (mogelijk ontbreekt een afsluitend aanhalingsteken)"
        problems.append(note)
    elif len(values) > len(header):
        problems.append(_extra_cells_note(values[len(header) :]))
    return SourceRow(row, problems)


def _extra_cells_note(extra: Sequence[Any]) -> str:
    cells = json.dumps(list(extra), ensure_ascii=False, default=json_default)
    return f"rij heeft {len(extra)} cel(len) meer dan de kop; extra cellen: {cells}"


def _open_csv(path: Path, notify: Notify) -> Source:
    encoding, has_bom = detect_encoding(path, notify)
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    with _open_text(path, encoding, "") as fh:
        sample = fh.read(_SNIFF_CHARS)
    source = Source(
        path,
        "csv",
        [],
        0,
        encoding=encoding,
        has_bom=has_bom,
        delimiter=sniff_delimiter(sample),
        line_terminator=_line_terminator(sample),
    )
    with _open_text(path, encoding, "") as fh:
        records = _csv_records(fh, source.delimiter)
        source.columns = _read_header(records) or []
        source.total = sum(1 for _ in records)
    return source


_JSON_SPACE = " \t\r\n"


def _jsonl_lines(fh: Iterator[str]) -> Iterator[tuple[int, str]]:
    """The numbered lines that are not blank. ``fh`` is opened with ``newline="\\n"``: a line
    ends at ``\\n`` (or ``\\r\\n``) only, never at a bare ``\\r`` or U+2028 inside a string."""
    for n, line in enumerate(fh, 1):
        if line.strip(_JSON_SPACE):
            yield n, line


def _jsonl_row(n: int, line: str) -> SourceRow:
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(items)
        if len(out) < len(items):
            seen: set[str] = set()
            for key, _ in items:
                if key in seen:
                    duplicates.append(key)
                seen.add(key)
        return out

    raw = line.rstrip("\r\n")
    shown = raw if len(raw) <= _RAW_SHOWN else raw[:_RAW_SHOWN] + "…"
    try:
        # strict=False: a raw tab or carriage return inside a string is read, not refused.
        value = json.loads(line, object_pairs_hook=pairs, strict=False)
    except json.JSONDecodeError as exc:
        return SourceRow({}, [f"regel {n}: geen geldige JSON ({exc.msg}): {shown}"], True)
    if not isinstance(value, dict):
        return SourceRow({}, [f"regel {n}: geen JSON-object: {shown}"], True)
    problems = []
    if duplicates:
        names = ", ".join(sorted(set(duplicates)))
        problems.append(f"regel {n}: sleutel(s) {names} dubbel; de laatste waarde is gebruikt")
    return SourceRow(value, problems)


def _open_jsonl(path: Path, notify: Notify) -> Source:
    encoding, has_bom = detect_encoding(path, notify)
    keys: dict[str, None] = {}
    total = 0
    with _open_text(path, encoding, "\n") as fh:
        for _, line in _jsonl_lines(fh):
            total += 1
            try:
                value = json.loads(line, strict=False)
            except json.JSONDecodeError:
                continue
            if isinstance(value, dict):
                keys.update(dict.fromkeys(value))
    return Source(
        path, "jsonl", list(keys), total, fixed_columns=False, encoding=encoding, has_bom=has_bom
    )


# XLSX


def _open_sheet(path: Path) -> tuple[Any, Any, int | None]:
    """The workbook, its first worksheet (read-only) and the row count its metadata claims."""
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError) as exc:
        raise InputError(
            f"{path} is geen geldig Excel-bestand (.xlsx): {exc}. Sla het op als "
            "Excel-werkmap (.xlsx) of als CSV."
        ) from exc
    if not book.worksheets:
        book.close()
        raise InputError(f"{path} heeft geen werkblad met rijen (alleen grafiekbladen).")
    sheet = book.worksheets[0]  # the first, whichever was open when the file was saved
    max_row = sheet.max_row
    # A wrong <dimension> in the file would silently cut rows or columns: read everything.
    sheet.reset_dimensions()
    return book, sheet, max_row if isinstance(max_row, int) else None


def _trim(cells: Sequence[Any]) -> tuple[Any, ...]:
    end = len(cells)
    while end and cells[end - 1] is None:
        end -= 1
    return tuple(cells[:end])


def _header_name(value: Any) -> str:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return cell_text(value)


def _open_xlsx(path: Path, notify: Notify) -> Source:
    book, sheet, max_row = _open_sheet(path)
    try:
        if len(book.sheetnames) > 1:
            others = ", ".join(f"'{n}'" for n in book.sheetnames if n != sheet.title)
            notify(
                f"Let op: {path.name} heeft {len(book.sheetnames)} werkbladen; alleen "
                f"'{sheet.title}' wordt gelabeld (niet: {others})."
            )
        header = next(sheet.iter_rows(values_only=True), None)
        columns = [_header_name(v) for v in _trim(header or ())]
        total = max(0, max_row - 1) if max_row is not None and columns else None
        return Source(path, "xlsx", columns, total, sheet=sheet.title)
    finally:
        book.close()


# Parquet


def _open_parquet(path: Path, notify: Notify) -> Source:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        with pq.ParquetFile(path) as pf:
            schema = pf.schema_arrow
            total = pf.metadata.num_rows
    except (pa.ArrowException, ValueError) as exc:
        raise InputError(f"{path} is geen geldig Parquet-bestand: {exc}.") from exc
    return Source(path, "parquet", list(schema.names), total, arrow_schema=schema)


# --- writing --------------------------------------------------------------------------------------


@contextmanager
def atomic_path(target: Path, folder: Path | None = None) -> Iterator[Path]:
    """A temporary path that replaces ``target``, synced to disk, only on success. It lies
    beside ``target``, or in ``folder`` (same file system) where a crash's leftovers are swept."""
    tmp = (folder or target.parent) / f".{target.name}.{os.getpid()}.tmp"
    try:
        yield tmp
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


@dataclass(frozen=True)
class OutputSpec:
    """How the labelled table is laid out: the input's columns, then the added ones."""

    kind: str
    columns: list[str]
    """The input's columns (for JSONL input: every key seen, in order of appearance)."""
    added: dict[str, str]
    """Added column → its type: ``string``, ``float``, ``string_list`` or ``float_list``."""
    error_column: str
    delimiter: str = ","
    bom: bool = False
    line_terminator: str = "\r\n"
    sheet: str = "Reacties"
    arrow_schema: Any = None
    """For Parquet: the input's schema, or one inferred from the values (:func:`infer_schema`)."""

    @property
    def header(self) -> list[str]:
        return [*self.columns, *self.added]

    def flat(self, name: str, value: Any) -> Any:
        """A list in an added column joined with ``;`` (CSV, XLSX); other values unchanged."""
        if self.added.get(name, "").endswith("_list") and isinstance(value, list):
            return ";".join(cell_text(v) for v in value)
        return value


class TableWriter(Protocol):
    def write(self, rows: list[dict[str, Any]]) -> None: ...

    def close(self) -> None: ...


@contextmanager
def open_writer(path: Path, spec: OutputSpec) -> Iterator[TableWriter]:
    writers: dict[str, Callable[[Path, OutputSpec], TableWriter]] = {
        "csv": _CsvWriter,
        "jsonl": _JsonlWriter,
        "xlsx": _XlsxWriter,
        "parquet": _ParquetWriter,
    }
    writer = writers[spec.kind](path, spec)
    try:
        yield writer
    finally:
        writer.close()


class _CsvWriter:
    def __init__(self, path: Path, spec: OutputSpec) -> None:
        self.spec = spec
        self.fh = path.open("w", encoding="utf-8-sig" if spec.bom else "utf-8", newline="")
        self.csv = csv.writer(
            self.fh, delimiter=spec.delimiter, lineterminator=spec.line_terminator
        )
        self.csv.writerow(spec.header)

    def write(self, rows: list[dict[str, Any]]) -> None:
        header, flat = self.spec.header, self.spec.flat
        self.csv.writerows([cell_text(flat(k, row.get(k))) for k in header] for row in rows)

    def close(self) -> None:
        self.fh.close()


_LINE_BREAKS = str.maketrans({c: f"\\u{ord(c):04x}" for c in "\u0085\u2028\u2029"})
"""Line breaks that ``json.dumps`` leaves raw (they can only occur inside strings): escaped."""


class _JsonlWriter:
    def __init__(self, path: Path, spec: OutputSpec) -> None:
        self.fh = path.open("w", encoding="utf-8", newline="\n")

    def write(self, rows: list[dict[str, Any]]) -> None:
        self.fh.writelines(self._line(row) + "\n" for row in rows)

    @staticmethod
    def _line(row: dict[str, Any]) -> str:
        """The row as strict JSON (no bare NaN or Infinity, see :func:`finite`) on one line, also
        for readers that split at U+2028, U+2029 or U+0085 (``str.splitlines``)."""
        try:
            line = json.dumps(row, ensure_ascii=False, default=json_default, allow_nan=False)
        except ValueError:
            line = json.dumps(
                finite(row), ensure_ascii=False, default=json_default, allow_nan=False
            )
        return line.translate(_LINE_BREAKS)

    def close(self) -> None:
        self.fh.close()


class _XlsxWriter:
    """openpyxl write-only: rows stream to disk (strings inline, no shared-string table)."""

    def __init__(self, path: Path, spec: OutputSpec) -> None:
        from openpyxl import Workbook

        self.path, self.spec = path, spec
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(spec.sheet[:31] or "Reacties")
        self.sheet.append([self._cell(name) for name in spec.header])

    def write(self, rows: list[dict[str, Any]]) -> None:
        header, flat, error = self.spec.header, self.spec.flat, self.spec.error_column
        at = header.index(error)
        for row in rows:
            notes: list[str] = []
            cells = [self._cell(flat(k, row.get(k)), k, notes) for k in header]
            if notes:  # say so in the row's error cell, cutting what was there if need be
                before = cell_text(row.get(error))
                note = "; ".join(notes)
                room = XLSX_MAX_CHARS - len(note) - 3
                if len(before) > room:
                    before = before[: max(room, 0)] + "…"
                cells[at] = self._cell(f"{before}; {note}" if before else note)
            self.sheet.append(cells)

    def _cell(self, value: Any, column: str = "", notes: list[str] | None = None) -> Any:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        if isinstance(value, datetime | time) and value.tzinfo is not None:
            value = value.isoformat()  # Excel has no time zones; keep the offset as text
        elif type(value) is int and abs(value) > _EXCEL_MAX_INT:
            value = str(value)  # Excel numbers are doubles; keep every digit
        elif isinstance(value, float):
            value = finite(value)  # openpyxl would write NaN and infinity as an empty cell
        elif not isinstance(
            value, str | int | float | Decimal | datetime | date | time | timedelta
        ):
            value = None if value is None else cell_text(finite(value))
        if not isinstance(value, str):
            return value
        if ILLEGAL_CHARACTERS_RE.search(value):
            value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
            if notes is not None:
                notes.append(
                    f"kolom '{column}': tekens die Excel niet toestaat vervangen door \ufffd"
                )
        cut = excel_cut(value)
        if cut is not None:
            if notes is not None:
                notes.append(
                    f"kolom '{column}' ingekort van {_dutch_count(len(value))} tot "
                    f"{_dutch_count(len(cut))} tekens (meer past niet in een Excel-cel); "
                    "de volledige tekst staat in de invoer"
                )
            value = cut
        if value.startswith("="):  # text, not a formula
            cell = WriteOnlyCell(self.sheet, value)
            cell.data_type = "s"
            return cell
        return value

    def close(self) -> None:
        self.book.save(self.path)


def _dutch_count(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def excel_cut(text: str) -> str | None:
    """``text`` cut to what fits in an Excel cell (32,767 UTF-16 units), or ``None`` if it fits."""
    if len(text) <= XLSX_MAX_CHARS // 2:
        return None
    units = text.encode("utf-16-le", "surrogatepass")
    if len(units) <= 2 * XLSX_MAX_CHARS:
        return None
    return units[: 2 * XLSX_MAX_CHARS].decode("utf-16-le", "ignore")  # no half character


def _arrow_type(name: str) -> Any:
    import pyarrow as pa

    return {
        "string": pa.string(),
        "float": pa.float64(),
        "string_list": pa.list_(pa.string()),
        "float_list": pa.list_(pa.float64()),
    }[name]


_INFERRED = {
    frozenset({"bool"}): "bool",
    frozenset({"int"}): "int64",
    frozenset({"float"}): "float64",
    frozenset({"int", "float"}): "float64",
    frozenset({"str"}): "string",
    frozenset({"datetime"}): "timestamp",
    frozenset({"datetime_tz"}): "timestamp_tz",
    frozenset({"date"}): "date",
    frozenset({"time"}): "time",
    frozenset({"timedelta"}): "duration",
    frozenset({"bytes"}): "binary",
}


def infer_schema(columns: list[str], kinds: dict[str, set[str]], added: dict[str, str]) -> Any:
    """A Parquet schema for values without one (JSONL, XLSX, CSV): a column with one kind of
    value gets its type; mixed, nested or empty columns become text (JSON for lists/objects)."""
    import pyarrow as pa

    types = {
        "bool": pa.bool_(),
        "int64": pa.int64(),
        "float64": pa.float64(),
        "string": pa.string(),
        "timestamp": pa.timestamp("us"),
        "timestamp_tz": pa.timestamp("us", tz="UTC"),
        "date": pa.date32(),
        "time": pa.time64("us"),
        "duration": pa.duration("us"),
        "binary": pa.binary(),
    }
    fields = [
        pa.field(c, types[_INFERRED.get(frozenset(kinds.get(c, set()) - {"NoneType"}), "string")])
        for c in columns
    ]
    fields += [pa.field(name, _arrow_type(t)) for name, t in added.items()]
    return pa.schema(fields)


def output_schema(source_schema: Any, added: dict[str, str]) -> Any:
    """The input's Parquet schema (types and metadata kept) with the added columns appended."""
    import pyarrow as pa

    fields = [*source_schema, *(pa.field(n, _arrow_type(t)) for n, t in added.items())]
    return pa.schema(fields, metadata=source_schema.metadata)


class _ParquetWriter:
    def __init__(self, path: Path, spec: OutputSpec) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.schema = spec.arrow_schema
        self.text_columns = [
            f.name for f in self.schema if f.type == pa.string() and f.name in set(spec.columns)
        ]
        self.writer = pq.ParquetWriter(path, self.schema)

    def write(self, rows: list[dict[str, Any]]) -> None:
        import pyarrow as pa

        for row in rows:
            for name in self.text_columns:
                value = row.get(name)
                if value is not None and not isinstance(value, str):
                    row[name] = cell_text(value)
        self.writer.write_table(pa.Table.from_pylist(rows, schema=self.schema))

    def close(self) -> None:
        self.writer.close()


def column_kinds(rows: Iterable[dict[str, Any]], kinds: dict[str, set[str]]) -> None:
    """Record the kinds of value seen per column (for :func:`infer_schema`)."""
    for row in rows:
        for name, value in row.items():
            kinds.setdefault(name, set()).add(value_kind(value))
