"""Log-ins are throttled per address and per account, sign-ups and guests per address, with counts
shared by every app process: in the database by default, in Redis when REDIS_URL is set."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.models import User
from app.services import accounts
from tests.conftest import app_config
from tests.web.helpers import csrf_token

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
REDIS = "redis://127.0.0.1:6379/3"
LIMITS = {
    "UNROLL_LOGIN_LIMIT": "1000 per minute",
    "UNROLL_LOGIN_ACCOUNT_LIMIT": "1000 per minute",
    "UNROLL_SIGNUP_LIMIT": "1000 per hour",
    "UNROLL_GUEST_LIMIT": "1000 per hour",
}


def limited(app: Flask, **limits: str) -> Flask:
    app.config.update(LIMITS | limits)
    return app


def twin(app: Flask, **config: Any) -> Flask:
    """A second app process on the same database, configured alike."""
    same = {key: app.config[key] for key in (*LIMITS, "REDIS_URL")} | config
    return create_app(
        app_config(app.config["SQLALCHEMY_DATABASE_URI"], app.config["UNROLL_CONTENT_DIR"], **same)
    )


def client_at(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def page_login(client: FlaskClient, username: str, password: str = "wrong password") -> Any:
    data = {"username": username, "password": password, "csrf_token": csrf_token(client)}
    return client.post("/login", data=data)


def api_login(client: FlaskClient, username: str, password: str = "wrong password") -> Any:
    return client.post("/api/v1/tokens", json={"username": username, "password": password})


@pytest.fixture
def ada(app: Flask) -> None:
    with app.app_context():
        accounts.register("ada", "correct horse", NOW)


def test_failed_log_ins_are_counted_per_address(app: Flask, ada: None) -> None:
    limited(app, UNROLL_LOGIN_LIMIT="3 per minute")
    client = client_at(app, "203.0.113.7")
    assert [page_login(client, name).status_code for name in ("ada", "bob", "eve")] == [401, 401, 401]
    refused = page_login(client, "ada", "correct horse")  # even the right password now waits
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "Too many failed log-ins" in refused.get_data(as_text=True)
    assert page_login(client_at(app, "198.51.100.1"), "ada", "correct horse").status_code == 302


def test_failed_log_ins_are_counted_per_account_whatever_the_spelling(app: Flask, ada: None) -> None:
    limited(app, UNROLL_LOGIN_ACCOUNT_LIMIT="3 per minute")
    spellings = ["ada", "ADA", " ada\n"]
    statuses = [
        page_login(client_at(app, f"203.0.113.{i}"), name).status_code for i, name in enumerate(spellings)
    ]
    assert statuses == [401, 401, 401]
    refused = api_login(client_at(app, "198.51.100.1"), "ａｄａ", "correct horse")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "Too many failed log-ins for this account" in refused.get_json()["message"]
    assert set(refused.get_json()) == {"code", "status", "message"}  # the API's declared error schema
    assert api_login(client_at(app, "198.51.100.1"), "bob").status_code == 401  # another account


def test_the_log_in_page_and_the_token_endpoint_share_the_counts(app: Flask, ada: None) -> None:
    limited(app, UNROLL_LOGIN_LIMIT="3 per minute")
    client = client_at(app, "203.0.113.7")
    assert page_login(client, "ada").status_code == 401
    assert api_login(client, "ada").status_code == 401
    assert page_login(client, "ada").status_code == 401
    assert api_login(client, "ada", "correct horse").status_code == 429


def test_a_wrong_current_password_counts_as_a_failed_log_in(app: Flask, ada: None) -> None:
    limited(app, UNROLL_LOGIN_ACCOUNT_LIMIT="2 per minute")
    client = client_at(app, "203.0.113.7")
    assert page_login(client, "ada", "correct horse").status_code == 302
    form = {"current": "guessing", "password": "battery staple", "confirm": "battery staple"}
    statuses = [
        client.post(
            "/settings/password", data=form | {"csrf_token": csrf_token(client, "/settings")}
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [422, 422, 429]


def test_sign_ups_are_counted_per_address_on_the_page_and_the_api(app: Flask) -> None:
    limited(app, UNROLL_SIGNUP_LIMIT="2 per hour")
    client = client_at(app, "203.0.113.7")
    token = csrf_token(client, "/register")
    form = {"password": "correct horse", "confirm": "correct horse", "csrf_token": token}
    assert client.post("/register", data=form | {"username": "ada"}).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/settings")})
    assert (
        client.post("/api/v1/users", json={"username": "bob", "password": "correct horse"}).status_code == 201
    )
    refused = client.post("/api/v1/users", json={"username": "eve", "password": "correct horse"})
    assert refused.status_code == 429
    assert 3500 <= int(refused.headers["Retry-After"]) <= 3600
    assert "Too many new accounts from your address" in refused.get_json()["message"]
    other = client_at(app, "198.51.100.1")
    assert (
        other.post("/api/v1/users", json={"username": "eve", "password": "correct horse"}).status_code == 201
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 3


def test_guest_starts_are_counted_per_address(app: Flask) -> None:
    limited(app, UNROLL_GUEST_LIMIT="2 per hour")
    statuses = []
    for _ in range(3):
        client = client_at(app, "203.0.113.7")
        statuses.append(client.post("/guest", data={"csrf_token": csrf_token(client)}).status_code)
    assert statuses == [302, 302, 429]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 2


def test_two_app_processes_on_one_database_share_the_counts(app: Flask, ada: None) -> None:
    """The embedded default (no Redis): the database holds the counters, so a second process (or
    server) on the same database sees the first one's failures."""
    limited(app, UNROLL_LOGIN_LIMIT="3 per minute", UNROLL_SIGNUP_LIMIT="1 per hour")
    other = twin(app)
    statuses = [page_login(client_at(a, "203.0.113.7"), "ada").status_code for a in (app, other, app, other)]
    assert statuses == [401, 401, 401, 429]
    assert (
        client_at(app, "203.0.113.8")
        .post("/api/v1/users", json={"username": "bob", "password": "long enough"})
        .status_code
        == 201
    )
    assert (
        client_at(other, "203.0.113.8")
        .post("/api/v1/users", json={"username": "eve", "password": "long enough"})
        .status_code
        == 429
    )
    with other.app_context():
        db.engine.dispose()


@pytest.fixture
def redis_db() -> Iterator[Any]:
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(REDIS, socket_connect_timeout=1)
    try:
        connection.flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    yield connection
    connection.flushdb()


def test_with_redis_two_app_processes_share_the_counts(app: Flask, ada: None, redis_db: Any) -> None:
    limited(app, UNROLL_LOGIN_ACCOUNT_LIMIT="3 per minute")
    first, second = twin(app, REDIS_URL=REDIS), twin(app, REDIS_URL=REDIS)
    statuses = [
        page_login(client_at(a, "203.0.113.7"), "ada").status_code for a in (first, second, first, second)
    ]
    assert statuses == [401, 401, 401, 429]
    with app.app_context():
        assert (
            db.session.execute(
                select(func.count()).select_from(db.metadata.tables["throttle_counters"])
            ).scalar()
            == 0
        )
    for each in (first, second):
        with each.app_context():
            db.engine.dispose()
