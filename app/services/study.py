"""Studying flashcards: the due queue, grading with FSRS, undo, suspend and bury.

Every write happens here, in one transaction per call. A learner's deck is the table
card_progress; rows for new cards are added lazily when content changes (SyncLock.cards_version).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    and_,
    exists,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Card, CardProgress, ContentSet, ReviewLog, SyncLock, User
from app.quiz.grading import Verdict, grade
from app.services.fsrs_params import clock_of, parameters_for
from app.services.overrides import accepted_for
from app.srs import DayClock, Outcome, Phase, Rating, SchedulerConfig, SrsCard, answer, next_states

LEARN_AHEAD = timedelta(minutes=20)
# The cards a learner's open quiz asks: a set of ids, or a query of them that study folds into its own.
Held = frozenset[int] | Select[tuple[int]]
LEARNING_PHASES = (Phase.LEARNING.value, Phase.RELEARNING.value)


class StudyError(LookupError):
    """A study request about a card this learner cannot grade (unknown, retired or not theirs)."""


class GradeConflict(RuntimeError):
    """The card was graded elsewhere (another tab) since it was shown."""


class CardHeld(RuntimeError):
    """The card is a question of the learner's open quiz: study neither shows nor grades it until
    the quiz is submitted, so its answer cannot be looked up during the quiz."""

    def __init__(self) -> None:
        super().__init__(
            "This card is a question in your open quiz: finish the quiz first; its answer is shown "
            "with your results."
        )


@dataclass(frozen=True)
class Counts:
    new: int
    learning: int
    review: int
    done: int = 0


@dataclass(frozen=True)
class StudyCard:
    """A card as shown to a learner: its content and the version that was shown."""

    card_id: int
    set_slug: str
    set_title: str
    type: str
    question: str
    answer: str
    details: dict[str, Any]
    phase: str
    version: int
    suspended: bool
    leech: bool


@dataclass(frozen=True)
class NextCard:
    card: StudyCard | None
    intervals: dict[int, timedelta]
    counts: Counts
    next_due: datetime | None


@dataclass(frozen=True)
class Graded:
    card_id: int
    due: datetime
    phase: str
    interval: timedelta
    leech: bool


def scheduler_for(user: User) -> tuple[SchedulerConfig, DayClock]:
    """The learner's FSRS settings (their parameters: `fsrs_params.parameters_for`) and their day,
    which starts at 4 am in their time zone."""
    config = SchedulerConfig(
        parameters=parameters_for(user),
        desired_retention=user.desired_retention,
        maximum_interval_days=user.maximum_interval_days,
    )
    return config, clock_of(user)


def set_id_for(slug: str | None) -> int | None:
    """The id of the active set a study session is limited to (None for all sets)."""
    if not slug:
        return None
    set_id = db.session.scalar(
        select(ContentSet.id).where(ContentSet.slug == slug, ContentSet.retired_at.is_(None))
    )
    if set_id is None:
        raise StudyError(f"There is no question set called '{slug}'.")
    return set_id


@dataclass(frozen=True)
class Scope:
    """Which cards a study session draws from: all, one set, or a given list (a quiz's misses);
    never the cards `held` by the learner's open quiz."""

    set_id: int | None = None
    card_ids: tuple[int, ...] | None = None
    held: Held = frozenset()


def next_card(
    user: User,
    now: datetime,
    set_id: int | None = None,
    prefer: int | None = None,
    cards: list[int] | None = None,
    held: Held = frozenset(),
) -> NextCard:
    """The card to study now (learning due, then reviews, then new, then learning due soon).
    `prefer` shows a given card instead when it is studyable: the card just undone, or the one a
    plain form was answering. `cards` limits the session to those cards; `held` cards (asked by
    the learner's open quiz) are left out. Two statements once the deck is current: the queue
    counts, then the card with its set."""
    refresh_deck(user)
    config, clock = scheduler_for(user)
    scope = Scope(set_id, tuple(cards) if cards is not None else None, held)
    counts, remaining_new, remaining_reviews = _counts(user, now, clock, scope)
    picked = _pick(user.id, now, scope, remaining_new, remaining_reviews, prefer)
    if picked is None:
        return NextCard(None, {}, counts, _next_learning_due(user.id, scope))
    progress, card, content_set = picked
    states = next_states(_srs_card(progress), now, config, clock, progress.card_id)
    intervals = {int(rating): shown_interval(outcome) for rating, outcome in states.items()}
    return NextCard(_study_card(progress, card, content_set), intervals, counts, None)


def shown_interval(outcome: Outcome) -> timedelta:
    """The interval as Anki shows it: whole days for a card due when a day starts (4 am local),
    the exact delay for a learning step within the day."""
    return timedelta(days=outcome.days) if outcome.days is not None else outcome.interval


def refresh_deck(user: User) -> None:
    """Add rows for cards the learner has never seen, and mark retired cards, after content changes."""
    current = user.latest_cards_version
    if current is None:
        current = db.session.scalar(select(SyncLock.cards_version).where(SyncLock.id == 1)) or 0
    if user.cards_version == current and current:
        return
    try:
        _add_new_cards(user.id)
        _mark_retired(user.id)
        user.cards_version = current
        db.session.commit()
    except IntegrityError:  # another request filled the same deck at the same moment
        db.session.rollback()


def _add_new_cards(user_id: int) -> None:
    seen = exists().where(CardProgress.user_id == user_id, CardProgress.card_id == Card.id)
    zero = literal(0, Integer)
    rows = (
        select(
            literal(user_id, Integer),
            Card.id,
            Card.set_id,
            ContentSet.weight * 100000 + Card.position,
            literal(Phase.NEW.value),
            *([zero] * 5),
            *([false()] * 3),
        )
        .join(ContentSet, ContentSet.id == Card.set_id)
        .where(Card.retired_at.is_(None), ContentSet.retired_at.is_(None), ~seen)
    )
    columns = [
        "user_id",
        "card_id",
        "set_id",
        "new_rank",
        "phase",
        "scheduled_days",
        "remaining_steps",
        "reps",
        "lapses",
        "version",
        "suspended",
        "leech",
        "retired",
    ]
    db.session.execute(insert(CardProgress).from_select(columns, rows))


def _mark_retired(user_id: int) -> None:
    retired_cards = (
        select(Card.id)
        .join(ContentSet, ContentSet.id == Card.set_id)
        .where(or_(Card.retired_at.is_not(None), ContentSet.retired_at.is_not(None)))
    )
    mine = CardProgress.user_id == user_id
    db.session.execute(
        update(CardProgress).where(mine, CardProgress.card_id.in_(retired_cards)).values(retired=True)
    )
    db.session.execute(
        update(CardProgress)
        .where(mine, CardProgress.retired.is_(True), CardProgress.card_id.not_in(retired_cards))
        .values(retired=False)
    )


def _in_scope(user_id: int, scope: Scope) -> list[Any]:
    conditions = [
        CardProgress.user_id == user_id,
        CardProgress.suspended.is_(False),
        CardProgress.retired.is_(False),
    ]
    if scope.set_id is not None:
        conditions.append(CardProgress.set_id == scope.set_id)
    if scope.card_ids is not None:
        conditions.append(CardProgress.card_id.in_(scope.card_ids))
    if not isinstance(scope.held, frozenset) or scope.held:
        conditions.append(CardProgress.card_id.not_in(scope.held))
    return conditions


def _available(user_id: int, now: datetime, scope: Scope) -> Any:
    buried = or_(CardProgress.buried_until.is_(None), CardProgress.buried_until <= now)
    return and_(*_in_scope(user_id, scope), buried)


def _pick(
    user_id: int,
    now: datetime,
    scope: Scope,
    remaining_new: int,
    remaining_reviews: int,
    prefer: int | None = None,
) -> tuple[CardProgress, Card, ContentSet] | None:
    """The first card of the first queue that has one, with its card and set, in one statement:
    each queue's head (an index range, LIMIT 1) tagged with its rank, the lowest rank wins."""
    available = _available(user_id, now, scope)
    learning = (CardProgress.phase.in_(LEARNING_PHASES), CardProgress.due <= now)
    queues: list[tuple[Any, ...]] = []
    if prefer is not None:
        queues.append(((CardProgress.card_id == prefer,), CardProgress.id))
    queues.append((learning, CardProgress.due))
    if remaining_reviews > 0:
        queues.append(((CardProgress.phase == Phase.REVIEW.value, CardProgress.due <= now), CardProgress.due))
    if remaining_new > 0:
        queues.append(((CardProgress.phase == Phase.NEW.value,), CardProgress.new_rank))
    ahead = (CardProgress.phase.in_(LEARNING_PHASES), CardProgress.due <= now + LEARN_AHEAD)
    queues.append((ahead, CardProgress.due))
    heads = [
        select(
            select(CardProgress.id.label("progress_id"), literal(rank, Integer).label("rank"))
            .where(available, *conditions)
            .order_by(order)
            .limit(1)
            .subquery()
        )
        for rank, (conditions, order) in enumerate(queues)
    ]
    first = union_all(*heads).subquery()
    row = db.session.execute(
        select(CardProgress, Card, ContentSet)
        .join(first, first.c.progress_id == CardProgress.id)
        .join(Card, Card.id == CardProgress.card_id)
        .join(ContentSet, ContentSet.id == Card.set_id)
        .order_by(first.c.rank)
        .limit(1)
    ).first()
    return (row[0], row[1], row[2]) if row is not None else None


def _next_learning_due(user_id: int, scope: Scope) -> datetime | None:
    query = select(func.min(CardProgress.due)).where(
        *_in_scope(user_id, scope), CardProgress.phase.in_(LEARNING_PHASES)
    )
    return db.session.scalar(query)


def _counts(user: User, now: datetime, clock: DayClock, scope: Scope) -> tuple[Counts, int, int]:
    """Today's done reviews and the three queues' sizes, in one statement. A queue is counted no
    further than its daily limit, the most it can show."""
    today = clock.day_number(now)
    day_start, day_end = clock.day_start(today), clock.day_start(today + 1)
    available = _available(user.id, now, scope)

    def done(*conditions: Any) -> Any:
        return (
            select(func.count())
            .where(
                ReviewLog.user_id == user.id,
                ReviewLog.reviewed_at >= day_start,
                ReviewLog.undone_at.is_(None),
                ReviewLog.source == "study",
                *conditions,
            )
            .scalar_subquery()
        )

    def queue(limit: int | None, *conditions: Any) -> Any:
        rows = select(CardProgress.id).where(available, *conditions)
        if limit is not None:
            rows = rows.limit(limit)
        return select(func.count()).select_from(rows.subquery()).scalar_subquery()

    row = db.session.execute(
        select(
            done(),
            done(ReviewLog.phase_before == Phase.NEW.value),
            done(ReviewLog.phase_before == Phase.REVIEW.value),
            queue(max(0, user.new_per_day), CardProgress.phase == Phase.NEW.value),
            queue(None, CardProgress.phase.in_(LEARNING_PHASES), CardProgress.due < day_end),
            queue(
                max(0, user.reviews_per_day),
                CardProgress.phase == Phase.REVIEW.value,
                CardProgress.due <= now,
            ),
        )
    ).one()
    done_all, done_new, done_reviews, new, learning, review = (int(n or 0) for n in row)
    remaining_new = max(0, user.new_per_day - done_new)
    remaining_reviews = max(0, user.reviews_per_day - done_reviews)
    counts = Counts(
        done=done_all,
        new=min(new, remaining_new),
        learning=learning,
        review=min(review, remaining_reviews),
    )
    return counts, remaining_new, remaining_reviews


def _srs_card(progress: CardProgress) -> SrsCard:
    return SrsCard(
        phase=Phase(progress.phase),
        due=progress.due,
        stability=progress.stability,
        difficulty=progress.difficulty,
        last_review=progress.last_review,
        scheduled_days=progress.scheduled_days,
        remaining_steps=progress.remaining_steps,
        reps=progress.reps,
        lapses=progress.lapses,
    )


def _study_card(
    progress: CardProgress, card: Card | None = None, content_set: ContentSet | None = None
) -> StudyCard:
    """The card as study shows it; `card` and `content_set` when the caller loaded them already."""
    card = card or db.session.get(Card, progress.card_id)
    assert card is not None
    content_set = content_set or db.session.get(ContentSet, card.set_id)
    assert content_set is not None
    return StudyCard(
        card_id=card.id,
        set_slug=content_set.slug,
        set_title=content_set.title,
        type=card.type,
        question=card.question,
        answer=card.answer,
        details=dict(card.details or {}),
        phase=progress.phase,
        version=progress.version,
        suspended=progress.suspended,
        leech=progress.leech,
    )


def _snapshot(progress: CardProgress) -> dict[str, Any]:
    """Everything undo needs to put the card back exactly."""
    return _srs_card(progress).to_dict() | {
        "suspended": progress.suspended,
        "leech": progress.leech,
        "buried_until": progress.buried_until.isoformat() if progress.buried_until else None,
    }


def _columns(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The card_progress columns a snapshot stands for."""
    state = SrsCard.from_dict(snapshot)
    buried = snapshot.get("buried_until")
    return {
        "phase": state.phase.value,
        "due": state.due,
        "last_review": state.last_review,
        "stability": state.stability,
        "difficulty": state.difficulty,
        "scheduled_days": state.scheduled_days,
        "remaining_steps": state.remaining_steps,
        "reps": state.reps,
        "lapses": state.lapses,
        "suspended": bool(snapshot["suspended"]),
        "leech": bool(snapshot["leech"]),
        "buried_until": datetime.fromisoformat(buried) if buried else None,
    }


def _apply(progress: CardProgress, snapshot: dict[str, Any]) -> None:
    for name, value in _columns(snapshot).items():
        setattr(progress, name, value)


def _progress_for(user: User, card_id: int, held: Held = frozenset()) -> CardProgress:
    """The learner's row for a card (their deck is refreshed first only when the row is missing);
    CardHeld when the learner's open quiz asks the card, checked in the same statement."""
    if isinstance(held, frozenset):
        if card_id in held:
            raise CardHeld()
        in_quiz: Any = false()
    else:
        in_quiz = literal(card_id, Integer).in_(held)
    query = select(CardProgress, in_quiz).where(
        CardProgress.user_id == user.id, CardProgress.card_id == card_id
    )
    row = db.session.execute(query).first()
    if row is None:
        refresh_deck(user)
        row = db.session.execute(query).first()
    if row is not None and row[1]:
        raise CardHeld()
    if row is None or row[0].retired:
        raise StudyError(f"Card {card_id} is not in your deck.")
    return row[0]


def is_held(held: Held, card_id: int) -> bool:
    """Whether the learner's open quiz asks this card."""
    if isinstance(held, frozenset):
        return card_id in held
    return bool(db.session.scalar(select(literal(card_id, Integer).in_(held))))


def grade_card(
    user: User,
    card_id: int,
    rating: int,
    now: datetime,
    duration_ms: int = 0,
    version: int | None = None,
    held: Held = frozenset(),
) -> Graded:
    """Record a study grade and reschedule the card. `version` guards against a second tab's stale
    grade; a card `held` by the learner's open quiz is refused."""
    progress = _progress_for(user, card_id, held)
    if version is not None and progress.version != version:
        raise GradeConflict("This card was already graded in another tab or window; showing the next one.")
    graded = _record(user, progress, rating, now, duration_ms, "study")
    if graded is None:
        db.session.rollback()
        raise GradeConflict("This card was already graded in another tab or window; showing the next one.")
    db.session.commit()
    return graded


def grade_in_transaction(user: User, card_id: int, rating: int, now: datetime, source: str) -> bool:
    """Grade a card within the caller's transaction, its row locked first, so the grade cannot
    lose to another tab's and commits (or not) with the caller's other writes. The review counts
    at `now`, or at the card's last review when that is later. False when the card has left the
    learner's deck (retired): there is nothing to reschedule. The caller commits."""
    progress = db.session.scalar(
        select(CardProgress)
        .where(CardProgress.user_id == user.id, CardProgress.card_id == card_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    if progress is None or progress.retired:
        return False
    at = max(now, progress.last_review) if progress.last_review else now
    graded = _record(user, progress, rating, at, 0, source)
    assert graded is not None, "the row is locked: no other writer can have changed it"
    return True


def _record(
    user: User, progress: CardProgress, rating: int, now: datetime, duration_ms: int, source: str
) -> Graded | None:
    """Reschedule the card if its row still has the version read, and log the review (not
    committed); None when another writer changed the row first."""
    progress_id, card_id, version = progress.id, progress.card_id, progress.version
    config, clock = scheduler_for(user)
    before = _snapshot(progress)
    outcome = answer(_srs_card(progress), Rating(rating), now, config, clock, card_id)
    after = outcome.card.to_dict() | {
        "suspended": before["suspended"] or outcome.leech,
        "leech": before["leech"] or outcome.leech,
        "buried_until": None,
    }
    claimed = db.session.execute(
        update(CardProgress)
        .where(CardProgress.id == progress_id, CardProgress.version == version)
        .values(version=version + 1, **_columns(after))
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    db.session.expire(progress)
    db.session.add(
        ReviewLog(
            user_id=user.id,
            card_id=card_id,
            progress_id=progress_id,
            rating=rating,
            reviewed_at=now,
            duration_ms=max(0, min(duration_ms, 3_600_000)),
            phase_before=before["phase"],
            phase_after=after["phase"],
            interval_seconds=int(shown_interval(outcome).total_seconds()),
            state_before=before,
            state_after=after,
            source=source,
        )
    )
    assert outcome.card.due is not None
    return Graded(card_id, outcome.card.due, str(after["phase"]), shown_interval(outcome), outcome.leech)


def undo_last(user: User, now: datetime) -> int | None:
    """Undo the learner's most recent grade, restoring the card exactly; the card id, or None."""
    log = db.session.scalars(
        select(ReviewLog)
        .where(ReviewLog.user_id == user.id, ReviewLog.undone_at.is_(None), ReviewLog.source == "study")
        .order_by(ReviewLog.id.desc())
        .limit(1)
    ).first()
    if log is None:
        return None
    progress = db.session.get(CardProgress, log.progress_id)
    assert progress is not None
    _apply(progress, log.state_before)
    progress.version += 1
    log.undone_at = now
    db.session.commit()
    return log.card_id


def check_response(
    user: User, card_id: int, response: Any, held: Held = frozenset()
) -> tuple[Verdict, StudyCard]:
    """Mark a typed card's response right or wrong (raises UngradableResponse for a malformed one);
    refused for a card `held` by the learner's open quiz, since the verdict shows its answer."""
    progress = _progress_for(user, card_id, held)
    shown = _study_card(progress)
    accepted = accepted_for([card_id]).get(card_id, [])
    return grade(shown.type, shown.question, shown.answer, shown.details, response, accepted=accepted), shown


def set_suspended(user: User, card_id: int, suspended: bool) -> None:
    progress = _progress_for(user, card_id)
    progress.suspended = suspended
    if not suspended:
        progress.leech = False
    progress.version += 1
    db.session.commit()


def bury(user: User, card_id: int, now: datetime) -> None:
    """Hide a card until the learner's next day starts."""
    progress = _progress_for(user, card_id)
    _, clock = scheduler_for(user)
    progress.buried_until = clock.day_start(clock.day_number(now) + 1)
    progress.version += 1
    db.session.commit()


CARD_ACTIONS = ("suspend", "unsuspend", "bury")


def card_action(user: User, card_id: int, action: str, now: datetime) -> None:
    """Suspend, unsuspend or bury one of the learner's cards (raises StudyError for a foreign one)."""
    if action == "bury":
        bury(user, card_id, now)
    elif action in CARD_ACTIONS:
        set_suspended(user, card_id, action == "suspend")
    else:
        raise ValueError(f"unknown card action {action!r}")


def leeches(user: User) -> list[StudyCard]:
    rows = db.session.scalars(
        select(CardProgress)
        .where(CardProgress.user_id == user.id, CardProgress.leech.is_(True), CardProgress.retired.is_(False))
        .order_by(CardProgress.lapses.desc())
    )
    return [_study_card(p) for p in rows]
