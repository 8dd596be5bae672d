"""Anki's FSRS scheduler on plain values: what each answer button does to a card.

A port of Anki's `rslib/src/scheduler/states/` (learning.rs, relearning.rs, review.rs, steps.rs,
fuzz.rs) and of how `answering/` turns the chosen state into a due time, with FSRS enabled, the
"FSRS short-term with steps" option off and the load balancer off. Every due time is computed here and
returned by `next_states`, so the interval a button shows is the interval `answer` applies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.srs.clock import DAY, DayClock
from app.srs.config import SchedulerConfig
from app.srs.fuzz import (
    constrained_fuzz_bounds,
    fuzz_factor,
    round_half_up,
    with_learning_fuzz,
    with_review_fuzz,
)
from app.srs.memory import MemoryState, NextState, next_memory_states
from app.srs.steps import DAY_SECS, Steps
from app.srs.values import Outcome, Phase, Rating, SrsCard


@dataclass(frozen=True)
class _Context:
    """Everything an answer depends on besides the card: the moment, the settings, the FSRS states."""

    now: datetime
    today: int
    config: SchedulerConfig
    clock: DayClock
    fuzz: float | None
    states: dict[Rating, NextState]
    learn: Steps
    relearn: Steps


@dataclass(frozen=True)
class _Plan:
    """Anki's next card state for one button, before it becomes a due time.

    `secs` is an intraday (re)learning delay; when it is None the card is due `scheduled_days` days
    after today, at the start of that day.
    """

    phase: Phase
    remaining_steps: int = 0
    scheduled_days: int = 0
    secs: int | None = None
    lapses: int = 0
    leech: bool = False


def next_states(
    card: SrsCard, now: datetime, config: SchedulerConfig, clock: DayClock, seed: int
) -> dict[Rating, Outcome]:
    """The outcome of each of the four buttons for `card` answered at `now`."""
    if now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got naive {now.isoformat()}")
    ctx = _context(card, now, config, clock, seed)
    if card.phase is Phase.REVIEW:
        plans = _review_plans(card, ctx)
    elif card.phase is Phase.RELEARNING:
        plans = _relearning_plans(card, ctx)
    else:
        plans = _learning_plans(card, ctx)
    return {rating: _outcome(card, rating, plans[rating], ctx) for rating in Rating}


def answer(
    card: SrsCard, rating: Rating, now: datetime, config: SchedulerConfig, clock: DayClock, seed: int
) -> Outcome:
    """Apply one answer: exactly the outcome `next_states` showed for that button."""
    return next_states(card, now, config, clock, seed)[Rating(rating)]


def elapsed_days(card: SrsCard, now: datetime, clock: DayClock) -> int:
    """Days FSRS sees since the last review, counted as Anki counts them.

    Anki takes whole 24-hour periods from the last review to the next day rollover, so a review on an
    earlier study day counts at least one day and a review earlier today counts zero (FSRS then uses
    same-day stability). This is the difference of day numbers, except across a DST change or for a
    review at the very instant a day starts, where Anki's count can be one day more or less; Unroll
    keeps Anki's count so replays agree with it.
    """
    if card.last_review is None:
        return 0
    return max((clock.next_rollover(now) - card.last_review) // DAY, 0)


def leech_threshold_met(lapses: int, threshold: int) -> bool:
    """Anki's leech rule: at the threshold, then every half threshold (rounded up) after it."""
    if threshold <= 0:
        return False
    half = max(math.ceil(threshold / 2), 1)
    return lapses >= threshold and (lapses - threshold) % half == 0


def _context(card: SrsCard, now: datetime, config: SchedulerConfig, clock: DayClock, seed: int) -> _Context:
    memory = None
    if card.stability is not None and card.difficulty is not None:
        memory = MemoryState(card.stability, card.difficulty)
    states = next_memory_states(
        config.parameters, config.desired_retention, memory, elapsed_days(card, now, clock)
    )
    return _Context(
        now=now,
        today=clock.day_number(now),
        config=config,
        clock=clock,
        fuzz=fuzz_factor(seed, card.reps) if config.fuzz else None,
        states=states,
        learn=Steps.of(config.learning_steps),
        relearn=Steps.of(config.relearning_steps),
    )


# --- learning: a new card acts like a learning card that has just failed (Anki's normal.rs) -------------


