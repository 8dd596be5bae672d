"""The statistics and export pages through the test client: charts, leeches, CSV and Anki packages."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Card, CardProgress, ReviewLog, User
from app.services import accounts, logins
from app.services.content_sync import sync_content
from app.services.export import CSV_COLUMNS, stable_id
from app.services.stats import DayCount
from app.web.stats import reviews_chart

NOW = datetime.now(UTC)

SET = """+++
title = "Gated cells"
description = "Why gates help."
weight = 1
dialect = "native"
+++
## Keypoint
1. Gates take values in $(0, 1)$.

## Review
1. Why do gates use a sigmoid?
   Answer: Its output lies in $(0, 1)$.
   Explanation: So a gate scales without flipping signs.
   ID: why-sigmoid
   Tags: gates, first steps

2. Which activation produces gate values?

   - [x] sigmoid
   - [ ] tanh — its range is (−1, 1).

   Explanation: Gates scale, so they need (0, 1).
   ID: gate-activation

3. The LSTM cell state is updated by {{c1::addition|summation}} and gated by the {{c2::forget gate}}.
   ID: cell-add
   Type: cloze

4. A GRU has a separate cell state.

   Answer: False
   ID: gru-cell
   Type: true-false

5. How many gates does a GRU have?
   Answer: two
   Accept: 2
   ID: gru-gates
   Type: short
