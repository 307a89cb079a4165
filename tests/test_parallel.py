"""Parallel labelling (one-thread model processes) gives the same labels as one process, and
its workers never outlive `responder label`."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from optimised import SAMPLE, WORDS

from responder.batch.parallel import ParallelClassifier
from responder.model.modeling import TriageModel


def test_parallel_classifier_gives_the_same_scores(tiny_model: Path) -> None:
    single = TriageModel.from_pretrained(tiny_model).predict(SAMPLE)
    flags_alone = TriageModel.from_pretrained(tiny_model).predict_flags(SAMPLE)
    with ParallelClassifier(tiny_model, 2) as parallel:
        assert parallel.predict([]) == []
        spread = parallel.predict(SAMPLE)
        spread_flags = parallel.predict_flags(SAMPLE)  # evidence: the flags alone, spread too
    assert len(spread) == len(single) == len(spread_flags)
    for a, b in zip(flags_alone, spread_flags, strict=True):
        assert a.flags == pytest.approx(b.flags, abs=1e-4)
    for a, b in zip(single, spread, strict=True):
        assert a.top("intent")[0] == b.top("intent")[0]
        assert abs(a.top("sentiment")[1] - b.top("sentiment")[1]) < 1e-4


@pytest.mark.slow
@pytest.mark.server
def test_cli_optimise_and_label_with_two_workers(tiny_model: Path, tmp_path: Path) -> None:
    """`model optimise` writes the copy and its card; `label --workers 2` equals `--workers 1`."""
    models = tmp_path / "models"
    (models / "triage").mkdir(parents=True)
    for f in tiny_model.iterdir():
        (models / "triage" / f.name).write_bytes(f.read_bytes())
    words = tmp_path / "woorden.txt"
    words.write_text("\n".join(WORDS), encoding="utf-8")
    env = {**os.environ, "RESPONDER_MODELS_DIR": str(models)}
    env.pop("RESPONDER_MODEL_PATH", None)
    responder = str(Path(sys.executable).parent / "responder")
    opt = subprocess.run(
        [responder, "model", "optimise", "--wordlist", str(words)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert opt.returncode == 0, opt.stderr
    assert "| sentiment |" in opt.stdout and (models / "triage-fast" / "README.md").is_file()
    source = tmp_path / "in.csv"
    source.write_text(
        "id;bericht\n" + "".join(f"{i};{t}\n" for i, t in enumerate(SAMPLE * 5)), encoding="utf-8"
    )
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"uit-{workers}.csv"
        r = subprocess.run(
            [responder, "label", str(source), "-o", str(out), "--workers", workers],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert r.returncode == 0, r.stderr
        outputs.append(list(csv.DictReader(out.open(encoding="utf-8"), delimiter=";")))
    one, two = outputs
    assert len(one) == len(two) == len(SAMPLE) * 5
    for a, b in zip(one, two, strict=True):
        # Same labels. Scores differ a little: int8 activations are scaled per batch, and the
        # batches differ between one and two processes.
        assert [a[k] for k in ("id", "sentiment", "intent", "topic", "flags")] == [
            b[k] for k in ("id", "sentiment", "intent", "topic", "flags")
        ]
        assert abs(float(a["sentiment_score"]) - float(b["sentiment_score"])) < 0.02


@pytest.mark.slow
@pytest.mark.server
def test_workers_stop_when_label_is_killed(tiny_model: Path, tmp_path: Path) -> None:
    """SIGKILL on `responder label --workers 2` leaves no model processes behind."""
    import signal
    import time

    source = tmp_path / "in.csv"
    source.write_text(
        "id;bericht\n" + "".join(f"{i};{t}\n" for i, t in enumerate(SAMPLE * 200)), encoding="utf-8"
    )
    env = {**os.environ, "RESPONDER_MODEL_PATH": str(tiny_model)}
    responder = str(Path(sys.executable).parent / "responder")
    proc = subprocess.Popen(
        [
            responder,
            "label",
            str(source),
            "-o",
            str(tmp_path / "uit.csv"),
            "--workers",
            "2",
            "--chunk-size",
            "50",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def children() -> list[int]:
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == proc.pid:
                    found.append(int(entry))
        return found

    deadline = time.monotonic() + 120
    while (
        not list((tmp_path / "uit.csv.responder-work").glob("chunk-*"))
        and time.monotonic() < deadline
    ):
        time.sleep(0.2)
    workers = children()
    assert workers, "label started no worker processes"
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    def alive(pid: int) -> bool:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    deadline = time.monotonic() + 20
    while any(alive(w) for w in workers):
        assert time.monotonic() < deadline, "worker processes outlived their parent"
        time.sleep(0.2)
