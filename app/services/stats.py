"""A learner's statistics: read-only queries, each as of a given `now`, in the learner's own days.

Counts are aggregated in SQL over index ranges (review_logs by user and time, card_progress by
user, state and due time), so they stay fast for a learner with hundreds of thousands of reviews.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, bindparam, case, exists, func, literal_column, select

from app.content.render import plain_text
from app.content.review import blank_clozes
from app.extensions import db
from app.models import Card, CardProgress, ContentSet, ReviewLog, User
from app.services.cards import memory_now
from app.services.fsrs_params import clock_of
from app.srs import DayClock, Phase

WINDOW_DAYS = 30
INSTANT = timedelta(microseconds=1)
# Leeches are suspended when tagged, and unsuspending clears the tag (services.study), so they are
# looked for among suspended cards, which the index on (user_id, suspended, ...) finds at once.
_LEECH = (CardProgress.suspended.is_(True), CardProgress.leech.is_(True))
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
    distributions: Distributions


@dataclass(frozen=True)
class Bucket:
    """How many cards have a value in [low, high) (high None: no upper end)."""

    low: float
    high: float | None
    count: int


@dataclass(frozen=True)
class Distributions:
    """Studied cards by stability (days), difficulty (0-1, as Anki shows it) and recall probability now."""

    stability: list[Bucket]
    difficulty: list[Bucket]
    retrievability: list[Bucket]
    cards: int


STABILITY_EDGES = (0, 1, 3, 7, 14, 30, 60, 90, 180, 365)
TENTHS = tuple(i / 10 for i in range(11))


@dataclass(frozen=True)
class Figures:
    """One learner's headline numbers, as the class roster shows them beside other learners'."""

    cards_studied: int
    reviews_7: int
    reviews_30: int
    retention: Retention
    due_today: int
    streak: int


def overview(user: User, now: datetime) -> Overview:
    return Overview(
        reviews=reviews_per_day(user, now),
        retention=true_retention(user, now),
        forecast=forecast(user, now),
        states=cards_by_state(user),
        streak=streak(user, now),
        leeches=leeches(user),
        distributions=distributions(user, now),
    )


def _clock(user: User) -> DayClock:
    return clock_of(user)  # the day alone: no parameters needed (and none looked up)


def _local_dates(user: User, clock: DayClock, days: Sequence[int]) -> list[date]:
    """The calendar date each learner-day starts on (its 4 am), in the learner's time zone."""
    zone = ZoneInfo(user.timezone)
    return [clock.day_start(day).astimezone(zone).date() for day in days]


def _counted_reviews(user_id: Any, start: Any, end: Any) -> list[Any]:
    """This learner's reviews in [start, end) that were not undone (values or bound parameters)."""
    return [ReviewLog.user_id == user_id, *_counted_in(start, end)]


def _counted_in(start: Any, end: Any) -> list[Any]:
    """Reviews in [start, end) that were not undone, whoever gave them; a manual change in the card
    browser (rating 0: forget, reschedule) is logged but is no review."""
    return [
        ReviewLog.undone_at.is_(None),
        ReviewLog.rating >= 1,
        ReviewLog.reviewed_at >= start,
        ReviewLog.reviewed_at < end,
    ]


# True retention counts reviews of cards in the review phase; a pass is Hard, Good or Easy.
_RETAINED_REVIEW = ReviewLog.phase_before == Phase.REVIEW.value
_PASSED = ReviewLog.rating > 1


def _retention_window(clock: DayClock, now: datetime) -> tuple[datetime, datetime]:
    """The span true retention looks at: the learner's last 30 days, up to `now`."""
    today = clock.day_number(now)
    return clock.day_start(today - WINDOW_DAYS + 1), _until(clock.day_start(today + 1), now)


def _due_review_cards(before: datetime) -> list[Any]:
    """Active review cards due before `before` (the forecast's and the backlog's cards)."""
    return [
        CardProgress.suspended.is_(False),
        CardProgress.retired.is_(False),
        CardProgress.phase == Phase.REVIEW.value,
        CardProgress.due < before,
    ]


