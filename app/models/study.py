"""A learner's progress on each card, and the log of every review."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime


class CardProgress(db.Model):  # type: ignore[name-defined,misc]
    """One learner's scheduling state for one card. New cards get a row (phase 'new') when the
    learner's deck is filled, so every queue is an index range, never a scan of all cards."""

    __tablename__ = "card_progress"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"))
    set_id: Mapped[int] = mapped_column(ForeignKey("content_sets.id", ondelete="CASCADE"))
    new_rank: Mapped[int] = mapped_column(Integer, default=0)
    phase: Mapped[str] = mapped_column(String(12), default="new")
    due: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    stability: Mapped[float | None] = mapped_column(Float, nullable=True)
    difficulty: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    scheduled_days: Mapped[int] = mapped_column(Integer, default=0)
    remaining_steps: Mapped[int] = mapped_column(Integer, default=0)
    reps: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    leech: Mapped[bool] = mapped_column(Boolean, default=False)
    buried_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        UniqueConstraint("user_id", "card_id", name="uq_card_progress_user_id_card_id"),
        Index("ix_card_progress_queue", "user_id", "suspended", "retired", "phase", "due"),
        Index("ix_card_progress_new", "user_id", "suspended", "retired", "phase", "new_rank"),
        Index("ix_card_progress_set", "user_id", "set_id", "phase", "due"),
    )


class ReviewLog(db.Model):  # type: ignore[name-defined,misc]
    """Every grade given: the card's state before and after, so undo restores it exactly."""

    __tablename__ = "review_logs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"))
    progress_id: Mapped[int] = mapped_column(ForeignKey("card_progress.id", ondelete="CASCADE"))
    rating: Mapped[int] = mapped_column(Integer)
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    phase_before: Mapped[str] = mapped_column(String(12))
    phase_after: Mapped[str] = mapped_column(String(12))
    interval_seconds: Mapped[int] = mapped_column(Integer, default=0)
    state_before: Mapped[dict[str, Any]] = mapped_column(JSON)
    state_after: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(12), default="study")
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        Index("ix_review_logs_user_time", "user_id", "reviewed_at"),
        Index("ix_review_logs_user_card", "user_id", "card_id"),
    )


class CardAction(db.Model):  # type: ignore[name-defined,misc]
    """A bulk change a learner made in the card browser (suspend, unsuspend, forget, reschedule),
    with each card's state before and after, so it can be undone exactly."""

    __tablename__ = "card_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    __table_args__ = (Index("ix_card_actions_user_time", "user_id", "created_at"),)
