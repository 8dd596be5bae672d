"""Quiz integrity as clients see it: two app servers on one database racing a submit against study
answers and parallel starts of a fixed quiz, and no answer through the study flow while a card is a
question of an open attempt."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.serving import BaseWSGIServer, make_server

from app import create_app
from app.extensions import db
from app.models import Card, CardProgress, QuizQuestion, ReviewLog
from app.services.content_sync import sync_content
from tests.conftest import app_config
from tests.integration.test_quiz import SET
from tests.web.helpers import csrf_token, log_in

NOON = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
BPTT = "Backpropagation through time"


class Clock:
    def __init__(self) -> None:
        self.now = NOON

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Servers:
    """Two app instances (two create_app, as two gunicorn hosts would be) on one database."""

    urls: tuple[str, str]
    app: Flask


@pytest.fixture
def servers(app: Flask, content_dir: Path) -> Iterator[Servers]:
    (content_dir / "gates.md").write_text(SET, encoding="utf-8")
    with app.app_context():
        sync_content(content_dir, NOON)
    other = create_app(app_config(app.config["SQLALCHEMY_DATABASE_URI"], content_dir))
    running: list[BaseWSGIServer] = []
    for instance in (app, other):
        instance.config["UNROLL_CLOCK"] = lambda: NOON
        server = make_server("127.0.0.1", 0, instance, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        running.append(server)
    try:
        yield Servers(tuple(f"http://127.0.0.1:{s.server_port}" for s in running), app)  # type: ignore[arg-type]
    finally:
        for server in running:
            server.shutdown()
            server.server_close()
        with other.app_context():
            db.engine.dispose()


def call(base: str, method: str, path: str, token: str | None = None, body: Any = None) -> tuple[int, Any]:
    """One JSON request over HTTP; the status and the decoded body."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + "/api/v1" + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def token_for(base: str, name: str) -> str:
    assert call(base, "POST", "/users", body={"username": name, "password": "correct horse"})[0] == 201
    status, body = call(base, "POST", "/tokens", body={"username": name, "password": "correct horse"})
    assert status == 201
    return str(body["token"])


def any_answer(question: dict[str, Any]) -> Any:
    return {
        "choice": question["options"][0]["id"] if question["options"] else None,
        "true-false": "true",
        "cloze": ["cell state"],
        "short": "bptt",
    }[question["type"]]