# Cards studied: every active card the learner has begun, suspended ones included.
_STUDIED = (CardProgress.retired.is_(False), CardProgress.phase != Phase.NEW.value)


def _until(end: datetime, now: datetime) -> datetime:
    """An exclusive upper bound that also leaves out reviews after `now`. One bound, not two: given
    two, SQLite may range-scan the index up to the looser one."""
    return min(end, now + INSTANT)


def _counts_by_day(column: Any, ends: Sequence[datetime], *where: Any) -> list[int]:
    """Rows per day, day i being those whose `column` is below ends[i] but not below ends[i - 1]:
    one indexed SQL query grouping by a CASE over the day ends. Rows before the first day count on
    it unless `where` excludes them (so overdue cards count on today)."""
    day = case(*[(column < end, index) for index, end in enumerate(ends)], else_=None).label("day")
    counts = [0] * len(ends)
    for index, count in db.session.execute(
        select(day, func.count()).where(*where).group_by(literal_column("day"))
    ):
        if index is not None:
            counts[index] = count
    return counts


def reviews_per_day(user: User, now: datetime) -> list[DayCount]:
    """Reviews on each of the learner's last 30 days, today last, days without reviews included."""
    clock = _clock(user)
    today = clock.day_number(now)
    days = list(range(today - WINDOW_DAYS + 1, today + 1))
    start, ends = clock.day_start(days[0]), [clock.day_start(day + 1) for day in days]
    counts = _counts_by_day(
        ReviewLog.reviewed_at, ends, *_counted_reviews(user.id, start, _until(ends[-1], now))
    )
    return [DayCount(d, n) for d, n in zip(_local_dates(user, clock, days), counts, strict=True)]


def true_retention(user: User, now: datetime) -> Retention:
    """The pass rate of reviews of cards in the review phase over the learner's last 30 days."""
    start, end = _retention_window(_clock(user), now)
    total, passed = db.session.execute(
        select(func.count(), func.count(case((_PASSED, 1)))).where(
            *_counted_reviews(user.id, start, end), _RETAINED_REVIEW
        )
    ).one()
    return Retention(passed=int(passed or 0), total=int(total or 0))


def forecast(user: User, now: datetime) -> list[DayCount]:
    """Review cards falling due on each of the next 30 learner-days; overdue ones count on today."""
    clock = _clock(user)
    today = clock.day_number(now)
    days = list(range(today, today + WINDOW_DAYS))
    ends = [clock.day_start(day + 1) for day in days]
    counts = _counts_by_day(
        CardProgress.due,
        ends,
        CardProgress.user_id == user.id,
        *_due_review_cards(ends[-1]),
    )
    return [DayCount(d, n) for d, n in zip(_local_dates(user, clock, days), counts, strict=True)]


def cards_by_state(user: User) -> dict[str, int]:
    """Active cards by phase (suspended ones apart), plus suspended cards and, among them, leeches."""
    mine = [CardProgress.user_id == user.id, CardProgress.retired.is_(False)]
    rows = db.session.execute(
        select(CardProgress.suspended, CardProgress.phase, func.count())
        .where(*mine, CardProgress.suspended.in_([False, True]))  # lets the index seek past `suspended`
        .group_by(CardProgress.suspended, CardProgress.phase)
    )
    states = dict.fromkeys(STATES, 0)
    for suspended, phase, count in rows:
        key = "suspended" if suspended else phase
        states[key] = states.get(key, 0) + count
    states["leech"] = db.session.scalar(select(func.count()).where(*mine, *_LEECH)) or 0
    return states


@lru_cache(maxsize=8)
def _probes(size: int) -> Select[Any]:
    """One statement checking `size` days for a counted review, each an indexed EXISTS probe; built
    once per size, since building SQL expressions costs more than running the probes."""
    return select(
        *[
            exists().where(
                *_counted_reviews(bindparam("user_id"), bindparam(f"start{i}"), bindparam(f"end{i}"))
            )
            for i in range(size)
        ]
    )


