"""Benchmark: Unroll's pages and study calls against a bare Flask app, both under gunicorn.

Usage: python bench/http.py [--seconds 8] [--connections 32] [--gunicorn "--worker-class sync"]
                            [--database-url URL] [--only sqlite|postgresql]
Starts a bare Flask "hello" app and Unroll (content/ loaded, on a fresh SQLite database, and on the
PostgreSQL database in --database-url or TEST_DATABASE_URL, whose schema is dropped and rebuilt)
from gunicorn.conf.py with the same flags, on free ports of 127.0.0.1 only. Each request is loaded
for a bounded time with wrk (`make bench` installs it) or, without wrk, a Python load generator.
Prints one table per database: req/s, the share of bare Flask's req/s, p50/p99 and errors.
Study calls run as --connections learners with bearer tokens: `next` asks for each learner's next
card; `answer` grades each learner's cards in turn (Good), so every request writes a review.
"""

# ruff: noqa: E402  (the path fix below must run before `http` is imported)
from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
# This file's name shadows the standard library's `http` while its folder leads sys.path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]

import argparse
import http.client
import importlib.util
import os
import re
import shlex
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass

ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from tests.deploy.servers import BIN, GUNICORN_CONF, Gunicorn, free_port, stop, wait_until_up

_spec = importlib.util.spec_from_file_location("bench_load", BENCH / "load.py")
assert _spec and _spec.loader
load_bench = importlib.util.module_from_spec(_spec)
sys.modules["bench_load"] = load_bench
_spec.loader.exec_module(load_bench)
Api, Learner, reset_schema, sign_up = (
    load_bench.Api,
    load_bench.Learner,
    load_bench.reset_schema,
    load_bench.sign_up,
)

HELLO_APP = """from flask import Flask

app = Flask(__name__)


@app.get("/")
@app.get("/healthz")
def hello() -> str:
    return "Hello, World!"
"""

# wrk: each connection takes the next learner's token (and card) from lists the bench writes.
WRK_SCRIPT = """
local tokens = {%(tokens)s}
local cards = {%(cards)s}
local method = "%(method)s"
local counter = 0
function request()
  counter = counter + 1
  local i = (counter %% #tokens) + 1
  local headers = {["Authorization"] = "Bearer " .. tokens[i], ["Content-Type"] = "application/json"}
  if method == "POST" then
    local list = cards[i]
    local card = list[(math.floor(counter / #tokens) %% #list) + 1]
    return wrk.format("POST", "/api/v1/study/cards/" .. card .. "/answer", headers, '{"rating": 3}')
  end
  return wrk.format("GET", "%(path)s", headers)
end
"""


@dataclass(frozen=True)
class Figures:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int


@dataclass(frozen=True)
class Load:
    """One request to load: a path, and for study calls the learners' tokens and cards."""

    name: str
    path: str
    method: str = "GET"
    tokens: tuple[str, ...] = ()
    cards: tuple[tuple[int, ...], ...] = ()


class BareFlask:
    """The hello app under gunicorn with the same configuration file and flags as Unroll."""

    def __init__(self, folder: Path, args: tuple[str, ...]) -> None:
        self.folder = folder
        self.port = free_port()
        (folder / "hello.py").write_text(HELLO_APP)
        self.args = args
        self.log = folder / "hello.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(self.port)}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    *(str(BIN / "gunicorn"), "--config", str(GUNICORN_CONF), "--chdir", str(self.folder)),
                    *(*self.args, "hello:app"),
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until_up(self.url + "/healthz", self.process, self.log)


def wrk_figures(url: str, load: Load, seconds: float, connections: int, folder: Path) -> Figures:
    """Load one request with wrk (2 threads), and read its summary."""
    script = folder / f"{load.name}.lua"
    script.write_text(
        WRK_SCRIPT
        % {
            "tokens": ", ".join(f'"{t}"' for t in load.tokens) or '""',
            "cards": ", ".join("{" + ", ".join(map(str, c)) + "}" for c in load.cards) or "{0}",
            "method": load.method,
            "path": load.path,
        }
    )
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True, timeout=seconds + 60).stdout
    return Figures(
        requests_per_s=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        p50_ms=_wrk_ms(output, "50%"),
        p99_ms=_wrk_ms(output, "99%"),
        errors=_wrk_errors(output),
    )


def _wrk_ms(output: str, label: str) -> float:
    match = re.search(rf"^\s+{re.escape(label)}\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    assert match, output
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]
    return float(match.group(1)) * scale


def _wrk_errors(output: str) -> int:
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        errors += sum(int(n) for n in match.groups())
    return errors


