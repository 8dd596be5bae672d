"""JSON API, version 1: item analysis of a class's answers."""

from __future__ import annotations

from flask_smorest import Blueprint

bp = Blueprint("items_api", __name__, url_prefix="/api/v1", description="Item analysis")
