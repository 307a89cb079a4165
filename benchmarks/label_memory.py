"""Peak memory (the whole process tree: the command and its model processes) and speed of
`responder label` on generated CSV exports of growing size: memory must not grow with rows.

    python benchmarks/label_memory.py [--rows 10000 40000] [--workers 2] [--out FILE]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from throughput import corpus


def tree_rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total


def run(rows: int, workers: int, folder: Path) -> dict[str, float]:
    source = folder / f"export-{rows}.csv"
    texts = corpus(rows)
    with source.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(["id", "datum", "bericht"])
        for i, text in enumerate(texts):
            writer.writerow([i, f"2026-11-{1 + i % 28:02d} {i % 24:02d}:00", text])
    output = folder / f"gelabeld-{rows}.csv"
    responder = str(Path(sys.executable).parent / "responder")
    start = time.perf_counter()
    proc = subprocess.Popen(
        [responder, "label", str(source), "-o", str(output), "--workers", str(workers)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss_kib(proc.pid))
        time.sleep(0.2)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"responder label failed ({proc.returncode})")
    return {
        "rows": rows,
        "workers": workers,
        "peak_rss_mib": round(peak / 1024, 1),
        "seconds": round(elapsed, 1),
        "rows_per_second_incl_start": round(rows / elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 40_000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = [run(n, args.workers, Path(tmp)) for n in args.rows]
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
