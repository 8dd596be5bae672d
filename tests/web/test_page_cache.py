"""Set pages and the index are rendered once per content version: a repeat visit is a 304, every
change of content shows at once (also on a second server on the same database), and the per-user
parts of a page are never shared between users."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db
from app.services import accounts, assignments, classes
from app.services.content_sync import sync_content
from tests.conftest import app_config
from tests.web.helpers import csrf_token, log_in
from tests.web.test_query_budget import counted

PASSWORD = "correct horse"
SET = """+++
title = "Gates"
slug = "gates"
dialect = "native"
+++
## Explain
A gate is a {word} between 0 and 1.

## Review
1. Which activation produces gate values?
   - [x] sigmoid
   - [ ] tanh
   ID: gate-act
"""


def write_set(content_dir: Path, word: str) -> None:
    (content_dir / "gates.md").write_text(SET.replace("{word}", word), encoding="utf-8")


@pytest.fixture
def site(app: Flask, content_dir: Path) -> Flask:
    write_set(content_dir, "number")
    with app.app_context():
        sync_content(content_dir, datetime.now(UTC))
        accounts.register("ada", PASSWORD, datetime.now(UTC))
        accounts.register("teach", PASSWORD, datetime.now(UTC), role="instructor")
    return app


def test_a_repeat_visit_is_a_304_until_the_content_changes(
    site: Flask, client: FlaskClient, content_dir: Path
) -> None:
    first = client.get("/sets/gates")
    assert first.status_code == 200 and "a number between 0 and 1" in first.get_data(as_text=True)
    assert first.headers["Cache-Control"] == "private, no-cache"
    etag = first.headers["ETag"]
    again = client.get("/sets/gates", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""

    write_set(content_dir, "fraction")
    with site.app_context():
        sync_content(content_dir, datetime.now(UTC))
    changed = client.get("/sets/gates", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "a fraction between 0 and 1" in changed.get_data(as_text=True)
    assert changed.headers["ETag"] != etag


def test_the_index_is_a_304_on_a_repeat_visit_and_lists_a_new_set_at_once(
    site: Flask, client: FlaskClient, content_dir: Path
) -> None:
    etag = client.get("/").headers["ETag"]
    assert client.get("/", headers={"If-None-Match": etag}).status_code == 304
    (content_dir / "more.md").write_text(
        SET.replace("gates", "more").replace("Gates", "More gates"), encoding="utf-8"
    )
    with site.app_context():
        sync_content(content_dir, datetime.now(UTC))
    fresh = client.get("/", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and "More gates" in fresh.get_data(as_text=True)


def test_a_warm_page_costs_one_statement_for_a_visitor(site: Flask, client: FlaskClient) -> None:
    client.get("/sets/gates")
    with counted(site) as statements:
        assert client.get("/sets/gates").status_code == 200
    assert len(statements) == 1, statements  # the content version; the body comes from the cache


def test_per_user_parts_are_never_shared(site: Flask) -> None:
    visitor, learner, teacher = site.test_client(), site.test_client(), site.test_client()
    log_in(learner, "ada", PASSWORD)
    log_in(teacher, "teach", PASSWORD)
    pages = {
        name: c.get("/sets/gates") for name, c in (("visitor", visitor), ("ada", learner), ("teach", teacher))
    }
    assert "Edit this set" in pages["teach"].get_data(as_text=True)
    assert "Edit this set" not in pages["ada"].get_data(as_text=True)
    assert "Log in" in pages["visitor"].get_data(as_text=True)
    assert len({p.headers["ETag"] for p in pages.values()}) == 3
    # another user's validator never turns into a 304 of someone else's page
    assert (
        learner.get("/sets/gates", headers={"If-None-Match": pages["teach"].headers["ETag"]}).status_code
        == 200
    )


def test_logging_in_or_a_message_to_show_gives_a_fresh_page(site: Flask, client: FlaskClient) -> None:
    etag = client.get("/sets/gates").headers["ETag"]
    log_in(client, "ada", PASSWORD)  # the login page flashes nothing, but the user changes
    after = client.get("/sets/gates", headers={"If-None-Match": etag})
    assert after.status_code == 200 and "Log out" in after.get_data(as_text=True)
    token = csrf_token(client, "/sets/gates")
    # a set without a quiz of its own: starting one flashes a message, shown on the set page
    client.post("/sets/gates/quiz", data={"csrf_token": token})
    shown = client.get("/sets/gates", headers={"If-None-Match": after.headers["ETag"]})
    assert shown.status_code == 200 and "no quiz of its own" in shown.get_data(as_text=True)


def test_an_unknown_set_is_still_a_404(site: Flask, client: FlaskClient) -> None:
    assert client.get("/sets/nope").status_code == 404
    assert client.get("/sets/nope").status_code == 404


def test_a_change_made_on_another_server_shows_at_once(site: Flask, content_dir: Path) -> None:
    """Two app processes on one database: the second publishes, the first must not serve its cache."""
    url = str(site.config["SQLALCHEMY_DATABASE_URI"])
    other = create_app(app_config(url, content_dir))
    first, second = site.test_client(), other.test_client()
    assert "a number between" in first.get("/sets/gates").get_data(as_text=True)
    assert "a number between" in second.get("/sets/gates").get_data(as_text=True)
    write_set(content_dir, "valve")
    with other.app_context():
        sync_content(content_dir, datetime.now(UTC))
    assert "a valve between" in first.get("/sets/gates").get_data(as_text=True)
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_learners_index_shows_a_new_assignment_at_once(site: Flask) -> None:
    """The index lists the learner's assigned quizzes: those pages are never answered with a 304."""
    learner = site.test_client()
    log_in(learner, "ada", PASSWORD)
    with site.app_context():
        teacher = accounts.find_user("teach")
        ada = accounts.find_user("ada")
        assert teacher is not None and ada is not None
        room = classes.create_class(teacher, "Period 1", datetime.now(UTC))
        classes.join(ada, room.join_code, datetime.now(UTC))
    etag = learner.get("/").headers["ETag"]  # in a class, but nothing assigned yet: reusable
    assert learner.get("/", headers={"If-None-Match": etag}).status_code == 304
    with site.app_context():
        room = classes.taught_by(accounts.find_user("teach"))[0]  # type: ignore[arg-type]
        spec = assignments.AssignmentSpec(sets=["gates"], count=5, time_limit_s=600, title="Gate check")
        assignments.create_assignment(room, accounts.find_user("teach"), spec, datetime.now(UTC))  # type: ignore[arg-type]
    fresh = learner.get("/", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and "Gate check" in fresh.get_data(as_text=True)
    assert "ETag" not in fresh.headers
