"""``responder label --engine ray``: the same batch labelling on Ray Data, for a folder of exports
too large for one machine. No scheduler of our own: Ray Data streams the work.

The pipeline, per input file, reuses the local engine's pieces (:mod:`responder.batch.labelling`):

1. the driver opens and checks every input file (:meth:`LabelJob.prepare`: columns, text column,
   the work folder and its manifest) before any work, and refuses mixed column sets;
2. a Ray Data read stage (one task per file) cuts each file into the local engine's chunks and
   each chunk into its windows of 1024 rows, exactly where the local engine cuts them;
3. ``map_batches`` over an actor pool labels a window at a time: each actor loads the model once
   (the optimised labelling model where present) and calls :func:`label_rows`, the function the
   local engine uses, so every label and score is the local engine's (same windows, same
   batches by token count, same error per row);
4. the driver writes each finished chunk into the file's work folder and, when a file is done,
   its output part; a file's work resumes where it stopped.

Output: one file (every input in order, in the output's format), or a folder of Parquet parts,
one per input file, ``part-00000-<name>.parquet`` in the sorted order of the inputs, with the
rows in the input file's order (no extra columns). ``OUTPUT.responder-work/`` holds the manifest
(each input's path, size and modification time, and the options, hashed) and one work folder per
unfinished input file; ``--resume`` skips the files whose part is complete.
"""

from __future__ import annotations

import contextlib
import glob
import json
import logging
import os
import shutil
import socket
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from responder.batch.formats import KINDS, Source, SourceRow, atomic_path, kind_of, open_source
from responder.batch.labelling import (
    ADDED_COLUMNS,
    WINDOW_ROWS,
    LabelJob,
    LabelOptions,
    LabelSummary,
    assemble,
    label_rows,
)
from responder.batch.report import ReportBuilder, find_date_column, write_report
from responder.batch.resume import SUFFIX, Manifest, check_same, decode_row, encode_row
from responder.config import Settings
from responder.errors import InputError

INSTALL = 'pip install "responder[ray]"'
READABLE = {".csv", ".jsonl", ".parquet"}
ENGINE_MANIFEST = "ray-manifest.json"
MANIFEST_VERSION = 3

Notify = Callable[[str], None]


def _quiet(_message: str) -> None:
    pass


@dataclass(frozen=True)
class RayOptions:
    address: str | None = None
    """``RAY_ADDRESS`` or ``--ray-address``: an existing cluster; ``None`` starts Ray locally."""
    actors: int | None = None
    """Model actors; ``None``: one per CPU of the cluster."""
    threads: int = 1
    """Torch threads per actor (one CPU each)."""
    model: Path | None = None
    """The model folder as the user gave it: a relative path is also tried in each actor's own
    working folder (Ray's runtime environment, ``working_dir``)."""


def import_ray() -> ModuleType:
    """Ray, or one clear line saying what to install."""
    try:
        import ray
        import ray.data
    except ImportError:
        raise InputError(f"--engine ray heeft Ray nodig; installeer het met: {INSTALL}") from None
    return ray


def check_address(address: str | None, timeout: float = 3.0) -> None:
    """Refuse, before any work, a cluster address where nothing answers (``ray.init`` would
    wait a minute or more)."""
    if not address or address in ("auto", "local"):
        return
    where = address.removeprefix("ray://").removeprefix("http://").rstrip("/")
    host, _, port = where.rpartition(":")
    if not host or not port.isdigit():
        raise InputError(
            f"Ray-adres '{address}' niet herkend; gebruik HOST:POORT, bijvoorbeeld "
            "10.0.0.5:6379 (RAY_ADDRESS of --ray-address)."
        )
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except OSError as exc:
        raise InputError(
            f"Ray-cluster op {address} is niet bereikbaar ({exc.strerror or exc}). Controleer "
            "RAY_ADDRESS of --ray-address, of laat ze weg voor een lokale Ray op deze machine."
        ) from None


