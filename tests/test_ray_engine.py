"""`responder label --engine ray`: a real local Ray instance (2 CPUs) labels a folder of CSV, JSONL
and Parquet files with the tiny model exactly as the local engine does, keeps every row (error
rows too), resumes after `kill -9`; and bad setups fail with one clear line before any work."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from responder.batch.labelling import ADDED_COLUMNS, LabelOptions, label_file, model_identity
from responder.batch.ray_engine import RayLabelRun, RayOptions
from responder.batch.report import ReportSpec
from responder.cli.app import cli
from responder.config import Settings
from responder.errors import InputError

RESPONDER = str(Path(sys.executable).parent / "responder")
TEMPLATES = (
    "mijn pakket is nog steeds niet geleverd, ik wacht al weken",
    "super bedankt, top service",
    "is er een storing in de app?",
    "de factuur klopt niet, ik ga naar de advocaat",
    "ik ga opzeggen, dit komt in de krant",
    "Where is my parcel? Nobody answers my emails at all.",
)


def write_folder(folder: Path, sizes: tuple[int, int, int] = (7, 9, 11)) -> list[Path]:
    """Three exports with the same columns (id, datum, text): CSV, JSONL and Parquet, each with
    rows that cannot be labelled (empty text, a broken JSON line, a number as text)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir()
    n_csv, n_jsonl, n_parquet = sizes

    def text(i: int) -> str:
        return f"{TEMPLATES[i % len(TEMPLATES)]} {i}"

    csv_lines = ["id;datum;text"] + [
        f"{i};2026-11-{1 + i % 28:02d} 10:00;{text(i) if i != 2 else ''}" for i in range(n_csv)
    ]
    (folder / "a.csv").write_text("\n".join(csv_lines) + "\n", encoding="utf-8")
    jsonl = []
    for i in range(n_jsonl):
        value: Any = 42 if i == 3 else text(i)
        jsonl.append(json.dumps({"id": i, "datum": "2026-11-02 09:00", "text": value}))
    jsonl.insert(4, '{"id": 99, "text": ')  # a broken line stays a row, with its error
    (folder / "b.jsonl").write_text("\n".join(jsonl) + "\n", encoding="utf-8")
    table = pa.table(
        {
            "id": pa.array(range(n_parquet), pa.int64()),
            "datum": [f"2026-11-03 0{i % 10}:00" for i in range(n_parquet)],
            "text": [text(i) if i != 1 else None for i in range(n_parquet)],
        }
    )
    pq.write_table(table, folder / "c.parquet")
    return sorted(folder.iterdir())


def read_rows(path: Path) -> list[dict[str, Any]]:
    from responder.batch.formats import open_source

    return [row.values for row in open_source(path).rows()]


@pytest.fixture(scope="module")
def ray_address() -> Iterator[str]:
    """A real local Ray instance with 2 CPUs, shared by the tests of this module."""
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    try:
        yield str(ray.get_runtime_context().gcs_address)
    finally:
        ray.shutdown()


def options(model: Path, **overrides: Any) -> LabelOptions:
    return LabelOptions(
        model=model_identity(model), max_text_chars=Settings().max_text_chars, **overrides
    )


SIZES = (7, 9, 1200)
ROWS = 7 + 10 + 1200  # the broken JSONL line is a row too


@pytest.fixture(scope="module")
def labelled(
    tiny_model: Path, tmp_path_factory: pytest.TempPathFactory, ray_address: str
) -> tuple[Path, Path, list[int]]:
    """The folder labelled on Ray into Parquet parts: (input folder, output folder, progress)."""
    folder = tmp_path_factory.mktemp("ray")
    write_folder(folder / "in", SIZES)
    run = RayLabelRun.prepare(folder / "in", folder / "uit", options(tiny_model, chunk_size=50))
    assert run.pending_rows == ROWS
    done: list[int] = []
    assert run.run(RayOptions(actors=2), done.append).rows == ROWS
    return folder / "in", folder / "uit", done


@pytest.mark.slow
def test_ray_labels_a_folder_like_the_local_engine(
    tiny_model: Path, tmp_path: Path, labelled: tuple[Path, Path, list[int]]
) -> None:
    source, out, done = labelled
    assert sum(done) == ROWS and max(done) <= 50  # progress a window at a time
    parts = sorted(out.iterdir())
    assert [p.name for p in parts] == [
        "part-00000-a.parquet",
        "part-00001-b.parquet",
        "part-00002-c.parquet",
    ]
    assert not out.with_name("uit.responder-work").exists()
    from responder.model.modeling import load_model
    from responder.triage.service import TriageService

    service = TriageService(load_model(tiny_model), Settings())
    for path, part in zip(sorted(source.iterdir()), parts, strict=True):
        got = read_rows(part)
        lokaal = tmp_path / f"{path.stem}-lokaal.parquet"
        label_file(service, path, lokaal, chunk_size=50)
        assert len(got) == len(read_rows(path))
        assert got == read_rows(lokaal)  # every input value, label and score, in order
    c = read_rows(parts[2])
    assert [r["id"] for r in c] == list(range(SIZES[2])) and isinstance(c[0]["id"], int)
    assert c[1]["sentiment"] is None and "leeg" in c[1]["error"]
    assert sum(r["sentiment"] is not None for r in c) > 900
    b = read_rows(parts[1])
    assert "geen geldige JSON" in b[4]["error"] and "geen tekst" in b[3]["error"]
    assert set(ADDED_COLUMNS) <= set(b[0])

    # One output file: every input file in order, in the output's format.
    single, report = tmp_path / "alles.jsonl", tmp_path / "rapport.html"
    spec = ReportSpec(report)
    run = RayLabelRun.prepare(source, single, options(tiny_model, chunk_size=50, report=spec))
    summary = run.run(RayOptions())
    rows = [json.loads(line) for line in single.read_text(encoding="utf-8").splitlines()]
    assert summary.rows == len(rows) == ROWS
    assert [r["id"] for r in rows[:7]] == [str(i) for i in range(7)]  # CSV values are text
    assert [r["sentiment"] for r in rows[17:]] == [r["sentiment"] for r in c]
    assert f'data-count="Rijen">{ROWS}<' in report.read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.server
