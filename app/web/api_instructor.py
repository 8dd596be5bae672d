"""JSON API, version 1: what instructors do to grading (accept a response for everyone)."""

from __future__ import annotations

from typing import Any

from flask_login import login_required
from flask_smorest import Blueprint, abort

from app.services import overrides
from app.web.api_schemas import AcceptedResponseSchema, AcceptResponseSchema
from app.web.clock import now
from app.web.security import current_learner

bp = Blueprint("instructor_api", __name__, url_prefix="/api/v1", description="Instructors")


@bp.post("/cards/<int:card_id>/accepted-responses")
@login_required
@bp.arguments(AcceptResponseSchema)
@bp.response(201, AcceptedResponseSchema)
@bp.alt_response(403, description="Not an instructor")
@bp.alt_response(404, description="No such card")
@bp.alt_response(422, description="The card is not a short answer or one-blank cloze")
def accept(body: dict[str, Any], card_id: int) -> Any:
    """Accept a typed response for everyone on a card: submitted quizzes are re-marked at once,
    and quizzes and study accept it from now on. Instructors only."""
    try:
        return overrides.accept_response(current_learner(), card_id, body["response"], now())
    except overrides.NotInstructor as exc:
        abort(403, message=str(exc))
    except LookupError as exc:
        abort(404, message=str(exc))
    except overrides.CannotAccept as exc:
        abort(422, message=str(exc))
