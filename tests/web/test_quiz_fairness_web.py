"""Fair grading as learners and instructors see it: the results page and API explain typed answers,
and only instructors see learners' wrong responses and accept one for everyone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Card, QuizAttempt, User
from app.services import accounts, quiz
from app.services.content_sync import sync_content
from tests.integration.test_quiz_fairness import SET
from tests.web.helpers import csrf_token, log_in

T0 = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse"


@pytest.fixture
def fair(app: Flask, content_dir: Path) -> Flask:
    (content_dir / "fair.md").write_text(SET, encoding="utf-8")
    with app.app_context():
        sync_content(content_dir, T0)
        accounts.register("ada", PASSWORD, T0)
        accounts.register("teach", PASSWORD, T0, role="instructor")
    return app


def take(app: Flask, name: str, answers: dict[str, Any]) -> int:
    """`name` takes a quiz on the set with these answers (by card key) and submits it."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == name))
        assert user is not None
        now = datetime.now(UTC)
        attempt = quiz.start_quiz(user, now, mode="sets", sets=["fair"], count=8, time_limit_s=600)
        keys = {c.id: c.key for c in db.session.scalars(select(Card))}
        for question in attempt.questions:
            if keys[question.card_id] in answers:
                quiz.save_answer(user, attempt.id, question.id, answers[keys[question.card_id]], now, 5.0)
        quiz.submit(user, attempt.id, now + timedelta(seconds=1), 5.0)
        return attempt.id


def card_id(app: Flask, key: str) -> int:
    with app.app_context():
        found = db.session.scalar(select(Card.id).where(Card.key == key))
        assert found is not None
        return found


def score(app: Flask, attempt_id: int) -> int | None:
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt is not None
        return attempt.score


def test_the_results_page_shows_the_typed_answer_the_expected_one_the_note_and_the_difference(
    fair: Flask, client: FlaskClient
) -> None:
    attempt_id = take(
        fair, "ada", {"bptt-name": "Backpropogation through time", "forget-gate": "forgot gate"}
    )
    log_in(client, "ada", PASSWORD)
    page = client.get(f"/quiz/{attempt_id}/result").get_data(as_text=True)
    assert "you typed “Backpropogation through time”" in page
    assert "expected “Backpropagation through time” (also accepted: BPTT)" in page
    assert "Accepted with a typo" in page and "Almost: a typo in “forget”" in page
    assert '<del><span class="visually-hidden">(typed, not expected: </span>o' in page
    assert '<ins><span class="visually-hidden">(expected, not typed: </span>a' in page
    assert "struck through: typed but not expected" in page


def test_the_result_api_carries_each_typed_check_and_the_note(fair: Flask, client: FlaskClient) -> None:
    attempt_id = take(fair, "ada", {"bptt-name": "Backpropogation through time"})
    token = client.post("/api/v1/tokens", json={"username": "ada", "password": PASSWORD}).get_json()["token"]
    body = client.post(f"/api/v1/quizzes/{attempt_id}/submit", headers={"Authorization": f"Bearer {token}"})
    item = next(r for r in body.get_json()["results"] if "Name the gradient algorithm" in r["question_html"])
    assert item["correct"] and item["note"].startswith("Accepted with a typo")
    check = item["checks"][0]
    assert (
        check["almost"] and check["expected"] == "Backpropagation through time" and check["also"] == ["BPTT"]
    )
    assert {"op": "missing", "text": "a"} in check["diff"] and {"op": "extra", "text": "o"} in check["diff"]


def test_only_instructors_see_the_responses_page_and_its_link(fair: Flask, client: FlaskClient) -> None:
    take(fair, "ada", {"bptt-name": "backprop"})
    log_in(client, "ada", PASSWORD)
    assert client.get("/instructor/sets/fair/responses").status_code == 403
    assert "Learners’ quiz answers" not in client.get("/sets/fair").get_data(as_text=True)
    token = csrf_token(client, "/sets/fair")
    refused = client.post(
        f"/instructor/cards/{card_id(fair, 'bptt-name')}/accepted-responses",
        data={"response": "backprop", "csrf_token": token},
    )
    assert refused.status_code == 403

    teacher = fair.test_client()
    log_in(teacher, "teach", PASSWORD)
    assert "/instructor/sets/fair/responses" in teacher.get("/sets/fair").get_data(as_text=True)
    page = teacher.get("/instructor/sets/fair/responses")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<td>backprop</td>" in html and "Accept for everyone" in html
    assert teacher.get("/instructor/sets/nope/responses").status_code == 404


def test_an_instructor_accepts_a_response_for_everyone_from_the_page(
    fair: Flask, client: FlaskClient
) -> None:
    first = take(fair, "ada", {"bptt-name": "backprop"})
    assert score(fair, first) == 0
    log_in(client, "teach", PASSWORD)
    url = f"/instructor/cards/{card_id(fair, 'bptt-name')}/accepted-responses"
    assert client.post(url, data={"response": "backprop"}).status_code == 400  # no CSRF token
    assert score(fair, first) == 0
    token = csrf_token(client, "/instructor/sets/fair/responses")
    done = client.post(url, data={"response": "backprop", "csrf_token": token}, follow_redirects=True)
    html = done.get_data(as_text=True)
    assert "Accepted “backprop” for everyone: 1 answer re-marked right in 1 quiz." in html
    assert "Accepted for everyone: backprop" in html and "<td>backprop</td>" not in html
    assert score(fair, first) == 1
    later = take(fair, "ada", {"bptt-name": "Backprop"})
    assert score(fair, later) == 1


def bearer(client: FlaskClient, name: str) -> dict[str, str]:
    token = client.post("/api/v1/tokens", json={"username": name, "password": PASSWORD}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


def test_the_api_accepts_a_response_for_instructors_only(fair: Flask, client: FlaskClient) -> None:
    attempt_id = take(fair, "ada", {"bptt-name": "backprop"})
    url = f"/api/v1/cards/{card_id(fair, 'bptt-name')}/accepted-responses"
    learner = client.post(url, json={"response": "backprop"}, headers=bearer(client, "ada"))
    assert learner.status_code == 403
    teacher = bearer(client, "teach")
    created = client.post(url, json={"response": "backprop"}, headers=teacher)
    assert created.status_code == 201
    assert created.get_json() == {
        "card_id": card_id(fair, "bptt-name"),
        "response": "backprop",
        "remarked": 1,
        "attempts": 1,
    }
    assert score(fair, attempt_id) == 1
    assert client.post(url, json={}, headers=teacher).status_code == 422
    two_blanks = f"/api/v1/cards/{card_id(fair, 'two-blanks')}/accepted-responses"
    assert client.post(two_blanks, json={"response": "x"}, headers=teacher).status_code == 422
    assert (
        client.post(
            "/api/v1/cards/9999/accepted-responses", json={"response": "x"}, headers=teacher
        ).status_code
        == 404
    )
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/cards/{card_id}/accepted-responses"]["post"]
    assert {"201", "403", "404", "422"} <= set(operation["responses"])