def test_resume_after_kill_gives_the_same_output(
    tiny_model: Path, tmp_path: Path, ray_address: str, labelled: tuple[Path, Path, list[int]]
) -> None:
    source, whole, _ = labelled
    common = ["--engine", "ray", "--chunk-size", "50", "--model", str(tiny_model)]
    env = {**os.environ, "RAY_ADDRESS": ray_address}
    out = tmp_path / "uit"
    process = subprocess.Popen(
        [RESPONDER, "label", str(source), "-o", str(out), *common],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    first_two = [out / "part-00000-a.parquet", out / "part-00001-b.parquet"]
    while not all(p.exists() for p in first_two):
        assert process.poll() is None, process.communicate()[1]
        assert time.monotonic() < deadline, "no part appeared"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert not (out / "part-00002-c.parquet").exists(), "killed too late to test resuming"

    def label(*more: str) -> subprocess.CompletedProcess[str]:
        args = [RESPONDER, "label", str(source), "-o", str(out), *common, *more]
        return subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)

    again = label()
    assert again.returncode == 2 and "--resume" in again.stderr, again.stderr
    resumed = label("--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert "Hervatten: 2 van de 3 bestanden" in resumed.stderr
    assert f"{ROWS} rijen geschreven" in resumed.stderr
    for name in ("part-00000-a.parquet", "part-00001-b.parquet", "part-00002-c.parquet"):
        assert read_rows(out / name) == read_rows(whole / name)
    assert not (tmp_path / "uit.responder-work").exists()


def test_resume_refuses_a_changed_input_or_option(tmp_path: Path) -> None:
    """The manifest names what changed; nothing is labelled (no Ray needed to refuse)."""
    from responder.batch.ray_engine import ENGINE_MANIFEST

    write_folder(tmp_path / "in")
    out, model = tmp_path / "uit", tmp_path / "model"
    run = RayLabelRun.prepare(tmp_path / "in", out, options(model, chunk_size=4))
    run._write_manifest()  # as a killed run leaves it
    assert (tmp_path / "uit.responder-work" / ENGINE_MANIFEST).is_file()
    with pytest.raises(InputError, match="--resume"):
        RayLabelRun.prepare(tmp_path / "in", out, options(model, chunk_size=4))
    with pytest.raises(InputError, match=r"--chunk-size \(4 → 5\)"):
        RayLabelRun.prepare(tmp_path / "in", out, options(model, chunk_size=5, resume=True))
    (tmp_path / "in" / "b.jsonl").write_text('{"id": 1, "datum": "x", "text": "hoi"}\n', "utf-8")
    with pytest.raises(InputError, match=r"b\.jsonl: Het invoerbestand is veranderd"):
        RayLabelRun.prepare(tmp_path / "in", out, options(model, chunk_size=4, resume=True))
    (tmp_path / "in" / "d.csv").write_text("id;datum;text\n1;x;hoi\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"nieuw: d\.csv"):
        RayLabelRun.prepare(tmp_path / "in", out, options(model, chunk_size=4, resume=True))


def label_cli(*args: str, **env: str) -> Any:
    return CliRunner().invoke(cli, ["label", *args], env=env, catch_exceptions=False)


def one_error_line(result: Any, *words: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2, result.stderr
    assert lines[-1].startswith("fout: ") and "Traceback" not in result.stderr
    for word in words:
        assert word in lines[-1]


def test_missing_ray_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_folder(tmp_path / "in")
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray → ImportError
    result = label_cli(str(tmp_path / "in"), "-o", str(tmp_path / "uit"), "--engine", "ray")
    one_error_line(result, 'pip install "responder[ray]"')
    assert not (tmp_path / "uit").exists()


def test_unreachable_ray_address_fails_fast(tmp_path: Path) -> None:
    write_folder(tmp_path / "in")
    with socket.socket() as s:  # a port where nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.monotonic()
    result = label_cli(
        str(tmp_path / "in"), "-o", str(tmp_path / "uit"), "--engine", "ray",
        RAY_ADDRESS=f"127.0.0.1:{port}",
    )  # fmt: skip
    one_error_line(result, f"127.0.0.1:{port}", "niet bereikbaar", "RAY_ADDRESS")
    assert time.monotonic() - started < 10
    assert not (tmp_path / "uit").exists()


def test_empty_folder_and_mixed_columns_are_refused_before_any_work(tmp_path: Path) -> None:
    empty = tmp_path / "leeg"
    empty.mkdir()
    (empty / "notities.txt").write_text("geen export", encoding="utf-8")
    result = label_cli(str(empty), "-o", str(tmp_path / "uit"), "--engine", "ray")
    one_error_line(result, "bevat geen CSV-, JSONL- of Parquet-bestanden")

    write_folder(tmp_path / "in")
    (tmp_path / "in" / "d.csv").write_text("id;bericht\n1;hoi\n", encoding="utf-8")
    result = label_cli(
        str(tmp_path / "in"), "-o", str(tmp_path / "uit"), "--engine", "ray",
        "--model", str(tmp_path / "geen-model"),
    )  # fmt: skip
    one_error_line(result, "verschillende kolommen", "d.csv", "mist datum, text", "extra bericht")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "leeg"]
