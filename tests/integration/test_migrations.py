"""The migrations build exactly the models' schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask_migrate import check, upgrade
from sqlalchemy import inspect, text

from app import create_app
from app.extensions import db
from tests.conftest import PG_URL, app_config, reset_postgres_schema


def _fresh_database(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    assert PG_URL is not None
    reset_postgres_schema(PG_URL)
    return PG_URL


@pytest.mark.parametrize(
    "backend",
    [
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(
                PG_URL is None, reason="set TEST_DATABASE_URL to run against PostgreSQL"
            ),
        ),
    ],
)
def test_upgrade_builds_the_models_schema_and_db_check_is_clean(backend: str, tmp_path: Path) -> None:
    url = _fresh_database(backend, tmp_path)
    app = create_app(app_config(url, tmp_path))
    with app.app_context():
        upgrade()
        check()  # raises when the models and the migrated schema differ
        tables = set(inspect(db.engine).get_table_names())
        with db.engine.begin() as connection:
            connection.execute(text("DROP INDEX ix_cards_set_active"))
        with pytest.raises(SystemExit):  # flask-migrate exits 1 on a difference
            check()
        db.engine.dispose()
    if backend == "postgresql":
        reset_postgres_schema(url)  # leave the shared test database whole for later tests
    assert {"content_sets", "cards", "sync_lock", "alembic_version"} <= tables
