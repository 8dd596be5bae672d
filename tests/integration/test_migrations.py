"""The migrations build exactly the models' schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask_migrate import check, downgrade, upgrade
from sqlalchemy import inspect, text

from app import create_app
from app.extensions import db
from tests.conftest import app_config

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def test_upgrade_builds_the_models_schema_and_db_check_is_clean(
    empty_database_url: str, tmp_path: Path
) -> None:
    app = create_app(app_config(empty_database_url, tmp_path))
    with app.app_context():
        upgrade()
        check()  # raises when the models and the migrated schema differ
        tables = set(inspect(db.engine).get_table_names())
        with db.engine.begin() as connection:
            connection.execute(text("DROP INDEX ix_cards_set_active"))
        with pytest.raises(SystemExit):  # flask-migrate exits 1 on a difference
            check()
        db.engine.dispose()
    assert {"content_sets", "cards", "sync_lock", "alembic_version"} <= tables


def test_0005_gives_old_tokens_an_expiry_and_normalises_usernames(
    empty_database_url: str, tmp_path: Path
) -> None:
    app = create_app(app_config(empty_database_url, tmp_path))
    with app.app_context():
        upgrade(revision="0004")
        with db.engine.begin() as connection:
            for user_id, name in [(1, "ada\n"), (2, "bob"), (3, "BOB\n")]:
                connection.execute(
                    text(
                        "INSERT INTO users (id, username, role, is_guest, timezone, desired_retention,"
                        " maximum_interval_days, new_per_day, reviews_per_day, cards_version, created_at)"
                        " VALUES (:id, :name, 'learner', false, 'UTC', 0.9, 100, 20, 200, 0, :at)"
                    ),
                    {"id": user_id, "name": name, "at": NOW},
                )
            connection.execute(
                text("INSERT INTO api_tokens (user_id, token_hash, created_at) VALUES (1, 'x', :at)"),
                {"at": NOW},
            )
        upgrade()
        with db.engine.connect() as connection:
            names = dict(connection.execute(text("SELECT id, username FROM users")).all())
            expires = connection.execute(text("SELECT expires_at FROM api_tokens")).scalar()
        db.engine.dispose()
    assert names == {1: "ada", 2: "bob", 3: "BOB\n"}  # the last would collide: left to the operator
    assert expires is not None


def test_0007_adds_accepted_responses_and_downgrades_cleanly(empty_database_url: str, tmp_path: Path) -> None:
    app = create_app(app_config(empty_database_url, tmp_path))
    with app.app_context():
        upgrade(revision="0006")
        assert "accepted_responses" not in inspect(db.engine).get_table_names()
        upgrade()
        uniques = inspect(db.engine).get_unique_constraints("accepted_responses")
        downgrade(revision="0006")
        after = inspect(db.engine).get_table_names()
        db.engine.dispose()
    assert [u["column_names"] for u in uniques] == [["card_id", "normalised"]]
    assert "accepted_responses" not in after


def test_0008_adds_set_sources_revisions_and_the_log_and_downgrades_cleanly(
    empty_database_url: str, tmp_path: Path
) -> None:
    app = create_app(app_config(empty_database_url, tmp_path))
    with app.app_context():
        upgrade(revision="0007")
        assert "set_sources" not in inspect(db.engine).get_table_names()
        upgrade()
        check()
        uniques = inspect(db.engine).get_unique_constraints("set_revisions")
        with db.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO set_sources (id, slug, origin, current_revision) VALUES (1, 'a', 'web', 1)")
            )
            connection.execute(
                text(
                    "INSERT INTO set_revisions (source_id, number, text, message, created_at, published,"
                    " origin, errors) VALUES (1, 1, 'x', '', :at, true, 'web', 0)"
                ),
                {"at": NOW},
            )
        downgrade(revision="0007")
        after = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert [u["column_names"] for u in uniques] == [["source_id", "number"]]
    assert not {"set_sources", "set_revisions", "authoring_events"} & after
