"""What a desired retention costs: fsrs-rs's simulator run on a learner's own cards.

fsrs-rs (`src/simulation.rs`, the code Anki's simulator runs) simulates a deck day by day: each due
card is reviewed (recalled with its retrievability, rated Hard/Good/Easy with the review rating
probabilities), new cards are learned at the daily limit, the review limit postpones the rest, and
every review costs the seconds of its state and rating. The simulation starts from the cards' real
memory states (stability, difficulty, last review day, due day, counted from today = day 0).

fsrs-rs-python 0.9.3 exposes `simulate` without existing cards, but its `optimal_retention` passes
cards through to fsrs-rs's `simulate` and hands each run to a `target` callback. `workload` uses that
door: every card (the learner's new cards too, as cards not yet learned) carries the retention asked
about, so the deck holds no card the search would generate and every run simulates exactly the
learner's deck at that retention. fsrs-rs runs 16 seeds (42..57) for a horizon of a year or more and
more for shorter ones; the figures are their means, so they are deterministic. The search itself runs
its seeds 4 times over (same seeds, same results), which the callback ignores: three quarters of the
time go to these repeats, the price of reaching fsrs-rs's simulate with existing cards this way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import fsrs_rs_python as fsrs_rs

MIN_RETENTION = 0.70  # fsrs-rs's search range for the minimum recommended retention: [0.70, 0.95]
MAX_RETENTION = 0.99
NO_COST_CAP = 1e9  # seconds: Anki's simulator lets a day take as long as its cards need

_DEFAULTS = fsrs_rs.default_simulator_config()
DEFAULT_COSTS: tuple[tuple[float, ...], ...] = tuple(
    tuple(round(x, 2) for x in row) for row in _DEFAULTS.state_rating_costs
)
DEFAULT_FIRST_RATINGS: tuple[float, ...] = tuple(round(x, 3) for x in _DEFAULTS.first_rating_prob)
DEFAULT_REVIEW_RATINGS: tuple[float, ...] = tuple(round(x, 3) for x in _DEFAULTS.review_rating_prob)


@dataclass(frozen=True)
class DeckCard:
    """A card as the simulator sees it. Days count from today (day 0); a new card has no state."""

    stability: float | None = None
    difficulty: float | None = None
    last_day: int = 0
    due_day: int = 0

    @property
    def is_new(self) -> bool:
        return self.stability is None or self.difficulty is None


@dataclass(frozen=True)
class Habits:
    """How a learner studies: seconds per answer for each state (learning, review, relearning) and
    rating (Again..Easy), first ratings of new cards, and Hard/Good/Easy shares of recalled reviews.
    """

    costs: tuple[tuple[float, ...], ...] = DEFAULT_COSTS
    first_ratings: tuple[float, ...] = DEFAULT_FIRST_RATINGS
    review_ratings: tuple[float, ...] = DEFAULT_REVIEW_RATINGS


@dataclass(frozen=True)
class Deck:
    """A learner's deck and limits: what the simulation starts from."""

    cards: tuple[DeckCard, ...]
    new_per_day: int = 20
    reviews_per_day: int = 200
    maximum_interval_days: int = 36500
    habits: Habits = field(default_factory=Habits)

    @property
    def new_count(self) -> int:
        return sum(1 for card in self.cards if card.is_new)


@dataclass(frozen=True)
class Workload:
    """Means over the horizon: reviews (of cards already learned) and minutes per day, first
    sights of new cards per day, and cards memorized on the last day (the sum of retrievability)."""

    desired_retention: float
    reviews_per_day: float
    new_per_day: float
    minutes_per_day: float
    memorized: float


def _config(deck: Deck, days: int, deck_size: int) -> fsrs_rs.SimulatorConfig:
    config = fsrs_rs.default_simulator_config()
    config.deck_size = max(1, deck_size)
    config.learn_span = days
    config.max_cost_perday = NO_COST_CAP
    config.max_ivl = float(deck.maximum_interval_days)
    config.learn_limit = deck.new_per_day
    config.review_limit = deck.reviews_per_day
    config.new_cards_ignore_review_limit = True  # Anki's default: new cards are not held back by reviews
    config.state_rating_costs = [list(row) for row in deck.habits.costs]
    config.first_rating_prob = list(deck.habits.first_ratings)
    config.review_rating_prob = list(deck.habits.review_ratings)
    config.learning_step_count = 2  # Unroll's learning steps: 1m 10m
    config.relearning_step_count = 1  # and relearning step: 10m
    return config


