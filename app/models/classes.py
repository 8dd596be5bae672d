"""Classes: who teaches and who studies in each, the quizzes assigned to them, and per-learner
accommodations of an assignment's window, time limit and attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime


class Classroom(db.Model):  # type: ignore[name-defined,misc]
    """A class: a name, the time zone its dates are given in, and the code learners join with."""

    __tablename__ = "classes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    join_code: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    code_rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # FSRS parameters fitted on the pooled reviews of the class's learners: the starting point for
    # a learner with too few reviews of their own.
    fsrs_params: Mapped[list[float] | None] = mapped_column(JSON, nullable=True)
    fsrs_optimized_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    fsrs_review_count: Mapped[int] = mapped_column(Integer, default=0)

    members: Mapped[list[ClassMember]] = relationship(
        back_populates="classroom", cascade="all, delete-orphan"
    )


class ClassMember(db.Model):  # type: ignore[name-defined,misc]
    """A user in a class, as `instructor` or `learner`; a removed learner keeps the row (and their
    attempts) with `removed_at` set, and is out of every list until they join again."""

    __tablename__ = "class_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="learner")
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    classroom: Mapped[Classroom] = relationship(back_populates="members")

    __table_args__ = (UniqueConstraint("class_id", "user_id", name="uq_class_members_class_user"),)


class Assignment(db.Model):  # type: ignore[name-defined,misc]
    """A quiz assigned to a class: its questions (sets, or chosen cards), size, time limit, window,
    attempts allowed (0: no limit), grading method and when right answers may be seen."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    sets: Mapped[list[str]] = mapped_column(JSON, default=list)
    card_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    count: Mapped[int] = mapped_column(Integer)
    time_limit_s: Mapped[int] = mapped_column(Integer)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    grading: Mapped[str] = mapped_column(String(12), default="highest")
    review: Mapped[str] = mapped_column(String(20), default="immediately")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    overrides: Mapped[list[AssignmentOverride]] = relationship(
        back_populates="assignment", cascade="all, delete-orphan"
    )


class AssignmentOverride(db.Model):  # type: ignore[name-defined,misc]
    """One learner's accommodation on an assignment; a None field keeps the assignment's own value."""

    __tablename__ = "assignment_overrides"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    time_limit_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    attempts: Mapped[int | None] = mapped_column(Integer, nullable=True)

    assignment: Mapped[Assignment] = relationship(back_populates="overrides")

    __table_args__ = (
        UniqueConstraint("assignment_id", "user_id", name="uq_assignment_overrides_assignment_user"),
    )
