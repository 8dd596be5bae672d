"""Learners and instructors, their settings, their login sessions and API tokens."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    """A learner (or instructor). A guest is a user without a password, bound to a signed cookie."""

    __tablename__ = "users"
    __allow_unmapped__ = True  # for session_key and latest_cards_version below, which are no columns

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    role: Mapped[str] = mapped_column(String(20), default="learner")
    is_guest: Mapped[bool] = mapped_column(Boolean, default=False)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    desired_retention: Mapped[float] = mapped_column(Float, default=0.9)
    maximum_interval_days: Mapped[int] = mapped_column(Integer, default=36500)
    new_per_day: Mapped[int] = mapped_column(Integer, default=20)
    reviews_per_day: Mapped[int] = mapped_column(Integer, default=200)
    cards_version: Mapped[int] = mapped_column(Integer, default=0)
    # Personal FSRS parameters (None: the class's pooled ones, else FSRS's defaults) and their fit.
    fsrs_params: Mapped[list[float] | None] = mapped_column(JSON, nullable=True)
    fsrs_params_source: Mapped[str] = mapped_column(String(10), default="default")
    fsrs_optimized_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    fsrs_review_count: Mapped[int] = mapped_column(Integer, default=0)
    fsrs_log_loss: Mapped[float | None] = mapped_column(Float, nullable=True)
    fsrs_rmse_bins: Mapped[float | None] = mapped_column(Float, nullable=True)
    fsrs_auto_optimize: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Not a column: the key of the login session this object was loaded for (see get_id).
    session_key: str | None = None
    # Not a column: SyncLock.cards_version, read in the statement that loaded this user (None if not).
    latest_cards_version: int | None = None
    # Not columns: a class's pooled FSRS parameters, when loaded with the user (see class_params).
    pooled_fsrs_params: list[float] | None = None
    pooled_params_loaded: bool = False

    @property
    def is_instructor(self) -> bool:
        return self.role == "instructor"

    def get_id(self) -> str | None:
        """Flask-Login's id, kept in the session and remember cookies: the key of the login session
        this request runs in (set by app.services.accounts), so the server can end that session."""
        return self.session_key


class UserSession(db.Model):  # type: ignore[name-defined,misc]
    """One login (a browser): its cookies carry a random key whose SHA-256 is stored here."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_agent: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ApiToken(db.Model):  # type: ignore[name-defined,misc]
    """A bearer token for API clients; only its SHA-256 is stored. Revoking one deletes it."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_agent: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
