"""JSON API, version 1: question sets. Schemas in app.web.schemas document and shape it."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint, abort

from app.services import catalog
from app.web.headers import remote_images_allowed
from app.web.schemas import SetSchema, SetSummarySchema

bp = Blueprint("api", __name__, url_prefix="/api/v1", description="Question sets")


@bp.get("/sets")
@bp.response(200, SetSummarySchema(many=True))
def list_sets() -> list[catalog.SetSummary]:
    """All question sets in course order, with their sizes."""
    return catalog.list_sets()


@bp.get("/sets/<slug>")
@bp.response(200, SetSchema)
@bp.alt_response(404, description="No set has this slug")
def get_set(slug: str) -> dict[str, Any]:
    """One set, every item rendered to sanitised HTML."""
    question_set = catalog.get_set(slug, remote_images_allowed())
    if question_set is None:
        abort(404, message=f"There is no question set called '{slug}'.")
    return question_set
