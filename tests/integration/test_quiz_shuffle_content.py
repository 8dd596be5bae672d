"""Quizzes on the real course content never give the answer away by its place: over many attempts
the right option is shown first about as often as any other, and an attempt keeps its order."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Card, ContentSet, User
from app.services import accounts, quiz
from app.services.content_sync import sync_content

T0 = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
PROJECT_CONTENT = Path(__file__).resolve().parents[2] / "content"
ATTEMPTS_PER_SET = 30


def test_the_right_option_is_first_no_more_than_its_share_and_orders_survive_reload(app: Flask) -> None:
    with app.app_context():
        sync_content(PROJECT_CONTENT, T0)
        user = accounts.register("ada", "correct horse", T0)
        slugs = list(db.session.scalars(select(ContentSet.slug).where(ContentSet.retired_at.is_(None))))
        fixed = {c.id for c in db.session.scalars(select(Card)) if _order_fixed(c.details or {})}
        first: dict[int, list[bool]] = defaultdict(list)  # by number of options: right option shown first?
        kept: list[tuple[int, list[list[str]]]] = []
        for slug in slugs:
            for seed in range(ATTEMPTS_PER_SET):
                attempt = quiz.start_quiz(
                    user, T0, mode="sets", sets=[slug], count=50, time_limit_s=600, seed=seed
                )
                for question in attempt.questions:
                    right = [c for c in question.choices if c["correct"]]
                    if question.type == "choice" and len(right) == 1 and question.card_id not in fixed:
                        first[len(question.choices)].append(question.choices[0]["correct"])
                if seed == 0:
                    kept.append((attempt.id, [[c["id"] for c in q.choices] for q in attempt.questions]))
        assert sum(len(draws) for draws in first.values()) > 1000
        for options, draws in first.items():
            if len(draws) >= 200:
                share = sum(draws) / len(draws)
                assert share <= 1 / options + 0.1, f"{options}-option questions: right first {share:.0%}"
        assert len(first[4]) >= 200 and sum(first[4]) / len(first[4]) <= 0.35

        user_id = user.id
        db.session.remove()
        again = db.session.get(User, user_id)
        assert again is not None
        for attempt_id, orders in kept:
            reloaded = quiz.get_attempt(again, attempt_id, T0, 5.0)
            assert [[c["id"] for c in q.choices] for q in reloaded.questions] == orders


def _order_fixed(details: dict[str, object]) -> bool:
    return details.get("shuffle") is False or bool(details.get("pinned"))
