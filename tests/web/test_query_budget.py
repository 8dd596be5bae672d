"""Statement budgets for the hot requests: what each study call and page costs the database.

A learner studying sends `GET /api/v1/study/next` and an answer for every card; the budgets keep
those to a handful of statements (docs/deployment.md, "Speed"), whatever the backend.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from app.extensions import db
from app.services.content_sync import sync_content
from tests.web.test_study_api import SET

NEXT_BUDGET = 3
ANSWER_BUDGET = 4


@contextmanager
def counted(app: Flask) -> Iterator[list[str]]:
    """The SQL statements sent while the block runs."""
    statements: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", note)


@pytest.fixture
def learner(app: Flask, client: FlaskClient, content_dir: Path) -> dict[str, str]:
    (content_dir / "gates.md").write_text(SET, encoding="utf-8")
    with app.app_context():
        sync_content(content_dir, datetime.now(UTC))
    clock = {"now": datetime(2026, 11, 2, 12, 0, tzinfo=UTC)}
    app.config["UNROLL_CLOCK"] = lambda: clock["now"]
    client.post("/api/v1/users", json={"username": "ada", "password": "correct horse"})
    token = client.post("/api/v1/tokens", json={"username": "ada", "password": "correct horse"}).get_json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    client.get("/api/v1/study/next", headers=headers)  # the deck is filled once, on the first call
    return headers


def test_next_card_stays_within_its_statement_budget(
    app: Flask, client: FlaskClient, learner: dict[str, str]
) -> None:
    with counted(app) as statements:
        response = client.get("/api/v1/study/next", headers=learner)
    assert response.status_code == 200 and response.get_json()["card"] is not None
    assert len(statements) <= NEXT_BUDGET, "\n".join(statements)


def test_answer_stays_within_its_statement_budget(
    app: Flask, client: FlaskClient, learner: dict[str, str]
) -> None:
    card = client.get("/api/v1/study/next", headers=learner).get_json()["card"]
    with counted(app) as statements:
        response = client.post(
            f"/api/v1/study/cards/{card['id']}/answer",
            json={"rating": 3, "version": card["version"]},
            headers=learner,
        )
    assert response.status_code == 200
    assert len(statements) <= ANSWER_BUDGET, "\n".join(statements)
