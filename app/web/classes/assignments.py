"""Assigned quizzes: set one for a class, the learner's list, accommodations and the gradebook.

Every instructor page first finds the class among the user's own (404 for anyone else); a learner
starts only assignments of classes they are in.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from app.models import Assignment, Classroom
from app.quiz.assignments import GRADING_NAMES, REVIEW_NAMES, local_text
from app.quiz.rules import MAX_QUESTIONS, MIN_QUESTIONS
from app.services import assignments as asg
from app.services import catalog, classes, quiz
from app.web.classes.assignment_form import (
    accommodation_from_form,
    form_of,
    override_row,
    spec_from_form,
    typed_form,
)
from app.web.clock import now
from app.web.quiz import grace
from app.web.security import current_learner

bp = Blueprint("classes_assignments", __name__)


@bp.app_template_global()
def my_assignments() -> list[asg.LearnerAssignment]:
    """The signed-in learner's assignments, for the pages that list them (none for visitors)."""
    if not current_user.is_authenticated:
        return []
    return asg.learner_assignments(current_learner(), now(), grace())


@bp.app_template_filter("local_time")
def local_time(moment: Any, zone_name: str) -> str:
    return local_text(moment, zone_name) if moment is not None else ""


def _class(class_id: int) -> Classroom:
    try:
        return classes.instructor_class(current_learner(), class_id)
    except classes.ClassNotFound as exc:
        abort(404, description=str(exc))


def _assignment(classroom: Classroom, assignment_id: int) -> Assignment:
    try:
        return asg.class_assignment(classroom, assignment_id)
    except asg.AssignmentNotFound as exc:
        abort(404, description=str(exc))


@bp.get("/classes/<int:class_id>/assignments")
@login_required
def index(class_id: int) -> ResponseReturnValue:
    classroom = _class(class_id)
    return render_template(
        "classes/assignments.html",
        classroom=classroom,
        assignments=asg.class_assignments(class_id),
        grading=GRADING_NAMES,
        review=REVIEW_NAMES,
    )


def _form_page(
    classroom: Classroom, form: dict[str, Any], assignment: Assignment | None, error: str | None
) -> str:
    return render_template(
        "classes/assignment_form.html",
        classroom=classroom,
        assignment=assignment,
        form=form,
        error=error,
        sets=catalog.list_sets(),
        questions=asg.live_questions(),
        bounds=(MIN_QUESTIONS, MAX_QUESTIONS),
        grading=GRADING_NAMES,
        review=REVIEW_NAMES,
    )


@bp.route("/classes/<int:class_id>/assignments/new", methods=["GET", "POST"])
@login_required
def create(class_id: int) -> ResponseReturnValue:
    classroom = _class(class_id)
    if request.method == "GET":
        return _form_page(
            classroom, form_of(None, classroom.timezone) | {"sets": request.args.getlist("sets")}, None, None
        )
    try:
        spec = spec_from_form(request.form, classroom.timezone)
        asg.create_assignment(classroom, current_learner(), spec, now())
    except asg.AssignmentError as exc:
        return _form_page(classroom, typed_form(request.form), None, str(exc)), 422
    flash("Assignment created: the class's learners see it on their home page.")
    return redirect(url_for("classes_assignments.index", class_id=class_id))


