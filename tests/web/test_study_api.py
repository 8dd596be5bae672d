"""The study API with two learners' bearer tokens: each call reads and changes only the caller's data."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.services.content_sync import sync_content

SET = """+++
title = "Gates"
slug = "gates"
dialect = "native"
+++
## Review
1. Which activation produces gate values?
   - [x] sigmoid
   - [ ] tanh — its range is (−1, 1).
   ID: gate-act

2. A GRU has a forget gate.
   Answer: False
   Explanation: It has update and reset gates.
   ID: gru-forget

3. Name the gradient algorithm for RNNs.
   Answer: Backpropagation through time
   Accept: BPTT
   ID: bptt-name

4. An LSTM adds to its {{c1::cell state}}.
   ID: lstm-add
"""


@pytest.fixture
def tokens(app: Flask, client: FlaskClient, content_dir: Path) -> dict[str, dict[str, str]]:
    (content_dir / "gates.md").write_text(SET, encoding="utf-8")
    with app.app_context():
        sync_content(content_dir, datetime.now(UTC))
    noon = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)  # far from the 4 am day boundary
    app.config["UNROLL_CLOCK"] = lambda: noon
    headers = {}
    for name in ("ada", "bob"):
        client.post("/api/v1/users", json={"username": name, "password": "correct horse"})
        token = client.post("/api/v1/tokens", json={"username": name, "password": "correct horse"}).get_json()
        headers[name] = {"Authorization": f"Bearer {token['token']}"}
    return headers


def next_card(client: FlaskClient, headers: dict[str, str]) -> dict:
    response = client.get("/api/v1/study/next", headers=headers)
    assert response.status_code == 200
    return response.get_json()


def test_next_card_shape_and_typed_checks(client: FlaskClient, tokens: dict) -> None:
    ada = tokens["ada"]
    data = next_card(client, ada)
    card = data["card"]
    assert card["type"] == "choice" and card["set"] == {"slug": "gates", "title": "Gates"}
    written = {o["index"]: o["html"] for o in card["options"]}
    assert written == {0: "sigmoid", 1: "tanh"}  # shown in a shuffled order, named by written number
    assert next_card(client, ada)["card"]["options"] == card["options"]  # the same order on a reload
    assert "correct" not in card["options"][0]
    assert set(data["intervals"]) == {"1", "2", "3", "4"}
    assert data["intervals"]["1"] < data["intervals"]["2"] < data["intervals"]["3"] < data["intervals"]["4"]
    assert data["counts"] == {"new": 4, "learning": 0, "review": 0}

    right = client.post(f"/api/v1/study/cards/{card['id']}/check", json={"response": [0]}, headers=ada)
    wrong = client.post(f"/api/v1/study/cards/{card['id']}/check", json={"response": [1]}, headers=ada)
    malformed = client.post(
        f"/api/v1/study/cards/{card['id']}/check", json={"response": "sigmoid"}, headers=ada
    )
    assert right.get_json()["correct"] is True and right.get_json()["suggested_rating"] == 3
    assert wrong.get_json()["correct"] is False and "its range is (−1, 1)." in wrong.get_json()["back_html"]
    assert malformed.status_code == 422

    answered = client.post(f"/api/v1/study/cards/{card['id']}/answer", json={"rating": 3}, headers=ada)
    assert answered.status_code == 200 and answered.get_json()["state"] == "learning"
    bad_rating = client.post(f"/api/v1/study/cards/{card['id']}/answer", json={"rating": 5}, headers=ada)
    assert bad_rating.status_code == 422
    assert (
        client.post("/api/v1/study/cards/999999/answer", json={"rating": 3}, headers=ada).status_code == 404
    )


def test_short_cloze_and_true_false_are_graded_after_normalising(client: FlaskClient, tokens: dict) -> None:
    ada = tokens["ada"]
    cards = {}
    for _ in range(4):
        card = next_card(client, ada)["card"]
        cards[card["type"]] = card["id"]
        client.post(f"/api/v1/study/cards/{card['id']}/answer", json={"rating": 4}, headers=ada)

    def check(kind: str, response: object) -> bool:
        reply = client.post(
            f"/api/v1/study/cards/{cards[kind]}/check", json={"response": response}, headers=ada
        )
        return reply.get_json()["correct"]

    assert check("short", "  backpropagation THROUGH time. ") and check("short", "bptt")
    assert not check("short", "gradient descent")
    assert check("cloze", ["Cell-State"]) and not check("cloze", ["hidden state"])
    assert check("true-false", "false") and not check("true-false", True)


def test_each_learner_reads_and_changes_only_their_own_progress(client: FlaskClient, tokens: dict) -> None:
    ada, bob = tokens["ada"], tokens["bob"]
    first = next_card(client, ada)["card"]["id"]
    client.post(f"/api/v1/study/cards/{first}/answer", json={"rating": 3}, headers=ada)
    client.post(f"/api/v1/study/cards/{first}/suspend", headers=ada)

    bob_view = next_card(client, bob)
    assert bob_view["card"]["id"] == first  # still new for bob, not suspended for him
    assert bob_view["counts"]["new"] == 4

    assert client.post("/api/v1/study/undo", headers=bob).status_code == 404  # ada's grade is not his
    assert client.post(f"/api/v1/study/cards/{first}/unsuspend", headers=bob).status_code == 200
    assert next_card(client, ada)["card"]["id"] != first  # bob's unsuspend did not touch ada's card
    client.post(f"/api/v1/study/cards/{first}/bury", headers=bob)
    assert next_card(client, bob)["card"]["id"] != first

    undone = client.post("/api/v1/study/undo", headers=ada)
    assert undone.status_code == 200 and undone.get_json()["card_id"] == first
    assert client.post("/api/v1/study/undo", headers=ada).status_code == 404


def test_a_stale_version_is_a_409_and_counts_once(client: FlaskClient, tokens: dict) -> None:
    ada = tokens["ada"]
    card = next_card(client, ada)["card"]
    body = {"rating": 3, "version": card["version"]}
    assert client.post(f"/api/v1/study/cards/{card['id']}/answer", json=body, headers=ada).status_code == 200
    conflict = client.post(f"/api/v1/study/cards/{card['id']}/answer", json=body | {"rating": 1}, headers=ada)
    assert conflict.status_code == 409 and "another tab" in conflict.get_json()["message"]
    assert next_card(client, ada)["counts"]["learning"] == 1


def test_every_study_endpoint_needs_a_login(client: FlaskClient, tokens: dict) -> None:
    calls = [
        ("get", "/api/v1/study/next"),
        ("post", "/api/v1/study/cards/1/answer"),
        ("post", "/api/v1/study/cards/1/check"),
        ("post", "/api/v1/study/undo"),
        ("post", "/api/v1/study/cards/1/suspend"),
        ("post", "/api/v1/study/cards/1/unsuspend"),
        ("post", "/api/v1/study/cards/1/bury"),
    ]
    for method, path in calls:
        response = getattr(client, method)(path, json={}, headers={"Authorization": "Bearer wrong"})
        assert response.status_code == 401, path
        assert response.get_json()["message"] == "Log in or send a bearer token."
