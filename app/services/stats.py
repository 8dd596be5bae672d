"""A learner's statistics: read-only queries, each as of a given `now`, in the learner's own days.

Counts are aggregated in SQL over index ranges (review_logs by user and time, card_progress by
user, state and due time), so they stay fast for a learner with hundreds of thousands of reviews.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, exists, func, select

from app.content.review import blank_clozes
from app.extensions import db
from app.models import Card, CardProgress, ContentSet, ReviewLog, User
from app.services.export import plain_text
from app.services.study import scheduler_for
from app.srs import DayClock, Phase

WINDOW_DAYS = 30
PHASES = tuple(phase.value for phase in Phase)
STATES = (*PHASES, "suspended", "leech")


@dataclass(frozen=True)
class DayCount:
    """A number of cards on one of the learner's days (which start at 4 am local time)."""

    day: date
    count: int


@dataclass(frozen=True)
class Retention:
    """How many reviews of cards in the review phase passed (rated Hard or better), of how many."""

    passed: int
    total: int

    @property
    def rate(self) -> float | None:
        return self.passed / self.total if self.total else None


@dataclass(frozen=True)
class Leech:
    card_id: int
    set_slug: str
    set_title: str
    question: str
    lapses: int
    suspended: bool


@dataclass(frozen=True)
class Overview:
    """Everything the /stats page shows."""

    reviews: list[DayCount]
    retention: Retention
    forecast: list[DayCount]
    states: dict[str, int]
    streak: int
    leeches: list[Leech]


def overview(user: User, now: datetime) -> Overview:
    return Overview(
        reviews=reviews_per_day(user, now),
        retention=true_retention(user, now),
        forecast=forecast(user, now),
        states=cards_by_state(user),
        streak=streak(user, now),
        leeches=leeches(user),
    )


def _clock(user: User) -> DayClock:
    return scheduler_for(user)[1]


def _local_dates(user: User, clock: DayClock, days: Sequence[int]) -> list[date]:
    """The calendar date each learner-day starts on (its 4 am), in the learner's time zone."""
    zone = ZoneInfo(user.timezone)
    return [clock.day_start(day).astimezone(zone).date() for day in days]


def _counted_reviews(user_id: int, now: datetime) -> list[Any]:
    """Reviews that count: this learner's, not undone, and not after `now`."""
    return [ReviewLog.user_id == user_id, ReviewLog.undone_at.is_(None), ReviewLog.reviewed_at <= now]


def _bucket_counts(column: Any, bounds: Sequence[datetime | None], *where: Any) -> list[int]:
    """Rows per interval [bounds[i], bounds[i + 1]), counted in one SQL query; the first interval is
    open below when bounds[0] is None (overdue cards count on the first day)."""
    counters = [
        func.count(case((and_(column < high, *([column >= low] if low is not None else [])), 1)))
        for low, high in pairwise(bounds)
    ]
    row = db.session.execute(select(*counters).where(*where)).one()
    return [int(n or 0) for n in row]


def reviews_per_day(user: User, now: datetime) -> list[DayCount]:
    """Reviews on each of the learner's last 30 days, today last, days without reviews included."""
    clock = _clock(user)
    today = clock.day_number(now)
    days = list(range(today - WINDOW_DAYS + 1, today + 1))
    bounds = [clock.day_start(day) for day in [*days, today + 1]]
    counts = _bucket_counts(
        ReviewLog.reviewed_at, bounds, *_counted_reviews(user.id, now), ReviewLog.reviewed_at >= bounds[0]
    )
    return [DayCount(d, n) for d, n in zip(_local_dates(user, clock, days), counts, strict=True)]


