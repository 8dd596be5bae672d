"""Quiz pages: build a quiz, take it against the server's clock, read the results and history."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required
from sqlalchemy import Select

from app.extensions import db
from app.models import Card
from app.quiz.grading import UngradableResponse
from app.quiz.rules import MAX_QUESTIONS, MIN_QUESTIONS
from app.services import assignments, catalog, quiz
from app.web.clock import now
from app.web.quiz_view import attempt_view, result_view
from app.web.security import current_learner

bp = Blueprint("quiz", __name__)
TIME_LIMITS = (2, 5, 10, 15, 20, 30, 45, 60)


def grace() -> float:
    return float(current_app.config["UNROLL_QUIZ_GRACE_SECONDS"])


def held_cards() -> Select[tuple[int]]:
    """The cards the learner's open quiz asks (a query): study leaves them alone until it is submitted."""
    return quiz.held_cards(current_learner(), now(), grace())


@bp.route("/quiz/new", methods=["GET", "POST"])
@login_required
def new() -> ResponseReturnValue:
    sets = catalog.list_sets()
    form: dict[str, Any] = {"mode": "sets", "sets": request.args.getlist("sets"), "count": 10, "minutes": 10}
    if request.method == "POST":
        form = {
            "mode": request.form.get("mode", "sets"),
            "sets": request.form.getlist("sets"),
            "count": request.form.get("count", type=int) or 0,
            "minutes": request.form.get("minutes", type=int) or 0,
        }
        try:
            attempt = quiz.start_quiz(
                current_learner(),
                now(),
                mode=form["mode"],
                sets=form["sets"] if form["mode"] == "sets" else [],
                count=form["count"],
                time_limit_s=form["minutes"] * 60,
            )
        except quiz.QuizRequestError as exc:
            return render_template(
                "quiz/new.html",
                sets=sets,
                form=form,
                error=str(exc),
                limits=TIME_LIMITS,
                bounds=(MIN_QUESTIONS, MAX_QUESTIONS),
            ), 422
        return redirect(url_for("quiz.take", attempt_id=attempt.id))
    return render_template(
        "quiz/new.html",
        sets=sets,
        form=form,
        error=None,
        limits=TIME_LIMITS,
        bounds=(MIN_QUESTIONS, MAX_QUESTIONS),
    )


@bp.post("/sets/<slug>/quiz")
@login_required
def start_fixed(slug: str) -> ResponseReturnValue:
    try:
        attempt = quiz.start_fixed_quiz(current_learner(), slug, now())
    except quiz.QuizNotFound as exc:
        abort(404, description=str(exc))
    except quiz.QuizRequestError as exc:
        flash(str(exc))
        return redirect(url_for("pages.show_set", slug=slug))
    return redirect(url_for("quiz.take", attempt_id=attempt.id))


def _attempt(attempt_id: int) -> Any:
    try:
        return quiz.get_attempt(current_learner(), attempt_id, now(), grace())
    except quiz.QuizNotFound:
        abort(404, description="There is no such quiz among yours.")


def _cards(attempt: Any) -> dict[int, Card]:
    return {q.card_id: db.session.get(Card, q.card_id) for q in attempt.questions}


@bp.get("/quiz/<int:attempt_id>")
@login_required
def take(attempt_id: int) -> ResponseReturnValue:
    attempt = _attempt(attempt_id)
    if attempt.submitted_at is not None:
        return redirect(url_for("quiz.result", attempt_id=attempt_id))
    remaining = quiz.deadline_of(attempt, grace()).remaining_s(now())
    return render_template("quiz/take.html", quiz=attempt_view(attempt, _cards(attempt), remaining))


def _form_answer(question: dict[str, Any]) -> Any:
    key = f"q{question['id']}"
    if question["type"] == "choice":
        return request.form.getlist(key)
    if question["type"] == "cloze":
        return request.form.getlist(key)
    return request.form.get(key, "")


@bp.post("/quiz/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int) -> ResponseReturnValue:
    """The plain form sends every answer at once: save those still on time, then submit."""
    user, attempt = current_learner(), _attempt(attempt_id)
    if attempt.submitted_at is None:
        view = attempt_view(attempt, _cards(attempt), 0)
        for question in view["questions"]:
            try:
                quiz.save_answer(user, attempt_id, question["id"], _form_answer(question), now(), grace())
            except UngradableResponse as exc:
                flash(f"Question {question['position']}: not saved ({exc}).")
            except quiz.QuizClosed:
                flash("Time was up: answers sent after the deadline did not count.")
                break
    quiz.submit(user, attempt_id, now(), grace())  # again too: it grades whatever is left
    return redirect(url_for("quiz.result", attempt_id=attempt_id))


@bp.get("/quiz/<int:attempt_id>/result")
@login_required
def result(attempt_id: int) -> ResponseReturnValue:
    attempt = _attempt(attempt_id)
    if attempt.submitted_at is None:
        return redirect(url_for("quiz.take", attempt_id=attempt_id))
    outcome = quiz.result_of(attempt)
    shown = assignments.answers_shown(attempt, now())
    return render_template(
        "quiz/result.html",
        result=result_view(outcome, shown),
        missed=quiz.missed_card_ids(outcome) if shown else [],
        review=assignments.review_note(attempt, now()) if not shown else "",
    )


@bp.get("/quiz/history")
@login_required
def history() -> ResponseReturnValue:
    attempts = quiz.history(current_learner())
    return render_template("quiz/history.html", attempts=attempts, series=_series(attempts))


def _series(attempts: list[Any]) -> list[dict[str, Any]]:
    """Scores over time, one line per set (or per kind of quiz), as percentages."""
    groups: dict[str, list[Any]] = {}
    for attempt in attempts:
        groups.setdefault(attempt.title, []).append(attempt)
    return [
        {
            "title": title,
            "points": [round(100 * (a.score or 0) / max(a.total, 1)) for a in rows],
            "attempts": rows,
        }
        for title, rows in groups.items()
    ]
