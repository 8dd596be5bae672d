"""A learner's FSRS parameters: which ones apply, Optimize and Evaluate on their review log, manual
values, monthly auto-optimize, the pooled parameters of a class, and memory states after a change.

`parameters_for` is the one place that decides a learner's parameters: their own when set, else
the pooled parameters of the most recently joined class that has them, else FSRS's defaults.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import CardProgress, Classroom, ReviewLog, User
from app.services.class_params import pooled_parameters
from app.services.classes import instructor_class, learners
from app.srs import DayClock, Phase, Rating, SchedulerConfig, SrsCard, answer
from app.srs import optimize as opt

DAY_START_HOUR = 4  # Unroll's study day starts at 4 am, as Anki's does by default
AUTO_EVERY = timedelta(days=30)
AUTO_MIN_NEW_REVIEWS = 100  # auto-optimize only once this many reviews came in since the last fit
SOURCES = ("default", "class", "own", "manual")


class ParametersError(ValueError):
    """Parameters a learner typed or sent that FSRS cannot use; the message says which and why."""


@dataclass(frozen=True)
class Status:
    """What a learner sees of their parameters."""

    params: tuple[float, ...]
    source: str
    optimized_at: datetime | None
    review_count: int
    log_loss: float | None
    rmse_bins: float | None
    auto_optimize: bool


@dataclass(frozen=True)
class Optimized:
    """The result of an Optimize: the fit (kept or not, and why) and the reviews it learned from."""

    fit: opt.Fit
    review_count: int
    item_count: int


@dataclass(frozen=True)
class Evaluated:
    """Anki's Evaluate: current and default parameters measured on the same items."""

    current: opt.Evaluation | None
    default: opt.Evaluation | None
    review_count: int
    item_count: int


# --- which parameters apply -------------------------------------------------------------------


def parameters_for(user: User) -> tuple[float, ...]:
    """The learner's parameters: own, else their class's pooled ones, else FSRS's defaults."""
    if user.fsrs_params:
        return tuple(float(w) for w in user.fsrs_params)
    pooled = _class_parameters(user)
    return tuple(float(w) for w in pooled) if pooled else opt.DEFAULT_PARAMETERS


def source_of(user: User) -> str:
    if user.fsrs_params:
        return "manual" if user.fsrs_params_source == "manual" else "own"
    return "class" if _class_parameters(user) else "default"


def _class_parameters(user: User) -> list[float] | None:
    """The pooled parameters, as loaded with the request's user when they were."""
    if user.pooled_params_loaded:
        return user.pooled_fsrs_params
    return db.session.scalar(select(pooled_parameters(user.id)))


def status(user: User) -> Status:
    return Status(
        params=parameters_for(user),
        source=source_of(user),
        optimized_at=user.fsrs_optimized_at,
        review_count=user.fsrs_review_count or 0,
        log_loss=user.fsrs_log_loss,
        rmse_bins=user.fsrs_rmse_bins,
        auto_optimize=bool(user.fsrs_auto_optimize),
    )


def check_parameters(values: Sequence[object]) -> tuple[float, ...]:
    """21 numbers within FSRS's bounds, or ParametersError naming every bad one."""
    if isinstance(values, str | bytes):
        raise ParametersError("Parameters are a list of 21 numbers.")
    numbers = []
    for index, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ParametersError(f"Parameter w{index} must be a number, got {value!r}.")
        numbers.append(float(value))
    try:
        return SchedulerConfig(parameters=tuple(numbers)).parameters
    except ValueError as exc:
        raise ParametersError(re.sub(r"parameters\[(\d+)\]", r"w\1", str(exc))) from None


# --- the review log as training items ---------------------------------------------------------


def clock_of(user: User) -> DayClock:
    return DayClock(timezone=user.timezone, day_start_hour=DAY_START_HOUR)


