"""Item analysis of quiz questions, computed as Moodle's quiz statistics report computes it.

Sources followed (moodle/moodle):
- `question/classes/statistics/questions/calculator.php`: per question s, facility (mean mark over
  the maximum), standard deviation (sample, s - 1), discrimination index (covariance of the mark
  with the rest of the test over the root of both variances) and discriminative efficiency
  (covariance over the largest covariance the same marks could have, both sorted);
- `mod/quiz/report/statistics/classes/calculator.php`: the test's standard deviation (sample), and
  only when s > 2 the coefficient of internal consistency, error ratio and standard error;
- `mod/quiz/report/statistics/classes/calculated.php`: the standard deviation and standard error
  are shown as a share of the maximum mark, a NaN error ratio is stored as null;
- `mod/quiz/locallib.php` `quiz_report_grade_method_sql`: which attempts count for each grading
  method (highest: each learner's best, ties to the earliest; first; last; average: all).

Every question here is worth one mark (right 1, wrong or unanswered 0). Figures Moodle gives as
percentages are fractions here (0.35, not 35%); a figure that cannot be computed is None.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

WHICH_ATTEMPTS = ("highest", "first", "last", "all")
_TINY = 1e-12  # below this a variance is zero (sums of floats are not exact)


@dataclass(frozen=True)
class Option:
    """A choice question's option as shown: its text and whether it is right."""

    text: str
    correct: bool


@dataclass(frozen=True)
class Answer:
    """One question in one attempt: the card asked, its position (Moodle's slot), the mark and,
    for a choice question, the options shown and the texts chosen."""

    item: int
    slot: int
    mark: float
    options: tuple[Option, ...] = ()
    chosen: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Attempt:
    """A submitted attempt: whose, when it started, and its answers."""

    attempt_id: int
    learner: int
    started_at: datetime
    answers: tuple[Answer, ...]

    @property
    def total(self) -> float:
        return sum(a.mark for a in self.answers)

    @property
    def fraction(self) -> float:
        return self.total / len(self.answers) if self.answers else 0.0


@dataclass(frozen=True)
class OptionCount:
    """How often an option was chosen by everyone asked, and by the top and bottom thirds."""

    text: str
    correct: bool
    chosen: int
    top: int
    bottom: int


@dataclass(frozen=True)
class ItemStats:
    item: int
    responses: int
    facility: float | None
    standard_deviation: float | None
    discrimination: float | None
    discriminative_efficiency: float | None
    options: tuple[OptionCount, ...] = ()
    top_asked: int = 0  # attempts of the top third that asked this question
    bottom_asked: int = 0


@dataclass(frozen=True)
class TestStats:
    attempts: int
    questions: int | None  # every counted attempt's length, None when they differ
    mean: float | None  # mean score as a fraction of the maximum
    standard_deviation: float | None  # of the scores, as a fraction of the maximum
    internal_consistency: float | None  # Cronbach's alpha (Moodle's CIC), a fraction
    error_ratio: float | None
    standard_error: float | None  # as a fraction of the maximum
    top_size: int = 0
    bottom_size: int = 0


@dataclass(frozen=True)
class Analysis:
    which: str
    test: TestStats
    items: dict[int, ItemStats] = field(default_factory=dict)


def counted(attempts: Iterable[Attempt], which: str) -> list[Attempt]:
    """The attempts that count, one learner at a time, as Moodle picks them for a grading method:
    highest (best score, ties to the earliest), first, last, or all."""
    if which not in WHICH_ATTEMPTS:
        raise ValueError(f"attempts to count: one of {', '.join(WHICH_ATTEMPTS)}")
    by_learner: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in attempts:
        by_learner[attempt.learner].append(attempt)
    chosen: list[Attempt] = []
    for own in by_learner.values():
        own.sort(key=lambda a: (a.started_at, a.attempt_id))
        if which == "all":
            chosen.extend(own)
        elif which == "first":
            chosen.append(own[0])
        elif which == "last":
            chosen.append(own[-1])
        else:
            chosen.append(max(own, key=lambda a: (a.total, -own.index(a))))
    return sorted(chosen, key=lambda a: (a.started_at, a.attempt_id))


def analyse(attempts: Sequence[Attempt], which: str = "all") -> Analysis:
    """Item and test statistics of the attempts that count under `which`."""
    used = counted(attempts, which)
    top, bottom = thirds(used)
    by_item: dict[int, list[tuple[Attempt, Answer]]] = defaultdict(list)
    for attempt in used:
        for answer in attempt.answers:
            by_item[answer.item].append((attempt, answer))
    items = {item: _item_stats(item, asked, top, bottom) for item, asked in by_item.items()}
    return Analysis(which, test_statistics(used, len(top), len(bottom)), items)


def thirds(attempts: Sequence[Attempt]) -> tuple[set[int], set[int]]:
    """Attempt ids of the top and bottom thirds by score (fraction right, so attempts of different
    lengths compare), each floor(n / 3) attempts; ties go to the earlier attempt."""
    size = len(attempts) // 3
    if size == 0:
        return set(), set()
    ranked = sorted(attempts, key=lambda a: (-a.fraction, a.started_at, a.attempt_id))
    return {a.attempt_id for a in ranked[:size]}, {a.attempt_id for a in ranked[-size:]}


