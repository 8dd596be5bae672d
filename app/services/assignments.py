"""Assigned quizzes: set one for a class, accommodate a learner, start an attempt inside the
learner's window, and grade the attempts into the gradebook.

An assignment is found only through a class its user teaches (instructors) or is in (learners);
to anyone else it does not exist.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from app.content.render import plain_text
from app.content.review import blank_clozes
from app.extensions import db
from app.models import Assignment, AssignmentOverride, Card, Classroom, ContentSet, QuizAttempt, User
from app.quiz.assignments import (
    GRADING,
    REVIEW,
    Accommodation,
    Window,
    answers_visible,
    attempt_end,
    attempts_left,
    effective,
    grade,
    local_text,
    refusal,
    status,
)
from app.quiz.rules import check_request
from app.services import classes, quiz
from app.services.export import spreadsheet_safe

MAX_TITLE = 300
MAX_ATTEMPTS = 100
MAX_CHOSEN = 500


class AssignmentNotFound(LookupError):
    """No such assignment among those this user may see."""


class AssignmentError(ValueError):
    """An assignment outside the rules, with a message for the instructor."""


class AttemptRefused(RuntimeError):
    """An attempt outside the learner's window or beyond their attempts."""


@dataclass(frozen=True)
class AssignmentSpec:
    """An assignment as an instructor asks for it (times already in UTC)."""

    sets: list[str]
    count: int
    time_limit_s: int
    attempts: int = 1
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    grading: str = "highest"
    review: str = "immediately"
    title: str = ""
    card_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class GradeCell:
    """One learner on one assignment: attempts started, and the grade (a fraction in [0, 1] by the
    assignment's grading method over submitted attempts; None before the first is submitted)."""

    attempts: int
    grade: float | None


def class_assignments(class_id: int) -> list[Assignment]:
    """The class's assignments (not deleted), by open time, then creation."""
    rows = db.session.scalars(
        select(Assignment)
        .where(Assignment.class_id == class_id, Assignment.deleted_at.is_(None))
        .order_by(Assignment.created_at, Assignment.id)
    )
    return sorted(rows, key=lambda a: (a.opens_at or a.created_at, a.created_at, a.id))


def _fraction(attempt: QuizAttempt) -> float:
    return (attempt.score or 0) / attempt.total if attempt.total else 0.0


def grade_cell(assignment: Assignment, attempts: list[QuizAttempt]) -> GradeCell:
    """A learner's cell from their attempts at the assignment (in the order they were started)."""
    done = [_fraction(a) for a in attempts if a.submitted_at is not None]
    return GradeCell(attempts=len(attempts), grade=grade(assignment.grading, done))


def grade_table(class_id: int) -> dict[tuple[int, int], GradeCell]:
    """Every current learner's cell on every assignment of the class, keyed (user_id, assignment_id)."""
    assignments = class_assignments(class_id)
    people = [u.id for u in classes.learners(class_id)]
    by_cell: dict[tuple[int, int], list[QuizAttempt]] = defaultdict(list)
    if assignments and people:
        attempts = db.session.scalars(
            select(QuizAttempt)
            .where(
                QuizAttempt.assignment_id.in_([a.id for a in assignments]),
                QuizAttempt.user_id.in_(people),
            )
            .order_by(QuizAttempt.started_at, QuizAttempt.id)
        )
        for attempt in attempts:
            assert attempt.assignment_id is not None
            by_cell[(attempt.user_id, attempt.assignment_id)].append(attempt)
    return {
        (user_id, a.id): grade_cell(a, by_cell.get((user_id, a.id), []))
        for user_id in people
        for a in assignments
    }


def _title(spec: AssignmentSpec, set_rows: list[ContentSet]) -> str:
    title = spec.title.strip() or ", ".join(s.title for s in set_rows)
    if len(title) > MAX_TITLE:
        raise AssignmentError(f"A title has at most {MAX_TITLE} characters.")
    return title


def _live_sets(slugs: list[str]) -> list[ContentSet]:
    if not slugs:
        raise AssignmentError("Choose at least one set.")
    rows = list(
        db.session.scalars(
            select(ContentSet).where(ContentSet.slug.in_(slugs), ContentSet.retired_at.is_(None))
        )
    )
    missing = set(slugs) - {s.slug for s in rows}
    if missing:
        raise AssignmentError(f"There is no question set called '{sorted(missing)[0]}'.")
    return sorted(rows, key=lambda s: (s.weight, s.title))


def _check_cards(card_ids: list[int], set_rows: list[ContentSet]) -> None:
    if len(card_ids) > MAX_CHOSEN:
        raise AssignmentError(f"Choose at most {MAX_CHOSEN} questions.")
    if not card_ids:
        return
    found = set(
        db.session.scalars(
            select(Card.id).where(
                Card.id.in_(card_ids), Card.set_id.in_([s.id for s in set_rows]), Card.retired_at.is_(None)
            )
        )
    )
    stray = [c for c in card_ids if c not in found]
    if stray:
        raise AssignmentError(f"Question {stray[0]} is not a live question of the chosen sets.")


