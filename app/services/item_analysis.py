"""Item analysis of a class: its learners' submitted attempts at a set's questions or at an
assignment, and their study of the same cards, as one report read by the page, CSV and API.

The arithmetic lives in app.analytics (items: Moodle's statistics; study: review measures;
flags: reasons to look at a question); this module only gathers the rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.analytics.flags import Flag, flags_for
from app.analytics.items import (
    WHICH_ATTEMPTS,
    Analysis,
    Answer,
    Attempt,
    ItemStats,
    Option,
    TestStats,
    analyse,
)
from app.analytics.study import CardStudy, Progress, Review, card_study
from app.content.render import plain_text
from app.extensions import db
from app.models import (
    Assignment,
    Card,
    CardProgress,
    Classroom,
    ContentSet,
    QuizAttempt,
    QuizQuestion,
    ReviewLog,
    SetSource,
    User,
)
from app.services import classes
from app.services.catalog import card_faces
from app.services.export import spreadsheet_safe

GRADING_TO_WHICH = {"highest": "highest", "first": "first", "last": "last", "average": "all"}
DEFAULT_WHICH = "highest"  # Moodle's default grading method for a quiz, so its report's default


class ScopeError(ValueError):
    """The request names no set or assignment, both, or attempts to count that do not exist."""


class ScopeNotFound(LookupError):
    """No such set, or no such assignment in this class."""


@dataclass(frozen=True)
class Scope:
    """What to analyse: a set (by slug) or an assignment (by id), and which attempts count."""

    set_slug: str | None = None
    assignment_id: int | None = None
    which: str | None = None  # None: the assignment's grading method, or Moodle's default


@dataclass(frozen=True)
class ItemRow:
    number: int
    card: Card
    set_slug: str
    question_text: str
    stats: ItemStats | None
    study: CardStudy | None
    flags: list[Flag]
    editable: bool  # the set has a source in the authoring editor

    @property
    def question_html(self) -> str:
        card = self.card
        return str(
            card_faces(card.type, card.question, card.answer, dict(card.details or {}))["question_html"]
        )


@dataclass(frozen=True)
class ItemReport:
    classroom: Classroom
    kind: str  # "set" or "assignment"
    title: str
    set_slug: str | None
    assignment_id: int | None
    which: str
    learners: int
    test: TestStats
    items: list[ItemRow]

    @property
    def flagged(self) -> list[ItemRow]:
        return [row for row in self.items if row.flags]


@dataclass(frozen=True)
class Choices:
    """What the chooser page offers: sets with submitted answers or study in the class, and its
    assignments."""

    sets: list[ContentSet]
    assignments: list[Assignment]


def parse_scope(set_slug: str | None, assignment: str | None, attempts: str | None) -> Scope:
    """A scope from query parameters, or ScopeError with a message for the person who sent it."""
    if bool(set_slug) == bool(assignment):
        raise ScopeError("Give either set=<slug> or assignment=<id>.")
    which = attempts or None
    if which is not None and which not in WHICH_ATTEMPTS:
        raise ScopeError(f"attempts must be one of {', '.join(WHICH_ATTEMPTS)}.")
    if assignment:
        if not assignment.isdigit():
            raise ScopeError("assignment must be a number.")
        return Scope(assignment_id=int(assignment), which=which)
    return Scope(set_slug=set_slug, which=which)


def report(user: User, class_id: int, scope: Scope) -> ItemReport:
    """The class's item analysis for the scope; ClassNotFound unless the user teaches the class."""
    classroom = classes.instructor_class(user, class_id)
    learner_ids = [u.id for u in classes.learners(class_id)]
    if scope.assignment_id is not None:
        assignment = _assignment(class_id, scope.assignment_id)
        which = scope.which or GRADING_TO_WHICH.get(assignment.grading, DEFAULT_WHICH)
        cards = _scope_cards(assignment.sets, list(assignment.card_ids or []))
        attempt_rows = _attempts(learner_ids, QuizAttempt.assignment_id == assignment.id)
        title, kind, slug = assignment.title, "assignment", None
    else:
        content_set = _content_set(scope.set_slug or "")
        which = scope.which or DEFAULT_WHICH
        cards = _scope_cards([content_set.slug], [])
        asked_here = QuizAttempt.id.in_(
            select(QuizQuestion.attempt_id)
            .join(Card, Card.id == QuizQuestion.card_id)
            .where(Card.set_id == content_set.id)
        )
        attempt_rows = _attempts(learner_ids, asked_here)
        title, kind, slug = content_set.title, "set", content_set.slug
    analysis = analyse(attempt_rows, which)
    items = _rows(cards, analysis, learner_ids)
    return ItemReport(
        classroom, kind, title, slug, scope.assignment_id, which, len(learner_ids), analysis.test, items
    )


