"""Fair grading in study: shuffled options named by their written number, near misses shown as
"almost" with the difference, any-order blanks, alternatives and numbers in any form."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Card
from app.services import accounts, overrides
from app.services.content_sync import sync_content
from tests.web.helpers import csrf_token, log_in

SET = """+++
title = "Fairness"
slug = "fair"
dialect = "native"
+++
## Review
1. Which activation gives gate values between 0 and 1?
   - [x] sigmoid
   - [ ] tanh — its range is (−1, 1).
   - [ ] ReLU — it is unbounded.
   - [ ] softplus — it is unbounded too.
   - [ ] None of these {pin}
   ID: gate-act

2. Name the gradient algorithm for recurrent networks.
   Answer: Backpropagation through time
   Accept: BPTT
   ID: bptt-name

3. The three gates of an LSTM are the {{c1::forget}}, {{c1::input}} and {{c1::output}} gates.
   ID: lstm-gates

4. Using one set of weights at every step is called {{c1::weight sharing|parameter sharing}}.
   ID: sharing

5. What fraction of the gradient survives two steps that each keep half of it?
   Answer: 0.25
   Type: short
   ID: fraction
"""


@pytest.fixture
def ada(app: Flask, client: FlaskClient, content_dir: Path) -> dict[str, Any]:
    (content_dir / "fair.md").write_text(SET, encoding="utf-8")
    with app.app_context():
        sync_content(content_dir, datetime.now(UTC))
        ids: dict[str, int] = dict(db.session.execute(select(Card.key, Card.id)).all())
    noon = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
    app.config["UNROLL_CLOCK"] = lambda: noon
    client.post("/api/v1/users", json={"username": "ada", "password": "correct horse"})
    token = client.post("/api/v1/tokens", json={"username": "ada", "password": "correct horse"}).get_json()
    return {"headers": {"Authorization": f"Bearer {token['token']}"}, "ids": ids}


def shown(client: FlaskClient, ada: dict[str, Any], key: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/study/next?card={ada['ids'][key]}", headers=ada["headers"])
    card = response.get_json()["card"]
    assert card["id"] == ada["ids"][key]
    return card


def check(client: FlaskClient, ada: dict[str, Any], key: str, response: Any) -> dict[str, Any]:
    reply = client.post(
        f"/api/v1/study/cards/{ada['ids'][key]}/check", json={"response": response}, headers=ada["headers"]
    )
    assert reply.status_code == 200, reply.get_json()
    return reply.get_json()


def test_options_are_shuffled_per_showing_with_the_pinned_one_in_place(
    client: FlaskClient, ada: dict[str, Any]
) -> None:
    first_places: Counter[int] = Counter()
    for _ in range(40):
        card = shown(client, ada, "gate-act")
        assert shown(client, ada, "gate-act")["options"] == card["options"]  # a reload keeps the order
        order = [o["index"] for o in card["options"]]
        assert sorted(order) == [0, 1, 2, 3, 4] and order[-1] == 4  # "None of these" stays last
        first_places[order.index(0)] += 1
        right = check(client, ada, "gate-act", [0])
        assert right["correct"] is True  # the response names the written option, wherever it was shown
        for action in ("suspend", "unsuspend"):  # each action is a new showing of the card
            client.post(f"/api/v1/study/cards/{ada['ids']['gate-act']}/{action}", headers=ada["headers"])
    assert set(first_places) == {0, 1, 2, 3}  # the right option turns up in every free place
    assert first_places[0] <= 20  # and first in about a quarter of showings, not always


def test_a_typo_is_almost_with_the_difference_and_a_suggested_hard(
    client: FlaskClient, ada: dict[str, Any]
) -> None:
    verdict = check(client, ada, "bptt-name", "Backpropogation through time")
    assert verdict["correct"] is False and verdict["almost"] is True and verdict["suggested_rating"] == 2
    diff = verdict["checks"][0]["diff"]
    ops = {segment["op"] for segment in diff}
    assert "same" in ops and ops - {"same"}  # the typed letters, with what differs marked
    assert "".join(s["text"] for s in diff if s["op"] != "missing") == "Backpropogation through time"
    assert "Almost" in verdict["back_html"] and "I was right" in verdict["back_html"]
    wrong = check(client, ada, "bptt-name", "gradient descent")
    assert wrong["almost"] is False and wrong["suggested_rating"] == 1 and "Not quite" in wrong["back_html"]


def test_blanks_in_any_order_alternatives_and_numbers(client: FlaskClient, ada: dict[str, Any]) -> None:
    assert check(client, ada, "lstm-gates", ["output", "forget", "input"])["correct"] is True
    twice = check(client, ada, "lstm-gates", ["forget", "forget", "input"])
    assert twice["correct"] is False and twice["parts"].count(True) == 2
    assert check(client, ada, "sharing", ["parameter sharing"])["correct"] is True
    assert check(client, ada, "sharing", ["Weight-sharing"])["correct"] is True
    for same in ("1/4", ".25", "25%", "2.5e-1"):
        assert check(client, ada, "fraction", same)["correct"] is True, same
    for other in ("25", "0.5", "-0.25"):
        assert check(client, ada, "fraction", other)["correct"] is False, other


def test_the_plain_form_shows_almost_and_suggests_hard(client: FlaskClient, ada: dict[str, Any]) -> None:
    log_in(client, "ada", "correct horse")
    card_id = ada["ids"]["bptt-name"]
    page = client.get(f"/study/fair?card={card_id}").get_data(as_text=True)
    form = {"card_id": card_id, "slug": "fair", "response": "Backpropogation through time"}
    reply = client.post("/study/check", data=form | {"csrf_token": csrf_token(client, "/study/fair")})
    text = reply.get_data(as_text=True)
    assert reply.status_code == 200 and "Almost" in text, page
    assert 'class="grade grade-2 suggested"' in text
    assert "I was right: grade it Good" in text  # without JavaScript, the claim grades Good at once


def test_a_response_an_instructor_accepted_counts_in_study(
    app: Flask, client: FlaskClient, ada: dict[str, Any]
) -> None:
    assert check(client, ada, "bptt-name", "truncated backprop")["correct"] is False
    with app.app_context():
        teacher = accounts.register("teach", "correct horse", datetime.now(UTC), role="instructor")
        overrides.accept_response(teacher, ada["ids"]["bptt-name"], "truncated backprop", datetime.now(UTC))
    assert check(client, ada, "bptt-name", "Truncated backprop")["correct"] is True
    assert check(client, ada, "bptt-name", "backprop")["correct"] is False
