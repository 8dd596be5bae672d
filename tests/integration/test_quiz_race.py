"""Quiz submission racing other writers of the same cards, with real threads on a real database:
a study grade in another tab, a second submit, the sweep. Every answered question reaches the
scheduler exactly once, and nobody gets an error."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from datetime import timedelta
from functools import partial
from typing import Any

from flask import Flask
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import CardProgress, QuizAttempt, QuizQuestion, ReviewLog, User
from app.services import accounts, quiz, study
from tests.integration.test_quiz import GRACE, T0, gates, right_answer, start  # noqa: F401

ROUNDS = 4


def run_together(app: Flask, calls: list[Callable[[], Any]]) -> list[BaseException]:
    """Run each call in its own thread (own app context, own database session), all released at
    once; return what they raised."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def work(call: Callable[[], Any]) -> None:
        with app.app_context():
            barrier.wait()
            try:
                call()
            except BaseException as exc:  # reported to the test below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a racing call hung"
    return errors


def learner(user_id: int) -> User:
    user = db.session.get(User, user_id)
    assert user is not None
    return user


def quiz_logs(user_id: int) -> Counter[int]:
    rows = db.session.scalars(
        select(ReviewLog.card_id).where(ReviewLog.user_id == user_id, ReviewLog.source == "quiz")
    )
    return Counter(rows)


def answered_attempt(user: User, seed: int) -> tuple[int, list[int]]:
    """A new attempt with every question answered: its id and its cards."""
    attempt = start(user, seed=seed)
    for question in attempt.questions:
        quiz.save_answer(user, attempt.id, question.id, right_answer(question), T0, GRACE)
    return attempt.id, [q.card_id for q in attempt.questions]


def keep_grading(user_id: int, card_id: int, when: Any, until: threading.Event) -> Callable[[], None]:
    """A study tab grading one card again and again (with the version it was shown) while the quiz
    is being submitted: the worst another tab can do."""

    def call() -> None:
        for _ in range(200):
            shown = db.session.scalar(
                select(CardProgress.version).where(
                    CardProgress.user_id == user_id, CardProgress.card_id == card_id
                )
            )
            db.session.commit()
            with suppress(study.GradeConflict):  # the other tab lost: it is told so, nothing counts twice
                study.grade_card(learner(user_id), card_id, 3, when, version=shown)
            if until.is_set():
                return

    return call


def submit(user_id: int, attempt_id: int, when: Any) -> None:
    quiz.submit(learner(user_id), attempt_id, when, GRACE)


def then_signal(done: threading.Event, call: Callable[[], Any]) -> None:
    try:
        call()
    finally:
        done.set()


def test_submit_racing_study_grades_of_its_cards_grades_every_answer_once(gates: Flask) -> None:  # noqa: F811
    with gates.app_context():
        user_id = accounts.register("ada", "correct horse", T0).id
    when = T0 + timedelta(seconds=30)
    for round_ in range(ROUNDS):
        with gates.app_context():
            attempt_id, cards = answered_attempt(learner(user_id), seed=round_)
            before = quiz_logs(user_id)
        done = threading.Event()
        submitter = partial(then_signal, done, partial(submit, user_id, attempt_id, when))
        graders = [keep_grading(user_id, card, when, done) for card in cards]
        errors = run_together(gates, [submitter, *graders])
        assert errors == [], f"round {round_}: {errors!r}"
        with gates.app_context():
            gained = quiz_logs(user_id) - before
            assert gained == Counter(cards), f"round {round_}: quiz grades per card {gained}"
            assert db.session.get(QuizAttempt, attempt_id).score == len(cards)  # type: ignore[union-attr]


def test_two_submits_and_the_sweep_at_once_grade_every_answer_once(gates: Flask) -> None:  # noqa: F811
    with gates.app_context():
        user_id = accounts.register("ada", "correct horse", T0).id
    late = T0 + timedelta(minutes=5)  # past the deadline, so the sweep submits it too
    for round_ in range(ROUNDS):
        with gates.app_context():
            attempt_id, cards = answered_attempt(learner(user_id), seed=round_)
            before = quiz_logs(user_id)
        done = threading.Event()
        submitter = partial(submit, user_id, attempt_id, late)
        sweep = partial(then_signal, done, partial(quiz.sweep, late, GRACE))
        graders = [keep_grading(user_id, card, late, done) for card in cards[:3]]
        errors = run_together(gates, [submitter, submitter, sweep, *graders])
        assert errors == [], f"round {round_}: {errors!r}"
        with gates.app_context():
            assert quiz_logs(user_id) - before == Counter(cards), f"round {round_}"
            attempt = db.session.get(QuizAttempt, attempt_id)
            assert attempt is not None and attempt.submitted_at == T0 + timedelta(seconds=125)