def choices(user: User, class_id: int) -> Choices:
    """Sets the class's learners answered in quizzes or studied, and the class's assignments."""
    classes.instructor_class(user, class_id)
    learner_ids = [u.id for u in classes.learners(class_id)]
    asked = (
        select(Card.set_id)
        .join(QuizQuestion, QuizQuestion.card_id == Card.id)
        .join(QuizAttempt, QuizAttempt.id == QuizQuestion.attempt_id)
        .where(QuizAttempt.user_id.in_(learner_ids), QuizAttempt.submitted_at.is_not(None))
    )
    studied = select(CardProgress.set_id).where(CardProgress.user_id.in_(learner_ids), CardProgress.reps > 0)
    sets = db.session.scalars(
        select(ContentSet)
        .where(ContentSet.id.in_(asked.union(studied)))
        .order_by(ContentSet.weight, ContentSet.title)
    )
    assignments = db.session.scalars(
        select(Assignment)
        .where(Assignment.class_id == class_id, Assignment.deleted_at.is_(None))
        .order_by(Assignment.created_at, Assignment.id)
    )
    return Choices(list(sets), list(assignments))


def _assignment(class_id: int, assignment_id: int) -> Assignment:
    found = db.session.get(Assignment, assignment_id)
    if found is None or found.class_id != class_id or found.deleted_at is not None:
        raise ScopeNotFound("This class has no such assignment.")
    return found


def _content_set(slug: str) -> ContentSet:
    found = db.session.scalar(select(ContentSet).where(ContentSet.slug == slug))
    if found is None:
        raise ScopeNotFound(f"There is no question set called '{slug}'.")
    return found


def _scope_cards(slugs: list[str], card_ids: list[int]) -> list[Card]:
    """The questions in scope: the chosen cards, or the active cards of the sets."""
    if card_ids:
        return list(db.session.scalars(select(Card).where(Card.id.in_(card_ids))))
    return list(
        db.session.scalars(
            select(Card)
            .join(ContentSet, ContentSet.id == Card.set_id)
            .where(ContentSet.slug.in_(slugs), Card.retired_at.is_(None))
        )
    )


def _attempts(learner_ids: list[int], *conditions: Any) -> list[Attempt]:
    """The learners' submitted attempts matching the conditions, as plain values."""
    rows = db.session.scalars(
        select(QuizAttempt).where(
            QuizAttempt.user_id.in_(learner_ids),
            QuizAttempt.submitted_at.is_not(None),
            *conditions,
        )
    )
    return [Attempt(a.id, a.user_id, a.started_at, tuple(_answer(q) for q in a.questions)) for a in rows]


def _answer(question: QuizQuestion) -> Answer:
    """A question's mark (unanswered or wrong: 0) and, for a choice question, the texts chosen."""
    mark = 1.0 if question.correct else 0.0
    if question.type != "choice":
        return Answer(question.card_id, question.position, mark)
    texts = {c["id"]: plain_text(str(c["text"])) for c in question.choices}
    options = tuple(Option(texts[c["id"]], bool(c["correct"])) for c in question.choices)
    chosen = frozenset(texts[i] for i in (question.answer or []) if i in texts)
    return Answer(question.card_id, question.position, mark, options, chosen)


def _rows(cards: list[Card], analysis: Analysis, learner_ids: list[int]) -> list[ItemRow]:
    asked_ids = set(analysis.items) - {c.id for c in cards}
    if asked_ids:
        cards = cards + list(db.session.scalars(select(Card).where(Card.id.in_(asked_ids))))
    sets = {
        s.id: s
        for s in db.session.scalars(select(ContentSet).where(ContentSet.id.in_({c.set_id for c in cards})))
    }
    cards.sort(key=lambda c: (sets[c.set_id].weight, sets[c.set_id].title, c.position, c.id))
    study = _study([c.id for c in cards], learner_ids)
    editable = _editable({s.slug for s in sets.values()})
    return [
        ItemRow(
            number=n,
            card=card,
            set_slug=sets[card.set_id].slug,
            question_text=plain_text(card.question),
            stats=analysis.items.get(card.id),
            study=study.get(card.id),
            flags=flags_for(analysis.items.get(card.id), study.get(card.id)),
            editable=sets[card.set_id].slug in editable,
        )
        for n, card in enumerate(cards, 1)
    ]


