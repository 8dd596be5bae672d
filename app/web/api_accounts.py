"""JSON API, version 1: accounts and bearer tokens (create, list, revoke)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, request
from flask_login import login_required
from flask_smorest import Blueprint, abort

from app.services import accounts, logins
from app.web import throttling
from app.web.api_schemas import (
    CredentialsSchema,
    NewAccountSchema,
    TokenInfoSchema,
    TokenSchema,
    UserSchema,
)
from app.web.clock import now
from app.web.security import bearer_token, current_learner

bp = Blueprint("accounts_api", __name__, url_prefix="/api/v1", description="Accounts and API tokens")
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}


@bp.post("/users")
@bp.arguments(NewAccountSchema)
@bp.response(201, UserSchema)
@bp.alt_response(409, schema="Error", description="The username is taken")
@bp.alt_response(429, schema="Error", headers=RETRY_AFTER, description="Too many sign-ups from this address")
def create_user(credentials: dict[str, str]) -> Any:
    """Register a learner account."""
    throttling.take_signup()
    try:
        return accounts.register(credentials["username"], credentials["password"], now())
    except accounts.AccountError as exc:
        abort(409 if "taken" in str(exc) else 422, message=str(exc))


def _token_lifetime() -> timedelta:
    return timedelta(days=float(current_app.config["UNROLL_TOKEN_DAYS"]))


@bp.post("/tokens")
@bp.arguments(CredentialsSchema)
@bp.response(201, TokenSchema)
@bp.alt_response(401, schema="Error", description="Wrong username or password")
@bp.alt_response(
    429,
    schema="Error",
    headers=RETRY_AFTER,
    description="Too many failed log-ins for this account or address",
)
def create_token(credentials: dict[str, str]) -> Any:
    """Exchange a username and password for a bearer token, valid for UNROLL_TOKEN_DAYS."""
    throttling.check_login(credentials["username"])
    user = accounts.authenticate(credentials["username"], credentials["password"])
    if user is None:
        throttling.record_failed_login(credentials["username"])
        abort(401, message="That username and password do not match.")
    return logins.issue_token(user, now(), _token_lifetime(), request.user_agent.string)


@bp.get("/tokens")
@login_required
@bp.response(200, TokenInfoSchema(many=True))
@bp.alt_response(401, schema="Error", description="Not logged in and no valid bearer token")
def list_tokens() -> Any:
    """The learner's unexpired tokens, newest first (the tokens themselves are never shown again)."""
    return logins.list_tokens(current_learner(), now(), bearer_token())


@bp.delete("/tokens/current")
@login_required
@bp.response(204)
@bp.alt_response(400, schema="Error", description="The request was not sent with a bearer token")
@bp.alt_response(401, schema="Error", description="Not logged in and no valid bearer token")
def revoke_current_token() -> None:
    """Revoke the token this request is sent with (log out an API client)."""
    token = bearer_token()
    if token is None or not logins.revoke_token_value(current_learner(), token):
        abort(400, message="Send the token to revoke as 'Authorization: Bearer <token>'.")


@bp.delete("/tokens/<int:token_id>")
@login_required
@bp.response(204)
@bp.alt_response(401, schema="Error", description="Not logged in and no valid bearer token")
@bp.alt_response(404, schema="Error", description="No token of yours has this id")
def revoke_token(token_id: int) -> None:
    """Revoke one of the learner's tokens."""
    if not logins.revoke_token(current_learner(), token_id):
        abort(404, message="You have no token with this id.")
