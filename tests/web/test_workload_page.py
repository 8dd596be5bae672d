"""The workload chart on /settings: bars per desired retention, the learner's own marked, a table."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.services import simulate
from app.services.content_sync import sync_content
from tests.web.helpers import csrf_token, log_in
from tests.web.test_simulate_api import NOON, question_set, review_half


@pytest.fixture
def ada(app: Flask, client: FlaskClient, content_dir: Path) -> FlaskClient:
    (content_dir / "numbers.md").write_text(question_set(30), encoding="utf-8")
    with app.app_context():
        sync_content(content_dir, datetime.now(UTC))
    app.config["UNROLL_CLOCK"] = lambda: NOON
    client.post("/api/v1/users", json={"username": "ada", "password": "correct horse"})
    log_in(client, "ada", "correct horse")
    client.get("/api/v1/study/next")  # fills the deck
    review_half(app, "ada")
    simulate._cache.clear()
    return client


def rows(page: str) -> list[list[str]]:
    table = page.split('<details class="chart-data">', 1)[1]
    found = re.findall(r"<tr(?: class=\"current\")?><th scope=\"row\">([^<]+)</th>(.*?)</tr>", table, re.S)
    return [[head, *re.findall(r'<td class="num">([^<]+)</td>', cells)] for head, cells in found]


def test_settings_show_what_each_retention_costs(ada: FlaskClient) -> None:
    page = ada.get("/settings").get_data(as_text=True)
    assert "What a desired retention costs" in page
    table = rows(page)
    assert [r[0] for r in table] == ["0.70", "0.75", "0.80", "0.85", "0.90 (yours)", "0.95", "0.99"]
    reviews = [float(r[1]) for r in table]
    assert reviews == sorted(reviews) and reviews[-1] > reviews[0]
    assert page.count('class="chart-bar current"') == 2  # 0.90 in both charts
    assert "on your 30 cards (15 still new)" in page and "180 timed answers" in page
    assert 'role="img" aria-label="Reviews per day over the next year' in page
    assert "<script" not in page.split('id="workload"', 1)[1].split("</section>", 1)[0]


def test_a_new_retention_is_marked_after_saving(ada: FlaskClient) -> None:
    form = {
        "csrf_token": csrf_token(ada, "/settings"),
        "timezone": "UTC",
        "desired_retention": "0.87",
        "maximum_interval_days": "36500",
        "new_per_day": "20",
        "reviews_per_day": "200",
    }
    assert ada.post("/settings", data=form).status_code == 302
    page = ada.get("/settings").get_data(as_text=True)
    assert "0.87 (yours)" in page and "0.90 (yours)" not in page
    assert len(rows(page)) == 8


def test_a_learner_without_cards_is_told_so(app: Flask, client: FlaskClient) -> None:
    client.post("/api/v1/users", json={"username": "bob", "password": "correct horse"})
    log_in(client, "bob", "correct horse")
    page = client.get("/settings").get_data(as_text=True)
    assert "You have no cards to study yet" in page


def test_the_page_reuses_its_simulation(ada: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    first = ada.get("/settings").get_data(as_text=True)

    def fail(*_args: object) -> None:
        raise AssertionError("simulated again")

    monkeypatch.setattr(simulate, "simulate", fail)
    assert rows(ada.get("/settings").get_data(as_text=True)) == rows(first)


def test_suspending_cards_refreshes_the_chart(ada: FlaskClient) -> None:
    before = rows(ada.get("/settings").get_data(as_text=True))
    card = ada.get("/api/v1/study/next").get_json()["card"]["id"]
    ada.post(f"/api/v1/study/cards/{card}/suspend", headers={"X-CSRFToken": csrf_token(ada, "/settings")})
    page = ada.get("/settings").get_data(as_text=True)
    assert "on your 29 cards" in page and rows(page) != before