"""

OTHER = """+++
title = "Unrolling"
weight = 2
+++
## Review
1. What does unrolling copy?
Answer: The cell, not its weights.
"""


@pytest.fixture
def loaded(app: Flask, content_dir: Path) -> Flask:
    (content_dir / "gates.md").write_text(SET, encoding="utf-8")
    (content_dir / "unrolling.md").write_text(OTHER, encoding="utf-8")
    with app.app_context():
        sync_content(content_dir, NOW)
    return app


def learner(app: Flask, name: str) -> int:
    with app.app_context():
        return accounts.register(name, "correct horse", NOW).id


def log_in_as(client: FlaskClient, user_id: int) -> None:
    """What logging in stores in the session: the key of a new login session."""
    with client.application.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        logins.start_session(user, datetime.now(UTC), "test")
        key = user.session_key
    with client.session_transaction() as session:
        session["_user_id"] = key
        session["_fresh"] = True


def card_id(app: Flask, key: str) -> int:
    with app.app_context():
        found = db.session.scalar(select(Card.id).where(Card.key == key))
        assert found is not None
        return found


def study_history(app: Flask, user_id: int) -> None:
    """Four due reviews (three remembered) of one card, an undone grade, and a leech."""
    with app.app_context():
        cards = {c.key: c for c in db.session.scalars(select(Card))}
        review = CardProgress(
            user_id=user_id,
            card_id=cards["why-sigmoid"].id,
            set_id=cards["why-sigmoid"].set_id,
            phase="review",
            due=NOW + timedelta(days=2),
        )
        leech = CardProgress(
            user_id=user_id,
            card_id=cards["gate-activation"].id,
            set_id=cards["gate-activation"].set_id,
            phase="relearning",
            due=NOW,
            suspended=True,
            leech=True,
            lapses=8,
        )
        db.session.add_all([review, leech])
        db.session.flush()
        for hours, rating, undone in (
            (50, 3, False),
            (26, 1, False),
            (2, 4, False),
            (1, 3, False),
            (0.5, 2, True),
        ):
            at = NOW - timedelta(hours=hours)
            db.session.add(
                ReviewLog(
                    user_id=user_id,
                    card_id=review.card_id,
                    progress_id=review.id,
                    rating=rating,
                    reviewed_at=at,
                    duration_ms=3000,
                    phase_before="review",
                    phase_after="review",
                    interval_seconds=86400,
                    state_before={},
                    state_after={},
                    undone_at=at + timedelta(seconds=3) if undone else None,
                )
            )
        db.session.commit()


@pytest.fixture
def ada(loaded: Flask, client: FlaskClient) -> int:
    user_id = learner(loaded, "ada")
    study_history(loaded, user_id)
    log_in_as(client, user_id)
    return user_id


def test_pages_need_a_login(loaded: Flask, client: FlaskClient) -> None:
    for path in ("/stats", "/export", "/export/reviews.csv", "/export/sets/gates.apkg"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_stats_page_shows_charts_retention_states_and_leeches(ada: int, client: FlaskClient) -> None:
    response = client.get("/stats")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert 'href="/static/stats.css"' in page
    # the page's title and each chart's: reviews, forecast, and stability, difficulty, retrievability
    assert page.count('role="img"') == 5 and page.count("<title>") == 6
    assert 'aria-label="Reviews per day over the last 30 days: 4 in total' in page
    assert 'aria-label="Review cards due over the next 30 days: 1 in total' in page
    assert re.search(r'class="stat-number">75%</strong> of 4 due reviews', page)
    assert "<summary>Reviews per day: the numbers</summary>" in page
    assert re.search(r"<th scope=\"row\">Leeches .*?</th><td class=\"num\">1</td>", page)
    assert "Which activation produces gate values?" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_a_leech_is_unsuspended_from_the_stats_page(loaded: Flask, ada: int, client: FlaskClient) -> None:
    page = client.get("/stats").get_data(as_text=True)
    leech = card_id(loaded, "gate-activation")
    form = re.search(rf'<form method="post" action="/study/cards/{leech}/unsuspend">(.*?)</form>', page, re.S)
    assert form is not None
    assert '<input type="hidden" name="next" value="/stats">' in form.group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.group(1))
    assert token is not None

    response = client.post(
        f"/study/cards/{leech}/unsuspend", data={"csrf_token": token.group(1), "next": "/stats"}
    )

    assert response.status_code == 302 and response.headers["Location"] == "/stats"
    after = client.get("/stats").get_data(as_text=True)
    assert "Card back in study." in after and "No leeches" in after


def test_export_page_links_the_csv_and_every_set(ada: int, client: FlaskClient) -> None:
    page = client.get("/export").get_data(as_text=True)
    assert 'href="/export/reviews.csv"' in page and "(5 reviews)" in page
    assert 'href="/export/sets/gates.apkg"' in page and 'href="/export/sets/unrolling.apkg"' in page


def test_review_log_csv(ada: int, client: FlaskClient) -> None:
    response = client.get("/export/reviews.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [(r["rating"], r["rating_name"], r["undone"]) for r in rows] == [
        ("3", "Good", "false"), ("1", "Again", "false"), ("4", "Easy", "false"), ("3", "Good", "false"),
        ("2", "Hard", "true"),
    ]  # fmt: skip
    first = rows[0]
    assert first["set"] == "gates" and first["card"] == "why-sigmoid"
    assert first["question"] == "Why do gates use a sigmoid?"
    assert datetime.fromisoformat(first["reviewed_at"]) == (NOW - timedelta(hours=50)).replace(
        microsecond=(NOW.microsecond // 1000) * 1000
    )
    assert first["reviewed_at"].endswith("Z")


def open_package(data: bytes, tmp_path: Path) -> sqlite3.Connection:
    archive = zipfile.ZipFile(io.BytesIO(data))
    name = next(n for n in archive.namelist() if n in ("collection.anki21", "collection.anki2"))
    archive.extract(name, tmp_path)
    return sqlite3.connect(tmp_path / name)


def test_a_set_as_an_anki_package(ada: int, client: FlaskClient, tmp_path: Path) -> None:
    response = client.get("/export/sets/gates.apkg")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="gates.apkg"'
    collection = open_package(response.data, tmp_path)

    notes = {
        guid: (mid, flds, tags)
        for guid, mid, flds, tags in collection.execute("SELECT guid, mid, flds, tags FROM notes")
    }
    models = json.loads(collection.execute("SELECT models FROM col").fetchone()[0])
    decks = json.loads(collection.execute("SELECT decks FROM col").fetchone()[0])
    collection.close()

    assert len(notes) == 5
    kinds = {models[str(mid)]["type"]: models[str(mid)]["name"] for mid, _, _ in notes.values()}
    assert kinds == {0: "Unroll basic (gates)", 1: "Unroll cloze (gates)"}
    assert {str(stable_id("basic", "gates")), str(stable_id("cloze", "gates"))} <= set(models)
    assert (
        str(stable_id("deck", "gates")) in decks
        and decks[str(stable_id("deck", "gates"))]["name"] == "Unroll::Gated cells"
    )
    fields = {flds.split("\x1f")[0][:40]: flds.split("\x1f") for _, flds, _ in notes.values()}
    cloze = next(f for f in fields.values() if "{{c1::" in f[0])
    assert "{{c1::addition}}" in cloze[0] and "{{c2::forget gate}}" in cloze[0]  # Anki has no alternatives
    choice = next(f for f in fields.values() if "Which activation" in f[0])
    assert "tanh" in choice[0] and "sigmoid" in choice[0]
    assert "sigmoid" in choice[1] and "tanh" not in choice[1].split("Gates scale")[0]
    short = next(f for f in fields.values() if "How many gates" in f[0])
    assert "two" in short[1] and "Also accepted: 2" in short[1]
    truth = next(f for f in fields.values() if "separate cell state" in f[0])
    assert "True or false?" in truth[0] and "False" in truth[1]
    tags = next(t for _, flds, t in notes.values() if "Why do gates" in flds)
    assert "unroll::gates" in tags and "first_steps" in tags


def test_packages_keep_their_ids_and_notes_across_exports(
    ada: int, client: FlaskClient, tmp_path: Path
) -> None:
    first = open_package(client.get("/export/sets/unrolling.apkg").data, tmp_path / "a")
    second = open_package(client.get("/export/sets/unrolling.apkg").data, tmp_path / "b")
    query = "SELECT guid, mid FROM notes"
    assert first.execute(query).fetchall() == second.execute(query).fetchall()
    assert len(first.execute(query).fetchall()) == 1


def test_an_unknown_set_is_a_404_page(ada: int, client: FlaskClient) -> None:
    response = client.get("/export/sets/no-such-set.apkg")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "There is no question set called “no-such-set”." in response.get_data(as_text=True)


def test_a_learner_sees_only_their_own_data(loaded: Flask, ada: int, client: FlaskClient) -> None:
    bob = learner(loaded, "bob")
    log_in_as(client, bob)

    page = client.get("/stats").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(client.get("/export/reviews.csv").get_data(as_text=True))))
    export_page = client.get("/export").get_data(as_text=True)

    assert "Reviews per day over the last 30 days: none yet." in page
    assert "no due reviews yet" in page and "No leeches" in page
    assert "Which activation produces gate values?" not in page
    assert rows == [list(CSV_COLUMNS)]
    assert "(0 reviews)" in export_page
    leech = card_id(loaded, "gate-activation")
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
    assert token is not None
    client.post(f"/study/cards/{leech}/unsuspend", data={"csrf_token": token.group(1)})  # bob's own copy
    with loaded.app_context():
        adas = db.session.scalar(
            select(CardProgress).where(CardProgress.user_id == ada, CardProgress.card_id == leech)
        )
        assert adas is not None and adas.leech and adas.suspended


def test_bar_chart_scales_to_round_gridlines() -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC).date()
    points = [DayCount(start + timedelta(days=i), n) for i, n in enumerate([0, 12, 3] + [0] * 27)]
    chart = reviews_chart(points)
    assert [t.text for t in chart.y_ticks] == ["0", "5", "10", "15"]
    assert chart.bars[0].height == 0 and chart.bars[1].height == pytest.approx(4 * chart.bars[2].height)
    assert chart.bars[1].y + chart.bars[1].height == chart.baseline
    assert [label.text for label in chart.x_labels] == ["1 Nov", "8 Nov", "15 Nov", "22 Nov", "Today"]
    assert chart.summary == (
        "Reviews per day over the last 30 days: 15 in total, on 2 days; most on Mon 2 Nov (12); 0 today."
    )
    assert chart.rows[-1] == ("Mon 30 Nov (today)", 0)
