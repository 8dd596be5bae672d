"""The gradebook's cells from attempts stored in a real database: grading methods, only submitted
attempts graded, every learner and assignment present, deleted assignments left out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from app.extensions import db
from app.models import Assignment, QuizAttempt, User
from app.services import accounts, classes
from app.services.assignments import GradeCell, class_assignments, grade_table

T0 = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def _attempt(user: User, assignment: Assignment, minute: int, score: int | None, total: int = 10) -> None:
    started = T0 + timedelta(minutes=minute)
    db.session.add(
        QuizAttempt(
            user_id=user.id,
            title=assignment.title,
            source={"mode": "assignment"},
            time_limit_s=600,
            started_at=started,
            ends_at=started + timedelta(minutes=10),
            submitted_at=None if score is None else started + timedelta(minutes=5),
            score=score,
            total=total,
            assignment_id=assignment.id,
        )
    )


def _assignment(class_id: int, title: str, grading: str, **extra: object) -> Assignment:
    row = Assignment(
        class_id=class_id,
        title=title,
        sets=["gates"],
        card_ids=[],
        count=5,
        time_limit_s=600,
        attempts=0,
        grading=grading,
        review="immediately",
        created_at=T0,
        **extra,
    )
    db.session.add(row)
    db.session.flush()
    return row


def test_grade_table_by_grading_method(app: Flask) -> None:
    with app.app_context():
        teacher = accounts.register("teacher", "pw-123456", T0, role="instructor")
        ann, bob = (accounts.register(n, "pw-123456", T0) for n in ("ann", "bob"))
        room = classes.create_class(teacher, "RNN 101", T0)
        for person in (ann, bob):
            classes.join(person, room.join_code, T0)
        highest = _assignment(room.id, "Best", "highest")
        average = _assignment(room.id, "Mean", "average", opens_at=T0 - timedelta(days=1))
        last = _assignment(room.id, "Last", "last")
        gone = _assignment(room.id, "Gone", "first", deleted_at=T0)
        for assignment in (highest, average, last, gone):
            _attempt(ann, assignment, 0, 4)
            _attempt(ann, assignment, 20, 8)
            _attempt(ann, assignment, 40, None)  # still open: counted as used, not graded
        db.session.commit()

        assert [a.title for a in class_assignments(room.id)] == ["Mean", "Best", "Last"]
        table = grade_table(room.id)
        assert set(table) == {(u.id, a.id) for u in (ann, bob) for a in (highest, average, last)}
        assert table[(ann.id, highest.id)] == GradeCell(attempts=3, grade=pytest.approx(0.8))
        assert table[(ann.id, average.id)].grade == pytest.approx(0.6)
        assert table[(ann.id, last.id)].grade == pytest.approx(0.8)
        assert table[(bob.id, highest.id)] == GradeCell(attempts=0, grade=None)
