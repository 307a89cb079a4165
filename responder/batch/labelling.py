"""Batch labelling of exported comment files (CSV, XLSX, JSONL, Parquet): every input row and
column kept, in order, with the triage columns added. A row that cannot be triaged gets an
``error`` value; no row is ever dropped.

A run reads the input in chunks, labels each chunk into the work folder beside the output
(:mod:`responder.batch.resume`), and then assembles the output from the chunks, atomically, in the
output's format, feeding the report's running aggregates on the way. Memory stays that of one
chunk however long the file, and an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import islice
from pathlib import Path
from typing import Any

from responder.batch.formats import (
    XLSX_MAX_ROWS,
    OutputSpec,
    Source,
    SourceRow,
    atomic_path,
    column_kinds,
    infer_schema,
    kind_of,
    open_source,
    open_writer,
    output_schema,
)
from responder.batch.report import ReportBuilder, ReportSpec, find_date_column, write_report
from responder.batch.resume import Manifest, WorkFolder, decode_row, encode_row
from responder.config import CONFIG_NAME
from responder.errors import InputError
from responder.triage.service import Triage, TriageService

ADDED_COLUMNS = (
    "sentiment",
    "sentiment_score",
    "intent",
    "intent_score",
    "topic",
    "topic_score",
    "flags",
    "flags_scores",
    "flags_evidence",
    "flags_possible",
    "flags_possible_scores",
    "flags_possible_evidence",
    "language",
    "language_score",
    "register",
    "register_score",
    "error",
)
ADDED_TYPES = {
    **{name: "float" if name.endswith("_score") else "string" for name in ADDED_COLUMNS},
    "flags": "string_list",
    "flags_scores": "float_list",
    "flags_evidence": "string_list",
    "flags_possible": "string_list",
    "flags_possible_scores": "float_list",
    "flags_possible_evidence": "string_list",
}
"""Type of each added column in typed formats (Parquet): flags are ``list<string>``."""
TEXT_COLUMN_NAMES = (
    "text",
    "tekst",
    "message",
    "bericht",
    "comment",
    "commentaar",
    "reactie",
    "inhoud",
    "content",
    "body",
    "post",
    "review",
)
"""Column names recognised as the comment text, case-insensitive; the first that fits wins."""
DEFAULT_CHUNK_SIZE = 5000
WINDOW_ROWS = 1024
"""Rows handed to the model at once (it batches them by length); the progress bar moves per window."""

Notify = Callable[[str], None]


def _quiet(_message: str) -> None:
    pass


@dataclass
class LabelSummary:
    rows: int = 0
    labelled: int = 0
    not_dutch: int = 0
    errors: int = 0
    noted: int = 0
    """Labelled rows with a note in ``error`` all the same (a stray quote, a cut cell…)."""

    def add(self, added: dict[str, Any]) -> None:
        """Count one row by its added columns (unprefixed names)."""
        self.rows += 1
        if added["language"] is None:
            self.errors += 1
        elif added["sentiment"] is None:
            self.not_dutch += 1
        else:
            self.labelled += 1
            self.noted += bool(added["error"])


@dataclass(frozen=True)
class LabelOptions:
    text_column: str | None = None
    """``None``: recognise it by name (:data:`TEXT_COLUMN_NAMES`)."""
    prefix: str = ""
    batch_size: int = 32
    chunk_size: int = DEFAULT_CHUNK_SIZE
    """Input rows per chunk in the work folder: what a resumed run does not redo."""
    resume: bool = False
    restart: bool = False
    report: ReportSpec | None = None
    model: str = ""
    """Identifies the model, so that a resumed run does not mix the labels of two models."""
    max_text_chars: int | None = None
    flag_cues: bool = True
    """Whether only corroborated flags act (``RESPONDER_FLAG_CUES``): part of the chunks."""


def triage_columns(triage: Triage | None, error: str | None) -> dict[str, Any]:
    """The added columns for one row; flags stay a list here (CSV joins them with ``;``)."""
    if triage is None:
        return {
            **dict.fromkeys(ADDED_COLUMNS),
            "flags": [],
            "flags_scores": [],
            "flags_evidence": [],
            "flags_possible": [],
            "flags_possible_scores": [],
            "flags_possible_evidence": [],
            "error": error,
        }

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
        "flags_evidence": [f"{f.label}: {', '.join(f.evidence)}" for f in triage.flags],
        "flags_possible": [f.label for f in triage.possible_flags],
        "flags_possible_scores": [f.probability for f in triage.possible_flags],
        "flags_possible_evidence": [
            f"{f.label}: {', '.join(f.evidence)}" for f in triage.possible_flags
        ],
        "language": triage.language.label,
        "language_score": triage.language.probability,
        "register": triage.register.label,
        "register_score": triage.register.probability,
        "error": None if triage.is_dutch else "niet_nederlands",
    }


def find_text_column(
    columns: Sequence[str], explicit: str | None, path: Path, notify: Notify = _quiet
) -> str:
    """``--text-column`` when given (it must exist), else the first column with a known name."""
    found = ", ".join(columns) or "(geen)"
    if explicit is not None:
        if explicit in columns:
            return explicit
        raise InputError(
            f"{path}: tekstkolom '{explicit}' bestaat niet. Gevonden kolommen: {found}. "
            "Kies er een met --text-column."
        )
    by_name: dict[str, list[str]] = {}
    for column in columns:
        by_name.setdefault(column.strip().lower(), []).append(column)
    fits = [c for name in TEXT_COLUMN_NAMES for c in by_name.get(name, [])]
    if not fits:
        raise InputError(
            f"{path}: geen tekstkolom herkend (gezocht naar {', '.join(TEXT_COLUMN_NAMES)}). "
            f"Gevonden kolommen: {found}. Kies er een met --text-column."
        )
    others = ", ".join(f"'{c}'" for c in fits[1:])
    also = f" (ook mogelijk: {others}; kies met --text-column)" if others else ""
    notify(f"Tekstkolom: '{fits[0]}'{also}.")
    return fits[0]


@dataclass
class LabelJob:
    """A checked labelling run: input opened, columns chosen, work folder inspected.

    :meth:`prepare` does everything that can fail on bad input before the model is loaded;
    :meth:`run` labels what is not done yet and writes the output (and the report)."""

    source: Source
    output: Path
    options: LabelOptions
    text_column: str | None
    date_column: str | None
    spec: OutputSpec
    manifest: Manifest
    work: WorkFolder
    done: set[int]
    """Indices of the chunks an interrupted run already finished."""

    @classmethod
    def prepare(
        cls,
        source_path: Path,
        output: Path,
        options: LabelOptions,
        notify: Notify = _quiet,
        work_at: Path | None = None,
        opened: Source | None = None,
    ) -> LabelJob:
        """Check everything that can fail on bad input. ``work_at`` puts the work folder beside
        another path than ``output`` (the Ray engine keeps one per input file in its own), and
        ``opened`` is the input already opened (and checked) by the caller."""
        check_targets(source_path, output, options.report.path if options.report else None)
        out_kind = kind_of(output)
        if options.resume and options.restart:
            raise InputError("Kies --resume of --restart, niet allebei.")
        source = opened or open_source(source_path, notify)
        columns = source.columns
        text_column = None
        if columns or source.total:
            text_column = find_text_column(columns, options.text_column, source_path, notify)
        else:
            notify(f"{source_path.name} is leeg; de uitvoer krijgt alleen de nieuwe kolommen.")
        added = {options.prefix + name: ADDED_TYPES[name] for name in ADDED_COLUMNS}
        clash = [c for c in columns if c in added]
        if clash:
            raise InputError(
                f"{source_path}: de kolom(men) {', '.join(clash)} bestaan al en zouden worden "
                "overschreven. Gebruik --prefix, bijvoorbeeld --prefix responder_."
            )
        if out_kind == "xlsx" and (source.total or 0) + 1 > XLSX_MAX_ROWS:
            raise InputError(
                f"{source.total} rijen passen niet in één Excel-werkblad (hoogstens "
                f"{XLSX_MAX_ROWS - 1}). Kies .csv, .jsonl of .parquet als uitvoer."
            )
        date_column = None
        if options.report is not None:
            date_column = find_date_column(columns, options.report.date_column, notify)
        spec = _output_spec(source, out_kind, added, options.prefix + "error")
        manifest = Manifest.of(
            source_path,
            {
                "text_column": text_column,
                "prefix": options.prefix,
                "chunk_size": options.chunk_size,
                "output_format": out_kind,
                "model": options.model,
                "max_text_chars": options.max_text_chars,
                "flag_cues": options.flag_cues,
            },
        )
        work = WorkFolder(work_at or output)
        if options.resume and not work.path.exists():
            notify("Geen onderbroken run gevonden; labelen begint vooraan.")
        done = work.prepare(manifest, options.resume, options.restart)
        job = cls(source, output, options, text_column, date_column, spec, manifest, work, done)
        if done:
            notify(f"Hervatten: {len(done)} deel/delen ({job._rows_done()} rijen) waren al klaar.")
        return job

    def _rows_done(self) -> int:
        size, total = self.options.chunk_size, self.source.total
        if total is None:
            return len(self.done) * size
        return sum(max(0, min(size, total - i * size)) for i in self.done)

    @property
    def pending(self) -> int | None:
        """Rows still to label (for a progress bar); ``None`` when the count is unknown."""
        if self.source.total is None:
            return None
        return max(0, self.source.total - self._rows_done())

    def run(
        self, service: TriageService, progress: Callable[[int], None] | None = None
    ) -> LabelSummary:
        size = self.options.chunk_size
        self.work.begin(self.manifest)
        try:
            rows = self.source.rows(batch_size=size)
            chunks = 0
            for index, chunk in enumerate(_chunked(rows, size)):
                chunks += 1
                if index not in self.done:
                    self.work.write_chunk(index, self._label_chunk(service, chunk, progress))
            summary = self._assemble(chunks)
        except OSError as exc:
            raise InputError(
                f"Lezen of schrijven mislukt ({exc.filename or self.output}): "
                f"{exc.strerror or exc}. "
                "Maak ruimte of kies een andere uitvoer en ga verder met --resume."
            ) from exc
        finally:
            self.work.release()
        self.work.remove()
        return summary

    # labelling

    def _label_chunk(
        self,
        service: TriageService,
        rows: list[SourceRow],
        progress: Callable[[int], None] | None,
    ) -> list[str]:
        columns = self.source.columns if self.source.fixed_columns else None
        return label_rows(
            service, rows, self.text_column, self.options.batch_size, columns, progress
        )

    # the output

    def _assemble(self, chunks: int) -> LabelSummary:
        return assemble([(self, chunks)], self.output, self.work.path)

    def decoded(self, line: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """A chunk line back as (input values, added columns by their unprefixed names)."""
        columns = self.source.columns if self.source.fixed_columns else None
        values, added = decode_row(line, columns)
        return values, dict(zip(ADDED_COLUMNS, added, strict=True))


def label_rows(
    service: TriageService,
    rows: list[SourceRow],
    text_column: str | None,
    batch_size: int,
    columns: list[str] | None,
    progress: Callable[[int], None] | None = None,
) -> list[str]:
    """The chunk lines (:func:`~responder.batch.resume.encode_row`) of labelled ``rows``: what
    both engines write, so that the same rows in the same windows get the same answers."""
    # Rows go to the model a window at a time: it sorts a window's texts by length into
    # batches, so the larger the window, the less compute goes to padding.
    step = max(batch_size, WINDOW_ROWS)
    lines = []
    for start in range(0, len(rows), step):
        batch = rows[start : start + step]
        triaged = triage_rows(service, batch, text_column, batch_size)
        for row, (triage, error) in zip(batch, triaged, strict=True):
            added = triage_columns(triage, error)
            if row.problems:
                notes = [added["error"], *row.problems] if added["error"] else row.problems
                added["error"] = "; ".join(notes)
            lines.append(encode_row(row.values, [added[c] for c in ADDED_COLUMNS], columns))
        if progress:
            progress(len(batch))
    return lines


def triage_rows(
    service: TriageService, batch: list[SourceRow], text_column: str | None, batch_size: int
) -> list[tuple[Triage | None, str | None]]:
    """Each row's triage, or why it has none (a missing, empty or non-text cell, an unreadable
    row: ``(None, None)``, its problems say why)."""
    column = text_column or ""
    results: list[tuple[Triage | None, str | None]] = [(None, None)] * len(batch)
    good: list[int] = []
    for i, row in enumerate(batch):
        text = row.values.get(column)
        if row.unreadable:
            continue
        if column not in row.values:
            results[i] = (None, f"kolom '{column}' ontbreekt in deze rij")
        elif text is None:
            results[i] = (None, f"kolom '{column}' is leeg in deze rij")
        elif not isinstance(text, str):
            results[i] = (None, f"'{column}' is geen tekst maar {_kind_name(text)}")
        else:
            good.append(i)
    if good:
        texts = [batch[i].values[column] for i in good]
        triaged = service.triage_each(texts, batch_size)
        for i, result in zip(good, triaged, strict=True):
            results[i] = (None, str(result)) if isinstance(result, InputError) else (result, None)
    return results


def assemble(
    parts: Sequence[tuple[LabelJob, int]], output: Path, temp_folder: Path
) -> LabelSummary:
    """Write ``output`` from the finished chunks of each (job, chunk count), in order, in the
    first job's layout (the jobs share their columns), atomically; feed the first job's report.

    One job: the local engine. Several: the Ray engine, all input files into one output."""
    first = parts[0][0]
    spec, prefix = first.spec, first.options.prefix
    if spec.kind == "parquet" and spec.arrow_schema is None:
        kinds: dict[str, set[str]] = {}
        for job, chunks in parts:
            for index in range(chunks):
                column_kinds((job.decoded(line)[0] for line in job.work.read_chunk(index)), kinds)
        schema = infer_schema(spec.columns, kinds, spec.added)
        spec = dataclasses.replace(spec, arrow_schema=schema)
    summary = LabelSummary()
    report = None
    if first.options.report is not None:
        report = ReportBuilder(first.options.report, first.text_column or "", first.date_column)
    number = 0
    with atomic_path(output, temp_folder) as tmp, open_writer(tmp, spec) as writer:
        for job, chunks in parts:
            for index in range(chunks):
                out = []
                for line in job.work.read_chunk(index):
                    number += 1
                    values, added = job.decoded(line)
                    summary.add(added)
                    if report is not None:
                        report.add(number, values, added)
                    out.append({**values, **{prefix + k: v for k, v in added.items()}})
                writer.write(out)
    if report is not None and first.options.report is not None:
        name = first.source.path.name if len(parts) == 1 else first.source.path.parent.name
        page = report.render(summary, name, datetime.now())
        write_report(first.options.report.path, page)
    return summary


def label_file(
    service: TriageService,
    source: Path,
    output: Path,
    text_column: str | None = None,
    prefix: str = "",
    batch_size: int = 32,
    progress: Callable[[int], None] | None = None,
    *,
    notify: Notify = _quiet,
    **options: Any,
) -> LabelSummary:
    """Label ``source`` into ``output`` (formats from the extensions), atomically.

    ``options`` are the other :class:`LabelOptions` fields (``chunk_size``, ``resume``,
    ``report``…)."""
    settings = LabelOptions(
        text_column,
        prefix,
        batch_size,
        max_text_chars=service.settings.max_text_chars,
        flag_cues=service.settings.flag_cues,
        **options,
    )
    return LabelJob.prepare(source, output, settings, notify).run(service, progress)


def _output_spec(source: Source, kind: str, added: dict[str, str], error_column: str) -> OutputSpec:
    spec = OutputSpec(kind, list(source.columns), added, error_column)
    if kind == "csv":
        # UTF-8 with a BOM when the file is likely to go back to Excel (see responder.batch.formats).
        excel = source.has_bom or source.encoding != "utf-8" or source.kind == "xlsx"
        return dataclasses.replace(
            spec,
            bom=excel,
            delimiter=source.delimiter,
            line_terminator=source.line_terminator,
        )
    if kind == "xlsx" and source.sheet:
        return dataclasses.replace(spec, sheet=source.sheet)
    if kind == "parquet" and source.kind == "parquet":
        return dataclasses.replace(spec, arrow_schema=output_schema(source.arrow_schema, added))
    if kind == "parquet" and source.kind == "csv":
        kinds = {c: {"str"} for c in source.columns}
        return dataclasses.replace(spec, arrow_schema=infer_schema(spec.columns, kinds, added))
    return spec


def check_targets(source: Path, output: Path, report: Path | None = None) -> None:
    """Refuse, before any work, an output or report that would overwrite the input or each
    other, or that is a folder or lies in a folder that does not exist."""
    suggestion = source.with_name(f"{source.stem}-gelabeld{output.suffix or '.csv'}").name
    targets = [("de uitvoer", output, suggestion)]
    if report is not None:
        targets.append(("het rapport", report, "rapport.html"))
    for what, path, example in targets:
        if path.is_dir():
            raise InputError(
                f"{what.capitalize()} {path} is een map. Geef een bestandsnaam op, bijvoorbeeld "
                f"{path / example}."
            )
        if not path.parent.is_dir():
            raise InputError(f"De map voor {what} bestaat niet: {path.parent}")
        if same_file(path, source):
            raise InputError(
                f"{what.capitalize()} {path} is het invoerbestand zelf en zou het overschrijven. "
                f"Kies een andere naam, bijvoorbeeld {example}."
            )
    if report is not None and same_file(report, output):
        raise InputError(
            f"Het rapport en de uitvoer zijn hetzelfde bestand ({report}): het rapport zou de "
            "gelabelde rijen overschrijven. Kies een andere naam, bijvoorbeeld rapport.html."
        )


def same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` are (or would be) one file: the same path once symbolic links are
    resolved, or, when both exist, the same file on disk (a hard link, another spelling)."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _chunked(rows: Iterator[SourceRow], size: int) -> Iterator[list[SourceRow]]:
    while chunk := list(islice(rows, size)):
        yield chunk


def _kind_name(value: Any) -> str:
    if isinstance(value, bool):
        return "een ja/nee-waarde"
    if isinstance(value, int | float):
        return f"een getal ({value})"
    if isinstance(value, datetime | date | time):
        return f"een datum of tijd ({value})"
    if isinstance(value, list | tuple):
        return "een lijst"
    if isinstance(value, dict):
        return "een object"
    return f"een {type(value).__name__}"


def model_identity(path: Path) -> str:
    """The model folder and when its heads were saved: a resumed run must use the same model."""
    config = path / CONFIG_NAME
    stamp = config.stat().st_mtime_ns if config.is_file() else 0
    return f"{path.resolve()}@{stamp}"