def true_retention(user: User, now: datetime) -> Retention:
    """The pass rate of reviews of cards in the review phase over the learner's last 30 days."""
    clock = _clock(user)
    start = clock.day_start(clock.day_number(now) - WINDOW_DAYS + 1)
    total, passed = db.session.execute(
        select(func.count(), func.count(case((ReviewLog.rating > 1, 1)))).where(
            *_counted_reviews(user.id, now),
            ReviewLog.reviewed_at >= start,
            ReviewLog.phase_before == Phase.REVIEW.value,
        )
    ).one()
    return Retention(passed=int(passed or 0), total=int(total or 0))


def forecast(user: User, now: datetime) -> list[DayCount]:
    """Review cards falling due on each of the next 30 learner-days; overdue ones count on today."""
    clock = _clock(user)
    today = clock.day_number(now)
    days = list(range(today, today + WINDOW_DAYS))
    ends = [clock.day_start(day + 1) for day in days]
    counts = _bucket_counts(
        CardProgress.due,
        [None, *ends],
        CardProgress.user_id == user.id,
        CardProgress.suspended.is_(False),
        CardProgress.retired.is_(False),
        CardProgress.phase == Phase.REVIEW.value,
        CardProgress.due < ends[-1],
    )
    return [DayCount(d, n) for d, n in zip(_local_dates(user, clock, days), counts, strict=True)]


def cards_by_state(user: User) -> dict[str, int]:
    """Active cards by phase (suspended ones apart), plus suspended cards and leeches."""
    rows = db.session.execute(
        select(CardProgress.phase, CardProgress.suspended, CardProgress.leech, func.count())
        .where(CardProgress.user_id == user.id, CardProgress.retired.is_(False))
        .group_by(CardProgress.phase, CardProgress.suspended, CardProgress.leech)
    ).all()
    states = dict.fromkeys(STATES, 0)
    for phase, suspended, leech, count in rows:
        key = "suspended" if suspended else phase
        states[key] = states.get(key, 0) + count
        if leech:
            states["leech"] += count
    return states


def _active_days(user_id: int, clock: DayClock, days: Sequence[int], now: datetime) -> dict[int, bool]:
    """Whether each day has a counted review: one query of indexed EXISTS probes for all of them."""
    counted = _counted_reviews(user_id, now)
    probes = [
        exists().where(
            *counted,
            ReviewLog.reviewed_at >= clock.day_start(day),
            ReviewLog.reviewed_at < clock.day_start(day + 1),
        )
        for day in days
    ]
    row = db.session.execute(select(*probes)).one()
    return {day: bool(found) for day, found in zip(days, row, strict=True)}


def streak(user: User, now: datetime) -> int:
    """Consecutive learner-days with a review, up to today (or up to yesterday while today has none
    yet, since the streak is still alive). Checked 30 days at a time, newest first."""
    clock = _clock(user)
    today = day = clock.day_number(now)
    active: dict[int, bool] = {}
    count = 0
    while True:
        if day not in active:
            active = _active_days(user.id, clock, range(day - WINDOW_DAYS + 1, day + 1), now)
        if active[day]:
            count += 1
        elif day != today:  # a day without reviews ends the streak; an empty today does not
            return count
        day -= 1


def leeches(user: User) -> list[Leech]:
    """Cards tagged as leeches (failed too often), most lapses first, with their set and question."""
    rows = db.session.execute(
        select(CardProgress, Card.type, Card.question, ContentSet.slug, ContentSet.title)
        .join(Card, Card.id == CardProgress.card_id)
        .join(ContentSet, ContentSet.id == Card.set_id)
        .where(CardProgress.user_id == user.id, CardProgress.leech.is_(True), CardProgress.retired.is_(False))
        .order_by(CardProgress.lapses.desc(), CardProgress.card_id)
    ).all()
    return [
        Leech(
            card_id=progress.card_id,
            set_slug=slug,
            set_title=title,
            question=plain_text(blank_clozes(question) if card_type == "cloze" else question),
            lapses=progress.lapses,
            suspended=progress.suspended,
        )
        for progress, card_type, question, slug, title in rows
    ]
