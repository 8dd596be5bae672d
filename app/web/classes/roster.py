"""Class pages: create, join (by code or link, as a guest too), roster, members and the join code."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from app.models import Classroom, User
from app.services import accounts, classes
from app.services import roster as roster_rows
from app.services.export import spreadsheet_safe
from app.web import throttling
from app.web.auth import _sign_in as sign_in  # the one way a browser starts a session
from app.web.clock import now
from app.web.security import current_learner

bp = Blueprint("classes_roster", __name__)

# Roster columns: key, heading, the row's value to sort by (None sorts last either way).
COLUMNS: dict[str, tuple[str, Callable[[roster_rows.RosterRow], Any]]] = {
    "learner": ("Learner", lambda r: r.username.casefold()),
    "cards": ("Cards studied", lambda r: r.figures.cards_studied),
    "week": ("Reviews, 7 days", lambda r: r.figures.reviews_7),
    "month": ("Reviews, 30 days", lambda r: r.figures.reviews_30),
    "retention": ("True retention", lambda r: r.figures.retention.rate),
    "due": ("Due today", lambda r: r.figures.due_today),
    "streak": ("Streak", lambda r: r.figures.streak),
    "quizzes": ("Quizzes done", lambda r: r.quizzes_done),
    "score": ("Quiz score", lambda r: r.quiz_score),
}
# Pages of the other class features, linked from the class page once they exist.
FEATURE_LINKS = (
    ("Assigned quizzes", ("classes_assignments.assignments", "classes_assignments.index")),
    ("Gradebook", ("classes_assignments.gradebook",)),
    ("Item analysis", ("classes_items.items", "classes_items.index")),
)


def _taught(class_id: int) -> Classroom:
    try:
        return classes.instructor_class(current_learner(), class_id)
    except classes.ClassNotFound as exc:
        abort(404, description=str(exc))


def _back(classroom: Classroom) -> ResponseReturnValue:
    return redirect(url_for("classes_roster.show", class_id=classroom.id))


def _index(status: int = 200, **form: str) -> ResponseReturnValue:
    """The class list with its two forms; `form` gives back what was typed (`name`, `code`) and the
    error of the form that failed (`name_error` or `code_error`)."""
    user = current_learner()
    page = render_template(
        "classes/index.html",
        taught=classes.taught_by(user) if user.is_instructor else [],
        joined=classes.joined_by(user),
        form=form,
    )
    return page, status


@bp.get("/classes", endpoint="classes")  # base.html's nav links to this endpoint
@login_required
def index() -> ResponseReturnValue:
    return _index()


@bp.post("/classes")
@login_required
def create() -> ResponseReturnValue:
    name = request.form.get("name", "")
    try:
        classroom = classes.create_class(current_learner(), name, now())
    except classes.NotInstructor as exc:
        abort(403, description=str(exc))
    except classes.ClassRequestError as exc:
        return _index(422, name_error=str(exc), name=name)
    flash(f"Class “{classroom.name}” created. Share its join link or code with your learners.")
    return _back(classroom)


@bp.post("/classes/join")
@login_required
def join_by_code() -> ResponseReturnValue:
    code = request.form.get("join_code", "")
    try:
        classroom = classes.join(current_learner(), code, now())
    except classes.ClassNotFound as exc:
        return _index(404, code_error=str(exc), code=code)
    return _joined(classroom)


def _joined(classroom: Classroom) -> ResponseReturnValue:
    flash(f"You are in “{classroom.name}”.")
    return _back(classroom)


def _feature_links(classroom: Classroom) -> list[tuple[str, str]]:
    """Links to the class's assignments, gradebook and item analysis, for the ones that exist."""
    links = []
    for label, endpoints in FEATURE_LINKS:
        found = next((e for e in endpoints if e in current_app.view_functions), None)
        if found:
            links.append((label, url_for(found, class_id=classroom.id)))
    return links


def _sorted_rows(rows: list[roster_rows.RosterRow]) -> tuple[list[roster_rows.RosterRow], str, str]:
    sort = request.args.get("sort", "learner")
    sort = sort if sort in COLUMNS else "learner"
    direction = "desc" if request.args.get("dir") == "desc" else "asc"
    key = COLUMNS[sort][1]
    present = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if key(r) is None]
    present.sort(key=lambda r: (key(r), r.username.casefold()), reverse=direction == "desc")
    return present + sorted(missing, key=lambda r: r.username.casefold()), sort, direction


