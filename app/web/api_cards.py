"""JSON API, version 1: the card browser (search, bulk actions and their undo, card info)."""

from __future__ import annotations

from typing import Any

from flask_login import login_required
from flask_smorest import Blueprint, abort
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.services import card_actions, card_info, cards
from app.srs.search import SearchError
from app.web.bounds import MAX_ID
from app.web.clock import now
from app.web.security import current_learner

bp = Blueprint("cards_api", __name__, url_prefix="/api/v1", description="Card browser")

MAX_QUERY = 1000
MAX_IDS = 5000


class CardsQuerySchema(Schema):
    q = fields.String(
        load_default="",
        validate=validate.Length(max=MAX_QUERY),
        metadata={"description": "a search, as on /cards"},
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_ID))
    per_page = fields.Integer(
        load_default=cards.PER_PAGE, validate=validate.Range(min=1, max=cards.MAX_PER_PAGE)
    )
    sort = fields.String(
        load_default="due",
        validate=validate.OneOf([*cards.SORTS, *[f"-{key}" for key in cards.SORTS]]),
        metadata={"description": "due, stability, difficulty, retrievability or lapses; '-' first reverses"},
    )


class BrowsedCardSchema(Schema):
    card_id = fields.Integer(required=True)
    set = fields.String(required=True, metadata={"description": "the set's slug"})
    question = fields.String(required=True, metadata={"description": "as plain text"})
    state = fields.String(required=True, metadata={"description": "new, learning, review or relearning"})
    due = fields.DateTime(required=True, allow_none=True)
    stability = fields.Float(required=True, allow_none=True, metadata={"description": "days"})
    difficulty = fields.Float(
        required=True, allow_none=True, metadata={"description": "0-1, as Anki shows it"}
    )
    retrievability = fields.Float(
        required=True, allow_none=True, metadata={"description": "recall chance now"}
    )
    reps = fields.Integer(required=True)
    lapses = fields.Integer(required=True)
    suspended = fields.Boolean(required=True)
    leech = fields.Boolean(required=True)


class CardsPageSchema(Schema):
    cards = fields.List(fields.Nested(BrowsedCardSchema), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)


class ActionSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(card_actions.ACTIONS))
    card_ids = fields.List(
        fields.Integer(validate=validate.Range(min=0, max=MAX_ID)), validate=validate.Length(max=MAX_IDS)
    )
    q = fields.String(
        validate=validate.Length(max=MAX_QUERY), metadata={"description": "every card matching it"}
    )
    due = fields.Date(metadata={"description": "for reschedule: the learner's local date, YYYY-MM-DD"})

    @validates_schema
    def one_choice(self, data: dict[str, Any], **_: Any) -> None:
        if ("card_ids" in data) == ("q" in data):
            raise ValidationError("Give either card_ids or q (an empty q means every card).")
        if data.get("action") == "reschedule" and "due" not in data:
            raise ValidationError("reschedule needs a due date, YYYY-MM-DD.", "due")


class ActionResultSchema(Schema):
    action_id = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "null when no card changed (nothing to undo)"},
    )
    changed = fields.Integer(required=True)


class UndoneActionSchema(Schema):
    restored = fields.Integer(required=True)


class HistorySchema(Schema):
    reviewed_at = fields.DateTime(required=True)
    rating = fields.Integer(required=True, metadata={"description": "1-4; 0 for a manual change"})
    source = fields.String(required=True, metadata={"description": "study, quiz or manual"})
    phase_before = fields.String(required=True)
    phase_after = fields.String(required=True)
    stability = fields.Float(required=True, allow_none=True, metadata={"description": "after the answer"})
    difficulty = fields.Float(
        required=True, allow_none=True, metadata={"description": "after the answer, 0-1"}
    )
    retrievability = fields.Float(required=True, allow_none=True, metadata={"description": "when answered"})
    undone = fields.Boolean(required=True)


class CurveSchema(Schema):
    day = fields.Integer(required=True, metadata={"description": "days from now"})
    retrievability = fields.Float(required=True)


class CardInfoSchema(Schema):
    card = fields.Nested(BrowsedCardSchema, required=True)
    history = fields.List(fields.Nested(HistorySchema), required=True)
    curve = fields.List(fields.Nested(CurveSchema), required=True)


@bp.get("/study/cards")
@login_required
@bp.arguments(CardsQuerySchema, location="query")
@bp.response(200, CardsPageSchema)
@bp.alt_response(400, description="The search cannot be read: the message says where and why")
def list_cards(query: dict[str, Any]) -> Any:
    """Your cards matching a search (Anki's syntax: set:, tag:, is:, prop:, rated:, introduced:, words)."""
    try:
        found, total = cards.search(
            current_learner(), query["q"], now(), query["page"], query["per_page"], query["sort"]
        )
    except SearchError as exc:
        abort(400, message=str(exc))
    return {"cards": found, "total": total, "page": query["page"], "per_page": query["per_page"]}


@bp.post("/study/cards/actions")
@login_required
@bp.arguments(ActionSchema)
@bp.response(200, ActionResultSchema)
@bp.alt_response(400, description="A bad search or due date")
def act(body: dict[str, Any]) -> Any:
    """Suspend, unsuspend, forget (reset to new, history kept) or reschedule cards, by id or by search."""
    try:
        result = card_actions.act(
            current_learner(), body["action"], now(), body.get("card_ids"), body.get("q"), body.get("due")
        )
    except (SearchError, cards.BadAction) as exc:
        abort(400, message=str(exc))
    return {"action_id": result.action_id, "changed": result.changed}


@bp.post("/study/cards/actions/<int:action_id>/undo")
@login_required
@bp.response(200, UndoneActionSchema)
@bp.alt_response(404, description="No such action of yours")
@bp.alt_response(409, description="Already undone, or the cards changed since")
def undo(action_id: int) -> Any:
    """Put the cards an action changed back exactly as they were."""
    try:
        restored = card_actions.undo(current_learner(), action_id, now())
    except cards.CardsError as exc:
        abort(404, message=str(exc))
    except card_actions.ActionConflict as exc:
        abort(409, message=str(exc))
    return {"restored": restored}


@bp.get("/study/cards/<int:card_id>")
@login_required
@bp.response(200, CardInfoSchema)
@bp.alt_response(404, description="Not a card in your deck")
def show_card(card_id: int) -> Any:
    """A card's state, its review history with the memory state after each answer, and its forgetting
    curve over the coming days."""
    try:
        info = card_info.card_info(current_learner(), card_id, now())
    except cards.CardsError as exc:
        abort(404, message=str(exc))
    return {"card": info.card, "history": info.history, "curve": info.curve}
