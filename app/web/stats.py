"""A learner's statistics page, with charts drawn as inline SVG on the server, and the export pages."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask import Blueprint, Response, abort, render_template, stream_with_context
from flask.typing import ResponseReturnValue
from flask_login import login_required

from app.services import catalog, export, stats
from app.web.clock import now
from app.web.security import current_learner

bp = Blueprint("stats", __name__)

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 46, 10, 20, 40


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Label:
    position: float
    text: str
    minor: bool = False  # hidden on narrow screens
    anchor: str = ""  # SVG text-anchor; empty: the chart's own rule (start, middle..., end)


@dataclass(frozen=True)
class BarChart:
    """A bar chart's geometry in a WIDTH x HEIGHT view box, its summary and its data as rows."""

    title: str
    unit: str
    summary: str
    bars: list[Bar]
    y_ticks: list[Label]
    x_labels: list[Label]
    rows: list[tuple[str, int]]
    row_header: str = "Day"
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    baseline: int = HEIGHT - BOTTOM


def short_date(day: date) -> str:
    return f"{day.day} {day:%b}"


def long_date(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _nice_step(top: int) -> int:
    """A round gridline step (1, 2 or 5 times a power of ten) giving at most four gridlines."""
    magnitude = 10 ** max(0, math.floor(math.log10(max(top, 1))) - 1)
    for factor in (1, 2, 5, 10, 20, 50, 100):
        if top <= 4 * factor * magnitude:
            return factor * magnitude
    return 100 * magnitude


def _bars(counts: Sequence[int]) -> tuple[list[Bar], list[Label], float]:
    """Bars for counts side by side, gridlines at round numbers, and the width of a bar's slot."""
    step = _nice_step(max(counts, default=0))
    top = step * max(1, math.ceil(max(counts, default=0) / step))
    plot_height = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT - RIGHT) / len(counts)
    bars = []
    for index, count in enumerate(counts):
        height = plot_height * count / top
        bars.append(Bar(LEFT + index * slot + slot * 0.15, HEIGHT - BOTTOM - height, slot * 0.7, height))
    ticks = [
        Label(HEIGHT - BOTTOM - plot_height * value / top, str(value)) for value in range(0, top + 1, step)
    ]
    return bars, ticks, slot


def bar_chart(
    title: str, unit: str, summary: str, points: Sequence[stats.DayCount], today_index: int
) -> BarChart:
    """Bars for day counts, gridlines at round numbers, and a date under every seventh bar."""
    bars, ticks, slot = _bars([p.count for p in points])
    marks = sorted({*range(0, len(points) - 3, 7), len(points) - 1})
    x_labels = [
        Label(
            LEFT + (i + 0.5) * slot, "Today" if i == today_index else short_date(points[i].day), i % 14 == 7
        )
        for i in marks
    ]
    rows = [
        (long_date(p.day) + (" (today)" if i == today_index else ""), p.count) for i, p in enumerate(points)
    ]
    return BarChart(title, unit, summary, bars, ticks, x_labels, rows)


def histogram(
    title: str, summary: str, bins: Sequence[tuple[str, int]], bin_header: str, edges: Sequence[str]
) -> BarChart:
    """Bars for counts of cards in value ranges, with `edges` (one more than the bins, "" for none)
    written at the bins' boundaries; on narrow screens every other one."""
    bars, ticks, slot = _bars([count for _, count in bins])
    last = len(edges) - 1
    x_labels = [
        Label(
            LEFT + i * slot,
            text,
            i % 2 == 1 and i != last,
            "start" if i == 0 else ("end" if i == last else "middle"),
        )
        for i, text in enumerate(edges)
        if text
    ]
    return BarChart(title, "Cards", summary, bars, ticks, x_labels, list(bins), row_header=bin_header)


@dataclass(frozen=True)
class LineChart:
    """A curve of a probability (0 to 1) over coming days, in the same view box as the bar charts."""

    title: str
    summary: str
    path: str
    y_ticks: list[Label]
    x_labels: list[Label]
    rows: list[tuple[str, str]]
    target: float | None  # the height of a dashed line (the desired retention), if any
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    baseline: int = HEIGHT - BOTTOM


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def probability_chart(
    title: str, summary: str, points: Sequence[tuple[int, float]], target: float | None = None
) -> LineChart:
    """A line through (day, probability) points, 0-100% upwards, days along the bottom."""
    plot_height = HEIGHT - BOTTOM - TOP
    last = max(points[-1][0], 1)

    def x(day: float) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * day / last

    def y(value: float) -> float:
        return HEIGHT - BOTTOM - plot_height * value

    path = " ".join(f"{'M' if i == 0 else 'L'}{x(d):.1f},{y(p):.1f}" for i, (d, p) in enumerate(points))
    ticks = [Label(y(v / 4), _percent(v / 4)) for v in range(5)]
    step = max(1, math.ceil(last / 6))
    marks = sorted({*range(0, last, step), last})
    if len(marks) > 2 and marks[-1] - marks[-2] < step / 2:
        marks.pop(-2)  # keep the last day's label clear of its neighbour
    x_labels = [
        Label(x(d), "Today" if d == 0 else f"+{d}d", d not in (0, last) and i % 2 == 1)
        for i, d in enumerate(marks)
    ]
    rows = [("Today" if d == 0 else f"In {d} {'day' if d == 1 else 'days'}", _percent(p)) for d, p in points]
    return LineChart(title, summary, path, ticks, x_labels, rows, y(target) if target is not None else None)