def _check(spec: AssignmentSpec) -> str:
    """The checked spec's title; AssignmentError with the first rule it breaks."""
    try:
        check_request(spec.count, spec.time_limit_s)
    except ValueError as exc:
        raise AssignmentError(str(exc)) from exc
    if spec.opens_at and spec.closes_at and spec.opens_at >= spec.closes_at:
        raise AssignmentError("The close time must come after the open time.")
    if not 0 <= spec.attempts <= MAX_ATTEMPTS:
        raise AssignmentError(f"Allow 0 (no limit) to {MAX_ATTEMPTS} attempts.")
    if spec.grading not in GRADING:
        raise AssignmentError(f"Grade by one of: {', '.join(GRADING)}.")
    if spec.review not in REVIEW:
        raise AssignmentError(f"Show right answers: {', '.join(REVIEW)}.")
    if spec.review == "after_close" and spec.closes_at is None:
        raise AssignmentError("Showing right answers after the close needs a close time.")
    set_rows = _live_sets(spec.sets)
    _check_cards(spec.card_ids, set_rows)
    if not quiz.plan_assigned(spec.sets, spec.card_ids, spec.count, seed=0):
        raise AssignmentError("Those questions include none a quiz can ask.")
    return _title(spec, set_rows)


def _write(assignment: Assignment, spec: AssignmentSpec, title: str) -> None:
    assignment.title = title
    assignment.sets = list(dict.fromkeys(spec.sets))
    assignment.card_ids = list(dict.fromkeys(spec.card_ids))
    assignment.count = spec.count
    assignment.time_limit_s = spec.time_limit_s
    assignment.opens_at = spec.opens_at
    assignment.closes_at = spec.closes_at
    assignment.attempts = spec.attempts
    assignment.grading = spec.grading
    assignment.review = spec.review


def create_assignment(classroom: Classroom, author: User, spec: AssignmentSpec, now: datetime) -> Assignment:
    """Assign a quiz to the class (the caller checked that `author` teaches it)."""
    title = _check(spec)
    assignment = Assignment(class_id=classroom.id, created_by=author.id, created_at=now)
    _write(assignment, spec, title)
    db.session.add(assignment)
    db.session.commit()
    return assignment


def update_assignment(assignment: Assignment, spec: AssignmentSpec, now: datetime) -> Assignment:
    """Change an assignment; attempts in progress follow its new close time and time limit."""
    title = _check(spec)
    _write(assignment, spec, title)
    db.session.flush()
    _follow(assignment, None, now)
    db.session.commit()
    return assignment


def delete_assignment(assignment: Assignment, now: datetime) -> None:
    """Take the assignment away from learners and the gradebook; its attempts stay in history."""
    assignment.deleted_at = now
    db.session.commit()


def class_assignment(classroom: Classroom, assignment_id: int) -> Assignment:
    """One of the class's (not deleted) assignments."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.class_id != classroom.id or assignment.deleted_at is not None:
        raise AssignmentNotFound("There is no such assignment in this class.")
    return assignment


def taught_assignment(user: User, assignment_id: int) -> tuple[Classroom, Assignment]:
    """An assignment of a class this user teaches; AssignmentNotFound for anyone else."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.deleted_at is not None:
        raise AssignmentNotFound("There is no such assignment among yours.")
    try:
        classroom = classes.instructor_class(user, assignment.class_id)
    except classes.ClassNotFound:
        raise AssignmentNotFound("There is no such assignment among yours.") from None
    return classroom, assignment


def _learner_assignment(user: User, assignment_id: int) -> tuple[Classroom, Assignment]:
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.deleted_at is not None:
        raise AssignmentNotFound("There is no such assignment among yours.")
    try:
        classroom = classes.learner_class(user, assignment.class_id)
    except classes.ClassNotFound:
        raise AssignmentNotFound("There is no such assignment among yours.") from None
    return classroom, assignment


# Accommodations


def _override(assignment_id: int, user_id: int) -> AssignmentOverride | None:
    return db.session.scalar(
        select(AssignmentOverride).where(
            AssignmentOverride.assignment_id == assignment_id, AssignmentOverride.user_id == user_id
        )
    )


def overrides_of(assignment: Assignment) -> dict[int, AssignmentOverride]:
    return {o.user_id: o for o in assignment.overrides}


def base_window(assignment: Assignment) -> Window:
    return Window(assignment.opens_at, assignment.closes_at, assignment.time_limit_s, assignment.attempts)


