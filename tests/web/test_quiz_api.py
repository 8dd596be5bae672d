"""The quiz API as a client sees it, with the server's clock under the test's control."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.services.content_sync import sync_content
from tests.integration.test_quiz import SET


class Clock:
    """A server clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(app: Flask, content_dir: Path) -> Clock:
    (content_dir / "gates.md").write_text(SET, encoding="utf-8")
    with app.app_context():
        sync_content(content_dir, datetime.now(UTC))
    ticking = Clock()
    app.config["UNROLL_CLOCK"] = ticking
    return ticking


def bearer(client: FlaskClient, name: str) -> dict[str, str]:
    client.post("/api/v1/users", json={"username": name, "password": "correct horse"})
    token = client.post("/api/v1/tokens", json={"username": name, "password": "correct horse"}).get_json()[
        "token"
    ]
    return {"Authorization": f"Bearer {token}"}


def test_a_quiz_through_the_api(client: FlaskClient, clock: Clock) -> None:
    ada = bearer(client, "ada")
    created = client.post(
        "/api/v1/quizzes", json={"sets": ["gates"], "count": 6, "time_limit_s": 300}, headers=ada
    )
    assert created.status_code == 201
    body = created.get_json()
    assert body["remaining_s"] == 300 and len(body["questions"]) == 6
    for question in body["questions"]:
        assert set(question) >= {"id", "type", "prompt_html", "options"}
        assert all(set(o) == {"id", "html"} for o in question["options"])

    choice = next(q for q in body["questions"] if q["type"] == "choice")
    clock.now += timedelta(seconds=40)
    saved = client.put(
        f"/api/v1/quizzes/{body['id']}/answers/{choice['id']}",
        json={"answer": choice["options"][0]["id"]},
        headers=ada,
    )
    assert saved.status_code == 200 and saved.get_json()["remaining_s"] == 260
    bad = client.put(
        f"/api/v1/quizzes/{body['id']}/answers/{choice['id']}", json={"answer": "zz"}, headers=ada
    )
    assert bad.status_code == 422

    resumed = client.get(f"/api/v1/quizzes/{body['id']}", headers=ada).get_json()
    assert resumed["remaining_s"] == 260
    assert next(q for q in resumed["questions"] if q["id"] == choice["id"])["answer"] == [
        choice["options"][0]["id"]
    ]

    first = client.post(f"/api/v1/quizzes/{body['id']}/submit", headers=ada).get_json()
    clock.now += timedelta(minutes=3)
    second = client.post(f"/api/v1/quizzes/{body['id']}/submit", headers=ada).get_json()
    assert first == second and first["total"] == 6 and len(first["results"]) == 6
    assert {"correct", "your_answer", "right_answer", "explanation_html"} <= set(first["results"][0])
    late = client.put(
        f"/api/v1/quizzes/{body['id']}/answers/{choice['id']}", json={"answer": None}, headers=ada
    )
    assert late.status_code == 409 and "already submitted" in late.get_json()["error"]


def test_an_answer_after_the_deadline_and_grace_is_a_409_with_an_error(
    client: FlaskClient, clock: Clock
) -> None:
    ada = bearer(client, "ada")
    body = client.post(
        "/api/v1/quizzes", json={"sets": ["gates"], "count": 5, "time_limit_s": 60}, headers=ada
    ).get_json()
    question = body["questions"][0]
    url = f"/api/v1/quizzes/{body['id']}/answers/{question['id']}"
    clock.now += timedelta(seconds=64)
    in_grace = client.put(url, json={"answer": None}, headers=ada)
    clock.now += timedelta(seconds=2)
    too_late = client.put(url, json={"answer": None}, headers=ada)
    assert in_grace.status_code == 200 and in_grace.get_json()["remaining_s"] == 0
    assert too_late.status_code == 409 and too_late.get_json()["error"].startswith("Time is up")
    assert client.get(f"/api/v1/quizzes/{body['id']}", headers=ada).get_json()["submitted"] is True


def test_another_learner_gets_404_everywhere(client: FlaskClient, clock: Clock) -> None:
    ada, bob = bearer(client, "ada"), bearer(client, "bob")
    body = client.post("/api/v1/quizzes", json={"sets": ["gates"], "count": 5}, headers=ada).get_json()
    question = body["questions"][0]["id"]
    assert client.get(f"/api/v1/quizzes/{body['id']}", headers=bob).status_code == 404
    assert (
        client.put(
            f"/api/v1/quizzes/{body['id']}/answers/{question}", json={"answer": None}, headers=bob
        ).status_code
        == 404
    )
    assert client.post(f"/api/v1/quizzes/{body['id']}/submit", headers=bob).status_code == 404
    assert client.get(f"/api/v1/study/next?quiz={body['id']}", headers=bob).status_code == 404
    assert client.get(f"/api/v1/quizzes/{body['id']}").status_code == 401
    assert client.get(f"/api/v1/quizzes/{body['id']}", headers=ada).status_code == 200


def test_bad_quiz_requests_are_422_with_messages(client: FlaskClient, clock: Clock) -> None:
    ada = bearer(client, "ada")
    for payload in (
        {"sets": ["gates"], "count": 2},
        {"sets": ["gates"], "time_limit_s": 5},
        {"sets": ["nope"]},
        {"sets": "gates"},
        {"mode": "everything"},
    ):
        response = client.post("/api/v1/quizzes", json=payload, headers=ada)
        assert response.status_code == 422, payload
        assert response.get_json()["message"]
