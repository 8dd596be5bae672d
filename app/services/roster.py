"""A class's roster: each learner's study figures (as on their own /stats page) and their grades
on the class's assigned quizzes; one row type read by the page, the CSV and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from app.models import Assignment, Classroom
from app.services import assignments, classes, stats


@dataclass(frozen=True)
class RosterRow:
    """One learner on the roster: their study figures (as on their own /stats page) and, per
    assigned quiz (in `assigned_quizzes` order), their grade as a fraction or None if not done."""

    COLUMNS: ClassVar[tuple[str, ...]] = (
        "id", "username", "guest", "cards_studied", "reviews_7_days", "reviews_30_days", "true_retention",
        "retention_reviews", "due_today", "streak_days", "quizzes_done", "quiz_score",
    )  # fmt: skip

    user_id: int
    username: str
    is_guest: bool
    figures: stats.Figures
    grades: tuple[float | None, ...]

    def record(self) -> dict[str, Any]:
        """The row as the API and the CSV give it, under their column names."""
        f = self.figures
        return {
            "id": self.user_id,
            "username": self.username,
            "guest": self.is_guest,
            "cards_studied": f.cards_studied,
            "reviews_7_days": f.reviews_7,
            "reviews_30_days": f.reviews_30,
            "true_retention": f.retention.rate,
            "retention_reviews": f.retention.total,
            "due_today": f.due_today,
            "streak_days": f.streak,
            "quizzes_done": self.quizzes_done,
            "quiz_score": self.quiz_score,
        }

    @property
    def quizzes_done(self) -> int:
        return sum(1 for grade in self.grades if grade is not None)

    @property
    def quiz_score(self) -> float | None:
        """The mean grade over the assigned quizzes done."""
        done = [grade for grade in self.grades if grade is not None]
        return sum(done) / len(done) if done else None


def assigned_quizzes(class_id: int) -> list[Assignment]:
    """The class's assigned quizzes, in the roster's column order."""
    return list(assignments.class_assignments(class_id))


def roster(classroom: Classroom, now: datetime) -> list[RosterRow]:
    """Every current learner's figures and quiz grades, in a fixed number of grouped queries."""
    people = classes.learners(classroom.id)
    figures = stats.figures(people, now)
    quizzes = assigned_quizzes(classroom.id)
    table = assignments.grade_table(classroom.id) if quizzes else {}
    rows = []
    for user in people:
        cells = [table.get((user.id, quiz.id)) for quiz in quizzes]
        grades = tuple(cell.grade if cell is not None else None for cell in cells)
        rows.append(RosterRow(user.id, user.username, user.is_guest, figures[user.id], grades))
    return rows
