"""Peak memory (the whole process tree: the command and its model processes) and speed of
`responder label --report` on generated CSV exports of growing size: memory must not grow with
rows.

    python benchmarks/label_memory.py [--rows 10000 40000] [--workers 1] [--out FILE]
    python benchmarks/label_memory.py --stand-in --rows 100000 1000000

With ``--stand-in`` the model is replaced by a stand-in that scores from the text's length
(everything else is real: CSV in and out, chunks in the work folder, language detection, the
report). The model's own memory does not depend on the number of rows (it sees one window of
1024 rows at a time), so the stand-in shows, in minutes rather than hours, what a
1,000,000-row file adds to a real run.
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


STAND_IN = """
import sys
from pathlib import Path

from responder.batch.labelling import label_file
from responder.labels import FLAGS, INTENTS, SENTIMENTS, TOPICS
from responder.protocols import HeadScores
from responder.batch.report import ReportSpec
from responder.triage.service import TriageService


class StandIn:
    def predict(self, texts, batch_size=32):
        out = []
        for text in texts:
            k = len(text)
            single = {
                head: {label: (0.7 if i == k % len(names) else 0.3 / len(names))
                       for i, label in enumerate(names)}
                for head, names in (("sentiment", SENTIMENTS), ("intent", INTENTS), ("topic", TOPICS))
            }
            flags = {f: (0.9 if i == k % 97 else 0.01) for i, f in enumerate(FLAGS)}
            out.append(HeadScores(single, flags, dict.fromkeys(FLAGS, 0.5)))
        return out


source, output, report = (Path(a) for a in sys.argv[1:4])
summary = label_file(TriageService(StandIn()), source, output, report=ReportSpec(report))
assert summary.rows == int(sys.argv[4]), summary
"""


def write_export(rows: int, folder: Path) -> Path:
    source = folder / f"export-{rows}.csv"
    texts = corpus(min(rows, 50_000))
    with source.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(["id", "datum", "bericht"])
        for i in range(rows):
            # Beyond 50,000 the texts repeat (with their number, so no two rows are alike).
            text = texts[i] if i < len(texts) else f"{texts[i % len(texts)]} (#{i})"
            writer.writerow([i, f"2026-{1 + i % 12:02d}-{1 + i % 28:02d} {i % 24:02d}:00", text])
    return source


def run(rows: int, workers: int, folder: Path, stand_in: bool = False) -> dict[str, float]:
    source = write_export(rows, folder)
    output = folder / f"gelabeld-{rows}.csv"
    report = folder / f"rapport-{rows}.html"
    if stand_in:
        command = [sys.executable, "-c", STAND_IN, str(source), str(output), str(report), str(rows)]
    else:
        command = [str(Path(sys.executable).parent / "responder"), "label", str(source)]
        command += ["-o", str(output), "--workers", str(workers), "--report", str(report)]
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss_kib(proc.pid))
        time.sleep(0.2)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"responder label failed ({proc.returncode})")
    source.unlink()
    output.unlink()
    return {
        "rows": rows,
        "model": "stand-in" if stand_in else "default (models/triage-fast)",
        "workers": workers,
        "peak_rss_mib": round(peak / 1024, 1),
        "seconds": round(elapsed, 1),
        "rows_per_second_incl_start": round(rows / elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 40_000])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--stand-in", action="store_true", help="Score with a stand-in model.")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = [run(n, args.workers, Path(tmp), args.stand_in) for n in args.rows]
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
