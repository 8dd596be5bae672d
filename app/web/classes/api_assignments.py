"""JSON API, version 1: assigned quizzes, their attempts and the gradebook."""

from __future__ import annotations

from flask_smorest import Blueprint

bp = Blueprint("assignments_api", __name__, url_prefix="/api/v1", description="Assigned quizzes")
