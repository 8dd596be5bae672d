"""JSON API, version 1: item analysis of a class's answers."""

from __future__ import annotations

from typing import Any

from flask_login import login_required
from flask_smorest import Blueprint, abort
from marshmallow import EXCLUDE, Schema, fields, validate

from app.analytics.items import WHICH_ATTEMPTS
from app.services import classes, item_analysis
from app.web.api_schemas import MAX_SLUG
from app.web.security import current_learner

bp = Blueprint("items_api", __name__, url_prefix="/api/v1", description="Item analysis")


class ItemsQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    set = fields.String(validate=validate.Length(max=MAX_SLUG), metadata={"description": "a set's slug"})
    assignment = fields.String(
        validate=validate.Length(max=20),
        metadata={"description": "an assignment's id (give set or assignment)"},
    )
    attempts = fields.String(
        validate=validate.OneOf(WHICH_ATTEMPTS),
        metadata={"description": "attempts to count; default: the assignment's grading method, or highest"},
    )


class ItemFlagSchema(Schema):
    code = fields.String(
        metadata={"description": "e.g. low-discrimination, very-easy, strong-distractor, leech"}
    )
    reason = fields.String(metadata={"description": "why, in plain words"})


class ItemOptionSchema(Schema):
    text = fields.String()
    correct = fields.Boolean()
    chosen = fields.Integer(metadata={"description": "counted attempts that chose it"})
    top = fields.Integer(metadata={"description": "of them, attempts in the top third by score"})
    bottom = fields.Integer(metadata={"description": "of them, attempts in the bottom third"})


def _fraction(description: str) -> fields.Float:
    return fields.Float(allow_none=True, metadata={"description": description})


class ItemSchema(Schema):
    number = fields.Integer()
    card_id = fields.Integer()
    set = fields.String()
    card = fields.String(metadata={"description": "the card's ID in its set"})
    question = fields.String(metadata={"description": "the question as plain text"})
    type = fields.String()
    line = fields.Integer(
        allow_none=True, metadata={"description": "the question's line in its set's source"}
    )
    responses = fields.Integer(metadata={"description": "counted attempts that asked it"})
    facility = _fraction("mean mark, 0 to 1")
    standard_deviation = _fraction("of the mark (sample, as Moodle)")
    discrimination = _fraction("correlation of the mark with the rest of the test, -1 to 1")
    discriminative_efficiency = _fraction("discrimination over the most these marks allow")
    first_again_rate = _fraction("share of learners who pressed Again on their first review")
    lapse_rate = _fraction("share of reviews in the review phase rated Again")
    mean_difficulty = _fraction("mean FSRS difficulty, 1 to 10")
    leeches = fields.Integer()
    flags = fields.List(fields.Nested(ItemFlagSchema))
    options = fields.List(fields.Nested(ItemOptionSchema))


class ItemReportSchema(Schema):
    class_id = fields.Integer()
    scope = fields.String(metadata={"description": "set or assignment"})
    title = fields.String()
    set = fields.String(allow_none=True)
    assignment_id = fields.Integer(allow_none=True)
    which_attempts = fields.String(metadata={"description": "highest, first, last or all"})
    learners = fields.Integer()
    attempts = fields.Integer()
    questions_per_attempt = fields.Integer(allow_none=True)
    mean = _fraction("mean score, 0 to 1")
    standard_deviation = _fraction("of the scores, as a share of the maximum")
    internal_consistency = _fraction("Cronbach's alpha (Moodle's CIC)")
    error_ratio = _fraction("sqrt(1 - alpha)")
    standard_error = _fraction("error ratio times the standard deviation, as a share of the maximum")
    top_third = fields.Integer()
    bottom_third = fields.Integer()
    items = fields.List(fields.Nested(ItemSchema))


@bp.get("/classes/<int:class_id>/items")
@login_required
@bp.arguments(ItemsQuerySchema, location="query")
@bp.response(200, ItemReportSchema)
@bp.alt_response(400, description="Neither or both of set and assignment")
@bp.alt_response(404, description="No such class among yours, set or assignment")
def items(query: dict[str, Any], class_id: int) -> dict[str, Any]:
    """Item analysis of a class: each question's facility, discrimination and study measures, with
    flags, for a set (`set=<slug>`) or an assignment (`assignment=<id>`). Instructors of the class."""
    try:
        scope = item_analysis.parse_scope(query.get("set"), query.get("assignment"), query.get("attempts"))
        return item_analysis.report_dict(item_analysis.report(current_learner(), class_id, scope))
    except item_analysis.ScopeError as exc:
        abort(400, message=str(exc))
    except (classes.ClassNotFound, item_analysis.ScopeNotFound) as exc:
        abort(404, message=str(exc))
