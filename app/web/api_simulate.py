"""JSON API, version 1: what a desired retention costs, simulated on the learner's own cards."""

from __future__ import annotations

from typing import Any

from flask_login import login_required
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from app.services import simulate
from app.web.clock import now
from app.web.security import current_learner

bp = Blueprint("simulate_api", __name__, url_prefix="/api/v1", description="Workload simulation")


class SimulateRequestSchema(Schema):
    desired_retentions = fields.List(
        fields.Float(
            validate=validate.Range(min=simulate.MIN_RETENTION, max=simulate.MAX_RETENTION),
            allow_nan=False,
        ),
        required=True,
        validate=validate.Length(min=1, max=simulate.MAX_RETENTIONS),
        metadata={"description": f"1 to {simulate.MAX_RETENTIONS} retentions, each in [0.7, 0.99]"},
    )
    days = fields.Integer(
        load_default=365,
        validate=validate.Range(min=1, max=simulate.MAX_DAYS),
        metadata={"description": "the horizon in days (default 365)"},
    )


class WorkloadSchema(Schema):
    desired_retention = fields.Float(required=True)
    reviews_per_day = fields.Float(required=True, metadata={"description": "reviews of learned cards"})
    new_per_day = fields.Float(required=True, metadata={"description": "new cards first seen"})
    minutes_per_day = fields.Float(required=True, metadata={"description": "all study time, new cards too"})
    memorized = fields.Float(required=True, metadata={"description": "cards remembered on the last day"})


class SimulationSchema(Schema):
    results = fields.List(fields.Nested(WorkloadSchema), required=True)
    minimum_recommended_retention = fields.Float(
        allow_none=True,
        required=True,
        metadata={"description": "least study time per card memorized, in [0.70, 0.95]"},
    )
    days = fields.Integer(required=True)
    cards = fields.Integer(required=True, metadata={"description": "active cards simulated"})
    new_cards = fields.Integer(required=True)


@bp.post("/study/simulate")
@login_required
@bp.arguments(SimulateRequestSchema)
@bp.response(200, SimulationSchema)
def simulate_workload(body: dict[str, Any]) -> Any:
    """Reviews and minutes per day (means over `days`) and cards memorized at each desired retention,
    from the learner's own cards, limits, answer times and FSRS parameters."""
    days = body["days"]
    try:
        result = simulate.simulate(current_learner(), now(), body["desired_retentions"], days)
    except simulate.SimulationError as exc:
        abort(422, message=str(exc))
    return {
        "results": [
            {
                "desired_retention": w.desired_retention,
                "reviews_per_day": round(w.reviews_per_day, 2),
                "new_per_day": round(w.new_per_day, 2),
                "minutes_per_day": round(w.minutes_per_day, 2),
                "memorized": round(w.memorized, 1),
            }
            for w in result.results
        ],
        "minimum_recommended_retention": result.minimum_recommended_retention,
        "days": days,
        "cards": result.cards,
        "new_cards": result.new_cards,
    }
