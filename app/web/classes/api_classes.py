"""JSON API, version 1: classes (create, join, read)."""

from __future__ import annotations

from flask_smorest import Blueprint

bp = Blueprint("classes_api", __name__, url_prefix="/api/v1", description="Classes")