def python_figures(url: str, load: Load, seconds: float, connections: int) -> Figures:
    """Without wrk: `connections` threads, one request at a time each, for `seconds`."""
    port = int(url.rsplit(":", 1)[1])
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(index: int) -> None:
        count = 0
        while time.monotonic() < deadline:
            count += 1
            headers = {"Content-Type": "application/json"}
            path, body = load.path, None
            if load.tokens:
                headers["Authorization"] = f"Bearer {load.tokens[index % len(load.tokens)]}"
            if load.method == "POST":
                cards = load.cards[index % len(load.cards)]
                path, body = f"/api/v1/study/cards/{cards[count % len(cards)]}/answer", '{"rating": 3}'
            started = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                connection.request(load.method, path, body, headers)
                ok = connection.getresponse().status < 400
            except (OSError, http.client.HTTPException):
                ok = False
            finally:
                connection.close()
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)
                errors[0] += not ok

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return Figures(len(latencies) / seconds, cuts[49], cuts[98], errors[0])


def measure(url: str, load: Load, options: argparse.Namespace, folder: Path) -> Figures:
    if shutil.which("wrk"):
        return wrk_figures(url, load, options.seconds, options.connections, folder)
    return python_figures(url, load, options.seconds, options.connections)


def learners(api: Api, count: int) -> tuple[tuple[str, ...], tuple[tuple[int, ...], ...]]:
    """Sign up `count` learners; each one's token and the ids of the cards it studies."""
    people = [Learner(f"bench{n}") for n in range(count)]
    for person in people:
        sign_up(api, person)
    cards = []
    for person in people:
        status, body, _ = api.call("GET", "/api/v1/study/next", token=person.token)
        assert status == 200 and body.get("card"), (status, body)
        first = int(body["card"]["id"])
        cards.append(tuple(range(first, first + 20)))
    return tuple(p.token for p in people), tuple(cards)


def first_slug() -> str:
    return sorted(p.stem for p in (ROOT / "content").glob("*.md"))[0].split("_", 1)[-1]


def run_database(label: str, url: str, options: argparse.Namespace, folder: Path) -> None:
    args = (*shlex.split(options.gunicorn), "--access-logfile", "/dev/null")
    bare = BareFlask(folder, args)
    unroll = Gunicorn(folder, url, args)
    unroll.env["UNROLL_SIGNUP_LIMIT"] = "1000 per hour"  # the bench signs up its learners from one address
    unroll.prepare()
    try:
        bare.start()
        unroll.start()
        tokens, cards = learners(Api(unroll.port), options.connections)
        slug = set_slug(unroll.url)
        loads = [
            Load("index", "/"),
            Load("set page", f"/sets/{slug}"),
            Load("study next", "/api/v1/study/next", tokens=tokens),
            Load("study answer", "", "POST", tokens, cards),
        ]
        baseline = measure(bare.url, Load("bare", "/"), options, folder)
        rows = [("bare Flask /", baseline)]
        rows += [
            (
                f"{load.method} {load.path or '/api/v1/study/cards/<id>/answer'}",
                measure(unroll.url, load, options, folder),
            )
            for load in loads
        ]
    finally:
        stop(bare.process)
        unroll.stop()
    print_table(label, rows, baseline.requests_per_s)


def set_slug(base_url: str) -> str:
    """A set page to load: the first set the index links to."""
    with urllib.request.urlopen(base_url + "/") as response:
        page = response.read().decode()
    match = re.search(r'href="/sets/([\w-]+)"', page)
    assert match, "the index links to no set"
    return match.group(1)


def print_table(label: str, rows: list[tuple[str, Figures]], baseline: float) -> None:
    print(f"\n{label}")
    print("| request | req/s | share of bare Flask | p50 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, figures in rows:
        print(
            f"| {name} | {figures.requests_per_s:,.0f} | {figures.requests_per_s / baseline:.2f}× "
            f"| {figures.p50_ms:.1f} | {figures.p99_ms:.1f} | {figures.errors} |"
        )
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--gunicorn", default="", help="flags that override gunicorn.conf.py (both apps)")
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="unroll-http-") as tmp:
        folder = Path(tmp)
        if options.only != "postgresql":
            (folder / "sqlite").mkdir()
            run_database(
                "SQLite", f"sqlite:///{folder / 'sqlite' / 'unroll.sqlite3'}", options, folder / "sqlite"
            )
        if options.database_url and options.only != "sqlite":
            reset_schema(options.database_url)
            (folder / "pg").mkdir()
            run_database("PostgreSQL", options.database_url, options, folder / "pg")


if __name__ == "__main__":
    main()