def _accommodation(row: AssignmentOverride | None) -> Accommodation | None:
    if row is None:
        return None
    return Accommodation(row.opens_at, row.closes_at, row.time_limit_s, row.attempts)


def window_of(assignment: Assignment, user_id: int) -> Window:
    """The learner's window: the assignment's, with their accommodation laid over it."""
    return effective(base_window(assignment), _accommodation(_override(assignment.id, user_id)))


def set_override(assignment: Assignment, learner_id: int, given: Accommodation, now: datetime) -> None:
    """Give a learner of the class their own window, time limit or attempts (None: the assignment's);
    their attempt in progress follows the new close time and time limit."""
    if learner_id not in {u.id for u in classes.learners(assignment.class_id)}:
        raise AssignmentError("That person is not a learner in this class.")
    window = effective(base_window(assignment), given)
    if window.opens_at and window.closes_at and window.opens_at >= window.closes_at:
        raise AssignmentError("The close time must come after the open time.")
    if given.time_limit_s is not None:
        try:
            check_request(assignment.count, given.time_limit_s)
        except ValueError as exc:
            raise AssignmentError(str(exc)) from exc
    if given.attempts is not None and not 0 <= given.attempts <= MAX_ATTEMPTS:
        raise AssignmentError(f"Allow 0 (no limit) to {MAX_ATTEMPTS} attempts.")
    row = _override(assignment.id, learner_id) or AssignmentOverride(
        assignment_id=assignment.id, user_id=learner_id
    )
    row.opens_at, row.closes_at = given.opens_at, given.closes_at
    row.time_limit_s, row.attempts = given.time_limit_s, given.attempts
    db.session.add(row)
    db.session.flush()
    _follow(assignment, learner_id, now)
    db.session.commit()


def clear_override(assignment: Assignment, learner_id: int, now: datetime) -> None:
    row = _override(assignment.id, learner_id)
    if row is not None:
        db.session.delete(row)
        db.session.flush()
        _follow(assignment, learner_id, now)
    db.session.commit()


def _follow(assignment: Assignment, user_id: int | None, now: datetime) -> None:
    """Attempts still running (not submitted, end not yet reached) take the learner's current time
    limit and close time; one whose new end has already passed ends now."""
    query = select(QuizAttempt).where(
        QuizAttempt.assignment_id == assignment.id,
        QuizAttempt.submitted_at.is_(None),
        QuizAttempt.ends_at > now,
    )
    if user_id is not None:
        query = query.where(QuizAttempt.user_id == user_id)
    for attempt in db.session.scalars(query):
        window = window_of(assignment, attempt.user_id)
        attempt.time_limit_s = window.time_limit_s
        attempt.ends_at = max(now, attempt_end(attempt.started_at, window.time_limit_s, window.closes_at))


# Learners


def _used(user_id: int, assignment_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.count(QuizAttempt.id)).where(
                QuizAttempt.user_id == user_id, QuizAttempt.assignment_id == assignment_id
            )
        )
        or 0
    )


def _running(user_id: int, assignment_id: int, now: datetime, grace_s: float) -> QuizAttempt | None:
    """The learner's attempt at the assignment that still takes answers, if any."""
    attempts = db.session.scalars(
        select(QuizAttempt)
        .where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.assignment_id == assignment_id,
            QuizAttempt.submitted_at.is_(None),
        )
        .order_by(QuizAttempt.started_at.desc(), QuizAttempt.id.desc())
    )
    return next((a for a in attempts if quiz.deadline_of(a, grace_s).accepts(now)), None)


def start_attempt(
    user: User, assignment_id: int, now: datetime, grace_s: float, seed: int | None = None
) -> QuizAttempt:
    """An attempt at an assignment of one of the learner's classes: the one in progress if there
    is one (another tab's), else a new one inside their window and attempts (AttemptRefused
    otherwise, also when two tabs or servers start at the same moment). It ends at its time limit
    or the learner's close time, whichever comes first."""
    _, assignment = _learner_assignment(user, assignment_id)
    window = window_of(assignment, user.id)
    quiz.hold_learner(user)  # attempts counted now stay counted until this transaction commits
    running = _running(user.id, assignment.id, now, grace_s)
    if running is not None:
        db.session.commit()
        return running
    reason = refusal(window, _used(user.id, assignment.id), now, lambda t: local_text(t, user.timezone))
    if reason is not None:
        db.session.rollback()
        raise AttemptRefused(reason)
    planned = quiz.plan_assigned(assignment.sets, assignment.card_ids, assignment.count, seed)
    if not planned:
        db.session.rollback()
        raise quiz.QuizRequestError(
            "This assignment's questions are no longer available; tell your instructor."
        )
    source = {"mode": "assignment", "assignment_id": assignment.id, "sets": list(assignment.sets)}
    ends_at = attempt_end(now, window.time_limit_s, window.closes_at)
    return quiz.start_assigned(
        user, now, assignment.title, source, window.time_limit_s, planned, assignment.id, ends_at
    )


