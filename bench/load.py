"""Benchmark: N simulated learners studying through the API against gunicorn, and a crash check.

Usage: python bench/load.py [--learners 50] [--seconds 30] [--database-url URL] [--kill worker|server]
                            [--gunicorn "--worker-class sync --threads 1"]
Starts gunicorn from gunicorn.conf.py (as `make run` does) on a fresh SQLite database, or on the
PostgreSQL database given (its schema is dropped and rebuilt), with content/ loaded. Each learner
registers, takes a bearer token, then loops: GET /api/v1/study/next, POST .../cards/<id>/answer.
Prints answers/s, p50/p95/p99 latency of both calls, and errors by kind.

An answer whose fate is unknown (connection lost, 5xx) is sent again with the same card version:
a 2xx means the first try was not recorded, a 409 that it was. Afterwards each learner's review log
in the database must hold exactly the answers acknowledged (2xx) plus those a 409 confirmed: none
lost, none doubled. `--kill worker` sends SIGKILL to one gunicorn worker halfway through (the master
starts another); `--kill server` kills gunicorn entirely and starts it again. Exit status 1 on any
mismatch. Sign-up throttling, where configured, must allow N sign-ups from 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import shlex
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.config import _sqlalchemy_url
from app.models import ReviewLog, User
from tests.deploy.servers import Gunicorn, running

RATINGS, WEIGHTS = (1, 2, 3, 4), (0.4, 0.2, 0.35, 0.05)  # mostly Again: cards stay in today's queue
SETTLE_SECONDS = 60  # how long an answer of unknown fate is retried after the run


@dataclass
class Stats:
    """What every learner saw, gathered under one lock."""

    next_ms: list[float] = field(default_factory=list)
    answer_ms: list[float] = field(default_factory=list)
    acknowledged: int = 0
    confirmed_by_conflict: int = 0
    empty_queue: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **changes: Any) -> None:
        with self.lock:
            for name, value in changes.items():
                if name == "error":
                    self.errors[value] += 1
                elif isinstance(value, float):
                    getattr(self, name).append(value)
                else:
                    setattr(self, name, getattr(self, name) + value)


@dataclass
class Learner:
    name: str
    token: str = ""
    recorded: int = 0  # answers the server acknowledged or confirmed


class Api:
    """One HTTP connection per call (gunicorn closes each after its answer)."""

    def __init__(self, port: int) -> None:
        self.port = port

    def call(self, method: str, path: str, body: Any = None, token: str = "") -> tuple[int, Any, float]:
        """Status (0 when the connection failed), JSON body and milliseconds taken."""
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, json.dumps(body) if body is not None else None, headers)
            response = connection.getresponse()
            raw = response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            return 0, None, (time.perf_counter() - started) * 1000
        finally:
            connection.close()
        with contextlib.suppress(ValueError):
            return status, json.loads(raw or b"null"), (time.perf_counter() - started) * 1000
        return status, None, (time.perf_counter() - started) * 1000


def sign_up(api: Api, learner: Learner) -> None:
    credentials = {"username": learner.name, "password": "load-test-password"}
    for path, expected in (("/api/v1/users", 201), ("/api/v1/tokens", 201)):
        status, body, _ = api.call("POST", path, credentials)
        if status != expected:
            raise SystemExit(f"{path} for {learner.name}: {status} {body}")
    learner.token = body["token"]


def answer(api: Api, learner: Learner, card: dict[str, Any], stats: Stats, rng: random.Random) -> None:
    """Grade a card; retry while its fate is unknown, and count it if the server recorded it."""
    path = f"/api/v1/study/cards/{card['id']}/answer"
    body = {"rating": rng.choices(RATINGS, WEIGHTS)[0], "duration_ms": rng.randint(500, 9000)}
    body["version"] = card["version"]
    unsure_since: float | None = None
    while True:
        status, _, ms = api.call("POST", path, body, learner.token)
        if 200 <= status < 300:
            learner.recorded += 1
            stats.add(answer_ms=ms, acknowledged=1)
            return
        if status == 409 and unsure_since is not None:
            learner.recorded += 1
            stats.add(confirmed_by_conflict=1)
            return
        stats.add(error=f"answer {status or 'no response'}")
        if status not in (0, 500, 502, 503, 504):
            return
        unsure_since = unsure_since or time.monotonic()
        if time.monotonic() - unsure_since > SETTLE_SECONDS:
            raise SystemExit(f"{learner.name}: the server did not come back in {SETTLE_SECONDS} s")
        time.sleep(0.2)


def study(api: Api, learner: Learner, deadline: float, stats: Stats) -> None:
    rng = random.Random(learner.name)
    while time.monotonic() < deadline:
        status, reply, ms = api.call("GET", "/api/v1/study/next", token=learner.token)
        if status != 200:
            stats.add(error=f"next {status or 'no response'}")
            time.sleep(0.2)
            continue
        stats.add(next_ms=ms)
        if reply["card"] is None:
            stats.add(empty_queue=1)
            time.sleep(0.5)
            continue
        answer(api, learner, reply["card"], stats, rng)


def kill_midway(server: Gunicorn, mode: str, after: float) -> None:
    time.sleep(after)
    if mode == "worker":
        victim = random.choice(server.worker_pids())
        os.kill(victim, signal.SIGKILL)
        print(f"killed worker {victim} with SIGKILL at {after:.0f} s", flush=True)
        return
    assert server.process is not None
    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait()
    print(f"killed the whole server with SIGKILL at {after:.0f} s; starting it again", flush=True)
    server.start()


def review_logs(url: str) -> dict[str, int]:
    """Each learner's review-log rows (not undone) as stored in the database."""
    engine = create_engine(_sqlalchemy_url(url))
    query = (
        select(User.username, func.count(ReviewLog.id))
        .join(ReviewLog, ReviewLog.user_id == User.id)
        .where(ReviewLog.undone_at.is_(None))
        .group_by(User.username)
    )
    with engine.connect() as connection:
        counts = {name: int(n) for name, n in connection.execute(query)}
    engine.dispose()
    return counts


