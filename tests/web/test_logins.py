"""Login sessions and API tokens end when they should: log-out, password change or reset, expiry,
revocation at /settings and through the API; CSRF is renewed at each log-in."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app.services import accounts
from tests.web.helpers import csrf_token, log_in

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse"


class Clock:
    """The server's clock (UNROLL_CLOCK), moved by hand."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(app: Flask) -> Clock:
    app.config["UNROLL_CLOCK"] = clock = Clock()
    return clock


def make_user(app: Flask, name: str = "ada") -> None:
    with app.app_context():
        accounts.register(name, PASSWORD, NOW)


def browser(app: Flask, name: str = "ada", agent: str = "Firefox/140") -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = agent
    log_in(client, name, PASSWORD)
    return client


def copy_of(app: Flask, client: FlaskClient, *cookies: str) -> FlaskClient:
    """Another client holding copies of some of this client's cookies (as a thief would)."""
    thief = app.test_client()
    for name in cookies:
        cookie = client.get_cookie(name)
        assert cookie is not None, name
        thief.set_cookie(name, cookie.value)
    return thief


def bearer(client: FlaskClient, name: str = "ada", password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/tokens", json={"username": name, "password": password})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def opens_settings(client: FlaskClient) -> bool:
    return client.get("/settings").status_code == 200


def test_log_out_ends_the_session_so_copied_cookies_open_nothing(app: Flask) -> None:
    make_user(app)
    client = browser(app)
    by_session, by_remember = copy_of(app, client, "session"), copy_of(app, client, "remember_token")
    assert opens_settings(by_session) and opens_settings(by_remember)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/settings")})
    assert not opens_settings(client)
    assert not opens_settings(by_session)
    assert not opens_settings(by_remember)


def test_changing_the_password_ends_every_other_session_and_token(app: Flask) -> None:
    make_user(app)
    here, elsewhere = browser(app), browser(app, agent="Chrome/140")
    token = bearer(app.test_client())
    form = {"current": "not my password", "password": "battery staple", "confirm": "battery staple"}
    wrong = here.post("/settings/password", data=form | {"csrf_token": csrf_token(here, "/settings")})
    assert wrong.status_code == 422 and "That is not your current password" in wrong.get_data(as_text=True)
    assert opens_settings(elsewhere)

    changed = here.post(
        "/settings/password", data=form | {"current": PASSWORD, "csrf_token": csrf_token(here, "/settings")}
    )
    assert changed.status_code == 302
    assert "Password changed" in here.get("/settings").get_data(as_text=True)
    assert opens_settings(here)  # the browser that changed it goes on, in a new session
    assert not opens_settings(elsewhere)
    assert here.get("/api/v1/study/next", headers=token).status_code == 401
    with app.app_context():
        assert accounts.authenticate("ada", PASSWORD) is None
        assert accounts.authenticate("ada", "battery staple") is not None


def test_a_reset_with_users_create_ends_every_session_and_token(app: Flask, runner: FlaskCliRunner) -> None:
    make_user(app)
    client = browser(app)
    token = bearer(app.test_client())
    result = runner.invoke(args=["users", "create", "ada", "--password", "battery staple"])
    assert result.exit_code == 0 and "ada is ready" in result.output
    assert not opens_settings(client)
    assert client.get("/api/v1/study/next", headers=token).status_code == 401


def test_settings_list_the_sessions_and_tokens_and_end_each(app: Flask) -> None:
    make_user(app)
    here, elsewhere = browser(app), browser(app, agent="Chrome/140 on a library computer")
    app.test_client().post(
        "/api/v1/tokens",
        json={"username": "ada", "password": PASSWORD},
        headers={"User-Agent": "python-requests/2.32"},
    )
    page = here.get("/settings").get_data(as_text=True)
    assert "Firefox/140" in page and "Chrome/140 on a library computer" in page and "this browser" in page
    assert "python-requests/2.32" in page

    end = re.search(r'action="(/settings/sessions/\d+/end)"', page)
    assert end is not None
    assert here.post(end.group(1), data={"csrf_token": csrf_token(here, "/settings")}).status_code == 302
    assert not opens_settings(elsewhere) and opens_settings(here)

    revoke = re.search(r'action="(/settings/tokens/\d+/revoke)"', page)
    assert revoke is not None
    here.post(revoke.group(1), data={"csrf_token": csrf_token(here, "/settings")})
    assert "python-requests/2.32" not in here.get("/settings").get_data(as_text=True)


def test_tokens_expire_after_the_configured_days(app: Flask, client: FlaskClient, clock: Clock) -> None:
    app.config["UNROLL_TOKEN_DAYS"] = 2
    make_user(app)
    issued = client.post("/api/v1/tokens", json={"username": "ada", "password": PASSWORD}).get_json()
    assert datetime.fromisoformat(issued["expires_at"]) == NOW + timedelta(days=2)
    headers = {"Authorization": f"Bearer {issued['token']}"}
    clock.advance(days=2, seconds=-1)
    assert client.get("/api/v1/study/next", headers=headers).status_code == 200
    clock.advance(seconds=1)
    assert client.get("/api/v1/study/next", headers=headers).status_code == 401


def test_last_used_is_written_at_most_once_a_minute(app: Flask, client: FlaskClient, clock: Clock) -> None:
    make_user(app)
    headers = bearer(client)

    def last_used() -> datetime | None:
        [token] = client.get("/api/v1/tokens", headers=headers).get_json()
        return datetime.fromisoformat(token["last_used_at"]) if token["last_used_at"] else None

    assert last_used() == NOW  # the listing itself is a use
    clock.advance(seconds=59)
    assert last_used() == NOW
    clock.advance(seconds=1)
    assert last_used() == NOW + timedelta(seconds=60)


def test_an_api_client_revokes_its_own_token(app: Flask, client: FlaskClient) -> None:
    make_user(app)
    headers, other = bearer(client), bearer(client)
    assert client.delete("/api/v1/tokens/current", headers=headers).status_code == 204
    assert client.get("/api/v1/study/next", headers=headers).status_code == 401
    assert client.get("/api/v1/study/next", headers=other).status_code == 200
    assert client.delete("/api/v1/tokens/current", headers=headers).status_code == 401


def test_tokens_are_listed_and_revoked_by_id_only_by_their_owner(app: Flask, client: FlaskClient) -> None:
    make_user(app, "ada")
    make_user(app, "bob")
    ada, ada_other, bob = bearer(client, "ada"), bearer(client, "ada"), bearer(client, "bob")
    listed = client.get("/api/v1/tokens", headers=ada).get_json()
    assert len(listed) == 2 and [t["current"] for t in listed] == [False, True]
    other_id = listed[0]["id"]
    assert client.delete(f"/api/v1/tokens/{other_id}", headers=bob).status_code == 404
    assert client.get("/api/v1/study/next", headers=ada_other).status_code == 200
    assert client.delete(f"/api/v1/tokens/{other_id}", headers=ada).status_code == 204
    assert client.get("/api/v1/study/next", headers=ada_other).status_code == 401
    assert [t["current"] for t in client.get("/api/v1/tokens", headers=ada).get_json()] == [True]


def test_the_token_endpoints_are_in_the_openapi_document(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/tokens"])
    assert "delete" in paths["/api/v1/tokens/current"] and "delete" in paths["/api/v1/tokens/{token_id}"]
    assert "429" in paths["/api/v1/tokens"]["post"]["responses"]
    assert "expires_at" in document["components"]["schemas"]["Token"]["properties"]


# CSRF -------------------------------------------------------------------------------------------------------


def test_an_invalid_bearer_header_does_not_let_a_cookie_skip_csrf(app: Flask) -> None:
    make_user(app)
    client = browser(app)
    forged = client.post("/api/v1/study/undo", headers={"Authorization": "Bearer forged"})
    assert forged.status_code == 400 and "CSRF" in forged.get_json()["message"]


def test_a_valid_bearer_token_alone_decides_who_asks(app: Flask) -> None:
    make_user(app, "ada")
    make_user(app, "bob")
    client = browser(app, "ada")
    bob = bearer(app.test_client(), "bob")
    assert client.post("/api/v1/study/undo", headers=bob).status_code == 404  # no CSRF needed
    [token] = client.get("/api/v1/tokens", headers=bob).get_json()
    assert token["current"]  # bob's list, not ada's (who has no token)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("predict", {"text": "the hidden state"}),
        ("gradients", {"text": "the hidden state"}),
        ("generate", {"text": "the"}),
        ("steps", {"text": "the hidden"}),
    ],
)
def test_a_plain_http_client_calls_the_demo_api_without_cookie_or_token(
    client: FlaskClient, path: str, body: dict[str, object]
) -> None:
    response = client.post(f"/api/v1/rnn/{path}", json=body)
    assert response.status_code == 200, response.get_json()