@dataclass(frozen=True)
class LearnerAssignment:
    """An assignment as its learner sees it."""

    assignment: Assignment
    classroom: Classroom
    window: Window
    status: str
    used: int
    left: int | None
    grade: float | None
    open_attempt_id: int | None

    @property
    def can_start(self) -> bool:
        return self.status == "open" and self.left != 0 and self.open_attempt_id is None


def learner_assignments(user: User, now: datetime, grace_s: float) -> list[LearnerAssignment]:
    """The learner's assignments across their classes: open ones first, by due time."""
    found = []
    for classroom in classes.joined_by(user):
        for assignment in class_assignments(classroom.id):
            found.append(_learner_view(user, classroom, assignment, now, grace_s))
    order = {"open": 0, "upcoming": 1, "closed": 2}
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(found, key=lambda a: (order[a.status], a.window.closes_at or far, a.assignment.id))


def _learner_view(
    user: User, classroom: Classroom, assignment: Assignment, now: datetime, grace_s: float
) -> LearnerAssignment:
    window = window_of(assignment, user.id)
    attempts = list(
        db.session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.user_id == user.id, QuizAttempt.assignment_id == assignment.id)
            .order_by(QuizAttempt.started_at, QuizAttempt.id)
        )
    )
    running = _running(user.id, assignment.id, now, grace_s)
    return LearnerAssignment(
        assignment=assignment,
        classroom=classroom,
        window=window,
        status=status(window, now),
        used=len(attempts),
        left=attempts_left(window, len(attempts)),
        grade=grade_cell(assignment, attempts).grade,
        open_attempt_id=running.id if running else None,
    )


def answers_shown(attempt: QuizAttempt, now: datetime) -> bool:
    """Whether a submitted attempt may show right answers, by its assignment's review policy and
    the learner's own close time (a quiz of one's own: always)."""
    if attempt.assignment_id is None:
        return True
    assignment = db.session.get(Assignment, attempt.assignment_id)
    if assignment is None:
        return True
    window = window_of(assignment, attempt.user_id)
    return answers_visible(assignment.review, window.closes_at, now)


# Gradebook


@dataclass(frozen=True)
class Gradebook:
    """Learners by assignments: the same cells for the page, the CSV and the roster."""

    assignments: list[Assignment]
    learners: list[User]
    cells: dict[tuple[int, int], GradeCell]


def gradebook(class_id: int) -> Gradebook:
    return Gradebook(class_assignments(class_id), classes.learners(class_id), grade_table(class_id))


def review_note(attempt: QuizAttempt, now: datetime) -> str:
    """Why a submitted assigned attempt shows no right answers yet, for its learner."""
    if attempt.assignment_id is None or answers_shown(attempt, now):
        return ""
    assignment = db.session.get(Assignment, attempt.assignment_id)
    user = db.session.get(User, attempt.user_id)
    assert assignment is not None and user is not None
    closes_at = window_of(assignment, attempt.user_id).closes_at
    if assignment.review == "after_close" and closes_at is not None:
        return f"Right answers and explanations appear once the quiz closes, {local_text(closes_at, user.timezone)}."
    return "Your instructor does not show the right answers to this quiz."


def gradebook_csv(class_id: int) -> str:
    """The gradebook as CSV: a row per learner, each assignment's grade (percent) and attempts."""
    book = gradebook(class_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    header = ["learner"]
    for a in book.assignments:
        header += [f"{a.title} (grade %)", f"{a.title} (attempts)"]
    writer.writerow([spreadsheet_safe(cell) for cell in header])
    for learner in book.learners:
        row: list[object] = [learner.username]
        for a in book.assignments:
            cell = book.cells[(learner.id, a.id)]
            row += ["" if cell.grade is None else f"{100 * cell.grade:.1f}", cell.attempts]
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return buffer.getvalue()


@dataclass(frozen=True)
class QuestionChoice:
    card_id: int
    text: str


def live_questions() -> dict[str, list[QuestionChoice]]:
    """Every live set's live questions in order, by slug, for choosing an assignment's questions."""
    rows = db.session.execute(
        select(ContentSet.slug, Card.id, Card.type, Card.question)
        .join(Card, Card.set_id == ContentSet.id)
        .where(ContentSet.retired_at.is_(None), Card.retired_at.is_(None))
        .order_by(ContentSet.slug, Card.position, Card.id)
    )
    found: dict[str, list[QuestionChoice]] = defaultdict(list)
    for slug, card_id, card_type, question in rows:
        text = plain_text(blank_clozes(question) if card_type == "cloze" else question)
        found[slug].append(QuestionChoice(card_id, text))
    return dict(found)
