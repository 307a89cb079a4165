"""The work folder of a labelling run, so that an interrupted run (even ``kill -9``) can resume.

Beside the output, ``OUTPUT.responder-work/`` holds ``manifest.json`` (the input's path, size and
modification time, and the options that decide what is in the chunks, with their hash) and
numbered chunk files, ``chunk-000000.jsonl`` for input rows 0 to chunk_size - 1 and so on, each
written atomically: a chunk file that exists is complete. Resuming skips the chunks that exist;
when the input or the options changed it refuses, because the chunks would no longer fit.

Chunk lines are JSON with the types JSON lacks (dates, decimals, bytes, tuples) tagged, so that
values from XLSX and Parquet come back exactly as they were read.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import importlib
import json
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from responder.batch.formats import atomic_path
from responder.errors import InputError

SUFFIX = ".responder-work"
MANIFEST = "manifest.json"
MANIFEST_VERSION = 3
"""2: the column ``flags_possible`` and the option ``flag_cues``; 3: the columns
``flags_possible_scores`` and ``flags_possible_evidence``. A run of an earlier version cannot be
resumed (its chunks lack the columns) and says so."""

OPTION_NAMES = {
    "text_column": "tekstkolom",
    "prefix": "--prefix",
    "chunk_size": "--chunk-size",
    "output_format": "uitvoerformaat",
    "model": "model",
    "max_text_chars": "maximale tekstlengte",
    "flag_cues": "RESPONDER_FLAG_CUES",
}
"""Options that decide the content of the chunks, with their Dutch names for messages."""


# --- the row codec --------------------------------------------------------------------------------

_TAG = "\x00t"


def _encode(value: Any) -> Any:
    kind = type(value)
    if value is None or kind is str or kind is int or kind is float or kind is bool:
        return value
    if kind is list:
        return [_encode(v) for v in value]
    if kind is dict:
        if _TAG in value or not all(type(k) is str for k in value):
            return {_TAG: "dict", "v": [[_encode(k), _encode(v)] for k, v in value.items()]}
        return {k: _encode(v) for k, v in value.items()}
    if kind is tuple:
        return {_TAG: "tuple", "v": [_encode(v) for v in value]}
    if isinstance(value, datetime):
        if getattr(value, "nanosecond", 0):  # a pandas Timestamp from a Parquet ns column
            return {_TAG: "timestamp_ns", "v": value.isoformat()}
        return {_TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, date):
        return {_TAG: "date", "v": value.isoformat()}
    if isinstance(value, time):
        return {_TAG: "time", "v": value.isoformat()}
    if isinstance(value, timedelta):
        return {_TAG: "timedelta", "v": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, Decimal):
        return {_TAG: "decimal", "v": str(value)}
    if isinstance(value, bytes):
        return {_TAG: "bytes", "v": base64.b64encode(value).decode("ascii")}
    for plain in (bool, int, float, str):  # subclasses, e.g. numpy.float64 or an IntEnum
        if isinstance(value, plain):
            return plain(value)
    return {_TAG: "text", "v": str(value)}


def _decode(value: Any) -> Any:
    kind = type(value)
    if kind is list:
        return [_decode(v) for v in value]
    if kind is not dict:
        return value
    tag = value.get(_TAG)
    if tag is None:
        return {k: _decode(v) for k, v in value.items()}
    v = value["v"]
    if tag == "dict":
        return {_decode(k): _decode(x) for k, x in v}
    if tag == "tuple":
        return tuple(_decode(x) for x in v)
    if tag == "datetime":
        return datetime.fromisoformat(v)
    if tag == "timestamp_ns":
        # Only pandas holds nanoseconds; it produced the value, so it is installed.
        return importlib.import_module("pandas").Timestamp(v)
    if tag == "date":
        return date.fromisoformat(v)
    if tag == "time":
        return time.fromisoformat(v)
    if tag == "timedelta":
        return timedelta(days=v[0], seconds=v[1], microseconds=v[2])
    if tag == "decimal":
        return Decimal(v)
    if tag == "bytes":
        return base64.b64decode(v)
    return str(v)


def encode_row(values: dict[str, Any], added: list[Any], columns: list[str] | None) -> str:
    """One chunk line: the input values (a list when every row has ``columns``) and the added."""
    original: Any = [values.get(c) for c in columns] if columns is not None else values
    return json.dumps([_encode(original), _encode(added)], ensure_ascii=False)


def decode_row(line: str, columns: list[str] | None) -> tuple[dict[str, Any], list[Any]]:
    original, added = _decode(json.loads(line))
    values = dict(zip(columns, original, strict=True)) if columns is not None else original
    return values, added


# --- the folder -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Manifest:
    input_path: str
    input_size: int
    input_mtime_ns: int
    options: dict[str, Any]

    @property
    def options_hash(self) -> str:
        canonical = json.dumps(self.options, sort_keys=True)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @classmethod
    def of(cls, source: Path, options: dict[str, Any]) -> Manifest:
        stat = source.stat()
        return cls(str(source.resolve()), stat.st_size, stat.st_mtime_ns, options)

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": MANIFEST_VERSION,
                "input": {
                    "path": self.input_path,
                    "size": self.input_size,
                    "mtime_ns": self.input_mtime_ns,
                },
                "options": self.options,
                "options_hash": self.options_hash,
            },
            indent=2,  # ASCII: a path from undecodable bytes (lone surrogates) is no UTF-8
        )

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        raw = json.loads(text)
        if raw.get("version") != MANIFEST_VERSION:
            raise ValueError(f"versie {raw.get('version')}")
        source = raw["input"]
        return cls(source["path"], source["size"], source["mtime_ns"], raw["options"])


class WorkFolder:
    """``OUTPUT.responder-work/``: the manifest and the finished chunks of one labelling run."""

    def __init__(self, output: Path) -> None:
        self.path = output.with_name(output.name + SUFFIX)
        self._lock: Any = None

    def chunk_path(self, index: int) -> Path:
        return self.path / f"chunk-{index:06d}.jsonl"

    def finished(self) -> set[int]:
        if not self.path.is_dir():
            return set()
        return {
            int(p.name[6:12]) for p in self.path.glob("chunk-[0-9][0-9][0-9][0-9][0-9][0-9].jsonl")
        }

    def prepare(self, manifest: Manifest, resume: bool, restart: bool) -> set[int]:
        """Check the folder against this run; the indices of chunks that are already done.

        Without ``resume`` an existing folder is an error (``restart`` removes it first)."""
        if not self.path.exists():
            return set()
        if (self.path / "lock").exists():
            self._acquire()  # refuses while another run works here
            self.release()
        if restart:
            self.remove()
            return set()
        if not self.path.is_dir():
            raise InputError(
                f"{self.path} bestaat en is geen map; verwijder het of kies een andere uitvoer."
            )
        done = self.finished()
        if not resume:
            raise InputError(
                f"Er staat nog een onderbroken run in {self.path} ({len(done)} deel/delen klaar). "
                "Ga verder met --resume, of begin opnieuw met --restart."
            )
        try:
            previous = Manifest.from_json((self.path / MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError:
            if done:
                raise InputError(
                    f"{self.path} mist {MANIFEST}; hervatten is niet veilig. "
                    "Begin opnieuw met --restart."
                ) from None
            return set()
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(
                f"{self.path / MANIFEST} is onleesbaar ({exc}); begin opnieuw met --restart."
            ) from exc
        check_same(previous, manifest)
        return done

    def begin(self, manifest: Manifest) -> None:
        """Create the folder and its manifest, and hold its lock while this run works."""
        try:
            self.path.mkdir(exist_ok=True)
            manifest_path = self.path / MANIFEST
            if not manifest_path.exists():
                with atomic_path(manifest_path) as tmp:
                    tmp.write_text(manifest.to_json(), encoding="utf-8")
        except OSError as exc:
            raise InputError(
                f"Kan de werkmap {self.path} niet maken: {exc.strerror or exc}. "
                "Kies een uitvoer in een map waarin u mag schrijven."
            ) from exc
        self._acquire()

    def _acquire(self) -> None:
        if sys.platform == "win32":
            return
        import fcntl

        self._lock = (self.path / "lock").open("w")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            self._lock = None
            raise InputError(
                f"Er loopt al een run met dezelfde uitvoer ({self.path}); wacht tot die klaar is."
            ) from None

    def release(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def write_chunk(self, index: int, lines: list[str]) -> None:
        with atomic_path(self.chunk_path(index)) as tmp:
            tmp.write_text("".join(line + "\n" for line in lines), encoding="utf-8")

    def read_chunk(self, index: int) -> Iterator[str]:
        with self.chunk_path(index).open(encoding="utf-8") as fh:
            for line in fh:
                yield line.rstrip("\n")

    def remove(self) -> None:
        self.release()
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(self.path)


def check_same(previous: Manifest, current: Manifest) -> None:
    if (previous.input_path, previous.input_size, previous.input_mtime_ns) != (
        current.input_path,
        current.input_size,
        current.input_mtime_ns,
    ):
        what = (
            "een ander bestand"
            if previous.input_path != current.input_path
            else "grootte of wijzigingstijd verschilt"
        )
        raise InputError(
            f"Het invoerbestand is veranderd sinds de onderbroken run ({what}); hervatten zou "
            "oude en nieuwe rijen mengen. Begin opnieuw met --restart."
        )
    if previous.options_hash != current.options_hash:
        keys = sorted(set(previous.options) | set(current.options))
        changed = [
            f"{OPTION_NAMES.get(k, k)} ({previous.options.get(k)!r} → {current.options.get(k)!r})"
            for k in keys
            if previous.options.get(k) != current.options.get(k)
        ]
        raise InputError(
            "De opties verschillen van de onderbroken run: "
            f"{', '.join(changed) or 'onbekend'}. Gebruik dezelfde opties met --resume, "
            "of begin opnieuw met --restart."
        )
