"""The card browser through the test client: pages, forms with CSRF, the API, and who sees what."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from app.extensions import db
from app.models import Card, CardProgress, ReviewLog, User
from app.services import study
from app.services.content_sync import sync_content
from tests.web.helpers import csrf_token
from tests.web.test_stats_export import OTHER, SET, learner, log_in_as

NOW = datetime.now(UTC)


@pytest.fixture
def loaded(app: Flask, content_dir: Path) -> Flask:
    (content_dir / "gates.md").write_text(SET, encoding="utf-8")
    (content_dir / "unrolling.md").write_text(OTHER, encoding="utf-8")
    with app.app_context():
        sync_content(content_dir, NOW)
    return app


def card_ids(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {c.key: c.id for c in db.session.scalars(select(Card))}


def grade(app: Flask, user_id: int, key: str, *ratings: int, days_ago: float = 3) -> None:
    """Grade a card with the real scheduler, the first answer `days_ago` days ago, then a day apart."""
    ids = card_ids(app)
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        for index, rating in enumerate(ratings):
            study.grade_card(user, ids[key], rating, NOW - timedelta(days=days_ago - index))


@pytest.fixture
def ada(loaded: Flask, client: FlaskClient) -> int:
    user_id = learner(loaded, "ada")
    log_in_as(client, user_id)
    grade(loaded, user_id, "why-sigmoid", 3, 3)
    grade(loaded, user_id, "gru-gates", 1)
    return user_id


def api_post(client: FlaskClient, path: str, body: dict | None = None) -> TestResponse:
    """A page script's POST: the session cookie and the page's CSRF token."""
    return client.post(path, json=body, headers={"X-CSRFToken": csrf_token(client, "/cards")})


def rows(page: str) -> list[str]:
    return re.findall(r'<a id="q-\d+" href="/cards/\d+">([^<]*)</a>', page)


def test_a_visitor_is_sent_to_log_in_and_the_api_answers_401(loaded: Flask, client: FlaskClient) -> None:
    assert client.get("/cards").status_code == 302
    assert "/login" in client.get("/cards").headers["Location"]
    assert client.get("/api/v1/study/cards").status_code == 401
    assert client.post("/api/v1/study/cards/actions", json={"action": "suspend", "q": ""}).status_code == 401


def test_the_browser_lists_and_searches_the_learners_cards(
    loaded: Flask, client: FlaskClient, ada: int
) -> None:
    page = client.get("/cards").get_data(as_text=True)
    assert len(rows(page)) == 6 and "6 cards" in page
    assert 'href="/cards"' in client.get("/study").get_data(as_text=True)  # the nav link

    found = client.get("/cards?q=tag:gates").get_data(as_text=True)
    assert rows(found) == ["Why do gates use a sigmoid?"]
    learning = client.get("/cards?q=is:learn or is:review&sort=-lapses").get_data(as_text=True)
    assert set(rows(learning)) == {"Why do gates use a sigmoid?", "How many gates does a GRU have?"}
    assert "Recall" in learning and "%" in learning
    assert "This page is past the last one" in client.get("/cards?page=3").get_data(as_text=True)
    assert rows(
        client.get("/cards?page=nonsense&sort=nonsense").get_data(as_text=True)
    )  # read as page 1, due


def test_a_bad_search_shows_where_it_went_wrong(loaded: Flask, client: FlaskClient, ada: int) -> None:
    response = client.get("/cards?q=(set:gates")
    assert response.status_code == 400
    assert "&#39;(&#39; is never closed: add a &#39;)&#39; (at character 1)" in response.get_data(
        as_text=True
    )


def test_bulk_suspend_then_undo_with_the_forms(loaded: Flask, client: FlaskClient, ada: int) -> None:
    ids = card_ids(loaded)
    token = csrf_token(client, "/cards")
    chosen = [ids["why-sigmoid"], ids["cell-add"]]
    response = client.post(
        "/cards/actions",
        data={"csrf_token": token, "action": "suspend", "card": chosen, "q": "", "scope": "selected"},
    )
    assert response.status_code == 302 and "done=" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Suspended: 2 cards." in page
    assert set(rows(client.get("/cards?q=is:suspended").get_data(as_text=True))) == {
        "Why do gates use a sigmoid?",
        "The LSTM cell state is updated by […] and gated by the […].",
    }
    undo = re.search(r'action="(/cards/actions/\d+/undo)"', page)
    assert undo
    back = client.post(undo.group(1), data={"csrf_token": token}, follow_redirects=True)
    assert "Undone: 2 cards are back as they were." in back.get_data(as_text=True)
    assert rows(client.get("/cards?q=is:suspended").get_data(as_text=True)) == []


def test_forms_need_csrf_and_sensible_input(loaded: Flask, client: FlaskClient, ada: int) -> None:
    assert client.post("/cards/actions", data={"action": "suspend", "scope": "all"}).status_code == 400
    token = csrf_token(client, "/cards")
    nothing = client.post(
        "/cards/actions", data={"csrf_token": token, "action": "suspend"}, follow_redirects=True
    )
    assert "Tick the cards to change first" in nothing.get_data(as_text=True)
    bad_date = client.post(
        "/cards/actions", data={"csrf_token": token, "action": "reschedule", "scope": "all", "due": "soon"}
    )
    assert bad_date.status_code == 400
    past = client.post(
        "/cards/actions",
        data={"csrf_token": token, "action": "reschedule", "scope": "all", "due": "2001-01-01"},
        follow_redirects=True,
    )
    assert "Reschedule to today or a later date." in past.get_data(as_text=True)
    assert client.post("/cards/actions", data={"csrf_token": token, "card": "x"}).status_code == 400


def test_forget_all_matching_keeps_the_history_shown_on_card_info(
    loaded: Flask, client: FlaskClient, ada: int
) -> None:
    ids = card_ids(loaded)
    token = csrf_token(client, "/cards")
    client.post(
        "/cards/actions",
        data={"csrf_token": token, "action": "forget", "scope": "all", "q": "set:gates tag:gates"},
    )
    info = client.get(f"/cards/{ids['why-sigmoid']}").get_data(as_text=True)
    assert "Manual" in info and info.count("Good") == 2  # two answers, then the forget
    assert "The curve starts after your first answer." in info
    with loaded.app_context():
        assert (
            db.session.scalar(select(CardProgress.phase).where(CardProgress.card_id == ids["why-sigmoid"]))
            == "new"
        )


def test_card_info_shows_the_curve_and_history_and_only_the_learners_own(
    loaded: Flask, client: FlaskClient, ada: int
) -> None:
    ids = card_ids(loaded)
    page = client.get(f"/cards/{ids['why-sigmoid']}").get_data(as_text=True)
    assert '<path class="chart-line"' in page and "Forgetting curve: the numbers" in page
    assert page.count("Good") == 2 and "<script" not in page.split("</head>")[1]
    assert client.get("/cards/999999").status_code == 404
    other = client.application.test_client()
    bob = learner(loaded, "bob")
    log_in_as(other, bob)
    bobs = other.get(f"/cards/{ids['why-sigmoid']}").get_data(as_text=True)
    assert "Not answered yet." in bobs  # Ada's history is hers


def test_the_api_lists_changes_and_undoes(loaded: Flask, client: FlaskClient, ada: int) -> None:
    ids = card_ids(loaded)
    listed = client.get("/api/v1/study/cards?q=is:review or is:learn&per_page=1&sort=-stability").get_json()
    assert listed["total"] == 2 and listed["page"] == 1 and listed["per_page"] == 1
    first = listed["cards"][0]
    assert set(first) == {"card_id", "set", "question", "state", "due", "stability", "difficulty",
                          "retrievability", "reps", "lapses", "suspended", "leech"}  # fmt: skip
    assert first["question"] == "Why do gates use a sigmoid?" and first["set"] == "gates"
    assert 0 < first["retrievability"] <= 1 and first["reps"] == 2

    bad = client.get("/api/v1/study/cards?q=prop:x>1")
    assert bad.status_code == 400 and "prop: needs a property" in bad.get_json()["message"]

    done = api_post(client, "/api/v1/study/cards/actions", {"action": "reschedule", "card_ids": [ids["why-sigmoid"]],
                                                            "due": (NOW + timedelta(days=40)).date().isoformat()})  # fmt: skip
    assert done.status_code == 200 and done.get_json()["changed"] == 1
    action_id = done.get_json()["action_id"]
    assert client.get("/api/v1/study/cards?q=prop:due>=39").get_json()["total"] == 1
    assert api_post(client, f"/api/v1/study/cards/actions/{action_id}/undo").get_json() == {"restored": 1}
    assert api_post(client, f"/api/v1/study/cards/actions/{action_id}/undo").status_code == 409
    assert api_post(client, "/api/v1/study/cards/actions/999/undo").status_code == 404

    info = client.get(f"/api/v1/study/cards/{ids['why-sigmoid']}").get_json()
    assert [h["rating"] for h in info["history"]] == [3, 3, 0]  # the reschedule's row stays, marked undone
    assert info["history"][-1]["undone"] is True and info["history"][1]["retrievability"] is not None
    assert info["curve"][0]["day"] == 0 and len(info["curve"]) >= 31
    assert client.get("/api/v1/study/cards/999999").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"action": "explode", "q": ""},
        {"action": "suspend"},
        {"action": "suspend", "q": "", "card_ids": [1]},
        {"action": "reschedule", "q": ""},
        {"action": "suspend", "card_ids": [-1]},
        {"action": "reschedule", "q": "", "due": "tomorrow"},
    ],
)
def test_the_api_refuses_malformed_actions(loaded: Flask, client: FlaskClient, ada: int, body: dict) -> None:
    assert api_post(client, "/api/v1/study/cards/actions", body).status_code == 422


def test_another_learners_action_cannot_be_undone(loaded: Flask, client: FlaskClient, ada: int) -> None:
    done = api_post(client, "/api/v1/study/cards/actions", {"action": "suspend", "q": ""}).get_json()
    other = client.application.test_client()
    log_in_as(other, learner(loaded, "bob"))
    assert api_post(other, f"/api/v1/study/cards/actions/{done['action_id']}/undo").status_code == 404
    assert other.get("/api/v1/study/cards?q=is:suspended").get_json()["total"] == 0


def test_stats_shows_the_memory_distributions(loaded: Flask, client: FlaskClient, ada: int) -> None:
    page = client.get("/stats").get_data(as_text=True)
    for name in ("Stability", "Difficulty", "Retrievability"):
        assert f'id="{name.lower()}-chart"' in page
        assert f"{name} of your 2 studied cards: most" in page
        assert f"{name}: the numbers" in page
    with client.application.app_context():
        assert db.session.scalar(select(ReviewLog.id).where(ReviewLog.rating == 0)) is None
