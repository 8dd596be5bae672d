"""The card browser: a learner's cards found by an Anki-like search, bulk changes that can be undone,
and each card's history with its memory state.

Searches become one SQL query over the learner's card_progress rows. Two terms cannot be SQL on both
databases: `prop:r` (recall probability now, a power of elapsed time) and `tag:` (tags are in a JSON
column). Each is resolved first, in Python, to the ids it matches: over the learner's studied rows (a
learner has at most a few thousand, one per card in the catalogue) or the catalogue's cards.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, not_, or_, select, true

from app.content.render import plain_text
from app.content.review import blank_clozes
from app.extensions import db
from app.models import Card, CardAction, CardProgress, ContentSet, ReviewLog, User
from app.services.catalog import card_faces
from app.services.study import _apply, _snapshot, refresh_deck, scheduler_for
from app.srs import DayClock, Phase, Rating, SchedulerConfig, SrsCard
from app.srs.clock import EPOCH
from app.srs.memory import MemoryState, next_memory_states
from app.srs.memory import retrievability as forgetting_curve
from app.srs.search import And, InSet, Introduced, Is, Node, Not, Or, Prop, Rated, Tag, Text, parse

PER_PAGE = 50
MAX_PER_PAGE = 200
SORTS = ("due", "stability", "difficulty", "retrievability", "lapses")
ACTIONS = ("suspend", "unsuspend", "forget", "reschedule")
MANUAL = "manual"  # ReviewLog.source of a browser change: rating 0, Anki's "Manual" review kind
CURVE_DAYS = (30, 365)  # the retrievability curve runs to twice the time until due, within these
_DAY_LIMIT = 40000  # prop:due beyond this many days is clamped (dates past year 9999 do not exist)
LEARNING = (Phase.LEARNING.value, Phase.RELEARNING.value)


class CardsError(LookupError):
    """A card or an action that is not the learner's (or does not exist)."""


class BadAction(ValueError):
    """A bulk action that cannot run as asked: the message says what to change."""


class ActionConflict(RuntimeError):
    """The cards changed since the action, so undoing it would lose that change."""


def _parameters(user: User) -> tuple[float, ...]:
    """The learner's FSRS parameters."""
    # TODO(lead): parameters_for — swap for app.services.fsrs_params.parameters_for(user) at merge.
    return SchedulerConfig().parameters


def elapsed_days(since: datetime, now: datetime) -> float:
    """Days (with their fraction) from `since` to `now`, never negative."""
    return max(0.0, (now - since).total_seconds() / 86400)


def retrievability_at(
    parameters: tuple[float, ...], stability: float | None, last_review: datetime | None, now: datetime
) -> float | None:
    """Recall probability at `now` on the FSRS-6 forgetting curve; None for a card never studied."""
    if stability is None or last_review is None:
        return None
    return forgetting_curve(parameters, max(stability, 0.001), elapsed_days(last_review, now))  # type: ignore[arg-type]


def anki_difficulty(difficulty: float | None) -> float | None:
    """Difficulty as Anki shows it: (D - 1) / 9, from 0 (easiest) to 1 (hardest)."""
    return None if difficulty is None else (difficulty - 1) / 9


@dataclass(frozen=True)
class BrowsedCard:
    """One row of the browser, as the page and the API show it."""

    card_id: int
    set: str
    set_title: str
    question: str
    state: str
    due: datetime | None
    stability: float | None
    difficulty: float | None  # Anki's 0-1 scale
    retrievability: float | None
    reps: int
    lapses: int
    suspended: bool
    leech: bool
    buried: bool


@dataclass(frozen=True)
class _Context:
    user: User
    now: datetime
    clock: DayClock
    parameters: tuple[float, ...]

    def day_start(self, offset: int) -> datetime:
        """The start of the study day `offset` days from today (clamped to dates that exist)."""
        offset = max(-_DAY_LIMIT, min(_DAY_LIMIT, offset))
        return self.clock.day_start(self.clock.day_number(self.now) + offset)


def _context(user: User, now: datetime) -> _Context:
    return _Context(user, now, scheduler_for(user)[1], _parameters(user))


