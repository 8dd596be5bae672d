"""POST /api/v1/study/simulate: the workload of each desired retention, on the caller's own cards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import CardProgress, ReviewLog, User
from app.services import simulate
from app.services.content_sync import sync_content

NOON = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
URL = "/api/v1/study/simulate"


def question_set(count: int) -> str:
    items = "\n".join(f"{i}. Is {i} a number?\n   Answer: True\n   ID: n{i}\n" for i in range(1, count + 1))
    return f'+++\ntitle = "Numbers"\nslug = "numbers"\ndialect = "native"\n+++\n## Review\n{items}'


def review_half(app: Flask, username: str, stability_days: float = 12.0) -> None:
    """Put every other card of the learner in review, as if studied over the last weeks, with logs."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        rows = db.session.scalars(select(CardProgress).where(CardProgress.user_id == user.id)).all()
        for index, row in enumerate(rows[::2]):
            last = NOON - timedelta(days=index % 10)
            row.phase, row.stability, row.difficulty = "review", stability_days + index % 7, 5.0
            row.last_review, row.due, row.reps = last, last + timedelta(days=12), 3
            for step in range(12):  # timed answers: 8 s for Good reviews
                db.session.add(
                    ReviewLog(
                        user_id=user.id, card_id=row.card_id, progress_id=row.id, rating=3,
                        reviewed_at=last - timedelta(days=20 + step), duration_ms=8000,
                        phase_before="review", phase_after="review", state_before={}, state_after={},
                    )
                )  # fmt: skip
        db.session.commit()


@pytest.fixture
def tokens(app: Flask, client: FlaskClient, content_dir: Path) -> dict[str, dict[str, str]]:
    (content_dir / "numbers.md").write_text(question_set(40), encoding="utf-8")
    with app.app_context():
        sync_content(content_dir, datetime.now(UTC))
    app.config["UNROLL_CLOCK"] = lambda: NOON
    headers = {}
    for name in ("ada", "bob"):
        client.post("/api/v1/users", json={"username": name, "password": "correct horse"})
        token = client.post("/api/v1/tokens", json={"username": name, "password": "correct horse"}).get_json()
        headers[name] = {"Authorization": f"Bearer {token['token']}"}
        assert client.get("/api/v1/study/next", headers=headers[name]).status_code == 200  # fills the deck
    review_half(app, "ada")
    return headers


def test_workload_rises_with_retention_on_the_learners_cards(client: FlaskClient, tokens: dict) -> None:
    body = {"desired_retentions": [0.85, 0.95], "days": 365}
    reply = client.post(URL, json=body, headers=tokens["ada"])
    assert reply.status_code == 200, reply.get_json()
    data = reply.get_json()
    low, high = data["results"]
    assert (low["desired_retention"], high["desired_retention"]) == (0.85, 0.95)
    assert high["reviews_per_day"] > low["reviews_per_day"] > 0
    assert high["minutes_per_day"] > low["minutes_per_day"]
    assert 20 < low["memorized"] < high["memorized"] < 40
    assert data["cards"] == 40 and data["new_cards"] == 20
    assert 0.70 <= data["minimum_recommended_retention"] <= 0.95
    again = client.post(URL, json=body, headers=tokens["ada"]).get_json()
    assert again == data  # fixed seeds


def test_each_learner_simulates_only_their_own_cards(client: FlaskClient, tokens: dict) -> None:
    body = {"desired_retentions": [0.9], "days": 30}
    ada = client.post(URL, json=body, headers=tokens["ada"]).get_json()
    bob = client.post(URL, json=body, headers=tokens["bob"]).get_json()
    assert ada["new_cards"] == 20 and bob["new_cards"] == 40  # ada's reviews are not bob's
    card = client.get("/api/v1/study/next", headers=tokens["bob"]).get_json()["card"]["id"]
    client.post(f"/api/v1/study/cards/{card}/suspend", headers=tokens["bob"])
    assert client.post(URL, json=body, headers=tokens["bob"]).get_json()["cards"] == 39
    assert client.post(URL, json=body, headers=tokens["ada"]).get_json()["cards"] == 40


def test_a_visitor_is_401(client: FlaskClient, tokens: dict) -> None:
    reply = client.post(URL, json={"desired_retentions": [0.9]})
    assert reply.status_code == 401 and "Log in" in reply.get_json()["message"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"desired_retentions": []},
        {"desired_retentions": [0.5]},
        {"desired_retentions": [0.995]},
        {"desired_retentions": ["high"]},
        {"desired_retentions": [0.9] * 11},
        {"desired_retentions": [0.9], "days": 0},
        {"desired_retentions": [0.9], "days": 3651},
        {"desired_retentions": 0.9},
    ],
)
def test_bad_input_is_422(client: FlaskClient, tokens: dict, body: dict) -> None:
    reply = client.post(URL, json=body, headers=tokens["ada"])
    assert reply.status_code == 422


def test_too_much_work_is_422_with_a_reason(
    client: FlaskClient, tokens: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(simulate, "WORK_BUDGET", 40 * 3650 * 10 - 1)
    reply = client.post(URL, json={"desired_retentions": [0.9] * 10, "days": 3650}, headers=tokens["ada"])
    assert reply.status_code == 422 and "too much work" in reply.get_json()["message"]


def test_answer_times_come_from_the_log_when_there_are_enough(app: Flask, tokens: dict) -> None:
    with app.app_context():
        ada = db.session.scalar(select(User).where(User.username == "ada"))
        bob = db.session.scalar(select(User).where(User.username == "bob"))
        habits, timed = simulate.habits_of(simulate._answers(ada))
        default, none = simulate.habits_of(simulate._answers(bob))
    assert timed == 240 and none == 0
    assert habits.costs[1][2] == 8.0  # ada's Good reviews take 8 s
    assert habits.costs[1][0] == default.costs[1][0]  # no timed Again reviews: the default stays
    assert habits.review_ratings[1] > default.review_ratings[1]  # she rates Good more than most