def find_inputs(source: Path) -> list[Path]:
    """One file, or the CSV, JSONL and Parquet files of a folder (not its subfolders) or of a
    glob pattern, sorted by name; refused when there are none."""
    if source.is_file():
        return [source]
    if source.is_dir():
        found = sorted(p for p in source.iterdir() if p.is_file() and _readable(p))
        if not found:
            raise InputError(
                f"Map {source} bevat geen CSV-, JSONL- of Parquet-bestanden (.csv, .jsonl, "
                ".parquet); er is niets te labelen."
            )
        return found
    if glob.has_magic(str(source)):
        found = sorted(Path(p) for p in glob.glob(str(source)) if Path(p).is_file())
        found = [p for p in found if _readable(p)]
        if not found:
            raise InputError(f"Geen CSV-, JSONL- of Parquet-bestanden gevonden voor {source}.")
        return found
    raise InputError(f"Bestand of map niet gevonden: {source}")


def _readable(path: Path) -> bool:
    return path.suffix.lower() in READABLE and not path.name.startswith(".")


def is_folder_output(output: Path) -> bool:
    """An existing folder, or a name without a known extension: a folder of Parquet parts."""
    return output.is_dir() or output.suffix.lower() not in KINDS


@dataclass
class _File:
    """One input file of the run and where its labelled rows go."""

    index: int
    job: LabelJob
    part: Path | None
    """Its Parquet part (folder output); ``None`` when everything goes into one file."""
    chunks: int
    pending: set[int] = field(default_factory=set)
    """Chunks still to label."""
    finished: bool = False


