"""Grading settings an author writes: Tolerance, Near miss, Shuffle, {pin} and the set's sources."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from app.content.model import ReviewItem

NEAR_MISS_POLICIES = ("accept", "wrong")
PIN = re.compile(r"[ \t]*\{pin\}[ \t]*$", re.IGNORECASE)
MAX_SOURCES = 40
MAX_SOURCE_CHARS = 500
_TOLERANCE = re.compile(r"^\s*(?:±|\+/-|\+-)?\s*(\d+(?:\.\d*)?|\.\d+)(?:e([-+]?\d{1,3}))?\s*(%)?\s*$", re.I)
_SHUFFLE = {"yes": True, "no": False, "true": True, "false": False}


@dataclass(frozen=True)
class Tolerance:
    """How far a numeric response may be from the expected number: absolute, or a fraction of it."""

    amount: Fraction
    relative: bool = False

    def allows(self, response: Fraction, expected: Fraction) -> bool:
        limit = self.amount * abs(expected) if self.relative else self.amount
        return abs(response - expected) <= limit


def parse_tolerance(text: str) -> Tolerance | None:
    """`0.01` (absolute) or `1%` (relative); None when the text is neither."""
    match = _TOLERANCE.match(text)
    if not match:
        return None
    amount = Fraction(match.group(1)) * Fraction(10) ** int(match.group(2) or 0)
    return Tolerance(amount / 100, True) if match.group(3) else Tolerance(amount)


def parse_near_miss(text: str) -> str | None:
    """'accept' or 'wrong' (any case); None when the text is neither."""
    value = text.strip().lower()
    return value if value in NEAR_MISS_POLICIES else None


def parse_shuffle(text: str) -> bool | None:
    """`Shuffle: no` keeps the written order; None when the text is not yes or no."""
    return _SHUFFLE.get(text.strip().lower())


def grading_details(item: ReviewItem) -> dict[str, Any]:
    """The grading settings of a question, to store with its card (in `Card.details`) and pass
    back to `app.quiz.grading.grade`: `tolerance` ('' or e.g. '0.01', '1%'), `near_miss`
    ('', 'accept' or 'wrong'), `shuffle` (bool) and `pinned` (option indexes kept in place)."""
    return {
        "tolerance": item.tolerance,
        "near_miss": item.near_miss,
        "shuffle": item.shuffle,
        "pinned": [i for i, option in enumerate(item.options) if option.pinned],
    }


def check_sources(value: object) -> tuple[tuple[str, ...], str | None]:
    """Front matter `sources`: a list of non-empty strings, bounded; or an error message."""
    if value is None:
        return (), None
    hint = 'write sources = ["Author (Year). Title.", ...]'
    if not isinstance(value, list):
        return (), f"sources must be a list of strings: {hint}"
    if len(value) > MAX_SOURCES:
        return (), f"sources lists {len(value)} entries, over the limit of {MAX_SOURCES}: keep the main ones"
    for number, source in enumerate(value, 1):
        if not isinstance(source, str) or not source.strip():
            return (), f"source {number} is not a non-empty string: {hint}"
        if len(source) > MAX_SOURCE_CHARS:
            return (
                (),
                f"source {number} is {len(source)} characters long, over {MAX_SOURCE_CHARS}: shorten it",
            )
    return tuple(s.strip() for s in value), None
