"""An interrupted run (even ``kill -9``) resumes and gives the same bytes as an uninterrupted one;
a resume that would mix old and new work is refused."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from responder.batch.labelling import label_file
from responder.batch.resume import SUFFIX, decode_row, encode_row
from responder.config import Settings
from responder.errors import InputError
from responder.triage.service import TriageService

RESPONDER = str(Path(sys.executable).parent / "responder")
TEMPLATES = (
    "mijn pakket is nog steeds niet geleverd, ik wacht al weken",
    "super bedankt, top service",
    "is er een storing in de app?",
    "de factuur klopt niet, ik ga naar de advocaat",
    "ik ga opzeggen, dit komt in de krant",
    "",
)


def responder(*args: str, model: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "RESPONDER_MODEL_PATH": str(model)}
    return subprocess.Popen(
        [RESPONDER, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def finish(process: subprocess.Popen[str]) -> str:
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return err


def write_comments(path: Path, rows: int) -> None:
    if path.suffix == ".csv":
        lines = ["id;datum;bericht"] + [
            f'{i};2026-11-{1 + i % 28:02d} 10:{i % 60:02d};"{TEMPLATES[i % 6]} {i}"'
            for i in range(rows)
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        path.write_text(
            "".join(
                json.dumps({"id": i, "text": f"{TEMPLATES[i % 6]} {i}", "n": i / 7}) + "\n"
                for i in range(rows)
            ),
            encoding="utf-8",
        )


@pytest.mark.slow
@pytest.mark.server
def test_resume_after_kill_gives_identical_bytes(tiny_model: Path, tmp_path: Path) -> None:
    src = tmp_path / "comments.csv"
    write_comments(src, 1200)
    common = ["--chunk-size", "50", "--batch-size", "25"]

    whole = tmp_path / "whole.csv"
    finish(responder("label", str(src), "-o", str(whole), *common, model=tiny_model))

    out = tmp_path / "resumed.csv"
    work = out.with_name(out.name + SUFFIX)
    process = responder("label", str(src), "-o", str(out), *common, model=tiny_model)
    deadline = time.monotonic() + 120
    while not (work / "chunk-000002.jsonl").exists():
        assert process.poll() is None, process.communicate()[1]
        assert time.monotonic() < deadline, "no chunk appeared"
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL
    done = sorted(p.name for p in work.glob("chunk-*.jsonl"))
    assert 3 <= len(done) < 24, "killed too late to test resuming"
    assert not out.exists()

    again = responder("label", str(src), "-o", str(out), *common, model=tiny_model)
    _, err = again.communicate(timeout=300)
    assert again.returncode == 2 and "--resume" in err and "Traceback" not in err

    report = tmp_path / "rapport.html"
    err = finish(
        responder(
            "label",
            str(src),
            "-o",
            str(out),
            *common,
            "--resume",
            "--report",
            str(report),
            model=tiny_model,
        )
    )
    assert f"Hervatten: {len(done)} deel/delen" in err
    assert "1200 rijen geschreven" in err
    assert out.read_bytes() == whole.read_bytes()
    assert not work.exists()
    assert 'data-count="Rijen">1200<' in report.read_text(encoding="utf-8")


@pytest.fixture
def service(fake_classifier) -> TriageService:  # type: ignore[no-untyped-def]
    return TriageService(fake_classifier, Settings())


def interrupted(service: TriageService, src: Path, out: Path, fail_at: int) -> None:
    """A run that dies (like a crash) while labelling chunk ``fail_at``."""
    calls = 0
    original = service.triage_many

    def dying(texts, batch_size=32):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls > fail_at:
            raise KeyboardInterrupt
        return original(texts, batch_size)

    service.triage_many = dying  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        label_file(service, src, out, chunk_size=10, batch_size=10)
    service.triage_many = original  # type: ignore[method-assign]


def test_resume_with_changed_options_or_input_is_refused(
    service: TriageService, tmp_path: Path
) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_comments(src, 50)
    interrupted(service, src, out, fail_at=2)
    work = out.with_name(out.name + SUFFIX)
    assert sorted(p.name for p in work.glob("chunk-*")) == [
        "chunk-000000.jsonl",
        "chunk-000001.jsonl",
    ]

    with pytest.raises(InputError, match=r"onderbroken run.*--resume.*--restart"):
        label_file(service, src, out, chunk_size=10)
    with pytest.raises(InputError, match=r"--chunk-size \(10 → 20\)"):
        label_file(service, src, out, chunk_size=20, resume=True)
    with pytest.raises(InputError, match=r"--prefix \(''.*'r_'\)"):
        label_file(service, src, out, prefix="r_", chunk_size=10, resume=True)
    with pytest.raises(InputError, match="niet allebei"):
        label_file(service, src, out, chunk_size=10, resume=True, restart=True)

    write_comments(src, 51)
    with pytest.raises(InputError, match=r"invoerbestand is veranderd.*--restart"):
        label_file(service, src, out, chunk_size=10, resume=True)
    assert label_file(service, src, out, chunk_size=10, restart=True).rows == 51
    assert not work.exists()


@pytest.mark.parametrize("kind", ["jsonl", "csv", "parquet", "xlsx"])
def test_resume_in_process_matches_a_fresh_run(
    service: TriageService, tmp_path: Path, kind: str
) -> None:
    src = tmp_path / "in.jsonl"
    write_comments(src, 95)
    out, fresh = tmp_path / f"out.{kind}", tmp_path / f"fresh.{kind}"
    interrupted(service, src, out, fail_at=4)
    said: list[str] = []
    summary = label_file(service, src, out, chunk_size=10, resume=True, notify=said.append)
    assert summary.rows == 95 and any("Hervatten: 4 deel/delen (40 rijen)" in s for s in said)
    label_file(service, src, fresh, chunk_size=10)
    if kind in ("jsonl", "csv"):
        assert out.read_bytes() == fresh.read_bytes()
    else:
        from responder.batch.formats import open_source

        rows = [[r.values for r in open_source(p).rows()] for p in (out, fresh)]
        assert rows[0] == rows[1] and len(rows[0]) == 95


def test_a_running_job_is_not_disturbed(service: TriageService, tmp_path: Path) -> None:
    from responder.batch.resume import Manifest, WorkFolder

    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_comments(src, 5)
    running = WorkFolder(out)
    running.begin(Manifest.of(src, {}))
    try:
        for flags in ({}, {"resume": True}, {"restart": True}):
            with pytest.raises(InputError, match="Er loopt al een run"):
                label_file(service, src, out, **flags)
        assert running.path.is_dir()
    finally:
        running.remove()
    assert label_file(service, src, out).rows == 5


def test_resume_without_a_work_folder_just_runs(service: TriageService, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    write_comments(src, 5)
    said: list[str] = []
    assert label_file(service, src, tmp_path / "o.csv", resume=True, notify=said.append).rows == 5
    assert any("Geen onderbroken run" in s for s in said)


def test_lone_surrogates_and_an_undecodable_file_name_resume(
    service: TriageService, tmp_path: Path
) -> None:
    """The tester's crash: a lone surrogate in the text (and, while at it, a file name in
    bytes that are not UTF-8) broke the chunk, the manifest and so ``--resume``."""
    from responder.batch.report import ReportSpec

    src = tmp_path / os.fsdecode(b"caf\xe9.jsonl")
    src.write_text("".join(f'{{"id": {i}, "text": "x \\ud800 {i}"}}\n' for i in range(30)), "utf-8")
    out, fresh = tmp_path / "out.jsonl", tmp_path / "fresh.jsonl"
    interrupted(service, src, out, fail_at=1)
    report = ReportSpec(tmp_path / "rapport.html")
    assert label_file(service, src, out, chunk_size=10, resume=True, report=report).rows == 30
    label_file(service, src, fresh, chunk_size=10)
    assert out.read_bytes() == fresh.read_bytes()
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert first["text"] == "x \ufffd 0" and "vervangen door \ufffd" in first["error"]
    assert "caf\ufffd.jsonl" in report.path.read_text(encoding="utf-8")


def test_chunk_lines_keep_every_type() -> None:
    from datetime import date, datetime, time, timedelta, timezone
    from decimal import Decimal

    values = {
        "a": datetime(2026, 11, 25, 14, 5, 1, 7),
        "b": datetime(2026, 11, 25, tzinfo=timezone(timedelta(hours=1))),
        "c": date(2026, 1, 2),
        "d": time(3, 4, 5),
        "e": timedelta(days=1, microseconds=3),
        "f": Decimal("1.20"),
        "g": b"\x00\xff",
        "h": [("k", 1)],
        "i": {"\x00t": "not a tag", "x": None},
        "j": float("nan"),
        "k": "tekst",
        "l": 2**70,
    }
    got, added = decode_row(encode_row(values, ["x", [0.5]], None), None)
    assert added == ["x", [0.5]]
    nan = got.pop("j")
    assert nan != nan
    values.pop("j")
    assert got == values
    assert type(got["h"][0]) is tuple
    fixed, _ = decode_row(encode_row({"x": 1, "y": None}, [], ["x", "y"]), ["x", "y"])
    assert fixed == {"x": 1, "y": None}