@dataclass
class RayLabelRun:
    """A checked run of the Ray engine: every input opened and checked, nothing labelled yet."""

    inputs: list[Path]
    output: Path
    folder: bool
    options: LabelOptions
    files: list[_File]
    root: Path
    """``OUTPUT.responder-work/``."""
    manifests: list[Manifest]
    notify: Notify = _quiet

    @classmethod
    def prepare(
        cls, source: Path, output: Path, options: LabelOptions, notify: Notify = _quiet
    ) -> RayLabelRun:
        if options.resume and options.restart:
            raise InputError("Kies --resume of --restart, niet allebei.")
        inputs = find_inputs(source)
        folder = is_folder_output(output)
        root = output.with_name(output.name + SUFFIX)
        if options.restart:
            shutil.rmtree(root, ignore_errors=True)
        if options.resume and not root.exists():
            notify("Geen onderbroken run gevonden; labelen begint vooraan.")
        if root.exists() and not options.resume:
            raise InputError(
                f"Er staat nog een onderbroken run in {root}. Ga verder met --resume, of begin "
                "opnieuw met --restart."
            )
        if folder:
            if output.exists() and not output.is_dir():
                raise InputError(f"{output} bestaat en is geen map; kies een map voor de delen.")
            if not output.parent.is_dir():
                raise InputError(f"De map voor de uitvoer bestaat niet: {output.parent}")
            if output.is_dir() and not root.exists() and any(output.iterdir()):
                raise InputError(
                    f"Uitvoermap {output} is niet leeg; kies een lege of nieuwe map, zodat oude "
                    "delen niet tussen de nieuwe komen."
                )
        previous = _previous_run(root) if options.resume else None
        if previous is not None:
            _check_inputs(previous, inputs)
        sources = [_open_checked(path, inputs[0], notify) for path in inputs]
        _check_same_columns(sources)
        said: set[str] = set()

        def once(message: str) -> None:  # the same text column n times is said once
            if message not in said:
                said.add(message)
                notify(message)

        files = []
        made = folder and not output.exists()
        if made:
            output.mkdir()
        try:
            for i, path in enumerate(inputs):
                name = f"part-{i:05d}-{path.stem}"
                part = output / f"{name}.parquet" if folder else None
                work_at = root / name
                per_file = replace(
                    options,
                    resume=options.resume and work_at.with_name(name + SUFFIX).exists(),
                    restart=False,
                    report=options.report if not folder and i == 0 else None,
                )
                job = LabelJob.prepare(path, part or output, per_file, once, work_at, sources[i])
                total = job.source.total or 0
                chunks = -(-total // options.chunk_size)
                complete = folder and part is not None and part.exists() and options.resume
                pending = set() if complete else set(range(chunks)) - job.done
                files.append(_File(i, job, part, chunks, pending, finished=complete))
        except BaseException:
            if made:
                with contextlib.suppress(OSError):
                    output.rmdir()
            raise
        if options.report is not None and folder:
            find_date_column(sources[0].columns, options.report.date_column, once)
        manifests = [f.job.manifest for f in files]
        if previous is not None:
            for before, now in zip(previous, manifests, strict=True):
                check_same(before, now)  # inputs are checked: the options by name
        run = cls(inputs, output, folder, options, files, root, manifests, notify)
        done = sum(1 for f in files if f.finished or (not f.pending and f.chunks))
        if options.resume and done:
            notify(f"Hervatten: {done} van de {len(files)} bestanden waren al klaar.")
        return run

    # resuming

    def _write_manifest(self) -> None:
        self.root.mkdir(exist_ok=True)
        path = self.root / ENGINE_MANIFEST
        if path.exists():
            return
        text = json.dumps(
            {
                "version": MANIFEST_VERSION,
                "output": "folder" if self.folder else "file",
                "inputs": [json.loads(m.to_json()) for m in self.manifests],
            },
            indent=2,
        )
        with atomic_path(path) as tmp:
            tmp.write_text(text, encoding="utf-8")

    # running

    @property
    def pending_rows(self) -> int:
        size = self.options.chunk_size
        return sum(
            max(0, min(size, (f.job.source.total or 0) - k * size))
            for f in self.files
            for k in f.pending
        )

    def run(
        self, ray_options: RayOptions, progress: Callable[[int], None] | None = None
    ) -> LabelSummary:
        """Label what is not done yet on Ray, then write the output (and the report)."""
        ray = import_ray()
        self._write_manifest()
        lock = _lock(self.root)
        try:
            for f in self.files:
                if f.pending:
                    f.job.work.begin(f.job.manifest)
                    f.job.work.release()
            if any(f.pending for f in self.files):
                self._label(ray, ray_options, progress)
            for f in self.files:
                self._finish(f)
            summary = self._output()
        except OSError as exc:
            raise InputError(
                f"Lezen of schrijven mislukt ({exc.filename or self.output}): "
                f"{exc.strerror or exc}. Maak ruimte of kies een andere uitvoer en ga verder met "
                "--resume."
            ) from exc
        finally:
            lock.close()
        shutil.rmtree(self.root, ignore_errors=True)
        return summary

    def _label(
        self, ray: ModuleType, ray_options: RayOptions, progress: Callable[[int], None] | None
    ) -> None:
        settings = Settings()
        if self.options.max_text_chars is not None:
            settings = settings.model_copy(update={"max_text_chars": self.options.max_text_chars})
        settings = settings.model_copy(update={"flag_cues": self.options.flag_cues})
        model = _model_path(self.options.model)
        check_model(Path(model))
        models = [model] + ([str(ray_options.model)] if ray_options.model else [])
        connect(ray, ray_options)
        actors = ray_options.actors or max(
            1, int(ray.cluster_resources().get("CPU", 1) // ray_options.threads)
        )
        step = max(self.options.batch_size, WINDOW_ROWS)
        plans = {
            f.index: _ReadPlan(f.job.source, self.options.chunk_size, step, sorted(f.pending))
            for f in self.files
            if f.pending
        }
        layouts = {i: (self.files[i].job.text_column, p.columns) for i, p in plans.items()}
        context = ray.data.DataContext.get_current()
        saved = context.target_max_block_size, context.enable_progress_bars
        # One window per block: Ray hands whole blocks to an actor, so bigger blocks would give
        # one actor a whole file while the others wait.
        context.target_max_block_size, context.enable_progress_bars = 1, False
        try:
            items = [{"file": i} for i in plans]
            dataset = (
                ray.data.from_items(items, override_num_blocks=len(items))
                .map_batches(_read_windows, batch_size=1, fn_kwargs={"plans": plans}, num_cpus=0)
                .map_batches(
                    _labeller(models, ray_options.threads, settings, layouts, self.options),
                    batch_size=1,
                    compute=ray.data.ActorPoolStrategy(size=actors),
                    num_cpus=ray_options.threads,
                )
            )
        finally:
            context.target_max_block_size, context.enable_progress_bars = saved
        windows: dict[tuple[int, int], dict[int, str]] = {}
        for row in _results(dataset):
            file, chunk, window = int(row["file"]), int(row["chunk"]), int(row["window"])
            got = windows.setdefault((file, chunk), {})
            got[window] = str(row["lines"])
            if progress:
                progress(int(row["rows"]))
            if len(got) < int(row["windows"]):
                continue
            del windows[(file, chunk)]
            f = self.files[file]
            lines = [line for w in sorted(got) for line in got[w].split("\n")]
            f.job.work.write_chunk(chunk, lines)
            f.pending.discard(chunk)
            if not f.pending:
                self._finish(f)

    def _finish(self, f: _File) -> None:
        """A file with every chunk labelled: its part (folder output) written atomically."""
        if f.finished or f.pending or f.part is None:
            return
        f.job.work.path.mkdir(parents=True, exist_ok=True)  # an empty input has none yet
        f.job._assemble(f.chunks)
        f.job.work.remove()
        f.finished = True

    def _output(self) -> LabelSummary:
        if not self.folder:
            jobs = [f.job for f in self.files]
            first = jobs[0]
            if len(jobs) > 1 and first.spec.kind == "parquet" and not _same_schema(jobs):
                first.spec = replace(first.spec, arrow_schema=None)  # typed from the values
            return assemble([(f.job, f.chunks) for f in self.files], self.output, self.root)
        return self._aggregate()

    def _aggregate(self) -> LabelSummary:
        """Counts and report over the Parquet parts, a batch of rows at a time."""
        import pyarrow.parquet as pq

        summary = LabelSummary()
        spec = self.options.report
        first = self.files[0].job
        report = None
        if spec is not None:
            date_column = find_date_column(first.source.columns, spec.date_column, _quiet)
            report = ReportBuilder(spec, first.text_column or "", date_column)
        prefix = self.options.prefix
        number = 0
        for f in self.files:
            assert f.part is not None
            with pq.ParquetFile(f.part) as pf:
                for batch in pf.iter_batches(batch_size=self.options.chunk_size):
                    for values in batch.to_pylist():
                        number += 1
                        added = {c: values.get(prefix + c) for c in ADDED_COLUMNS}
                        summary.add(added)
                        if report is not None:
                            report.add(number, values, added)
        if report is not None and spec is not None:
            write_report(spec.path, report.render(summary, self.output.name, datetime.now()))
        return summary


def _previous_run(root: Path) -> list[Manifest] | None:
    """The manifests of the interrupted run in ``root``, one per input file; ``None``: none."""
    path = root / ENGINE_MANIFEST
    if not path.exists():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return [Manifest.from_json(json.dumps(m)) for m in raw["inputs"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path} is onleesbaar ({exc}); begin opnieuw met --restart.") from exc


def _check_inputs(previous: list[Manifest], inputs: list[Path]) -> None:
    """The same input files as the interrupted run, unchanged (size and time), else refused
    with the names of the files that are new, gone or changed."""
    before = {m.input_path: m for m in previous}
    now = {str(p.resolve()): Manifest.of(p, {}) for p in inputs}
    added = [Path(p).name for p in now if p not in before]
    gone = [Path(p).name for p in before if p not in now]
    if added or gone:
        what = "; ".join(
            f"{label}: {', '.join(names)}"
            for label, names in (("nieuw", added), ("weg", gone))
            if names
        )
        raise InputError(
            f"De invoerbestanden verschillen van de onderbroken run ({what}); hervatten zou "
            "oude en nieuwe rijen mengen. Begin opnieuw met --restart."
        )
    for key, current in now.items():
        try:
            check_same(replace(before[key], options={}), current)
        except InputError as exc:
            raise InputError(f"{Path(key).name}: {exc}") from None


def _open_checked(path: Path, first: Path, notify: Notify) -> Source:
    if kind_of(path) == "xlsx":
        raise InputError(
            f"{path}: --engine ray leest CSV, JSONL en Parquet; label Excel met --engine local."
        )
    return open_source(path, notify if path == first else _quiet)


def _check_same_columns(sources: list[Source]) -> None:
    """Every input file has the same columns (in any order): else one clear error, naming the
    file and what differs, before any work."""
    first = sources[0]
    expected = set(first.columns)
    for source in sources[1:]:
        if not source.columns and not source.total:
            continue  # an empty file has no columns to compare
        have = set(source.columns)
        if have == expected:
            continue
        missing = ", ".join(c for c in first.columns if c not in have) or "geen"
        extra = ", ".join(c for c in source.columns if c not in expected) or "geen"
        raise InputError(
            f"De invoerbestanden hebben verschillende kolommen: {source.path.name} mist "
            f"{missing} en heeft extra {extra} (vergeleken met {first.path.name}). Label ze "
            "apart, of maak de kolommen gelijk."
        )


def _same_schema(jobs: list[LabelJob]) -> bool:
    schemas = [j.source.arrow_schema for j in jobs]
    return all(s is not None and s.equals(schemas[0]) for s in schemas)


def _lock(root: Path) -> Any:
    """Hold ``root/lock`` while this run works: a second run with the same output is refused."""
    handle = (root / "lock").open("w")
    if sys.platform != "win32":
        import fcntl

        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise InputError(
                f"Er loopt al een run met dezelfde uitvoer ({root}); wacht tot die klaar is."
            ) from None
    return handle


def _results(dataset: Any) -> Iterator[dict[str, Any]]:
    """The dataset's rows; an error a user can act on, raised in an actor, as itself."""
    from responder.errors import ResponderError

    try:
        yield from dataset.iter_rows()
    except Exception as exc:
        cause = exc.__cause__ if isinstance(exc.__cause__, ResponderError) else None
        cause = cause or getattr(exc, "cause", None)
        if isinstance(cause, ResponderError):
            raise cause from None
        raise


def check_model(path: Path) -> None:
    """A clear error in the driver rather than one per actor."""
    from responder.errors import ModelNotFoundError
    from responder.model.modeling import TriageConfig

    if not (path / "model.safetensors").is_file():
        raise ModelNotFoundError(
            f"Geen triagemodel gevonden in {path}. Bouw het met 'responder model build'."
        )
    TriageConfig.load(path)


def _model_path(identity: str) -> str:
    """The model folder from :func:`model_identity` (``path@stamp``)."""
    return identity.rsplit("@", 1)[0]


def connect(ray: ModuleType, options: RayOptions) -> None:
    """Join the cluster at ``options.address``, or start Ray on this machine's cores."""
    for name in ("ray", "ray.data"):  # Ray's own lines would bury the progress bar
        logging.getLogger(name).setLevel(logging.ERROR)
    if ray.is_initialized():
        return
    common: dict[str, Any] = {
        "logging_level": logging.ERROR,
        "log_to_driver": False,
        "configure_logging": True,
    }
    try:
        if options.address and options.address != "local":
            ray.init(address=options.address, **common)
        else:
            os.environ.pop("RAY_ADDRESS", None)  # "local": this machine, whatever the env says
            ray.init(num_cpus=os.cpu_count() or 1, include_dashboard=False, **common)
    except (ConnectionError, TimeoutError, RuntimeError, ValueError) as exc:
        where = options.address or "deze machine"
        raise InputError(f"Ray starten of verbinden ({where}) mislukt: {exc}") from None


# --- what runs on the cluster ---------------------------------------------------------------------


@dataclass(frozen=True)
class _ReadPlan:
    source: Source
    chunk_size: int
    window: int
    chunks: list[int]
    """The chunks still to label, ascending."""

    @property
    def columns(self) -> list[str] | None:
        return self.source.columns if self.source.fixed_columns else None


def _read_windows(batch: dict[str, Any], plans: dict[int, _ReadPlan]) -> Iterator[dict[str, Any]]:
    """Read one input file; yield each pending chunk's windows, where the local engine cuts."""
    import numpy as np

    for file in batch["file"]:
        plan = plans[int(file)]
        wanted = set(plan.chunks)
        rows = plan.source.rows(batch_size=plan.chunk_size)
        chunk_index = 0
        while wanted:
            chunk = _take(rows, plan.chunk_size)
            if not chunk:
                break
            if chunk_index in wanted:
                wanted.discard(chunk_index)
                starts = range(0, len(chunk), plan.window)
                for window, start in enumerate(starts):
                    part = chunk[start : start + plan.window]
                    payload = "\n".join(
                        encode_row(r.values, [r.problems, r.unreadable], plan.columns) for r in part
                    )
                    yield {
                        "file": np.array([int(file)]),
                        "chunk": np.array([chunk_index]),
                        "window": np.array([window]),
                        "windows": np.array([len(starts)]),
                        "payload": np.array([payload], dtype=object),
                    }
            chunk_index += 1


def _first_model(candidates: list[str]) -> str:
    """The model folder as this machine sees it: the driver's absolute path (a shared path), else
    the path as given, relative to this worker's folder (Ray's ``working_dir``)."""
    from responder.errors import ModelNotFoundError

    for candidate in candidates:
        if (Path(candidate) / "model.safetensors").is_file():
            return candidate
    raise ModelNotFoundError(
        f"Geen triagemodel op {socket.gethostname()} in {' of '.join(candidates)}: zet het model "
        "op een gedeeld pad of geef het mee in Ray's runtime-omgeving (working_dir)."
    )


def _take(rows: Iterator[SourceRow], n: int) -> list[SourceRow]:
    out = []
    for row in rows:
        out.append(row)
        if len(out) == n:
            break
    return out


Layouts = dict[int, tuple[str | None, list[str] | None]]
"""Per input file: its text column and, when every row has them, its columns."""


def _labeller(
    models: list[str], threads: int, settings: Settings, layouts: Layouts, options: LabelOptions
) -> type[_Labeller]:
    """The actor class with its configuration inside (pickled with the class, so that Ray has
    no constructor arguments to keep in its object store for restarts)."""
    config = {"models": models, "threads": threads, "settings": settings, "layouts": layouts}
    return type("Labeller", (_Labeller,), {"config": {**config, "batch_size": options.batch_size}})


class _Labeller:
    """A Ray actor: loads the model once, then labels one window per call."""

    config: dict[str, Any]

    def __init__(self) -> None:
        from responder.model.modeling import load_model
        from responder.triage.service import TriageService

        config = self.config
        model = load_model(_first_model(config["models"]), config["threads"])
        self.service = TriageService(model, config["settings"])
        self.layouts: Layouts = config["layouts"]
        self.batch_size: int = config["batch_size"]

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        lines_out, counts = [], []
        for file, payload in zip(batch["file"], batch["payload"], strict=True):
            text_column, columns = self.layouts[int(file)]
            rows = []
            for line in str(payload).split("\n"):
                values, (problems, unreadable) = decode_row(line, columns)
                rows.append(SourceRow(values, problems, unreadable))
            lines = label_rows(self.service, rows, text_column, self.batch_size, columns)
            lines_out.append("\n".join(lines))
            counts.append(len(rows))
        return {
            "file": batch["file"],
            "chunk": batch["chunk"],
            "window": batch["window"],
            "windows": batch["windows"],
            "lines": np.array(lines_out, dtype=object),
            "rows": np.array(counts),
        }
