"""A live Unroll server on SQLite and Playwright driving Debian's Chromium (or Playwright's own)."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page
from werkzeug.serving import BaseWSGIServer, make_server

from app import create_app
from app.extensions import db
from app.services.content_sync import sync_content
from tests.conftest import app_config

PROJECT_CONTENT = Path(__file__).resolve().parents[2] / "content"
SYSTEM_CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Use the system Chromium where there is one; keep it off the network."""
    args = {
        **browser_type_launch_args,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }
    if SYSTEM_CHROMIUM.exists():
        args["executable_path"] = str(SYSTEM_CHROMIUM)
    return args


@dataclass
class LiveServer:
    url: str
    app: Flask
    content_dir: Path


def _serve(app: Flask) -> tuple[BaseWSGIServer, threading.Thread]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


class ServerClock:
    """The server's clock for browser tests: it runs at real speed, but from noon UTC today, so no
    test ever straddles the learners' 4 am day boundary; a test may also move it on by hand."""

    def __init__(self) -> None:
        real = datetime.now(UTC)
        self.offset = real.replace(hour=12, minute=0, second=0, microsecond=0) - real

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


def _start(tmp: Path, content_dir: Path, **extra: Any) -> tuple[LiveServer, BaseWSGIServer]:
    extra.setdefault("UNROLL_CLOCK", ServerClock())
    app = create_app(app_config(f"sqlite:///{tmp / 'live.sqlite3'}", content_dir, **extra))
    with app.app_context():
        db.create_all()
        sync_content(content_dir, datetime.now(UTC))
    server, _ = _serve(app)
    return LiveServer(f"http://127.0.0.1:{server.server_port}", app, content_dir), server


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app serving the project's own content/ folder, as a learner would see it."""
    live, server = _start(tmp_path_factory.mktemp("live"), PROJECT_CONTENT)
    yield live
    server.shutdown()


@pytest.fixture
def editable_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The app serving a copy of content/ that a test may edit, checking for edits on every request."""
    folder = tmp_path / "content"
    shutil.copytree(PROJECT_CONTENT, folder)
    live, server = _start(tmp_path, folder, UNROLL_CONTENT_RELOAD_SECONDS=0)
    yield live
    server.shutdown()


# Chromium logs "Refused to ... violates the following Content Security Policy directive"; this
# script reports the same from the page's own `securitypolicyviolation` event, as a second witness.
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => console.error(
  "Content Security Policy violation: " + e.effectiveDirective + " blocked " + (e.blockedURI || "inline")));
"""
_BROWSER_FIXTURES = {"page", "context", "new_context", "browser"}


@pytest.fixture(autouse=True)
def csp_violations(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fail any browser test whose pages report a Content-Security-Policy violation: something
    the page needs (a script, style or image) would be blocked for real learners."""
    seen: list[str] = []
    if not _BROWSER_FIXTURES & set(request.fixturenames):
        yield seen
        return
    browser: Browser = request.getfixturevalue("browser")
    original = browser.new_context

    def new_context(*args: Any, **kwargs: Any) -> BrowserContext:
        context = original(*args, **kwargs)
        context.add_init_script(_REPORT_VIOLATIONS)
        context.on("console", lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None)
        return context

    monkeypatch.setattr(browser, "new_context", new_context)
    yield seen
    assert seen == [], "the page reported Content-Security-Policy violations:\n" + "\n".join(seen)


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def foreign_requests(page: Page, live_server: LiveServer) -> list[str]:
    """Every request the page makes outside the app's own origin."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if not r.url.startswith(live_server.url) else None)
    return seen


def assert_accessible(axe: Axe, page: Page) -> None:
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture
def clocked_server(tmp_path: Path) -> Iterator[tuple[LiveServer, ServerClock]]:
    """The app on the project's content with a clock the test controls (quizzes, expiry)."""
    clock = ServerClock()
    live, server = _start(tmp_path, PROJECT_CONTENT, UNROLL_CLOCK=clock)
    yield live, clock
    server.shutdown()
