"""Hostile input gets a 4xx or a valid answer, never a 500: request sizes, stored field sizes, ids no
column can hold, NaN and infinity, JSON nested deep, NUL characters, spreadsheet formulas in the CSV."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import IntegerConverter

from app import create_app
from app.services.content_sync import sync_content
from app.web.bounds import BoundedIntConverter
from tests.conftest import app_config
from tests.integration.test_quiz import SET
from tests.web.helpers import csrf_token, log_in

PASSWORD = "correct horse"
HUGE_IDS = (2**31, 2**63, 10**30)


@pytest.fixture
def gates(app: Flask, content_dir: Path) -> Flask:
    (content_dir / "gates.md").write_text(SET, encoding="utf-8")
    with app.app_context():
        sync_content(content_dir, datetime.now(UTC))
    return app


def bearer(client: FlaskClient, name: str = "ada") -> dict[str, str]:
    client.post("/api/v1/users", json={"username": name, "password": PASSWORD})
    token = client.post("/api/v1/tokens", json={"username": name, "password": PASSWORD}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# Request size -------------------------------------------------------------------------------------


def test_the_request_limit_defaults_to_2_mib_and_follows_its_setting(tmp_path: Path) -> None:
    default = create_app(app_config(f"sqlite:///{tmp_path / 'a.sqlite3'}", tmp_path))
    small = create_app(
        app_config(f"sqlite:///{tmp_path / 'b.sqlite3'}", tmp_path, UNROLL_MAX_REQUEST_BYTES=1000)
    )
    assert default.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024
    assert small.config["MAX_CONTENT_LENGTH"] == 1000


def test_a_body_over_the_limit_is_a_413_json_error_on_the_api(client: FlaskClient) -> None:
    body = json.dumps({"text": "the " * 600_000})  # 2.4 MB
    response = client.post("/api/v1/rnn/predict", data=body, content_type="application/json")
    assert response.status_code == 413
    error = response.get_json()
    assert error["code"] == 413 and "2,097,152 bytes" in error["message"]
    assert error["error"] == error["message"]


def test_a_body_over_the_limit_is_a_413_page_elsewhere(client: FlaskClient) -> None:
    response = client.post("/login", data={"username": "ada", "password": "x" * 3_000_000})
    assert response.status_code == 413 and response.mimetype == "text/html"
    assert "2,097,152 bytes" in response.get_data(as_text=True)


# Stored fields are bounded --------------------------------------------------------------------------


def _quiz(client: FlaskClient, headers: dict[str, str]) -> dict[str, Any]:
    """A quiz of every card in the set (more than it has), so every question type is in it."""
    created = client.post(
        "/api/v1/quizzes", json={"sets": ["gates"], "count": 10, "time_limit_s": 300}, headers=headers
    )
    assert created.status_code == 201, created.get_json()
    return dict(created.get_json())


@pytest.mark.parametrize("kind, answer", [("short", "x" * 5000), ("cloze", ["y" * 5000])])
def test_a_quiz_answer_longer_than_the_limit_is_refused_and_not_stored(
    gates: Flask, client: FlaskClient, kind: str, answer: Any
) -> None:
    ada = bearer(client)
    attempt = _quiz(client, ada)
    question = next(q for q in attempt["questions"] if q["type"] == kind)
    url = f"/api/v1/quizzes/{attempt['id']}/answers/{question['id']}"
    refused = client.put(url, json={"answer": answer}, headers=ada)
    assert refused.status_code == 422 and "at most 2000 characters" in refused.get_json()["message"]
    resumed = client.get(f"/api/v1/quizzes/{attempt['id']}", headers=ada).get_json()
    assert next(q for q in resumed["questions"] if q["id"] == question["id"])["answer"] is None


def test_the_plain_quiz_form_says_which_answer_was_too_long_to_save(
    gates: Flask, client: FlaskClient
) -> None:
    ada = bearer(client)
    attempt = _quiz(client, ada)
    short = next(q for q in attempt["questions"] if q["type"] == "short")
    log_in(client, "ada", PASSWORD)
    token = csrf_token(client, f"/quiz/{attempt['id']}")
    result = client.post(
        f"/quiz/{attempt['id']}/submit",
        data={f"q{short['id']}": "x" * 5000, "csrf_token": token},
        follow_redirects=True,
    )
    page = result.get_data(as_text=True)
    assert result.status_code == 200 and "at most 2000 characters" in page
    assert "x" * 2000 not in page


def test_log_in_fields_are_bounded_before_any_password_is_hashed(client: FlaskClient) -> None:
    token = csrf_token(client)
    response = client.post("/login", data={"username": "ada", "password": "p" * 100_000, "csrf_token": token})
    assert response.status_code in (200, 422) and "No password is that long" in response.get_data(
        as_text=True
    )


def test_the_api_schemas_declare_their_bounds(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    credentials = schemas["Credentials"]["properties"]
    assert credentials["username"]["maxLength"] == 32 and credentials["password"]["maxLength"] == 200
    job = schemas["JobRequest"]["properties"]
    assert (job["steps"]["minimum"], job["steps"]["maximum"]) == (10, 300)
    assert job["text"]["maxLength"] == 20_000
    assert schemas["PredictRequest"]["properties"]["temperature"]["minimum"] == 0.05
    assert schemas["NewQuiz"]["properties"]["sets"]["maxItems"] == 200
    assert schemas["Answer"]["properties"]["duration_ms"]["maximum"] == 2**31 - 1


# Ids no database column can hold -------------------------------------------------------------------


def test_every_int_route_uses_the_bounded_converter(app: Flask) -> None:
    converters = [c for rule in app.url_map.iter_rules() for c in rule._converters.values()]
    numeric = [c for c in converters if isinstance(c, IntegerConverter)]
    assert len(numeric) >= 15 and all(
        isinstance(c, BoundedIntConverter) and c.max == 2**31 - 1 for c in numeric
    )


def _int_paths(app: Flask, number: int) -> list[tuple[str, str]]:
    paths = []
    for rule in app.url_map.iter_rules():
        ints = [name for name, c in rule._converters.items() if isinstance(c, BoundedIntConverter)]
        if not ints:
            continue
        values = dict.fromkeys(ints, number) | {"action": "bury"}
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", str(values[name]))
            path = path.replace(f"<any(suspend, unsuspend, bury):{name}>", "bury")
        paths += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return paths


@pytest.mark.parametrize("number", HUGE_IDS)
def test_ids_beyond_any_column_are_404_on_every_route(gates: Flask, client: FlaskClient, number: int) -> None:
    ada = bearer(client)
    log_in(client, "ada", PASSWORD)
    token = csrf_token(client, "/study")
    paths = _int_paths(gates, number)
    assert len(paths) >= 15
    for method, path in paths:
        response = client.open(path, method=method, headers=ada | {"X-CSRFToken": token}, json={})
        assert response.status_code == 404, (method, path, response.status_code)


def test_huge_ids_in_query_and_form_fields_are_ignored(gates: Flask, client: FlaskClient) -> None:
    bearer(client)
    log_in(client, "ada", PASSWORD)
    assert client.get(f"/study?show={2**63}&quiz={2**40}").status_code == 200
    token = csrf_token(client, "/study")
    graded = client.post(
        "/study/answer",
        data={"card_id": str(2**63), "rating": "3", "version": str(2**70), "csrf_token": token},
    )
    assert graded.status_code == 404


# Not-a-number ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("started", ["nan", "inf", "-inf", "1e308", "-1e308", "x" * 50])
def test_the_plain_study_form_survives_any_started_value(
    gates: Flask, client: FlaskClient, started: str
) -> None:
    ada = bearer(client)
    card = client.get("/api/v1/study/next", headers=ada).get_json()["card"]
    log_in(client, "ada", PASSWORD)
    token = csrf_token(client, "/study")
    graded = client.post(
        "/study/answer",
        data={
            "card_id": card["id"],
            "rating": "3",
            "version": card["version"],
            "started": started,
            "csrf_token": token,
        },
    )
    assert graded.status_code == 302
    assert client.get(f"/study?started={started}").status_code == 200


@pytest.mark.parametrize("path", ["predict", "generate"])
def test_a_temperature_too_cold_is_a_400_not_a_500_or_nan(client: FlaskClient, path: str) -> None:
    response = client.post(f"/api/v1/rnn/{path}", json={"text": "the cat sat on the", "temperature": 1e-300})
    assert response.status_code == 400 and "temperature" in response.get_json()["message"]


def test_sampling_is_nan_safe_at_any_positive_temperature(client: FlaskClient, app: Flask) -> None:
    from app.services import rnn_demo

    with app.app_context():
        model = rnn_demo.models_from_config(app.config).model("vanilla")
    for temperature in (1e-300, 1e-45, 1e-8, 0.05):
        top = model.predict("the cat sat on the", 5, temperature).top
        assert all(math.isfinite(p) for _, p in top), temperature
        assert len(model.generate("the cat sat", 5, temperature)) == 5


# JSON nested deep ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [40, 1000, 100_000])
def test_json_nested_deep_is_a_400_with_a_message(gates: Flask, client: FlaskClient, depth: int) -> None:
    ada = bearer(client)
    for path in ("/api/v1/rnn/predict", "/api/v1/quizzes"):
        body = '{"text": "the cat", "sets": ' + nested(depth) + "}"
        response = client.post(path, data=body, content_type="application/json", headers=ada)
        assert response.status_code == 400, (path, response.status_code)
        assert "nested too deeply" in response.get_json()["message"]


# NUL characters -----------------------------------------------------------------------------------------


def test_nul_characters_are_refused_everywhere(gates: Flask, client: FlaskClient) -> None:
    ada = bearer(client)
    assert client.post("/api/v1/users", json={"username": "eve\x00", "password": PASSWORD}).status_code == 400
    assert (
        client.post("/api/v1/tokens", json={"username": "ada\x00", "password": PASSWORD}).status_code == 400
    )
    assert client.get("/api/v1/study/next?set=gates%00", headers=ada).status_code == 400
    assert client.get("/api/v1/sets/gat%00es").status_code == 400
    assert client.post("/api/v1/rnn/predict", json={"text": "the\x00cat"}).status_code == 400
    attempt = _quiz(client, ada)
    question = next(q for q in attempt["questions"] if q["type"] == "short")
    saved = client.put(
        f"/api/v1/quizzes/{attempt['id']}/answers/{question['id']}", json={"answer": "a\x00b"}, headers=ada
    )
    assert saved.status_code == 400 and "NUL" in saved.get_json()["message"]
    token = csrf_token(client)
    page = client.post(
        "/register",
        data={"username": "eve\x00", "password": PASSWORD, "confirm": PASSWORD, "csrf_token": token},
    )
    assert page.status_code == 400 and page.mimetype == "text/html"


# CSV export --------------------------------------------------------------------------------------------

FORMULAS = """+++
title = "Formulas"
slug = "formulas"
dialect = "native"
+++
## Review
1. =HYPERLINK("http://evil.example", "click")
   Answer: no
   ID: eq

