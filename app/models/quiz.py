"""Timed quiz attempts and their questions; the server's clock is the one that counts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime


class QuizAttempt(db.Model):  # type: ignore[name-defined,misc]
    """One learner's attempt: when it started, when it ends, and when it was submitted."""

    __tablename__ = "quiz_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    source: Mapped[dict[str, Any]] = mapped_column(JSON)
    fixed_set_id: Mapped[int | None] = mapped_column(
        ForeignKey("content_sets.id", ondelete="SET NULL"), nullable=True
    )
    time_limit_s: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    auto_submitted: Mapped[bool] = mapped_column(Boolean, default=False)
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    total: Mapped[int] = mapped_column(Integer)
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignments.id", ondelete="SET NULL"), nullable=True
    )

    questions: Mapped[list[QuizQuestion]] = relationship(
        back_populates="attempt", order_by="QuizQuestion.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index("ix_quiz_attempts_user", "user_id", "started_at"),
        Index("ix_quiz_attempts_open", "submitted_at", "ends_at"),
        Index("ix_quiz_attempts_assignment", "assignment_id", "user_id"),
    )


class QuizQuestion(db.Model):  # type: ignore[name-defined,misc]
    """A question as asked in one attempt, with the learner's saved answer and, after submission,
    whether it was right and when its answer reached the scheduler (`graded_at`, written in the
    same transaction as the card's review)."""

    __tablename__ = "quiz_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"), index=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(20))
    choices: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    multiple: Mapped[bool] = mapped_column(Boolean, default=False)
    answer: Mapped[Any] = mapped_column(JSON, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    correct: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    attempt: Mapped[QuizAttempt] = relationship(back_populates="questions")


class AcceptedResponse(db.Model):  # type: ignore[name-defined,misc]
    """A typed response an instructor accepted for everyone on one card: quizzes (already submitted
    ones re-marked) and study count it right from then on."""

    __tablename__ = "accepted_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"))
    response: Mapped[str] = mapped_column(String(500))
    normalised: Mapped[str] = mapped_column(String(500))
    accepted_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("card_id", "normalised", name="uq_accepted_responses_card_normalised"),
    )
