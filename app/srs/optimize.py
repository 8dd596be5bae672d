"""Fit and evaluate FSRS-6 parameters on a review log, as Anki's Optimize and Evaluate do.

Training items are built as Anki's `rslib/src/scheduler/fsrs/params.rs` builds them
(`fsrs_items_for_training` and `reviews_for_fsrs` with `training = true`); fitting and evaluation
run in fsrs-rs itself through `fsrs_rs_python` (`compute_parameters`, `evaluate`). The rules and
where each comes from are in docs/scheduling.md ("Personal parameters").
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import fsrs_rs_python as fsrs_rs
from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from app.srs.clock import DayClock

DEFAULT_PARAMETERS: tuple[float, ...] = tuple(fsrs_rs.DEFAULT_PARAMETERS)
# fsrs-rs `compute_parameters` (training.rs): below 8 items left after its outlier filter it returns
# the default parameters; below 64 (or when every item is a first interday review) it fits only the
# four initial stabilities (pre_training.rs `pretrain`) and keeps the rest at their defaults.
MIN_ITEMS_ANY_FIT = 8
MIN_ITEMS_FULL_FIT = 64
DAY_SECONDS = 86_400
Review = tuple[int, int]  # (rating 1-4, days since the previous review: fsrs-rs FSRSReview)


class Kind(StrEnum):
    """Anki's revlog review kinds that matter to training (`RevlogReviewKind`)."""

    LEARNING = "learning"
    REVIEW = "review"
    RELEARNING = "relearning"
    MANUAL = "manual"


@dataclass(frozen=True)
class LogEntry:
    """One row of a review log. `rating` 0 is a manual change (Anki's Manual entry); `reset` marks
    the manual change that made the card new again (Anki's Reset: Manual with ease factor 0)."""

    card_id: int
    at: datetime
    rating: int
    kind: Kind
    reset: bool = False


@dataclass(frozen=True)
class TrainingSet:
    """FSRS items in Anki's order (by the time of their last review), with the card of each and the
    number of reviews they were built from (Anki's `review_count`)."""

    items: tuple[tuple[Review, ...], ...]
    card_ids: tuple[int, ...]
    review_count: int


@dataclass(frozen=True)
class Evaluation:
    """How well parameters predict recall on a training set: fsrs-rs `evaluate`."""

    log_loss: float
    rmse_bins: float


@dataclass(frozen=True)
class Fit:
    """The parameters to use after an Optimize, and why. `kept` is true when the current
    parameters stay (Anki keeps them unless the new ones have a lower log loss)."""

    params: tuple[float, ...]
    kept: bool
    reason: str
    stage: str  # "none", "defaults", "initial stabilities" or "full"
    current: Evaluation | None
    optimized: Evaluation | None


def kind_of(phase_before: str, rating: int, source: str = "study") -> Kind:
    """The Anki review kind of an Unroll review-log row, from the card's phase before it."""
    if rating == 0 or source == "manual":
        return Kind.MANUAL
    if phase_before in ("new", "learning"):
        return Kind.LEARNING
    return Kind.RELEARNING if phase_before == "relearning" else Kind.REVIEW


