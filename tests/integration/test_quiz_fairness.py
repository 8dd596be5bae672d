"""Fair quizzes against a real database: options shuffled per attempt, the near-miss policy, and
responses an instructor accepts for everyone (re-marking submitted quizzes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import AcceptedResponse, Card, QuizAttempt, QuizQuestion, User
from app.services import accounts, overrides, quiz
from app.services.content_sync import sync_content

T0 = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
GRACE = 5.0

SET = """+++
title = "Fair"
slug = "fair"
dialect = "native"
+++
## Review
1. Which activation produces gate values?
   - [x] sigmoid
   - [ ] tanh
   - [ ] ReLU
   - [ ] softplus
   ID: gate-act

2. Which of these bound exploding gradients?
   - [x] Gradient clipping
   - [ ] A larger learning rate
   - [ ] None of the above {pin}
   ID: pinned

3. Put the steps in the usual order.
   - [x] Forward pass
   - [ ] Backward pass
   - [ ] Update
   Shuffle: no
   ID: in-order

4. Name the gradient algorithm for RNNs.
   Answer: Backpropagation through time
   Accept: BPTT
   ID: bptt-name

5. Which algorithm, strictly spelled, trains RNNs?
   Answer: Backpropagation through time
   Type: short
   Near miss: wrong
   ID: bptt-strict

6. Which LSTM gate decides what to keep of the old cell state?
   Answer: forget gate
   Type: short
   ID: forget-gate

7. An LSTM adds to its {{c1::cell state}}.
   ID: lstm-add

8. The {{c1::forget}} gate and the {{c2::input}} gate.
   ID: two-blanks
