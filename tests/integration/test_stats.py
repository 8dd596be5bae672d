"""Statistics and the review-log export against real databases, with explicit times and time zones."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Card, CardProgress, ContentSet, ReviewLog, User
from app.services import export, stats

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)  # 21:00 in Tokyo
TODAY = date(2026, 11, 10)


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with app.app_context():
        yield db.session


class World:
    """Builds users, cards and logs directly through the models."""

    def __init__(self) -> None:
        self.set = ContentSet(
            slug="gates", source_path="gates.md", source_hash="x", title="Gated cells", dialect="native",
            created_at=NOW, updated_at=NOW,
        )  # fmt: skip
        db.session.add(self.set)
        db.session.flush()
        self.cards: list[Card] = []

    def user(self, name: str, timezone: str = "UTC") -> User:
        user = User(username=name, timezone=timezone, created_at=NOW - timedelta(days=400))
        db.session.add(user)
        db.session.flush()
        return user

    def card(self, question: str = "What does a **gate** do to $h_t$?", card_type: str = "open") -> Card:
        card = Card(
            set_id=self.set.id, key=f"c{len(self.cards)}", text_key=f"t{len(self.cards)}", position=len(self.cards),
            type=card_type, question=question, answer="Scales it.", details={}, created_at=NOW, updated_at=NOW,
        )  # fmt: skip
        db.session.add(card)
        db.session.flush()
        self.cards.append(card)
        return card

    def progress(self, user: User, card: Card | None = None, **fields: Any) -> CardProgress:
        card = card or self.card()
        progress = CardProgress(user_id=user.id, card_id=card.id, set_id=self.set.id, **fields)
        db.session.add(progress)
        db.session.flush()
        return progress

    def log(
        self,
        user: User,
        at: datetime,
        rating: int = 3,
        phase_before: str = "review",
        undone: bool = False,
        progress: CardProgress | None = None,
    ) -> ReviewLog:
        progress = progress or self.progress(user)
        log = ReviewLog(
            user_id=user.id, card_id=progress.card_id, progress_id=progress.id, rating=rating, reviewed_at=at,
            duration_ms=4200, phase_before=phase_before, phase_after="review", interval_seconds=86400,
            state_before={}, state_after={}, undone_at=at + timedelta(seconds=5) if undone else None,
        )  # fmt: skip
        db.session.add(log)
        db.session.flush()
        return log


@pytest.fixture
def world(session: Session) -> World:
    return World()


def by_day(points: list[stats.DayCount]) -> dict[date, int]:
    return {p.day: p.count for p in points if p.count}


def test_reviews_per_day_cover_thirty_days_and_skip_undone_and_other_learners(world: World) -> None:
    ada, bob = world.user("ada"), world.user("bob")
    world.log(ada, NOW - timedelta(hours=1))
    world.log(ada, NOW - timedelta(hours=2))
    world.log(ada, NOW - timedelta(hours=3), undone=True)
    world.log(ada, datetime(2026, 11, 10, 3, 59, tzinfo=UTC))  # before 4 am: still yesterday's day
    world.log(ada, datetime(2026, 10, 12, 4, 0, tzinfo=UTC))  # the first day of the window
    world.log(ada, datetime(2026, 10, 12, 3, 59, tzinfo=UTC))  # just before it
    world.log(ada, NOW + timedelta(minutes=1))  # after `now`
    world.log(bob, NOW - timedelta(hours=1))

    points = stats.reviews_per_day(ada, NOW)

    assert len(points) == 30
    assert points[0].day == date(2026, 10, 12) and points[-1].day == TODAY
    assert [p.day for p in points] == [date(2026, 10, 12) + timedelta(days=i) for i in range(30)]
    assert by_day(points) == {TODAY: 2, date(2026, 11, 9): 1, date(2026, 10, 12): 1}


def test_a_learner_in_tokyo_gets_days_that_start_at_4_am_tokyo_time(world: World) -> None:
    kenji, ada = world.user("kenji", "Asia/Tokyo"), world.user("ada")
    for user in (kenji, ada):
        world.log(user, datetime(2026, 11, 9, 19, 30, tzinfo=UTC))  # 04:30 on the 10th in Tokyo
        world.log(user, datetime(2026, 11, 9, 18, 30, tzinfo=UTC))  # 03:30 on the 10th in Tokyo

    assert by_day(stats.reviews_per_day(kenji, NOW)) == {TODAY: 1, date(2026, 11, 9): 1}
    assert by_day(stats.reviews_per_day(ada, NOW)) == {date(2026, 11, 9): 2}
    # At 20:00 UTC it is already 05:00 on the 11th in Tokyo: a new day has begun there.
    later = datetime(2026, 11, 10, 20, 0, tzinfo=UTC)
    assert stats.reviews_per_day(kenji, later)[-1] == stats.DayCount(date(2026, 11, 11), 0)
    assert stats.streak(kenji, later) == 2  # nothing yet on the 11th: the streak runs to the 10th


def test_true_retention_counts_only_reviews_of_review_cards_in_the_window(world: World) -> None:
    ada, bob = world.user("ada"), world.user("bob")
    for rating in (1, 2, 3, 4, 3):
        world.log(ada, NOW - timedelta(days=2), rating=rating)
    world.log(ada, NOW - timedelta(days=1), rating=1, phase_before="learning")
    world.log(ada, NOW - timedelta(days=1), rating=1, phase_before="relearning")
    world.log(ada, NOW - timedelta(days=1), rating=1, undone=True)
    world.log(ada, NOW - timedelta(days=40), rating=1)
    world.log(bob, NOW - timedelta(days=1), rating=1)

    retention = stats.true_retention(ada, NOW)

    assert (retention.passed, retention.total) == (4, 5)
    assert retention.rate == pytest.approx(0.8)
    assert stats.true_retention(world.user("cy"), NOW).rate is None


def test_forecast_counts_review_cards_per_day_with_overdue_ones_today(world: World) -> None:
    ada, bob = world.user("ada"), world.user("bob")
    review = {"phase": "review"}
    world.progress(ada, due=NOW - timedelta(days=3), **review)  # overdue
    world.progress(ada, due=NOW + timedelta(hours=10), **review)  # 22:00 today
    world.progress(ada, due=datetime(2026, 11, 11, 3, 0, tzinfo=UTC), **review)  # before 4 am: still today
    world.progress(ada, due=datetime(2026, 11, 11, 4, 0, tzinfo=UTC), **review)  # tomorrow
    world.progress(ada, due=datetime(2026, 12, 9, 12, 0, tzinfo=UTC), **review)  # day 29
    world.progress(ada, due=datetime(2026, 12, 10, 12, 0, tzinfo=UTC), **review)  # day 30: beyond
    world.progress(ada, due=NOW, phase="learning")
    world.progress(ada, due=NOW, suspended=True, **review)
    world.progress(ada, due=NOW, retired=True, **review)
    world.progress(bob, due=NOW, **review)

    points = stats.forecast(ada, NOW)

    assert len(points) == 30 and points[0].day == TODAY
    assert by_day(points) == {TODAY: 3, date(2026, 11, 11): 1, date(2026, 12, 9): 1}


def test_forecast_in_tokyo_splits_days_at_4_am_tokyo_time(world: World) -> None:
    kenji = world.user("kenji", "Asia/Tokyo")
    world.progress(kenji, phase="review", due=datetime(2026, 11, 10, 18, 59, tzinfo=UTC))  # 03:59 on the 11th
    world.progress(kenji, phase="review", due=datetime(2026, 11, 10, 19, 0, tzinfo=UTC))  # 04:00 on the 11th

    assert by_day(stats.forecast(kenji, NOW)) == {TODAY: 1, date(2026, 11, 11): 1}


def test_cards_by_state(world: World) -> None:
    ada, bob = world.user("ada"), world.user("bob")
    for phase, n in (("new", 3), ("learning", 2), ("review", 4), ("relearning", 1)):
        for _ in range(n):
            world.progress(ada, phase=phase, due=NOW)
    world.progress(ada, phase="review", due=NOW, suspended=True)
    world.progress(ada, phase="relearning", due=NOW, suspended=True, leech=True)
    world.progress(ada, phase="review", due=NOW, retired=True)
    world.progress(bob, phase="review", due=NOW)

    assert stats.cards_by_state(ada) == {
        "new": 3, "learning": 2, "review": 4, "relearning": 1, "suspended": 2, "leech": 1,
    }  # fmt: skip
    assert set(stats.cards_by_state(world.user("cy")).values()) == {0}


def test_streak_runs_to_today_or_yesterday_and_across_many_weeks(world: World) -> None:
    ada, bob, cy, dee = (world.user(n) for n in ("ada", "bob", "cy", "dee"))
    for days_ago in (0, 1, 2, 4):
        world.log(ada, NOW - timedelta(days=days_ago))
    for days_ago in (1, 2):
        world.log(bob, NOW - timedelta(days=days_ago))
    world.log(bob, NOW, undone=True)  # undone: today still has no review
    world.log(cy, NOW - timedelta(days=2))
    card = world.progress(dee)
    for days_ago in range(75):  # longer than one 30-day probe
        world.log(dee, NOW - timedelta(days=days_ago, hours=3), progress=card)

    assert stats.streak(ada, NOW) == 3
    assert stats.streak(bob, NOW) == 2
    assert stats.streak(cy, NOW) == 0
    assert stats.streak(dee, NOW) == 75
    assert stats.streak(world.user("eve"), NOW) == 0


def test_leeches_show_set_and_plain_question_of_this_learner_only(world: World) -> None:
    ada, bob = world.user("ada"), world.user("bob")
    cloze = world.card("An LSTM adds to its {{c1::cell state}}.", "cloze")
    world.progress(ada, world.card(), phase="relearning", due=NOW, suspended=True, leech=True, lapses=8)
    world.progress(ada, cloze, phase="relearning", due=NOW, suspended=True, leech=True, lapses=9)
    world.progress(ada, phase="relearning", due=NOW, suspended=True, leech=True, lapses=8, retired=True)
    world.progress(ada, phase="review", due=NOW, suspended=True, lapses=3)
    world.progress(bob, phase="relearning", due=NOW, suspended=True, leech=True, lapses=8)

    leeches = stats.leeches(ada)

    assert [(leech.set_title, leech.question, leech.lapses) for leech in leeches] == [
        ("Gated cells", "An LSTM adds to its […].", 9),
        ("Gated cells", "What does a gate do to $h_t$?", 8),
    ]
    assert leeches[0].card_id == cloze.id and leeches[0].set_slug == "gates"


def test_overview_gathers_everything(world: World) -> None:
    ada = world.user("ada")
    world.log(ada, NOW - timedelta(hours=1), rating=1)
    page = stats.overview(ada, NOW)
    assert page.streak == 1 and page.retention.total == 1 and page.retention.passed == 0
    assert len(page.reviews) == len(page.forecast) == 30
    assert page.states["new"] == 1 and page.leeches == []  # the logged card, as the helper left it


def test_review_log_csv_lists_own_logs_oldest_first_with_undone_marked(world: World) -> None:
    ada, bob = world.user("ada"), world.user("bob")
    card = world.progress(ada, world.card("Which gate decides what the `LSTM` keeps?"))
    world.log(ada, NOW - timedelta(minutes=1), rating=4, progress=card, undone=True)
    world.log(ada, NOW - timedelta(days=1), rating=1, phase_before="learning", progress=card)
    world.log(bob, NOW, rating=2)

    rows = list(csv.reader(io.StringIO("".join(export.review_log_csv(ada)))))

    assert rows[0] == list(export.CSV_COLUMNS)
    assert rows[1:] == [
        ["2026-11-09T12:00:00.000Z", "gates", "c0", "Which gate decides what the LSTM keeps?", "1", "Again",
         "4200", "learning", "review", "86400", "false"],
        ["2026-11-10T11:59:00.000Z", "gates", "c0", "Which gate decides what the LSTM keeps?", "4", "Easy",
         "4200", "review", "review", "86400", "true"],
    ]  # fmt: skip
    assert list(csv.reader(io.StringIO("".join(export.review_log_csv(world.user("cy")))))) == [
        list(export.CSV_COLUMNS)
    ]


def test_plain_text_drops_markup_and_keeps_formulas_as_latex() -> None:
    assert (
        export.plain_text("Is **$\\tanh(x)$** bounded?\n\n- yes\n- `no`") == "Is $\\tanh(x)$ bounded? yes no"
    )
