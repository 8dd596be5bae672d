"""A learner's workload at each desired retention: their cards, limits and answer times, simulated.

Read-only. The deck is the learner's active cards (suspended and retired ones left out) with their
memory states and due days in the learner's own study days; answer times come from their review log
when it holds enough timed answers (see `habits_of`). CPU is bounded: at most MAX_RETENTIONS
retentions, each in [0.70, 0.99], over at most MAX_DAYS days, and at most WORK_BUDGET card-days in
all, so one request takes seconds at worst.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app.extensions import db
from app.models import CardProgress, ReviewLog, User
from app.services.fsrs_params import parameters_for
from app.srs import DayClock, Phase
from app.srs import simulate as sim

MAX_DAYS = 3650
MAX_RETENTIONS = 10
MIN_RETENTION, MAX_RETENTION = sim.MIN_RETENTION, sim.MAX_RETENTION
# cards x days x retentions: 1.5 million took 3.6 s of CPU (500 cards, 8 retentions, a year), and
# large decks cost more per card-day (bench/fsrs_simulate.py); beyond this a request is refused (422)
# and the settings page says the deck is too large to chart.
WORK_BUDGET = 3_000_000
MIN_TIMED = 10  # timed answers of one state and rating before the learner's own mean replaces the default
MAX_TIMED_MS = 1_200_000  # fsrs-rs ignores answers of 20 minutes or more (and of 0 ms)
SMOOTHING = 50  # fsrs-rs blends rating shares with its defaults by n / (n + 50)
_STATE = {
    Phase.NEW.value: 0,
    Phase.LEARNING.value: 0,
    Phase.REVIEW.value: 1,
    Phase.RELEARNING.value: 2,
}


class SimulationError(ValueError):
    """A request the simulator will not run, with the reason a learner can act on."""


@dataclass(frozen=True)
class Simulation:
    results: list[sim.Workload]
    minimum_recommended_retention: float | None
    cards: int
    new_cards: int
    timed_answers: int


def _parameters(user: User) -> tuple[float, ...]:
    return parameters_for(user)


def check_request(retentions: Sequence[float], days: int, cards: int = 0) -> None:
    """Raise SimulationError unless the request is within the CPU bounds."""
    if not 1 <= len(retentions) <= MAX_RETENTIONS:
        raise SimulationError(f"Ask for 1 to {MAX_RETENTIONS} desired retentions, not {len(retentions)}.")
    for value in retentions:
        if not (math.isfinite(value) and MIN_RETENTION <= value <= MAX_RETENTION):
            raise SimulationError(
                f"Each desired retention must be between {MIN_RETENTION} and {MAX_RETENTION}; got {value}."
            )
    if not 1 <= days <= MAX_DAYS:
        raise SimulationError(f"days must be between 1 and {MAX_DAYS}; got {days}.")
    if cards * days * len(retentions) > WORK_BUDGET:
        raise SimulationError(
            f"Simulating {cards} cards over {days} days at {len(retentions)} retentions is too much work "
            "for one request: ask for fewer days or fewer retentions."
        )


def deck_of(user: User, now: datetime) -> tuple[sim.DeckCard, ...]:
    """The learner's active cards, reviewed ones with their state and days counted from today."""
    clock = DayClock(timezone=user.timezone, day_start_hour=4)
    today = clock.day_number(now)
    rows = db.session.execute(
        select(CardProgress.stability, CardProgress.difficulty, CardProgress.last_review, CardProgress.due)
        .where(
            CardProgress.user_id == user.id,
            CardProgress.suspended.is_(False),
            CardProgress.retired.is_(False),
        )
        .order_by(CardProgress.phase == Phase.NEW.value, CardProgress.new_rank, CardProgress.id)
    )
    cards = []
    for stability, difficulty, last_review, due in rows:
        if stability is None or difficulty is None or last_review is None:
            cards.append(sim.DeckCard())
            continue
        due_day = clock.day_number(due) - today if due is not None else 0
        cards.append(sim.DeckCard(stability, difficulty, clock.day_number(last_review) - today, due_day))
    return tuple(cards)


def _answers(user: User) -> list[tuple[str, int, int]]:
    query = select(ReviewLog.phase_before, ReviewLog.rating, ReviewLog.duration_ms).where(
        ReviewLog.user_id == user.id,
        ReviewLog.undone_at.is_(None),
        ReviewLog.rating.between(1, 4),
        ReviewLog.source != "manual",
    )
    return [(phase, rating, ms) for phase, rating, ms in db.session.execute(query)]


def _blend(counts: Counter[int], ratings: Sequence[int], defaults: Sequence[float]) -> tuple[float, ...]:
    total = sum(counts[r] for r in ratings)
    if not total:
        return tuple(defaults)
    weight = total / (total + SMOOTHING)
    return tuple(
        weight * counts[r] / total + (1 - weight) * d for r, d in zip(ratings, defaults, strict=True)
    )