def days_elapsed(at: datetime, next_day_at: datetime) -> int:
    """Anki's `RevlogEntry::days_elapsed`: whole 86,400-second days from `at` to the next rollover."""
    seconds = int(next_day_at.timestamp()) - int(at.timestamp())
    return max(seconds // DAY_SECONDS, 0)


def training_set(entries: Iterable[LogEntry], next_day_at: datetime) -> TrainingSet:
    """Anki's `fsrs_items_for_training`: each card's history becomes one item per later review."""
    by_card: dict[int, list[LogEntry]] = defaultdict(list)
    for entry in entries:
        by_card[entry.card_id].append(entry)
    dated: list[tuple[datetime, int, tuple[Review, ...]]] = []
    review_count = 0
    for card_id in sorted(by_card):
        history = sorted(by_card[card_id], key=lambda e: e.at)
        kept, items = card_items(history, next_day_at)
        if items:
            review_count += len(kept)
            dated.extend((at, card_id, item) for at, item in items)
    dated.sort(key=lambda row: (row[0], row[1]))
    return TrainingSet(
        items=tuple(item for _, _, item in dated),
        card_ids=tuple(card_id for _, card_id, _ in dated),
        review_count=review_count,
    )


def card_items(
    history: Sequence[LogEntry], next_day_at: datetime
) -> tuple[list[LogEntry], list[tuple[datetime, tuple[Review, ...]]]]:
    """Anki's `reviews_for_fsrs(training=true)` for one card's time-ordered history: the reviews
    kept, and each training item with the time of its last review."""
    start = _last_learning_start(history)
    if start is None:
        return [], []  # Anki trains only on cards whose (last) history starts with learning
    kept = [e for e in history[start:] if e.kind is not Kind.MANUAL and 1 <= e.rating <= 4]
    elapsed = [days_elapsed(e.at, next_day_at) for e in kept]
    deltas = [0] + [previous - current for previous, current in itertools.pairwise(elapsed)]
    reviews = [(e.rating, delta) for e, delta in zip(kept, deltas, strict=True)]
    items = [
        (kept[index].at, tuple(reviews[: index + 1]))
        for index in range(1, len(kept))
        if deltas[index] > 0  # an item ending in a same-day review teaches nothing about forgetting
    ]
    return kept, items


def _last_learning_start(history: Sequence[LogEntry]) -> int | None:
    """Walking back from the latest entry, the first of the last run of learning entries; None when
    a reset comes after every learning entry (or there is none)."""
    first_learning = None
    for index in range(len(history) - 1, -1, -1):
        entry = history[index]
        if entry.kind is Kind.LEARNING and 1 <= entry.rating <= 4:
            first_learning = index
        elif entry.reset or first_learning is not None:
            break
    return first_learning


def _fsrs_items(items: Iterable[tuple[Review, ...]]) -> list[fsrs_rs.FSRSItem]:
    return [fsrs_rs.FSRSItem([fsrs_rs.FSRSReview(rating, delta) for rating, delta in item]) for item in items]


def evaluate(params: Sequence[float], data: TrainingSet) -> Evaluation | None:
    """Log loss and RMSE(bins) of `params` on the items (None when there are none), as Anki's
    Evaluate computes them (fsrs-rs `evaluate`)."""
    if not data.items:
        return None
    result = fsrs_rs.FSRS(list(params)).evaluate(_fsrs_items(data.items))
    return Evaluation(float(result.log_loss), float(result.rmse_bins))


def trainable_count(data: TrainingSet) -> int:
    """How many items fsrs-rs would train on: `prepare_training_data` with its outlier filter."""
    items = _fsrs_items(data.items)
    first = [item for item in items if item.long_term_review_cnt() == 1]
    rest = [item for item in items if item.long_term_review_cnt() != 1]
    kept_first, kept_rest = fsrs_rs.filter_outlier(first, rest)
    return len(kept_first) + len(kept_rest)


def clamp(params: Sequence[float]) -> tuple[float, ...]:
    """Parameters inside the bounds SchedulerConfig accepts (fsrs-rs clips to the same ones; this
    only absorbs float32 rounding at a bound)."""
    return tuple(
        min(max(float(w), low), high)
        for w, low, high in zip(params, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True)
    )


def stage_for(count: int) -> str:
    if count < MIN_ITEMS_ANY_FIT:
        return "defaults"
    return "initial stabilities" if count < MIN_ITEMS_FULL_FIT else "full"


def fit(data: TrainingSet, current: Sequence[float], relearning_steps: int = 1) -> Fit:
    """Anki's Optimize (`compute_params`): fit on the items, then keep the current parameters unless
    the fitted ones have a strictly lower log loss on the same items."""
    current = tuple(float(w) for w in current)
    if not data.items:
        reason = "No reviews to learn from yet: a card counts once it is reviewed on a later day than it was learned."
        return Fit(current, True, reason, "none", None, None)
    stage = stage_for(trainable_count(data))
    fitted = fsrs_rs.FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(
        _fsrs_items(data.items), enable_short_term=True, num_relearning_steps=relearning_steps
    )
    optimized = clamp(fitted)
    before, after = evaluate(current, data), evaluate(optimized, data)
    assert before is not None and after is not None
    if before.log_loss <= after.log_loss:
        reason = _kept_reason(stage, len(data.items), before, after)
        return Fit(current, True, reason, stage, before, after)
    reason = f"New parameters predict your reviews better (log loss {after.log_loss:.4f}, was {before.log_loss:.4f})."
    return Fit(optimized, False, reason, stage, before, after)


def _kept_reason(stage: str, items: int, before: Evaluation, after: Evaluation) -> str:
    if stage == "defaults":
        return (
            f"Too few reviews to fit: {items} training items, and FSRS needs at least {MIN_ITEMS_ANY_FIT} "
            "after it sets rare cases aside; your parameters are unchanged."
        )
    return (
        f"The optimized parameters did not predict your reviews better (log loss {after.log_loss:.4f} "
        f"against {before.log_loss:.4f} now); your parameters are unchanged."
    )


# --- `flask srs optimize FILE` ------------------------------------------------------------------


class OptimizeFileError(ValueError):
    """An optimize document that cannot be read; the message names the offending place."""


def optimize_json(document: object) -> dict[str, object]:
    """Fit a JSON review log and measure the fit and the defaults on the same items.

    Input: {"timezone", "day_start_hour", "reviews": [{"card_id", "reviewed_at" (ISO 8601), "rating"
    (1-4)}]}; other keys are ignored. Each card's first review is its first sight (a learning
    entry); days are counted at the next rollover after the last review. Output: {"params",
    "review_count", "log_loss", "rmse_bins", "default_log_loss", "default_rmse_bins"}.
    """
    entries, clock = _read_document(document)
    last = max((e.at for e in entries), default=None)
    data = training_set(entries, clock.next_rollover(last) if last else datetime.now().astimezone())
    result = fit(data, DEFAULT_PARAMETERS)
    fitted, default = evaluate(result.params, data), evaluate(DEFAULT_PARAMETERS, data)
    return {
        "params": list(result.params),
        "review_count": data.review_count,
        "log_loss": fitted.log_loss if fitted else None,
        "rmse_bins": fitted.rmse_bins if fitted else None,
        "default_log_loss": default.log_loss if default else None,
        "default_rmse_bins": default.rmse_bins if default else None,
    }


def _read_document(document: object) -> tuple[list[LogEntry], DayClock]:
    if not isinstance(document, dict):
        raise OptimizeFileError("the file must hold a JSON object with a 'reviews' list")
    try:
        clock = DayClock(
            timezone=_typed(document.get("timezone", "UTC"), str, "timezone"),
            day_start_hour=_typed(document.get("day_start_hour", 4), int, "day_start_hour"),
        )
    except ValueError as exc:
        raise OptimizeFileError(str(exc)) from None
    reviews = document.get("reviews")
    if not isinstance(reviews, list):
        raise OptimizeFileError("'reviews' must be a list of {card_id, reviewed_at, rating}")
    rows = sorted((_review(item, i) for i, item in enumerate(reviews)), key=lambda r: (r[0], r[1]))
    seen: set[int] = set()
    entries = []
    for card_id, at, rating in rows:
        kind = Kind.REVIEW if card_id in seen else Kind.LEARNING
        seen.add(card_id)
        entries.append(LogEntry(card_id, at, rating, kind))
    return entries, clock


def _review(item: object, index: int) -> tuple[int, datetime, int]:
    where = f"reviews[{index}]"
    if not isinstance(item, dict):
        raise OptimizeFileError(f"{where}: expected an object")
    card_id = _typed(item.get("card_id"), int, f"{where}.card_id")
    rating = _typed(item.get("rating"), int, f"{where}.rating")
    if rating not in range(1, 5):
        raise OptimizeFileError(f"{where}.rating: expected 1 (again) to 4 (easy), got {rating}")
    text = _typed(item.get("reviewed_at"), str, f"{where}.reviewed_at")
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise OptimizeFileError(f"{where}.reviewed_at: {text!r} is not an ISO 8601 time") from None
    if at.utcoffset() is None:
        raise OptimizeFileError(f"{where}.reviewed_at: {text!r} has no time zone (end it in Z or +hh:mm)")
    return card_id, at, rating


def _typed(value: object, kind: type, where: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, kind):
        raise OptimizeFileError(
            f"{where}: expected {'an integer' if kind is int else 'a string'}, got {value!r}"
        )
    return value
