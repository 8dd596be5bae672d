"""Who may try again when: log-ins counted per address and per account, sign-ups and guest starts
per address, in one store for every process (app.services.throttle). A refusal is a 429 with
Retry-After and a message saying how long to wait."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import TooManyRequests

from app.services import accounts
from app.services.throttle import Rule, Throttle


class Throttled(TooManyRequests):
    """Too many attempts; `retry_after` seconds until the next one is allowed."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.seconds = retry_after


def init_throttling(app: Flask) -> None:
    app.extensions["unroll_throttle"] = Throttle.from_redis_url(app.config.get("REDIS_URL"))
    app.register_error_handler(Throttled, _refuse)


def _throttle() -> Throttle:
    throttle = current_app.extensions["unroll_throttle"]
    assert isinstance(throttle, Throttle)
    return throttle


def _address() -> str:
    return request.remote_addr or "unknown"


def _login_rules(username: str) -> list[Rule]:
    config = current_app.config
    return [
        Rule("login-address", str(config["UNROLL_LOGIN_LIMIT"]), _address()),
        Rule("login-account", str(config["UNROLL_LOGIN_ACCOUNT_LIMIT"]), accounts.throttle_subject(username)),
    ]


def check_login(username: str) -> None:
    """Refuse a log-in (or password check) while its address or account has failed too often."""
    wait = _throttle().wait(_login_rules(username))
    if wait:
        raise Throttled(
            f"Too many failed log-ins for this account or from your address. Try again in {_duration(wait)}.",
            wait,
        )


def record_failed_login(username: str) -> None:
    _throttle().hit(_login_rules(username))


def take_signup() -> None:
    """Count a sign-up from this address, or refuse it when there were too many."""
    wait = _throttle().take([Rule("signup", str(current_app.config["UNROLL_SIGNUP_LIMIT"]), _address())])
    if wait:
        raise Throttled(f"Too many new accounts from your address. Try again in {_duration(wait)}.", wait)


def take_guest() -> None:
    """Count a guest start from this address, or refuse it when there were too many."""
    wait = _throttle().take([Rule("guest", str(current_app.config["UNROLL_GUEST_LIMIT"]), _address())])
    if wait:
        raise Throttled(f"Too many guests from your address. Try again in {_duration(wait)}.", wait)


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} seconds"
    minutes = -(-seconds // 60)
    return f"{minutes} minutes" if minutes < 120 else f"{-(-minutes // 60)} hours"


def _refuse(error: Throttled) -> ResponseReturnValue:
    headers = {"Retry-After": str(error.seconds)}
    message = error.description or "Too many attempts."
    if request.path.startswith("/api/"):
        return jsonify(code=429, status="Too Many Requests", message=message), 429, headers
    page = render_template("error.html", code=429, title="Too many attempts", message=message)
    return page, 429, headers
