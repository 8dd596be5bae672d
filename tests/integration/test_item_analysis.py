"""Item analysis of a class on a real database: whose attempts count, unanswered as wrong, study
logs (undone reviews left out), assignments, and who may read it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Assignment, Card, ClassMember, QuizAttempt, ReviewLog, User
from app.services import accounts, classes, item_analysis, quiz
from app.services.content_sync import sync_content

T0 = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
GRACE = 5.0
SET = """+++
title = "Gates"
slug = "gates"
dialect = "native"
+++
## Review
1. Which activation produces gate values?
   - [x] sigmoid
   - [ ] tanh
   - [ ] relu
   ID: gate-act

2. A GRU has a forget gate.
   Answer: False
   ID: gru-forget

3. Name the gradient algorithm for RNNs.
   Answer: Backpropagation through time
   Accept: BPTT
   ID: bptt-name

4. An LSTM has an output gate.
   Answer: True
   ID: lstm-out

5. A plain RNN has gates.
   Answer: False
   ID: rnn-gates
"""
RIGHT = {"gru-forget": "false", "bptt-name": "bptt"}
WRONG = {"gru-forget": "true", "bptt-name": "gradient descent"}


@pytest.fixture
def gates(app: Flask, content_dir: Path) -> Flask:
    (content_dir / "gates.md").write_text(SET, encoding="utf-8")
    with app.app_context():
        sync_content(content_dir, T0)
    return app


def take(
    user: User, answers: dict[str, str | None], at: datetime = T0, assignment: int | None = None
) -> None:
    """One attempt at all five questions (those not named left unanswered); each answer 'right', 'wrong', an option text, or None."""
    attempt = quiz.start_quiz(user, at, mode="sets", sets=["gates"], count=5, time_limit_s=300, seed=7)
    for question in attempt.questions:
        key = db.session.get(Card, question.card_id).key  # type: ignore[union-attr]
        given = answers.get(key)
        if given is None:
            continue
        if question.type == "choice":
            text = "sigmoid" if given == "right" else given
            value: object = [c["id"] for c in question.choices if c["text"] == text]
        else:
            value = RIGHT[key] if given == "right" else WRONG[key]
        quiz.save_answer(user, attempt.id, question.id, value, at, GRACE)
    quiz.submit(user, attempt.id, at + timedelta(minutes=1), GRACE)
    if assignment is not None:
        db.session.get(QuizAttempt, attempt.id).assignment_id = assignment  # type: ignore[union-attr]
        db.session.commit()


def setup_class() -> tuple[User, int, list[User]]:
    teacher = accounts.register("teach", "correct horse", T0, role="instructor")
    room = classes.create_class(teacher, "RNNs 101", T0)
    learners = [accounts.register(f"learner{n}", "correct horse", T0) for n in range(1, 6)]
    for learner in learners:
        classes.join(learner, room.join_code, T0)
    return teacher, room.id, learners


def by_key(found: item_analysis.ItemReport) -> dict[str, item_analysis.ItemRow]:
    return {row.card.key: row for row in found.items}


def test_set_analysis_counts_class_learners_and_unanswered_as_wrong(gates: Flask) -> None:
    with gates.app_context():
        teacher, class_id, learners = setup_class()
        outsider = accounts.register("outsider", "correct horse", T0)
        plan = [  # gate-act, gru-forget, bptt-name
            ("right", "right", "right"),
            ("right", "right", "wrong"),
            ("right", "wrong", None),  # bptt-name left unanswered: counts as wrong
            ("right", None, None),
            ("tanh", "wrong", "right"),
        ]
        for learner, (act, gru, bptt) in zip(learners, plan, strict=True):
            take(learner, {"gate-act": act, "gru-forget": gru, "bptt-name": bptt})
        take(outsider, {"gate-act": "relu"})  # not in the class: not counted
        found = item_analysis.report(teacher, class_id, item_analysis.Scope(set_slug="gates"))
        rows = by_key(found)
        assert [r.card.key for r in found.items] == [
            "gate-act",
            "gru-forget",
            "bptt-name",
            "lstm-out",
            "rnn-gates",
        ]
        assert found.test.attempts == 5 and found.which == "highest" and found.learners == 5
        assert rows["gate-act"].stats.facility == pytest.approx(0.8)  # type: ignore[union-attr]
        assert rows["gru-forget"].stats.facility == pytest.approx(0.4)  # type: ignore[union-attr]
        assert rows["bptt-name"].stats.facility == pytest.approx(0.4)  # type: ignore[union-attr]
        options = {o.text: o.chosen for o in rows["gate-act"].stats.options}  # type: ignore[union-attr]
        assert options == {"sigmoid": 4, "tanh": 1, "relu": 0}
        # quiz answers reach the scheduler as first reviews: Again for 1 of 5 on gate-act
        assert rows["gate-act"].study.first_again_rate == pytest.approx(0.2)  # type: ignore[union-attr]
        # totals 3, 2, 1, 1, 1 of 5 (k2 = 3.2 / 4 = 0.8); slot variances 0.2 + 0.3 + 0.3 + 0 + 0:
        # CIC = 5/4 (1 - 0.8 / 0.8) = 0, error ratio 1
        assert found.test.questions == 5 and found.test.mean == pytest.approx(1.6 / 5)
        assert found.test.internal_consistency == pytest.approx(0.0)
        assert found.test.error_ratio == pytest.approx(1.0)
        assert rows["lstm-out"].stats.facility == 0.0  # type: ignore[union-attr]  # nobody answered it


def test_removed_learners_and_undone_reviews_are_left_out(gates: Flask) -> None:
    with gates.app_context():
        teacher, class_id, learners = setup_class()
        for learner in learners[:3]:
            take(learner, {"gate-act": "right"})
        take(learners[3], {"gate-act": "tanh"})
        member = db.session.scalar(select(ClassMember).where(ClassMember.user_id == learners[0].id))
        member.removed_at = T0  # type: ignore[union-attr]
        log = db.session.scalar(
            select(ReviewLog).where(ReviewLog.user_id == learners[3].id, ReviewLog.rating == 1)
        )
        log.undone_at = T0 + timedelta(hours=1)  # type: ignore[union-attr]
        db.session.commit()
        rows = by_key(item_analysis.report(teacher, class_id, item_analysis.Scope(set_slug="gates")))
        assert rows["gate-act"].stats.responses == 3  # type: ignore[union-attr]
        assert rows["gate-act"].study.first_again_rate == 0.0  # type: ignore[union-attr]


def test_which_attempts_count_and_assignments(gates: Flask) -> None:
    with gates.app_context():
        teacher, class_id, learners = setup_class()
        assignment = Assignment(
            class_id=class_id, title="Week 1", sets=["gates"], count=5, time_limit_s=300,
            grading="first", created_at=T0,
        )  # fmt: skip
        db.session.add(assignment)
        db.session.commit()
        take(learners[0], {"gate-act": "tanh"}, T0, assignment.id)
        take(learners[0], {"gate-act": "right"}, T0 + timedelta(hours=1), assignment.id)
        take(learners[1], {"gate-act": "right"}, T0, assignment.id)
        take(learners[2], {"gate-act": "right"}, T0)  # practice, not the assignment
        scope = item_analysis.Scope(assignment_id=assignment.id)
        found = item_analysis.report(teacher, class_id, scope)
        assert found.kind == "assignment" and found.which == "first" and found.test.attempts == 2
        assert by_key(found)["gate-act"].stats.facility == pytest.approx(0.5)  # type: ignore[union-attr]
        every = item_analysis.report(
            teacher, class_id, item_analysis.Scope(assignment_id=assignment.id, which="all")
        )
        assert every.test.attempts == 3
        best = item_analysis.report(teacher, class_id, item_analysis.Scope(set_slug="gates"))
        assert best.test.attempts == 3  # one per learner: learner 1's better attempt
        assert by_key(best)["gate-act"].stats.facility == 1.0  # type: ignore[union-attr]


def test_only_the_class_instructors_read_it_and_unknown_scopes_are_refused(gates: Flask) -> None:
    with gates.app_context():
        teacher, class_id, learners = setup_class()
        other = accounts.register("other", "correct horse", T0, role="instructor")
        other_room = classes.create_class(other, "Elsewhere", T0)
        theirs = Assignment(
            class_id=other_room.id, title="Theirs", sets=["gates"], count=5, time_limit_s=300, created_at=T0
        )
        db.session.add(theirs)
        db.session.commit()
        for user in (other, learners[0]):
            with pytest.raises(classes.ClassNotFound):
                item_analysis.report(user, class_id, item_analysis.Scope(set_slug="gates"))
        with pytest.raises(item_analysis.ScopeNotFound):
            item_analysis.report(teacher, class_id, item_analysis.Scope(set_slug="nope"))
        with pytest.raises(item_analysis.ScopeNotFound):
            item_analysis.report(teacher, class_id, item_analysis.Scope(assignment_id=theirs.id))
        empty = item_analysis.report(teacher, class_id, item_analysis.Scope(set_slug="gates"))
        assert empty.test.attempts == 0 and all(r.stats is None for r in empty.items)
        assert item_analysis.choices(teacher, class_id).sets == []


@pytest.mark.parametrize(
    ("set_slug", "assignment", "attempts"),
    [(None, None, None), ("gates", "1", None), (None, "x", None), ("gates", None, "best")],
)
def test_scope_parameters_are_checked(
    set_slug: str | None, assignment: str | None, attempts: str | None
) -> None:
    with pytest.raises(item_analysis.ScopeError):
        item_analysis.parse_scope(set_slug, assignment, attempts)
