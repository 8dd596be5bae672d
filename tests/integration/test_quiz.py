"""Timed quizzes against a real database, with the clock passed in: deadline, grace, sweep, integrity."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Card, CardProgress, QuizAttempt, ReviewLog
from app.services import accounts, quiz
from app.services.content_sync import sync_content

T0 = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
GRACE = 5.0

SET = """+++
title = "Gates"
slug = "gates"
dialect = "native"

[quiz]
questions = 5
time_limit = 120
attempts = 1
+++
## Review
1. Which activation produces gate values?
   - [x] sigmoid
   - [ ] tanh — its range is (−1, 1).
   ID: gate-act

2. A GRU has a forget gate.
   Answer: False
   Explanation: It has update and reset gates.
   ID: gru-forget

3. Name the gradient algorithm for RNNs.
   Answer: Backpropagation through time
   Accept: BPTT
   ID: bptt-name

4. An LSTM adds to its {{c1::cell state}}.
   ID: lstm-add

5. What does the forget gate decide?
   Answer: How much of the old cell state to keep.
   ID: open-forget

6. What does the input gate decide?
   Answer: How much new content to write.
   ID: open-input

7. What does the output gate decide?
   Answer: How much of the cell state to expose.
   ID: open-output

8. What does the reset gate decide?
   Answer: How much of the old state the candidate sees.
   ID: open-reset