def reset_schema(url: str) -> None:
    engine = create_engine(_sqlalchemy_url(url))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def percentiles(values: list[float]) -> str:
    if len(values) < 2:
        return "-"
    cuts = statistics.quantiles(values, n=100)
    return f"p50 {cuts[49]:.0f} ms, p95 {cuts[94]:.0f} ms, p99 {cuts[98]:.0f} ms"


def report(stats: Stats, seconds: float, learners: list[Learner], stored: dict[str, int]) -> bool:
    recorded = stats.acknowledged + stats.confirmed_by_conflict
    print(f"answers: {recorded} in {seconds:.1f} s = {recorded / seconds:.0f}/s", end="")
    print(f" ({stats.acknowledged} acknowledged, {stats.confirmed_by_conflict} confirmed by a 409 on retry)")
    print(f"next:   {len(stats.next_ms)} calls, {percentiles(stats.next_ms)}")
    print(f"answer: {len(stats.answer_ms)} calls, {percentiles(stats.answer_ms)}")
    print(f"errors: {dict(stats.errors) or 'none'}; empty queue: {stats.empty_queue}")
    wrong = {
        learner.name: (learner.recorded, stored.get(learner.name, 0))
        for learner in learners
        if learner.recorded != stored.get(learner.name, 0)
    }
    total = sum(stored.values())
    if wrong:
        print(f"MISMATCH (recorded by the client, stored): {wrong}")
    else:
        print(f"review logs: {total} rows, equal to the recorded answers for every learner")
    return not wrong


def run(options: argparse.Namespace, folder: Path) -> bool:
    url = options.database_url or f"sqlite:///{folder / 'unroll.sqlite3'}"
    if options.database_url:
        reset_schema(url)
    server = Gunicorn(folder, url, tuple(shlex.split(options.gunicorn)))
    server.prepare()
    stats, api = Stats(), Api(server.port)
    learners = [Learner(f"learner{n}") for n in range(options.learners)]
    with running(server):
        threads = [threading.Thread(target=sign_up, args=(api, learner)) for learner in learners]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        started = time.monotonic()
        deadline = started + options.seconds
        threads = [threading.Thread(target=study, args=(api, one, deadline, stats)) for one in learners]
        if options.kill:
            threads.append(
                threading.Thread(target=kill_midway, args=(server, options.kill, options.seconds / 2))
            )
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    return report(stats, elapsed, learners, review_logs(url))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument(
        "--database-url", help="PostgreSQL database to use (its schema is dropped and rebuilt)"
    )
    parser.add_argument(
        "--kill", choices=["worker", "server"], help="SIGKILL a worker, or the server, midway"
    )
    parser.add_argument("--gunicorn", default="", help="flags that override gunicorn.conf.py")
    options = parser.parse_args()
    database = "PostgreSQL" if options.database_url else "SQLite"
    print(
        f"{options.learners} learners for {options.seconds:.0f} s on {database}, gunicorn.conf.py {options.gunicorn}"
    )
    with tempfile.TemporaryDirectory() as folder:
        ok = run(options, Path(folder))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