@bp.route("/classes/<int:class_id>/assignments/<int:assignment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(class_id: int, assignment_id: int) -> ResponseReturnValue:
    classroom = _class(class_id)
    assignment = _assignment(classroom, assignment_id)
    if request.method == "GET":
        return _form_page(classroom, form_of(assignment, classroom.timezone), assignment, None)
    try:
        asg.update_assignment(assignment, spec_from_form(request.form, classroom.timezone), now())
    except asg.AssignmentError as exc:
        return _form_page(classroom, typed_form(request.form), assignment, str(exc)), 422
    flash("Assignment saved; attempts in progress follow its new close time and time limit.")
    return redirect(url_for("classes_assignments.index", class_id=class_id))


@bp.post("/classes/<int:class_id>/assignments/<int:assignment_id>/delete")
@login_required
def delete(class_id: int, assignment_id: int) -> ResponseReturnValue:
    classroom = _class(class_id)
    assignment = _assignment(classroom, assignment_id)
    asg.delete_assignment(assignment, now())
    flash(f"“{assignment.title}” deleted; its attempts stay in the learners' quiz history.")
    return redirect(url_for("classes_assignments.index", class_id=class_id))


def _overrides_page(
    classroom: Classroom, assignment: Assignment, error: str | None, form: dict[str, Any]
) -> str:
    learners = classes.learners(classroom.id)
    return render_template(
        "classes/assignment_overrides.html",
        classroom=classroom,
        assignment=assignment,
        learners=learners,
        names={u.id: u.username for u in learners},
        overrides=[override_row(o, classroom.timezone) for o in asg.overrides_of(assignment).values()],
        error=error,
        form=form,
    )


@bp.route("/classes/<int:class_id>/assignments/<int:assignment_id>/overrides", methods=["GET", "POST"])
@login_required
def overrides(class_id: int, assignment_id: int) -> ResponseReturnValue:
    classroom = _class(class_id)
    assignment = _assignment(classroom, assignment_id)
    if request.method == "GET":
        return _overrides_page(classroom, assignment, None, {})
    try:
        learner_id = request.form.get("user_id", type=int)
        if learner_id is None:
            raise asg.AssignmentError("Choose a learner.")
        given = accommodation_from_form(request.form, classroom.timezone)
        asg.set_override(assignment, learner_id, given, now())
    except asg.AssignmentError as exc:
        return _overrides_page(classroom, assignment, str(exc), request.form.to_dict()), 422
    flash("Accommodation saved.")
    return redirect(url_for("classes_assignments.overrides", class_id=class_id, assignment_id=assignment_id))


@bp.post("/classes/<int:class_id>/assignments/<int:assignment_id>/overrides/<int:user_id>/clear")
@login_required
def clear_override(class_id: int, assignment_id: int, user_id: int) -> ResponseReturnValue:
    classroom = _class(class_id)
    asg.clear_override(_assignment(classroom, assignment_id), user_id, now())
    flash("Accommodation removed: the assignment's own times apply.")
    return redirect(url_for("classes_assignments.overrides", class_id=class_id, assignment_id=assignment_id))


@bp.get("/classes/<int:class_id>/gradebook")
@login_required
def gradebook(class_id: int) -> ResponseReturnValue:
    classroom = _class(class_id)
    return render_template(
        "classes/gradebook.html", classroom=classroom, book=asg.gradebook(class_id), grading=GRADING_NAMES
    )


def gradebook_download(class_id: int) -> Response:
    """The gradebook CSV (pages and API share it); the caller checked the class is the user's."""
    return Response(
        asg.gradebook_csv(class_id),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="gradebook-class-{class_id}.csv"'},
    )


@bp.get("/classes/<int:class_id>/gradebook.csv")
@login_required
def gradebook_csv(class_id: int) -> ResponseReturnValue:
    _class(class_id)
    return gradebook_download(class_id)


@bp.post("/assignments/<int:assignment_id>/start")
@login_required
def start(assignment_id: int) -> ResponseReturnValue:
    """Start an attempt (or go back to the one in progress); refused outside the window: 409."""
    try:
        attempt = asg.start_attempt(current_learner(), assignment_id, now(), grace())
    except asg.AssignmentNotFound as exc:
        abort(404, description=str(exc))
    except asg.AttemptRefused as exc:
        abort(409, description=str(exc))
    except quiz.QuizRequestError as exc:
        abort(422, description=str(exc))
    return redirect(url_for("quiz.take", attempt_id=attempt.id))
