"""The card browser's bulk changes (suspend, unsuspend, forget, reschedule) and their exact undo.

Each action is one CardAction holding every changed card's state before and after; forget and
reschedule also log a ReviewLog row with rating 0 and source "manual" (Anki's Manual review kind),
which is no review for statistics, limits or study's undo.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import CardAction, CardProgress, ReviewLog, User
from app.services.cards import BadAction, CardsError, Context, context_for, deck_rows, matching
from app.services.study import _apply, _snapshot, refresh_deck
from app.srs import DayClock, Phase, SrsCard
from app.srs.clock import EPOCH
from app.srs.search import parse

ACTIONS = ("suspend", "unsuspend", "forget", "reschedule")
MANUAL = "manual"  # ReviewLog.source of a browser change: rating 0, Anki's "Manual" review kind


class ActionConflict(RuntimeError):
    """The cards changed since the action, so undoing it would lose that change."""


@dataclass(frozen=True)
class ActionResult:
    """The action's id (None when no card changed, so there is nothing to undo) and the cards changed."""

    action_id: int | None
    changed: int


def act(
    user: User,
    action: str,
    now: datetime,
    card_ids: Sequence[int] | None = None,
    query: str | None = None,
    due: date | None = None,
) -> ActionResult:
    """Suspend, unsuspend, forget or reschedule the learner's cards given by id or by a search (raises
    SearchError, BadAction). One CardAction keeps every card's state before and after, for undo."""
    if action not in ACTIONS:
        raise BadAction(f"Unknown action '{action}': use one of {', '.join(ACTIONS)}.")
    context = context_for(user, now)
    change = _changer(action, context, due)
    changes = []
    for progress in _targets(user, card_ids, query, context):
        before = _snapshot(progress)
        after = change(before)
        if after == before:
            continue
        _apply(progress, after)
        progress.version += 1
        entry: dict[str, Any] = {"progress_id": progress.id, "before": before, "after": after}
        if action in ("forget", "reschedule"):
            entry["log_id"] = _manual_log(user, progress, before, after, now)
        changes.append(entry)
    if not changes:
        db.session.commit()  # ends the transaction (and its row locks); nothing was written
        return ActionResult(None, 0)
    record = CardAction(user_id=user.id, action=action, created_at=now, changes=changes)
    db.session.add(record)
    db.session.commit()
    return ActionResult(record.id, len(changes))


def _targets(
    user: User, card_ids: Sequence[int] | None, query: str | None, context: Context
) -> list[CardProgress]:
    if (card_ids is None) == (query is None):
        raise BadAction("Choose cards: give either their ids or a search (an empty search means every card).")
    refresh_deck(user)
    mine = select(CardProgress).where(CardProgress.user_id == user.id, CardProgress.retired.is_(False))
    if card_ids is not None:
        chosen = mine.where(CardProgress.card_id.in_(list(card_ids)))
    else:
        found = deck_rows(user.id).where(matching(parse(query or ""), context))
        chosen = mine.where(CardProgress.id.in_(found.with_only_columns(CardProgress.id).scalar_subquery()))
    return list(db.session.scalars(chosen.order_by(CardProgress.id).with_for_update()))


def _changer(action: str, context: Context, due: date | None) -> Callable[[dict[str, Any]], dict[str, Any]]:
    if action == "suspend":
        return lambda s: s | {"suspended": True}
    if action == "unsuspend":
        return lambda s: s | {"suspended": False, "leech": False}  # as study.set_suspended does
    if action == "forget":
        return _forgotten
    if due is None:
        raise BadAction("Give the date to reschedule the cards to, as YYYY-MM-DD.")
    today = context.clock.day_number(context.now)
    day = (due - EPOCH).days
    if day < today:
        raise BadAction("Reschedule to today or a later date.")
    return lambda s: _rescheduled(s, context.clock, day)


