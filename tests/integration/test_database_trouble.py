"""Issue 9, database trouble: a database that refuses, hangs or is locked gives every request a
prompt 503 (an HTML page for a logged-in user, JSON for the API), /healthz a 503 within 3 s, and
the same app works again once the database is back. Real servers and locks, no mocks."""

from __future__ import annotations

import socket
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from app.services import accounts
from app.web.clock import now
from tests.conftest import app_config
from tests.web.helpers import log_in

PASSWORD = "correct horse"
DATABASE_DOWN = "The database is unavailable"


def _closed_port() -> int:
    """A local port where nothing listens (connections to it are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _silent_server() -> Iterator[int]:
    """A TCP port whose connections open but are never answered: a database host that hangs."""
    with socket.create_server(("127.0.0.1", 0), backlog=64) as listener:  # never accept()ed
        yield int(listener.getsockname()[1])


def _second_app(app: Flask, database_url: str, **settings: Any) -> Flask:
    """Another app process (same secret, so the same cookies) with its own database settings."""
    return create_app(app_config(database_url, Path(app.config["UNROLL_CONTENT_DIR"]), **settings))


def _logged_in(app: Flask, into: Flask) -> tuple[FlaskClient, dict[str, str]]:
    """A browser logged in through `app`, moved to `into`, and a bearer token for the API."""
    with app.app_context():
        accounts.register("ada", PASSWORD, now())
    client = app.test_client()
    log_in(client, "ada", PASSWORD)
    tokens = app.test_client().post("/api/v1/tokens", json={"username": "ada", "password": PASSWORD})
    token = tokens.get_json()["token"]
    moved = into.test_client()
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name)
        assert cookie is not None
        moved.set_cookie(name, cookie.value)
    return moved, {"Authorization": f"Bearer {token}"}


def _dispose(*apps: Flask) -> None:
    for each in apps:
        with each.app_context():
            db.session.remove()
            db.engine.dispose()


def _assert_503_page(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page
    assert response.mimetype == "text/html"
    assert DATABASE_DOWN in page
    assert "Log out" not in page and "Log in" not in page  # the account links need the database
    assert int(response.headers["Retry-After"]) > 0


def _assert_503_json(client: FlaskClient, path: str, headers: dict[str, str]) -> None:
    response = client.get(path, headers=headers)
    assert response.status_code == 503
    body = response.get_json()
    assert body["code"] == 503 and DATABASE_DOWN in body["message"]
    assert int(response.headers["Retry-After"]) > 0


def _timed_healthz(app: Flask) -> tuple[int, float]:
    started = time.monotonic()
    response = app.test_client().get("/healthz")
    return response.status_code, time.monotonic() - started


@pytest.mark.parametrize("down", ["postgresql", "sqlite"])
def test_a_refused_database_gives_a_logged_in_user_a_503_page_and_the_api_503_json(
    app: Flask, tmp_path: Path, down: str
) -> None:
    url = (
        f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/unroll"
        if down == "postgresql"
        else f"sqlite:///{tmp_path}/no/such/folder/unroll.sqlite3"
    )
    refused = _second_app(app, url)
    browser, bearer = _logged_in(app, refused)

    _assert_503_page(browser, "/settings")
    _assert_503_page(browser, "/")
    _assert_503_json(browser, "/api/v1/study/next", bearer)
    _assert_503_json(refused.test_client(), "/api/v1/sets", {})
    assert refused.test_client().get("/healthz").status_code == 503
    _dispose(refused)


def test_a_database_host_that_hangs_gives_503s_and_healthz_answers_within_3_s(app: Flask) -> None:
    with _silent_server() as port:
        url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/unroll"
        hanging = _second_app(app, url)  # default timeouts: the health probe's own bound decides
        status, seconds = _timed_healthz(hanging)
        assert status == 503 and seconds < 3.0

        impatient = _second_app(app, url, UNROLL_DB_CONNECT_TIMEOUT=2)
        browser, bearer = _logged_in(app, impatient)
        _assert_503_page(browser, "/settings")
        _assert_503_json(browser, "/api/v1/study/next", bearer)
        _dispose(hanging, impatient)


@contextmanager
def _locked(app: Flask, *others: Flask) -> Iterator[None]:
    """Another client holds the whole database: PostgreSQL tables locked ACCESS EXCLUSIVE, or an
    SQLite file locked exclusively (as a backup or a sqlite3 shell can), until the block ends."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        _dispose(app, *others)  # an exclusive lock waits for every open connection to go
        holder = sqlite3.connect(str(url.database), isolation_level=None, timeout=10)
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("SELECT count(*) FROM sqlite_master").fetchall()
        try:
            yield
        finally:
            holder.close()
        return
    tables = ", ".join(table.name for table in db.metadata.sorted_tables)
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as holder:
        holder.execute(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            holder.rollback()


def test_a_locked_database_answers_503_in_time_and_the_same_app_recovers(app: Flask) -> None:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    impatient = _second_app(app, url, UNROLL_DB_STATEMENT_TIMEOUT=1)
    patient = _second_app(app, url)  # the default 15 s statement timeout
    browser, bearer = _logged_in(app, impatient)
    assert browser.get("/settings").status_code == 200

    with _locked(app, impatient, patient):
        _assert_503_page(browser, "/settings")
        _assert_503_json(browser, "/api/v1/study/next", bearer)
        status, seconds = _timed_healthz(patient)
        assert status == 503 and seconds < 3.0

    assert browser.get("/settings").status_code == 200
    assert browser.get("/api/v1/study/next", headers=bearer).status_code == 200
    assert impatient.test_client().get("/healthz").get_json()["status"] == "ok"
    _dispose(impatient, patient)