"""


@pytest.fixture
def gates(app: Flask, content_dir: Path) -> Flask:
    (content_dir / "gates.md").write_text(SET, encoding="utf-8")
    with app.app_context():
        sync_content(content_dir, T0)
    return app


def start(user, count: int = 8, limit: int = 120, seed: int = 1) -> QuizAttempt:  # type: ignore[no-untyped-def]
    return quiz.start_quiz(user, T0, mode="sets", sets=["gates"], count=count, time_limit_s=limit, seed=seed)


def card_key(question) -> str:  # type: ignore[no-untyped-def]
    card = db.session.get(Card, question.card_id)
    assert card is not None
    return card.key


def right_answer(question) -> object:  # type: ignore[no-untyped-def]
    key = card_key(question)
    if question.type == "choice":
        return [c["id"] for c in question.choices if c["correct"]]
    return {"gru-forget": "false", "bptt-name": "bptt", "lstm-add": ["cell state"]}[key]


def test_open_questions_become_multiple_choice_from_answers_in_the_same_set(gates: Flask) -> None:
    with gates.app_context():
        attempt = start(accounts.register("ada", "correct horse", T0))
        assert attempt.total == 8
        by_key = {card_key(q): q for q in attempt.questions}
        forget = by_key["open-forget"]
        assert forget.type == "choice" and len(forget.choices) == 4
        assert [c["text"] for c in forget.choices if c["correct"]] == [
            "How much of the old cell state to keep."
        ]
        others = {
            "How much new content to write.",
            "How much of the cell state to expose.",
            "How much of the old state the candidate sees.",
        }
        assert {c["text"] for c in forget.choices if not c["correct"]} == others
        assert by_key["bptt-name"].type == "short" and by_key["lstm-add"].type == "cloze"


def test_answers_count_until_the_deadline_plus_grace_then_are_refused(gates: Flask) -> None:
    with gates.app_context():
        user = accounts.register("ada", "correct horse", T0)
        attempt = start(user)
        first, second = attempt.questions[0], attempt.questions[1]
        quiz.save_answer(user, attempt.id, first.id, right_answer(first), T0 + timedelta(seconds=124), GRACE)
        with pytest.raises(quiz.QuizClosed, match="Time is up"):
            quiz.save_answer(
                user, attempt.id, second.id, right_answer(second), T0 + timedelta(seconds=126), GRACE
            )
        result = quiz.submit(user, attempt.id, T0 + timedelta(seconds=127), GRACE)
        assert result.score == 1 and result.auto_submitted
        assert result.time_used_s == 120


def test_an_overdue_attempt_is_submitted_on_the_next_request_or_by_the_sweep(gates: Flask) -> None:
    with gates.app_context():
        ada, bob = (
            accounts.register("ada", "correct horse", T0),
            accounts.register("bob", "correct horse", T0),
        )
        by_request, by_sweep = start(ada), start(bob)
        later = T0 + timedelta(minutes=10)
        assert quiz.get_attempt(ada, by_request.id, later, GRACE).submitted_at is not None
        assert quiz.sweep(later, GRACE) == 1
        db.session.refresh(by_sweep)
        assert by_sweep.submitted_at == T0 + timedelta(seconds=125) and by_sweep.auto_submitted
        assert quiz.sweep(later, GRACE) == 0


def test_submitting_twice_gives_the_same_result_and_reschedules_once(gates: Flask) -> None:
    with gates.app_context():
        user = accounts.register("ada", "correct horse", T0)
        attempt = start(user)
        right, wrong = attempt.questions[0], attempt.questions[1]
        quiz.save_answer(user, attempt.id, right.id, right_answer(right), T0 + timedelta(seconds=10), GRACE)
        bad = ["o9"] if wrong.type == "choice" else ("true" if wrong.type == "true-false" else "nonsense")
        if wrong.type == "choice":
            bad = [c["id"] for c in wrong.choices if not c["correct"]][:1]
        quiz.save_answer(user, attempt.id, wrong.id, bad, T0 + timedelta(seconds=20), GRACE)

        first = quiz.submit(user, attempt.id, T0 + timedelta(seconds=30), GRACE)
        second = quiz.submit(user, attempt.id, T0 + timedelta(seconds=90), GRACE)

        assert (first.score, first.total) == (1, 8) and first == second
        logs = db.session.scalars(select(ReviewLog).where(ReviewLog.source == "quiz")).all()
        assert sorted((log.card_id, log.rating) for log in logs) == sorted(
            [(right.card_id, 3), (wrong.card_id, 1)]
        )
        progress = db.session.scalar(select(CardProgress).where(CardProgress.card_id == wrong.card_id))
        assert progress is not None and progress.phase == "learning"
        assert quiz.missed_in(user, attempt.id, T0) == [
            q.card_id for q in attempt.questions if q.id != right.id
        ]


def test_right_answers_are_not_in_what_the_learner_sees_before_submission(gates: Flask) -> None:
    from app.web.quiz_view import attempt_view

    with gates.app_context():
        user = accounts.register("ada", "correct horse", T0)
        attempt = start(user)
        cards = {q.card_id: db.session.get(Card, q.card_id) for q in attempt.questions}
        shown = json.dumps(attempt_view(attempt, cards, 120))  # type: ignore[arg-type]
        assert '"correct"' not in shown
        assert "Backpropagation through time" not in shown and "cell state}}" not in shown


def test_another_learner_cannot_see_answer_or_submit_an_attempt(gates: Flask) -> None:
    with gates.app_context():
        ada, bob = (
            accounts.register("ada", "correct horse", T0),
            accounts.register("bob", "correct horse", T0),
        )
        attempt = start(ada)
        question = attempt.questions[0]
        for call in (
            lambda: quiz.get_attempt(bob, attempt.id, T0, GRACE),
            lambda: quiz.save_answer(bob, attempt.id, question.id, right_answer(question), T0, GRACE),
            lambda: quiz.submit(bob, attempt.id, T0, GRACE),
            lambda: quiz.missed_in(bob, attempt.id, T0),
        ):
            with pytest.raises(quiz.QuizNotFound):
                call()
        assert quiz.get_attempt(ada, attempt.id, T0, GRACE).submitted_at is None


def test_a_fixed_quiz_uses_its_front_matter_and_limits_attempts(gates: Flask) -> None:
    with gates.app_context():
        user = accounts.register("ada", "correct horse", T0)
        attempt = quiz.start_fixed_quiz(user, "gates", T0, seed=3)
        assert (attempt.total, attempt.time_limit_s) == (5, 120)
        with pytest.raises(quiz.QuizRequestError, match="used all 1 attempts"):
            quiz.start_fixed_quiz(user, "gates", T0)


def test_quiz_requests_outside_the_rules_are_refused(gates: Flask) -> None:
    with gates.app_context():
        user = accounts.register("ada", "correct horse", T0)
        for kwargs, message in (
            ({"count": 4}, "5 to 50"),
            ({"count": 51}, "5 to 50"),
            ({"time_limit_s": 30}, "between 1 minute and 3 hours"),
            ({"sets": ["nope"]}, "no question set called 'nope'"),
            ({"sets": []}, "at least one set"),
            ({"mode": "due", "sets": []}, "no cards due"),
        ):
            args = {"mode": "sets", "sets": ["gates"], "count": 10, "time_limit_s": 300} | kwargs
            with pytest.raises(quiz.QuizRequestError, match=message):
                quiz.start_quiz(user, T0, **args)  # type: ignore[arg-type]
