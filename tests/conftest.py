"""Shared fixtures: an app on a fresh SQLite database, and on PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.extensions import db

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]


def app_config(database_url: str, content_dir: Path, **extra: Any) -> dict[str, Any]:
    """Test settings: an explicit database, a content folder of the test's own, no live reload."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "UNROLL_CONTENT_DIR": str(content_dir),
        "UNROLL_CONTENT_RELOAD_SECONDS": -1,
        **extra,
    }


def reset_postgres_schema(url: str, *, migrate: bool = True) -> None:
    """Empty the test database and, unless told not to, build it with the migrations as a deployment would."""
    app = create_app(app_config(url, Path("/nonexistent")))
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        if migrate:
            upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    assert PG_URL is not None
    reset_postgres_schema(PG_URL)
    return PG_URL


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database without tables, for tests that run the migrations themselves. PostgreSQL's shared
    test database is rebuilt at the head revision afterwards, for the tests that follow."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
        return
    assert PG_URL is not None
    reset_postgres_schema(PG_URL, migrate=False)
    yield PG_URL
    reset_postgres_schema(PG_URL)


def _truncate_all() -> None:
    tables = ", ".join(t.name for t in db.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    folder.mkdir()
    return folder


@pytest.fixture
def app(backend: str, tmp_path: Path, content_dir: Path, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """A fresh app and an empty database on each backend."""
    if backend == "postgresql":
        url = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
    flask_app = create_app(app_config(url, content_dir))
    with flask_app.app_context():
        if backend == "postgresql":
            _truncate_all()
        else:
            db.create_all()
    yield flask_app
    with flask_app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()
