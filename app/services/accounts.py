"""Sign-up, log-in, guests, passwords and learner settings: the code that writes users."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import available_timezones

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import User
from app.services import logins

MIN_USERNAME, MAX_USERNAME = 3, 32
USERNAME = re.compile(rf"[A-Za-z0-9][A-Za-z0-9_.-]{{{MIN_USERNAME - 1},{MAX_USERNAME - 1}}}")  # fullmatch
MIN_PASSWORD, MAX_PASSWORD = 8, 200
RETENTION_WARNING = 0.97
_DUMMY_HASH = generate_password_hash("not-a-password", method="scrypt")


class AccountError(ValueError):
    """A request about an account that cannot be done, with a message for the person."""


class WrongPassword(AccountError):
    """The current password given to change it is not the account's."""


@dataclass(frozen=True)
class Settings:
    timezone: str
    desired_retention: float
    maximum_interval_days: int
    new_per_day: int
    reviews_per_day: int


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def normalise_username(username: str) -> str:
    """A username as stored and looked up: NFKC-normalised, without surrounding white space."""
    return unicodedata.normalize("NFKC", username).strip()


def throttle_subject(username: str) -> str:
    """The account a log-in attempt is counted against (the same for every spelling of its name)."""
    return logins.digest(normalise_username(username).lower())[:32]


def _check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"A password needs at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"A password has at most {MAX_PASSWORD} characters.")


def _check_new_credentials(username: str, password: str) -> str:
    """The normalised username, if it and the password are acceptable for a new account."""
    name = normalise_username(username)
    if not USERNAME.fullmatch(name):
        raise AccountError(
            "A username is 3–32 letters, digits, '.', '_' or '-', starting with a letter or digit."
        )
    _check_new_password(password)
    if find_user(name) is not None:
        raise AccountError("That username is taken; choose another.")
    return name


def find_user(username: str) -> User | None:
    """The account with this name, whatever its case or Unicode spelling."""
    name = normalise_username(username)
    return db.session.scalar(select(User).where(func.lower(User.username) == name.lower()))


def register(username: str, password: str, now: datetime, role: str = "learner") -> User:
    """A new account; usernames are unique without regard to case."""
    name = _check_new_credentials(username, password)
    user = User(username=name, password_hash=hash_password(password), role=role, created_at=now)
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
    name = _check_new_credentials(username, password)
    guest.username, guest.password_hash, guest.is_guest = name, hash_password(password), False
    _commit_or_taken()
    return guest


def authenticate(username: str, password: str) -> User | None:
    """The user with these credentials, or None (taking the same time either way)."""
    user = find_user(username)
    if user is None or user.password_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def change_password(user: User, current: str, new: str, now: datetime, user_agent: str | None) -> None:
    """Set a new password after checking the current one; every session and token of the user ends,
    and the asking browser continues in a new session."""
    if user.password_hash is None or not check_password_hash(user.password_hash, current):
        raise WrongPassword("That is not your current password.")
    _check_new_password(new)
    user.password_hash = hash_password(new)
    logins.end_every_login(user, now)
    logins.start_session(user, now, user_agent)


def set_password(username: str, password: str, role: str, now: datetime) -> User:
    """For `flask users create`: create the user, or reset an existing one's password and role
    (which ends all their sessions and revokes all their tokens)."""
    user = find_user(username)
    if user is None:
        return register(username, password, now, role=role)
    _check_new_password(password)
    user.password_hash, user.role, user.is_guest = hash_password(password), role, False
    logins.end_every_login(user, now)
    db.session.commit()
    return user


# Settings -----------------------------------------------------------------------------------------


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