def test_a_retried_submit_finishes_grading_what_an_earlier_one_left(gates: Flask) -> None:  # noqa: F811
    """An attempt marked submitted whose answers never reached the scheduler (as the race left
    them before this was fixed, and as the migration leaves such attempts): submitting again
    grades exactly those, once."""
    with gates.app_context():
        user = accounts.register("ada", "correct horse", T0)
        attempt_id, cards = answered_attempt(user, seed=1)
        done = T0 + timedelta(seconds=30)
        quiz.submit(user, attempt_id, done, GRACE)
        left = cards[:3]
        db.session.execute(
            ReviewLog.__table__.delete().where(ReviewLog.card_id.in_(left), ReviewLog.source == "quiz")
        )
        db.session.execute(
            update(QuizQuestion)
            .where(QuizQuestion.attempt_id == attempt_id, QuizQuestion.card_id.in_(left))
            .values(graded_at=None)
        )
        db.session.commit()
        assert quiz_logs(user.id) == Counter(cards[3:])

        again = quiz.submit(user, attempt_id, done + timedelta(minutes=1), GRACE)
        assert quiz_logs(user.id) == Counter(cards)
        assert again.score == len(cards) and again.submitted_at == done
        quiz.submit(user, attempt_id, done + timedelta(minutes=2), GRACE)
        assert quiz_logs(user.id) == Counter(cards)


def test_opening_the_results_also_grades_what_was_left(gates: Flask) -> None:  # noqa: F811
    with gates.app_context():
        user = accounts.register("ada", "correct horse", T0)
        attempt_id, cards = answered_attempt(user, seed=1)
        quiz.submit(user, attempt_id, T0 + timedelta(seconds=30), GRACE)
        db.session.execute(ReviewLog.__table__.delete().where(ReviewLog.card_id == cards[0]))
        db.session.execute(
            update(QuizQuestion).where(QuizQuestion.card_id == cards[0]).values(graded_at=None)
        )
        db.session.commit()
        quiz.get_attempt(user, attempt_id, T0 + timedelta(days=1), GRACE)
        assert quiz_logs(user.id) == Counter(cards)


def keep_saving(
    user_id: int, attempt_id: int, question_id: int, until: threading.Event
) -> Callable[[], None]:
    """Another tab changing one answer again and again (wrong, right, wrong...) while the quiz is
    submitted; once it is, each save is refused."""

    def call() -> None:
        for turn in range(200):
            question = db.session.get(QuizQuestion, question_id)
            assert question is not None
            answer = right_answer(question) if turn % 2 else wrong_answer(question)
            db.session.commit()
            try:
                quiz.save_answer(learner(user_id), attempt_id, question_id, answer, T0, GRACE)
            except quiz.QuizClosed:
                return
            if until.is_set():
                return

    return call


def wrong_answer(question: QuizQuestion) -> Any:
    if question.type == "choice":
        return [c["id"] for c in question.choices if not c["correct"]][:1]
    return "true" if question.type == "true-false" else "nonsense"


def test_answers_saved_in_another_tab_while_submitting_are_graded_as_stored(gates: Flask) -> None:  # noqa: F811
    """What the result shows (the stored answer and its mark) is what the scheduler was told."""
    with gates.app_context():
        user_id = accounts.register("ada", "correct horse", T0).id
    when = T0 + timedelta(seconds=30)
    for round_ in range(ROUNDS):
        with gates.app_context():
            attempt_id, _ = answered_attempt(learner(user_id), seed=round_)
            questions = [q.id for q in db.session.get(QuizAttempt, attempt_id).questions]  # type: ignore[union-attr]
            before = db.session.scalar(select(func.max(ReviewLog.id))) or 0
        done = threading.Event()
        submitter = partial(then_signal, done, partial(submit, user_id, attempt_id, when))
        savers = [keep_saving(user_id, attempt_id, q, done) for q in questions]
        assert run_together(gates, [submitter, *savers]) == []
        with gates.app_context():
            ratings = dict(
                db.session.execute(
                    select(ReviewLog.card_id, ReviewLog.rating).where(
                        ReviewLog.id > before, ReviewLog.source == "quiz"
                    )
                ).all()
            )
            for question_id in questions:
                question = db.session.get(QuizQuestion, question_id)
                assert question is not None
                stored_right = question.answer == right_answer(question)
                assert question.correct == stored_right, f"round {round_}: question {question_id}"
                assert ratings[question.card_id] == (3 if stored_right else 1), f"round {round_}"


def start_fixed(user_id: int) -> None:
    quiz.start_fixed_quiz(learner(user_id), "gates", T0)


def test_parallel_starts_of_a_fixed_quiz_keep_its_attempt_limit(gates: Flask) -> None:  # noqa: F811
    """The set allows one attempt; six tabs start it at the same moment: one starts, five are told."""
    with gates.app_context():
        user_id = accounts.register("ada", "correct horse", T0).id
    tries = 6
    errors = run_together(gates, [partial(start_fixed, user_id) for _ in range(tries)])
    with gates.app_context():
        started = db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user_id)).all()
    assert len(started) == 1
    assert len(errors) == tries - 1
    assert all(isinstance(e, quiz.QuizAttemptsUsed) and "used all 1 attempts" in str(e) for e in errors)
