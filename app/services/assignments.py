"""Assigned quizzes: a class's assignments, their learners' attempts and the gradebook."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models import Assignment, QuizAttempt
from app.quiz.assignments import grade
from app.services import classes


@dataclass(frozen=True)
class GradeCell:
    """One learner on one assignment: attempts started, and the grade (a fraction in [0, 1] by the
    assignment's grading method over submitted attempts; None before the first is submitted)."""

    attempts: int
    grade: float | None


def class_assignments(class_id: int) -> list[Assignment]:
    """The class's assignments (not deleted), by open time, then creation."""
    rows = db.session.scalars(
        select(Assignment)
        .where(Assignment.class_id == class_id, Assignment.deleted_at.is_(None))
        .order_by(Assignment.created_at, Assignment.id)
    )
    return sorted(rows, key=lambda a: (a.opens_at or a.created_at, a.created_at, a.id))


def _fraction(attempt: QuizAttempt) -> float:
    return (attempt.score or 0) / attempt.total if attempt.total else 0.0


def grade_cell(assignment: Assignment, attempts: list[QuizAttempt]) -> GradeCell:
    """A learner's cell from their attempts at the assignment (in the order they were started)."""
    done = [_fraction(a) for a in attempts if a.submitted_at is not None]
    return GradeCell(attempts=len(attempts), grade=grade(assignment.grading, done))


def grade_table(class_id: int) -> dict[tuple[int, int], GradeCell]:
    """Every current learner's cell on every assignment of the class, keyed (user_id, assignment_id)."""
    assignments = class_assignments(class_id)
    people = [u.id for u in classes.learners(class_id)]
    by_cell: dict[tuple[int, int], list[QuizAttempt]] = defaultdict(list)
    if assignments and people:
        attempts = db.session.scalars(
            select(QuizAttempt)
            .where(
                QuizAttempt.assignment_id.in_([a.id for a in assignments]),
                QuizAttempt.user_id.in_(people),
            )
            .order_by(QuizAttempt.started_at, QuizAttempt.id)
        )
        for attempt in attempts:
            assert attempt.assignment_id is not None
            by_cell[(attempt.user_id, attempt.assignment_id)].append(attempt)
    return {
        (user_id, a.id): grade_cell(a, by_cell.get((user_id, a.id), []))
        for user_id in people
        for a in assignments
    }