@dataclass(frozen=True)
class Moments:
    """Moodle's per-question sums over s responses: variances and covariances use s - 1."""

    s: int
    mean: float
    variance: float | None
    other_variance: float | None
    covariance: float | None
    covariance_max: float | None


def moments(marks: Sequence[float], others: Sequence[float]) -> Moments:
    """Mean mark, variances of the mark and of the rest of the test, their covariance, and the
    covariance of both sorted (the largest the same marks could reach)."""
    s = len(marks)
    mean = sum(marks) / s if s else 0.0
    if s < 2:
        return Moments(s, mean, None, None, None, None)
    other_mean = sum(others) / s
    dm = [m - mean for m in marks]
    do = [o - other_mean for o in others]
    sorted_pairs = zip(sorted(marks), sorted(others), strict=True)
    return Moments(
        s,
        mean,
        sum(d * d for d in dm) / (s - 1),
        sum(d * d for d in do) / (s - 1),
        sum(a * b for a, b in zip(dm, do, strict=True)) / (s - 1),
        sum((m - mean) * (o - other_mean) for m, o in sorted_pairs) / (s - 1),
    )


def discrimination(m: Moments) -> float | None:
    """Pearson correlation of the mark with the rest of the test; None when either does not vary."""
    if m.variance is None or m.other_variance is None or m.covariance is None:
        return None
    if m.variance < _TINY or m.other_variance < _TINY:
        return None
    return m.covariance / math.sqrt(m.variance * m.other_variance)


def discriminative_efficiency(m: Moments) -> float | None:
    """The covariance over the largest covariance these marks allow; None when that is zero."""
    if m.covariance is None or m.covariance_max is None or abs(m.covariance_max) < _TINY:
        return None
    return m.covariance / m.covariance_max


def _item_stats(item: int, asked: list[tuple[Attempt, Answer]], top: set[int], bottom: set[int]) -> ItemStats:
    marks = [answer.mark for _, answer in asked]
    others = [attempt.total - answer.mark for attempt, answer in asked]
    m = moments(marks, others)
    return ItemStats(
        item=item,
        responses=m.s,
        facility=m.mean if m.s else None,
        standard_deviation=math.sqrt(m.variance) if m.variance is not None else None,
        discrimination=discrimination(m),
        discriminative_efficiency=discriminative_efficiency(m),
        options=option_counts(asked, top, bottom),
        top_asked=sum(1 for attempt, _ in asked if attempt.attempt_id in top),
        bottom_asked=sum(1 for attempt, _ in asked if attempt.attempt_id in bottom),
    )


def option_counts(
    asked: Sequence[tuple[Attempt, Answer]], top: set[int], bottom: set[int]
) -> tuple[OptionCount, ...]:
    """Each option (by text, in the order first shown) with how many chose it, overall and in the
    top and bottom thirds; empty for questions without options."""
    shown: dict[str, bool] = {}
    counts: dict[str, list[int]] = {}
    for attempt, answer in asked:
        for option in answer.options:
            shown.setdefault(option.text, option.correct)
            counts.setdefault(option.text, [0, 0, 0])
        for text in answer.chosen:
            tally = counts.setdefault(text, [0, 0, 0])
            shown.setdefault(text, False)
            tally[0] += 1
            tally[1] += attempt.attempt_id in top
            tally[2] += attempt.attempt_id in bottom
    return tuple(OptionCount(text, shown[text], *counts[text]) for text in shown)


def test_statistics(used: Sequence[Attempt], top_size: int = 0, bottom_size: int = 0) -> TestStats:
    """The test's figures over the counted attempts, as Moodle's quiz calculator: positions are
    Moodle's slots, so the internal consistency needs every attempt to have the same length."""
    s = len(used)
    lengths = {len(a.answers) for a in used}
    p = lengths.pop() if len(lengths) == 1 else None
    if s == 0 or not p:
        return TestStats(s, p, None, None, None, None, None, top_size, bottom_size)
    totals = [a.total for a in used]
    mean = sum(totals) / s
    power2 = sum((t - mean) ** 2 for t in totals)
    sd = math.sqrt(power2 / (s - 1)) if s > 1 else None
    cic = error_ratio = standard_error = None
    k2 = power2 / (s - 1) if s > 1 else 0.0
    if s > 2 and k2 >= _TINY and p > 1:
        cic = (p / (p - 1)) * (1 - _sum_of_slot_variances(used) / k2)
        if cic <= 1:
            error_ratio = math.sqrt(1 - cic)
            standard_error = error_ratio * (sd or 0.0)
    return TestStats(
        s,
        p,
        mean / p,
        sd / p if sd is not None else None,
        cic,
        error_ratio,
        standard_error / p if standard_error is not None else None,
        top_size,
        bottom_size,
    )


def _sum_of_slot_variances(used: Sequence[Attempt]) -> float:
    """Moodle's sumofmarkvariance: each position's mark variance (s - 1), added up."""
    by_slot: dict[int, list[float]] = defaultdict(list)
    for attempt in used:
        for answer in attempt.answers:
            by_slot[answer.slot].append(answer.mark)
    total = 0.0
    for marks in by_slot.values():
        variance = moments(marks, marks).variance
        total += variance or 0.0
    return total
