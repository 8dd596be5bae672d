"""FSRS-6 memory states and intervals, as fsrs-rs (the crate inside Anki) computes them.

The formulas come from the `fsrs` library's Scheduler. Checked term by term against fsrs-rs
`model.rs` (FSRS-6): initial stability and difficulty, difficulty update with linear damping and mean
reversion, stability after recall (hard penalty, easy bonus) and after a lapse (capped by
S / e^(w17·w18)), and same-day stability S·e^(w17·(G−3+w18))·S^(−w19), floored at S for Hard, Good and
Easy: Anki keeps S unchanged after a same-day Hard, which is the library's rule. Two things the library
leaves out are added here: fsrs-rs clamps the previous state into S ∈ [0.001, 36500], D ∈ [1, 10]
before a step and the new stability into [0.001, 36500] after it; and Anki counts elapsed time in
whole days from the card's last review to the next day rollover (see `scheduler.elapsed_days`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from fsrs import Rating as FsrsRating
from fsrs import Scheduler as FsrsScheduler
from fsrs.scheduler import MAX_DIFFICULTY, MIN_DIFFICULTY, STABILITY_MIN

from app.srs.values import Rating

STABILITY_MAX = 36500.0


@dataclass(frozen=True)
class MemoryState:
    """FSRS stability (days until recall probability falls to 90%) and difficulty (1-10)."""

    stability: float
    difficulty: float


@dataclass(frozen=True)
class NextState:
    """The memory state after one rating, and the interval in days FSRS would give it."""

    memory: MemoryState
    interval: float


def next_memory_states(
    parameters: tuple[float, ...], retention: float, current: MemoryState | None, elapsed_days: int
) -> dict[Rating, NextState]:
    """fsrs-rs `next_states`: the memory state and raw interval after each of the four ratings."""
    result = {}
    for rating in Rating:
        memory = _step(parameters, current, elapsed_days, rating)
        result[rating] = NextState(memory, next_interval(parameters, retention, memory.stability))
    return result


def next_interval(parameters: tuple[float, ...], retention: float, stability: float) -> float:
    """Days until recall probability falls to `retention`: fsrs-rs `next_interval`, before rounding."""
    decay = -parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    return stability / factor * (retention ** (1 / decay) - 1)


def retrievability(parameters: tuple[float, ...], stability: float, elapsed_days: int) -> float:
    """FSRS-6 power forgetting curve: recall probability `elapsed_days` after the last review."""
    decay = -parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    return (1 + factor * elapsed_days / stability) ** decay


def _step(
    parameters: tuple[float, ...], current: MemoryState | None, elapsed_days: int, rating: Rating
) -> MemoryState:
    fsrs = _formulas(parameters)
    grade = FsrsRating(int(rating))
    if current is None:
        stability = fsrs._initial_stability(rating=grade)
        difficulty = fsrs._initial_difficulty(rating=grade, clamp=True)
        return MemoryState(_clamp_stability(stability), difficulty)
    last_s = _clamp_stability(current.stability)
    last_d = min(max(current.difficulty, MIN_DIFFICULTY), MAX_DIFFICULTY)
    if elapsed_days == 0:
        stability = fsrs._short_term_stability(stability=last_s, rating=grade)
    else:
        recall = retrievability(parameters, last_s, elapsed_days)
        stability = fsrs._next_stability(
            difficulty=last_d, stability=last_s, retrievability=recall, rating=grade
        )
    difficulty = fsrs._next_difficulty(difficulty=last_d, rating=grade)
    return MemoryState(_clamp_stability(stability), difficulty)


def _clamp_stability(stability: float) -> float:
    return min(max(stability, STABILITY_MIN), STABILITY_MAX)


@lru_cache(maxsize=64)
def _formulas(parameters: tuple[float, ...]) -> FsrsScheduler:
    """The fsrs library's scheduler, used only for its formula methods (it validates the parameters)."""
    return FsrsScheduler(parameters=parameters, enable_fuzzing=False)