def _active_days(user_id: int, clock: DayClock, days: Sequence[int], now: datetime) -> dict[int, bool]:
    """Whether each day has a counted review, in one query."""
    params: dict[str, Any] = {"user_id": user_id}
    for i, day in enumerate(days):
        params[f"start{i}"] = clock.day_start(day)
        params[f"end{i}"] = _until(clock.day_start(day + 1), now)
    row = db.session.execute(_probes(len(days)), params).one()
    return {day: bool(found) for day, found in zip(days, row, strict=True)}


def streak(user: User, now: datetime) -> int:
    """Consecutive learner-days with a review, up to today (or up to yesterday while today has none
    yet, since the streak is still alive). Checked newest first, a week, then ever longer spans at a time."""
    clock = _clock(user)
    return _streak(clock.day_number(now), _day_lookup(user.id, clock, now, {}))


def _streak(today: int, active: Callable[[int], bool]) -> int:
    """The streak ending today, given whether each day has a counted review."""
    day, count = today, 0
    while True:
        if active(day):
            count += 1
        elif day != today:  # a day without reviews ends the streak; an empty today does not
            return count
        day -= 1


def _day_lookup(
    user_id: int, clock: DayClock, now: datetime, known: dict[int, bool]
) -> Callable[[int], bool]:
    """Whether a day has a counted review: from `known`, else probed a week, then ever longer
    spans at a time (going back from the day asked for)."""
    span = 8

    def active(day: int) -> bool:
        nonlocal span
        if day not in known:
            known.update(_active_days(user_id, clock, range(day - span + 1, day + 1), now))
            span = min(span * 2, 64)
        return known[day]

    return active


