"""Assigned quizzes through pages and /api/v1 with the server's clock under the test's control:
the instructor's pages and the learner's list, the API contract, review policy in results, the
gradebook CSV, and access control for every endpoint (another instructor, a learner, a visitor)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Assignment, QuizAttempt
from app.services import accounts, classes
from app.services.content_sync import sync_content
from tests.integration.test_quiz import SET
from tests.web.helpers import csrf_token, log_in
from tests.web.test_quiz_api import Clock

PASSWORD = "correct horse"


@pytest.fixture
def room(app: Flask, content_dir: Path) -> dict[str, int]:
    """Class "RNN 101" (Europe/Paris) taught by `teacher`, with learner `ann`; `other` teaches
    another class, `eve` is a learner in no class."""
    (content_dir / "gates.md").write_text(SET, encoding="utf-8")
    app.config["UNROLL_CLOCK"] = Clock()
    t0 = app.config["UNROLL_CLOCK"]()
    with app.app_context():
        sync_content(content_dir, t0)
        teacher = accounts.register("teacher", PASSWORD, t0, role="instructor")
        other = accounts.register("other", PASSWORD, t0, role="instructor")
        ann = accounts.register("ann", PASSWORD, t0)
        ann.timezone = "America/New_York"
        accounts.register("eve", PASSWORD, t0)
        db.session.commit()
        mine = classes.create_class(teacher, "RNN 101", t0, timezone="Europe/Paris")
        classes.create_class(other, "Other class", t0)
        classes.join(ann, mine.join_code, t0)
        return {"class_id": mine.id, "ann": ann.id}


def bearer(client: FlaskClient, name: str) -> dict[str, str]:
    token = client.post("/api/v1/tokens", json={"username": name, "password": PASSWORD}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


def clock(app: Flask) -> Clock:
    return app.config["UNROLL_CLOCK"]  # type: ignore[no-any-return]


NEW = {
    "sets": ["gates"],
    "count": 5,
    "time_limit_s": 600,
    "opens_at": "2026-11-02T14:00",  # Paris: 13:00 UTC
    "closes_at": "2026-11-02T15:00:00Z",
    "attempts": 1,
    "review": "after_close",
    "title": "Gates check",
}


def test_an_assignment_through_the_api(app: Flask, client: FlaskClient, room: dict[str, int]) -> None:
    teacher, ann = bearer(client, "teacher"), bearer(client, "ann")
    url = f"/api/v1/classes/{room['class_id']}/assignments"
    created = client.post(url, json=NEW, headers=teacher)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["opens_at"] == "2026-11-02T13:00:00Z" and body["closes_at"] == "2026-11-02T15:00:00Z"
    assert body["title"] == "Gates check" and body["grading"] == "highest" and body["attempts"] == 1

    listed = client.get("/api/v1/assignments", headers=ann).get_json()["assignments"]
    assert [(a["id"], a["status"], a["attempts_left"], a["can_start"]) for a in listed] == [
        (body["id"], "upcoming", 1, False)
    ]
    start = f"/api/v1/assignments/{body['id']}/attempts"
    early = client.post(start, headers=ann)
    assert early.status_code == 409 and "opens at Mon 02 Nov 2026, 08:00 EST" in early.get_json()["message"]

    clock(app).now = datetime(2026, 11, 2, 14, 55, tzinfo=UTC)
    attempt = client.post(start, headers=ann)
    assert attempt.status_code == 201
    taken = attempt.get_json()
    assert taken["remaining_s"] == 300 and len(taken["questions"]) == 5  # the close time cuts 10 min to 5
    assert client.post(start, headers=ann).get_json()["id"] == taken["id"]  # another tab: the same attempt
    result = client.post(f"/api/v1/quizzes/{taken['id']}/submit", headers=ann).get_json()
    assert result["answers_shown"] is False
    assert all(r["card_id"] and r["correct"] is None and r["right_answer"] is None for r in result["results"])
    refused = client.post(start, headers=ann)
    assert (
        refused.status_code == 409
        and refused.get_json()["message"] == "You have used all 1 attempt at this quiz."
    )

    clock(app).now = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    again = client.post(f"/api/v1/quizzes/{taken['id']}/submit", headers=ann).get_json()
    assert again["answers_shown"] is True and all(r["right_answer"] for r in again["results"])
    listed = client.get("/api/v1/assignments", headers=ann).get_json()["assignments"]
    assert listed[0]["status"] == "closed" and listed[0]["grade"] == 0.0 and listed[0]["attempts_used"] == 1

    csv_body = client.get(f"/api/v1/classes/{room['class_id']}/gradebook.csv", headers=teacher)
    assert csv_body.mimetype == "text/csv"
    assert list(csv.reader(io.StringIO(csv_body.get_data(as_text=True)))) == [
        ["learner", "Gates check (grade %)", "Gates check (attempts)"],
        ["ann", "0.0", "1"],
    ]


def test_own_quiz_results_carry_card_ids_and_answers(client: FlaskClient, room: dict[str, int]) -> None:
    ann = bearer(client, "ann")
    taken = client.post(
        "/api/v1/quizzes", json={"sets": ["gates"], "count": 5, "time_limit_s": 300}, headers=ann
    )
    result = client.post(f"/api/v1/quizzes/{taken.get_json()['id']}/submit", headers=ann).get_json()
    assert result["answers_shown"] is True
    assert all(isinstance(r["card_id"], int) and r["right_answer"] for r in result["results"])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sets": ["nope"]}, "no question set called 'nope'"),
        ({"closes_at": "2026-11-02T14:00"}, "close time must come after"),
        ({"review": "after_close", "closes_at": None}, "needs a close time"),
        ({"card_ids": [123456]}, "not a live question"),
    ],
)
def test_api_refuses_an_assignment_outside_the_rules(
    client: FlaskClient, room: dict[str, int], changes: dict, message: str
) -> None:
    response = client.post(
        f"/api/v1/classes/{room['class_id']}/assignments",
        json={**NEW, **changes},
        headers=bearer(client, "teacher"),
    )
    assert response.status_code == 422 and message in response.get_json()["message"]


def test_api_validates_the_body(client: FlaskClient, room: dict[str, int]) -> None:
    url = f"/api/v1/classes/{room['class_id']}/assignments"
    teacher = bearer(client, "teacher")
    for bad in (
        {**NEW, "count": 1},
        {**NEW, "grading": "median"},
        {**NEW, "attempts": -1},
        {"sets": ["gates"]},
    ):
        assert client.post(url, json=bad, headers=teacher).status_code == 422


def _assignment(app: Flask, class_id: int) -> int:
    with app.app_context():
        row = Assignment(
            class_id=class_id,
            title="Gates",
            sets=["gates"],
            card_ids=[],
            count=5,
            time_limit_s=600,
            attempts=1,
            grading="highest",
            review="immediately",
            created_at=clock(app)(),
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def test_api_access_control(app: Flask, client: FlaskClient, room: dict[str, int]) -> None:
    class_id = room["class_id"]
    assignment_id = _assignment(app, class_id)
    instructor_ops = [
        ("post", f"/api/v1/classes/{class_id}/assignments", NEW),
        ("get", f"/api/v1/classes/{class_id}/gradebook.csv", None),
    ]
    for name in ("other", "ann", "eve"):
        headers = bearer(client, name)
        for method, url, body in instructor_ops:
            response = getattr(client, method)(url, json=body, headers=headers)
            assert response.status_code == 404, (name, url)
    for name in ("other", "eve", "teacher"):  # only the class's learners start its assignments
        response = client.post(f"/api/v1/assignments/{assignment_id}/attempts", headers=bearer(client, name))
        assert response.status_code == 404, name
    assert client.get("/api/v1/assignments", headers=bearer(client, "eve")).get_json() == {"assignments": []}
    visitor = app.test_client()
    for method, url in [
        ("post", f"/api/v1/classes/{class_id}/assignments"),
        ("get", f"/api/v1/classes/{class_id}/gradebook.csv"),
        ("get", "/api/v1/assignments"),
        ("post", f"/api/v1/assignments/{assignment_id}/attempts"),
    ]:
        assert getattr(visitor, method)(url, json={}).status_code == 401, url
    with app.app_context():
        assert db.session.query(QuizAttempt).count() == 0


def _pages(class_id: int, assignment_id: int) -> list[str]:
    base = f"/classes/{class_id}"
    return [
        f"{base}/assignments",
        f"{base}/assignments/new",
        f"{base}/assignments/{assignment_id}/edit",
        f"{base}/assignments/{assignment_id}/overrides",
        f"{base}/gradebook",
        f"{base}/gradebook.csv",
    ]


def test_pages_access_control(app: Flask, room: dict[str, int]) -> None:
    class_id = room["class_id"]
    assignment_id = _assignment(app, class_id)
    for name in ("other", "ann", "eve"):
        client = app.test_client()
        log_in(client, name, PASSWORD)
        for page in _pages(class_id, assignment_id):
            assert client.get(page).status_code == 404, (name, page)
        token = csrf_token(client, "/")
        posts = [
            f"/classes/{class_id}/assignments/new",
            f"/classes/{class_id}/assignments/{assignment_id}/edit",
            f"/classes/{class_id}/assignments/{assignment_id}/delete",
            f"/classes/{class_id}/assignments/{assignment_id}/overrides",
            f"/classes/{class_id}/assignments/{assignment_id}/overrides/{room['ann']}/clear",
        ]
        for url in posts:
            assert client.post(url, data={"csrf_token": token, "sets": "gates"}).status_code == 404, (
                name,
                url,
            )
        if name != "ann":
            assert (
                client.post(f"/assignments/{assignment_id}/start", data={"csrf_token": token}).status_code
                == 404
            )
    visitor = app.test_client()
    for page in _pages(class_id, assignment_id):
        response = visitor.get(page)
        assert response.status_code == 302 and "/login" in response.location
    with app.app_context():
        assignment = db.session.get(Assignment, assignment_id)
        assert assignment is not None and assignment.deleted_at is None and not assignment.overrides


def test_instructor_pages_create_edit_accommodate_and_grade(app: Flask, room: dict[str, int]) -> None:
    class_id = room["class_id"]
    client = app.test_client()
    log_in(client, "teacher", PASSWORD)
    form_url = f"/classes/{class_id}/assignments/new"
    token = csrf_token(client, form_url)
    form = {
        "csrf_token": token,
        "title": '=HYPERLINK("x")',
        "sets": "gates",
        "count": "5",
        "minutes": "10",
        "attempts": "2",
        "opens_at": "2026-11-02T12:30",
        "closes_at": "2026-11-02T12:00",
        "grading": "average",
        "review": "never",
    }
    refused = client.post(form_url, data=form)
    assert refused.status_code == 422 and "close time must come after" in refused.get_data(as_text=True)
    assert 'value="2026-11-02T12:30"' in refused.get_data(as_text=True)  # the form keeps what was typed
    created = client.post(form_url, data={**form, "closes_at": "2026-11-03T18:00"})
    assert created.status_code == 302
    listing = client.get(f"/classes/{class_id}/assignments").get_data(as_text=True)
    assert "Mon 02 Nov 2026, 12:30 CET" in listing and "Tue 03 Nov 2026, 18:00 CET" in listing
    with app.app_context():
        assignment = db.session.query(Assignment).one()
        assert assignment.opens_at == datetime(2026, 11, 2, 11, 30, tzinfo=UTC)
        assignment_id = assignment.id

    edit_url = f"/classes/{class_id}/assignments/{assignment_id}/edit"
    edit_page = client.get(edit_url).get_data(as_text=True)
    assert 'value="2026-11-03T18:00"' in edit_page and 'value="average" selected' in edit_page
    assert (
        client.post(edit_url, data={**form, "closes_at": "2026-11-04T18:00", "title": "Gates"}).status_code
        == 302
    )

    overrides_url = f"/classes/{class_id}/assignments/{assignment_id}/overrides"
    saved = client.post(
        overrides_url, data={"csrf_token": token, "user_id": room["ann"], "minutes": "30", "attempts": "0"}
    )
    assert saved.status_code == 302
    page = client.get(overrides_url).get_data(as_text=True)
    assert "ann" in page and "30 min" in page and "no limit" in page
    bad = client.post(overrides_url, data={"csrf_token": token, "user_id": room["ann"], "minutes": "lots"})
    assert bad.status_code == 422 and "whole number" in bad.get_data(as_text=True)

    learner = app.test_client()
    log_in(learner, "ann", PASSWORD)
    clock(app).now = datetime(2026, 11, 2, 11, 0, tzinfo=UTC)
    home = learner.get("/").get_data(as_text=True)
    assert "Your assigned quizzes" in home and "Opens Mon 02 Nov 2026, 06:30 EST" in home
    clock(app).now = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
    new_quiz = learner.get("/quiz/new").get_data(as_text=True)
    assert "Due Wed 04 Nov 2026, 12:00 EST" in new_quiz and "0 attempts used, no limit" in new_quiz
    started = learner.post(
        f"/assignments/{assignment_id}/start", data={"csrf_token": csrf_token(learner, "/")}
    )
    assert started.status_code == 302 and "/quiz/" in started.location
    attempt_id = int(started.location.rstrip("/").split("/")[-1])
    take = learner.get(started.location).get_data(as_text=True)
    assert "Gates" in take and 'data-remaining="1800"' in take  # the accommodation's 30 minutes
    learner.post(f"/quiz/{attempt_id}/submit", data={"csrf_token": csrf_token(learner, started.location)})
    result = learner.get(f"/quiz/{attempt_id}/result").get_data(as_text=True)
    assert "does not show the right answers" in result and "Right answer:" not in result
    assert "I missed" not in result
    assert learner.get(f"/study?quiz={attempt_id}").status_code == 409

    book = client.get(f"/classes/{class_id}/gradebook").get_data(as_text=True)
    assert "ann" in book and "0%" in book and "1 attempt" in book and "Average of attempts" in book
    clear = client.post(f"{overrides_url}/{room['ann']}/clear", data={"csrf_token": token})
    assert clear.status_code == 302 and "30 min" not in client.get(overrides_url).get_data(as_text=True)
    deleted = client.post(
        f"/classes/{class_id}/assignments/{assignment_id}/delete", data={"csrf_token": token}
    )
    assert deleted.status_code == 302
    assert "Your assigned quizzes" not in learner.get("/").get_data(as_text=True)


def test_gradebook_csv_escapes_formulas(app: Flask, client: FlaskClient, room: dict[str, int]) -> None:
    teacher = bearer(client, "teacher")
    client.post(
        f"/api/v1/classes/{room['class_id']}/assignments", json={**NEW, "title": "=1+2"}, headers=teacher
    )
    log_in(client, "teacher", PASSWORD)
    text = client.get(f"/classes/{room['class_id']}/gradebook.csv").get_data(as_text=True)
    assert text.splitlines()[0] == "learner,'=1+2 (grade %),'=1+2 (attempts)"
    assert text.splitlines()[1] == "ann,,0"


def test_a_learner_refused_at_the_close_sees_why(
    app: Flask, client: FlaskClient, room: dict[str, int]
) -> None:
    teacher = bearer(client, "teacher")
    created = client.post(
        f"/api/v1/classes/{room['class_id']}/assignments", json={**NEW, "opens_at": None}, headers=teacher
    ).get_json()
    clock(app).now = datetime(2026, 11, 2, 15, 0, tzinfo=UTC) + timedelta(seconds=0)
    log_in(client, "ann", PASSWORD)
    refused = client.post(f"/assignments/{created['id']}/start", data={"csrf_token": csrf_token(client, "/")})
    assert refused.status_code == 409
    assert "This quiz closed at Mon 02 Nov 2026, 10:00 EST." in refused.get_data(as_text=True)
