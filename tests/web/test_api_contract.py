"""What schemathesis found against the OpenAPI document, each kept as a plain regression test."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.web.helpers import csrf_token
from tests.web.test_rnn_api import PROJECT_CONTENT, wait_for
from tests.web.test_rnn_api import quiet_jobs as quiet_jobs  # a fixture


def test_the_error_schema_declares_every_key_an_error_body_has(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    assert "ApiError" not in schemas  # one error schema, where the responses point
    declared = set(schemas["Error"]["properties"])
    body = client.get("/api/v1/sets/no-such-set").get_json()
    assert set(body) <= declared and {"error", "retry_after", "job"} <= declared


def test_a_training_job_needs_a_json_body(client: FlaskClient) -> None:
    empty = client.post("/api/v1/rnn/jobs")
    assert empty.status_code == 400 and "JSON object" in empty.get_json()["message"]
    form = client.post("/api/v1/rnn/jobs", data={"steps": "40"})
    assert form.status_code == 400


def test_an_unsupported_method_is_a_405_that_lists_the_allowed_ones(client: FlaskClient) -> None:
    for path in ("/api/v1/sets", "/api/v1/rnn/predict", "/login"):
        response = client.open(path, method="TRACE")
        assert response.status_code == 405
        assert "Allow" in response.headers and "TRACE" not in response.headers["Allow"]
    assert set(client.open("/api/v1/sets", method="TRACE").headers["Allow"].split(", ")) >= {"GET"}


def test_the_hourly_job_limit_says_the_same_wait_in_header_and_body(
    app: Flask, client: FlaskClient, quiet_jobs: None
) -> None:
    app.config["UNROLL_CONTENT_DIR"] = str(PROJECT_CONTENT)
    app.config["UNROLL_RNN_TRAIN_RATE"] = "1 per hour"
    headers = {"X-CSRFToken": csrf_token(client, "/demo")}
    started = client.post("/api/v1/rnn/jobs", json={"steps": 10}, headers=headers)
    assert started.status_code == 202
    assert "Retry-After" not in started.headers  # a job that started has nothing to wait for
    running = client.post("/api/v1/rnn/jobs", json={"steps": 10}, headers=headers)
    assert running.status_code == 429
    body = running.get_json()
    assert int(running.headers["Retry-After"]) == body["retry_after"]
    assert 3500 <= body["retry_after"] <= 3600 and f"{body['retry_after']} seconds" in body["message"]
    wait_for(client, started.get_json()["id"])


def test_a_refused_job_keeps_its_own_retry_after(app: Flask, client: FlaskClient, quiet_jobs: None) -> None:
    app.config["UNROLL_CONTENT_DIR"] = str(PROJECT_CONTENT)
    headers = {"X-CSRFToken": csrf_token(client, "/demo")}
    started = client.post("/api/v1/rnn/jobs", json={"steps": 40}, headers=headers)
    assert started.status_code == 202
    again = client.post("/api/v1/rnn/jobs", json={"steps": 40}, headers=headers)
    assert again.status_code == 409
    assert int(again.headers["Retry-After"]) == again.get_json()["retry_after"] < 600
    wait_for(client, started.get_json()["id"])
