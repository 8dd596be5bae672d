"""JSON API, version 1: the learner's FSRS parameters (read, Optimize, set by hand)."""

from __future__ import annotations

from typing import Any

from flask_login import login_required
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from app.services import classes, fsrs_params
from app.web.api_rnn import StrictBoolean, StrictFloat
from app.web.clock import now
from app.web.security import current_learner

bp = Blueprint("fsrs_api", __name__, url_prefix="/api/v1", description="FSRS parameters")
PARAMETER_COUNT = 21


class ParametersSchema(Schema):
    params = fields.List(fields.Float(), required=True, metadata={"description": "the 21 FSRS-6 parameters"})
    source = fields.String(
        required=True, metadata={"description": "own (optimized), manual, class (pooled) or default"}
    )
    optimized_at = fields.DateTime(required=True, allow_none=True)
    review_count = fields.Integer(
        required=True, metadata={"description": "reviews in the log at the last fit"}
    )
    log_loss = fields.Float(required=True, allow_none=True)
    rmse_bins = fields.Float(required=True, allow_none=True)


class OptimizedSchema(ParametersSchema):
    kept = fields.Boolean(required=True, metadata={"description": "true when the parameters did not change"})
    reason = fields.String(required=True)


class OptimizeRequestSchema(Schema):
    reschedule = StrictBoolean(
        load_default=False, metadata={"description": "move review cards' due dates to the new intervals"}
    )


class SetParametersSchema(OptimizeRequestSchema):
    params = fields.List(
        StrictFloat(allow_nan=False),
        required=True,
        validate=validate.Length(equal=PARAMETER_COUNT, error="Give exactly 21 numbers."),
    )


class ClassParametersSchema(Schema):
    class_id = fields.Integer(required=True)
    params = fields.List(
        fields.Float(), required=True, allow_none=True, metadata={"description": "null: none fitted yet"}
    )
    optimized_at = fields.DateTime(required=True, allow_none=True)
    review_count = fields.Integer(required=True)
    kept = fields.Boolean(required=True)
    reason = fields.String(required=True)


def _status() -> dict[str, Any]:
    state = fsrs_params.status(current_learner())
    return {
        "params": list(state.params),
        "source": state.source,
        "optimized_at": state.optimized_at,
        "review_count": state.review_count,
        "log_loss": state.log_loss,
        "rmse_bins": state.rmse_bins,
    }


@bp.get("/study/parameters")
@login_required
@bp.response(200, ParametersSchema)
def get_parameters() -> Any:
    """The parameters that schedule your cards, where they come from, and their last fit."""
    fsrs_params.maybe_auto_optimize(current_learner(), now())
    return _status()


@bp.post("/study/parameters/optimize")
@login_required
@bp.arguments(OptimizeRequestSchema, required=False)
@bp.response(200, OptimizedSchema)
def optimize(body: dict[str, Any]) -> Any:
    """Fit the parameters to your review log; they replace the current ones only when their log loss
    on your reviews is lower (else `kept` is true and `reason` says why)."""
    result = fsrs_params.optimize(current_learner(), now(), reschedule=bool(body.get("reschedule")))
    return _status() | {"kept": result.fit.kept, "reason": result.fit.reason}


@bp.put("/study/parameters")
@login_required
@bp.arguments(SetParametersSchema)
@bp.response(200, ParametersSchema)
@bp.alt_response(422, description="Not 21 numbers within FSRS's bounds")
def set_parameters(body: dict[str, Any]) -> Any:
    """Use these 21 parameters (each within FSRS's bounds)."""
    try:
        fsrs_params.set_parameters(current_learner(), body["params"], now(), reschedule=body["reschedule"])
    except fsrs_params.ParametersError as exc:
        abort(422, message=str(exc))
    return _status()


@bp.post("/classes/<int:class_id>/parameters/optimize")
@login_required
@bp.response(200, ClassParametersSchema)
@bp.alt_response(404, description="No such class among those you teach")
def optimize_class(class_id: int) -> Any:
    """Fit the pooled reviews of a class you teach: the starting parameters of its learners who have
    none of their own (kept unless the fit predicts the pooled reviews better)."""
    try:
        result = fsrs_params.optimize_class(current_learner(), class_id, now())
    except classes.ClassNotFound as exc:
        abort(404, message=str(exc))
    params, optimized_at, review_count = fsrs_params.class_status(
        classes.instructor_class(current_learner(), class_id)
    )
    return {
        "class_id": class_id,
        "params": params,
        "optimized_at": optimized_at,
        "review_count": review_count,
        "kept": result.fit.kept,
        "reason": result.fit.reason,
    }