def search(
    user: User, query: str, now: datetime, page: int = 1, per_page: int = PER_PAGE, sort: str = "due"
) -> tuple[list[BrowsedCard], int]:
    """One page of the learner's cards matching `query` (raises SearchError), and how many match.
    `sort` is one of SORTS, with a leading '-' for the reverse order."""
    refresh_deck(user)
    context = _context(user, now)
    condition = _condition(parse(query), context)
    base = _base(user.id).where(condition)
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    page, per_page = max(1, page), max(1, min(per_page, MAX_PER_PAGE))
    key, descending = sort.lstrip("-"), sort.startswith("-")
    if key not in SORTS:
        raise BadAction(f"Sort by one of {', '.join(SORTS)} (with '-' before it for the reverse order).")
    if key == "retrievability":
        rows = _page_by_retrievability(base, context, page, per_page, descending)
    else:
        ordered = base.order_by(*_order(key, descending), CardProgress.card_id)
        rows = list(db.session.execute(ordered.offset((page - 1) * per_page).limit(per_page)))
    return [_browsed(progress, card, content_set, context) for progress, card, content_set in rows], total


def _base(user_id: int) -> Select[tuple[CardProgress, Card, ContentSet]]:
    return (
        select(CardProgress, Card, ContentSet)
        .join(Card, Card.id == CardProgress.card_id)
        .join(ContentSet, ContentSet.id == CardProgress.set_id)
        .where(CardProgress.user_id == user_id, CardProgress.retired.is_(False))
    )


def _order(key: str, descending: bool) -> list[Any]:
    column = {
        "due": CardProgress.due,
        "stability": CardProgress.stability,
        "difficulty": CardProgress.difficulty,
        "lapses": CardProgress.lapses,
    }[key]
    ordered = column.desc() if descending else column.asc()
    extra = [CardProgress.new_rank] if key == "due" else []
    return [column.is_(None), ordered, *extra]  # cards without a value (new ones) last


def _page_by_retrievability(
    base: Select[Any], context: _Context, page: int, per_page: int, descending: bool
) -> list[tuple[CardProgress, Card, ContentSet]]:
    """Recall probability is computed in Python, so the matching rows' keys are sorted here."""
    keys = db.session.execute(
        select(CardProgress.id, CardProgress.stability, CardProgress.last_review, CardProgress.card_id).where(
            CardProgress.id.in_(base.with_only_columns(CardProgress.id).scalar_subquery())
        )
    ).all()

    def order(row: Any) -> tuple[bool, float, int]:
        value = retrievability_at(context.parameters, row[1], row[2], context.now)
        return (value is None, -value if (descending and value is not None) else (value or 0.0), row[3])

    chosen = [row[0] for row in sorted(keys, key=order)[(page - 1) * per_page : page * per_page]]
    found = {p.id: (p, c, s) for p, c, s in db.session.execute(base.where(CardProgress.id.in_(chosen)))}
    return [found[progress_id] for progress_id in chosen]


def _browsed(progress: CardProgress, card: Card, content_set: ContentSet, context: _Context) -> BrowsedCard:
    studied = progress.phase != Phase.NEW.value
    return BrowsedCard(
        card_id=card.id,
        set=content_set.slug,
        set_title=content_set.title,
        question=plain_text(blank_clozes(card.question) if card.type == "cloze" else card.question),
        state=progress.phase,
        due=progress.due if studied else None,
        stability=progress.stability,
        difficulty=anki_difficulty(progress.difficulty),
        retrievability=retrievability_at(
            context.parameters, progress.stability, progress.last_review, context.now
        ),
        reps=progress.reps,
        lapses=progress.lapses,
        suspended=progress.suspended,
        leech=progress.leech,
        buried=progress.buried_until is not None and progress.buried_until > context.now,
    )


# ---- the search tree as SQL ------------------------------------------------------------------


def _condition(node: Node | None, context: _Context) -> ColumnElement[bool]:
    if node is None:
        return true()
    if isinstance(node, And):
        return and_(*[_condition(term, context) for term in node.terms])
    if isinstance(node, Or):
        return or_(*[_condition(term, context) for term in node.terms])
    if isinstance(node, Not):
        return not_(_condition(node.term, context))
    return _LEAVES[type(node)](node, context)


