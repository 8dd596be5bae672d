"""The workload chart of /settings: reviews and minutes per day against desired retention.

Drawn as inline SVG on the server with the statistics page's chart geometry (app.web.stats), from
the learner's own simulation (app.services.simulate.page_simulation, cached). The settings view adds
`**workload_context(user)` to its template context; the template includes "auth/_workload.html".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.models import User
from app.services import simulate
from app.web.clock import now
from app.web.stats import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH, Bar, Label, _nice_step


@dataclass(frozen=True)
class RetentionChart:
    """Bars for each desired retention in a WIDTH x HEIGHT view box; the learner's current retention
    is the highlighted bar and the minimum recommended one a dashed line."""

    title: str
    unit: str
    summary: str
    bars: list[Bar]
    current: int | None  # index of the learner's current retention
    y_ticks: list[Label]
    x_labels: list[Label]
    minimum_x: float | None
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    baseline: int = HEIGHT - BOTTOM


@dataclass(frozen=True)
class WorkloadTable:
    charts: list[RetentionChart]
    rows: list[tuple[str, str, str, str, bool]]  # retention, reviews, minutes, memorized, is current
    current: float
    minimum: float | None
    cards: int
    new_cards: int
    timed_answers: int
    days: int


def _x(index: float, count: int) -> float:
    return LEFT + (index + 0.5) * (WIDTH - LEFT - RIGHT) / count


def _minimum_x(retentions: Sequence[float], minimum: float | None) -> float | None:
    """Where the minimum recommended retention falls between the bars (they are evenly spaced)."""
    if minimum is None or not retentions[0] <= minimum <= retentions[-1]:
        return None
    for i in range(len(retentions) - 1):
        low, high = retentions[i], retentions[i + 1]
        if low <= minimum <= high:
            return _x(i + (minimum - low) / (high - low), len(retentions))
    return _x(len(retentions) - 1, len(retentions))


def retention_chart(
    title: str,
    unit: str,
    summary: str,
    points: Sequence[tuple[float, float]],
    current: float,
    minimum: float | None,
) -> RetentionChart:
    """Bars of `points` (retention, value) with gridlines at round numbers."""
    peak = max((value for _, value in points), default=0.0)
    step = _nice_step(math.ceil(peak))
    top = step * max(1, math.ceil(peak / step))
    plot_height = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT - RIGHT) / len(points)
    bars = []
    for index, (_, value) in enumerate(points):
        height = plot_height * value / top
        bars.append(Bar(LEFT + index * slot + slot * 0.2, HEIGHT - BOTTOM - height, slot * 0.6, height))
    ticks = [Label(HEIGHT - BOTTOM - plot_height * v / top, str(v)) for v in range(0, top + 1, step)]
    x_labels = [Label(_x(i, len(points)), f"{r:.2f}") for i, (r, _) in enumerate(points)]
    retentions = [r for r, _ in points]
    at = next((i for i, r in enumerate(retentions) if abs(r - current) < 1e-9), None)
    return RetentionChart(title, unit, summary, bars, at, ticks, x_labels, _minimum_x(retentions, minimum))


def _summary(what: str, points: Sequence[tuple[float, float]], current: float, minimum: float | None) -> str:
    values = dict(points)
    text = (
        f"{what} over the next year at each desired retention: "
        f"{values[points[0][0]]:.1f} at {points[0][0]:.2f} up to {values[points[-1][0]]:.1f} at {points[-1][0]:.2f}; "
        f"{values[current]:.1f} at your {current:.2f}."
    )
    return text + (f" Minimum recommended retention: {minimum:.2f}." if minimum is not None else "")


def workload_table(result: simulate.Simulation, current: float, days: int) -> WorkloadTable:
    """The two charts and the table of a simulation whose retentions include `current`."""
    minimum = result.minimum_recommended_retention
    reviews = [(w.desired_retention, w.reviews_per_day) for w in result.results]
    minutes = [(w.desired_retention, w.minutes_per_day) for w in result.results]
    charts = [
        retention_chart(
            "Reviews per day",
            "Reviews",
            _summary("Reviews per day", reviews, current, minimum),
            reviews,
            current,
            minimum,
        ),
        retention_chart(
            "Minutes per day",
            "Minutes",
            _summary("Minutes per day", minutes, current, minimum),
            minutes,
            current,
            minimum,
        ),
    ]
    rows = [
        (
            f"{w.desired_retention:.2f}",
            f"{w.reviews_per_day:.1f}",
            f"{w.minutes_per_day:.1f}",
            f"{w.memorized:.0f}",
            abs(w.desired_retention - current) < 1e-9,
        )
        for w in result.results
    ]
    return WorkloadTable(
        charts, rows, current, minimum, result.cards, result.new_cards, result.timed_answers, days
    )


def workload_context(user: User) -> dict[str, Any]:
    """`workload` (a WorkloadTable) for the settings page, or `workload_error` saying why not."""
    current = round(user.desired_retention, 2)
    try:
        result = simulate.page_simulation(user, now())
    except simulate.SimulationError as exc:
        return {"workload": None, "workload_error": str(exc)}
    if not result.cards:
        return {
            "workload": None,
            "workload_error": "You have no cards to study yet, so there is no workload.",
        }
    return {"workload": workload_table(result, current, simulate.PAGE_DAYS), "workload_error": None}
