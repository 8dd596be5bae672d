"""The study pages. They work as plain forms; static/study.js turns them into a no-reload session."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from app.quiz.grading import UngradableResponse
from app.services import quiz, study
from app.web.bounds import db_int, finite_float
from app.web.clock import now
from app.web.quiz import held_cards
from app.web.security import current_learner
from app.web.study_view import faces, labels, suggested_rating

bp = Blueprint("study", __name__)
RATINGS = ((1, "Again"), (2, "Hard"), (3, "Good"), (4, "Easy"))


def _set_id(slug: str | None) -> int | None:
    try:
        return study.set_id_for(slug)
    except study.StudyError as exc:
        abort(404, description=str(exc))


@bp.get("/study")
@bp.get("/study/<slug>")
def study_page(slug: str | None = None) -> ResponseReturnValue:
    """The next card's front; with ?show=<card id> its back and the grade buttons."""
    set_id = _set_id(slug)
    if not current_user.is_authenticated:
        return render_template("study/start.html", slug=slug)
    user = current_learner()
    shown = request.args.get("show", type=db_int)
    cards = _quiz_misses(request.args.get("quiz", type=db_int))
    held = held_cards()
    if shown is not None and study.is_held(held, shown):
        flash(str(study.CardHeld()))
    result = study.next_card(user, now(), set_id, prefer=shown, cards=cards, held=held)
    reveal = result.card is not None and shown == result.card.card_id
    return render_template(
        "study/study.html",
        slug=slug,
        quiz_id=request.args.get("quiz", type=db_int) if cards is not None else None,
        result=result,
        card=result.card,
        face=faces(result.card) if result.card else None,
        reveal=reveal,
        verdict=None,
        labels=labels(result.intervals),
        ratings=RATINGS,
        started=request.args.get("started", type=finite_float) or now().timestamp(),
    )


def _quiz_misses(attempt_id: int | None) -> list[int] | None:
    if attempt_id is None:
        return None
    try:
        return quiz.missed_in(current_learner(), attempt_id, now())
    except quiz.QuizNotFound as exc:
        abort(404, description=str(exc))
    except quiz.QuizClosed as exc:
        abort(409, description=str(exc))


def _back_to(slug: str | None, **args: Any) -> ResponseReturnValue:
    quiz_id = request.form.get("quiz", type=db_int)
    if quiz_id:
        args["quiz"] = quiz_id
    return redirect(url_for("study.study_page", slug=slug, **args))


def _form_response(card_type: str) -> Any:
    """A typed card's response as the plain form sends it."""
    if card_type == "choice":
        return [int(v) for v in request.form.getlist("option") if v.isdigit()]
    if card_type == "cloze":
        return request.form.getlist("blank")
    return request.form.get("response", "")


@bp.post("/study/check")
@login_required
def check() -> ResponseReturnValue:
    """Mark a typed card without JavaScript, then show its back with the grade buttons."""
    slug = request.form.get("slug") or None
    card_id = request.form.get("card_id", type=db_int) or 0
    user = current_learner()
    cards = _quiz_misses(request.form.get("quiz", type=db_int))
    held = held_cards()
    if study.is_held(held, card_id):
        flash(str(study.CardHeld()))
        return _back_to(slug)
    result = study.next_card(user, now(), _set_id(slug), prefer=card_id, cards=cards, held=held)
    if result.card is None or result.card.card_id != card_id:
        flash("That card is no longer up; here is the next one.")
        return _back_to(slug)
    try:
        verdict, card = study.check_response(user, card_id, _form_response(result.card.type))
    except UngradableResponse as exc:
        flash(f"Check your answer: {exc}.")
        return _back_to(slug)
    return render_template(
        "study/study.html",
        slug=slug,
        result=result,
        card=card,
        face=faces(card),
        reveal=True,
        verdict=verdict,
        suggested=suggested_rating(verdict),
        labels=labels(result.intervals),
        ratings=RATINGS,
        started=request.form.get("started", type=finite_float) or now().timestamp(),
    )


@bp.post("/study/answer")
@login_required
def grade() -> ResponseReturnValue:
    """Grade from the plain form; a stale version (another tab) gets a clear message."""
    slug = request.form.get("slug") or None
    card_id = request.form.get("card_id", type=db_int) or 0
    rating = request.form.get("rating", type=db_int)
    if rating not in (1, 2, 3, 4):
        abort(400, description="Choose Again, Hard, Good or Easy.")
    duration = _elapsed_ms(request.form.get("started", type=finite_float))
    try:
        study.grade_card(
            current_learner(),
            card_id,
            rating,
            now(),
            duration,
            request.form.get("version", type=db_int),
            held=held_cards(),
        )
    except study.StudyError as exc:
        abort(404, description=str(exc))
    except (study.GradeConflict, study.CardHeld) as exc:
        flash(str(exc))
    return _back_to(slug)


def _elapsed_ms(started: float | None) -> int:
    """Milliseconds since the page's `started` time stamp, within 0 to a day whatever the form says."""
    if not started:
        return 0
    seconds = min(max(now().timestamp() - started, 0.0), 86_400.0)
    return int(seconds * 1000)


@bp.post("/study/undo")
@login_required
def undo() -> ResponseReturnValue:
    slug = request.form.get("slug") or None
    card_id = study.undo_last(current_learner(), now())
    flash("Undone: the card is back as it was." if card_id else "There is no grade to undo.")
    return _back_to(slug, show=card_id) if card_id else _back_to(slug)


@bp.post("/study/cards/<int:card_id>/<any(suspend, unsuspend, bury):action>")
@login_required
def card_action(card_id: int, action: str) -> ResponseReturnValue:
    try:
        study.card_action(current_learner(), card_id, action, now())
    except study.StudyError as exc:
        abort(404, description=str(exc))
    flash(
        {
            "suspend": "Card suspended.",
            "unsuspend": "Card back in study.",
            "bury": "Card buried until tomorrow.",
        }[action]
    )
    target = request.form.get("next") or ""
    return redirect(
        target if target.startswith("/") and not target.startswith("//") else url_for("study.study_page")
    )
