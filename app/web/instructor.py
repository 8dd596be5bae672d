"""Instructor pages: the wrong typed responses learners gave in quizzes, and accepting one for everyone."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from app.content.render import unwrap_paragraph
from app.extensions import db
from app.models import Card, User
from app.services import overrides
from app.services.catalog import card_faces
from app.web.clock import now
from app.web.headers import remote_images_allowed
from app.web.security import current_learner

bp = Blueprint("instructor", __name__, url_prefix="/instructor")


def current_instructor() -> User:
    """The logged-in instructor; 403 for anyone else (learners never see others' responses)."""
    user = current_learner()
    if not user.is_instructor:
        abort(403, description="This page is for instructors.")
    return user


@bp.get("/sets/<slug>/responses")
@login_required
def responses(slug: str) -> ResponseReturnValue:
    current_instructor()
    cards = overrides.wrong_responses(slug)
    if cards is None:
        abort(404, description=f"There is no question set called “{slug}”.")
    title = cards[0].card.content_set.title if cards else slug
    faces = {c.card.id: _face(c.card) for c in cards}
    return render_template("instructor/responses.html", slug=slug, title=title, cards=cards, faces=faces)


def _face(card: Card) -> dict[str, Any]:
    face = card_faces(card.type, card.question, card.answer, card.details or {}, remote_images_allowed())
    return {**face, "answer_html": unwrap_paragraph(face["answer_html"])}


@bp.post("/cards/<int:card_id>/accepted-responses")
@login_required
def accept(card_id: int) -> ResponseReturnValue:
    instructor = current_instructor()
    card = db.session.get(Card, card_id)
    if card is None:
        abort(404, description="There is no such card.")
    slug = card.content_set.slug
    try:
        done = overrides.accept_response(instructor, card_id, request.form.get("response", ""), now())
    except overrides.CannotAccept as exc:
        flash(str(exc))
    else:
        flash(
            f"Accepted “{done.response}” for everyone: {done.remarked} "
            f"{'answer' if done.remarked == 1 else 'answers'} re-marked right in {done.attempts} "
            f"{'quiz' if done.attempts == 1 else 'quizzes'}."
        )
    return redirect(url_for("instructor.responses", slug=slug, _anchor=f"card-{card_id}"))
