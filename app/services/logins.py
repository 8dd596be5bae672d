"""Login sessions (one per browser, behind its cookies) and API tokens: start, check, list, end."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update

from app.extensions import db
from app.models import ApiToken, SyncLock, User, UserSession
from app.services.class_params import pooled_parameters

# How stale a session's last_seen_at or a token's last_used_at may get: the hot path writes at most
# once a minute per session or token.
TOUCH_EVERY = timedelta(minutes=1)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _clip(user_agent: str | None) -> str | None:
    return user_agent.replace("\x00", "")[:200] if user_agent else None  # PostgreSQL refuses NUL


@dataclass(frozen=True)
class IssuedToken:
    token: str
    id: int
    expires_at: datetime


@dataclass(frozen=True)
class TokenInfo:
    """An API token as its learner sees it (never the token itself)."""

    id: int
    user_agent: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    current: bool


@dataclass(frozen=True)
class SessionInfo:
    """A login session as its learner sees it in the list at /settings."""

    id: int
    user_agent: str
    created_at: datetime
    last_seen_at: datetime
    current: bool


# Login sessions -----------------------------------------------------------------------------------


def start_session(user: User, now: datetime, user_agent: str | None) -> None:
    """A new login session for this user; its random key becomes the user's Flask-Login id."""
    key = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            user_id=user.id,
            key_hash=digest(key),
            user_agent=_clip(user_agent),
            created_at=now,
            last_seen_at=now,
        )
    )
    db.session.commit()
    user.session_key = key


def user_for_session(key: str, now: datetime, idle_limit: timedelta) -> User | None:
    """The user of a live session (not ended, seen within `idle_limit`), or None."""
    row = db.session.execute(
        select(UserSession, User, _cards_version(), pooled_parameters(User.id))
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.key_hash == digest(key))
    ).first()
    if row is None:
        return None
    found, user, cards_version, pooled = row
    if found.revoked_at is not None or found.last_seen_at < now - idle_limit:
        return None
    if now - found.last_seen_at >= TOUCH_EVERY:
        found.last_seen_at = now
        db.session.commit()
    user.session_key = key
    user.latest_cards_version = cards_version
    user.pooled_fsrs_params, user.pooled_params_loaded = pooled, True
    return user


def _cards_version() -> Any:
    """SyncLock.cards_version as a column of the statement that loads a request's user, so a
    learner's deck is checked against the content without a statement of its own."""
    return select(SyncLock.cards_version).where(SyncLock.id == 1).scalar_subquery()


def end_session(key: str, now: datetime) -> None:
    """Log out: the session's cookies open nothing any more, wherever they were copied to."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.key_hash == digest(key), UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    db.session.commit()


def revoke_session(user: User, session_id: int, now: datetime) -> bool:
    """End one of the user's sessions (from the list at /settings); False when there is none such."""
    ended = db.session.execute(
        update(UserSession)
        .where(UserSession.id == session_id, UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    db.session.commit()
    return bool(ended.rowcount)  # type: ignore[attr-defined]


def list_sessions(user: User) -> list[SessionInfo]:
    """The user's live sessions, most recently seen first, marking the one asking."""
    current = digest(user.session_key) if user.session_key else None
    rows = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    )
    return [
        SessionInfo(
            s.id, s.user_agent or "unknown browser", s.created_at, s.last_seen_at, s.key_hash == current
        )
        for s in rows
    ]


def end_every_login(user: User, now: datetime) -> None:
    """End all the user's sessions and delete all their tokens (the caller commits)."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))


# API tokens ---------------------------------------------------------------------------------------


def issue_token(user: User, now: datetime, lifetime: timedelta, user_agent: str | None = None) -> IssuedToken:
    """A new bearer token valid for `lifetime`; only its digest is stored."""
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id, ApiToken.expires_at <= now))
    token = secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        token_hash=digest(token),
        user_agent=_clip(user_agent),
        created_at=now,
        expires_at=now + lifetime,
    )
    db.session.add(row)
    db.session.commit()
    return IssuedToken(token, row.id, row.expires_at)


def user_for_token(token: str, now: datetime) -> User | None:
    """The owner of an unexpired token, noting when it was last used (at most once a minute)."""
    row = db.session.execute(
        select(ApiToken, User, _cards_version(), pooled_parameters(User.id))
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == digest(token))
    ).first()
    if row is None:
        return None
    found, user, cards_version, pooled = row
    if found.expires_at <= now:
        return None
    if found.last_used_at is None or now - found.last_used_at >= TOUCH_EVERY:
        found.last_used_at = now
        db.session.commit()
    user.latest_cards_version = cards_version
    user.pooled_fsrs_params, user.pooled_params_loaded = pooled, True
    return user


def list_tokens(user: User, now: datetime, current: str | None = None) -> list[TokenInfo]:
    """The user's unexpired tokens, newest first, marking the one this request was made with."""
    current_hash = digest(current) if current else None
    rows = db.session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.expires_at > now)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return [
        TokenInfo(
            t.id,
            t.user_agent or "unknown client",
            t.created_at,
            t.expires_at,
            t.last_used_at,
            t.token_hash == current_hash,
        )
        for t in rows
    ]


def revoke_token(user: User, token_id: int) -> bool:
    """Delete one of the user's tokens; False when the user has none with this id."""
    deleted = db.session.execute(delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))
    db.session.commit()
    return bool(deleted.rowcount)  # type: ignore[attr-defined]


def revoke_token_value(user: User, token: str) -> bool:
    """Delete the user's token with this value (the one a request was made with)."""
    deleted = db.session.execute(
        delete(ApiToken).where(ApiToken.token_hash == digest(token), ApiToken.user_id == user.id)
    )
    db.session.commit()
    return bool(deleted.rowcount)  # type: ignore[attr-defined]
