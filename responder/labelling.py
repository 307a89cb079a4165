"""Batch labelling of comment files (JSONL, CSV): every input row and field kept, in order, with
the triage columns added. Rows whose text cannot be triaged get an ``error`` value, never dropped.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from responder.errors import InputError, ResponderError
from responder.triage import Triage, TriageService

ADDED_COLUMNS = (
    "sentiment",
    "sentiment_score",
    "intent",
    "intent_score",
    "topic",
    "topic_score",
    "flags",
    "flags_scores",
    "language",
    "language_score",
    "register",
    "register_score",
    "error",
)
FORMATS = (".jsonl", ".csv")
EXTRA_CELLS = "\x00extra"
"""Internal key for CSV cells beyond the header; reported in the row's ``error`` value."""


@dataclass
class LabelSummary:
    rows: int = 0
    labelled: int = 0
    not_dutch: int = 0
    errors: int = 0


def triage_columns(triage: Triage | None, error: str | None) -> dict[str, Any]:
    """The added columns for one row; flags stay a list here (CSV joins them with ``;``)."""
    if triage is None:
        return {**dict.fromkeys(ADDED_COLUMNS), "flags": [], "flags_scores": [], "error": error}

    def pick(s: Any) -> tuple[Any, Any]:
        return (s.label, s.probability) if s is not None else (None, None)

    sentiment, intent, topic = pick(triage.sentiment), pick(triage.intent), pick(triage.topic)
    return {
        "sentiment": sentiment[0],
        "sentiment_score": sentiment[1],
        "intent": intent[0],
        "intent_score": intent[1],
        "topic": topic[0],
        "topic_score": topic[1],
        "flags": [f.label for f in triage.flags],
        "flags_scores": [f.probability for f in triage.flags],
        "language": triage.language.label,
        "language_score": triage.language.probability,
        "register": triage.register.label,
        "register_score": triage.register.probability,
        "error": None if triage.is_dutch else "niet_nederlands",
    }


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}, regel {n}: geen geldige JSON ({exc.msg}).") from exc
            if not isinstance(row, dict):
                raise InputError(f"{path}, regel {n}: verwacht een JSON-object per regel.")
            yield row


def _read_csv(path: Path) -> tuple[list[str], Iterator[dict[str, Any]]]:
    fh = path.open(encoding="utf-8-sig", newline="")
    reader = csv.reader(fh)
    header = next(reader, None)
    if header is None:
        fh.close()
        return [], iter(())
    if len(set(header)) != len(header):
        fh.close()
        dupes = sorted({h for h in header if header.count(h) > 1})
        raise InputError(f"{path}: dubbele kolomnamen {dupes}; geef elke kolom een eigen naam.")

    def rows() -> Iterator[dict[str, Any]]:
        with fh:
            for values in reader:
                padded = values + [""] * (len(header) - len(values))
                row: dict[str, Any] = dict(zip(header, padded, strict=False))
                if len(values) > len(header):
                    row[EXTRA_CELLS] = values[len(header) :]
                yield row

    return header, rows()


def label_file(
    service: TriageService,
    source: Path,
    output: Path,
    text_column: str = "text",
    prefix: str = "",
    batch_size: int = 64,
    progress: Callable[[int], None] | None = None,
) -> LabelSummary:
    """Label ``source`` into ``output`` (format from each file's extension), atomically."""
    for path in (source, output):
        if path.suffix.lower() not in FORMATS:
            raise InputError(f"{path}: alleen .jsonl en .csv worden ondersteund.")
    if not source.is_file():
        raise InputError(f"Bestand niet gevonden: {source}")
    try:
        if source.suffix.lower() == ".csv":
            header, rows = _read_csv(source)
        else:
            rows = _read_jsonl(source)
            first = next(rows, None)
            header = list(first) if first is not None else []
            rows = _chain(first, rows)
        added = [prefix + c for c in ADDED_COLUMNS]
        return _label_rows(
            service, source, output, header, rows, text_column, added, batch_size, progress
        )
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source} is geen UTF-8-tekst ({exc.reason}); sla het op als UTF-8."
        ) from exc