def log_entries(user_ids: Sequence[int]) -> list[opt.LogEntry]:
    """Every review of these learners that still stands (undone ones are gone, as in Anki), keyed by
    their card row so that two learners' histories of one card stay apart. Quiz answers count: they
    reschedule the card as a study answer does. Rating-0 manual rows are kept for their resets."""
    rows = db.session.execute(
        select(
            ReviewLog.progress_id,
            ReviewLog.reviewed_at,
            ReviewLog.rating,
            ReviewLog.phase_before,
            ReviewLog.source,
            ReviewLog.state_after,
        )
        .where(ReviewLog.user_id.in_(user_ids), ReviewLog.undone_at.is_(None))
        .order_by(ReviewLog.progress_id, ReviewLog.reviewed_at, ReviewLog.id)
    )
    return [_entry(*row) for row in rows]


def _entry(
    progress_id: int, at: datetime, rating: int, phase_before: str, source: str, after: dict[str, object]
) -> opt.LogEntry:
    kind = opt.kind_of(phase_before, rating, source)
    reset = kind is opt.Kind.MANUAL and (after or {}).get("phase") == Phase.NEW.value
    return opt.LogEntry(progress_id, at, rating, kind, reset)


def training_for(user_ids: Sequence[int], clock: DayClock, now: datetime) -> opt.TrainingSet:
    return opt.training_set(log_entries(user_ids), clock.next_rollover(now))


def review_total(user: User) -> int:
    """The learner's standing rated reviews: what auto-optimize compares with the last fit's count."""
    count = db.session.scalar(
        select(func.count())
        .select_from(ReviewLog)
        .where(ReviewLog.user_id == user.id, ReviewLog.undone_at.is_(None), ReviewLog.rating.between(1, 4))
    )
    return int(count or 0)


# --- Optimize, Evaluate, manual values --------------------------------------------------------


def optimize(user: User, now: datetime, reschedule: bool = False) -> Optimized:
    """Fit the learner's log; new parameters replace the current ones only with a lower log loss."""
    data = training_for([user.id], clock_of(user), now)
    current = parameters_for(user)
    fit = opt.fit(data, current)
    chosen = fit.current if fit.kept else fit.optimized
    if not fit.kept:
        user.fsrs_params = list(fit.params)
        user.fsrs_params_source = "own"
    user.fsrs_optimized_at = now
    user.fsrs_review_count = review_total(user)
    user.fsrs_log_loss = chosen.log_loss if chosen else None
    user.fsrs_rmse_bins = chosen.rmse_bins if chosen else None
    if not fit.kept:
        apply_parameters(user, now, reschedule)
    db.session.commit()
    return Optimized(fit, data.review_count, len(data.items))


def evaluate(user: User, now: datetime) -> Evaluated:
    """Log loss and RMSE(bins) of the learner's current and of the default parameters."""
    data = training_for([user.id], clock_of(user), now)
    return Evaluated(
        current=opt.evaluate(parameters_for(user), data),
        default=opt.evaluate(opt.DEFAULT_PARAMETERS, data),
        review_count=data.review_count,
        item_count=len(data.items),
    )


def set_parameters(user: User, values: Sequence[object], now: datetime, reschedule: bool = False) -> None:
    """Use parameters the learner typed (ParametersError if FSRS cannot use them)."""
    params = check_parameters(values)
    user.fsrs_params = list(params)
    user.fsrs_params_source = "manual"
    user.fsrs_log_loss = user.fsrs_rmse_bins = None
    apply_parameters(user, now, reschedule)
    db.session.commit()


def reset_parameters(user: User, now: datetime, reschedule: bool = False) -> None:
    """Back to no personal parameters: the class's pooled ones if any, else FSRS's defaults."""
    user.fsrs_params = None
    user.fsrs_params_source = "default"
    user.fsrs_log_loss = user.fsrs_rmse_bins = None
    apply_parameters(user, now, reschedule)
    db.session.commit()


