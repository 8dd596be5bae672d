"""JSON API, version 1: studying. Pages' scripts use it with the session cookie."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_login import login_required
from flask_smorest import Blueprint, abort

from app.quiz.grading import UngradableResponse
from app.services import quiz, study
from app.web.api_schemas import (
    AnsweredSchema,
    AnswerSchema,
    CheckSchema,
    NextCardSchema,
    NextQuerySchema,
    UndoneSchema,
    VerdictSchema,
)
from app.web.clock import now
from app.web.quiz import held_cards
from app.web.security import current_learner
from app.web.study_view import faces, next_json, suggested_rating

bp = Blueprint("study_api", __name__, url_prefix="/api/v1", description="Studying")


def _set_id(slug: str | None) -> int | None:
    try:
        return study.set_id_for(slug)
    except study.StudyError as exc:
        abort(404, message=str(exc))


def _quiz_misses(attempt_id: int) -> list[int]:
    try:
        return quiz.missed_in(current_learner(), attempt_id, now())
    except quiz.QuizNotFound as exc:
        abort(404, message=str(exc))
    except quiz.QuizClosed as exc:
        abort(409, message=str(exc))


@bp.get("/study/next")
@login_required
@bp.arguments(NextQuerySchema, location="query")
@bp.response(200, NextCardSchema)
def next_card(query: dict[str, str]) -> Any:
    """The card to study now, the interval each rating would give, and the queue counts."""
    cards = _quiz_misses(query["quiz"]) if "quiz" in query else None
    result = study.next_card(
        current_learner(),
        now(),
        _set_id(query.get("set")),
        prefer=query.get("card"),
        cards=cards,
        held=held_cards(),
    )
    return next_json(result)


@bp.post("/study/cards/<int:card_id>/answer")
@login_required
@bp.arguments(AnswerSchema)
@bp.response(200, AnsweredSchema)
@bp.alt_response(409, description="Already graded in another tab, or asked by your open quiz")
def answer_card(body: dict[str, Any], card_id: int) -> Any:
    """Grade a card 1 (Again) to 4 (Easy); FSRS reschedules it."""
    try:
        graded = study.grade_card(
            current_learner(),
            card_id,
            body["rating"],
            now(),
            body["duration_ms"],
            body["version"],
            held=held_cards(),
        )
    except study.StudyError as exc:
        abort(404, message=str(exc))
    except (study.GradeConflict, study.CardHeld) as exc:
        abort(409, message=str(exc))
    return {
        "due": graded.due,
        "state": graded.phase,
        "interval": int(graded.interval.total_seconds()),
        "leech": graded.leech,
    }


@bp.post("/study/cards/<int:card_id>/check")
@login_required
@bp.arguments(CheckSchema)
@bp.response(200, VerdictSchema)
@bp.alt_response(409, description="The card is a question in your open quiz")
def check_card(body: dict[str, Any], card_id: int) -> Any:
    """Mark a typed card's response right or wrong, and return its back (not while the card is a
    question in your open quiz)."""
    try:
        verdict, card = study.check_response(current_learner(), card_id, body["response"], held_cards())
    except study.StudyError as exc:
        abort(404, message=str(exc))
    except study.CardHeld as exc:
        abort(409, message=str(exc))
    except UngradableResponse as exc:
        abort(422, message=str(exc))
    back = render_template("study/_back.html", card=card, face=faces(card), verdict=verdict)
    return verdict.to_json() | {
        "back_html": back,
        "suggested_rating": suggested_rating(verdict),
    }


@bp.post("/study/undo")
@login_required
@bp.response(200, UndoneSchema)
@bp.alt_response(404, description="Nothing to undo")
def undo() -> Any:
    """Undo the last grade; the card comes back exactly as it was."""
    card_id = study.undo_last(current_learner(), now())
    if card_id is None:
        abort(404, message="There is no grade to undo.")
    return {"card_id": card_id}


def _card_action(card_id: int, action: str) -> dict[str, bool]:
    try:
        study.card_action(current_learner(), card_id, action, now())
    except study.StudyError as exc:
        abort(404, message=str(exc))
    return {"ok": True}


@bp.post("/study/cards/<int:card_id>/suspend")
@login_required
@bp.response(200)
def suspend(card_id: int) -> Any:
    """Take a card out of study until it is unsuspended."""
    return _card_action(card_id, "suspend")


@bp.post("/study/cards/<int:card_id>/unsuspend")
@login_required
@bp.response(200)
def unsuspend(card_id: int) -> Any:
    """Put a suspended card (or a leech) back into study."""
    return _card_action(card_id, "unsuspend")


@bp.post("/study/cards/<int:card_id>/bury")
@login_required
@bp.response(200)
def bury(card_id: int) -> Any:
    """Hide a card until tomorrow."""
    return _card_action(card_id, "bury")