@bp.get("/classes/<int:class_id>")
@login_required
def show(class_id: int) -> ResponseReturnValue:
    user = current_learner()
    if not classes.teaches(user, class_id):
        return _learner_view(user, class_id)
    classroom = _taught(class_id)
    rows, sort, direction = _sorted_rows(roster_rows.roster(classroom, now()))
    return render_template(
        "classes/class.html",
        classroom=classroom,
        rows=rows,
        columns={key: heading for key, (heading, _) in COLUMNS.items()},
        sort=sort,
        direction=direction,
        quizzes=roster_rows.assigned_quizzes(classroom.id),
        instructors=classes.instructors(classroom.id),
        join_link=url_for("classes_roster.join_link", code=classroom.join_code, _external=True),
        links=_feature_links(classroom),
    )


def _learner_view(user: User, class_id: int) -> ResponseReturnValue:
    try:
        classroom = classes.learner_class(user, class_id)
    except classes.ClassNotFound:
        abort(404, description="There is no such class among yours.")
    return render_template(
        "classes/learner.html", classroom=classroom, instructors=classes.instructors(classroom.id)
    )


@bp.post("/classes/<int:class_id>/leave")
@login_required
def leave(class_id: int) -> ResponseReturnValue:
    try:
        classroom = classes.leave(current_learner(), class_id, now())
    except classes.ClassNotFound as exc:
        abort(404, description=str(exc))
    flash(f"You left “{classroom.name}”. Its join code lets you back in.")
    return redirect(url_for("classes_roster.classes"))


@bp.post("/classes/<int:class_id>/rename")
@login_required
def rename(class_id: int) -> ResponseReturnValue:
    classroom = _taught(class_id)
    try:
        classes.rename(classroom, request.form.get("name", ""))
    except classes.ClassRequestError as exc:
        flash(str(exc))
    return _back(classroom)


@bp.post("/classes/<int:class_id>/code")
@login_required
def rotate(class_id: int) -> ResponseReturnValue:
    classroom = _taught(class_id)
    classes.rotate_code(classroom, now())
    flash("New join code and link made; the old ones no longer work.")
    return _back(classroom)


@bp.post("/classes/<int:class_id>/instructors")
@login_required
def add_instructor(class_id: int) -> ResponseReturnValue:
    classroom = _taught(class_id)
    try:
        added = classes.add_instructor(classroom, request.form.get("username", ""), now())
    except classes.ClassRequestError as exc:
        flash(str(exc))
    else:
        flash(f"{added.username} now teaches this class too.")
    return _back(classroom)


@bp.post("/classes/<int:class_id>/learners/<int:user_id>/remove")
@login_required
def remove(class_id: int, user_id: int) -> ResponseReturnValue:
    classroom = _taught(class_id)
    try:
        removed = classes.remove_learner(classroom, user_id, now())
    except classes.ClassNotFound as exc:
        abort(404, description=str(exc))
    flash(f"{removed.username} was removed from the class; their past attempts stay.")
    return _back(classroom)


@bp.get("/classes/<int:class_id>/roster.csv")
@login_required
def roster_csv(class_id: int) -> ResponseReturnValue:
    classroom = _taught(class_id)
    return Response(
        _roster_csv(classroom),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="class-{classroom.id}-roster.csv"'},
    )


def _roster_csv(classroom: Classroom) -> str:
    """The roster as CSV: the API's fields, then one grade column per assigned quiz."""
    rows = roster_rows.roster(classroom, now())
    quizzes = roster_rows.assigned_quizzes(classroom.id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    fields = list(roster_rows.RosterRow.COLUMNS)
    writer.writerow([*fields, *(spreadsheet_safe(f"grade: {quiz.title}") for quiz in quizzes)])
    for row in rows:
        record = row.record()
        writer.writerow([*(spreadsheet_safe(record[f]) for f in fields), *row.grades])
    return buffer.getvalue()


@bp.route("/join/<code>", methods=["GET", "POST"])
def join_link(code: str) -> ResponseReturnValue:
    """A class's join link: confirm (logged in), or start as a guest or log in first."""
    classroom = classes.find_by_code(code)
    if classroom is None:
        abort(404, description="No class has that join code; ask your instructor for a new link.")
    if request.method == "GET":
        return render_template("classes/join.html", classroom=classroom, code=code)
    if not current_user.is_authenticated:
        throttling.take_guest()
        sign_in(accounts.create_guest(now()))
    return _joined(classes.join(current_learner(), code, now()))
