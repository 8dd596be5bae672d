"""Responses an instructor accepts for everyone: stored once per card and normalised response,
counted right by every grader from then on, and already submitted quizzes re-marked at once.

What it does not do: learners' past study and quiz reviews stay in the schedule as they were
(a quiz answer re-marked right keeps the Again it fed FSRS); the next review of the card counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.content.cloze import cloze_blanks
from app.content.identity import normalise
from app.extensions import db
from app.models import AcceptedResponse, Card, ContentSet, QuizAttempt, QuizQuestion, User
from app.quiz.marking import Asked, mark_answer

MAX_RESPONSE = 500


class NotInstructor(PermissionError):
    """Only an instructor can accept a response for everyone."""


class CannotAccept(ValueError):
    """The response or the card does not allow accepting it, with a message for the instructor."""


@dataclass(frozen=True)
class Accepted:
    """What accepting did: the response as stored, and the quiz questions and attempts re-marked."""

    card_id: int
    response: str
    remarked: int
    attempts: int


@dataclass(frozen=True)
class WrongResponse:
    """One distinct wrong response to a card in submitted quizzes: as most often typed, and how often."""

    response: str
    count: int


@dataclass(frozen=True)
class CardResponses:
    card: Card
    acceptable: bool
    wrong: list[WrongResponse]
    accepted: list[str]


def response_key(response: str) -> str:
    """The form two responses share when they are the same response (case, spacing, punctuation)."""
    return normalise(response) or response.strip().casefold()


def accepted_for(card_ids: Iterable[int]) -> dict[int, list[str]]:
    """The responses accepted for everyone on each card (cards without any are left out)."""
    ids = sorted(set(card_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(AcceptedResponse.card_id, AcceptedResponse.response)
        .where(AcceptedResponse.card_id.in_(ids))
        .order_by(AcceptedResponse.id)
    )
    found: dict[int, list[str]] = {}
    for card_id, response in rows:
        found.setdefault(card_id, []).append(response)
    return found


def can_accept(card: Card) -> bool:
    """Short answers and one-blank clozes: a response of several blanks cannot be split among them."""
    return card.type == "short" or (card.type == "cloze" and len(cloze_blanks(card.question)) == 1)


def accept_response(instructor: User, card_id: int, response: str, now: datetime) -> Accepted:
    """Accept a typed response for everyone on one card and, in the same transaction, mark right
    every submitted quiz question of the card whose stored answer now grades right (and recount
    those attempts' scores). Accepting a response again changes nothing."""
    if not instructor.is_instructor:
        raise NotInstructor("Only an instructor can accept a response for everyone.")
    card = db.session.get(Card, card_id)
    if card is None:
        raise LookupError("There is no such card.")
    text = " ".join(response.split())
    _check(card, text)
    for last_try in (False, True):
        try:
            remarked, attempts = _store_and_remark(instructor, card, text, now)
            db.session.commit()
            return Accepted(card.id, text, remarked, attempts)
        except IntegrityError:  # the same response accepted at this moment by another request
            db.session.rollback()
            if last_try:
                raise
        except Exception:
            db.session.rollback()
            raise
    raise AssertionError("unreachable")


def _store_and_remark(instructor: User, card: Card, text: str, now: datetime) -> tuple[int, int]:
    _hold_attempts(card.id)
    key = response_key(text)
    exists = select(AcceptedResponse.id).where(
        AcceptedResponse.card_id == card.id, AcceptedResponse.normalised == key
    )
    if db.session.scalar(exists) is None:
        row = AcceptedResponse(
            card_id=card.id, response=text, normalised=key, accepted_by=instructor.id, created_at=now
        )
        db.session.add(row)
        db.session.flush()
    return _remark(card)


def _check(card: Card, text: str) -> None:
    if not can_accept(card):
        raise CannotAccept("Only short answers and clozes with one blank can accept a response for everyone.")
    if not text:
        raise CannotAccept("Type the response to accept.")
    if len(text) > MAX_RESPONSE:
        raise CannotAccept(f"A response to accept has at most {MAX_RESPONSE} characters.")


def _hold_attempts(card_id: int) -> None:
    """Lock the attempts that ask the card (PostgreSQL; SQLite's writer holds the database), in id
    order as a submit holds its own: a submit under way finishes first and is then re-marked, and
    a submit that starts later waits, then grades with the new accepted response."""
    asking = select(QuizQuestion.attempt_id).where(QuizQuestion.card_id == card_id)
    db.session.execute(
        select(QuizAttempt.id).where(QuizAttempt.id.in_(asking)).order_by(QuizAttempt.id).with_for_update()
    )


def _remark(card: Card) -> tuple[int, int]:
    accepted = accepted_for([card.id]).get(card.id, [])
    questions = db.session.scalars(
        select(QuizQuestion)
        .join(QuizAttempt, QuizAttempt.id == QuizQuestion.attempt_id)
        .where(
            QuizQuestion.card_id == card.id,
            QuizAttempt.submitted_at.is_not(None),
            QuizQuestion.correct.is_not(True),
        )
        .execution_options(populate_existing=True)
    ).all()
    asked = Asked(card.type, (), card.question, card.answer, dict(card.details or {}))
    changed: set[int] = set()
    for question in questions:
        if question.type == card.type and mark_answer(asked, question.answer, accepted).correct:
            question.correct = True
            changed.add(question.attempt_id)
    db.session.flush()
    for attempt_id in changed:
        right = select(func.count()).where(
            QuizQuestion.attempt_id == attempt_id, QuizQuestion.correct.is_(True)
        )
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt is not None
        attempt.score = db.session.scalar(right) or 0
    db.session.flush()
    return sum(1 for q in questions if q.correct), len(changed)


def wrong_responses(slug: str) -> list[CardResponses] | None:
    """Per typed question of a set, the distinct wrong responses learners gave in submitted
    quizzes, most frequent first, and the responses already accepted; None for no such set."""
    content_set = db.session.scalar(select(ContentSet).where(ContentSet.slug == slug))
    if content_set is None:
        return None
    cards = db.session.scalars(
        select(Card)
        .where(Card.set_id == content_set.id, Card.retired_at.is_(None), Card.type.in_(("short", "cloze")))
        .order_by(Card.position)
    ).all()
    accepted = accepted_for(c.id for c in cards)
    return [CardResponses(c, can_accept(c), _wrong_for(c), accepted.get(c.id, [])) for c in cards]


def _wrong_for(card: Card) -> list[WrongResponse]:
    answers = db.session.scalars(
        select(QuizQuestion.answer)
        .join(QuizAttempt, QuizAttempt.id == QuizQuestion.attempt_id)
        .where(
            QuizQuestion.card_id == card.id,
            QuizQuestion.type == card.type,
            QuizAttempt.submitted_at.is_not(None),
            QuizQuestion.correct.is_(False),
        )
    ).all()
    groups: dict[str, dict[str, int]] = {}
    for answer in answers:
        text = _typed(answer)
        if text:
            spelled = groups.setdefault(response_key(text), {})
            spelled[text] = spelled.get(text, 0) + 1
    found = [WrongResponse(max(s, key=lambda t: (s[t], t)), sum(s.values())) for s in groups.values()]
    return sorted(found, key=lambda w: (-w.count, w.response.casefold()))


def _typed(answer: object) -> str:
    """A stored typed answer as one line of text (a cloze's blanks joined with ' | ')."""
    if isinstance(answer, str):
        return " ".join(answer.split())
    if isinstance(answer, list):
        return " | ".join(" ".join(str(a).split()) for a in answer)
    return ""