def _study(card_ids: list[int], learner_ids: list[int]) -> dict[int, CardStudy]:
    if not card_ids or not learner_ids:
        return {}
    reviews = db.session.execute(
        select(
            ReviewLog.card_id,
            ReviewLog.user_id,
            ReviewLog.rating,
            ReviewLog.reviewed_at,
            ReviewLog.phase_before,
        ).where(
            ReviewLog.card_id.in_(card_ids),
            ReviewLog.user_id.in_(learner_ids),
            ReviewLog.undone_at.is_(None),
            ReviewLog.rating >= 1,  # a manual forget or reschedule (rating 0) is no review
        )
    )
    progress = db.session.execute(
        select(CardProgress.card_id, CardProgress.user_id, CardProgress.difficulty, CardProgress.leech).where(
            CardProgress.card_id.in_(card_ids), CardProgress.user_id.in_(learner_ids)
        )
    )
    return card_study((Review(*r) for r in reviews), (Progress(*p) for p in progress))


def _editable(slugs: Iterable[str]) -> set[str]:
    """Slugs whose source the authoring editor holds (set pages link each question to its line)."""
    return set(
        db.session.scalars(
            select(SetSource.slug).where(SetSource.slug.in_(list(slugs)), SetSource.current_revision > 0)
        )
    )


CSV_COLUMNS = (
    "number",
    "set",
    "card_id",
    "card",
    "question",
    "responses",
    "facility",
    "standard_deviation",
    "discrimination",
    "discriminative_efficiency",
    "first_again_rate",
    "lapse_rate",
    "mean_difficulty",
    "leeches",
    "flags",
)


def item_dict(row: ItemRow) -> dict[str, Any]:
    """One question's figures as plain values (the API's item and the CSV's row)."""
    stats, study = row.stats, row.study
    return {
        "number": row.number,
        "card_id": row.card.id,
        "set": row.set_slug,
        "card": row.card.key,
        "question": row.question_text,
        "type": row.card.type,
        "line": row.card.line or None,
        "responses": stats.responses if stats else 0,
        "facility": stats.facility if stats else None,
        "standard_deviation": stats.standard_deviation if stats else None,
        "discrimination": stats.discrimination if stats else None,
        "discriminative_efficiency": stats.discriminative_efficiency if stats else None,
        "first_again_rate": study.first_again_rate if study else None,
        "lapse_rate": study.lapse_rate if study else None,
        "mean_difficulty": study.mean_difficulty if study else None,
        "leeches": study.leeches if study else 0,
        "flags": [{"code": f.code, "reason": f.reason} for f in row.flags],
        "options": [
            {"text": o.text, "correct": o.correct, "chosen": o.chosen, "top": o.top, "bottom": o.bottom}
            for o in (stats.options if stats else ())
        ],
    }


def report_dict(found: ItemReport) -> dict[str, Any]:
    """The whole report as plain values, for the API."""
    test = found.test
    return {
        "class_id": found.classroom.id,
        "scope": found.kind,
        "title": found.title,
        "set": found.set_slug,
        "assignment_id": found.assignment_id,
        "which_attempts": found.which,
        "learners": found.learners,
        "attempts": test.attempts,
        "questions_per_attempt": test.questions,
        "mean": test.mean,
        "standard_deviation": test.standard_deviation,
        "internal_consistency": test.internal_consistency,
        "error_ratio": test.error_ratio,
        "standard_error": test.standard_error,
        "top_third": test.top_size,
        "bottom_third": test.bottom_size,
        "items": [item_dict(row) for row in found.items],
    }


def report_csv(found: ItemReport) -> Iterator[str]:
    """One row per question, figures as in the API; text cells kept from running as formulas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in found.items:
        item = item_dict(row)
        item["flags"] = "; ".join(f["reason"] for f in item["flags"])
        writer.writerow([spreadsheet_safe(_cell(item[c])) for c in CSV_COLUMNS])
    yield buffer.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return value
