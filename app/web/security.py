"""Who is asking: session cookies (with CSRF) for pages and page scripts, bearer tokens for API clients."""

from __future__ import annotations

from flask import Flask, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.extensions import csrf, db, login_manager
from app.models import User
from app.services import accounts

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Endpoints that authenticate by the credentials in their own body, not by the cookie.
CREDENTIAL_ENDPOINTS = {"study_api.create_user", "study_api.create_token"}


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def init_security(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in, or start as a guest, to study."

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return db.session.get(User, int(user_id)) if user_id.isdigit() else None

    @login_manager.request_loader
    def load_user_from_token(_request: object) -> User | None:
        token = bearer_token()
        return accounts.user_for_token(token) if token else None

    @login_manager.unauthorized_handler
    def unauthorized() -> ResponseReturnValue:
        if request.path.startswith("/api/"):
            return jsonify(code=401, status="Unauthorized", message="Log in or send a bearer token."), 401
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @app.before_request
    def check_csrf() -> None:
        """Every state-changing request carries a CSRF token, unless it is authenticated by a bearer
        token (no cookie is involved, so a forged cross-site request has nothing to ride on)."""
        if request.method in SAFE_METHODS or bearer_token() or request.endpoint in CREDENTIAL_ENDPOINTS:
            return
        csrf.protect()


def current_learner() -> User:
    """The logged-in user (views call this after login_required)."""
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user
