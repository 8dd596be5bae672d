"""JSON API, version 1: instructors check, write, publish, restore and unpublish question sets."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, jsonify
from flask_login import login_required
from flask_smorest import Blueprint, abort

from app.services import authoring
from app.web.authoring_schemas import (
    AuthoringCheckRequestSchema,
    AuthoringCheckSchema,
    AuthoringConflictSchema,
    AuthoringErrorsSchema,
    AuthoringRestoreSchema,
    AuthoringRevisionSchema,
    AuthoringSavedSchema,
    AuthoringSaveRequestSchema,
    AuthoringSetSchema,
    AuthoringSourceSchema,
)
from app.web.clock import now
from app.web.security import current_learner

bp = Blueprint(
    "authoring_api", __name__, url_prefix="/api/v1/authoring", description="Authoring (instructors only)"
)


def instructor_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """403 for anyone but an instructor, before the body is read."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_learner().role != "instructor":
            abort(403, message="Only instructors write question sets.")
        return view(*args, **kwargs)

    return wrapped


def _conflict(exc: authoring.RevisionConflict, sent: str) -> Response:
    message = str(exc)
    response = jsonify(
        {
            "code": 409,
            "status": "Conflict",
            "message": message,
            "error": message,
            "current_revision": exc.current_revision,
            "current_source": exc.current_source,
            "diff": authoring.diff(exc.current_source, sent),
        }
    )
    response.status_code = 409
    return response


def _has_errors(exc: authoring.SourceHasErrors) -> Response:
    message = str(exc)
    response = jsonify(
        {
            "code": 422,
            "status": "Unprocessable Entity",
            "message": message,
            "error": message,
            "errors": exc.errors,
        }
    )
    response.status_code = 422
    return response


@bp.post("/check")
@login_required
@instructor_required
@bp.arguments(AuthoringCheckRequestSchema)
@bp.response(200, AuthoringCheckSchema)
@bp.alt_response(403, description="Not an instructor")
def check(body: dict[str, Any]) -> Any:
    """Check a set's Markdown as `flask content check --json` does; nothing is stored."""
    try:
        return authoring.check_source(body["source"], body["filename"])
    except authoring.AuthoringError as exc:
        abort(422, message=str(exc))


@bp.get("/sets")
@login_required
@instructor_required
@bp.response(200, AuthoringSetSchema(many=True))
@bp.alt_response(403, description="Not an instructor")
def list_sets() -> Any:
    """Every set with its origin, newest revision, whether learners see it and its error count."""
    return authoring.list_sets()


@bp.get("/sets/<slug>")
@login_required
@instructor_required
@bp.response(200, AuthoringSourceSchema)
@bp.alt_response(403, description="Not an instructor")
@bp.alt_response(404, description="No set has this slug")
def get_set(slug: str) -> Any:
    """A set's newest Markdown, its revision and the checker's errors."""
    try:
        return authoring.get_source(slug)
    except authoring.SetNotFound as exc:
        abort(404, message=str(exc))


@bp.put("/sets/<slug>")
@login_required
@instructor_required
@bp.arguments(AuthoringSaveRequestSchema)
@bp.response(200, AuthoringSavedSchema, description="Saved as a new revision of an existing set")
@bp.alt_response(201, schema=AuthoringSavedSchema, description="A new set")
@bp.alt_response(403, description="Not an instructor")
@bp.alt_response(409, schema=AuthoringConflictSchema, description="`base_revision` is not the newest")
@bp.alt_response(422, schema=AuthoringErrorsSchema, description="Errors in the source: nothing published")
def save(body: dict[str, Any], slug: str) -> Any:
    """Save a revision: published (`publish`: true) or a draft. Refused with 409 when someone saved
    since `base_revision`, and with 422 when a source to publish has errors."""
    try:
        saved = authoring.save(
            current_learner(),
            slug,
            body["source"],
            body["message"],
            body["base_revision"],
            body["publish"],
            now(),
        )
    except authoring.RevisionConflict as exc:
        return _conflict(exc, body["source"])
    except authoring.SourceHasErrors as exc:
        return _has_errors(exc)
    except authoring.SetNotFound as exc:
        abort(404, message=str(exc))
    except authoring.AuthoringError as exc:
        abort(422, message=str(exc))
    return saved, 201 if saved.created else 200


@bp.get("/sets/<slug>/revisions")
@login_required
@instructor_required
@bp.response(200, AuthoringRevisionSchema(many=True))
@bp.alt_response(403, description="Not an instructor")
@bp.alt_response(404, description="No set has this slug")
def revisions(slug: str) -> Any:
    """Every revision of a set, newest first."""
    try:
        return authoring.revisions(slug)
    except authoring.SetNotFound as exc:
        abort(404, message=str(exc))


@bp.post("/sets/<slug>/restore")
@login_required
@instructor_required
@bp.arguments(AuthoringRestoreSchema)
@bp.response(200, AuthoringSavedSchema)
@bp.alt_response(403, description="Not an instructor")
@bp.alt_response(404, description="No such set or revision")
def restore(body: dict[str, Any], slug: str) -> Any:
    """Save an old revision's text as a new revision (published if the set is, and it has no errors)."""
    try:
        return authoring.restore(current_learner(), slug, body["revision"], now())
    except authoring.SetNotFound as exc:
        abort(404, message=str(exc))
    except authoring.RevisionConflict as exc:
        abort(409, message=str(exc))
    except authoring.AuthoringError as exc:
        abort(422, message=str(exc))


@bp.delete("/sets/<slug>")
@login_required
@instructor_required
@bp.response(204)
@bp.alt_response(403, description="Not an instructor")
@bp.alt_response(404, description="No set has this slug")
def unpublish(slug: str) -> Any:
    """Unpublish: learners no longer see the set or its cards; their histories are kept, and
    publishing again brings the cards back."""
    try:
        authoring.unpublish(current_learner(), slug, now())
    except authoring.SetNotFound as exc:
        abort(404, message=str(exc))
    return None