def _forgotten(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Back to new, as Anki's Forget with its defaults: reps and lapses kept, memory state cleared;
    the card's new_rank is untouched, so it comes back at its first place among new cards."""
    if snapshot["phase"] == Phase.NEW.value:
        return snapshot
    fresh = SrsCard.new().to_dict() | {"reps": snapshot["reps"], "lapses": snapshot["lapses"]}
    return snapshot | fresh | {"buried_until": None}


def _rescheduled(snapshot: dict[str, Any], clock: DayClock, day: int) -> dict[str, Any]:
    """Due at the start of study day `day`, memory state kept (Anki's Set Due Date). A (re)learning
    card becomes a review card; a new card, which has no memory state yet, is left alone."""
    state = SrsCard.from_dict(snapshot)
    if state.phase is Phase.NEW or state.last_review is None:
        return snapshot
    interval = state.scheduled_days
    if state.phase is not Phase.REVIEW:
        interval = max(1, day - clock.day_number(state.last_review))
    moved = SrsCard(
        phase=Phase.REVIEW,
        due=clock.day_start(day),
        stability=state.stability,
        difficulty=state.difficulty,
        last_review=state.last_review,
        scheduled_days=interval,
        remaining_steps=0,
        reps=state.reps,
        lapses=state.lapses,
    )
    return snapshot | moved.to_dict()


def _manual_log(
    user: User, progress: CardProgress, before: dict[str, Any], after: dict[str, Any], now: datetime
) -> int:
    due = after.get("due")
    interval = (datetime.fromisoformat(due) - now).total_seconds() if due else 0
    log = ReviewLog(
        user_id=user.id,
        card_id=progress.card_id,
        progress_id=progress.id,
        rating=0,
        reviewed_at=now,
        duration_ms=0,
        phase_before=before["phase"],
        phase_after=after["phase"],
        interval_seconds=max(0, int(interval)),
        state_before=before,
        state_after=after,
        source=MANUAL,
    )
    db.session.add(log)
    db.session.flush()
    return log.id


def undo(user: User, action_id: int, now: datetime) -> int:
    """Put every card the action changed back exactly as it was (its manual log rows marked undone);
    the number of cards restored. Refused when a card changed since (ActionConflict)."""
    record = db.session.get(CardAction, action_id)
    if record is None or record.user_id != user.id:
        raise CardsError(f"There is no card action {action_id} of yours.")
    if record.undone_at is not None:
        raise ActionConflict("This action was already undone.")
    rows = _locked(user.id, [change["progress_id"] for change in record.changes])
    for change in record.changes:
        progress = rows.get(change["progress_id"])
        if progress is None or _snapshot(progress) != change["after"]:
            db.session.rollback()
            raise ActionConflict(
                "Some of these cards were studied or changed since, so the action cannot be undone "
                "without losing that."
            )
    for change in record.changes:
        progress = rows[change["progress_id"]]
        _apply(progress, change["before"])
        progress.version += 1
    log_ids = [change["log_id"] for change in record.changes if "log_id" in change]
    if log_ids:
        for log in db.session.scalars(select(ReviewLog).where(ReviewLog.id.in_(log_ids))):
            log.undone_at = now
    record.undone_at = now
    db.session.commit()
    return len(record.changes)


def _locked(user_id: int, progress_ids: Iterable[int]) -> dict[int, CardProgress]:
    query = (
        select(CardProgress)
        .where(CardProgress.user_id == user_id, CardProgress.id.in_(list(progress_ids)))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {progress.id: progress for progress in db.session.scalars(query)}


def last_action(user: User) -> CardAction | None:
    """The learner's most recent bulk action still in force (for an Undo button)."""
    return db.session.scalars(
        select(CardAction)
        .where(CardAction.user_id == user.id, CardAction.undone_at.is_(None))
        .order_by(CardAction.id.desc())
        .limit(1)
    ).first()


def undoable(user: User, action_id: int) -> CardAction | None:
    """The learner's action `action_id` if it can still be undone."""
    record = db.session.get(CardAction, action_id)
    if record is None or record.user_id != user.id or record.undone_at is not None:
        return None
    return record
