"""The authoring API as clients see it: instructors only, 201/200/409/422 on save, history,
restore and unpublish; a real race of two saves; two app servers on one database."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import BaseWSGIServer, make_server

from app import create_app
from app.extensions import db
from app.services import accounts
from app.services.content_sync import sync_content
from tests.conftest import app_config
from tests.integration.test_content_sync import NATIVE_SET, PAGE_SET
from tests.web.helpers import csrf_token, log_in
from tests.web.test_quiz_integrity import call, together

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse"


@pytest.fixture
def people(app: Flask) -> Flask:
    with app.app_context():
        accounts.register("teach", PASSWORD, T0, role="instructor")
        accounts.register("other", PASSWORD, T0, role="instructor")
        accounts.register("ada", PASSWORD, T0)
    return app


def bearer(client: FlaskClient, name: str) -> dict[str, str]:
    reply = client.post("/api/v1/tokens", json={"username": name, "password": PASSWORD})
    assert reply.status_code == 201, reply.get_json()
    return {"Authorization": f"Bearer {reply.get_json()['token']}"}


def put(
    client: FlaskClient, who: dict[str, str], slug: str, source: str, base: int | None, **extra: Any
) -> Any:
    body = {"source": source, "message": "", "base_revision": base} | extra
    return client.put(f"/api/v1/authoring/sets/{slug}", json=body, headers=who)


ENDPOINTS = [
    ("POST", "/api/v1/authoring/check", {"source": PAGE_SET}),
    ("GET", "/api/v1/authoring/sets", None),
    ("GET", "/api/v1/authoring/sets/gates", None),
    ("PUT", "/api/v1/authoring/sets/gates", {"source": PAGE_SET, "base_revision": None}),
    ("GET", "/api/v1/authoring/sets/gates/revisions", None),
    ("POST", "/api/v1/authoring/sets/gates/restore", {"revision": 1}),
    ("DELETE", "/api/v1/authoring/sets/gates", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_learners_get_403_and_anonymous_clients_401(
    people: Flask, client: FlaskClient, method: str, path: str, body: Any
) -> None:
    learner = bearer(client, "ada")
    assert client.open(path, method=method, json=body, headers=learner).status_code == 403
    anonymous = client.open(path, method=method, json=body)
    assert anonymous.status_code == 401 and anonymous.get_json()["message"]


def test_a_cookie_session_needs_the_csrf_token(people: Flask, client: FlaskClient) -> None:
    log_in(client, "teach", PASSWORD)
    body = {"source": PAGE_SET, "message": "", "base_revision": None}
    assert client.put("/api/v1/authoring/sets/gates", json=body).status_code == 400
    token = csrf_token(client, "/")
    reply = client.put("/api/v1/authoring/sets/gates", json=body, headers={"X-CSRFToken": token})
    assert reply.status_code == 201


def test_check_reports_errors_at_their_lines_and_stores_nothing(people: Flask, client: FlaskClient) -> None:
    teach = bearer(client, "teach")
    broken = NATIVE_SET.replace("   ID: unroll-params\n", "")
    reply = client.post(
        "/api/v1/authoring/check", json={"source": broken, "filename": "unrolling.md"}, headers=teach
    )
    body = reply.get_json()
    assert reply.status_code == 200 and body["path"] == "unrolling.md"
    assert [e["line"] for e in body["errors"]] == [14]
    assert client.get("/api/v1/authoring/sets", headers=teach).get_json() == []


def test_save_publish_typo_fix_conflict_and_errors(people: Flask, client: FlaskClient) -> None:
    teach = bearer(client, "teach")
    created = put(client, teach, "gates", PAGE_SET, None)
    assert created.status_code == 201
    assert created.get_json()["changes"] | {} == created.get_json()["changes"]
    assert {k: created.get_json()["changes"][k] for k in ("added", "changed", "retired", "unchanged")} == {
        "added": 3,
        "changed": 0,
        "retired": 0,
        "unchanged": 0,
    }
    fixed = PAGE_SET.replace("Which gate decides", "Which gate decids")
    typo = put(client, teach, "gates", fixed, 1)
    assert typo.status_code == 200
    assert (typo.get_json()["revision"], typo.get_json()["published"]) == (2, True)
    assert [typo.get_json()["changes"][k] for k in ("added", "changed", "retired")] == [0, 1, 0]
    stale = put(client, teach, "gates", PAGE_SET, 1)
    body = stale.get_json()
    assert stale.status_code == 409 and body["current_revision"] == 2 and body["current_source"] == fixed
    assert ["delete", "2. Which gate decids what the LSTM cell keeps?"] in body["diff"]
    broken = put(client, teach, "gates", "## Review\n1. No answer here?\n", 2)
    assert broken.status_code == 422 and broken.get_json()["errors"][0]["line"] == 2
    shown = client.get("/api/v1/sets/gates").get_json()
    assert "Which gate decids" in " ".join(c["question_html"] for c in shown["review"])
    draft = put(client, teach, "gates", "## Review\n1. No answer here?\n", 2, publish=False)
    assert draft.status_code == 200 and draft.get_json()["published"] is False
    source = client.get("/api/v1/authoring/sets/gates", headers=teach).get_json()
    assert (source["revision"], source["published_revision"], source["published"]) == (3, 2, True)
    assert source["errors"][0]["line"] == 2


def test_limits_give_clear_messages(people: Flask, client: FlaskClient) -> None:
    teach = bearer(client, "teach")
    big = put(client, teach, "gates", "x" * (1024 * 1024 + 1), None)
    assert big.status_code == 422 and "1 MB" in str(big.get_json())
    bad_slug = put(client, teach, "Bad%20Slug", PAGE_SET, None)
    assert bad_slug.status_code == 422 and "cannot name a set" in bad_slug.get_json()["message"]
    assert client.get("/api/v1/authoring/sets/nothing", headers=teach).status_code == 404


def test_history_restore_and_unpublish(people: Flask, client: FlaskClient) -> None:
    teach, other = bearer(client, "teach"), bearer(client, "other")
    put(client, teach, "gates", PAGE_SET, None, message="first")
    put(client, other, "gates", PAGE_SET.replace("Gates", "Gating"), 1, message="retitle")
    history = client.get("/api/v1/authoring/sets/gates/revisions", headers=teach).get_json()
    assert [(r["revision"], r["author"], r["message"], r["published"]) for r in history] == [
        (2, "other", "retitle", True),
        (1, "teach", "first", True),
    ]
    restored = client.post("/api/v1/authoring/sets/gates/restore", json={"revision": 1}, headers=teach)
    assert restored.status_code == 200 and restored.get_json()["revision"] == 3
    assert client.get("/api/v1/sets/gates").get_json()["title"] == "Gates"
    assert (
        client.post("/api/v1/authoring/sets/gates/restore", json={"revision": 9}, headers=teach).status_code
        == 404
    )
    assert client.delete("/api/v1/authoring/sets/gates", headers=teach).status_code == 204
    assert client.get("/api/v1/sets/gates").status_code == 404
    assert [s["published"] for s in client.get("/api/v1/authoring/sets", headers=teach).get_json()] == [False]
    again = put(client, teach, "gates", PAGE_SET, 3)
    assert again.status_code == 200 and again.get_json()["changes"]["added"] == 3
    assert client.get("/api/v1/sets/gates").status_code == 200


def test_the_api_is_in_the_openapi_document(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/api/v1/authoring/sets/{slug}"]) >= {"get", "put", "delete"}
    assert "409" in paths["/api/v1/authoring/sets/{slug}"]["put"]["responses"]


# ----- over HTTP: a race of two saves, two servers on one database ---------------------------------------


def serve(instances: list[Flask]) -> tuple[list[str], list[BaseWSGIServer]]:
    running = []
    for instance in instances:
        server = make_server("127.0.0.1", 0, instance, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        running.append(server)
    return [f"http://127.0.0.1:{s.server_port}" for s in running], running


@pytest.fixture
def two_servers(people: Flask, content_dir: Path) -> Iterator[list[str]]:
    """Two app instances (as two gunicorn hosts) on one database, each reloading content."""
    (content_dir / "unrolling.md").write_text(NATIVE_SET, encoding="utf-8")
    with people.app_context():
        sync_content(content_dir, T0)
    url = people.config["SQLALCHEMY_DATABASE_URI"]
    instances = [create_app(app_config(url, content_dir, UNROLL_CONTENT_RELOAD_SECONDS=1)) for _ in range(2)]
    urls, running = serve(instances)
    try:
        yield urls
    finally:
        for server in running:
            server.shutdown()
            server.server_close()
        for instance in instances:
            with instance.app_context():
                db.engine.dispose()


def http_token(base: str, name: str) -> str:
    status, body = call(base, "POST", "/tokens", body={"username": name, "password": PASSWORD})
    assert status == 201
    return str(body["token"])


def test_two_concurrent_saves_of_one_revision_one_wins_one_gets_409(two_servers: list[str]) -> None:
    base = two_servers[0]
    teach, other = http_token(base, "teach"), http_token(base, "other")
    body = {"source": PAGE_SET, "message": "", "base_revision": None}
    created = together(
        [
            lambda: call(base, "PUT", "/authoring/sets/gates", teach, body),
            lambda: call(two_servers[1], "PUT", "/authoring/sets/gates", other, body),
        ]
    )
    assert sorted(status for status, _ in created) == [201, 409]
    edits = [PAGE_SET.replace("Gates", "Mine"), PAGE_SET.replace("Gates", "Theirs")]
    saved = together(
        [
            lambda: call(
                base, "PUT", "/authoring/sets/gates", teach, body | {"source": edits[0], "base_revision": 1}
            ),
            lambda: call(
                base, "PUT", "/authoring/sets/gates", other, body | {"source": edits[1], "base_revision": 1}
            ),
        ]
    )
    assert sorted(status for status, _ in saved) == [200, 409]
    winner = edits[0] if saved[0][0] == 200 else edits[1]
    loser = saved[1][1] if saved[0][0] == 200 else saved[0][1]
    assert loser["current_revision"] == 2 and loser["current_source"] == winner
    status, history = call(base, "GET", "/authoring/sets/gates/revisions", teach)
    assert status == 200 and [r["revision"] for r in history] == [2, 1]


def eventually(check: Any, seconds: float = 10.0) -> Any:
    """Poll until `check` returns something true (the content reload interval is 1 s here)."""
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_a_publish_on_one_server_is_served_by_the_other(two_servers: list[str], content_dir: Path) -> None:
    one, two = two_servers
    teach = http_token(one, "teach")
    status, _ = call(one, "PUT", "/authoring/sets/gates", teach, {"source": PAGE_SET, "base_revision": None})
    assert status == 201
    assert eventually(lambda: call(two, "GET", "/sets/gates")[0] == 200)
    edited = NATIVE_SET.replace("Does unrolling add parameters?", "Does unrolling add any parameters?")
    status, saved = call(
        one, "PUT", "/authoring/sets/unrolling", teach, {"source": edited, "base_revision": 1}
    )
    assert status == 200 and saved["changes"]["changed"] == 1

    def served_edit() -> bool:
        status, shown = call(two, "GET", "/sets/unrolling")
        return status == 200 and "any parameters" in str(shown["review"])

    assert eventually(served_edit)
    file = content_dir / "unrolling.md"
    file.write_bytes(file.read_bytes())  # a new modification time, the same bytes: both servers sync
    time.sleep(1.5)  # past the reload interval
    assert call(one, "GET", "/sets")[0] == call(two, "GET", "/sets")[0] == 200  # requests trigger the reload
    time.sleep(1.0)
    assert served_edit()  # the file did not change, so the web edit stays
    file.write_text(NATIVE_SET.replace("Does unrolling add parameters?", "Does unrolling add weights?"))

    def served_file() -> bool:
        status, shown = call(two, "GET", "/sets/unrolling")
        return status == 200 and "add weights" in str(shown["review"])

    assert eventually(served_file)  # the file moved on: its version is served, the web's kept in history
    status, history = call(one, "GET", "/authoring/sets/unrolling/revisions", teach)
    assert [(r["revision"], r["author"]) for r in history] == [(3, "files"), (2, "teach"), (1, "files")]
    assert call(one, "DELETE", "/authoring/sets/gates", teach)[0] == 204
    assert eventually(lambda: call(two, "GET", "/sets/gates")[0] == 404)
