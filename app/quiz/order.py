"""The order choice options are shown in: shuffled per seed, with pinned options kept in place."""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping
from typing import Any


def option_order(option_count: int, pinned_positions: Collection[int], seed: int | str) -> list[int]:
    """The written index of the option shown at each place: the same for the same seed, every
    order of the unpinned options equally likely, each pinned index at its own place.

    For `Shuffle: no`, pass every position as pinned (or use `order_for`)."""
    pinned = {p for p in pinned_positions if 0 <= p < option_count}
    free = [i for i in range(option_count) if i not in pinned]
    random.Random(f"unroll-options:{seed}").shuffle(free)  # a str seed is stable across processes
    moving = iter(free)
    return [i if i in pinned else next(moving) for i in range(option_count)]


def order_for(details: Mapping[str, Any], seed: int | str) -> list[int]:
    """`option_order` for a card's stored details (`options`, `shuffle`, `pinned`)."""
    count = len(details.get("options", []))
    if details.get("shuffle") is False:
        return list(range(count))
    return option_order(count, details.get("pinned", []), seed)
