"""Schemas for the accounts and study API: they validate requests and document them in OpenAPI."""

from __future__ import annotations

from flask_smorest.error_handler import ErrorSchema as SmorestErrorSchema
from marshmallow import Schema, fields, validate

from app.quiz.grading import MAX_RESPONSE_CHARS
from app.services.accounts import MAX_PASSWORD, MAX_USERNAME, MIN_PASSWORD, MIN_USERNAME
from app.web.bounds import MAX_ID

MAX_SLUG = 200  # longer than any set's slug


class ErrorSchema(SmorestErrorSchema):
    """The body of every API error (flask-smorest's fields, and the ones Unroll adds)."""

    error = fields.String(metadata={"description": "the message again, for clients that read `error`"})
    retry_after = fields.Integer(metadata={"description": "seconds to wait, as in Retry-After"})
    job = fields.Integer(allow_none=True, metadata={"description": "the training job in the way"})


class CredentialsSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=MIN_USERNAME, max=MAX_USERNAME))
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=MIN_PASSWORD, max=MAX_PASSWORD)
    )


class NewAccountSchema(CredentialsSchema):
    username = fields.String(
        required=True,
        validate=validate.Length(min=MIN_USERNAME, max=MAX_USERNAME),
        metadata={
            "description": "3–32 letters, digits, '.', '_' or '-', starting with a letter or digit, "
            "after NFKC normalisation and trimming (so not as a pattern here)"
        },
    )


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
    set = fields.String(
        validate=validate.Length(max=MAX_SLUG), metadata={"description": "study only this set (its slug)"}
    )
    card = fields.Integer(
        validate=validate.Range(min=0, max=MAX_ID),
        metadata={"description": "show this card if it can be studied now (after an undo)"},
    )
    quiz = fields.Integer(
        validate=validate.Range(min=0, max=MAX_ID),
        metadata={"description": "study only the cards missed in this submitted quiz"},
    )


class OptionFaceSchema(Schema):
    html = fields.String(required=True)
    index = fields.Integer(
        required=True,
        metadata={
            "description": "the option's number as written, which a check response names; options come shuffled"
        },
    )


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
    duration_ms = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=MAX_ID),
        metadata={"description": "time spent on the card (counted up to an hour)"},
    )
    version = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=MAX_ID))


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
            f" (each text at most {MAX_RESPONSE_CHARS} characters)"
        },
    )


class DiffSegmentSchema(Schema):
    op = fields.String(required=True, metadata={"enum": ["same", "extra", "missing"]})
    text = fields.String(required=True)


class TypedCheckSchema(Schema):
    correct = fields.Boolean(required=True)
    almost = fields.Boolean(required=True, metadata={"description": "wrong only by a small typo"})
    response = fields.String(required=True)
    expected = fields.String(
        required=True, metadata={"description": "the accepted answer it was compared with"}
    )
    shown = fields.String(required=True, metadata={"description": "the answer to display"})
    also = fields.List(fields.String(), required=True, metadata={"description": "other accepted answers"})
    diff = fields.List(fields.Nested(DiffSegmentSchema), required=True)
    near_missed = fields.List(fields.String(), required=True)


class VerdictSchema(Schema):
    correct = fields.Boolean(required=True)
    parts = fields.List(
        fields.Boolean(), metadata={"description": "a cloze's blanks, right or not, in box order"}
    )
    almost = fields.Boolean(metadata={"description": "not right, but every wrong part is a near miss"})
    checks = fields.List(
        fields.Nested(TypedCheckSchema),
        metadata={"description": "one per typed answer: a short answer or each blank"},
    )
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
