"""Latency of /v1/suggest over HTTP at 1 and 16 concurrent clients, beside two baselines measured
in the same run on the same model: the in-process call (Assistant.advise, no HTTP) and the
server without micro-batching (one model call at a time).

    python benchmarks/api_latency.py [--model models/triage] [--requests 200] [--out FILE]

Starts `responder serve` on loopback (keys off), warms up, then measures. Loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx

COMMENTS = [
    "Waar blijft mijn pakket? Ik wacht al twee weken en niemand reageert.",
    "Kunt u mij uitleggen waarom mijn factuur deze maand zo hoog is?",
    "Super snel geholpen door jullie klantenservice, echt top!",
    "De app ligt er alweer uit, ik kan niet inloggen. Dit is de derde keer deze maand.",
    "Als dit niet vandaag wordt opgelost stap ik naar de Geschillencommissie.",
    "Misschien een idee om ook in het weekend te bezorgen?",
    "Ik zeg mijn abonnement op, dit pik ik niet langer.",
    "Hebt ge mijn bestelling al verstuurd? Ik hoor niks van jullie.",
]


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "n": len(ordered),
        "p50_ms": round(q[49] * 1000, 1),
        "p95_ms": round(q[94] * 1000, 1),
        "p99_ms": round(q[98] * 1000, 1),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 1),
    }


def in_process(model: Path, n: int) -> dict[str, float]:
    from responder.advice.playbook import load_playbook
    from responder.assistant import Assistant
    from responder.config import Settings
    from responder.model.modeling import TriageModel
    from responder.triage.service import TriageService

    assistant = Assistant(
        TriageService(TriageModel.from_pretrained(model), Settings()), load_playbook()
    )
    for text in COMMENTS:
        assistant.advise(text)
    samples = []
    for i in range(n):
        start = time.perf_counter()
        assistant.advise(COMMENTS[i % len(COMMENTS)])
        samples.append(time.perf_counter() - start)
    return percentiles(samples)


def over_http(url: str, n: int, clients: int) -> dict[str, float]:
    errors: list[str] = []

    def one(i: int, client: httpx.Client) -> float:
        start = time.perf_counter()
        r = client.post("/v1/suggest", json={"text": COMMENTS[i % len(COMMENTS)], "channel": "x"})
        elapsed = time.perf_counter() - start
        if r.status_code != 200:
            errors.append(f"{r.status_code} {r.text[:200]}")
        return elapsed

    per_client = n // clients
    started = time.perf_counter()

    def loop(c: int) -> list[float]:
        with httpx.Client(base_url=url, timeout=120) as client:
            return [one(c * per_client + i, client) for i in range(per_client)]

    with ThreadPoolExecutor(clients) as pool:
        samples = [s for chunk in pool.map(loop, range(clients)) for s in chunk]
    wall = time.perf_counter() - started
    out = percentiles(samples)
    out["clients"] = clients
    out["throughput_rps"] = round(len(samples) / wall, 1)
    out["errors"] = len(errors)
    if errors:
        out["first_error"] = errors[0]  # type: ignore[assignment]
    return out


@contextmanager
def serve(model: Path, micro_batching: bool) -> Iterator[str]:
    """`responder serve` on a free loopback port, keys and rate limit off."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    tmp = tempfile.mkdtemp()
    env = {
        **os.environ,
        "RESPONDER_MODEL_PATH": str(model),
        "RESPONDER_DATABASE_URL": f"sqlite:///{tmp}/bench.db",
        "RESPONDER_RATE_LIMIT_PER_MINUTE": "0",
        "RESPONDER_MICRO_BATCHING": str(micro_batching).lower(),
        "RESPONDER_INFERENCE_CONCURRENCY": "16" if micro_batching else "1",
    }
    responder = str(Path(sys.executable).parent / "responder")
    server = subprocess.Popen(
        [responder, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{url}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("server did not start")
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=Path("models/triage"))
    parser.add_argument("--requests", type=int, default=160)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    result: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "model": str(args.model),
        "requests_per_measurement": args.requests,
        "in_process_baseline": in_process(args.model, args.requests),
    }
    for name, batching in (("server_without_micro_batching", False), ("server", True)):
        with serve(args.model, batching) as url:
            over_http(url, 16, 1)  # warm-up
            result[name] = {
                "http_1_client": over_http(url, args.requests, 1),
                "http_16_clients": over_http(url, args.requests, 16),
            }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