def habits_of(answers: Sequence[tuple[str, int, int]]) -> tuple[sim.Habits, int]:
    """Seconds per answer of each state and rating: the learner's mean where they have MIN_TIMED
    timed answers, else fsrs-rs's default; rating shares blended with the defaults as fsrs-rs does."""
    timed: dict[tuple[int, int], list[int]] = defaultdict(list)
    first: Counter[int] = Counter()
    recalled: Counter[int] = Counter()
    for phase, rating, ms in answers:
        state = _STATE.get(phase)
        if state is None:
            continue
        if 0 < ms < MAX_TIMED_MS:
            timed[(state, rating)].append(ms)
        if phase == Phase.NEW.value:
            first[rating] += 1
        elif phase == Phase.REVIEW.value and rating > 1:
            recalled[rating] += 1
    costs = tuple(
        tuple(
            sum(timed[(state, rating)]) / len(timed[(state, rating)]) / 1000
            if len(timed[(state, rating)]) >= MIN_TIMED
            else sim.DEFAULT_COSTS[state][rating - 1]
            for rating in (1, 2, 3, 4)
        )
        for state in (0, 1, 2)
    )
    habits = sim.Habits(
        costs=costs,
        first_ratings=_blend(first, (1, 2, 3, 4), sim.DEFAULT_FIRST_RATINGS),
        review_ratings=_blend(recalled, (2, 3, 4), sim.DEFAULT_REVIEW_RATINGS),
    )
    return habits, sum(len(v) for v in timed.values())


def simulate(user: User, now: datetime, retentions: Sequence[float], days: int = 365) -> Simulation:
    """The learner's workload at each retention over `days` days, and the minimum recommended one."""
    cards = deck_of(user, now)
    check_request(retentions, days, len(cards))
    habits, timed = habits_of(_answers(user))
    deck = sim.Deck(cards, user.new_per_day, user.reviews_per_day, user.maximum_interval_days, habits)
    parameters = _parameters(user)
    results = [sim.workload(deck, parameters, round(r, 4), days) for r in retentions]
    return Simulation(
        results, _minimum(deck, parameters, user.desired_retention, days), len(cards), deck.new_count, timed
    )


def _minimum(deck: sim.Deck, parameters: Sequence[float], current: float, days: int) -> float | None:
    if not deck.cards:
        return None
    try:
        return sim.minimum_retention(deck, parameters, current, days)
    except (ValueError, RuntimeError):  # fsrs-rs found no minimum in [0.70, 0.95]
        return None


GRID = (0.70, 0.75, 0.80, 0.85, 0.90, 0.95, 0.99)
PAGE_DAYS = 365
CACHE_SECONDS = 1800
REVIEWS_PER_REFRESH = 25  # a forecast a few reviews old is as good: recompute after this many
_cache: dict[tuple[object, ...], tuple[float, Simulation]] = {}
_cache_lock = threading.Lock()


def _deck_key(user: User) -> tuple[object, ...]:
    reviews = db.session.scalar(select(func.count(ReviewLog.id)).where(ReviewLog.user_id == user.id)) or 0
    active, new = db.session.execute(
        select(func.count(), func.count().filter(CardProgress.phase == Phase.NEW.value)).where(
            CardProgress.user_id == user.id,
            CardProgress.suspended.is_(False),
            CardProgress.retired.is_(False),
        )
    ).one()
    return (
        user.id,
        user.cards_version,
        active,
        new,
        reviews // REVIEWS_PER_REFRESH,
        user.new_per_day,
        user.reviews_per_day,
        user.maximum_interval_days,
        user.desired_retention,
        user.timezone,
        _parameters(user),
    )


def page_grid(current: float) -> tuple[float, ...]:
    """GRID and the learner's current retention (to two places), in order."""
    return tuple(sorted({*GRID, round(current, 2)}))


def page_simulation(user: User, now: datetime) -> Simulation:
    """The settings page's grid, cached for CACHE_SECONDS per learner, deck, limits, retention and
    parameters; every REVIEWS_PER_REFRESH reviews, a card change or a settings change computes it anew."""
    key = (*_deck_key(user), now.date())
    with _cache_lock:
        hit = _cache.get(key)
        if hit and time.monotonic() - hit[0] < CACHE_SECONDS:
            return hit[1]
    result = simulate(user, now, page_grid(user.desired_retention), PAGE_DAYS)
    with _cache_lock:
        stale = [k for k, (at, _) in _cache.items() if time.monotonic() - at >= CACHE_SECONDS]
        for k in stale:
            del _cache[k]
        _cache[key] = (time.monotonic(), result)
    return result
