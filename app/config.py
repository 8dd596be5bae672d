"""Settings from environment variables, with defaults that run on one machine with SQLite."""

from __future__ import annotations

import math
import os
import secrets
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _sqlalchemy_url(url: str) -> str:
    """Accept the usual postgres:// spellings and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _flag(value: str) -> bool:
    """An on/off environment variable: 1, true, yes or on (any case) is on."""
    return value.strip().lower() in {"1", "true", "yes", "on"}


def secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once into the instance folder."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process wrote it first
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def settings_from_environment(instance_path: Path, overrides: dict[str, Any]) -> dict[str, Any]:
    """The app's configuration as read from the environment (a key given in `overrides` wins)."""
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'unroll.sqlite3'}"
    max_request = int(os.environ.get("UNROLL_MAX_REQUEST_BYTES", str(2 * 1024 * 1024)))
    settings = {
        "SECRET_KEY": overrides.get("SECRET_KEY") or secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": _sqlalchemy_url(database),
        "UNROLL_CONTENT_DIR": os.environ.get("UNROLL_CONTENT_DIR", str(PROJECT_ROOT / "content")),
        "UNROLL_CONTENT_RELOAD_SECONDS": float(os.environ.get("UNROLL_CONTENT_RELOAD_SECONDS", "2")),
        "UNROLL_DB_CONNECT_TIMEOUT": float(os.environ.get("UNROLL_DB_CONNECT_TIMEOUT", "5")),
        "UNROLL_DB_STATEMENT_TIMEOUT": float(os.environ.get("UNROLL_DB_STATEMENT_TIMEOUT", "15")),
        "UNROLL_HEALTH_TIMEOUT": float(os.environ.get("UNROLL_HEALTH_TIMEOUT", "2")),
        "UNROLL_MAX_REQUEST_BYTES": max_request,
        "MAX_CONTENT_LENGTH": max_request,  # a larger body is refused with 413 before it is read
        "MAX_FORM_MEMORY_SIZE": max_request,  # Werkzeug's own 500 kB per form field would refuse sooner
        "API_TITLE": "Unroll API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_CHECK_DEFAULT": False,  # app.web.security checks it, except for bearer-token API calls
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL") or "memory://",
        # Off: the limiter would stamp every response of a limited view with its own Retry-After,
        # overriding the one a refusal computed (app.web.api_rnn sets it on the limiter's 429).
        "RATELIMIT_HEADERS_ENABLED": False,
        "REDIS_URL": os.environ.get("REDIS_URL") or None,  # throttle counters; the database when unset
        "UNROLL_LOGIN_LIMIT": os.environ.get("UNROLL_LOGIN_LIMIT", "5 per minute;30 per hour"),
        "UNROLL_LOGIN_ACCOUNT_LIMIT": os.environ.get(
            "UNROLL_LOGIN_ACCOUNT_LIMIT", "10 per minute;50 per hour"
        ),
        "UNROLL_SIGNUP_LIMIT": os.environ.get("UNROLL_SIGNUP_LIMIT", "20 per hour;100 per day"),
        "UNROLL_GUEST_LIMIT": os.environ.get("UNROLL_GUEST_LIMIT", "30 per hour;300 per day"),
        "UNROLL_TOKEN_DAYS": float(os.environ.get("UNROLL_TOKEN_DAYS", "90")),
        "UNROLL_QUIZ_GRACE_SECONDS": float(os.environ.get("UNROLL_QUIZ_GRACE_SECONDS", "5")),
        # How many proxies in front may set X-Forwarded-*: 0 trusts none (app.web.headers).
        "UNROLL_PROXY_COUNT": int(os.environ.get("UNROLL_PROXY_COUNT", "0")),
        "UNROLL_ALLOW_REMOTE_IMAGES": _flag(os.environ.get("UNROLL_ALLOW_REMOTE_IMAGES", "")),
        "REMEMBER_COOKIE_DURATION": 60 * 60 * 24 * 365,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
    }
    for name in ("SLOTS", "MAX_STEPS", "CPU_SECONDS"):
        value = os.environ.get(f"UNROLL_RNN_TRAIN_{name}")
        if value:
            settings[f"UNROLL_RNN_TRAIN_{name}"] = int(value)
    merged = settings | normalise_overrides(overrides)
    if "UNROLL_MAX_REQUEST_BYTES" in overrides and "MAX_CONTENT_LENGTH" not in overrides:
        merged["MAX_CONTENT_LENGTH"] = merged["MAX_FORM_MEMORY_SIZE"] = int(
            overrides["UNROLL_MAX_REQUEST_BYTES"]
        )
    merged["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(merged)
    return merged


def engine_options(config: dict[str, Any]) -> dict[str, Any]:
    """Engine options that bound every wait on the database, so an outage answers 503 quickly
    instead of hanging workers: connecting, a pool checkout, and each statement (SQLite's busy
    timeout comes from the same setting, in app.extensions.tune_sqlite). Options given in
    SQLALCHEMY_ENGINE_OPTIONS win."""
    connect = float(config["UNROLL_DB_CONNECT_TIMEOUT"])
    statement = float(config["UNROLL_DB_STATEMENT_TIMEOUT"])
    url = str(config["SQLALCHEMY_DATABASE_URI"])
    options: dict[str, Any] = {"pool_pre_ping": True, "pool_timeout": connect}
    if url.startswith("postgresql"):
        options["connect_args"] = {
            "connect_timeout": max(2, math.ceil(connect)),  # libpq's unit is whole seconds, 2 at least
            "options": f"-c statement_timeout={round(statement * 1000)}",
        }
    return options | dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})


def normalise_overrides(config: dict[str, Any]) -> dict[str, Any]:
    """Test or caller overrides, with database URLs spelled for SQLAlchemy."""
    fixed = dict(config)
    if "SQLALCHEMY_DATABASE_URI" in fixed:
        fixed["SQLALCHEMY_DATABASE_URI"] = _sqlalchemy_url(str(fixed["SQLALCHEMY_DATABASE_URI"]))
    return fixed
