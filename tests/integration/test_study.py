"""Studying against a real database: queue order, FSRS grades, undo, limits, leeches, two tabs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import CardProgress, ReviewLog, User
from app.services import accounts, study
from app.services.content_sync import sync_content

T0 = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def native_set(slug: str, weight: int, count: int) -> str:
    questions = "\n".join(
        f"{n}. {slug} question {n}?\n   Answer: answer {n}.\n   ID: {slug}-{n}\n" for n in range(1, count + 1)
    )
    return f'+++\ntitle = "{slug}"\nweight = {weight}\ndialect = "native"\n+++\n## Review\n{questions}'


@pytest.fixture
def deck(app: Flask, content_dir: Path) -> Flask:
    (content_dir / "b.md").write_text(native_set("second", 2, 3), encoding="utf-8")
    (content_dir / "a.md").write_text(native_set("first", 1, 4), encoding="utf-8")
    with app.app_context():
        sync_content(content_dir, T0)
    return app


def learner(name: str = "ada", tz: str = "UTC", new_per_day: int = 20) -> User:
    user = accounts.register(name, "correct horse", T0)
    user.timezone, user.new_per_day = tz, new_per_day
    db.session.commit()
    return user


def front_question(user: User, now: datetime, set_id: int | None = None) -> str | None:
    shown = study.next_card(user, now, set_id).card
    return shown.question if shown else None


def test_new_cards_come_in_course_order_with_counts(deck: Flask) -> None:
    with deck.app_context():
        user = learner()
        first = study.next_card(user, T0)
        assert first.card is not None and first.card.question == "first question 1?"
        assert (first.counts.new, first.counts.learning, first.counts.review) == (7, 0, 0)
        # learning steps 1 min and 10 min, plus Anki's learning fuzz (at most 25%)
        assert timedelta(minutes=1) <= first.intervals[1] <= timedelta(minutes=1.25)
        assert timedelta(minutes=10) <= first.intervals[3] <= timedelta(minutes=12.5)
        second_set = study.set_id_for("b")
        assert front_question(user, T0, second_set) == "second question 1?"


def test_a_learning_card_comes_back_within_the_session_when_due(deck: Flask) -> None:
    with deck.app_context():
        user = learner()
        card = study.next_card(user, T0).card
        assert card is not None
        shown = study.next_card(user, T0).intervals[3]
        graded = study.grade_card(user, card.card_id, 3, T0)
        assert graded.phase == "learning" and graded.due == T0 + shown  # the button showed the truth
        assert front_question(user, T0 + timedelta(minutes=1)) == "first question 2?"
        later = study.next_card(user, graded.due)
        assert later.card is not None and later.card.card_id == card.card_id
        assert later.counts.learning == 1


def test_undo_restores_the_card_exactly(deck: Flask) -> None:
    with deck.app_context():
        user = learner()
        card = study.next_card(user, T0).card
        assert card is not None
        first = study.grade_card(user, card.card_id, 3, T0)
        study.grade_card(user, card.card_id, 3, first.due)
        progress = db.session.scalar(select(CardProgress).where(CardProgress.card_id == card.card_id))
        assert progress is not None and progress.phase == "review"
        before = study._snapshot(progress)

        study.grade_card(user, card.card_id, 1, T0 + timedelta(days=3))
        assert progress.phase == "relearning" and progress.lapses == 1
        assert study.undo_last(user, T0 + timedelta(days=3, seconds=5)) == card.card_id

        db.session.refresh(progress)
        assert study._snapshot(progress) == before
        active = select(func.count()).select_from(ReviewLog).where(ReviewLog.undone_at.is_(None))
        assert db.session.scalar(active) == 2


def test_daily_new_limit_resets_at_4am_in_the_learners_time_zone(deck: Flask) -> None:
    with deck.app_context():
        user = learner(tz="Asia/Tokyo", new_per_day=2)
        evening = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # 19:00 in Tokyo
        for _ in range(2):
            card = study.next_card(user, evening).card
            assert card is not None and card.phase == "new"
            study.grade_card(user, card.card_id, 4, evening)  # Easy: straight to review
        before_4am = datetime(2026, 11, 2, 18, 59, tzinfo=UTC)  # 03:59 on 3 Nov in Tokyo
        after_4am = datetime(2026, 11, 2, 19, 0, tzinfo=UTC)  # 04:00 on 3 Nov in Tokyo
        assert study.next_card(user, before_4am).counts.new == 0
        assert study.next_card(user, before_4am).card is None
        assert study.next_card(user, after_4am).counts.new == 2


def test_a_card_failed_eight_times_becomes_a_suspended_leech(deck: Flask) -> None:
    with deck.app_context():
        user = learner()
        card = study.next_card(user, T0).card
        assert card is not None
        now = T0
        study.grade_card(user, card.card_id, 4, now)  # graduate
        lapses = 0
        while lapses < 8:
            progress = db.session.scalar(select(CardProgress).where(CardProgress.card_id == card.card_id))
            assert progress is not None and progress.due is not None
            now = max(now, progress.due) + timedelta(minutes=1)
            rating = 1 if progress.phase == "review" else 3
            graded = study.grade_card(user, card.card_id, rating, now)
            lapses += rating == 1
        assert graded.leech
        assert progress.suspended and progress.leech and progress.lapses == 8
        assert [c.card_id for c in study.leeches(user)] == [card.card_id]
        assert all(
            c.card_id != card.card_id for c in [study.next_card(user, now + timedelta(days=400)).card] if c
        )
        study.set_suspended(user, card.card_id, False)
        assert not progress.suspended and not progress.leech


def test_two_tabs_grading_one_card_count_once(deck: Flask) -> None:
    with deck.app_context():
        user = learner()
        shown = study.next_card(user, T0).card
        assert shown is not None
        study.grade_card(user, shown.card_id, 3, T0, version=shown.version)
        with pytest.raises(study.GradeConflict, match="another tab"):
            study.grade_card(user, shown.card_id, 1, T0 + timedelta(seconds=2), version=shown.version)
        assert db.session.scalar(select(func.count()).select_from(ReviewLog)) == 1


def test_a_learner_never_touches_another_learners_progress(deck: Flask) -> None:
    with deck.app_context():
        ada, bob = learner("ada"), learner("bob")
        card = study.next_card(ada, T0).card
        assert card is not None
        study.grade_card(ada, card.card_id, 3, T0)

        assert front_question(bob, T0) == "first question 1?"
        assert study.undo_last(bob, T0) is None
        assert study.next_card(ada, T0).counts.done == 1
        assert study.next_card(bob, T0).counts.done == 0
        logs = db.session.scalars(select(ReviewLog.user_id)).all()
        assert logs == [ada.id]


def test_buried_cards_wait_for_the_next_day_and_retired_cards_leave_the_deck(
    deck: Flask, content_dir: Path
) -> None:
    with deck.app_context():
        user = learner()
        card = study.next_card(user, T0).card
        assert card is not None
        study.bury(user, card.card_id, T0)
        assert front_question(user, T0) == "first question 2?"
        assert front_question(user, T0 + timedelta(days=1)) == "first question 1?"

        (content_dir / "a.md").unlink()
        sync_content(content_dir, T0)
        assert front_question(user, T0 + timedelta(days=1)) == "second question 1?"
        with pytest.raises(study.StudyError):
            study.grade_card(user, card.card_id, 3, T0)


def test_cards_added_to_content_join_every_deck(deck: Flask, content_dir: Path) -> None:
    with deck.app_context():
        user = learner()
        assert study.next_card(user, T0).counts.new == 7
        (content_dir / "c.md").write_text(native_set("third", 0, 2), encoding="utf-8")
        sync_content(content_dir, T0)
        refreshed = study.next_card(user, T0)
        assert refreshed.counts.new == 9
        assert refreshed.card is not None and refreshed.card.question == "third question 1?"
