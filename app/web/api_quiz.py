"""JSON API, version 1: timed quizzes. Right answers appear only in a submitted attempt's results."""

from __future__ import annotations

from typing import Any

from flask_login import login_required
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from app.extensions import db
from app.models import Card
from app.quiz.grading import MAX_RESPONSE_CHARS, UngradableResponse
from app.quiz.rules import MAX_QUESTIONS, MAX_SECONDS, MIN_QUESTIONS, MIN_SECONDS
from app.services import assignments, quiz
from app.web.api_schemas import MAX_SLUG, DiffSegmentSchema
from app.web.clock import now
from app.web.quiz import grace
from app.web.quiz_view import attempt_view, result_view
from app.web.security import current_learner

MAX_SETS = 200  # more sets than a course has
bp = Blueprint("quiz_api", __name__, url_prefix="/api/v1", description="Timed quizzes")


class NewQuizSchema(Schema):
    sets = fields.List(
        fields.String(validate=validate.Length(max=MAX_SLUG)),
        load_default=list,
        validate=validate.Length(max=MAX_SETS),
    )
    mode = fields.String(load_default="sets", validate=validate.OneOf(quiz.MODES))
    count = fields.Integer(load_default=10, validate=validate.Range(min=MIN_QUESTIONS, max=MAX_QUESTIONS))
    time_limit_s = fields.Integer(load_default=600, validate=validate.Range(min=MIN_SECONDS, max=MAX_SECONDS))


class QuizOptionSchema(Schema):
    id = fields.String(required=True)
    html = fields.String(required=True)


class QuizQuestionSchema(Schema):
    id = fields.Integer(required=True)
    position = fields.Integer()
    type = fields.String(required=True, metadata={"enum": ["choice", "true-false", "cloze", "short"]})
    prompt_html = fields.String(required=True)
    options = fields.List(fields.Nested(QuizOptionSchema), metadata={"description": "for choice questions"})
    multiple = fields.Boolean()
    blanks = fields.Integer()
    answer = fields.Raw(allow_none=True, metadata={"description": "the saved answer"})


class QuizAttemptSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String()
    remaining_s = fields.Integer(required=True, metadata={"description": "by the server's clock"})
    time_limit_s = fields.Integer()
    submitted = fields.Boolean()
    questions = fields.List(fields.Nested(QuizQuestionSchema), required=True)


class QuizAnswerSchema(Schema):
    answer = fields.Raw(
        required=True,
        allow_none=True,
        metadata={
            "description": "choice: option id or ids; true-false: true/false; short: text; cloze: [texts]"
            f" (each text at most {MAX_RESPONSE_CHARS} characters)"
        },
    )


class SavedSchema(Schema):
    saved = fields.Boolean(required=True)
    remaining_s = fields.Integer(required=True)


class QuizCheckSchema(Schema):
    response = fields.String(required=True, metadata={"description": "what was typed (in this blank)"})
    expected = fields.String(required=True, metadata={"description": "the answer shown as right"})
    also = fields.List(fields.String(), metadata={"description": "the author's other accepted answers"})
    correct = fields.Boolean(required=True)
    almost = fields.Boolean(required=True, metadata={"description": "a near miss: a typo in a long word"})
    diff = fields.List(
        fields.Nested(DiffSegmentSchema),
        metadata={"description": "for a near miss: 'extra' letters typed, 'missing' letters expected"},
    )


_HIDDEN = "; null while the assignment's review policy hides right answers"


class QuizResultItemSchema(Schema):
    question_id = fields.Integer()
    card_id = fields.Integer(metadata={"description": "the card this question asked"})
    position = fields.Integer()
    type = fields.String()
    correct = fields.Boolean(allow_none=True, metadata={"description": "whether it was right" + _HIDDEN})
    your_answer = fields.String()
    right_answer = fields.String(allow_none=True, metadata={"description": "the right answer" + _HIDDEN})
    question_html = fields.String()
    right_answer_html = fields.String(allow_none=True, metadata={"description": "as HTML" + _HIDDEN})
    explanation_html = fields.String(allow_none=True, metadata={"description": "the explanation" + _HIDDEN})
    note = fields.String(
        allow_none=True, metadata={"description": "why a typed answer was accepted or judged wrong" + _HIDDEN}
    )
    checks = fields.List(
        fields.Nested(QuizCheckSchema),
        allow_none=True,
        metadata={"description": "typed answers: one per blank or answer" + _HIDDEN},
    )


class QuizResultSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    score = fields.Integer(required=True)
    total = fields.Integer(required=True)
    time_used_s = fields.Integer()
    auto_submitted = fields.Boolean()
    answers_shown = fields.Boolean(
        metadata={"description": "false while an assignment's review policy hides right answers"}
    )
    results = fields.List(fields.Nested(QuizResultItemSchema), required=True)


def attempt_json(attempt: Any) -> dict[str, Any]:
    """An attempt as the quiz API answers it (no right answers)."""
    cards = {q.card_id: db.session.get(Card, q.card_id) for q in attempt.questions}
    remaining = 0 if attempt.submitted_at else quiz.deadline_of(attempt, grace()).remaining_s(now())
    return attempt_view(attempt, cards, remaining)


@bp.post("/quizzes")
@login_required
@bp.arguments(NewQuizSchema)
@bp.response(201, QuizAttemptSchema)
def create(body: dict[str, Any]) -> Any:
    """Start a timed quiz on sets (or on your due or weakest cards)."""
    try:
        attempt = quiz.start_quiz(
            current_learner(),
            now(),
            mode=body["mode"],
            sets=body["sets"],
            count=body["count"],
            time_limit_s=body["time_limit_s"],
        )
    except quiz.QuizRequestError as exc:
        abort(422, message=str(exc))
    return attempt_json(attempt)


@bp.post("/sets/<slug>/quiz")
@login_required
@bp.response(201, QuizAttemptSchema)
@bp.alt_response(404, description="No such set")
@bp.alt_response(409, description="Every attempt the instructor allows is used")
@bp.alt_response(422, description="The set has no quiz of its own")
def start_fixed(slug: str) -> Any:
    """Start the quiz a set's instructor fixed (its questions, time limit and attempts)."""
    try:
        attempt = quiz.start_fixed_quiz(current_learner(), slug, now())
    except quiz.QuizNotFound as exc:
        abort(404, message=str(exc))
    except quiz.QuizAttemptsUsed as exc:
        abort(409, message=str(exc))
    except quiz.QuizRequestError as exc:
        abort(422, message=str(exc))
    return attempt_json(attempt)


def _attempt(attempt_id: int) -> Any:
    try:
        return quiz.get_attempt(current_learner(), attempt_id, now(), grace())
    except quiz.QuizNotFound as exc:
        abort(404, message=str(exc))


@bp.get("/quizzes/<int:attempt_id>")
@login_required
@bp.response(200, QuizAttemptSchema)
def resume(attempt_id: int) -> Any:
    """Resume an attempt: the remaining seconds and every saved answer."""
    return attempt_json(_attempt(attempt_id))


@bp.put("/quizzes/<int:attempt_id>/answers/<int:question_id>")
@login_required
@bp.arguments(QuizAnswerSchema)
@bp.response(200, SavedSchema)
@bp.alt_response(409, description="Time is up, or the quiz was submitted")
def save(body: dict[str, Any], attempt_id: int, question_id: int) -> Any:
    """Save one answer now; refused once the deadline and its grace period have passed."""
    user = current_learner()
    try:
        quiz.save_answer(user, attempt_id, question_id, body["answer"], now(), grace())
    except quiz.QuizNotFound as exc:
        abort(404, message=str(exc))
    except quiz.QuizClosed as exc:
        abort(409, message=str(exc))
    except UngradableResponse as exc:
        abort(422, message=f"That answer does not fit the question: {exc}.")
    attempt = quiz.get_attempt(user, attempt_id, now(), grace())
    return {"saved": True, "remaining_s": quiz.deadline_of(attempt, grace()).remaining_s(now())}


@bp.post("/quizzes/<int:attempt_id>/submit")
@login_required
@bp.response(200, QuizResultSchema)
def submit(attempt_id: int) -> Any:
    """Submit the attempt; every later call returns the same result."""
    user = current_learner()
    try:
        outcome = quiz.submit(user, attempt_id, now(), grace())
    except quiz.QuizNotFound as exc:
        abort(404, message=str(exc))
    return result_view(
        outcome, assignments.answers_shown(quiz.get_attempt(user, attempt_id, now(), grace()), now())
    )