"""


@pytest.fixture
def fair(app: Flask, content_dir: Path) -> Flask:
    (content_dir / "fair.md").write_text(SET, encoding="utf-8")
    with app.app_context():
        sync_content(content_dir, T0)
    return app


def start(user: User, seed: int) -> QuizAttempt:
    return quiz.start_quiz(user, T0, mode="sets", sets=["fair"], count=8, time_limit_s=600, seed=seed)


def by_key(attempt: QuizAttempt) -> dict[str, QuizQuestion]:
    keys = {c.id: c.key for c in db.session.scalars(select(Card))}
    return {keys[q.card_id]: q for q in attempt.questions}


def take(user: User, answers: dict[str, object], seed: int = 1) -> quiz.QuizResult:
    """A quiz with the given answers (by card key), submitted; the others left blank."""
    attempt = start(user, seed)
    for key, question in by_key(attempt).items():
        if key in answers:
            quiz.save_answer(user, attempt.id, question.id, answers[key], T0 + timedelta(seconds=5), GRACE)
    return quiz.submit(user, attempt.id, T0 + timedelta(seconds=30), GRACE)


def item(result: quiz.QuizResult, key: str) -> quiz.ResultItem:
    return next(i for i in result.items if i.card.key == key)


def test_choice_options_are_shuffled_per_attempt_and_keep_their_identity(fair: Flask) -> None:
    with fair.app_context():
        user = accounts.register("ada", "correct horse", T0)
        orders: dict[str, set[tuple[str, ...]]] = {"gate-act": set(), "pinned": set(), "in-order": set()}
        for seed in range(30):
            questions = by_key(start(user, seed))
            for key in orders:
                choices = questions[key].choices
                orders[key].add(tuple(c["id"] for c in choices))
                assert [c["id"] for c in choices if c["correct"]] == ["o0"]  # the written index
        assert len(orders["gate-act"]) > 10
        assert {order[0] for order in orders["gate-act"]} == {"o0", "o1", "o2", "o3"}
        assert {order[2] for order in orders["pinned"]} == {"o2"} and len(orders["pinned"]) == 2
        assert orders["in-order"] == {("o0", "o1", "o2")}


def test_an_attempt_keeps_its_order_on_reload_and_grades_by_option_identity(fair: Flask) -> None:
    with fair.app_context():
        user = accounts.register("ada", "correct horse", T0)
        attempt = start(user, 7)
        shown = [c["id"] for c in by_key(attempt)["gate-act"].choices]
        attempt_id, user_id = attempt.id, user.id
        db.session.remove()
        user = db.session.get(User, user_id)
        assert user is not None
        again = quiz.get_attempt(user, attempt_id, T0 + timedelta(seconds=10), GRACE)
        assert [c["id"] for c in by_key(again)["gate-act"].choices] == shown
        result = take(user, {"gate-act": ["o0"], "pinned": ["o2"]}, seed=7)
        assert item(result, "gate-act").correct and not item(result, "pinned").correct


def test_a_near_miss_in_a_long_word_is_accepted_with_a_note_by_default(fair: Flask) -> None:
    with fair.app_context():
        result = take(
            accounts.register("ada", "correct horse", T0), {"bptt-name": "Backpropogation through time"}
        )
        bptt = item(result, "bptt-name")
        assert bptt.correct and "backpropagation" in bptt.note.lower() and result.score == 1
        assert bptt.verdict is not None and bptt.verdict.almost
        assert ("extra", "o") in bptt.verdict.checks[0].diff or any(
            op != "same" for op, _ in bptt.verdict.checks[0].diff
        )


def test_near_miss_wrong_and_a_typo_in_a_short_word_are_marked_wrong(fair: Flask) -> None:
    with fair.app_context():
        result = take(
            accounts.register("ada", "correct horse", T0),
            {"bptt-strict": "Backpropogation through time", "forget-gate": "forgot gate"},
        )
        strict, short = item(result, "bptt-strict"), item(result, "forget-gate")
        assert not strict.correct and "Almost" in strict.note
        assert not short.correct and "Almost" in short.note
        assert result.score == 0


def wrong_quiz(name: str, answers: dict[str, object]) -> tuple[User, int]:
    user = accounts.register(name, "correct horse", T0)
    return user, take(user, answers).attempt_id


def test_accepting_a_response_re_marks_submitted_quizzes_and_counts_from_then_on(fair: Flask) -> None:
    with fair.app_context():
        _ada, ada_quiz = wrong_quiz("ada", {"bptt-name": "backprop", "gate-act": ["o0"]})
        _bob, bob_quiz = wrong_quiz("bob", {"bptt-name": "  Backprop!  "})
        _cyd, cyd_quiz = wrong_quiz("cyd", {"bptt-name": "gradient descent"})
        teacher = accounts.register("teach", "correct horse", T0, role="instructor")
        card_id = db.session.scalar(select(Card.id).where(Card.key == "bptt-name"))
        assert card_id is not None

        done = overrides.accept_response(teacher, card_id, "backprop", T0 + timedelta(hours=1))
        assert (done.remarked, done.attempts) == (2, 2)
        scores = {a.id: a.score for a in db.session.scalars(select(QuizAttempt))}
        assert scores[ada_quiz] == 2 and scores[bob_quiz] == 1 and scores[cyd_quiz] == 0
        assert overrides.accepted_for([card_id, 999]) == {card_id: ["backprop"]}

        again = overrides.accept_response(teacher, card_id, "BACKPROP", T0 + timedelta(hours=2))
        assert (again.remarked, again.attempts) == (0, 0)
        assert db.session.scalar(select(func.count()).select_from(AcceptedResponse)) == 1

        later = take(accounts.register("deb", "correct horse", T0), {"bptt-name": "Backprop"}, seed=3)
        assert item(later, "bptt-name").correct
        assert item(later, "bptt-name").note == "Accepted by the instructor for everyone."
        ada_result = quiz.result_of(db.session.get(QuizAttempt, ada_quiz))
        assert ada_result.score == 2 and item(ada_result, "bptt-name").correct


def test_a_one_blank_cloze_can_accept_a_response_and_others_cannot(fair: Flask) -> None:
    with fair.app_context():
        ada, ada_quiz = wrong_quiz("ada", {"lstm-add": ["memory cell"], "two-blanks": ["input", "forget"]})
        teacher = accounts.register("teach", "correct horse", T0, role="instructor")
        cards = {c.key: c.id for c in db.session.scalars(select(Card))}
        done = overrides.accept_response(teacher, cards["lstm-add"], "memory cell", T0)
        assert done.remarked == 1 and db.session.get(QuizAttempt, ada_quiz).score == 1
        with pytest.raises(overrides.CannotAccept, match="one blank"):
            overrides.accept_response(teacher, cards["two-blanks"], "input | forget", T0)
        with pytest.raises(overrides.CannotAccept, match="short answers"):
            overrides.accept_response(teacher, cards["gate-act"], "tanh", T0)
        with pytest.raises(overrides.CannotAccept, match="Type the response"):
            overrides.accept_response(teacher, cards["lstm-add"], "   ", T0)
        with pytest.raises(overrides.NotInstructor):
            overrides.accept_response(ada, cards["lstm-add"], "anything", T0)
        assert overrides.accepted_for(cards.values()) == {cards["lstm-add"]: ["memory cell"]}


def test_the_wrong_responses_of_a_set_are_grouped_and_counted(fair: Flask) -> None:
    with fair.app_context():
        wrong_quiz("ada", {"bptt-name": "backprop", "two-blanks": ["input", "forget"]})
        wrong_quiz("bob", {"bptt-name": "Backprop"})
        wrong_quiz("cyd", {"bptt-name": "backprop", "forget-gate": "forget gate"})
        cards = {c.card.key: c for c in overrides.wrong_responses("fair") or []}
        assert set(cards) == {"bptt-name", "bptt-strict", "forget-gate", "lstm-add", "two-blanks"}
        assert [(w.response, w.count) for w in cards["bptt-name"].wrong] == [("backprop", 3)]
        assert cards["forget-gate"].wrong == []  # right answers are not listed
        assert [(w.response, w.count) for w in cards["two-blanks"].wrong] == [("input | forget", 1)]
        assert cards["two-blanks"].acceptable is False and cards["lstm-add"].acceptable is True
        assert overrides.wrong_responses("nope") is None