def _like(text: str) -> str:
    """A LIKE pattern finding `text` anywhere, `*` standing for any run of characters."""
    escaped = re.sub(r"([\\%_])", r"\\\1", text.lower()).replace("*", "%")
    return f"%{escaped}%"


def _text(node: Text, context: _Context) -> ColumnElement[bool]:
    return func.lower(Card.question).like(_like(node.text), escape="\\")


def _in_set(node: InSet, context: _Context) -> ColumnElement[bool]:
    if "*" not in node.slug:
        return ContentSet.slug == node.slug
    return func.lower(ContentSet.slug).like(_like(node.slug)[1:-1], escape="\\")


def _tag_pattern(tag: str) -> re.Pattern[str]:
    """`tag:a` finds the tag a and its children a::b, `*` any run of characters, any case."""
    body = ".*".join(re.escape(part) for part in tag.split("*"))
    return re.compile(rf"{body}(::.*)?", re.IGNORECASE)


def _tag(node: Tag, context: _Context) -> ColumnElement[bool]:
    pattern = _tag_pattern(node.tag)
    rows = db.session.execute(
        select(Card.id, Card.details).where(
            Card.id.in_(select(CardProgress.card_id).where(CardProgress.user_id == context.user.id))
        )
    )
    ids = [card_id for card_id, details in rows if _tagged(details, pattern)]
    return CardProgress.card_id.in_(ids) if ids else false()


def _tagged(details: Any, pattern: re.Pattern[str]) -> bool:
    tags = details.get("tags") if isinstance(details, dict) else None
    return isinstance(tags, list) and any(isinstance(t, str) and pattern.fullmatch(t) for t in tags)


def _is(node: Is, context: _Context) -> ColumnElement[bool]:
    phase, now = CardProgress.phase, context.now
    unburied = or_(CardProgress.buried_until.is_(None), CardProgress.buried_until <= now)
    states: dict[str, ColumnElement[bool]] = {
        "new": phase == Phase.NEW.value,
        "learn": phase.in_(LEARNING),
        "review": phase.in_((Phase.REVIEW.value, Phase.RELEARNING.value)),
        "suspended": CardProgress.suspended.is_(True),
        "buried": CardProgress.buried_until > now,
        "leech": CardProgress.leech.is_(True),
        "due": and_(
            CardProgress.suspended.is_(False),
            unburied,
            or_(
                and_(phase == Phase.REVIEW.value, CardProgress.due < context.day_start(1)),
                and_(phase.in_(LEARNING), CardProgress.due <= now),
            ),
        ),
    }
    return states[node.state]


_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def _prop(node: Prop, context: _Context) -> ColumnElement[bool]:
    compare = _COMPARE[node.op]
    if node.name == "r":
        return _retrievability(compare, node.value, context)
    if node.name == "due":
        return _due_in(node.op, node.value, context)
    column: Any = {
        "s": CardProgress.stability,
        "d": (CardProgress.difficulty - 1) / 9.0,
        "lapses": CardProgress.lapses,
        "reps": CardProgress.reps,
        "ivl": CardProgress.scheduled_days,
    }[node.name]
    if node.name in ("lapses", "reps"):
        return compare(column, node.value)  # type: ignore[no-any-return]
    # Only studied cards have a memory state and an interval; a negated term finds the others too.
    return and_(
        CardProgress.phase != Phase.NEW.value,
        CardProgress.stability.is_not(None),
        compare(column, node.value),
    )


def _retrievability(
    compare: Callable[[Any, Any], Any], value: float, context: _Context
) -> ColumnElement[bool]:
    rows = db.session.execute(
        select(CardProgress.id, CardProgress.stability, CardProgress.last_review).where(
            CardProgress.user_id == context.user.id,
            CardProgress.retired.is_(False),
            CardProgress.phase != Phase.NEW.value,
        )
    )
    ids = [
        progress_id
        for progress_id, stability, last in rows
        if (r := retrievability_at(context.parameters, stability, last, context.now)) is not None
        and compare(r, value)
    ]
    return CardProgress.id.in_(ids) if ids else false()


