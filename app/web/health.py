"""Liveness that proves the database answers."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import SQLAlchemyError

from app.services.catalog import database_ok

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    try:
        database_ok()
    except SQLAlchemyError:
        return jsonify(status="error", message="the database does not answer"), 503
    return jsonify(status="ok")
