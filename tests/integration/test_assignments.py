"""Assigned quizzes against a real database with the clock passed in: the rules an instructor
sets, the learner's window and attempts, the close time ending an attempt, accommodations, review."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import Card, QuizAttempt, User
from app.quiz.assignments import Accommodation
from app.services import accounts, classes, quiz
from app.services import assignments as asg
from app.services.assignments import AssignmentSpec
from tests.integration.test_quiz import GRACE, T0, gates, right_answer  # noqa: F401
from tests.integration.test_quiz_race import run_together

OPENS = T0
CLOSES = T0 + timedelta(hours=2)
MINUTE = timedelta(minutes=1)


def people() -> tuple[User, User, classes.Classroom]:  # type: ignore[name-defined]
    teacher = accounts.register("teacher", "correct horse", T0, role="instructor")
    ann = accounts.register("ann", "correct horse", T0)
    room = classes.create_class(teacher, "RNN 101", T0, timezone="Europe/Paris")
    classes.join(ann, room.join_code, T0)
    return teacher, ann, room


def begin(user: User, assignment_id: int, when: datetime, seed: int | None = None) -> QuizAttempt:
    return asg.start_attempt(user, assignment_id, when, GRACE, seed=seed)


def spec(**changes: object) -> AssignmentSpec:
    base: dict[str, object] = {
        "sets": ["gates"],
        "count": 5,
        "time_limit_s": 600,
        "attempts": 2,
        "opens_at": OPENS,
        "closes_at": CLOSES,
    }
    return AssignmentSpec(**{**base, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sets": ["nope"]}, "no question set called 'nope'"),
        ({"sets": []}, "at least one set"),
        ({"count": 4}, "5 to 50 questions"),
        ({"time_limit_s": 30}, "between 1 minute and 3 hours"),
        ({"closes_at": OPENS}, "close time must come after"),
        ({"attempts": -1}, "Allow 0"),
        ({"grading": "median"}, "Grade by one of"),
        ({"review": "sometimes"}, "Show right answers"),
        ({"review": "after_close", "closes_at": None}, "needs a close time"),
        ({"card_ids": [999999]}, "not a live question"),
        ({"title": "x" * 301}, "at most 300"),
    ],
)
def test_an_assignment_outside_the_rules_is_refused(gates: Flask, changes: dict, message: str) -> None:  # noqa: F811
    with gates.app_context():
        teacher, _, room = people()
        with pytest.raises(asg.AssignmentError, match=message):
            asg.create_assignment(room, teacher, spec(**changes), T0)
        assert asg.class_assignments(room.id) == []


def test_chosen_questions_are_the_only_ones_asked(gates: Flask) -> None:  # noqa: F811
    with gates.app_context():
        teacher, ann, room = people()
        cards = db.session.scalars(select(Card.id).order_by(Card.id)).all()[:5]
        assignment = asg.create_assignment(room, teacher, spec(card_ids=cards, attempts=0), T0)
        assert assignment.title == "Gates"
        for minute in range(3):
            attempt = begin(ann, assignment.id, T0 + minute * MINUTE, seed=minute)
            quiz.submit(ann, attempt.id, T0 + minute * MINUTE, GRACE)
            assert sorted(q.card_id for q in attempt.questions) == sorted(cards)


def test_window_and_attempts_decide_who_may_start(gates: Flask) -> None:  # noqa: F811
    with gates.app_context():
        teacher, ann, room = people()
        assignment = asg.create_assignment(room, teacher, spec(), T0 - timedelta(days=1))
        with pytest.raises(asg.AttemptRefused, match="opens at Mon 02 Nov 2026, 12:00 UTC"):
            begin(ann, assignment.id, OPENS - timedelta(seconds=1))
        first = begin(ann, assignment.id, OPENS)
        assert first.assignment_id == assignment.id and first.title == "Gates"
        quiz.submit(ann, first.id, OPENS + MINUTE, GRACE)
        second = begin(ann, assignment.id, OPENS + 2 * MINUTE)
        quiz.submit(ann, second.id, OPENS + 3 * MINUTE, GRACE)
        with pytest.raises(asg.AttemptRefused, match="used all 2 attempts"):
            begin(ann, assignment.id, OPENS + 4 * MINUTE)
        assert db.session.scalar(select(func.count(QuizAttempt.id))) == 2


def test_close_time_refuses_new_attempts_exactly_then(gates: Flask) -> None:  # noqa: F811
    with gates.app_context():
        teacher, ann, room = people()
        assignment = asg.create_assignment(room, teacher, spec(attempts=0), T0)
        last = begin(ann, assignment.id, CLOSES - timedelta(seconds=1))
        quiz.submit(ann, last.id, CLOSES - timedelta(seconds=1), GRACE)
        with pytest.raises(asg.AttemptRefused, match="closed at"):
            begin(ann, assignment.id, CLOSES)


def test_unlimited_attempts_without_a_window(gates: Flask) -> None:  # noqa: F811
    with gates.app_context():
        teacher, ann, room = people()
        assignment = asg.create_assignment(room, teacher, spec(attempts=0, opens_at=None, closes_at=None), T0)
        for minute in range(6):
            attempt = begin(ann, assignment.id, T0 + minute * MINUTE)
            assert attempt.ends_at == T0 + minute * MINUTE + timedelta(seconds=600)
            quiz.submit(ann, attempt.id, T0 + minute * MINUTE, GRACE)


def test_starting_again_goes_back_to_the_attempt_in_progress(gates: Flask) -> None:  # noqa: F811
    with gates.app_context():
        teacher, ann, room = people()
        assignment = asg.create_assignment(room, teacher, spec(attempts=1), T0)
        first = begin(ann, assignment.id, T0)
        assert begin(ann, assignment.id, T0 + MINUTE).id == first.id
        quiz.submit(ann, first.id, T0 + 2 * MINUTE, GRACE)
        with pytest.raises(asg.AttemptRefused, match="used all 1 attempt "):
            begin(ann, assignment.id, T0 + 3 * MINUTE)


def test_close_time_ends_an_attempt_in_progress(gates: Flask) -> None:  # noqa: F811
    with gates.app_context():
        teacher, ann, room = people()
        assignment = asg.create_assignment(room, teacher, spec(), T0)
        started = CLOSES - 3 * MINUTE
        attempt = begin(ann, assignment.id, started)
        assert attempt.ends_at == CLOSES  # not started + 10 minutes
        first, second = attempt.questions[0], attempt.questions[1]
        quiz.save_answer(ann, attempt.id, first.id, right_answer(first), CLOSES - MINUTE, GRACE)
        with pytest.raises(quiz.QuizClosed, match="Time is up"):
            quiz.save_answer(ann, attempt.id, second.id, right_answer(second), CLOSES + MINUTE, GRACE)
        db.session.refresh(attempt)
        assert attempt.auto_submitted and attempt.submitted_at == CLOSES + timedelta(seconds=GRACE)
        assert attempt.score == 1


def test_the_sweep_submits_an_attempt_the_close_time_ended(gates: Flask) -> None:  # noqa: F811
    with gates.app_context():
        teacher, ann, room = people()
        assignment = asg.create_assignment(room, teacher, spec(), T0)
        attempt_id = begin(ann, assignment.id, CLOSES - MINUTE).id
        assert quiz.sweep(CLOSES + MINUTE, GRACE) == 1
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt is not None and attempt.auto_submitted


def test_moving_the_close_time_moves_attempts_in_progress(gates: Flask) -> None:  # noqa: F811
    with gates.app_context():
        teacher, ann, room = people()
        assignment = asg.create_assignment(room, teacher, spec(), T0)
        attempt = begin(ann, assignment.id, CLOSES - 5 * MINUTE)
        assert attempt.ends_at == CLOSES
        asg.update_assignment(assignment, spec(closes_at=CLOSES + timedelta(hours=1)), CLOSES - 4 * MINUTE)
        db.session.refresh(attempt)
        assert attempt.ends_at == CLOSES + 5 * MINUTE  # its own 10 minutes again
        now = CLOSES - 3 * MINUTE
        asg.update_assignment(assignment, spec(closes_at=OPENS + MINUTE), now)
        db.session.refresh(attempt)
        assert attempt.ends_at == now  # closed in the past: the attempt ends now


def test_an_accommodation_opens_a_late_window_and_a_longer_attempt(gates: Flask) -> None:  # noqa: F811
    with gates.app_context():
        teacher, ann, room = people()
        bob = accounts.register("bob", "correct horse", T0)
        classes.join(bob, room.join_code, T0)
        assignment = asg.create_assignment(room, teacher, spec(attempts=1), T0)
        running = begin(ann, assignment.id, CLOSES - 5 * MINUTE)
        later = CLOSES + timedelta(days=1)
        asg.set_override(
            assignment, ann.id, Accommodation(closes_at=later, time_limit_s=1200), CLOSES - MINUTE
        )
        db.session.refresh(running)
        assert running.ends_at == CLOSES + 15 * MINUTE and running.time_limit_s == 1200
        quiz.submit(ann, running.id, CLOSES, GRACE)
        asg.set_override(assignment, ann.id, Accommodation(closes_at=later, attempts=2), CLOSES)
        attempt = begin(ann, assignment.id, CLOSES + timedelta(hours=3))
        assert attempt.ends_at == CLOSES + timedelta(hours=3, minutes=10)
        with pytest.raises(asg.AttemptRefused, match="closed at"):
            begin(bob, assignment.id, CLOSES + timedelta(hours=3))
        asg.clear_override(assignment, ann.id, CLOSES + timedelta(hours=3, minutes=1))
        db.session.refresh(attempt)
        assert attempt.ends_at == CLOSES + timedelta(
            hours=3, minutes=1
        )  # back to the class's close: ends now
        with pytest.raises(asg.AssignmentError, match="not a learner"):
            asg.set_override(assignment, teacher.id, Accommodation(attempts=3), T0)
        with pytest.raises(asg.AssignmentError, match="after the open time"):
            asg.set_override(assignment, bob.id, Accommodation(closes_at=OPENS - MINUTE), T0)


def test_only_the_class_learners_find_an_assignment(gates: Flask) -> None:  # noqa: F811
    with gates.app_context():
        teacher, ann, room = people()
        outsider = accounts.register("eve", "correct horse", T0)
        assignment = asg.create_assignment(room, teacher, spec(), T0)
        for person in (outsider, teacher):
            with pytest.raises(asg.AssignmentNotFound):
                begin(person, assignment.id, T0)
        other = accounts.register("other", "correct horse", T0, role="instructor")
        with pytest.raises(asg.AssignmentNotFound):
            asg.taught_assignment(other, assignment.id)
        asg.delete_assignment(assignment, T0)
        with pytest.raises(asg.AssignmentNotFound):
            begin(ann, assignment.id, T0)
        assert asg.learner_assignments(ann, T0, GRACE) == []


def test_learner_list_gives_status_attempts_and_grade(gates: Flask) -> None:  # noqa: F811
    with gates.app_context():
        teacher, ann, room = people()
        now_open = asg.create_assignment(room, teacher, spec(title="Now"), T0)
        later = asg.create_assignment(room, teacher, spec(title="Later", opens_at=CLOSES, closes_at=None), T0)
        attempt = begin(ann, now_open.id, T0)
        for question in attempt.questions:
            quiz.save_answer(ann, attempt.id, question.id, right_answer(question), T0, GRACE)
        mine = asg.learner_assignments(ann, T0 + MINUTE, GRACE)
        assert [(a.assignment.title, a.status, a.used, a.left) for a in mine] == [
            ("Now", "open", 1, 1),
            ("Later", "upcoming", 0, 2),
        ]
        assert mine[0].open_attempt_id == attempt.id and not mine[0].can_start
        quiz.submit(ann, attempt.id, T0 + MINUTE, GRACE)
        mine = asg.learner_assignments(ann, T0 + MINUTE, GRACE)
        assert mine[0].grade == 1.0 and mine[0].can_start
        closed = asg.learner_assignments(ann, CLOSES, GRACE)
        assert [(a.assignment.title, a.status) for a in closed] == [("Later", "open"), ("Now", "closed")]
        assert later.id == closed[0].assignment.id


@pytest.mark.parametrize(
    ("review", "before", "after"),
    [("immediately", True, True), ("after_close", False, True), ("never", False, False)],
)
def test_right_answers_follow_the_review_policy(gates: Flask, review: str, before: bool, after: bool) -> None:  # noqa: F811
    with gates.app_context():
        teacher, ann, room = people()
        assignment = asg.create_assignment(room, teacher, spec(review=review), T0)
        attempt = begin(ann, assignment.id, T0)
        quiz.submit(ann, attempt.id, T0 + MINUTE, GRACE)
        assert asg.answers_shown(attempt, T0 + MINUTE) is before
        assert asg.answers_shown(attempt, CLOSES) is after
        if not before:
            with pytest.raises(quiz.QuizClosed, match="not released"):
                quiz.missed_in(ann, attempt.id, T0 + MINUTE)
            assert asg.review_note(attempt, T0 + MINUTE)
        if review == "after_close":  # an extension keeps this learner's answers hidden until their close
            asg.set_override(assignment, ann.id, Accommodation(closes_at=CLOSES + timedelta(days=1)), T0)
            assert not asg.answers_shown(attempt, CLOSES)
            assert "Tue 03 Nov 2026, 14:00 UTC" in asg.review_note(attempt, CLOSES)


def test_two_starts_at_once_make_one_attempt(gates: Flask) -> None:  # noqa: F811
    with gates.app_context():
        teacher, ann, room = people()
        assignment_id = asg.create_assignment(room, teacher, spec(attempts=1), T0).id
        ann_id = ann.id

    got: list[int] = []

    def start() -> None:
        user = db.session.get(User, ann_id)
        assert user is not None
        got.append(begin(user, assignment_id, T0 + MINUTE).id)

    for _ in range(3):
        got.clear()
        assert run_together(gates, [start, start, start]) == []
        with gates.app_context():
            count = db.session.scalar(select(func.count(QuizAttempt.id)).where(QuizAttempt.user_id == ann_id))
            assert count == 1 and len(set(got)) == 1  # every tab is in the one attempt
            quiz.submit(db.session.get(User, ann_id), got[0], T0 + MINUTE, GRACE)  # type: ignore[arg-type]
        errors = run_together(gates, [start, start])
        assert len(errors) == 2 and all(isinstance(e, asg.AttemptRefused) for e in errors), errors
        with gates.app_context():  # start over for the next round
            db.session.execute(QuizAttempt.__table__.delete())
            db.session.commit()
