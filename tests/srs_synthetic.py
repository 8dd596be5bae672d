"""Synthetic learners whose memory follows known FSRS-6 parameters, for testing the optimizer.

The learner studies with Unroll's scheduler (default parameters, fuzz on) and answers each card as a
memory with the TRUE parameters would: recall is drawn with the FSRS forgetting curve of the card's
true stability, and the true memory state then steps as FSRS-6 says. Same seed, same log.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.srs import DayClock, Phase, Rating, SchedulerConfig, SrsCard, answer
from app.srs.memory import MemoryState, next_memory_states, retrievability
from app.srs.optimize import LogEntry, kind_of

# A learner unlike the defaults: remembers a first "Good" for 6 days (default 2.3), forgets faster
# after lapses and has a flatter forgetting curve.
TRUE_PARAMETERS: tuple[float, ...] = (
    0.6, 2.5, 6.0, 20.0, 6.0, 0.6, 2.2, 0.02, 1.4, 0.25, 0.9, 1.9, 0.09, 0.35, 1.5, 0.4, 2.2,
    0.5, 0.1, 0.07, 0.35,
)  # fmt: skip
FIRST_RATINGS = ((Rating.AGAIN, 0.15), (Rating.HARD, 0.1), (Rating.GOOD, 0.65), (Rating.EASY, 0.1))
START = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


@dataclass
class _Card:
    card_id: int
    srs: SrsCard
    truth: MemoryState | None = None
    last_seen: datetime | None = None


@dataclass(frozen=True)
class Review:
    card_id: int
    reviewed_at: datetime
    rating: int
    phase_before: str


def synthetic_log(
    true_parameters: tuple[float, ...] = TRUE_PARAMETERS,
    cards: int = 300,
    days: int = 240,
    new_per_day: int = 10,
    seed: int = 7,
    clock: DayClock | None = None,
) -> list[Review]:
    """A learner's review log: `new_per_day` new cards a day until `cards`, every due card reviewed
    once a day around noon (learning steps the same afternoon), for `days` days."""
    rng = random.Random(seed)
    clock = clock or DayClock("UTC", 4)
    config = SchedulerConfig()
    deck = [_Card(card_id, SrsCard.new()) for card_id in range(1, cards + 1)]
    log: list[Review] = []
    introduced = 0
    for day in range(days):
        now = START + timedelta(days=day)
        introduced = min(cards, introduced + new_per_day)
        end = clock.day_start(clock.day_number(now) + 1) - timedelta(hours=2)
        while now < end:
            due = [c for c in deck[:introduced] if c.srs.due is None or c.srs.due <= now]
            if not due:
                later = [c.srs.due for c in deck[:introduced] if c.srs.due is not None and c.srs.due < end]
                if not later:
                    break
                now = min(later)  # type: ignore[type-var]
                continue
            for card in due:
                log.append(_study(card, now, rng, true_parameters, config, clock))
                now += timedelta(seconds=8)
    return log


def _study(
    card: _Card,
    now: datetime,
    rng: random.Random,
    truth: tuple[float, ...],
    config: SchedulerConfig,
    clock: DayClock,
) -> Review:
    rating = _rating(card, now, rng, truth)
    review = Review(card.card_id, now, int(rating), card.srs.phase.value)
    elapsed = 0 if card.last_seen is None else clock.day_number(now) - clock.day_number(card.last_seen)
    card.truth = next_memory_states(truth, 0.9, card.truth, elapsed)[rating].memory
    card.last_seen = now
    card.srs = answer(card.srs, rating, now, config, clock, card.card_id).card
    return review


def _rating(card: _Card, now: datetime, rng: random.Random, truth: tuple[float, ...]) -> Rating:
    if card.truth is None:
        roll, total = rng.random(), 0.0
        for rating, share in FIRST_RATINGS:
            total += share
            if roll < total:
                return rating
        return Rating.EASY
    assert card.last_seen is not None
    days = (now - card.last_seen).total_seconds() / 86_400
    if rng.random() >= retrievability(truth, card.truth.stability, days):  # type: ignore[arg-type]
        return Rating.AGAIN
    roll = rng.random()
    return Rating.HARD if roll < 0.1 else Rating.EASY if roll > 0.92 else Rating.GOOD


def entries(log: list[Review]) -> list[LogEntry]:
    """The log as the optimizer's entries."""
    return [LogEntry(r.card_id, r.reviewed_at, r.rating, kind_of(r.phase_before, r.rating)) for r in log]


def as_file(log: list[Review], timezone: str = "UTC", day_start_hour: int = 4) -> dict[str, object]:
    """The log as a `flask srs optimize` FILE document."""
    return {
        "timezone": timezone,
        "day_start_hour": day_start_hour,
        "reviews": [
            {"card_id": r.card_id, "reviewed_at": r.reviewed_at.isoformat(), "rating": r.rating} for r in log
        ],
    }


def phase_is_new(review: Review) -> bool:
    return review.phase_before == Phase.NEW.value
