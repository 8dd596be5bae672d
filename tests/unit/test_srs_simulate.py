"""fsrs-rs's simulator on a learner's deck: workload and memory against desired retention."""

from __future__ import annotations

import random

import pytest

from app.srs import SchedulerConfig
from app.srs.simulate import Deck, DeckCard, Habits, minimum_retention, seed_count, workload

PARAMETERS = SchedulerConfig().parameters


def realistic_deck(reviewed: int = 300, new: int = 200, seed: int = 7) -> Deck:
    """Reviewed cards spread over the last month with stabilities of days to months, and new ones."""
    rng = random.Random(seed)
    cards = []
    for _ in range(reviewed):
        stability = rng.lognormvariate(2.0, 1.0)
        last = -rng.randint(0, 30)
        cards.append(DeckCard(stability, rng.uniform(2, 9), last, last + max(1, round(stability))))
    return Deck(tuple(cards) + (DeckCard(),) * new, new_per_day=20, reviews_per_day=9999)


@pytest.fixture(scope="module")
def grid() -> dict[float, object]:
    deck = realistic_deck()
    return {r: workload(deck, PARAMETERS, r, 365) for r in (0.70, 0.85, 0.90, 0.95, 0.99)}


def test_workload_rises_with_desired_retention(grid: dict) -> None:
    reviews = [grid[r].reviews_per_day for r in sorted(grid)]
    minutes = [grid[r].minutes_per_day for r in sorted(grid)]
    assert reviews == sorted(reviews) and minutes == sorted(minutes)
    assert grid[0.95].reviews_per_day > 1.4 * grid[0.85].reviews_per_day
    assert grid[0.99].reviews_per_day > 2 * grid[0.95].reviews_per_day  # the last points cost the most


def test_memorized_is_a_sensible_count_of_cards(grid: dict) -> None:
    memorized = [grid[r].memorized for r in sorted(grid)]
    assert memorized == sorted(memorized)
    assert 0.6 * 500 < grid[0.70].memorized < grid[0.99].memorized < 500
    # every new card is learned within the year (200 at 20 a day), and none twice
    assert grid[0.90].new_per_day == pytest.approx(200 / 365)


def test_the_simulation_is_deterministic() -> None:
    deck = realistic_deck(60, 20)
    assert workload(deck, PARAMETERS, 0.9, 120) == workload(deck, PARAMETERS, 0.9, 120)


def test_new_cards_come_at_the_daily_limit_and_reviews_follow() -> None:
    deck = Deck((DeckCard(),) * 100, new_per_day=10, reviews_per_day=9999)
    result = workload(deck, PARAMETERS, 0.9, 30)
    assert result.new_per_day == pytest.approx(100 / 30)
    assert result.reviews_per_day > 0 and result.memorized > 80


def test_an_empty_deck_or_no_new_cards_allowed_costs_nothing() -> None:
    empty = workload(Deck(()), PARAMETERS, 0.9, 365)
    held_back = workload(Deck((DeckCard(),) * 50, new_per_day=0), PARAMETERS, 0.9, 365)
    assert empty.minutes_per_day == held_back.minutes_per_day == 0 and held_back.memorized == 0


def test_the_review_limit_caps_reviews_per_day() -> None:
    deck = realistic_deck(300, 0)
    capped = workload(Deck(deck.cards, reviews_per_day=5), PARAMETERS, 0.95, 60)
    assert capped.reviews_per_day <= 5


def test_slower_answers_mean_more_minutes_for_the_same_reviews() -> None:
    deck = realistic_deck(100, 0)
    slow = Habits(costs=tuple(tuple(2 * x for x in row) for row in Habits().costs))
    normal = workload(deck, PARAMETERS, 0.9, 90)
    doubled = workload(Deck(deck.cards, habits=slow), PARAMETERS, 0.9, 90)
    assert doubled.reviews_per_day == normal.reviews_per_day
    assert doubled.minutes_per_day == pytest.approx(2 * normal.minutes_per_day, rel=0.01)


def test_minimum_recommended_retention_lies_in_fsrs_rs_range() -> None:
    value = minimum_retention(realistic_deck(100, 100), PARAMETERS, 0.9, 365)
    assert 0.70 <= value <= 0.95


def test_seed_counts_follow_fsrs_rs() -> None:
    assert seed_count(30) == 180 and seed_count(365) == seed_count(3650) == 16
    assert 16 < seed_count(180) < 180