def _busiest(points: Sequence[stats.DayCount]) -> stats.DayCount:
    return max(points, key=lambda p: p.count)


def reviews_chart(points: Sequence[stats.DayCount]) -> BarChart:
    total = sum(p.count for p in points)
    busiest = _busiest(points)
    active = sum(1 for p in points if p.count)
    summary = (
        f"Reviews per day over the last {len(points)} days: {total} in total, on {active} "
        f"{'day' if active == 1 else 'days'}; most on {long_date(busiest.day)} ({busiest.count}); "
        f"{points[-1].count} today."
        if total
        else f"Reviews per day over the last {len(points)} days: none yet."
    )
    return bar_chart("Reviews per day", "Reviews", summary, points, len(points) - 1)


def forecast_chart(points: Sequence[stats.DayCount]) -> BarChart:
    total = sum(p.count for p in points)
    busiest = _busiest(points)
    summary = (
        f"Review cards due over the next {len(points)} days: {total} in total; {points[0].count} today, "
        f"overdue ones included; most on {long_date(busiest.day)} ({busiest.count})."
        if total
        else f"Review cards due over the next {len(points)} days: none."
    )
    return bar_chart("Review cards due per day", "Cards due", summary, points, 0)


def _range(low: float, high: float | None, unit: str) -> str:
    if unit == "%":
        return f"{low * 100:.0f}–{(high or 1) * 100:.0f}%"
    return f"{_days(low)}+" if high is None else f"{_days(low)}–{_days(high)}"


def _edge(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    return f"{value * 100:.0f}%" if unit == "%" else ("0" if value == 0 else _days(value))


def _days(days: float) -> str:
    return f"{days / 365:.0f}y" if days >= 365 else f"{days:.0f}d"


def distribution_charts(found: stats.Distributions) -> list[tuple[str, str, BarChart]]:
    """The /stats histograms: an id, a hint and the chart, for stability, difficulty and retrievability."""
    charts = []
    for key, title, buckets, unit, hint in (
        ("stability", "Stability", found.stability, "d",
         "Days until the chance of recalling a card falls to 90%: higher is better remembered."),
        ("difficulty", "Difficulty", found.difficulty, "%",
         "How hard each card is for you, from 0% (easiest) to 100% (hardest), as Anki shows it."),
        ("retrievability", "Retrievability", found.retrievability, "%",
         "The chance you would recall each card if asked now."),
    ):  # fmt: skip
        bins = [(_range(b.low, b.high, unit), b.count) for b in buckets]
        edges = [_edge(b.low, unit) for b in buckets] + [_edge(buckets[-1].high, unit)]
        name, count = max(bins, key=lambda item: item[1]) if bins else ("", 0)
        summary = (
            f"{title} of your {found.cards} studied {'card' if found.cards == 1 else 'cards'}: "
            f"most ({count}) in {name}."
            if found.cards
            else f"{title}: no studied cards yet."
        )
        charts.append((key, hint, histogram(title, summary, bins, title, edges)))
    return charts


@bp.get("/stats", endpoint="stats")
@login_required
def stats_page() -> ResponseReturnValue:
    user = current_learner()
    overview = stats.overview(user, now())
    return render_template(
        "stats.html",
        overview=overview,
        timezone=user.timezone,
        reviews=reviews_chart(overview.reviews),
        forecast=forecast_chart(overview.forecast),
        distributions=distribution_charts(overview.distributions),
    )


@bp.get("/export", endpoint="export")
@login_required
def export_page() -> ResponseReturnValue:
    return render_template(
        "export.html", review_count=export.review_count(current_learner()), sets=catalog.list_sets()
    )


@bp.get("/export/reviews.csv")
@login_required
def reviews_csv() -> ResponseReturnValue:
    rows = export.review_log_csv(current_learner())
    return Response(
        stream_with_context(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="unroll-reviews.csv"'},
    )


@bp.get("/export/sets/<slug>.apkg")
@login_required
def set_apkg(slug: str) -> ResponseReturnValue:
    try:
        package = export.anki_package(slug)
    except export.UnknownSet as exc:
        abort(404, description=str(exc))
    return Response(
        package,
        mimetype="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{slug}.apkg"'},
    )