def _learning_plans(card: SrsCard, ctx: _Context) -> dict[Rating, _Plan]:
    steps = ctx.learn
    failed = steps.remaining_for_failed()
    remaining = failed if card.phase is Phase.NEW else card.remaining_steps
    again, hard, good = steps.again_delay(), steps.hard_delay(remaining), steps.good_delay(remaining)
    return {
        Rating.AGAIN: _stay(Phase.LEARNING, failed, again, 0, card)
        or _leave_steps(Rating.AGAIN, Phase.LEARNING, failed, card, ctx),
        Rating.HARD: _stay(Phase.LEARNING, remaining, hard, 0, card)
        or _leave_steps(Rating.HARD, Phase.LEARNING, remaining, card, ctx),
        Rating.GOOD: _stay(Phase.LEARNING, steps.remaining_for_good(remaining), good, 0, card)
        or _leave_steps(Rating.GOOD, Phase.LEARNING, remaining, card, ctx),
        Rating.EASY: _Plan(Phase.REVIEW, scheduled_days=_easy_graduation_days(ctx), lapses=card.lapses),
    }


def _relearning_plans(card: SrsCard, ctx: _Context) -> dict[Rating, _Plan]:
    steps = ctx.relearn
    failed, remaining, kept = steps.remaining_for_failed(), card.remaining_steps, card.scheduled_days
    lapse_days = max(round_half_up(ctx.states[Rating.AGAIN].interval), 1)
    again, hard, good = steps.again_delay(), steps.hard_delay(remaining), steps.good_delay(remaining)
    after_good = steps.remaining_for_good(remaining)
    return {
        Rating.AGAIN: _stay(Phase.RELEARNING, failed, again, lapse_days, card)
        or _leave_steps(Rating.AGAIN, Phase.RELEARNING, failed, card, ctx),
        Rating.HARD: _stay(Phase.RELEARNING, remaining, hard, kept, card)
        or _leave_steps(Rating.HARD, Phase.RELEARNING, remaining, card, ctx),
        Rating.GOOD: _stay(Phase.RELEARNING, after_good, good, kept, card)
        or _leave_steps(Rating.GOOD, Phase.RELEARNING, after_good, card, ctx),
        Rating.EASY: _Plan(Phase.REVIEW, scheduled_days=_easy_graduation_days(ctx), lapses=card.lapses),
    }


def _stay(phase: Phase, remaining: int, secs: int | None, days: int, card: SrsCard) -> _Plan | None:
    """Another (re)learning step, or None when there is no step for this button."""
    if secs is None:
        return None
    return _Plan(phase, remaining_steps=remaining, scheduled_days=days, secs=secs, lapses=card.lapses)


def _leave_steps(rating: Rating, phase: Phase, remaining: int, card: SrsCard, ctx: _Context) -> _Plan:
    """Out of steps: graduate with the FSRS interval, or, with no steps configured at all and under
    half a day to go, stay in (re)learning for that many seconds (FSRS short-term scheduling)."""
    interval = ctx.states[rating].interval
    steps = ctx.learn if phase is Phase.LEARNING else ctx.relearn
    days = _graduation_days(ctx, rating)
    if ctx.config.short_term_enabled and not steps and interval < 0.5:
        kept = days if phase is Phase.RELEARNING else 0
        secs = int(interval * DAY_SECS)
        return _Plan(phase, remaining_steps=remaining, scheduled_days=kept, secs=secs, lapses=card.lapses)
    return _Plan(Phase.REVIEW, scheduled_days=days, lapses=card.lapses)


def _graduation_days(ctx: _Context, rating: Rating) -> int:
    interval = max(round_half_up(ctx.states[rating].interval), 1)
    return with_review_fuzz(interval, 1, ctx.config.maximum_interval_days, ctx.fuzz)


def _easy_graduation_days(ctx: _Context) -> int:
    """Easy leaves (re)learning at least a day after Good would.

    Anki re-derives Good's days here from the unrounded interval, which with fuzz on can land a day below
    the Good button; Unroll uses the Good button's own days, so the rule holds with fuzz too.
    """
    minimum = _graduation_days(ctx, Rating.GOOD) + 1
    interval = max(round_half_up(ctx.states[Rating.EASY].interval), 1)
    return with_review_fuzz(interval, minimum, ctx.config.maximum_interval_days, ctx.fuzz)


# --- review -----------------------------------------------------------------------------------------------


def _review_plans(card: SrsCard, ctx: _Context) -> dict[Rating, _Plan]:
    hard, good, easy = _passing_review_days(card.scheduled_days, ctx)
    return {
        Rating.AGAIN: _lapse(card, ctx),
        Rating.HARD: _Plan(Phase.REVIEW, scheduled_days=hard, lapses=card.lapses),
        Rating.GOOD: _Plan(Phase.REVIEW, scheduled_days=good, lapses=card.lapses),
        Rating.EASY: _Plan(Phase.REVIEW, scheduled_days=easy, lapses=card.lapses),
    }


