"""Benchmark: next-card and answer service calls on a large deck and on many learners.

Usage: python bench/study.py [--database-url URL] [--calls 300]
Scenarios: one learner with 20,000 cards and 200,000 logged reviews; 1,000 learners with 500 cards
each. Prints p50 and p95 in milliseconds. Goal: both calls under 10 ms at p95, because the due
queue comes from an index (card_progress: user, suspended, retired, phase, due), not a scan.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text

from app import create_app
from app.extensions import db
from app.models import Card, CardProgress, ContentSet, ReviewLog, SyncLock, User
from app.services import study

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
CHUNK = 5000


def chunked_insert(model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[start : start + CHUNK])


def make_content(cards: int) -> list[int]:
    db.session.add(SyncLock(id=1, synced_at=NOW, cards_version=1))
    sets = [
        {
            "slug": f"set-{i}",
            "source_path": f"set-{i}.md",
            "source_hash": "x",
            "title": f"Set {i}",
            "description": "",
            "weight": i,
            "dialect": "native",
            "explain": "",
            "preview": [],
            "keypoints": [],
            "extras": [],
            "prompts": {},
            "front_matter": {},
            "problems": [],
            "created_at": NOW,
            "updated_at": NOW,
        }
        for i in range(cards // 25)
    ]
    chunked_insert(ContentSet, sets)
    set_ids = db.session.scalars(select(ContentSet.id).order_by(ContentSet.id)).all()
    chunked_insert(
        Card,
        [
            {
                "set_id": set_ids[n // 25],
                "key": f"q{n}",
                "text_key": f"q{n}",
                "position": n % 25,
                "type": "open",
                "question": f"Question {n}?",
                "answer": f"Answer {n}.",
                "details": {},
                "line": 1,
                "created_at": NOW,
                "updated_at": NOW,
            }
            for n in range(cards)
        ],
    )
    return list(db.session.scalars(select(Card.id).order_by(Card.id)))


def make_learner(name: str, card_ids: list[int], rng: random.Random) -> int:
    user = User(username=name, password_hash=None, created_at=NOW, cards_version=1, timezone="Europe/Paris")
    db.session.add(user)
    db.session.flush()
    rows = []
    for rank, card_id in enumerate(card_ids):
        roll = rng.random()
        row = {
            "user_id": user.id,
            "card_id": card_id,
            "set_id": 1,
            "new_rank": rank,
            "phase": "new",
            "scheduled_days": 0,
            "remaining_steps": 0,
            "reps": 0,
            "lapses": 0,
            "version": 0,
            "suspended": False,
            "leech": False,
            "retired": False,
        }
        if roll < 0.75:
            days = rng.randint(1, 200)
            row |= {
                "phase": "review",
                "due": NOW + timedelta(days=rng.randint(-10, 365)),
                "stability": days * 1.1,
                "difficulty": rng.uniform(2, 8),
                "last_review": NOW - timedelta(days=rng.randint(1, days)),
                "scheduled_days": days,
                "reps": rng.randint(2, 12),
            }
        elif roll < 0.78:
            row |= {
                "phase": "learning",
                "due": NOW + timedelta(minutes=rng.randint(-30, 30)),
                "stability": 2.3,
                "difficulty": 5.0,
                "last_review": NOW - timedelta(minutes=10),
                "remaining_steps": 1,
                "reps": 1,
            }
        rows.append(row)
    chunked_insert(CardProgress, rows)
    return user.id


def make_history(user_id: int, card_ids: list[int], reviews: int, rng: random.Random) -> None:
    progress = dict(
        db.session.execute(
            select(CardProgress.card_id, CardProgress.id).where(CardProgress.user_id == user_id)
        ).all()
    )
    rows = []
    for _ in range(reviews):
        card_id = rng.choice(card_ids)
        rows.append(
            {
                "user_id": user_id,
                "card_id": card_id,
                "progress_id": progress[card_id],
                "rating": rng.choice((1, 3, 3, 3, 4)),
                "reviewed_at": NOW - timedelta(minutes=rng.randint(1, 700_000)),
                "duration_ms": 4000,
                "phase_before": "review",
                "phase_after": "review",
                "interval_seconds": 86400,
                "state_before": {},
                "state_after": {},
                "source": "study",
            }
        )
    chunked_insert(ReviewLog, rows)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def measure(calls: int, pick_user: Callable[[], User]) -> tuple[list[float], list[float]]:
    next_times, answer_times = [], []
    now = NOW
    for _ in range(calls):
        user = pick_user()
        now += timedelta(seconds=7)
        start = time.perf_counter()
        shown = study.next_card(user, now)
        next_times.append(time.perf_counter() - start)
        if shown.card is None:
            continue
        start = time.perf_counter()
        study.grade_card(user, shown.card.card_id, 3, now, 4000, shown.card.version)
        answer_times.append(time.perf_counter() - start)
    return next_times, answer_times


def run(url: str, calls: int) -> list[tuple[str, str, float, float]]:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "UNROLL_CONTENT_DIR": "/nonexistent",
            "UNROLL_CONTENT_RELOAD_SECONDS": -1,
        }
    )
    rng = random.Random(7)
    results = []
    with app.app_context():
        db.drop_all()
        if url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        started = time.perf_counter()
        card_ids = make_content(20_000)
        big = make_learner("big", card_ids, rng)
        make_history(big, card_ids, 200_000, rng)
        crowd = [make_learner(f"learner{i}", card_ids[:500], rng) for i in range(1000)]
        db.session.commit()
        if url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(text("ANALYZE"))
        print(
            f"  ({url.split(':')[0]}: built 20,000 cards, 520,000 progress rows, 200,000 logs "
            f"in {time.perf_counter() - started:.0f} s)"
        )
        big_user = db.session.get(User, big)
        assert big_user is not None
        users = {uid: db.session.get(User, uid) for uid in crowd}
        for label, pick in (
            ("1 learner, 20,000 cards", lambda: big_user),
            ("1,000 learners x 500 cards", lambda: users[rng.choice(crowd)]),
        ):
            next_times, answer_times = measure(calls, pick)  # type: ignore[arg-type]
            results.append((label, "next card", *percentiles(next_times)))
            results.append((label, "answer", *percentiles(answer_times)))
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("sqlite", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")]
        if args.database_url:
            targets.append(("postgresql", args.database_url))
        rows = []
        for name, url in targets:
            rows += [(name, *row) for row in run(url, args.calls)]
    print(f"{'database':<11}{'scenario':<29}{'call':<11}{'p50 ms':>8}{'p95 ms':>8}")
    for name, label, call, p50, p95 in rows:
        print(f"{name:<11}{label:<29}{call:<11}{p50:>8.2f}{p95:>8.2f}")


if __name__ == "__main__":
    main()
