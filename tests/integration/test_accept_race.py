"""Accepting a response for everyone while learners submit quizzes that gave it, with real threads on
a real database: every such answer ends up right, and every score counts it."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Card, QuizAttempt, QuizQuestion
from app.services import accounts, overrides, quiz
from tests.integration.test_quiz import GRACE, T0, card_key, gates, right_answer, start  # noqa: F401
from tests.integration.test_quiz_race import learner, run_together

LEARNERS = 4


def test_a_response_accepted_while_quizzes_are_submitted_counts_in_every_one(gates: Flask) -> None:  # noqa: F811
    with gates.app_context():
        teacher = accounts.register("teach", "correct horse", T0, role="instructor").id
        bptt = db.session.scalar(select(Card.id).where(Card.key == "bptt-name"))
        attempts: list[tuple[int, int]] = []
        for number in range(LEARNERS):
            user = accounts.register(f"learner{number}", "correct horse", T0)
            attempt = start(user, seed=number)
            for question in attempt.questions:
                typed = "backprop" if card_key(question) == "bptt-name" else right_answer(question)
                quiz.save_answer(user, attempt.id, question.id, typed, T0, GRACE)
            attempts.append((user.id, attempt.id))
    later = T0 + timedelta(seconds=30)
    calls = [
        lambda u=u, a=a: quiz.submit(learner(u), a, later, GRACE)  # type: ignore[misc]
        for u, a in attempts
    ]
    calls.insert(LEARNERS // 2, lambda: overrides.accept_response(learner(teacher), bptt, "backprop", later))
    assert run_together(gates, calls) == []
    with gates.app_context():
        for _, attempt_id in attempts:
            attempt = db.session.get(QuizAttempt, attempt_id)
            assert attempt is not None and attempt.submitted_at is not None
            marks = db.session.scalars(
                select(QuizQuestion.correct).where(QuizQuestion.attempt_id == attempt_id)
            ).all()
            assert all(marks) and attempt.score == attempt.total