def _chain(
    first: dict[str, Any] | None, rest: Iterator[dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    if first is not None:
        yield first
        yield from rest


def _label_rows(
    service: TriageService,
    source: Path,
    output: Path,
    header: list[str],
    rows: Iterator[dict[str, Any]],
    text_column: str,
    added: list[str],
    batch_size: int,
    progress: Callable[[int], None] | None,
) -> LabelSummary:
    if header and text_column not in header:
        raise InputError(
            f"{source}: tekstkolom '{text_column}' bestaat niet. Gevonden kolommen: "
            f"{', '.join(header)}. Kies er een met --text-column."
        )
    clash = sorted(set(header) & set(added))
    if clash:
        raise InputError(
            f"{source}: de kolom(men) {', '.join(clash)} bestaan al en zouden worden overschreven. "
            "Gebruik --prefix, bijvoorbeeld --prefix responder_."
        )
    tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    summary = LabelSummary()
    is_csv = output.suffix.lower() == ".csv"
    try:
        with tmp.open("w", encoding="utf-8", newline="") as out:
            writer = _Writer(out, is_csv, header, added)
            batch: list[dict[str, Any]] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= batch_size:
                    _flush(service, batch, text_column, added, writer, summary, progress)
                    batch = []
            _flush(service, batch, text_column, added, writer, summary, progress)
            writer.finish()
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
    return summary


class _Writer:
    def __init__(self, out: Any, is_csv: bool, header: list[str], added: list[str]) -> None:
        self.out, self.is_csv, self.header, self.added = out, is_csv, header, added
        self.csv: Any = None

    def _start(self, row: dict[str, Any]) -> None:
        fields = [*self.header, *(k for k in row if k not in self.header and k not in self.added)]
        self.csv = csv.DictWriter(
            self.out, fieldnames=[*fields, *self.added], extrasaction="ignore"
        )
        self.csv.writeheader()

    def finish(self) -> None:
        """A CSV without rows still gets its header."""
        if self.is_csv and self.csv is None and self.header:
            self._start({})

    def write(self, row: dict[str, Any]) -> None:
        if self.is_csv:
            if self.csv is None:
                self._start(row)
            flat = {k: _csv_cell(v) for k, v in row.items()}
            self.csv.writerow(flat)
        else:
            self.out.write(json.dumps(row, ensure_ascii=False) + "\n")


def _csv_cell(value: Any) -> Any:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _flush(
    service: TriageService,
    batch: list[dict[str, Any]],
    text_column: str,
    added: list[str],
    writer: _Writer,
    summary: LabelSummary,
    progress: Callable[[int], None] | None,
) -> None:
    if not batch:
        return
    results: list[tuple[Triage | None, str | None]] = [(None, None)] * len(batch)
    good: list[int] = []
    for i, row in enumerate(batch):
        text = row.get(text_column)
        if text is None:
            results[i] = (None, f"kolom '{text_column}' ontbreekt in deze rij")
        elif not isinstance(text, str):
            results[i] = (None, f"'{text_column}' is geen tekst")
        else:
            good.append(i)
    if good:
        texts = [batch[i][text_column] for i in good]
        for i, (triage, error) in zip(good, _triage_each(service, texts), strict=True):
            results[i] = (triage, error)
    for row, (triage, error) in zip(batch, results, strict=True):
        extra = row.pop(EXTRA_CELLS, None)
        cols = triage_columns(triage, error)
        if extra is not None:
            cells = json.dumps(extra, ensure_ascii=False)
            note = f"rij heeft {len(extra)} cel(len) meer dan de kop; extra cellen: {cells}"
            cols["error"] = f"{cols['error']}; {note}" if cols["error"] else note
        row.update({name: cols[base] for name, base in zip(added, ADDED_COLUMNS, strict=True)})
        summary.rows += 1
        if triage is None:
            summary.errors += 1
        elif not triage.is_dutch:
            summary.not_dutch += 1
        else:
            summary.labelled += 1
        writer.write(row)
    if progress:
        progress(len(batch))


def _triage_each(
    service: TriageService, texts: list[str]
) -> list[tuple[Triage | None, str | None]]:
    """Triage a batch; when it fails, retry one by one so that a bad text only costs its own row."""
    try:
        return [(t, None) for t in service.triage_many(texts)]
    except ResponderError:
        out: list[tuple[Triage | None, str | None]] = []
        for text in texts:
            try:
                out.append((service.triage(text), None))
            except ResponderError as exc:
                out.append((None, str(exc)))
        return out
