"""JSON API, version 1: classes (create, join, read the roster, remove a learner, rotate the code)."""

from __future__ import annotations

from typing import Any

from flask_login import login_required
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from app.models import Classroom
from app.services import classes
from app.services import roster as roster_rows
from app.web.clock import now
from app.web.security import current_learner

bp = Blueprint("classes_api", __name__, url_prefix="/api/v1", description="Classes")


class NewClassSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=classes.MAX_NAME))


class JoinSchema(Schema):
    join_code = fields.String(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "as given by the instructor; case, spaces and dashes do not matter"},
    )


class ClassSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class TaughtClassSchema(ClassSchema):
    join_code = fields.String(required=True)


class MyClassSchema(ClassSchema):
    role = fields.String(required=True, metadata={"description": "instructor or learner"})


class RosterLearnerSchema(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    guest = fields.Boolean(required=True, metadata={"description": "a guest has not registered yet"})
    cards_studied = fields.Integer(required=True)
    reviews_7_days = fields.Integer(required=True)
    reviews_30_days = fields.Integer(required=True)
    true_retention = fields.Float(
        required=True,
        allow_none=True,
        metadata={"description": "fraction over 30 days; null with no due reviews"},
    )
    retention_reviews = fields.Integer(required=True, metadata={"description": "the reviews it is out of"})
    due_today = fields.Integer(required=True, metadata={"description": "review cards due, overdue included"})
    streak_days = fields.Integer(required=True)
    quizzes_done = fields.Integer(required=True)
    quiz_score = fields.Float(
        required=True, allow_none=True, metadata={"description": "mean grade (fraction) of the quizzes done"}
    )


class ClassDetailSchema(TaughtClassSchema):
    instructors = fields.List(fields.String(), required=True)
    learners = fields.List(fields.Nested(RosterLearnerSchema), required=True)


def _taught(class_id: int) -> Classroom:
    try:
        return classes.instructor_class(current_learner(), class_id)
    except classes.ClassNotFound as exc:
        abort(404, message=str(exc))


@bp.get("/classes")
@login_required
@bp.response(200, MyClassSchema(many=True))
def list_classes() -> Any:
    """The classes you teach, then those you are in."""
    user = current_learner()
    taught = [{"id": c.id, "name": c.name, "role": "instructor"} for c in classes.taught_by(user)]
    return taught + [{"id": c.id, "name": c.name, "role": "learner"} for c in classes.joined_by(user)]


@bp.post("/classes")
@login_required
@bp.arguments(NewClassSchema)
@bp.response(201, TaughtClassSchema)
@bp.alt_response(403, description="Not an instructor")
def create(body: dict[str, Any]) -> Any:
    """Create a class you teach; learners join it with the code it comes back with. Instructors only."""
    try:
        return classes.create_class(current_learner(), body["name"], now())
    except classes.NotInstructor as exc:
        abort(403, message=str(exc))
    except classes.ClassRequestError as exc:
        abort(422, message=str(exc))


@bp.post("/classes/join")
@login_required
@bp.arguments(JoinSchema)
@bp.response(200, ClassSchema)
@bp.alt_response(404, description="No class has that code")
def join(body: dict[str, Any]) -> Any:
    """Join a class as a learner with its code (again, after being removed)."""
    try:
        return classes.join(current_learner(), body["join_code"], now())
    except classes.ClassNotFound as exc:
        abort(404, message=str(exc))


@bp.get("/classes/<int:class_id>")
@login_required
@bp.response(200, ClassDetailSchema)
@bp.alt_response(404, description="No such class among yours")
def read(class_id: int) -> Any:
    """A class you teach, with its roster; for anyone else it does not exist."""
    classroom = _taught(class_id)
    return {
        "id": classroom.id,
        "name": classroom.name,
        "join_code": classroom.join_code,
        "instructors": [user.username for user in classes.instructors(classroom.id)],
        "learners": [row.record() for row in roster_rows.roster(classroom, now())],
    }


@bp.post("/classes/<int:class_id>/join-code")
@login_required
@bp.response(200, TaughtClassSchema)
@bp.alt_response(404, description="No such class among yours")
def rotate(class_id: int) -> Any:
    """Give the class a new join code; the old one stops working at once."""
    classroom = _taught(class_id)
    classes.rotate_code(classroom, now())
    return classroom


@bp.delete("/classes/<int:class_id>/learners/<int:user_id>")
@login_required
@bp.response(204)
@bp.alt_response(404, description="No such class among yours, or no such learner in it")
def remove(class_id: int, user_id: int) -> None:
    """Take a learner out of the class; their past attempts stay."""
    classroom = _taught(class_id)
    try:
        classes.remove_learner(classroom, user_id, now())
    except classes.ClassNotFound as exc:
        abort(404, message=str(exc))
