"""Where a learner's pooled FSRS parameters come from: the most recently joined class (as a
learner) whose instructors fitted them. A query of its own so the statement that loads a
request's user can carry it, and study needs no statement for it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.models import ClassMember, Classroom


def pooled_parameters(user_id: Any) -> Any:
    """The pooled parameters of the learner `user_id` (a value or a column) as a scalar subquery."""
    return (
        select(Classroom.fsrs_params)
        .join(ClassMember, ClassMember.class_id == Classroom.id)
        .where(
            ClassMember.user_id == user_id,
            ClassMember.role == "learner",
            ClassMember.removed_at.is_(None),
            Classroom.fsrs_params.is_not(None),
        )
        .order_by(ClassMember.joined_at.desc(), ClassMember.id.desc())
        .limit(1)
        .scalar_subquery()
    )
