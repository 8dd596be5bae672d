"""Timed quizzes: start, save answers against the server's deadline, submit once, feed FSRS.

Correct answers stay on the server until an attempt is submitted; every read goes through the
learner's own attempts, so another learner's attempt is simply not found.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select, update

from app.extensions import db
from app.models import Card, CardProgress, ContentSet, QuizAttempt, QuizQuestion, User
from app.quiz.grading import Mark, UngradableResponse, Verdict, checked_text, checked_texts
from app.quiz.marking import Asked, mark_answer, typed_verdict
from app.quiz.rules import Candidate, Deadline, PlannedQuestion, check_request, plan_questions
from app.services import study
from app.services.overrides import accepted_for

MODES = ("sets", "due", "weakest")


class QuizNotFound(LookupError):
    """No such attempt (or question) among this learner's own."""


class QuizClosed(RuntimeError):
    """The attempt no longer takes answers: time is up, or it was submitted."""


class QuizRequestError(ValueError):
    """A quiz that cannot be started as asked, with a message for the learner."""


class QuizAttemptsUsed(QuizRequestError):
    """The learner has used every attempt the instructor allows at a set's quiz."""


@dataclass(frozen=True)
class ResultItem:
    question_id: int
    position: int
    type: str
    question: str
    answer: Any
    right_answer: str
    explanation: str
    correct: bool
    choices: list[dict[str, Any]]
    card: Card
    note: str = ""  # why a typed answer was accepted or judged wrong (a near miss, an accepted response)
    verdict: Verdict | None = None  # the grader's detail for a typed answer, computed now


@dataclass(frozen=True)
class QuizResult:
    attempt_id: int
    title: str
    score: int
    total: int
    time_used_s: int
    auto_submitted: bool
    submitted_at: datetime
    items: list[ResultItem]


def deadline_of(attempt: QuizAttempt, grace_s: float) -> Deadline:
    return Deadline(attempt.started_at, attempt.ends_at, timedelta(seconds=grace_s))


def _candidates(cards: list[Card]) -> list[Candidate]:
    return [Candidate(c.id, c.set_id, c.type, c.question, c.answer, dict(c.details or {})) for c in cards]


def _active_cards(*conditions: Any) -> list[Card]:
    query = (
        select(Card)
        .join(ContentSet, ContentSet.id == Card.set_id)
        .where(Card.retired_at.is_(None), ContentSet.retired_at.is_(None), *conditions)
        .order_by(Card.id)
    )
    return list(db.session.scalars(query))


def _learner_cards(user: User, mode: str, now: datetime) -> list[Card]:
    study.refresh_deck(user)
    mine = select(CardProgress.card_id).where(
        CardProgress.user_id == user.id, CardProgress.retired.is_(False), CardProgress.phase != "new"
    )
    if mode == "due":
        mine = mine.where(CardProgress.due <= now)
    else:
        mine = mine.order_by(CardProgress.lapses.desc(), CardProgress.stability).limit(50)
    return _active_cards(Card.id.in_(list(db.session.scalars(mine))))


def start_quiz(
    user: User,
    now: datetime,
    *,
    mode: str,
    sets: list[str],
    count: int,
    time_limit_s: int,
    seed: int | None = None,
) -> QuizAttempt:
    """A new attempt on the chosen sets, or on the learner's due or weakest cards."""
    try:
        check_request(count, time_limit_s)
    except ValueError as exc:
        raise QuizRequestError(str(exc)) from exc
    if mode not in MODES:
        raise QuizRequestError("Choose sets, your due cards or your weakest cards.")
    if mode == "sets":
        set_rows = _sets_by_slug(sets)
        chosen = _active_cards(Card.set_id.in_([s.id for s in set_rows]))
        title = ", ".join(s.title for s in set_rows)
    else:
        chosen = _learner_cards(user, mode, now)
        title = "My due cards" if mode == "due" else "My weakest cards"
    siblings = _active_cards(Card.set_id.in_({c.set_id for c in chosen})) if chosen else []
    planned = plan_questions(_candidates(chosen), count, _seed(seed), _candidates(siblings))
    if not planned:
        raise QuizRequestError(_nothing_to_ask(mode))
    return _create(user, now, title, {"mode": mode, "sets": sets}, time_limit_s, planned, None)


