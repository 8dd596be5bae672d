"""Interval fuzz, as Anki's `fuzz.rs` and `answering/learning.rs` apply it, seeded deterministically.

Anki seeds its fuzz with card id + review count, so the interval on a button is the interval applied;
Unroll hashes the caller's seed (derived from the card id) with the review count for the same effect.
"""

from __future__ import annotations

import hashlib
import math

# (start, end, factor): a review interval is fuzzed by 1 day plus `factor` per day inside each range.
FUZZ_RANGES = ((2.5, 7.0, 0.15), (7.0, 20.0, 0.1), (20.0, math.inf, 0.05))
LEARNING_FUZZ_SHARE = 0.25
LEARNING_FUZZ_MAX_SECS = 300


def fuzz_factor(seed: int, reps: int) -> float:
    """A number in [0, 1) fixed by the card's seed and review count."""
    digest = hashlib.blake2b(f"{seed}:{reps}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def round_half_up(value: float) -> int:
    """Round halves away from zero (for the non-negative values used here), like Rust's `f32::round`."""
    return math.floor(value + 0.5)


def fuzz_delta(interval: float) -> float:
    """Days of fuzz either way: none under 2.5 days, else 1 day plus a share of each range."""
    if interval < 2.5:
        return 0.0
    return 1.0 + sum(factor * max(min(interval, end) - start, 0.0) for start, end, factor in FUZZ_RANGES)


def constrained_fuzz_bounds(interval: float, minimum: int, maximum: int) -> tuple[int, int]:
    """Anki's `constrained_fuzz_bounds`: the fuzz range kept within [minimum, maximum].

    When clamping collapses the range to one day above 2 that is below the maximum, it is widened by a
    day, so fuzz still spreads cards that would otherwise all land on the minimum.
    """
    minimum = min(minimum, maximum)
    interval = min(max(interval, minimum), maximum)
    delta = fuzz_delta(interval)
    lower = min(max(round_half_up(interval - delta), minimum), maximum)
    upper = min(max(round_half_up(interval + delta), minimum), maximum)
    if upper == lower and 2 < upper < maximum:
        upper = lower + 1
    return lower, upper


def with_review_fuzz(interval: float, minimum: int, maximum: int, factor: float | None) -> int:
    """Whole days for a review interval: fuzzed within its bounds, or rounded and clamped without fuzz.

    The minimum is capped at the maximum first: Anki's unfuzzed clamp would panic when Easy's "Good + 1"
    minimum passes the maximum interval.
    """
    minimum = min(minimum, maximum)
    if factor is None:
        return min(max(round_half_up(interval), minimum), maximum)
    lower, upper = constrained_fuzz_bounds(interval, minimum, maximum)
    return math.floor(lower + factor * (1 + upper - lower))


def with_learning_fuzz(secs: int, factor: float | None) -> int:
    """A learning step lengthened by up to 25%, at most 5 minutes, as Anki does to spread them."""
    if factor is None:
        return secs
    spread = math.floor(min(secs * LEARNING_FUZZ_SHARE, LEARNING_FUZZ_MAX_SECS))
    return secs + math.floor(factor * spread)
