"""Benchmark: gunicorn worker models against normal load and against slow clients.

Usage: python bench/workers.py [--seconds 10] [--connections 16]
For each model (sync; gthread with 2 workers of 4, 8 and 16 threads; 4 workers of 4 threads), starts
gunicorn from gunicorn.conf.py (flags override the model) on a fresh SQLite database with content/,
then prints: requests/s and p50/p99 latency of `GET /` under wrk (needs wrk), and the time /healthz
takes while 4, 16 and 50 clients send a request body one byte a second (5.0 means no answer in 5 s).
Goal: /healthz under 1 s with 4 slow clients at no loss of throughput; docs/deployment.md has figures.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.deploy.servers import Gunicorn, SlowClients, get, running

MODELS = {
    "sync, 2 workers": ("--worker-class", "sync", "--workers", "2", "--threads", "1"),
    "gthread 2 x 8, gunicorn's 1000 connections a worker": (
        *("--workers", "2", "--threads", "8", "--worker-connections", "1000", "--keep-alive", "2"),
    ),
    "gthread 2 x 4": ("--workers", "2", "--threads", "4", "--worker-connections", "4"),
    "gthread 2 x 8 (default)": ("--workers", "2", "--threads", "8", "--worker-connections", "8"),
    "gthread 2 x 16": ("--workers", "2", "--threads", "16", "--worker-connections", "16"),
    "gthread 4 x 4": ("--workers", "4", "--threads", "4", "--worker-connections", "4"),
}
SLOW_COUNTS = (4, 16, 50)


def wrk(url: str, seconds: int, connections: int) -> tuple[float, str, str]:
    """Requests per second, p50 and p99 latency as wrk prints them."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)  # type: ignore[union-attr]
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)  # type: ignore[union-attr]
    return rate, p50, p99


def healthz_with_slow_clients(server: Gunicorn, count: int) -> float:
    """The slowest of three /healthz calls while `count` slow clients are connected."""
    with SlowClients(server.port, count):
        time.sleep(2)
        return max(get(server.url + "/healthz", timeout=5)[1] for _ in range(3))


def measure(name: str, args: tuple[str, ...], seconds: int, connections: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        server = Gunicorn(Path(folder), f"sqlite:///{folder}/unroll.sqlite3", args)
        server.prepare()
        with running(server):
            get(server.url + "/")
            load = wrk(server.url + "/", seconds, connections) if shutil.which("wrk") else (0.0, "-", "-")
            slow = [healthz_with_slow_clients(server, count) for count in SLOW_COUNTS]
    rate, p50, p99 = load
    cells = " | ".join(f"{s:.2f} s" for s in slow)
    print(f"| {name} | {rate:.0f} | {p50} | {p99} | {cells} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per model")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    options = parser.parse_args()
    slow_heads = " | ".join(f"/healthz, {n} slow" for n in SLOW_COUNTS)
    print(f"| model | GET / req/s | p50 | p99 | {slow_heads} |")
    print("|---" * (4 + len(SLOW_COUNTS)) + "|")
    for name, args in MODELS.items():
        measure(name, args, options.seconds, options.connections)


if __name__ == "__main__":
    main()