def _seed(seed: int | None) -> int:
    return seed if seed is not None else random.SystemRandom().randrange(2**31)


def _nothing_to_ask(mode: str) -> str:
    if mode == "due":
        return "You have no cards due right now; choose sets instead."
    if mode == "weakest":
        return "Study some cards first: your weakest cards come from your reviews."
    return "Those sets have no questions a quiz can ask."


def _sets_by_slug(slugs: list[str]) -> list[ContentSet]:
    if not slugs:
        raise QuizRequestError("Choose at least one set.")
    rows = list(
        db.session.scalars(
            select(ContentSet).where(ContentSet.slug.in_(slugs), ContentSet.retired_at.is_(None))
        )
    )
    missing = set(slugs) - {s.slug for s in rows}
    if missing:
        raise QuizRequestError(f"There is no question set called '{sorted(missing)[0]}'.")
    return sorted(rows, key=lambda s: (s.weight, s.title))


def fixed_quiz(content_set: ContentSet) -> dict[str, int] | None:
    """The quiz an instructor fixed in the set's front matter: questions, time limit, attempts."""
    settings = (content_set.front_matter or {}).get("quiz")
    if not isinstance(settings, dict):
        return None
    return {
        "questions": int(settings.get("questions", 10)),
        "time_limit_s": int(settings.get("time_limit", 600)),
        "attempts": int(settings.get("attempts", 0)),
    }


def attempts_used(user: User, set_id: int) -> int:
    return len(
        db.session.scalars(
            select(QuizAttempt.id).where(QuizAttempt.user_id == user.id, QuizAttempt.fixed_set_id == set_id)
        ).all()
    )


def start_fixed_quiz(user: User, slug: str, now: datetime, seed: int | None = None) -> QuizAttempt:
    """The set's own quiz, as its instructor fixed it; refused once the attempts are used up, also
    when several tabs or servers start it at the same moment."""
    content_set = db.session.scalar(
        select(ContentSet).where(ContentSet.slug == slug, ContentSet.retired_at.is_(None))
    )
    if content_set is None:
        raise QuizNotFound(f"There is no question set called '{slug}'.")
    settings = fixed_quiz(content_set)
    if settings is None:
        raise QuizRequestError("This set has no quiz of its own; build one at /quiz/new.")
    cards = _candidates(_active_cards(Card.set_id == content_set.id))
    planned = plan_questions(cards, settings["questions"], _seed(seed))
    if settings["attempts"]:
        hold_learner(user)
        if attempts_used(user, content_set.id) >= settings["attempts"]:
            db.session.rollback()
            raise QuizAttemptsUsed(f"You have used all {settings['attempts']} attempts at this quiz.")
    source = {"mode": "fixed", "sets": [slug]}
    return _create(user, now, content_set.title, source, settings["time_limit_s"], planned, content_set.id)


def plan_assigned(
    sets: list[str], card_ids: list[int], count: int, seed: int | None = None
) -> list[PlannedQuestion]:
    """An assigned quiz's questions: from the chosen cards if any, else from the sets (live ones)."""
    set_rows = _sets_by_slug(sets)
    set_ids = [s.id for s in set_rows]
    chosen = _active_cards(Card.set_id.in_(set_ids), *([Card.id.in_(card_ids)] if card_ids else []))
    siblings = _active_cards(Card.set_id.in_(set_ids))
    return plan_questions(_candidates(chosen), count, _seed(seed), _candidates(siblings))


