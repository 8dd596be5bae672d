"""Learners with review logs in the database, for the FSRS parameter tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select

from app.extensions import db
from app.models import CardProgress, ReviewLog, User
from app.services import accounts, study
from app.services.content_sync import sync_content
from tests.srs_synthetic import Review

T0 = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)


def write_deck(content_dir: Path, count: int) -> None:
    questions = "\n".join(
        f"{n}. Question {n}?\n   Answer: answer {n}.\n   ID: q-{n}\n" for n in range(1, count + 1)
    )
    text = f'+++\ntitle = "Deck"\nslug = "deck"\ndialect = "native"\n+++\n## Review\n{questions}'
    (content_dir / "deck.md").write_text(text, encoding="utf-8")
    sync_content(content_dir, T0)


def learner(name: str, role: str = "learner") -> User:
    return accounts.register(name, "correct horse", T0, role=role)


def load_log(user: User, log: list[Review]) -> None:
    """The synthetic reviews as the learner's review log (synthetic card n is their n-th card)."""
    study.refresh_deck(user)
    rows = db.session.execute(
        select(CardProgress.id, CardProgress.card_id)
        .where(CardProgress.user_id == user.id)
        .order_by(CardProgress.card_id)
    ).all()
    by_index = {index + 1: row for index, row in enumerate(rows)}
    db.session.execute(
        insert(ReviewLog),
        [
            {
                "user_id": user.id,
                "card_id": by_index[r.card_id].card_id,
                "progress_id": by_index[r.card_id].id,
                "rating": r.rating,
                "reviewed_at": r.reviewed_at,
                "duration_ms": 0,
                "phase_before": r.phase_before,
                "phase_after": "review",
                "interval_seconds": 0,
                "state_before": {},
                "state_after": {"phase": "review"},
                "source": "study",
            }
            for r in log
        ],
    )
    db.session.commit()
