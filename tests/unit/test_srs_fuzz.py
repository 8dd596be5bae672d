"""Fuzz spreads intervals within Anki's ranges, deterministically per card and review count."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from app.srs import DayClock, Phase, Rating, SchedulerConfig, SrsCard, answer, next_states
from app.srs.fuzz import constrained_fuzz_bounds, fuzz_factor, with_learning_fuzz, with_review_fuzz

FUZZED = SchedulerConfig()
CLOCK = DayClock()
NOW = datetime(2025, 1, 15, 10, 0, tzinfo=UTC)
REVIEW = SrsCard(
    phase=Phase.REVIEW,
    due=NOW,
    stability=30.0,
    difficulty=5.0,
    last_review=NOW - timedelta(days=30),
    scheduled_days=30,
    reps=6,
)


@pytest.mark.parametrize(
    ("interval", "minimum", "maximum", "lower", "middle", "upper"),
    [
        # Anki's fuzz.rs test table, factors 0, 0.5 and 0.99
        (1.0, 1, 1000, 1, 1, 1),  # no fuzz under 2.5 days
        (2.49, 1, 1000, 2, 2, 2),
        (2.5, 1, 1000, 2, 3, 4),  # 1 day either way from 2.5
        (7.0, 1, 1000, 5, 7, 9),  # + 0.15 per day in 2.5-7
        (17.0, 1, 1000, 14, 17, 20),  # + 0.1 per day in 7-20
        (37.0, 1, 1000, 33, 37, 41),  # + 0.05 per day above 20
        (2.0, 2, 1000, 2, 2, 2),
        (2.0, 3, 1000, 3, 4, 4),  # a range of at least 2 days when the minimum allows
        (2.0, 3, 3, 3, 3, 3),
        (6.9, 3, 1000, 5, 7, 9),
        (19.9, 3, 1000, 17, 20, 23),
        (20.1, 3, 1000, 17, 20, 23),
        (100.0, 101, 1000, 101, 105, 108),  # limits respected, distribution kept uniform
        (100.0, 1, 99, 92, 96, 99),
        (100.0, 97, 103, 97, 100, 103),
    ],
)
def test_review_fuzz_matches_ankis_table(
    interval: float, minimum: int, maximum: int, lower: int, middle: int, upper: int
) -> None:
    got = [with_review_fuzz(interval, minimum, maximum, factor) for factor in (0.0, 0.5, 0.99)]
    assert got == [lower, middle, upper]


def test_without_fuzz_intervals_are_rounded_half_up_and_clamped() -> None:
    assert with_review_fuzz(1.5, 1, 100, None) == 2
    assert with_review_fuzz(0.1, 1, 100, None) == 1
    assert with_review_fuzz(101.0, 1, 100, None) == 100


def test_the_factor_is_fixed_by_seed_and_review_count() -> None:
    assert fuzz_factor(42, 3) == fuzz_factor(42, 3)
    assert fuzz_factor(42, 3) != fuzz_factor(42, 4)
    assert fuzz_factor(42, 3) != fuzz_factor(43, 3)
    assert all(0.0 <= fuzz_factor(seed, 0) < 1.0 for seed in range(500))


def test_the_same_card_and_review_count_get_the_same_intervals() -> None:
    def good_days(now: datetime, seed: int, reps: int = 6) -> int:
        card = replace(REVIEW, reps=reps)
        return next_states(card, now, FUZZED, CLOCK, seed)[Rating.GOOD].card.scheduled_days

    assert next_states(REVIEW, NOW, FUZZED, CLOCK, seed=11) == next_states(
        REVIEW, NOW, FUZZED, CLOCK, seed=11
    )
    # later the same day the FSRS interval is unchanged, so is the fuzzed one
    assert good_days(NOW, 11) == good_days(NOW + timedelta(hours=2), 11)
    # another card, or the same card at another review count, draws again
    assert len({good_days(NOW, seed) for seed in range(20)}) > 5
    assert len({good_days(NOW, 11, reps) for reps in range(20)}) > 5


def test_the_interval_shown_is_the_interval_applied() -> None:
    for seed in range(30):
        shown = next_states(REVIEW, NOW, FUZZED, CLOCK, seed)
        for rating in Rating:
            assert answer(REVIEW, rating, NOW, FUZZED, CLOCK, seed) == shown[rating]


def test_review_intervals_stay_within_ankis_bounds_and_spread() -> None:
    # Good on the due day: S = 30 grows to 30 · (1 + 6.50282 · 6 · 30^-0.1666 · 0.082854)
    # = 30 · (1 + 6.50282 · 6 · 0.56743 · 0.082854) = 30 · 2.83433 = 85.03 days;
    # fuzz 1 + 0.675 + 1.3 + 0.05 · 65.03 = 6.23 days: round(78.80) = 79 to round(91.25) = 91
    seen = {
        next_states(REVIEW, NOW, FUZZED, CLOCK, seed)[Rating.GOOD].card.scheduled_days for seed in range(400)
    }
    assert seen == set(range(79, 92))
    assert constrained_fuzz_bounds(85.03, 31, 36500) == (79, 91)


def test_hard_good_easy_stay_ordered_with_fuzz() -> None:
    for seed in range(300):
        out = next_states(REVIEW, NOW, FUZZED, CLOCK, seed)
        hard, good, easy = (out[r].card.scheduled_days for r in (Rating.HARD, Rating.GOOD, Rating.EASY))
        assert hard < good < easy


def test_easy_graduation_stays_a_day_above_good_with_fuzz() -> None:
    learning = answer(SrsCard.new(), Rating.GOOD, NOW, FUZZED, CLOCK, seed=0).card
    for seed in range(300):
        out = next_states(learning, NOW + timedelta(days=3), FUZZED, CLOCK, seed)
        assert out[Rating.EASY].card.scheduled_days >= out[Rating.GOOD].card.scheduled_days + 1


def test_learning_steps_get_up_to_a_quarter_more_but_at_most_five_minutes() -> None:
    assert with_learning_fuzz(600, None) == 600
    assert {with_learning_fuzz(600, factor / 100) for factor in range(100)} <= set(range(600, 750))
    assert with_learning_fuzz(600, 0.999) == 749
    assert with_learning_fuzz(3600, 0.999) == 3899  # capped at 300 s more
    steps = {answer(SrsCard.new(), Rating.GOOD, NOW, FUZZED, CLOCK, seed).interval for seed in range(200)}
    assert min(steps) >= timedelta(minutes=10)
    assert max(steps) < timedelta(minutes=12, seconds=30)
    assert len(steps) > 50