def start_assigned(
    user: User,
    now: datetime,
    title: str,
    source: dict[str, Any],
    time_limit_s: int,
    planned: list[PlannedQuestion],
    assignment_id: int,
    ends_at: datetime,
) -> QuizAttempt:
    """An assigned quiz's attempt, in the transaction that counted the learner's attempts."""
    return _create(
        user, now, title, source, time_limit_s, planned, None, assignment_id=assignment_id, ends_at=ends_at
    )


def hold_learner(user: User) -> None:
    """Write the learner's row (changing nothing) so that the attempts counted next stay counted
    until commit: PostgreSQL locks the row, SQLite the database; a parallel start waits, then
    counts the attempt this one adds."""
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(cards_version=User.cards_version)
        .execution_options(synchronize_session=False)
    )


def _create(
    user: User,
    now: datetime,
    title: str,
    source: dict[str, Any],
    time_limit_s: int,
    planned: list[PlannedQuestion],
    fixed_set_id: int | None,
    *,
    assignment_id: int | None = None,
    ends_at: datetime | None = None,
) -> QuizAttempt:
    """Store and commit the attempt; `ends_at` (an assignment's close time) may end it before its
    time limit does."""
    attempt = QuizAttempt(
        user_id=user.id,
        title=title,
        source=source,
        fixed_set_id=fixed_set_id,
        time_limit_s=time_limit_s,
        started_at=now,
        ends_at=ends_at if ends_at is not None else now + timedelta(seconds=time_limit_s),
        total=len(planned),
        assignment_id=assignment_id,
    )
    for position, plan in enumerate(planned, 1):
        choices = [{"id": c.id, "text": c.text, "correct": c.correct} for c in plan.choices]
        attempt.questions.append(
            QuizQuestion(
                card_id=plan.card_id,
                position=position,
                type=plan.type,
                choices=choices,
                multiple=plan.multiple,
            )
        )
    db.session.add(attempt)
    db.session.commit()
    return attempt


def _own_attempt(user: User, attempt_id: int) -> QuizAttempt:
    attempt = db.session.scalar(
        select(QuizAttempt).where(QuizAttempt.id == attempt_id, QuizAttempt.user_id == user.id)
    )
    if attempt is None:
        raise QuizNotFound("There is no such quiz among yours.")
    return attempt


def get_attempt(user: User, attempt_id: int, now: datetime, grace_s: float) -> QuizAttempt:
    """The learner's attempt; one whose time ran out is submitted now, on this request, and a
    submitted one with answers that never reached the scheduler has them graded now."""
    attempt = _own_attempt(user, attempt_id)
    overdue = attempt.submitted_at is None and deadline_of(attempt, grace_s).overdue(now)
    left = attempt.submitted_at is not None and any(q.graded_at is None for q in attempt.questions)
    if overdue or left:
        submit(user, attempt_id, now, grace_s, auto=True)
        db.session.refresh(attempt)
    return attempt


def held_cards(user: User, now: datetime, grace_s: float) -> Select[tuple[int]]:
    """The cards asked by the learner's open attempts (not submitted, deadline plus grace not yet
    passed), as a query: study neither shows, checks nor grades them until the attempt is
    submitted, and folds this query into its own statements rather than running it apart."""
    open_attempts = select(QuizAttempt.id).where(
        QuizAttempt.user_id == user.id,
        QuizAttempt.submitted_at.is_(None),
        QuizAttempt.ends_at >= now - timedelta(seconds=grace_s),
    )
    return select(QuizQuestion.card_id).where(QuizQuestion.attempt_id.in_(open_attempts))