def _due_in(op: str, value: float, context: _Context) -> ColumnElement[bool]:
    """prop:due compares the study day a card is due on with today (0 today, 1 tomorrow, -1 yesterday)."""
    due = CardProgress.due
    low, high = math.ceil(value), math.floor(value)
    bounds: dict[str, ColumnElement[bool]] = {
        "<": due < context.day_start(low),
        "<=": due < context.day_start(high + 1),
        ">": due >= context.day_start(high + 1),
        ">=": due >= context.day_start(low),
    }
    if op in bounds:
        found = bounds[op]
    else:
        exact = and_(due >= context.day_start(high), due < context.day_start(high + 1))
        found = exact if low == high else false()
        found = found if op == "=" else not_(found)
    return and_(CardProgress.phase != Phase.NEW.value, due.is_not(None), found)


def counted_reviews() -> list[ColumnElement[bool]]:
    """ReviewLog rows that are reviews: graded 1-4 and not undone (manual changes are rating 0)."""
    return [ReviewLog.undone_at.is_(None), ReviewLog.rating >= 1]


def _reviews_of_card(context: _Context, *where: Any) -> ColumnElement[bool]:
    return exists().where(
        ReviewLog.user_id == context.user.id,
        ReviewLog.card_id == CardProgress.card_id,
        *counted_reviews(),
        *where,
    )


def _rated(node: Rated, context: _Context) -> ColumnElement[bool]:
    since = context.day_start(1 - node.days)
    rating = [ReviewLog.rating == node.rating] if node.rating is not None else []
    return _reviews_of_card(context, ReviewLog.reviewed_at >= since, *rating)


def _introduced(node: Introduced, context: _Context) -> ColumnElement[bool]:
    since = context.day_start(1 - node.days)
    return and_(
        _reviews_of_card(context, ReviewLog.reviewed_at >= since),
        not_(_reviews_of_card(context, ReviewLog.reviewed_at < since)),
    )


_LEAVES: dict[type, Callable[[Any, _Context], ColumnElement[bool]]] = {
    Text: _text,
    InSet: _in_set,
    Tag: _tag,
    Is: _is,
    Prop: _prop,
    Rated: _rated,
    Introduced: _introduced,
}


# ---- bulk actions and their undo -------------------------------------------------------------


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
    context = _context(user, now)
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
    user: User, card_ids: Sequence[int] | None, query: str | None, context: _Context
) -> list[CardProgress]:
    if (card_ids is None) == (query is None):
        raise BadAction("Choose cards: give either their ids or a search (an empty search means every card).")
    refresh_deck(user)
    mine = select(CardProgress).where(CardProgress.user_id == user.id, CardProgress.retired.is_(False))
    if card_ids is not None:
        chosen = mine.where(CardProgress.card_id.in_(list(card_ids)))
    else:
        found = _base(user.id).where(_condition(parse(query or ""), context))
        chosen = mine.where(CardProgress.id.in_(found.with_only_columns(CardProgress.id).scalar_subquery()))
    return list(db.session.scalars(chosen.order_by(CardProgress.id).with_for_update()))


def _changer(action: str, context: _Context, due: date | None) -> Callable[[dict[str, Any]], dict[str, Any]]:
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


# ---- card info -------------------------------------------------------------------------------


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
    context = _context(user, now)
    row = db.session.execute(_base(user.id).where(CardProgress.card_id == card_id)).first()
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
        card=_browsed(progress, card, content_set, context),
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


def memory_now(user: User, now: datetime) -> list[tuple[float, float, float]]:
    """Stability (days), difficulty (Anki's 0-1) and recall probability now of each studied card
    in the learner's deck, suspended ones included (as Anki's statistics count them)."""
    parameters = _parameters(user)
    rows = db.session.execute(
        select(CardProgress.stability, CardProgress.difficulty, CardProgress.last_review).where(
            CardProgress.user_id == user.id,
            CardProgress.retired.is_(False),
            CardProgress.phase != Phase.NEW.value,
            CardProgress.stability.is_not(None),
            CardProgress.difficulty.is_not(None),
            CardProgress.last_review.is_not(None),
        )
    )
    return [(s, (d - 1) / 9, retrievability_at(parameters, s, last, now) or 0.0) for s, d, last in rows]


def today(user: User, now: datetime) -> date:
    """The learner's study day, as the calendar date it starts on (for the reschedule field)."""
    clock = scheduler_for(user)[1]
    return EPOCH + timedelta(days=clock.day_number(now))


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
