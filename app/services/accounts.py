"""Sign-up, log-in, guests, API tokens and learner settings: the code that writes users."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import available_timezones

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import ApiToken, User

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,31}$")
MIN_PASSWORD = 8
RETENTION_WARNING = 0.97
_DUMMY_HASH = generate_password_hash("not-a-password", method="scrypt")


class AccountError(ValueError):
    """A request about an account that cannot be done, with a message for the person."""


@dataclass(frozen=True)
class Settings:
    timezone: str
    desired_retention: float
    maximum_interval_days: int
    new_per_day: int
    reviews_per_day: int


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def _check_new_credentials(username: str, password: str) -> None:
    if not USERNAME.match(username):
        raise AccountError(
            "A username is 3–32 letters, digits, '.', '_' or '-', starting with a letter or digit."
        )
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"A password needs at least {MIN_PASSWORD} characters.")


def _username_taken(username: str) -> bool:
    return db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())) is not None


def register(username: str, password: str, now: datetime, role: str = "learner") -> User:
    """A new account; usernames are unique without regard to case."""
    _check_new_credentials(username, password)
    if _username_taken(username):
        raise AccountError("That username is taken; choose another.")
    user = User(username=username, password_hash=hash_password(password), role=role, created_at=now)
    db.session.add(user)
    _commit_or_taken()
    return user


def _commit_or_taken() -> None:
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise AccountError("That username is taken; choose another.") from exc


def create_guest(now: datetime) -> User:
    """A guest account so a visitor can study at once; registering later keeps its progress."""
    user = User(username=f"guest-{secrets.token_hex(6)}", is_guest=True, created_at=now)
    db.session.add(user)
    db.session.commit()
    return user


def claim_guest(guest: User, username: str, password: str) -> User:
    """Turn a guest into a registered learner, keeping every review."""
    _check_new_credentials(username, password)
    if _username_taken(username):
        raise AccountError("That username is taken; choose another.")
    guest.username, guest.password_hash, guest.is_guest = username, hash_password(password), False
    _commit_or_taken()
    return guest


def authenticate(username: str, password: str) -> User | None:
    """The user with these credentials, or None (taking the same time either way)."""
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    if user is None or user.password_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, now: datetime) -> str:
    """A new bearer token; only its digest is stored."""
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_digest(token), created_at=now))
    db.session.commit()
    return token


def user_for_token(token: str) -> User | None:
    found = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    return db.session.get(User, found.user_id) if found else None


def set_password(username: str, password: str, role: str, now: datetime) -> User:
    """For `flask users create`: create the user, or reset an existing one's password and role."""
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    if user is None:
        return register(username, password, now, role=role)
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"A password needs at least {MIN_PASSWORD} characters.")
    user.password_hash, user.role, user.is_guest = hash_password(password), role, False
    db.session.commit()
    return user


def settings_of(user: User) -> Settings:
    return Settings(
        timezone=user.timezone,
        desired_retention=user.desired_retention,
        maximum_interval_days=user.maximum_interval_days,
        new_per_day=user.new_per_day,
        reviews_per_day=user.reviews_per_day,
    )


def update_settings(user: User, settings: Settings) -> None:
    """Save a learner's study settings after checking each value."""
    if settings.timezone not in available_timezones():
        raise AccountError(f"Unknown time zone '{settings.timezone}'; pick one from the list.")
    if not 0.7 <= settings.desired_retention <= 0.99:
        raise AccountError("Desired retention must be between 0.70 and 0.99.")
    if not 1 <= settings.maximum_interval_days <= 36500:
        raise AccountError("The maximum interval must be between 1 and 36,500 days.")
    if not (0 <= settings.new_per_day <= 9999 and 0 <= settings.reviews_per_day <= 99999):
        raise AccountError("Daily limits must be zero or more.")
    user.timezone = settings.timezone
    user.desired_retention = settings.desired_retention
    user.maximum_interval_days = settings.maximum_interval_days
    user.new_per_day = settings.new_per_day
    user.reviews_per_day = settings.reviews_per_day
    db.session.commit()