def set_auto_optimize(user: User, enabled: bool) -> None:
    user.fsrs_auto_optimize = enabled
    db.session.commit()


def auto_optimize_due(user: User, now: datetime) -> bool:
    """Monthly, and only when enough new reviews came in since the last fit."""
    if not user.fsrs_auto_optimize:
        return False
    if user.fsrs_optimized_at is not None and now - user.fsrs_optimized_at < AUTO_EVERY:
        return False
    return review_total(user) - (user.fsrs_review_count or 0) >= AUTO_MIN_NEW_REVIEWS


def maybe_auto_optimize(user: User, now: datetime) -> Optimized | None:
    """Run the monthly Optimize if it is due (cards keep their due dates, as Anki's default)."""
    return optimize(user, now) if auto_optimize_due(user, now) else None


# --- memory states after a change -------------------------------------------------------------


def apply_parameters(user: User, now: datetime, reschedule: bool) -> int:
    """Recompute every studied card's memory state from its history with the learner's parameters,
    as Anki does when parameters change; with `reschedule`, a review card's due date becomes its
    last review plus the new interval (Anki's "Reschedule cards on change"). Not committed; returns
    how many cards were rescheduled."""
    from app.services.study import scheduler_for  # study imports this module

    config, clock = scheduler_for(user)
    histories = _histories(user.id)
    moved = 0
    for progress in db.session.scalars(
        select(CardProgress).where(CardProgress.user_id == user.id, CardProgress.phase != Phase.NEW.value)
    ):
        replayed = _replay(histories.get(progress.id, []), config, clock, progress.card_id)
        if replayed is None:
            continue
        progress.stability, progress.difficulty = replayed.stability, replayed.difficulty
        if reschedule and progress.phase == Phase.REVIEW.value and replayed.phase is Phase.REVIEW:
            progress.due, progress.scheduled_days = replayed.due, replayed.scheduled_days
            moved += 1
        progress.version += 1
    return moved


def _histories(user_id: int) -> dict[int, list[opt.LogEntry]]:
    histories: dict[int, list[opt.LogEntry]] = {}
    for entry in log_entries([user_id]):
        histories.setdefault(entry.card_id, []).append(entry)
    return histories


def _replay(
    history: list[opt.LogEntry], config: SchedulerConfig, clock: DayClock, seed: int
) -> SrsCard | None:
    """The card after replaying its ratings since the last reset through the scheduler."""
    resets = [i for i, entry in enumerate(history) if entry.reset]
    since = history[resets[-1] + 1 :] if resets else history
    card: SrsCard | None = None
    for entry in since:
        if entry.kind is not opt.Kind.MANUAL:
            card = answer(card or SrsCard.new(), Rating(entry.rating), entry.at, config, clock, seed).card
    return card


# --- a class's pooled parameters --------------------------------------------------------------


def class_status(classroom: Classroom) -> tuple[list[float] | None, datetime | None, int]:
    return classroom.fsrs_params, classroom.fsrs_optimized_at, classroom.fsrs_review_count or 0


def optimize_class(instructor: User, class_id: int, now: datetime) -> Optimized:
    """Fit the pooled reviews of a class's learners (ClassNotFound unless the user teaches it).
    Learners without parameters of their own start from the result; their memory states follow."""
    classroom = instructor_class(instructor, class_id)
    members = learners(class_id)
    clock = DayClock(timezone=classroom.timezone, day_start_hour=DAY_START_HOUR)
    data = training_for([m.id for m in members], clock, now)
    fit = opt.fit(data, classroom.fsrs_params or opt.DEFAULT_PARAMETERS)
    classroom.fsrs_optimized_at = now
    classroom.fsrs_review_count = data.review_count
    if not fit.kept:
        classroom.fsrs_params = list(fit.params)
        db.session.flush()
        for member in members:
            if not member.fsrs_params:
                apply_parameters(member, now, reschedule=False)
    db.session.commit()
    return Optimized(fit, data.review_count, len(data.items))
