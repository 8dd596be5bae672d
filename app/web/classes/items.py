"""Item analysis pages: how each question of a set or assignment did in a class, as a table, a
chart drawn on the server as inline SVG, and a CSV download."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from app.analytics.flags import HIGH_FACILITY, LOW_DISCRIMINATION, LOW_FACILITY
from app.services import classes, item_analysis
from app.services.item_analysis import ItemReport, ItemRow
from app.web.security import current_learner

bp = Blueprint("classes_items", __name__)

WIDTH, HEIGHT = 640, 360
LEFT, RIGHT, TOP, BOTTOM = 56, 30, 16, 48
WHICH_NAMES = {
    "highest": "each learner’s best attempt",
    "first": "each learner’s first attempt",
    "last": "each learner’s last attempt",
    "all": "every attempt",
}


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    flagged: bool


@dataclass(frozen=True)
class Band:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Tick:
    position: float
    text: str


@dataclass(frozen=True)
class Scatter:
    """Facility (x, 0 to 1) against discrimination (y, -1 to 1) in a WIDTH x HEIGHT view box."""

    summary: str
    points: list[Point]
    bands: list[Band]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM


def _x(facility: float) -> float:
    return LEFT + facility * (WIDTH - LEFT - RIGHT)


def _y(discrimination: float) -> float:
    return TOP + (1 - discrimination) / 2 * (HEIGHT - TOP - BOTTOM)


def scatter(found: ItemReport) -> Scatter:
    """One labelled point per question with both figures; the zones the flags name are shaded."""
    points = [
        Point(_x(r.stats.facility), _y(r.stats.discrimination), str(r.number), bool(r.flags))
        for r in found.items
        if r.stats and r.stats.facility is not None and r.stats.discrimination is not None
    ]
    bands = [
        Band(LEFT, _y(LOW_DISCRIMINATION), WIDTH - LEFT - RIGHT, _y(-1) - _y(LOW_DISCRIMINATION)),
        Band(LEFT, TOP, _x(LOW_FACILITY) - LEFT, HEIGHT - TOP - BOTTOM),
        Band(_x(HIGH_FACILITY), TOP, WIDTH - RIGHT - _x(HIGH_FACILITY), HEIGHT - TOP - BOTTOM),
    ]
    x_ticks = [Tick(_x(v / 10), f"{v * 10}%") for v in range(0, 11, 2)]
    y_ticks = [Tick(_y(v / 2), f"{v / 2:.1f}") for v in range(-2, 3)]
    return Scatter(_summary(found, points), points, bands, x_ticks, y_ticks)


def _summary(found: ItemReport, points: list[Point]) -> str:
    if not points:
        return "Facility against discrimination: no question has both figures yet (they need two or more attempts)."
    low = [p.label for p in points if p.flagged]
    shaded = f"Questions flagged: {', '.join(low)}." if low else "No plotted question is flagged."
    return (
        f"Facility against discrimination for {len(points)} of {len(found.items)} questions; "
        f"the shaded zones are discrimination below {LOW_DISCRIMINATION:.1f} and facility below "
        f"{LOW_FACILITY:.0%} or above {HIGH_FACILITY:.0%}. {shaded}"
    )


def editor_url(row: ItemRow) -> str | None:
    """The authoring editor at the question's line, when its set's source is there."""
    if not row.editable:
        return None
    return url_for("author.edit", slug=row.set_slug, line=row.card.line or None)


def _report(class_id: int) -> ItemReport:
    user = current_learner()
    try:
        scope = item_analysis.parse_scope(
            request.args.get("set"), request.args.get("assignment"), request.args.get("attempts")
        )
        return item_analysis.report(user, class_id, scope)
    except classes.ClassNotFound as exc:
        abort(404, description=str(exc))
    except item_analysis.ScopeNotFound as exc:
        abort(404, description=str(exc))
    except item_analysis.ScopeError as exc:
        abort(400, description=str(exc))


@bp.get("/classes/<int:class_id>/items")
@login_required
def items(class_id: int) -> ResponseReturnValue:
    if not request.args.get("set") and not request.args.get("assignment"):
        return _chooser(class_id)
    found = _report(class_id)
    return render_template(
        "classes/items.html",
        report=found,
        chart=scatter(found),
        which_names=WHICH_NAMES,
        editor_url=editor_url,
        csv_args={k: v for k, v in request.args.items() if k in ("set", "assignment", "attempts")},
    )


def _chooser(class_id: int) -> ResponseReturnValue:
    try:
        offered = item_analysis.choices(current_learner(), class_id)
        classroom = classes.instructor_class(current_learner(), class_id)
    except classes.ClassNotFound as exc:
        abort(404, description=str(exc))
    return render_template("classes/items_choose.html", classroom=classroom, offered=offered)


@bp.get("/classes/<int:class_id>/items.csv")
@login_required
def items_csv(class_id: int) -> ResponseReturnValue:
    found = _report(class_id)
    name = found.set_slug or f"assignment-{found.assignment_id}"
    return Response(
        item_analysis.report_csv(found),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="items-class-{class_id}-{name}.csv"'},
    )
