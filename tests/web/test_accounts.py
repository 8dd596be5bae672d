"""Accounts through the test client: forms with CSRF, guests, usernames, tokens, settings, CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services import accounts
from tests.web.helpers import csrf_token, log_in

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def make_user(app: Flask, name: str = "ada", password: str = "correct horse") -> int:
    with app.app_context():
        return accounts.register(name, password, NOW).id


def test_register_logs_in_and_hashes_the_password(app: Flask, client: FlaskClient) -> None:
    token = csrf_token(client, "/register")
    response = client.post(
        "/register",
        data={
            "username": "Ada",
            "password": "correct horse",
            "confirm": "correct horse",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert "Log out" in client.get("/settings").get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalar(select(User).where(User.username == "Ada"))
        assert stored is not None and stored.password_hash is not None
        assert stored.password_hash.startswith("scrypt:") and "correct horse" not in stored.password_hash


def test_register_refuses_a_taken_name_and_a_short_password(app: Flask, client: FlaskClient) -> None:
    make_user(app, "ada")
    token = csrf_token(client, "/register")
    taken = client.post(
        "/register",
        data={"username": "ADA", "password": "long enough", "confirm": "long enough", "csrf_token": token},
    )
    short = client.post(
        "/register", data={"username": "bob", "password": "short", "confirm": "short", "csrf_token": token}
    )
    assert taken.status_code == 422 and "That username is taken" in taken.get_data(as_text=True)
    assert short.status_code == 422 and "at least 8" in short.get_data(as_text=True)


def test_forms_without_a_csrf_token_are_refused(app: Flask, client: FlaskClient) -> None:
    make_user(app)
    response = client.post("/login", data={"username": "ada", "password": "correct horse"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_a_guest_studies_at_once_and_keeps_progress_after_registering(
    app: Flask, client: FlaskClient
) -> None:
    token = csrf_token(client, "/study")
    assert client.post("/guest", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        guest = db.session.scalar(select(User).where(User.is_guest.is_(True)))
        assert guest is not None
        guest_id = guest.id
    token = csrf_token(client, "/register")
    client.post(
        "/register",
        data={"username": "grace", "password": "long enough", "confirm": "long enough", "csrf_token": token},
    )
    with app.app_context():
        user = db.session.get(User, guest_id)
        assert user is not None and user.username == "grace" and not user.is_guest


def test_logout_needs_a_post_with_csrf(app: Flask, client: FlaskClient) -> None:
    make_user(app)
    log_in(client, "ada", "correct horse")
    assert client.get("/logout").status_code == 405
    token = csrf_token(client, "/settings")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/settings").status_code == 302


def test_settings_save_and_warn_above_097(app: Flask, client: FlaskClient) -> None:
    make_user(app)
    log_in(client, "ada", "correct horse")
    token = csrf_token(client, "/settings")
    form = {
        "timezone": "Europe/Berlin",
        "desired_retention": "0.98",
        "maximum_interval_days": "365",
        "new_per_day": "10",
        "reviews_per_day": "100",
        "csrf_token": token,
    }
    assert client.post("/settings", data=form).status_code == 302
    page = client.get("/settings").get_data(as_text=True)
    assert "Retention above 0.97 is costly" in page
    bad = client.post("/settings", data=form | {"desired_retention": "1.5"})
    assert bad.status_code == 422 and "0.70 to 0.99" in bad.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "ada"))
        assert user is not None
        assert (user.timezone, user.desired_retention, user.maximum_interval_days) == (
            "Europe/Berlin",
            0.98,
            365,
        )


def test_api_users_tokens_and_bearer_auth(app: Flask, client: FlaskClient) -> None:
    created = client.post("/api/v1/users", json={"username": "ada", "password": "correct horse"})
    again = client.post("/api/v1/users", json={"username": "ada", "password": "correct horse"})
    invalid = client.post("/api/v1/users", json={"username": "x"})
    token = client.post("/api/v1/tokens", json={"username": "ada", "password": "correct horse"})
    wrong = client.post("/api/v1/tokens", json={"username": "ada", "password": "not it at all"})

    assert created.status_code == 201 and created.get_json()["username"] == "ada"
    assert again.status_code == 409
    assert invalid.status_code == 422 and "password" in invalid.get_json()["errors"]["json"]
    assert token.status_code == 201 and wrong.status_code == 401
    bearer = {"Authorization": f"Bearer {token.get_json()['token']}"}
    assert client.get("/api/v1/study/next").status_code == 401
    assert client.get("/api/v1/study/next", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    assert client.get("/api/v1/study/next", headers=bearer).status_code == 200
    assert client.post("/api/v1/study/undo", headers=bearer).status_code == 404


def test_session_cookie_api_calls_need_the_csrf_header(app: Flask, client: FlaskClient) -> None:
    make_user(app)
    log_in(client, "ada", "correct horse")
    token = csrf_token(client, "/settings")
    assert client.post("/api/v1/study/undo").status_code == 400
    assert client.post("/api/v1/study/undo", headers={"X-CSRFToken": token}).status_code == 404


def test_users_create_command_makes_an_instructor(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["users", "create", "grace", "--instructor", "--password", "long enough"])
    assert result.exit_code == 0 and "grace is ready (instructor)" in result.output
    short = runner.invoke(args=["users", "create", "alan", "--password", "short"])
    assert short.exit_code != 0 and "at least 8" in short.output
    with app.app_context():
        user = accounts.authenticate("grace", "long enough")
        assert user is not None and user.is_instructor


def test_srs_replay_command_prints_due_times(runner: FlaskCliRunner, tmp_path: Path) -> None:
    history = {
        "config": {
            "parameters": [
                0.212,
                1.2931,
                2.3065,
                8.2956,
                6.4133,
                0.8334,
                3.0194,
                0.001,
                1.8722,
                0.1666,
                0.796,
                1.4835,
                0.0614,
                0.2629,
                1.6483,
                0.6014,
                1.8729,
                0.5425,
                0.0912,
                0.0658,
                0.1542,
            ],
            "desired_retention": 0.9,
            "learning_steps_minutes": [1, 10],
            "relearning_steps_minutes": [10],
            "maximum_interval_days": 36500,
            "fuzz": False,
        },
        "histories": [
            {
                "reviews": [
                    {"rating": 3, "at": "2026-11-02T12:00:00Z"},
                    {"rating": 1, "at": "2026-11-02T12:10:00Z"},
                ]
            }
        ],
    }
    path = tmp_path / "history.json"
    path.write_text(json.dumps(history))
    result = runner.invoke(args=["srs", "replay", str(path)])
    assert result.exit_code == 0, result.output
    due = json.loads(result.output)["histories"][0]["due"]
    assert [datetime.fromisoformat(d.replace("Z", "+00:00")) for d in due] == [
        datetime(2026, 11, 2, 12, 10, tzinfo=UTC),
        datetime(2026, 11, 2, 12, 11, tzinfo=UTC),
    ]
    path.write_text('{"config": {}}')
    bad = runner.invoke(args=["srs", "replay", str(path)])
    assert bad.exit_code != 0 and "Error" in bad.output


def test_a_username_with_a_trailing_newline_is_the_same_account(app: Flask, client: FlaskClient) -> None:
    """`bobby\\n` beside `bobby` was a second account: the name check matched up to the newline."""
    first = client.post("/api/v1/users", json={"username": "bobby", "password": "correct horse"})
    twin = client.post("/api/v1/users", json={"username": "bobby\n", "password": "correct horse"})
    wide = client.post("/api/v1/users", json={"username": "ＢＯＢＢＹ", "password": "correct horse"})
    inner = client.post("/api/v1/users", json={"username": "bob\nby", "password": "correct horse"})
    assert first.status_code == 201
    assert twin.status_code == 409 and "taken" in twin.get_json()["message"]
    assert wide.status_code == 409  # full-width letters are the same name after NFKC
    assert inner.status_code == 422 and "A username is 3–32 letters" in inner.get_json()["message"]
    with app.app_context():
        assert db.session.scalars(select(User.username)).all() == ["bobby"]


def test_usernames_are_stored_normalised_and_found_by_any_spelling(app: Flask, client: FlaskClient) -> None:
    created = client.post("/api/v1/users", json={"username": " Ｇrace\n", "password": "correct horse"})
    assert created.status_code == 201 and created.get_json()["username"] == "Grace"
    for spelling in ("grace", "GRACE\n", " ｇｒａｃｅ "):
        token = client.post("/api/v1/tokens", json={"username": spelling, "password": "correct horse"})
        assert token.status_code == 201, spelling
    log_in(client, "grace\n", "correct horse")
    assert "Log out" in client.get("/settings").get_data(as_text=True)
