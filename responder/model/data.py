"""Labelled comments: load JSONL or CSV with ``datasets``, check them against the label scheme."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from responder.errors import DataError
from responder.labels import FLAGS, SINGLE_LABEL_HEADS

REQUIRED = ("text", "sentiment", "intent", "topic", "flags")
SPLITS = ("train", "dev", "test")
DEFAULT_DATASET = Path("data") / "comments"


def parse_flags(value: Any, where: str) -> list[str]:
    """Flags as a list: a JSON list, a ``;``-joined string (CSV) or empty."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("["):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise DataError(f"{where}: 'flags' is geen geldige JSON-lijst: {value!r}") from exc
        else:
            value = [v.strip() for v in value.split(";") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DataError(f"{where}: 'flags' moet een lijst van labels zijn, niet {value!r}")
    unknown = sorted(set(value) - set(FLAGS))
    if unknown:
        raise DataError(f"{where}: onbekende flag(s) {unknown}; toegestaan: {', '.join(FLAGS)}")
    return list(value)


def load_comments(path: Path, text_column: str = "text") -> Any:
    """A ``datasets.Dataset`` with columns text, sentiment, intent, topic, flags (a list).

    Every row is checked; the first bad one raises a :class:`DataError` naming file and row.
    """
    import datasets

    if not path.is_file():
        raise DataError(f"Bestand niet gevonden: {path}")
    suffix = path.suffix.lower()
    builder = {".jsonl": "json", ".json": "json", ".csv": "csv"}.get(suffix)
    if builder is None:
        raise DataError(f"{path}: alleen .jsonl en .csv worden ondersteund, niet '{suffix}'.")
    datasets.disable_progress_bars()
    features = None
    if builder == "csv":
        # Keep every column a string; flags are parsed below.
        with path.open(encoding="utf-8-sig") as fh:
            header = fh.readline().strip().split(",")
        features = datasets.Features({name: datasets.Value("string") for name in header})
    try:
        ds = datasets.load_dataset(
            builder, data_files=str(path), split="train", features=features, cache_dir=None
        )
    except Exception as exc:  # datasets wraps parser errors in several types
        raise DataError(f"{path} kan niet worden gelezen: {exc}") from exc
    if text_column != "text":
        if text_column not in ds.column_names:
            raise DataError(
                f"{path}: kolom '{text_column}' bestaat niet. Gevonden: {', '.join(ds.column_names)}"
            )
        ds = ds.rename_column(text_column, "text")
    missing = [c for c in REQUIRED if c not in ds.column_names]
    if missing:
        raise DataError(
            f"{path}: kolom(men) {', '.join(missing)} ontbreken. "
            f"Gevonden: {', '.join(ds.column_names)}. Nodig: {', '.join(REQUIRED)}."
        )
    for i, row in enumerate(ds):
        where = f"{path}, rij {i + 1}"
        if not isinstance(row["text"], str) or not row["text"].strip():
            raise DataError(f"{where}: lege tekst.")
        for head, names in SINGLE_LABEL_HEADS.items():
            if row[head] not in names:
                raise DataError(
                    f"{where}: {head} '{row[head]}' is onbekend; kies uit {', '.join(names)}"
                )
        parse_flags(row["flags"], where)
    extra = [c for c in ds.column_names if c not in REQUIRED]
    ds = ds.remove_columns(extra)
    return ds.map(lambda row: {"flags": parse_flags(row["flags"], str(path))})


def split_path(data: Path, split: str) -> Path:
    """``data`` may be a folder with train/dev/test files or one file (used for every split)."""
    if data.is_file():
        return data
    for suffix in (".jsonl", ".csv"):
        candidate = data / f"{split}{suffix}"
        if candidate.is_file():
            return candidate
    raise DataError(f"Geen {split}.jsonl of {split}.csv gevonden in {data}.")


def load_ordinary(path: Path) -> list[str]:
    """The training half of a pool of ordinary real text (``data/real/ordinary.jsonl``): texts
    that carry no flag. Rows marked with a ``doubt`` are left out."""
    import json

    if not path.is_file():
        raise DataError(f"Geen bestand met gewone teksten: {path} (zie data/real/README.md).")
    texts = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise DataError(f"{path}:{n}: geen geldige JSON ({exc}).") from exc
        if row.get("split", "train") == "train" and not row.get("doubt") and not row.get("flags"):
            texts.append(str(row["text"]))
    return texts


def correction_rows(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Agents' label corrections (``Storage.corrections()``) as labelled rows for training: only
    those stored with their text (comment text is kept only when the server is set to), checked
    against the label scheme like any other row; the latest correction of a text wins."""
    rows: dict[str, dict[str, Any]] = {}
    for record in records:
        text = record.get("text")
        if not isinstance(text, str) or not text.strip():
            continue
        where = f"correctie {record.get('id', '?')}"
        for head, names in SINGLE_LABEL_HEADS.items():
            if record.get(head) not in names:
                raise DataError(f"{where}: {head} '{record.get(head)}' is onbekend.")
        flags = parse_flags(record.get("flags"), where)
        rows[text] = {
            "text": text,
            "sentiment": record["sentiment"],
            "intent": record["intent"],
            "topic": record["topic"],
            "flags": flags,
        }
    return list(rows.values())


def with_corrections(
    data: Path, corrections: list[dict[str, Any]], folder: Path
) -> tuple[int, int]:
    """Write ``data``'s train/dev/test to ``folder`` as JSONL with ``corrections`` added to
    train. A correction whose text is in dev or test is left out (it would leak into the
    evaluation); one whose text is in train replaces that row's labels. Returns (added, left out)."""
    splits = {split: list(load_comments(split_path(data, split))) for split in SPLITS}
    held_out = {r["text"].strip() for split in ("dev", "test") for r in splits[split]}
    fixes = {r["text"].strip(): r for r in corrections if r["text"].strip() not in held_out}
    train = [fixes.pop(r["text"].strip(), r) for r in splits["train"]]
    replaced = len(splits["train"]) - sum(
        1 for a, b in zip(train, splits["train"], strict=True) if a is b
    )
    splits["train"] = train + list(fixes.values())
    folder.mkdir(parents=True, exist_ok=True)
    for split, rows in splits.items():
        with (folder / f"{split}.jsonl").open("w", encoding="utf-8") as fh:
            for row in rows:
                fields = {k: row[k] for k in REQUIRED}
                fh.write(json.dumps(fields, ensure_ascii=False) + "\n")
    added = len(fixes) + replaced
    return added, len(corrections) - added