def _passing_review_days(last: int, ctx: _Context) -> tuple[int, int, int]:
    """Hard ≥ 1 day, Good ≥ Hard + 1, Easy ≥ Good + 1, each fuzzed and clamped (Anki's review.rs).

    Does a passing review ever shorten the interval? Only when FSRS itself asks for much less time.
    The Anki sources on hand (review.rs) raise an interval to last + 1 only when FSRS's interval is
    already longer than the last one, but Anki 26.09's backend does more, as the golden cases and a grid
    of probed states show: when the last interval lies within the fuzz range of FSRS's interval, the
    button gets at least the last interval. So Hard, a same-day or early review, or a lowered desired
    retention keep the last interval unless FSRS's interval is shorter by more than the fuzz spread
    (1 day plus 15%/10%/5% of the days past 2.5/7/20, e.g. 9 for a last interval of 60).
    """
    states, maximum = ctx.states, ctx.config.maximum_interval_days

    def floor_from_last(interval: float) -> int:
        if round_half_up(interval) > last:
            return last + 1
        _, upper = constrained_fuzz_bounds(interval, 1, maximum)
        return last if upper >= last else 0

    hard_iv, good_iv, easy_iv = (states[r].interval for r in (Rating.HARD, Rating.GOOD, Rating.EASY))
    hard = _constrain(ctx, hard_iv, max(floor_from_last(hard_iv), 1))
    good = _constrain(ctx, good_iv, max(floor_from_last(good_iv), hard + 1))
    easy = _constrain(ctx, easy_iv, max(floor_from_last(easy_iv), good + 1))
    return hard, good, easy


def _constrain(ctx: _Context, interval: float, minimum: int) -> int:
    maximum = ctx.config.maximum_interval_days
    return with_review_fuzz(interval, min(max(minimum, 1), maximum), maximum, ctx.fuzz)


def _lapse(card: SrsCard, ctx: _Context) -> _Plan:
    """Again on a review card: a lapse. FSRS's interval is not fuzzed until the card leaves relearning."""
    lapses = card.lapses + 1
    leech = leech_threshold_met(lapses, ctx.config.leech_threshold)
    interval = ctx.states[Rating.AGAIN].interval
    days = max(round_half_up(interval), 1)
    delay = ctx.relearn.again_delay()
    if delay is None and ctx.config.short_term_enabled and interval < 0.5:
        delay = int(interval * DAY_SECS)
    if delay is None:
        return _Plan(Phase.REVIEW, scheduled_days=days, lapses=lapses, leech=leech)
    remaining = ctx.relearn.remaining_for_failed()
    return _Plan(Phase.RELEARNING, remaining, scheduled_days=days, secs=delay, lapses=lapses, leech=leech)


# --- from plan to card --------------------------------------------------------------------------------------


def _outcome(card: SrsCard, rating: Rating, plan: _Plan, ctx: _Context) -> Outcome:
    memory = ctx.states[rating].memory
    due, days = _due(plan, ctx)
    after = SrsCard(
        phase=plan.phase,
        due=due,
        stability=_round(memory.stability, 4),
        difficulty=_round(memory.difficulty, 3),
        last_review=ctx.now,
        scheduled_days=plan.scheduled_days,
        remaining_steps=plan.remaining_steps,
        reps=card.reps + 1,
        lapses=plan.lapses,
    )
    return Outcome(card=after, interval=due - ctx.now, leech=plan.leech, days=days)


def _due(plan: _Plan, ctx: _Context) -> tuple[datetime, int | None]:
    """When the card comes back, and the whole days Anki would label it with (None for a step).

    A step that reaches past the next day rollover becomes a day-based step, due when that day starts
    (Anki's `IntervalKind::maybe_as_days`); other steps are due after their (fuzzed) delay.
    """
    if plan.secs is None:
        return ctx.clock.day_start(ctx.today + plan.scheduled_days), plan.scheduled_days
    until_rollover = math.floor((ctx.clock.next_rollover(ctx.now) - ctx.now).total_seconds())
    if plan.secs >= until_rollover:
        days = (plan.secs - until_rollover) // DAY_SECS + 1
        return ctx.clock.day_start(ctx.today + days), days
    return ctx.now + timedelta(seconds=with_learning_fuzz(plan.secs, ctx.fuzz)), None


def _round(value: float, places: int) -> float:
    """Anki stores stability to 4 and difficulty to 3 decimals (card data JSON), rounding halves up."""
    scale = 10**places
    return math.floor(value * scale + 0.5) / scale