def save_answer(
    user: User, attempt_id: int, question_id: int, answer: Any, now: datetime, grace_s: float
) -> None:
    """Save one answer, stamped with server time; refused once the deadline (plus grace) has passed,
    or once the attempt is submitted, even by a submit that another tab sent a moment before."""
    attempt = get_attempt(user, attempt_id, now, grace_s)
    if attempt.submitted_at is not None:
        raise _closed(attempt)
    question = next((q for q in attempt.questions if q.id == question_id), None)
    if question is None:
        raise QuizNotFound("This quiz has no such question.")
    saved = db.session.execute(  # a submit marks every question graded as it closes the attempt
        update(QuizQuestion)
        .where(QuizQuestion.id == question.id, QuizQuestion.graded_at.is_(None))
        .values(answer=_clean_answer(question, answer), answered_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if saved.rowcount != 1:  # type: ignore[attr-defined]
        db.session.refresh(attempt)
        raise _closed(attempt)


def _closed(attempt: QuizAttempt) -> QuizClosed:
    return QuizClosed(
        "Time is up: this quiz was submitted, and answers sent after the deadline do not count."
        if attempt.auto_submitted
        else "This quiz is already submitted; its answers can no longer change."
    )


def _clean_answer(question: QuizQuestion, answer: Any) -> Any:
    """Check an answer's shape for its question type, so grading never meets a malformed one."""
    if answer is None or answer == "" or answer == []:
        return None
    if question.type == "choice":
        chosen = answer if isinstance(answer, list) else [answer]
        ids = {c["id"] for c in question.choices}
        if not all(isinstance(a, str) and a in ids for a in chosen):
            raise UngradableResponse(f"choose among the options {', '.join(sorted(ids))}")
        return sorted(set(chosen))
    if question.type == "cloze":
        return checked_texts(answer)
    if question.type == "true-false":
        if isinstance(answer, bool):
            return "true" if answer else "false"
        if isinstance(answer, str) and answer.strip().lower() in ("true", "false"):
            return answer.strip().lower()
        raise UngradableResponse("answer true or false")
    return checked_text(answer)


def _asked(question: QuizQuestion, card: Card) -> Asked:
    return Asked(question.type, question.choices, card.question, card.answer, dict(card.details or {}))


def _mark_of(question: QuizQuestion, card: Card, accepted: dict[int, list[str]]) -> Mark:
    """The question's mark under its near-miss policy, counting responses accepted for everyone."""
    return mark_answer(_asked(question, card), question.answer, accepted.get(card.id, []))


def submit(user: User, attempt_id: int, now: datetime, grace_s: float, auto: bool = False) -> QuizResult:
    """Submit once, and reschedule each answered card exactly once (wrong: Again, right: Good),
    whatever another tab, a second submit or the sweep does meanwhile. Every call returns the
    same result, and grades whatever an earlier call left ungraded."""
    attempt = _own_attempt(user, attempt_id)
    study.refresh_deck(user)  # commits on its own: the grading transaction below must not
    try:
        _close_and_grade(user, attempt, min(now, attempt.ends_at + timedelta(seconds=grace_s)), auto)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.refresh(attempt)
    return result_of(attempt)


def _close_and_grade(user: User, attempt: QuizAttempt, closed_at: datetime, auto: bool) -> None:
    """In one transaction: close the attempt if it is open, mark its questions, and grade every
    question not yet graded. Whoever closes the attempt or grades leftovers first writes the
    attempt's row, which locks it (a row lock on PostgreSQL, the database on SQLite) until commit,
    so a concurrent submit or sweep waits and then finds nothing left to do."""
    claimed = db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(submitted_at=closed_at, auto_submitted=auto)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        left = select(QuizQuestion.id).where(
            QuizQuestion.attempt_id == attempt.id, QuizQuestion.graded_at.is_(None)
        )
        if db.session.scalar(left.limit(1)) is None:
            return
        db.session.execute(  # a write that changes nothing, to hold the attempt while grading
            update(QuizAttempt).where(QuizAttempt.id == attempt.id).values(score=QuizAttempt.score)
        )
    db.session.refresh(attempt)
    questions = _ungraded(attempt.id)
    if claimed.rowcount == 1:  # type: ignore[attr-defined]
        _mark(attempt)
    assert attempt.submitted_at is not None
    for question in questions:
        if question.answer is not None:
            rating = 3 if question.correct else 1
            study.grade_in_transaction(user, question.card_id, rating, attempt.submitted_at, "quiz")
        question.graded_at = attempt.submitted_at
    db.session.flush()


def _ungraded(attempt_id: int) -> list[QuizQuestion]:
    """The attempt's questions whose answers have not reached the scheduler, locked (on PostgreSQL;
    SQLite's writer holds the database) so that an answer saved meanwhile in another tab is either
    in before they are read or refused after. In card order, the order every grader locks cards
    in, so two attempts sharing cards cannot deadlock."""
    return list(
        db.session.scalars(
            select(QuizQuestion)
            .where(QuizQuestion.attempt_id == attempt_id, QuizQuestion.graded_at.is_(None))
            .order_by(QuizQuestion.card_id, QuizQuestion.id)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
    )


def _mark(attempt: QuizAttempt) -> None:
    """Mark each question right or wrong, and the attempt's score."""
    accepted = accepted_for(q.card_id for q in attempt.questions)
    for question in attempt.questions:
        card = db.session.get(Card, question.card_id)
        question.correct = card is not None and _mark_of(question, card, accepted).correct
    attempt.score = sum(1 for q in attempt.questions if q.correct)


def result_of(attempt: QuizAttempt) -> QuizResult:
    assert attempt.submitted_at is not None
    items = []
    accepted = accepted_for(q.card_id for q in attempt.questions)
    for question in attempt.questions:
        card = db.session.get(Card, question.card_id)
        assert card is not None
        mark = _mark_of(question, card, accepted) if question.correct is not None else Mark(False)
        items.append(
            ResultItem(
                question_id=question.id,
                position=question.position,
                type=question.type,
                question=card.question,
                answer=question.answer,
                right_answer=_right_answer(question, card),
                explanation=str((card.details or {}).get("explanation", "")),
                correct=bool(question.correct),
                choices=list(question.choices),
                card=card,
                note=mark.note if mark.correct == bool(question.correct) else "",
                verdict=typed_verdict(
                    _asked(question, card), question.answer
                ),  # others' responses stay private
            )
        )
    used = min(attempt.submitted_at, attempt.ends_at) - attempt.started_at
    return QuizResult(
        attempt_id=attempt.id,
        title=attempt.title,
        score=attempt.score or 0,
        total=attempt.total,
        time_used_s=max(0, int(used.total_seconds())),
        auto_submitted=attempt.auto_submitted,
        submitted_at=attempt.submitted_at,
        items=items,
    )


def _right_answer(question: QuizQuestion, card: Card) -> str:
    if question.type == "choice":
        return "; ".join(c["text"] for c in question.choices if c["correct"])
    return card.answer


def sweep(now: datetime, grace_s: float) -> int:
    """Submit every attempt whose time ran out; returns how many."""
    overdue = db.session.execute(
        select(QuizAttempt.id, QuizAttempt.user_id).where(
            QuizAttempt.submitted_at.is_(None), QuizAttempt.ends_at < now - timedelta(seconds=grace_s)
        )
    ).all()
    for attempt_id, user_id in overdue:
        user = db.session.get(User, user_id)
        assert user is not None
        submit(user, attempt_id, now, grace_s, auto=True)
    return len(overdue)


def history(user: User) -> list[QuizAttempt]:
    return list(
        db.session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.user_id == user.id, QuizAttempt.submitted_at.is_not(None))
            .order_by(QuizAttempt.started_at)
        )
    )


def missed_card_ids(result: QuizResult) -> list[int]:
    return [item.card.id for item in result.items if not item.correct]


def missed_in(user: User, attempt_id: int, now: datetime) -> list[int]:
    """The cards this learner missed in one of their submitted quizzes ("study the ones I missed"),
    once its assignment (if any) lets them see which those were."""
    from app.services.assignments import answers_shown  # assignments build on this module

    attempt = _own_attempt(user, attempt_id)
    if attempt.submitted_at is None:
        raise QuizClosed("Finish the quiz first; then study the ones you missed.")
    if not answers_shown(attempt, now):
        raise QuizClosed("Your instructor has not released this quiz's answers yet.")
    return [q.card_id for q in attempt.questions if not q.correct]
