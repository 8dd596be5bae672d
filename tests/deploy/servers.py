"""Real servers for the deployment tests and bench/load.py: gunicorn started from gunicorn.conf.py
(as `make run` starts it) on a database of its own, nginx with the shipped site configuration in
front of it, and clients that send a request body one byte at a time."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN_CONF = ROOT / "gunicorn.conf.py"
NGINX_SITE = ROOT / "deploy" / "nginx" / "unroll.conf"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str, timeout: float = 5.0) -> tuple[int, float]:
    """GET a URL: its status and the seconds it took (`timeout` seconds and status 0 when it hung)."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (TimeoutError, urllib.error.URLError, ConnectionError):
        return 0, timeout
    return status, time.perf_counter() - started


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        if get(url, timeout=1)[0] == 200:
            return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {seconds} s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen[bytes] | None) -> None:
    """Stop a server started in its own session, and everything it started."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


class Gunicorn:
    """The app under gunicorn with the repository's gunicorn.conf.py; `args` override it."""

    def __init__(self, workdir: Path, database_url: str, args: tuple[str, ...] = ()) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.args = args
        self.log = workdir / "gunicorn.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "TEST_DATABASE_URL"}},
            "FLASK_APP": "app",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "deploy-test-secret",
            "UNROLL_CONTENT_DIR": str(ROOT / "content"),
            "UNROLL_CONTENT_RELOAD_SECONDS": "-1",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
        }

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def prepare(self) -> None:
        """Migrate the database and load content/, as `make run` does before it serves."""
        for command in (["db", "upgrade"], ["content", "sync"]):
            subprocess.run(
                [str(BIN / "flask"), *command], cwd=ROOT, env=self.env, check=True, capture_output=True
            )

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(BIN / "gunicorn"), "--config", str(GUNICORN_CONF), *self.args],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until_up(self.url + "/healthz", self.process, self.log)

    def stop(self) -> None:
        stop(self.process)

    def worker_pids(self) -> list[int]:
        """The worker processes' ids (children of the gunicorn master)."""
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        return [int(pid) for pid in children.split()]


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )


def site_config(listen_port: int, upstream: str) -> str:
    """The shipped site configuration, pointed at a local gunicorn, port and static folder."""
    text = NGINX_SITE.read_text()
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{listen_port};",
        "server app:8000;": f"server {upstream};",
        "/srv/unroll/app/static/": f"{ROOT / 'app' / 'static'}/",
    }
    for old, new in replacements.items():
        assert text.count(old) == 1, f"{NGINX_SITE} should contain {old!r} once"
        text = text.replace(old, new)
    return text


def nginx_config(prefix: Path, listen_port: int, upstream: str) -> str:
    """A whole nginx.conf around the shipped site: the official image's http defaults, paths in `prefix`."""
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    user = "user root;" if os.geteuid() == 0 else ""  # workers must reach the test's private folders
    return f"""{user}
daemon off;
worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} info;
events {{ worker_connections 1024; }}
http {{
    {mime}
    default_type application/octet-stream;
    sendfile on;
    access_log {prefix / "access.log"};
{temp}
{site_config(listen_port, upstream)}
}}
"""


class Nginx:
    """nginx in the foreground with a configuration generated from deploy/nginx/unroll.conf."""

    def __init__(self, binary: str, prefix: Path, upstream: str) -> None:
        self.binary = binary
        self.prefix = prefix
        self.port = free_port()
        self.conf = prefix / "nginx.conf"
        self.conf.write_text(nginx_config(prefix, self.port, upstream))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self, *extra: str) -> list[str]:
        log = str(self.prefix / "error.log")
        return [self.binary, "-p", str(self.prefix), "-c", str(self.conf), "-e", log, *extra]

    def check(self) -> None:
        subprocess.run(self.command("-t", "-q"), check=True, capture_output=True)

    def start(self) -> None:
        self.check()
        with (self.prefix / "stderr.log").open("ab") as log:
            self.process = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_until_up(self.url + "/healthz", self.process, self.prefix / "error.log")

    def stop(self) -> None:
        stop(self.process)


class SlowClients:
    """`count` connections that each POST a form body one byte every `interval` seconds (a slow-body
    attack, or a phone on a bad line): every connection's request stays unfinished while open."""

    def __init__(self, port: int, count: int, path: str = "/login", interval: float = 1.0) -> None:
        self.port, self.count, self.path, self.interval = port, count, path, interval
        self.sockets: list[socket.socket] = []
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._drip, daemon=True)

    def __enter__(self) -> SlowClients:
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nu"
        ).encode()
        for _ in range(self.count):
            connection = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            connection.sendall(head)
            self.sockets.append(connection)
        self._thread.start()
        return self

    def _drip(self) -> None:
        while not self._stopped.wait(self.interval):
            for connection in self.sockets:
                with contextlib.suppress(OSError):
                    connection.send(b"u")

    def still_open(self) -> int:
        """How many connections the server has not closed (nor answered)."""
        alive = 0
        for connection in self.sockets:
            connection.setblocking(False)
            try:
                connection.recv(1, socket.MSG_PEEK)  # an answer or the end of the connection
            except BlockingIOError:
                alive += 1
            except OSError:
                pass
        return alive

    def __exit__(self, *_exc: object) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)
        for connection in self.sockets:
            connection.close()


@contextlib.contextmanager
def running(*servers: Gunicorn | Nginx) -> Iterator[None]:
    """Start servers in order; stop them all, last first, whatever happens."""
    started: list[Gunicorn | Nginx] = []
    try:
        for server in servers:
            started.append(server)
            server.start()
        yield
    finally:
        for server in reversed(started):
            server.stop()


def response_status(raw: bytes) -> int:
    found = re.match(rb"HTTP/1\.[01] (\d{3})", raw)
    return int(found.group(1)) if found else 0
