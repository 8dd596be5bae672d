"""JSON API, version 1: assigned quizzes, their attempts and the gradebook.

A class or assignment that is not the caller's answers 404, whoever asks (another instructor, a
learner of the class asking for an instructor's operation, anyone else). Times go out in UTC;
an incoming time without an offset is in the class's time zone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Response
from flask_login import login_required
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from app.models import Assignment, Classroom
from app.quiz.assignments import GRADING, REVIEW, as_utc
from app.quiz.rules import MAX_QUESTIONS, MAX_SECONDS, MIN_QUESTIONS, MIN_SECONDS
from app.services import assignments as asg
from app.services import classes, quiz
from app.web.api_quiz import MAX_SETS, QuizAttemptSchema, attempt_json
from app.web.api_schemas import MAX_SLUG
from app.web.bounds import MAX_ID
from app.web.classes.assignments import gradebook_download
from app.web.clock import now
from app.web.quiz import grace
from app.web.security import current_learner

bp = Blueprint("assignments_api", __name__, url_prefix="/api/v1", description="Assigned quizzes")

_LOCAL = "ISO 8601; without an offset, in the class's time zone"


class NewAssignmentSchema(Schema):
    sets = fields.List(
        fields.String(validate=validate.Length(max=MAX_SLUG)),
        required=True,
        validate=validate.Length(min=1, max=MAX_SETS),
        metadata={"description": "slugs of the sets the questions come from"},
    )
    card_ids = fields.List(
        fields.Integer(validate=validate.Range(min=0, max=MAX_ID)),
        load_default=list,
        validate=validate.Length(max=asg.MAX_CHOSEN),
        metadata={"description": "chosen questions (cards of those sets); empty: any of the sets'"},
    )
    count = fields.Integer(required=True, validate=validate.Range(min=MIN_QUESTIONS, max=MAX_QUESTIONS))
    time_limit_s = fields.Integer(required=True, validate=validate.Range(min=MIN_SECONDS, max=MAX_SECONDS))
    opens_at = fields.DateTime(load_default=None, allow_none=True, metadata={"description": _LOCAL})
    closes_at = fields.DateTime(load_default=None, allow_none=True, metadata={"description": _LOCAL})
    attempts = fields.Integer(
        required=True,
        validate=validate.Range(min=0, max=asg.MAX_ATTEMPTS),
        metadata={"description": "attempts allowed; 0 for no limit"},
    )
    grading = fields.String(load_default="highest", validate=validate.OneOf(GRADING))
    review = fields.String(
        load_default="immediately",
        validate=validate.OneOf(REVIEW),
        metadata={"description": "when learners see right answers; after_close needs closes_at"},
    )
    title = fields.String(
        load_default="",
        validate=validate.Length(max=asg.MAX_TITLE),
        metadata={"description": "default: the sets' titles"},
    )


class AssignmentSchema(Schema):
    id = fields.Integer(required=True)
    class_id = fields.Integer(required=True)
    title = fields.String(required=True)
    sets = fields.List(fields.String(), required=True)
    card_ids = fields.List(fields.Integer(), required=True)
    count = fields.Integer(required=True)
    time_limit_s = fields.Integer(required=True)
    opens_at = fields.String(allow_none=True, metadata={"description": "ISO 8601, UTC"})
    closes_at = fields.String(allow_none=True, metadata={"description": "ISO 8601, UTC"})
    attempts = fields.Integer(required=True, metadata={"description": "0: no limit"})
    grading = fields.String(required=True, metadata={"enum": list(GRADING)})
    review = fields.String(required=True, metadata={"enum": list(REVIEW)})


class LearnerAssignmentSchema(Schema):
    id = fields.Integer(required=True)
    class_id = fields.Integer(required=True)
    class_name = fields.String(required=True)
    title = fields.String(required=True)
    count = fields.Integer(required=True)
    time_limit_s = fields.Integer(required=True, metadata={"description": "yours, with any accommodation"})
    opens_at = fields.String(allow_none=True, metadata={"description": "yours; ISO 8601, UTC"})
    closes_at = fields.String(allow_none=True, metadata={"description": "your due time; ISO 8601, UTC"})
    status = fields.String(required=True, metadata={"enum": ["upcoming", "open", "closed"]})
    attempts_allowed = fields.Integer(required=True, metadata={"description": "0: no limit"})
    attempts_used = fields.Integer(required=True)
    attempts_left = fields.Integer(allow_none=True, metadata={"description": "null: no limit"})
    grade = fields.Float(
        allow_none=True, metadata={"description": "fraction in [0, 1] by the grading method"}
    )
    grading = fields.String(required=True, metadata={"enum": list(GRADING)})
    review = fields.String(required=True, metadata={"enum": list(REVIEW)})
    attempt_in_progress = fields.Integer(allow_none=True, metadata={"description": "its id, to resume"})
    can_start = fields.Boolean(required=True)


class LearnerAssignmentsSchema(Schema):
    assignments = fields.List(fields.Nested(LearnerAssignmentSchema), required=True)


def iso_utc(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _assignment_json(a: Assignment) -> dict[str, Any]:
    return {
        "id": a.id,
        "class_id": a.class_id,
        "title": a.title,
        "sets": list(a.sets),
        "card_ids": list(a.card_ids),
        "count": a.count,
        "time_limit_s": a.time_limit_s,
        "opens_at": iso_utc(a.opens_at),
        "closes_at": iso_utc(a.closes_at),
        "attempts": a.attempts,
        "grading": a.grading,
        "review": a.review,
    }


def _learner_json(m: asg.LearnerAssignment) -> dict[str, Any]:
    return {
        "id": m.assignment.id,
        "class_id": m.classroom.id,
        "class_name": m.classroom.name,
        "title": m.assignment.title,
        "count": m.assignment.count,
        "time_limit_s": m.window.time_limit_s,
        "opens_at": iso_utc(m.window.opens_at),
        "closes_at": iso_utc(m.window.closes_at),
        "status": m.status,
        "attempts_allowed": m.window.attempts,
        "attempts_used": m.used,
        "attempts_left": m.left,
        "grade": m.grade,
        "grading": m.assignment.grading,
        "review": m.assignment.review,
        "attempt_in_progress": m.open_attempt_id,
        "can_start": m.can_start,
    }


def _class(class_id: int) -> Classroom:
    try:
        return classes.instructor_class(current_learner(), class_id)
    except classes.ClassNotFound as exc:
        abort(404, message=str(exc))


def _time(value: datetime | None, zone_name: str) -> datetime | None:
    return None if value is None else as_utc(value, zone_name)


@bp.post("/classes/<int:class_id>/assignments")
@login_required
@bp.arguments(NewAssignmentSchema)
@bp.response(201, AssignmentSchema)
@bp.alt_response(404, description="Not a class you teach")
@bp.alt_response(422, description="Outside the rules (sets, questions, times)")
def create(body: dict[str, Any], class_id: int) -> Any:
    """Assign a quiz to one of your classes."""
    classroom = _class(class_id)
    spec = asg.AssignmentSpec(
        **{
            **body,
            "opens_at": _time(body["opens_at"], classroom.timezone),
            "closes_at": _time(body["closes_at"], classroom.timezone),
        }
    )
    try:
        assignment = asg.create_assignment(classroom, current_learner(), spec, now())
    except asg.AssignmentError as exc:
        abort(422, message=str(exc))
    return _assignment_json(assignment)


@bp.get("/assignments")
@login_required
@bp.response(200, LearnerAssignmentsSchema)
def mine() -> Any:
    """Your assigned quizzes across your classes: open ones first, with your window and grade."""
    found = asg.learner_assignments(current_learner(), now(), grace())
    return {"assignments": [_learner_json(m) for m in found]}


@bp.post("/assignments/<int:assignment_id>/attempts")
@login_required
@bp.response(201, QuizAttemptSchema)
@bp.alt_response(404, description="Not an assignment of a class you are in")
@bp.alt_response(409, description="Outside your window, or every attempt is used")
@bp.alt_response(422, description="The assignment's questions are no longer available")
def start(assignment_id: int) -> Any:
    """Start an attempt (or get the one in progress), shaped like `POST /quizzes`' answer."""
    try:
        attempt = asg.start_attempt(current_learner(), assignment_id, now(), grace())
    except asg.AssignmentNotFound as exc:
        abort(404, message=str(exc))
    except asg.AttemptRefused as exc:
        abort(409, message=str(exc))
    except quiz.QuizRequestError as exc:
        abort(422, message=str(exc))
    return attempt_json(attempt)


@bp.get("/classes/<int:class_id>/gradebook.csv")
@login_required
@bp.response(
    200,
    {"type": "string"},
    content_type="text/csv",
    description="learner, then each assignment's grade (percent) and attempts",
)
@bp.alt_response(404, description="Not a class you teach")
def gradebook(class_id: int) -> Response:
    """Your class's gradebook as CSV."""
    _class(class_id)
    return gradebook_download(class_id)
