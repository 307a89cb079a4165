"""`responder label --engine ray` beside the local engine, in the same run, on the same files:
20,000 generated comments split over 4 Parquet files of 5,000.

    python benchmarks/ray_engine.py --model models/triage-v3c [--rows 20000] [--files 4]
        [--one-actor-files 1] [--out benchmarks/results/ray-engine.json]

Every configuration is the real command in a subprocess, timed from start to finish (Python
start, model loads, Ray start included):

- local, 1 process (all cores): `responder label part-N.parquet -o …` once per file;
- local, `--workers 2` (two one-thread processes), once per file;
- Ray, local instance, 2 actors of 1 thread: one command over the folder (`--workers 2`);
- Ray, 1 actor of 1 thread, on the first ``--one-actor-files`` files (scaling with actors).

Beside the wall time, the steady rate: rows per second between the progress lines at 10 % and
100 % (the command prints one every 10 % when its stderr is not a terminal), which leaves out
start-up. The on-paper estimate for 100 million comments uses the steady per-actor rate.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from throughput import corpus

RESPONDER = str(Path(sys.executable).parent / "responder")
PROGRESS = re.compile(r"(\d+)% \((\d+)/(\d+)")


def write_parts(folder: Path, rows: int, files: int) -> list[Path]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir()
    texts = corpus(rows)
    per_file = rows // files
    paths = []
    for f in range(files):
        ids = range(f * per_file, (f + 1) * per_file)
        table = pa.table(
            {
                "id": pa.array(list(ids), pa.int64()),
                "datum": [f"2026-{1 + i % 12:02d}-{1 + i % 28:02d} {i % 24:02d}:00" for i in ids],
                "bericht": [texts[i] for i in ids],
            }
        )
        path = folder / f"part-{f}.parquet"
        pq.write_table(table, path)
        paths.append(path)
    return paths


def tree_cpu_seconds(pid: int, seen: dict[int, float]) -> None:
    """User + system CPU seconds of ``pid`` and all its descendants (Ray's raylet, workers and
    actors included), from /proc, kept per process in ``seen`` (the last value read)."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry)] = fields
            children.setdefault(int(fields[1]), []).append(int(entry))
    tick = os.sysconf("SC_CLK_TCK")
    todo = [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        if p in stats:
            seen[p] = (int(stats[p][11]) + int(stats[p][12])) / tick


def timed(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run ``command``; its wall time, the CPU seconds of its process tree (sampled every 0.2 s:
    on a shared machine the fairer measure of work) and the (time, rows done) of each progress
    line."""
    import threading

    start = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    cpu: dict[int, float] = {}

    def sample() -> None:
        while proc.poll() is None:
            tree_cpu_seconds(proc.pid, cpu)
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    marks: list[tuple[float, int, int]] = []
    tail: list[str] = []
    assert proc.stderr is not None
    for raw in proc.stderr:
        line = raw.decode("utf-8", "replace")
        tail = [*tail[-20:], line]
        found = PROGRESS.search(line)
        if found:
            pct, done = int(found.group(1)), int(found.group(2))
            marks.append((time.perf_counter() - start, pct, done))
    proc.wait()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{''.join(tail)}")
    return {"seconds": time.perf_counter() - start, "marks": marks, "cpu": sum(cpu.values())}


def steady_rate(runs: list[dict[str, Any]]) -> float:
    """Rows per second between the first progress line (~10 %) and the last (100 %) of each
    run, over all runs: the labelling rate without start-up."""
    rows = seconds = 0.0
    for run in runs:
        marks = run["marks"]
        if len(marks) >= 2:
            (t0, _, d0), (t1, _, d1) = marks[0], marks[-1]
            rows += d1 - d0
            seconds += t1 - t0
    return rows / seconds if seconds else 0.0


def measure(name: str, commands: list[list[str]], rows: int, env: dict[str, str]) -> dict[str, Any]:
    print(f"… {name}", file=sys.stderr, flush=True)
    load_before = os.getloadavg()[0]
    runs = [timed(c, env) for c in commands]
    seconds = sum(r["seconds"] for r in runs)
    result = {
        "config": name,
        "load_average_1min_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "rows": rows,
        "commands": len(commands),
        "seconds": round(seconds, 1),
        "rows_per_second": round(rows / seconds, 1),
        "cpu_seconds": round(sum(r["cpu"] for r in runs), 1),
        "rows_per_cpu_second": round(rows / max(sum(r["cpu"] for r in runs), 1e-9), 2),
        "steady_rows_per_second": round(steady_rate(runs), 1),
    }
    print(json.dumps(result), file=sys.stderr, flush=True)
    return result


def estimate(per_actor: float, two_actors: float, one_actor: float) -> dict[str, Any]:
    """100 million comments on paper, from the measured steady rate per actor (= per core)."""
    total = 100_000_000
    core_hours = total / per_actor / 3600 if per_actor else float("nan")
    return {
        "comments": total,
        "per_core_rows_per_second": round(per_actor, 1),
        "core_hours": round(core_hours),
        "hours_on": {
            f"{cores} cores": round(core_hours / cores, 1) for cores in (16, 64, 256, 1024)
        },
        "scaling_1_to_2_actors": round(two_actors / one_actor, 2) if one_actor else None,
    }


def stage_rates(parts: list[Path], model: Path, work: Path) -> dict[str, float]:
    """Rows per second of one core for the stages around the model, on the same files: reading
    (the read task: rows from Parquet, encoded for Ray), tokenising (the model's tokenizer,
    batches of 32, one thread) and writing (the driver: chunk files, then the Parquet part)."""
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    from transformers import AutoTokenizer

    from responder.batch.formats import open_source
    from responder.batch.labelling import ADDED_COLUMNS, LabelJob, LabelOptions, model_identity
    from responder.batch.resume import encode_row

    rows = 0
    start = time.perf_counter()
    texts: list[str] = []
    for path in parts:
        source = open_source(path)
        for row in source.rows():
            encode_row(row.values, [row.problems, row.unreadable], source.columns)
            texts.append(str(row.values["bericht"]))
            rows += 1
    reading = rows / (time.perf_counter() - start)

    tokenizer = AutoTokenizer.from_pretrained(str(model), local_files_only=True)
    start = time.perf_counter()
    for i in range(0, len(texts), 32):
        tokenizer(texts[i : i + 32], truncation=True, max_length=256, padding=True)
    tokenising = len(texts) / (time.perf_counter() - start)

    added = [
        "negative", 0.91, "complaint", 0.88, "delivery", 0.7, ["churn_threat"], [0.8],
        ["churn_threat: opzeggen"], "nl", 0.99, "je", 1.0, None,
    ]  # fmt: skip
    assert len(added) == len(ADDED_COLUMNS)
    options = LabelOptions(model=model_identity(model))
    start = time.perf_counter()
    for path in parts:
        out = work / f"w-{path.name}"
        job = LabelJob.prepare(path, out, options)
        job.work.begin(job.manifest)
        source = job.source
        lines = [encode_row(r.values, added, source.columns) for r in source.rows()]
        job.work.write_chunk(0, lines)
        job._assemble(1)
        job.work.remove()
    writing = len(texts) / (time.perf_counter() - start)
    return {
        "reading_rows_per_second": round(reading),
        "tokenising_rows_per_second": round(tokenising),
        "writing_rows_per_second": round(writing),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--one-actor-files", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--note", default="")
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=5000,
        help="Passed to every command: rows per chunk, and so per window and progress step.",
    )
    parser.add_argument(
        "--stages-only",
        action="store_true",
        help="Measure only reading, tokenising and writing per core; add them to --out.",
    )
    args = parser.parse_args()
    if args.stages_only:
        with tempfile.TemporaryDirectory() as tmp:
            parts = write_parts(Path(tmp) / "in", args.rows, args.files)
            stages = stage_rates(parts, args.model, Path(tmp))
        report = json.loads(args.out.read_text(encoding="utf-8")) if args.out else {}
        report["stages_per_core"] = stages
        if "estimate_100m" in report:
            report["estimate_100m"]["bottleneck"] = bottleneck(report["estimate_100m"], stages)
            report["estimate_100m"]["idle_machine_reference"] = idle_reference()
        text = json.dumps(report, indent=2, ensure_ascii=False)
        print(text)
        if args.out:
            args.out.write_text(text + "\n", encoding="utf-8")
        return
    load_at_start = os.getloadavg()
    env = {**os.environ, "RESPONDER_MODEL_PATH": str(args.model.resolve())}
    env.pop("RAY_ADDRESS", None)
    per_file = args.rows // args.files
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        parts = write_parts(folder / "in", args.rows, args.files)
        local = [RESPONDER, "label", "--chunk-size", str(args.chunk_size)]
        results = [
            measure(
                "local, 1 process",
                [[*local, str(p), "-o", str(folder / f"l1-{p.name}")] for p in parts],
                args.rows,
                env,
            ),
            measure(
                "local, --workers 2",
                [
                    [*local, str(p), "-o", str(folder / f"l2-{p.name}"), "--workers", "2"]
                    for p in parts
                ],
                args.rows,
                env,
            ),
            measure(
                "ray, 2 actors of 1 thread",
                [[*local, str(folder / "in"), "-o", str(folder / "r2"), "--engine", "ray"]],
                args.rows,
                env,
            ),
        ]
        one = folder / "one"
        one.mkdir()
        for p in parts[: args.one_actor_files]:
            (one / p.name).symlink_to(p)
        results.append(
            measure(
                "ray, 1 actor of 1 thread",
                [[*local, str(one), "-o", str(folder / "r1"), "--engine", "ray", "--workers", "1"]],
                per_file * args.one_actor_files,
                env,
            )
        )
        same = all(
            _rows(folder / "r2" / f"part-{i:05d}-{p.stem}.parquet")
            == _rows(folder / f"l1-{p.name}")
            for i, p in enumerate(parts)
        )
    by = {r["config"]: r for r in results}
    ray2, ray1 = by["ray, 2 actors of 1 thread"], by["ray, 1 actor of 1 thread"]
    local1, local2 = by["local, 1 process"], by["local, --workers 2"]
    best_local = max(local1["rows_per_second"], local2["rows_per_second"])
    report = {
        "what": "responder label --engine ray vs --engine local, same files, same run",
        "input": f"{args.rows} generated comments in {args.files} Parquet files",
        "chunk_size": args.chunk_size,
        "model": str(args.model),
        "machine": f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}",
        "note": args.note,
        "load_average_at_start": [round(x, 2) for x in load_at_start],
        "results": results,
        "same_labels_and_scores_as_local": same,
        "overhead": {
            "ray_2_actors_vs_local_workers_2_pct": _pct(ray2, local2),
            "ray_2_actors_vs_local_1_process_pct": _pct(ray2, local1),
            "ray_2_actors_vs_best_local_pct": round(
                100 * (1 - ray2["rows_per_second"] / best_local), 1
            ),
            "cpu_ray_2_actors_vs_local_workers_2_pct": round(
                100 * (1 - ray2["rows_per_cpu_second"] / local2["rows_per_cpu_second"]), 1
            ),
            "cpu_ray_2_actors_vs_local_1_process_pct": round(
                100 * (1 - ray2["rows_per_cpu_second"] / local1["rows_per_cpu_second"]), 1
            ),
            "steady_ray_2_actors_vs_local_workers_2_pct": (
                round(
                    100 * (1 - ray2["steady_rows_per_second"] / local2["steady_rows_per_second"]), 1
                )
                if local2["steady_rows_per_second"]
                else None
            ),
        },
        "estimate_100m": estimate(
            ray1["steady_rows_per_second"],
            ray2["steady_rows_per_second"],
            ray1["steady_rows_per_second"],
        ),
    }
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


def idle_reference() -> dict[str, Any]:
    """The same estimate from the per-core rates measured on an idle machine by
    ``benchmarks/throughput.py`` (2 cores; its comments/s halved)."""
    measured = json.loads((Path(__file__).parent / "results" / "throughput.json").read_text())
    rates = measured["comments_per_second"]
    out: dict[str, Any] = {"source": "benchmarks/results/throughput.json (idle, 2 cores)"}
    for name in ("unoptimised_model", "optimised_model_onnx_int8"):
        per_core = rates[name] / 2
        core_hours = 100_000_000 / per_core / 3600
        out[name] = {
            "per_core_rows_per_second": round(per_core, 1),
            "core_hours": round(core_hours),
            "hours_on": {f"{c} cores": round(core_hours / c, 1) for c in (16, 64, 256, 1024)},
        }
    return out


def bottleneck(estimate: dict[str, Any], stages: dict[str, float]) -> dict[str, Any]:
    """Where the time goes as the cluster grows: reading and tokenising scale with the actors
    (they run beside the model on every worker); writing is the driver's alone (one core)."""
    per_core = estimate["per_core_rows_per_second"]
    writer = stages["writing_rows_per_second"]
    return {
        "model_share_of_core_time": round(
            1
            - per_core / stages["tokenising_rows_per_second"]
            - per_core / stages["reading_rows_per_second"],
            3,
        ),
        "driver_write_limit_rows_per_second": writer,
        "cores_at_which_the_driver_write_limits": round(writer / per_core),
    }


def _pct(ray: dict[str, Any], local: dict[str, Any]) -> float:
    """How much lower Ray's rate is than the local engine's, in percent (negative: faster)."""
    return round(100 * (1 - ray["rows_per_second"] / local["rows_per_second"]), 1)


def _rows(path: Path) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    rows: list[dict[str, Any]] = pq.read_table(path).to_pylist()
    return rows


if __name__ == "__main__":
    main()
