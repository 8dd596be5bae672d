"""The card browser's search: a learner's cards found by an Anki-like query, one page at a time
(bulk changes are in card_actions, a card's history and curve in card_info).

Searches become one SQL query over the learner's card_progress rows. Two terms cannot be SQL on both
databases: `prop:r` (recall probability now, a power of elapsed time) and `tag:` (tags are in a JSON
column). Each is resolved first, in Python, to the ids it matches: over the learner's studied rows (a
learner has at most a few thousand, one per card in the catalogue) or the catalogue's cards.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, not_, or_, select, true

from app.content.render import plain_text
from app.content.review import blank_clozes
from app.extensions import db
from app.models import Card, CardProgress, ContentSet, ReviewLog, User
from app.services.fsrs_params import parameters_for
from app.services.study import refresh_deck, scheduler_for
from app.srs import DayClock, Phase
from app.srs.clock import EPOCH
from app.srs.memory import retrievability as forgetting_curve
from app.srs.search import And, InSet, Introduced, Is, Node, Not, Or, Prop, Rated, Tag, Text, parse

PER_PAGE = 50
MAX_PER_PAGE = 200
SORTS = ("due", "stability", "difficulty", "retrievability", "lapses")
_DAY_LIMIT = 40000  # prop:due beyond this many days is clamped (dates past year 9999 do not exist)
LEARNING = (Phase.LEARNING.value, Phase.RELEARNING.value)


class CardsError(LookupError):
    """A card or an action that is not the learner's (or does not exist)."""


class BadAction(ValueError):
    """A request the browser cannot carry out as asked (a sort, an action): the message says what to change."""


def _parameters(user: User) -> tuple[float, ...]:
    """The learner's FSRS parameters (the one place this package asks)."""
    return parameters_for(user)


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
class Context:
    """What a search is evaluated against: the learner, the time, their day and their parameters."""

    user: User
    now: datetime
    clock: DayClock
    parameters: tuple[float, ...]

    def day_start(self, offset: int) -> datetime:
        """The start of the study day `offset` days from today (clamped to dates that exist)."""
        offset = max(-_DAY_LIMIT, min(_DAY_LIMIT, offset))
        return self.clock.day_start(self.clock.day_number(self.now) + offset)


def context_for(user: User, now: datetime) -> Context:
    return Context(user, now, scheduler_for(user)[1], _parameters(user))


def search(
    user: User, query: str, now: datetime, page: int = 1, per_page: int = PER_PAGE, sort: str = "due"
) -> tuple[list[BrowsedCard], int]:
    """One page of the learner's cards matching `query` (raises SearchError), and how many match.
    `sort` is one of SORTS, with a leading '-' for the reverse order."""
    refresh_deck(user)
    context = context_for(user, now)
    condition = matching(parse(query), context)
    base = deck_rows(user.id).where(condition)
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
    return [browsed(progress, card, content_set, context) for progress, card, content_set in rows], total


def deck_rows(user_id: int) -> Select[tuple[CardProgress, Card, ContentSet]]:
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
    base: Select[Any], context: Context, page: int, per_page: int, descending: bool
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


def browsed(progress: CardProgress, card: Card, content_set: ContentSet, context: Context) -> BrowsedCard:
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


def matching(node: Node | None, context: Context) -> ColumnElement[bool]:
    if node is None:
        return true()
    if isinstance(node, And):
        return and_(*[matching(term, context) for term in node.terms])
    if isinstance(node, Or):
        return or_(*[matching(term, context) for term in node.terms])
    if isinstance(node, Not):
        return not_(matching(node.term, context))
    return _LEAVES[type(node)](node, context)


def _like(text: str) -> str:
    """A LIKE pattern finding `text` anywhere, `*` standing for any run of characters."""
    escaped = re.sub(r"([\\%_])", r"\\\1", text.lower()).replace("*", "%")
    return f"%{escaped}%"


def _text(node: Text, context: Context) -> ColumnElement[bool]:
    return func.lower(Card.question).like(_like(node.text), escape="\\")


def _in_set(node: InSet, context: Context) -> ColumnElement[bool]:
    if "*" not in node.slug:
        return ContentSet.slug == node.slug
    return func.lower(ContentSet.slug).like(_like(node.slug)[1:-1], escape="\\")


def _tag_pattern(tag: str) -> re.Pattern[str]:
    """`tag:a` finds the tag a and its children a::b, `*` any run of characters, any case."""
    body = ".*".join(re.escape(part) for part in tag.split("*"))
    return re.compile(rf"{body}(::.*)?", re.IGNORECASE)


def _tag(node: Tag, context: Context) -> ColumnElement[bool]:
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


def _is(node: Is, context: Context) -> ColumnElement[bool]:
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


def _prop(node: Prop, context: Context) -> ColumnElement[bool]:
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
    compare: Callable[[Any, Any], Any], value: float, context: Context
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


def _due_in(op: str, value: float, context: Context) -> ColumnElement[bool]:
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


def _reviews_of_card(context: Context, *where: Any) -> ColumnElement[bool]:
    return exists().where(
        ReviewLog.user_id == context.user.id,
        ReviewLog.card_id == CardProgress.card_id,
        *counted_reviews(),
        *where,
    )


def _rated(node: Rated, context: Context) -> ColumnElement[bool]:
    since = context.day_start(1 - node.days)
    rating = [ReviewLog.rating == node.rating] if node.rating is not None else []
    return _reviews_of_card(context, ReviewLog.reviewed_at >= since, *rating)


def _introduced(node: Introduced, context: Context) -> ColumnElement[bool]:
    since = context.day_start(1 - node.days)
    return and_(
        _reviews_of_card(context, ReviewLog.reviewed_at >= since),
        not_(_reviews_of_card(context, ReviewLog.reviewed_at < since)),
    )


_LEAVES: dict[type, Callable[[Any, Context], ColumnElement[bool]]] = {
    Text: _text,
    InSet: _in_set,
    Tag: _tag,
    Is: _is,
    Prop: _prop,
    Rated: _rated,
    Introduced: _introduced,
}


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
