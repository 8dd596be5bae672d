"""Liveness that proves the database answers, with the content files that failed to load."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import SQLAlchemyError

from app.services.catalog import content_health, database_ok

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    try:
        database_ok()
        content = content_health()
    except SQLAlchemyError:
        return jsonify(status="error", message="the database does not answer"), 503
    return jsonify(status="ok", content=content)