def test_a_plain_http_client_reaches_job_creation(client: FlaskClient) -> None:
    response = client.post("/api/v1/rnn/jobs", json={"cell": "transformer", "steps": 10})
    message = response.get_json()["message"]
    assert response.status_code == 400 and "cell" in message and "CSRF" not in message


def test_a_logged_in_page_script_still_needs_its_csrf_token_for_the_demo(app: Flask) -> None:
    make_user(app)
    client = browser(app)
    refused = client.post("/api/v1/rnn/predict", json={"text": "the"})
    assert refused.status_code == 400 and "CSRF" in refused.get_json()["message"]
    headers = {"X-CSRFToken": csrf_token(client, "/demo")}
    assert client.post("/api/v1/rnn/predict", json={"text": "the"}, headers=headers).status_code == 200


@pytest.mark.parametrize("start", ["log in", "register", "guest"])
def test_the_csrf_token_is_renewed_when_a_login_starts(app: Flask, client: FlaskClient, start: str) -> None:
    make_user(app)
    before = csrf_token(client, "/login")
    starts: dict[str, Callable[[], object]] = {
        "log in": lambda: log_in(client, "ada", PASSWORD),
        "register": lambda: client.post(
            "/register",
            data={"username": "grace", "password": PASSWORD, "confirm": PASSWORD, "csrf_token": before},
        ),
        "guest": lambda: client.post("/guest", data={"csrf_token": before}),
    }
    starts[start]()
    assert opens_settings(client)
    stale = client.post("/api/v1/study/undo", headers={"X-CSRFToken": before})
    assert stale.status_code == 400 and "CSRF" in stale.get_json()["message"]
    fresh = client.post("/api/v1/study/undo", headers={"X-CSRFToken": csrf_token(client, "/settings")})
    assert fresh.status_code == 404  # nothing to undo: the token was accepted
