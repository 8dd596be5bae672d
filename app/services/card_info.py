"""A card's info in the browser: its history with the memory state after every answer, and its
forgetting curve over the coming days."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import CardProgress, ReviewLog, User
from app.services.cards import (
    BrowsedCard,
    CardsError,
    anki_difficulty,
    browsed,
    context_for,
    deck_rows,
    elapsed_days,
)
from app.services.catalog import card_faces
from app.services.study import refresh_deck
from app.srs import DayClock, Phase, Rating
from app.srs.memory import MemoryState, next_memory_states
from app.srs.memory import retrievability as forgetting_curve

CURVE_DAYS = (30, 365)  # the curve runs to twice the time until due, within these


@dataclass(frozen=True)
class HistoryRow:
    """One logged answer or manual change, with the memory state it left (S in days, D on Anki's
    0-1 scale) and the recall probability the card had when it was answered."""

    reviewed_at: datetime
    rating: int
    source: str
    phase_before: str
    phase_after: str
    interval_seconds: int
    stability: float | None
    difficulty: float | None
    retrievability: float | None
    undone: bool


@dataclass(frozen=True)
class CurvePoint:
    day: int  # days from now
    retrievability: float


@dataclass(frozen=True)
class CardInfo:
    card: BrowsedCard
    faces: dict[str, Any]  # the card's sanitised HTML (app.services.catalog.card_faces)
    history: list[HistoryRow]
    curve: list[CurvePoint]
    desired_retention: float


def card_info(user: User, card_id: int, now: datetime) -> CardInfo:
    """A card of the learner's with its review history and its forgetting curve from now on."""
    refresh_deck(user)
    context = context_for(user, now)
    row = db.session.execute(deck_rows(user.id).where(CardProgress.card_id == card_id)).first()
    if row is None:
        raise CardsError(f"Card {card_id} is not in your deck.")
    progress, card, content_set = row
    logs = list(
        db.session.scalars(
            select(ReviewLog)
            .where(ReviewLog.user_id == user.id, ReviewLog.card_id == card_id)
            .order_by(ReviewLog.reviewed_at, ReviewLog.id)
        )
    )
    return CardInfo(
        card=browsed(progress, card, content_set, context),
        faces=card_faces(card.type, card.question, card.answer, dict(card.details or {})),
        history=history(logs, context.parameters, context.clock, user.desired_retention),
        curve=curve(context.parameters, progress.stability, progress.last_review, progress.due, now),
        desired_retention=user.desired_retention,
    )


def history(
    logs: Sequence[ReviewLog], parameters: tuple[float, ...], clock: DayClock, retention: float
) -> list[HistoryRow]:
    """The rows of a card's log with their memory state: the stored state after each answer, or,
    where it is missing, the state replayed with the learner's parameters from the answers before."""
    memory: MemoryState | None = None
    last: datetime | None = None
    rows = []
    for log in logs:
        recall, shown = None, _stored(log.state_after)
        if log.undone_at is None and log.rating >= 1:
            if memory is not None and last is not None:
                recall = _recall(parameters, memory, last, log.reviewed_at)
            memory = shown or _replayed(parameters, retention, clock, memory, last, log)
            last, shown = log.reviewed_at, memory
        elif log.undone_at is None and log.phase_after == Phase.NEW.value:
            memory, last = None, None  # a forget starts the card over
        rows.append(
            HistoryRow(
                reviewed_at=log.reviewed_at,
                rating=log.rating,
                source=log.source,
                phase_before=log.phase_before,
                phase_after=log.phase_after,
                interval_seconds=log.interval_seconds,
                stability=shown.stability if shown else None,
                difficulty=anki_difficulty(shown.difficulty) if shown else None,
                retrievability=recall,
                undone=log.undone_at is not None,
            )
        )
    return rows


def _stored(state: dict[str, Any] | None) -> MemoryState | None:
    if not isinstance(state, dict) or state.get("stability") is None or state.get("difficulty") is None:
        return None
    return MemoryState(float(state["stability"]), float(state["difficulty"]))


def _recall(parameters: tuple[float, ...], memory: MemoryState, last: datetime, at: datetime) -> float:
    return forgetting_curve(parameters, max(memory.stability, 0.001), elapsed_days(last, at))  # type: ignore[arg-type]


def _replayed(
    parameters: tuple[float, ...],
    retention: float,
    clock: DayClock,
    memory: MemoryState | None,
    last: datetime | None,
    log: ReviewLog,
) -> MemoryState:
    """The memory state after `log`'s answer, from the state before it (FSRS counts whole days)."""
    days = 0 if last is None else max(0, clock.day_number(log.reviewed_at) - clock.day_number(last))
    return next_memory_states(parameters, retention, memory, days)[Rating(log.rating)].memory


def curve(
    parameters: tuple[float, ...],
    stability: float | None,
    last_review: datetime | None,
    due: datetime | None,
    now: datetime,
) -> list[CurvePoint]:
    """Recall probability on each coming day, up to twice the time until the card is due."""
    if stability is None or last_review is None:
        return []
    until_due = elapsed_days(now, due) if due else 0.0
    days = int(min(CURVE_DAYS[1], max(CURVE_DAYS[0], math.ceil(2 * until_due))))
    return [
        CurvePoint(
            day, forgetting_curve(parameters, max(stability, 0.001), elapsed_days(last_review, now) + day)
        )  # type: ignore[arg-type]
        for day in range(days + 1)
    ]
