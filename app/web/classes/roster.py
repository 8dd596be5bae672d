"""Class pages: create, join, roster, members and the join code."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("classes_roster", __name__)


@bp.get("/classes")
def classes() -> str:
    """Placeholder until the class pages land: the list of the user's classes."""
    return "Classes"