2. +1+1 is what?
   Answer: two
   ID: plus

3. -2+3 is what?
   Answer: one
   ID: minus

4. @SUM(A1:A2) is a formula?
   Answer: yes
   ID: at

5. A plain question?
   Answer: yes
   ID: plain
"""


def test_the_review_csv_neutralises_cells_a_spreadsheet_would_run(
    app: Flask, content_dir: Path, client: FlaskClient
) -> None:
    (content_dir / "formulas.md").write_text(FORMULAS, encoding="utf-8")
    with app.app_context():
        sync_content(content_dir, datetime.now(UTC))
    ada = bearer(client)
    for _ in range(5):
        card = client.get("/api/v1/study/next", headers=ada).get_json()["card"]
        answered = client.post(
            f"/api/v1/study/cards/{card['id']}/answer",
            json={"rating": 4, "version": card["version"]},
            headers=ada,
        )
        assert answered.status_code == 200
    log_in(client, "ada", PASSWORD)
    rows = list(csv.DictReader(io.StringIO(client.get("/export/reviews.csv").get_data(as_text=True))))
    questions = {row["card"]: row["question"] for row in rows}
    assert questions["eq"].startswith("'=HYPERLINK(")
    assert questions["plus"] == "'+1+1 is what?"
    assert questions["minus"] == "'-2+3 is what?"
    assert questions["at"].startswith("'@SUM(")
    assert questions["plain"] == "A plain question?"
    assert all(row["rating"] == "4" for row in rows)  # numbers stay numbers
