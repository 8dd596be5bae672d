"""Migration 0006 on attempts submitted before it: answers whose review reached the log count as
graded; answers lost to the old submit race stay ungraded, and the next submit grades them once."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, select

from app import create_app
from app.extensions import db
from app.models import QuizQuestion, ReviewLog, User
from app.services import accounts, quiz
from app.services.content_sync import sync_content
from tests.conftest import app_config
from tests.integration.test_quiz import GRACE, SET, T0, right_answer, start


def test_0006_marks_what_reached_the_scheduler_and_a_retry_grades_the_rest(
    empty_database_url: str, content_dir: Path
) -> None:
    (content_dir / "gates.md").write_text(SET, encoding="utf-8")
    app = create_app(app_config(empty_database_url, content_dir))
    with app.app_context():
        upgrade()
        sync_content(content_dir, T0)
        user = accounts.register("ada", "correct horse", T0)
        attempt = start(user, seed=2)
        answered = attempt.questions[:5]
        for question in answered:
            quiz.save_answer(user, attempt.id, question.id, right_answer(question), T0, GRACE)
        quiz.submit(user, attempt.id, T0 + timedelta(seconds=30), GRACE)
        still_open = start(user, seed=3)
        answered_cards = [q.card_id for q in answered]
        lost = answered_cards[:2]
        attempt_id, open_id, user_id = attempt.id, still_open.id, user.id
        db.session.remove()

        downgrade(revision="0006-1")
        db.session.execute(delete(ReviewLog).where(ReviewLog.card_id.in_(lost)))  # lost to the race
        db.session.commit()
        upgrade()

        ungraded = db.session.scalars(
            select(QuizQuestion.card_id).where(
                QuizQuestion.graded_at.is_(None), QuizQuestion.attempt_id == attempt_id
            )
        ).all()
        assert sorted(ungraded) == sorted(lost)
        assert all(
            q.graded_at is None
            for q in db.session.scalars(select(QuizQuestion).where(QuizQuestion.attempt_id == open_id))
        )

        user = db.session.get(User, user_id)
        assert user is not None
        quiz.submit(user, attempt_id, T0 + timedelta(hours=1), GRACE)
        quiz.submit(user, attempt_id, T0 + timedelta(hours=2), GRACE)
        logs = Counter(db.session.scalars(select(ReviewLog.card_id).where(ReviewLog.source == "quiz")))
        assert logs == Counter(answered_cards)
        db.session.remove()
        db.engine.dispose()
