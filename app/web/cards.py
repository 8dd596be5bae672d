"""The card browser pages: search a learner's cards, change many at once (and undo), a card's info."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from app.services import card_actions, card_info, cards, study
from app.srs.search import SearchError
from app.web.bounds import db_int
from app.web.clock import now
from app.web.quiz import held_cards
from app.web.security import current_learner
from app.web.stats import probability_chart

bp = Blueprint("cards", __name__)

SORT_LABELS = {
    "due": "Due soonest",
    "retrievability": "Lowest recall chance",
    "-difficulty": "Hardest",
    "stability": "Least stable",
    "-stability": "Most stable",
    "-lapses": "Most lapses",
}
DONE = {
    "suspend": "Suspended",
    "unsuspend": "Put back into study",
    "forget": "Reset to new",
    "reschedule": "Rescheduled",
}


def _when(instant: datetime | None, zone: str, phase: str) -> str:
    """A due time in the learner's zone: the date, and the hour for a card in its learning steps."""
    if instant is None:
        return ""
    local = instant.astimezone(ZoneInfo(zone))
    text = f"{local.day} {local:%b %Y}"
    return f"{text} {local:%H:%M}" if phase in cards.LEARNING else text


def _browse_args() -> dict[str, Any]:
    sort = request.values.get("sort", "due")
    return {
        "q": request.values.get("q", "")[:1000],
        "sort": sort if sort in SORT_LABELS else "due",
        "page": max(1, request.values.get("page", 1, type=db_int) or 1),
    }


def _browse_url(args: dict[str, Any], **changes: Any) -> str:
    query = {key: value for key, value in (args | changes).items() if value not in ("", None)}
    return url_for("cards.browse") + ("?" + urlencode(query) if query else "")


@bp.get("/cards")
@login_required
def browse() -> ResponseReturnValue:
    user, args = current_learner(), _browse_args()
    error, rows, total = None, [], 0
    try:
        rows, total = cards.search(user, args["q"], now(), args["page"], cards.PER_PAGE, args["sort"])
    except SearchError as exc:
        error = str(exc)
    done = request.args.get("done", type=db_int)
    action = card_actions.undoable(user, done) if done is not None else None
    pages = max(1, -(-total // cards.PER_PAGE))
    return render_template(
        "cards/browse.html",
        args=args,
        rows=rows,
        total=total,
        pages=pages,
        error=error,
        action=action,
        done_words=DONE,
        sorts=SORT_LABELS,
        when=lambda row: _when(row.due, user.timezone, row.state),
        page_url=lambda page: _browse_url(args, page=page),
        today=cards.today(user, now()).isoformat(),
    ), (400 if error else 200)


def _chosen_ids() -> list[int]:
    ids = []
    for value in request.form.getlist("card"):
        try:
            ids.append(db_int(value))
        except ValueError:
            abort(400, description=f"'{value[:40]}' is not a card id.")
    return ids


def _due() -> date | None:
    text = request.form.get("due", "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        abort(400, description="Write the date to reschedule to as YYYY-MM-DD.")


@bp.post("/cards/actions")
@login_required
def bulk_action() -> ResponseReturnValue:
    args = _browse_args()
    action = request.form.get("action", "")
    everything = request.form.get("scope") == "all"
    ids = None if everything else _chosen_ids()
    if ids == []:
        flash("Tick the cards to change first, or choose “all matching cards”.")
        return redirect(_browse_url(args))
    try:
        result = card_actions.act(
            current_learner(), action, now(), ids, args["q"] if everything else None, _due()
        )
    except (cards.BadAction, SearchError) as exc:
        flash(str(exc))
        return redirect(_browse_url(args))
    if result.action_id is None:
        flash("No card needed that change.")
        return redirect(_browse_url(args))
    return redirect(_browse_url(args, done=result.action_id))


@bp.post("/cards/actions/<int:action_id>/undo")
@login_required
def undo(action_id: int) -> ResponseReturnValue:
    args = _browse_args()
    try:
        count = card_actions.undo(current_learner(), action_id, now())
    except cards.CardsError as exc:
        abort(404, description=str(exc))
    except card_actions.ActionConflict as exc:
        flash(str(exc))
        return redirect(_browse_url(args))
    flash(f"Undone: {count} {'card is' if count == 1 else 'cards are'} back as they were.")
    return redirect(_browse_url(args))


@bp.get("/cards/<int:card_id>")
@login_required
def info(card_id: int) -> ResponseReturnValue:
    user = current_learner()
    try:
        found = card_info.card_info(user, card_id, now())
    except cards.CardsError as exc:
        abort(404, description=str(exc))
    chart = None
    if found.curve:
        today, last = found.curve[0], found.curve[-1]
        summary = (
            f"Chance of recalling this card: {today.retrievability * 100:.0f}% today, "
            f"{last.retrievability * 100:.0f}% in {last.day} days if it is not reviewed."
        )
        points = [(p.day, p.retrievability) for p in found.curve]
        chart = probability_chart("Forgetting curve", summary, points, found.desired_retention)
    zone = ZoneInfo(user.timezone)
    return render_template(
        "cards/info.html",
        info=found,
        chart=chart,
        held=study.is_held(held_cards(), card_id),
        due=_when(found.card.due, user.timezone, found.card.state),
        local=lambda instant: instant.astimezone(zone),
    )
