"""Who is asking: session cookies (with CSRF) for pages and page scripts, bearer tokens for API clients.

A browser's cookies carry the key of a server-side login session (app.services.logins), so logging
out or changing the password ends them wherever they were copied to.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, g, jsonify, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_login.config import COOKIE_NAME

from app.extensions import csrf, login_manager
from app.models import User
from app.services import logins
from app.web.clock import now
from app.web.throttling import init_throttling

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _idle_limit() -> timedelta:
    """A session not seen for as long as the remember cookie lives is over."""
    duration = current_app.config["REMEMBER_COOKIE_DURATION"]
    return duration if isinstance(duration, timedelta) else timedelta(seconds=duration)


def _cookie_claims_login() -> bool:
    """Whether the request carries a session or remember-me cookie that would log someone in."""
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
    return session.get("_user_id") is not None or remember in request.cookies


def init_security(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in, or start as a guest, to study."
    init_throttling(app)

    @login_manager.user_loader
    def load_user(session_key: str) -> User | None:
        return logins.user_for_session(session_key, now(), _idle_limit())

    @login_manager.unauthorized_handler
    def unauthorized() -> ResponseReturnValue:
        if request.path.startswith("/api/"):
            return jsonify(code=401, status="Unauthorized", message="Log in or send a bearer token."), 401
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @app.before_request
    def authenticate() -> None:
        """A bearer token alone decides who sends it (cookies then play no part); otherwise the
        cookies' session is loaded now, before the view writes anything, as its last-seen time
        may be written."""
        if request.endpoint in {"static", "health.healthz"}:
            return
        token = bearer_token()
        if token is not None:
            # Flask-Login's own way of setting the request's user without touching the session.
            login_manager._update_request_context_with_user(logins.user_for_token(token, now()))
        elif _cookie_claims_login():
            current_user._get_current_object()  # type: ignore[attr-defined]

    @app.before_request
    def check_csrf() -> None:
        """Every state-changing request authenticated by a cookie carries a CSRF token. Exempt: a
        request authenticated by a valid bearer token, and an API call without a login cookie (a
        script or notebook calling the public demo API: a forged request has nothing to ride on).
        Page forms always need it, so no one can be logged in to another's account by a forgery."""
        if request.method in SAFE_METHODS:
            return
        if bearer_token() is not None and current_user.is_authenticated:
            return
        if request.path.startswith("/api/") and not _cookie_claims_login():
            return
        csrf.protect()


def renew_csrf_token() -> None:
    """Give the session a new CSRF token (at log-in, registration, guest start and log-out), so a
    token seen before, on a shared computer or in a page's source, is worthless afterwards."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(field, None)
    g.pop(field, None)


def current_learner() -> User:
    """The logged-in user (views call this after login_required)."""
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user
