"""What the /settings "FSRS parameters" section shows, and reading its parameter form."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from werkzeug.datastructures import MultiDict

from app.models import User
from app.services import classes, fsrs_params
from app.srs import optimize as opt
from app.srs.config import PARAMETER_BOUNDS

PARAMETER_COUNT = 21
MAX_TYPED = 40  # no parameter needs more characters than this


@dataclass
class FsrsSection:
    """The section's state for one page: the typed parameters (after a refused change), their error,
    and an Evaluate result."""

    typed: list[str] | None = None
    error: str | None = None
    invalid: frozenset[int] = frozenset()
    evaluated: fsrs_params.Evaluated | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def context(user: User, now: datetime, section: FsrsSection | None = None) -> dict[str, Any]:
    """Template values for the section (runs the monthly auto-optimize first when it is due)."""
    section = section or FsrsSection()
    fsrs_params.maybe_auto_optimize(user, now)
    state = fsrs_params.status(user)
    data = fsrs_params.training_for([user.id], fsrs_params.clock_of(user), now)
    taught = classes.taught_by(user) if user.is_instructor else []
    return {
        "fsrs": state,
        "fsrs_values": section.typed or [_shown(w) for w in state.params],
        "fsrs_error": section.error,
        "fsrs_invalid": section.invalid,
        "fsrs_bounds": PARAMETER_BOUNDS,
        "fsrs_evaluated": section.evaluated,
        "fsrs_items": len(data.items),
        "fsrs_reviews": data.review_count,
        "fsrs_min_items": opt.MIN_ITEMS_ANY_FIT,
        "fsrs_full_items": opt.MIN_ITEMS_FULL_FIT,
        "fsrs_classes": taught,
    }


def _shown(value: float) -> str:
    return f"{value:.4f}"


def typed_parameters(form: MultiDict[str, str]) -> tuple[list[str], list[float] | FsrsSection]:
    """The 21 values as typed, and the numbers, or the section showing what is wrong with them."""
    typed = [(form.get(f"w{i}") or "").strip()[:MAX_TYPED] for i in range(PARAMETER_COUNT)]
    numbers = []
    for index, text in enumerate(typed):
        try:
            number = float(text)
        except ValueError:
            message = f"w{index} must be a number, got {text!r}." if text else f"w{index} is empty."
            return typed, FsrsSection(typed=typed, error=message, invalid=frozenset({index}))
        if not math.isfinite(number):
            return typed, FsrsSection(
                typed=typed, error=f"w{index} must be a finite number.", invalid=frozenset({index})
            )
        numbers.append(number)
    return typed, numbers


def refused(typed: list[str], numbers: list[float], message: str) -> FsrsSection:
    """The section after the service refused numbers: each one out of its bounds is marked."""
    outside = frozenset(
        i
        for i, (w, (low, high)) in enumerate(zip(numbers, PARAMETER_BOUNDS, strict=False))
        if not low <= w <= high
    )
    return FsrsSection(typed=typed, error=message, invalid=outside)
