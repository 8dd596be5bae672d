"""Schemas for the accounts and study API: they validate requests and document them in OpenAPI."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class CredentialsSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=3, max=32))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=8, max=200))


class UserSchema(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    role = fields.String(required=True)


class TokenSchema(Schema):
    token = fields.String(required=True, metadata={"description": "send as 'Authorization: Bearer <token>'"})
    id = fields.Integer(required=True, metadata={"description": "to revoke it: DELETE /api/v1/tokens/<id>"})
    expires_at = fields.DateTime(required=True, metadata={"description": "when the token stops working"})


class TokenInfoSchema(Schema):
    id = fields.Integer(required=True)
    user_agent = fields.String(required=True, metadata={"description": "the client that asked for it"})
    created_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(required=True)
    last_used_at = fields.DateTime(
        required=True, allow_none=True, metadata={"description": "to the minute; null if never used"}
    )
    current = fields.Boolean(required=True, metadata={"description": "the token this request was sent with"})


class NextQuerySchema(Schema):
    set = fields.String(metadata={"description": "study only this set (its slug)"})
    card = fields.Integer(metadata={"description": "show this card if it can be studied now (after an undo)"})
    quiz = fields.Integer(metadata={"description": "study only the cards missed in this submitted quiz"})


class OptionFaceSchema(Schema):
    html = fields.String(required=True)


class StudyCardSchema(Schema):
    id = fields.Integer(required=True)
    type = fields.String(required=True, metadata={"enum": ["open", "choice", "true-false", "cloze", "short"]})
    front_html = fields.String(required=True)
    back_html = fields.String(required=True)
    set = fields.Dict(required=True, metadata={"description": "{slug, title}"})
    phase = fields.String(required=True, metadata={"enum": ["new", "learning", "review", "relearning"]})
    version = fields.Integer(required=True, metadata={"description": "send back with the answer"})
    options = fields.List(fields.Nested(OptionFaceSchema))
    multiple = fields.Boolean(metadata={"description": "a choice question with several right options"})
    blanks = fields.Integer(metadata={"description": "number of blanks of a cloze card"})


class QueueCountsSchema(Schema):
    new = fields.Integer(required=True)
    learning = fields.Integer(required=True)
    review = fields.Integer(required=True)


class NextCardSchema(Schema):
    card = fields.Nested(StudyCardSchema, allow_none=True, required=True)
    intervals = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "seconds until the card is due after each rating 1-4"},
    )
    interval_labels = fields.Dict(keys=fields.String(), values=fields.String())
    counts = fields.Nested(QueueCountsSchema, required=True)
    next_due = fields.DateTime(allow_none=True, metadata={"description": "when a learning card comes back"})


class AnswerSchema(Schema):
    rating = fields.Integer(required=True, validate=validate.Range(min=1, max=4))
    duration_ms = fields.Integer(load_default=0, validate=validate.Range(min=0))
    version = fields.Integer(load_default=None, allow_none=True)


class AnsweredSchema(Schema):
    due = fields.DateTime(required=True)
    state = fields.String(required=True)
    interval = fields.Integer(required=True, metadata={"description": "seconds until due"})
    leech = fields.Boolean(required=True)


class CheckSchema(Schema):
    response = fields.Raw(
        required=True,
        metadata={
            "description": "choice: [option numbers]; true-false: true/false; short: text; cloze: [texts]"
        },
    )


class VerdictSchema(Schema):
    correct = fields.Boolean(required=True)
    parts = fields.List(fields.Boolean())
    back_html = fields.String(required=True)
    suggested_rating = fields.Integer(required=True)


class UndoneSchema(Schema):
    card_id = fields.Integer(required=True)


class AcceptResponseSchema(Schema):
    response = fields.String(
        required=True,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "the response as a learner typed it (one blank's text for a cloze)"},
    )


class AcceptedResponseSchema(Schema):
    card_id = fields.Integer(required=True)
    response = fields.String(required=True, metadata={"description": "as stored (spacing tidied)"})
    remarked = fields.Integer(
        required=True, metadata={"description": "submitted quiz answers re-marked right by this"}
    )
    attempts = fields.Integer(required=True, metadata={"description": "quiz attempts whose score changed"})
