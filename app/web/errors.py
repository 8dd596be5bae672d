"""Errors as JSON under /api/ and as HTML pages elsewhere; never a bare 500."""

from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

log = logging.getLogger(__name__)


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(SQLAlchemyError, _database_error)
    app.register_error_handler(Exception, _unexpected_error)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _http_error(error: HTTPException) -> ResponseReturnValue:
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    message = data.get("message") or error.description or error.name
    if code == 429:
        message = f"Too many attempts ({error.description}). Wait a minute, then try again."
    if code == 413 and current_app.config.get("MAX_CONTENT_LENGTH"):
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        message = f"The request is larger than the {limit:,} bytes this server accepts."
    headers = _headers_of(error)
    if _wants_json():
        body = {"code": code, "status": error.name, "message": message, "error": message}
        if "messages" in data:
            body["errors"] = data["messages"]
        return jsonify(body), code, headers
    return render_template("error.html", code=code, title=error.name, message=message), code, headers


def _headers_of(error: HTTPException) -> dict[str, str]:
    """The error's own headers (Allow on a 405, Retry-After, WWW-Authenticate), not its content type."""
    return {key: value for key, value in error.get_headers() if key.lower() != "content-type"}


def _database_error(error: SQLAlchemyError) -> ResponseReturnValue:
    log.exception("database error", exc_info=error)
    return _http_error(
        ServiceUnavailable(
            "The database is unavailable or not set up. Try again shortly; "
            "if this persists, the operator should run `flask db upgrade`."
        )
    )


def _unexpected_error(error: Exception) -> ResponseReturnValue:
    log.exception("unhandled error", exc_info=error)
    return _http_error(InternalServerError())
