"""Print how long fsrs-rs's simulator takes on a learner's deck: a year's workload at one desired
retention, the settings page's grid, and the minimum recommended retention.

    PYTHONPATH=. .venv/bin/python bench/fsrs_simulate.py [--large]

Wall time and CPU time (all threads: fsrs-rs runs its seeds in parallel) are both printed, since a
busy machine stretches the first but not the second. --large adds a 20,000-card deck.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Callable

from app.srs import SchedulerConfig
from app.srs.simulate import Deck, DeckCard, minimum_retention, workload

PARAMETERS = SchedulerConfig().parameters
GRID = (0.70, 0.75, 0.80, 0.85, 0.90, 0.95, 0.99)


def deck(reviewed: int, new: int, seed: int = 7) -> Deck:
    """Reviewed cards with stabilities of days to months, last seen within a month, and new ones."""
    rng = random.Random(seed)
    cards = []
    for _ in range(reviewed):
        stability = rng.lognormvariate(2.0, 1.0)
        last = -rng.randint(0, 30)
        cards.append(DeckCard(stability, rng.uniform(2, 9), last, last + max(1, round(stability))))
    return Deck(tuple(cards) + (DeckCard(),) * new, new_per_day=20, reviews_per_day=200)


def timed(label: str, run: Callable[[], object]) -> object:
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    print(f"{label:<58} {time.perf_counter() - wall:7.2f} s wall {time.process_time() - cpu:7.2f} s CPU")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also a 20,000-card deck (minutes)")
    run(parser.parse_args().large)


def run(large: bool = False) -> None:
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    decks = {"300 reviewed + 200 new": deck(300, 200)}
    if large:
        decks["15,000 reviewed + 5,000 new"] = deck(15_000, 5_000)
    for name, cards in decks.items():
        result = timed(f"{name}: 365 days at 0.90", lambda c=cards: workload(c, PARAMETERS, 0.90, 365))
        print(f"    {result}")
        if len(cards.cards) <= 1000:
            timed(
                f"{name}: the settings grid ({len(GRID)} retentions)",
                lambda c=cards: [workload(c, PARAMETERS, r, 365) for r in GRID],
            )
        minimum = timed(
            f"{name}: minimum recommended retention",
            lambda c=cards: minimum_retention(c, PARAMETERS, 0.9, 365),
        )
        print(f"    {minimum}")


if __name__ == "__main__":
    main()
