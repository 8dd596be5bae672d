"""Errors as JSON under /api/ and as HTML pages elsewhere; never a bare 500."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, jsonify, make_response, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from app.extensions import db, login_manager

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 10


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(SQLAlchemyError, _database_error)
    app.register_error_handler(Exception, _unexpected_error)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _http_error(error: HTTPException) -> ResponseReturnValue:
    _keep_page_off_database()
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
    """503 with Retry-After, after the broken session is gone (the page must not use it)."""
    log.exception("database error", exc_info=error)
    _discard_session()
    g.database_down = True  # base.html then leaves out what depends on the user
    response = make_response(
        _http_error(
            ServiceUnavailable(
                "The database is unavailable or not set up. Try again in a few seconds; "
                "if this persists, the operator should run `flask db upgrade`."
            )
        )
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _discard_session() -> None:
    """Roll back and drop the request's session: its transaction or connection may be broken, and
    neither the error page nor a later request on this thread may use it."""
    try:
        db.session.rollback()
    except SQLAlchemyError as error:
        log.warning("rollback after a database error failed: %s", error)
    finally:
        db.session.remove()


def _keep_page_off_database() -> None:
    """An error page shows the user loaded already, if any, and never loads one: the database may be
    what failed. After a database error not even that, as the user's attributes may need it."""
    if "_login_user" not in g or g.get("database_down"):
        login_manager._update_request_context_with_user(None)  # Flask-Login's anonymous user


def _unexpected_error(error: Exception) -> ResponseReturnValue:
    log.exception("unhandled error", exc_info=error)
    return _http_error(InternalServerError())