def leeches(user: User) -> list[Leech]:
    """Cards tagged as leeches (failed too often), most lapses first, with their set and question."""
    rows = db.session.execute(
        select(CardProgress, Card.type, Card.question, ContentSet.slug, ContentSet.title)
        .join(Card, Card.id == CardProgress.card_id)
        .join(ContentSet, ContentSet.id == Card.set_id)
        .where(CardProgress.user_id == user.id, CardProgress.retired.is_(False), *_LEECH)
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


def figures(users: Iterable[User], now: datetime) -> dict[int, Figures]:
    """The headline numbers of many learners at once, by user id, with the same definitions as the
    learner's own page: a few grouped queries per time zone, not a few per learner."""
    by_clock: dict[DayClock, list[int]] = defaultdict(list)
    for user in users:
        by_clock[_clock(user)].append(user.id)
    result: dict[int, Figures] = {}
    for clock, ids in by_clock.items():
        result.update(_figures_in(clock, ids, now))
    return result


def _figures_in(clock: DayClock, ids: list[int], now: datetime) -> dict[int, Figures]:
    """Figures of learners sharing one day clock: reviews by learner and day over the 30-day window
    (which also give retention and most streaks), due review cards, and cards studied."""
    today = clock.day_number(now)
    days = list(range(today - WINDOW_DAYS + 1, today + 1))
    daily = _daily_reviews(clock, ids, days, now)
    due = _per_user(CardProgress.user_id, ids, *_due_review_cards(clock.day_start(today + 1)))
    studied = _per_user(CardProgress.user_id, ids, *_STUDIED)
    known = _days_back_to_a_gap(clock, ids, {u: set(daily.get(u, {})) for u in ids}, days, now)
    result = {}
    for user_id in ids:
        counts = daily.get(user_id, {})
        result[user_id] = Figures(
            cards_studied=studied.get(user_id, 0),
            reviews_7=sum(counts[day][0] for day in days[-7:] if day in counts),
            reviews_30=sum(n for n, _, _ in counts.values()),
            retention=Retention(
                passed=sum(p for _, _, p in counts.values()), total=sum(t for _, t, _ in counts.values())
            ),
            due_today=due.get(user_id, 0),
            streak=_streak(today, _day_lookup(user_id, clock, now, known[user_id])),
        )
    return result


def _days_back_to_a_gap(
    clock: DayClock, ids: list[int], active: dict[int, set[int]], days: list[int], now: datetime
) -> dict[int, dict[int, bool]]:
    """Whether each learner studied on each day, from `days` back to a day without reviews (so the
    streak is known): learners still studying on the earliest day known are looked up further back
    together, one grouped query per ever longer span, rather than one probe per learner."""
    known = {u: {day: day in active[u] for day in days} for u in ids}
    first, span = days[0], len(days)
    going = [u for u in ids if all(known[u][d] for d in days[:-1])]  # today may still be empty
    while going:
        older = list(range(first - span, first))
        found = _daily_reviews(clock, going, older, now)
        for u in going:
            known[u].update({day: day in found.get(u, {}) for day in older})
        going = [u for u in going if all(known[u][d] for d in older)]
        first, span = first - span, min(span * 2, 512)
    return known


def _daily_reviews(
    clock: DayClock, ids: list[int], days: Sequence[int], now: datetime
) -> dict[int, dict[int, tuple[int, int, int]]]:
    """Per learner and day of `days` (consecutive): counted reviews, those retention counts, and
    those passed."""
    start, end = clock.day_start(days[0]), _until(clock.day_start(days[-1] + 1), now)
    ends = [clock.day_start(day + 1) for day in days]
    day = case(*[(ReviewLog.reviewed_at < e, d) for d, e in zip(days, ends, strict=True)]).label("day")
    rows = db.session.execute(
        select(
            ReviewLog.user_id,
            day,
            func.count(),
            func.count(case((_RETAINED_REVIEW, 1))),
            func.count(case((_RETAINED_REVIEW & _PASSED, 1))),
        )
        .where(ReviewLog.user_id.in_(ids), *_counted_in(start, end))
        .group_by(ReviewLog.user_id, literal_column("day"))
    )
    daily: dict[int, dict[int, tuple[int, int, int]]] = defaultdict(dict)
    for user_id, number, total, retained, passed in rows:
        daily[user_id][number] = (total, retained, passed)
    return daily


def _per_user(user_column: Any, ids: list[int], *where: Any) -> dict[int, int]:
    query = select(user_column, func.count()).where(user_column.in_(ids), *where).group_by(user_column)
    return dict(db.session.execute(query).all())


def cards_studied(user: User) -> int:
    """Active cards this learner has begun (past the new phase), suspended ones included."""
    return _per_user(CardProgress.user_id, [user.id], *_STUDIED).get(user.id, 0)


def _buckets(values: Sequence[float], edges: Sequence[float], open_end: bool) -> list[Bucket]:
    """Counts between consecutive edges; the last bucket takes everything above it when `open_end`,
    else it includes its upper edge (a difficulty or recall of exactly 1)."""
    uppers: list[float | None] = [*edges[1:], None] if open_end else list(edges[1:])
    bounds = list(zip(edges, uppers, strict=False))
    counts = [0] * len(bounds)
    for value in values:
        index = next(
            (i for i, (low, high) in enumerate(bounds) if low <= value and (high is None or value < high)),
            len(bounds) - 1,
        )
        counts[index] += 1
    return [Bucket(low, high, count) for (low, high), count in zip(bounds, counts, strict=True)]


def distributions(user: User, now: datetime) -> Distributions:
    """The learner's studied cards by stability, difficulty and retrievability now."""
    states = memory_now(user, now)
    return Distributions(
        stability=_buckets([s for s, _, _ in states], STABILITY_EDGES, open_end=True),
        difficulty=_buckets([d for _, d, _ in states], TENTHS, open_end=False),
        retrievability=_buckets([r for _, _, r in states], TENTHS, open_end=False),
        cards=len(states),
    )