def together(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in parallel threads released at once; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def work(index: int) -> None:
        barrier.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return results


def quiz_logs(app: Flask) -> Counter[int]:
    with app.app_context():
        counted = Counter(db.session.scalars(select(ReviewLog.card_id).where(ReviewLog.source == "quiz")))
        db.session.remove()
    return counted


def asked_cards(app: Flask, attempt_id: int) -> list[int]:
    with app.app_context():
        cards = list(
            db.session.scalars(select(QuizQuestion.card_id).where(QuizQuestion.attempt_id == attempt_id))
        )
        db.session.remove()
    return cards


def version_of(app: Flask, card: int) -> int:
    with app.app_context():
        found = db.session.scalar(select(CardProgress.version).where(CardProgress.card_id == card))
        db.session.remove()
    assert found is not None
    return found


def study_tab(base: str, token: str, app: Flask, card: int, until: threading.Event) -> list[int]:
    """Another tab answering one card again and again, with the version it currently has, until the
    quiz is submitted; the statuses it got."""
    statuses = []
    while not until.is_set() and len(statuses) < 200:
        body = {"rating": 3, "version": version_of(app, card)}
        statuses.append(call(base, "POST", f"/study/cards/{card}/answer", token, body)[0])
    return statuses


def submit_then_signal(base: str, token: str, attempt_id: int, done: threading.Event) -> list[int]:
    try:
        return [call(base, "POST", f"/quizzes/{attempt_id}/submit", token)[0]]
    finally:
        done.set()


def test_submit_on_one_server_racing_study_answers_on_another_grades_each_answer_once(
    servers: Servers,
) -> None:
    one, two = servers.urls
    token = token_for(one, "ada")
    assert call(two, "GET", "/study/next", token)[0] == 200  # fills the learner's deck
    for round_ in range(3):
        status, attempt = call(one, "POST", "/quizzes", token, {"sets": ["gates"], "count": 8})
        assert status == 201
        for question in attempt["questions"]:
            path = f"/quizzes/{attempt['id']}/answers/{question['id']}"
            assert call(one, "PUT", path, token, {"answer": any_answer(question)})[0] == 200
        cards = asked_cards(servers.app, attempt["id"])
        before = quiz_logs(servers.app)
        done = threading.Event()
        submit = partial(submit_then_signal, one, token, attempt["id"], done)
        again = partial(submit_then_signal, two, token, attempt["id"], threading.Event())
        tabs = [partial(study_tab, two, token, servers.app, card, done) for card in cards]
        submits, second, *answers = together([submit, again, *tabs])
        assert submits == second == [200], f"round {round_}: submits {submits}, {second}"
        assert all(status in (200, 409) for tab in answers for status in tab), f"round {round_}: {answers}"
        assert quiz_logs(servers.app) - before == Counter(cards), f"round {round_}"


def test_parallel_starts_of_a_fixed_quiz_on_two_servers_give_one_attempt_and_409s(
    servers: Servers,
) -> None:
    one, two = servers.urls
    token = token_for(one, "ada")
    starts = [partial(call, (one, two)[i % 2], "POST", "/sets/gates/quiz", token) for i in range(6)]
    results = together(starts)
    statuses = sorted(status for status, _ in results)
    assert statuses == [201, 409, 409, 409, 409, 409]
    refused = [body for status, body in results if status == 409]
    assert all(body["message"] == "You have used all 1 attempts at this quiz." for body in refused)


OTHER = """+++
title = "Cells"
slug = "cells"
dialect = "native"
+++
## Review
1. Which cell has three gates?
   Answer: LSTM
   ID: three-gates
"""


@pytest.fixture
def clock(app: Flask, content_dir: Path) -> Clock:
    """Two sets: a quiz on "gates" asks all its cards; "cells" stays studyable meanwhile."""
    (content_dir / "gates.md").write_text(SET, encoding="utf-8")
    (content_dir / "cells.md").write_text(OTHER, encoding="utf-8")
    with app.app_context():
        sync_content(content_dir, NOON)
    ticking = Clock()
    app.config["UNROLL_CLOCK"] = ticking
    return ticking


def bearer(client: FlaskClient, name: str) -> dict[str, str]:
    client.post("/api/v1/users", json={"username": name, "password": "correct horse"})
    token = client.post("/api/v1/tokens", json={"username": name, "password": "correct horse"})
    return {"Authorization": f"Bearer {token.get_json()['token']}"}


def card_id(app: Flask, key: str) -> int:
    with app.app_context():
        found = db.session.scalar(select(Card.id).where(Card.key == key))
    assert found is not None
    return found


def study_logs(app: Flask, card: int) -> int:
    with app.app_context():
        return len(db.session.scalars(select(ReviewLog.id).where(ReviewLog.card_id == card)).all())


def test_the_study_api_gives_no_answer_of_a_card_in_an_open_quiz(
    app: Flask, client: FlaskClient, clock: Clock
) -> None:
    ada = bearer(client, "ada")
    attempt = client.post(
        "/api/v1/quizzes", json={"sets": ["gates"], "count": 8, "time_limit_s": 300}, headers=ada
    ).get_json()
    bptt = card_id(app, "bptt-name")

    checked = client.post(f"/api/v1/study/cards/{bptt}/check", json={"response": "bptt"}, headers=ada)
    assert checked.status_code == 409
    assert "open quiz" in checked.get_json()["message"] and BPTT not in checked.get_data(as_text=True)

    shown = client.get(f"/api/v1/study/next?card={bptt}", headers=ada)
    assert shown.status_code == 200 and shown.get_json()["card"]["set"]["slug"] == "cells"
    assert BPTT not in shown.get_data(as_text=True)
    assert client.get("/api/v1/study/next?set=gates", headers=ada).get_json()["card"] is None

    graded = client.post(f"/api/v1/study/cards/{bptt}/answer", json={"rating": 3, "version": 0}, headers=ada)
    assert graded.status_code == 409 and "open quiz" in graded.get_json()["message"]
    assert study_logs(app, bptt) == 0

    clock.now += timedelta(seconds=30)
    assert client.post(f"/api/v1/quizzes/{attempt['id']}/submit", headers=ada).status_code == 200
    after = client.post(f"/api/v1/study/cards/{bptt}/check", json={"response": "bptt"}, headers=ada)
    assert after.status_code == 200 and BPTT in after.get_json()["back_html"]


def test_an_attempt_past_its_deadline_and_grace_holds_no_card(
    app: Flask, client: FlaskClient, clock: Clock
) -> None:
    ada = bearer(client, "ada")
    client.post("/api/v1/quizzes", json={"sets": ["gates"], "count": 8, "time_limit_s": 60}, headers=ada)
    bptt = card_id(app, "bptt-name")
    url = f"/api/v1/study/cards/{bptt}/check"
    clock.now += timedelta(seconds=64)  # within the grace period: still open
    assert client.post(url, json={"response": "bptt"}, headers=ada).status_code == 409
    clock.now += timedelta(seconds=2)
    assert client.post(url, json={"response": "bptt"}, headers=ada).status_code == 200


def test_the_study_pages_give_no_answer_of_a_card_in_an_open_quiz(
    app: Flask, client: FlaskClient, clock: Clock
) -> None:
    client.post("/api/v1/users", json={"username": "ada", "password": "correct horse"})
    log_in(client, "ada", "correct horse")
    started = client.post(
        "/quiz/new",
        data={
            "mode": "sets",
            "sets": "gates",
            "count": 8,
            "minutes": 10,
            "csrf_token": csrf_token(client, "/quiz/new"),
        },
    )
    assert started.status_code == 302
    attempt_url = started.headers["Location"]
    bptt = card_id(app, "bptt-name")

    revealed = client.get(f"/study?show={bptt}").get_data(as_text=True)
    assert BPTT not in revealed and "open quiz" in revealed

    token = csrf_token(client, "/study")
    checked = client.post(
        "/study/check", data={"card_id": bptt, "response": "bptt", "csrf_token": token}, follow_redirects=True
    )
    assert checked.status_code == 200
    assert "open quiz" in checked.get_data(as_text=True) and BPTT not in checked.get_data(as_text=True)

    graded = client.post(
        "/study/answer",
        data={"card_id": bptt, "rating": 3, "version": 0, "csrf_token": token},
        follow_redirects=True,
    )
    assert "open quiz" in graded.get_data(as_text=True) and study_logs(app, bptt) == 0

    submitted = client.post(f"{attempt_url}/submit", data={"csrf_token": token})
    assert submitted.status_code == 302
    assert BPTT in client.get(f"/study?show={bptt}").get_data(as_text=True)


def test_parallel_starts_of_a_fixed_quiz_from_the_page_give_one_attempt_and_a_message(
    app: Flask, clock: Clock
) -> None:
    tabs = [app.test_client() for _ in range(4)]
    tabs[0].post("/api/v1/users", json={"username": "ada", "password": "correct horse"})
    tokens = []
    for tab in tabs:
        log_in(tab, "ada", "correct horse")
        tokens.append(csrf_token(tab, "/sets/gates"))
    starts = [
        partial(tab.post, "/sets/gates/quiz", data={"csrf_token": token})
        for tab, token in zip(tabs, tokens, strict=True)
    ]
    places = [response.headers["Location"] for response in together(starts)]
    assert sum(place.startswith("/quiz/") for place in places) == 1
    refused = [tab for tab, place in zip(tabs, places, strict=True) if place == "/sets/gates"]
    assert len(refused) == 3
    for tab in refused:
        assert "You have used all 1 attempts at this quiz." in tab.get("/sets/gates").get_data(as_text=True)


def test_the_fixed_quiz_api_says_which_sets_have_no_quiz(client: FlaskClient, clock: Clock) -> None:
    ada = bearer(client, "ada")
    missing = client.post("/api/v1/sets/nope/quiz", headers=ada)
    assert missing.status_code == 404 and "no question set called 'nope'" in missing.get_json()["message"]
    plain = client.post("/api/v1/sets/cells/quiz", headers=ada)
    assert plain.status_code == 422 and "no quiz of its own" in plain.get_json()["message"]