def _card(
    index: int, card: DeckCard, retention: float, parameters: Sequence[float], new_rank: int, limit: int
) -> fsrs_rs.Card:
    sim = fsrs_rs.Card()
    sim.id = index + 1
    sim.desired_retention = retention
    sim.parameters = list(parameters)
    if card.is_new:
        # Not yet learned (last_date stays -inf); the positive placeholder stability keeps fsrs-rs from
        # dropping it; learning replaces it. New cards come in rank order at the daily limit.
        sim.stability = 1.0
        sim.due = float(new_rank // limit) if limit else math.inf
    else:
        sim.stability = float(card.stability or 0.0)
        sim.difficulty = float(card.difficulty or 0.0)
        sim.last_date = float(min(0, card.last_day))
        sim.due = float(max(0, card.due_day))
        sim.interval = max(1.0, sim.due - sim.last_date)
    return sim


def _sim_cards(deck: Deck, retention: float, parameters: Sequence[float]) -> list[fsrs_rs.Card]:
    cards, rank = [], 0
    for index, card in enumerate(deck.cards):
        if card.is_new and deck.new_per_day == 0:
            continue  # never learned within any horizon
        cards.append(_card(index, card, retention, parameters, rank, deck.new_per_day))
        rank += card.is_new
    return cards


def seed_count(days: int) -> int:
    """How many seeds fsrs-rs's retention search runs for a horizon (its `sample_size`)."""
    if days <= 30:
        return 180
    if days < 365:
        factor = 8.20e-7 * days**2 + 2.41e-3 * days + 1.30e-2
        return round(16.0 / factor)
    return 16


def _runs(
    deck: Deck, parameters: Sequence[float], retention: float, days: int
) -> list[fsrs_rs.SimulationResult]:
    cards = _sim_cards(deck, retention, parameters)
    if not cards:
        return []
    wanted = seed_count(days)
    runs: list[fsrs_rs.SimulationResult] = []
    calls = 0

    def collect(result: fsrs_rs.SimulationResult, _w: Sequence[float]) -> float:
        nonlocal calls
        calls += 1
        if len(runs) < wanted:
            runs.append(result)
        # Every later round of seeds scores worse than the first, which ends the search soonest
        # (4 rounds instead of 7): they only repeat the same seeds.
        return float(calls // wanted)

    fsrs_rs.optimal_retention(_config(deck, days, len(cards)), list(parameters), cards, collect)
    return runs


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values) if values else 0.0


def workload(deck: Deck, parameters: Sequence[float], retention: float, days: int) -> Workload:
    """Reviews, minutes and memorized cards at `retention` over `days` days from today."""
    runs = _runs(deck, parameters, retention, days)
    if not runs:
        return Workload(retention, 0.0, 0.0, 0.0, 0.0)
    return Workload(
        desired_retention=retention,
        reviews_per_day=_mean([sum(r.review_cnt_per_day) / days for r in runs]),
        new_per_day=_mean([sum(r.learn_cnt_per_day) / days for r in runs]),
        minutes_per_day=_mean([sum(r.cost_per_day) / days / 60 for r in runs]),
        memorized=_mean([r.memorized_cnt_per_day[-1] for r in runs]),
    )


def minimum_retention(deck: Deck, parameters: Sequence[float], current: float, days: int) -> float:
    """fsrs-rs's minimum recommended retention (Anki's "compute minimum recommended retention"):
    the retention in [0.70, 0.95] with the least study time per card memorized at the horizon.

    Reviewed cards keep the learner's `current` retention, as fsrs-rs keeps each existing card's
    own; the search varies the retention of the cards learned from now on. A deck without new cards
    is searched as if all its cards were new, since no new card would feel the retention otherwise.
    """
    reviewed = [_card(i, c, current, parameters, 0, 1) for i, c in enumerate(deck.cards) if not c.is_new]
    new = deck.new_count
    if new == 0 or deck.new_per_day == 0:
        reviewed, new = [], max(len(deck.cards), 1)
    config = _config(deck, days, len(reviewed) + new)
    config.learn_limit = max(1, deck.new_per_day)
    return round(fsrs_rs.optimal_retention(config, list(parameters), reviewed or None), 2)  # f32 to 2 places
