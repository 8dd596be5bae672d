"""Schemas for the authoring API: they validate requests and document them in OpenAPI."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.services.authoring import MAX_MESSAGE, MAX_SOURCE_BYTES
from app.web.api_rnn import StrictBoolean, StrictInteger
from app.web.api_schemas import ErrorSchema
from app.web.bounds import MAX_ID

MAX_FILENAME = 300
TOO_BIG = "The source is larger than 1 MB: split the set in two."


class AuthoringProblemSchema(Schema):
    line = fields.Integer(required=True, metadata={"description": "1-based line of the source"})
    message = fields.String(required=True)


class AuthoringCheckRequestSchema(Schema):
    source = fields.String(
        required=True,
        validate=validate.Length(max=MAX_SOURCE_BYTES, error=TOO_BIG),
        metadata={"description": "the set's Markdown (at most 1 MB as UTF-8)"},
    )
    filename = fields.String(
        load_default="set.md",
        validate=validate.Length(min=1, max=MAX_FILENAME),
        metadata={"description": "the name the source is checked under (its stem is the default slug)"},
    )


class AuthoringCheckSchema(Schema):
    """One file's entry of `flask content check --json`."""

    path = fields.String(required=True)
    slug = fields.String(required=True, allow_none=True)
    title = fields.String(required=True, allow_none=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    preview = fields.List(fields.String(), required=True)
    keypoints = fields.List(fields.String(), required=True)
    review = fields.List(fields.Dict(), required=True, metadata={"description": "the review questions"})
    errors = fields.List(fields.Nested(AuthoringProblemSchema), required=True)
    warnings = fields.List(fields.Nested(AuthoringProblemSchema), required=True)


class AuthoringSetSchema(Schema):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    origin = fields.String(
        required=True, metadata={"description": "'file' or 'web': who made the newest revision"}
    )
    revision = fields.Integer(
        required=True, metadata={"description": "the newest revision (0: not yet synced)"}
    )
    published = fields.Boolean(required=True, metadata={"description": "whether learners see the set"})
    errors = fields.Integer(required=True, metadata={"description": "errors in the newest revision"})
    author = fields.String(required=True, metadata={"description": "who saved the newest revision ('files')"})
    changed_at = fields.DateTime(required=True)
    learners = fields.Integer(required=True, metadata={"description": "learners who have studied the set"})
    file_moved_on = fields.Boolean(
        required=True, metadata={"description": "the content file changed after a web edit and replaced it"}
    )


class AuthoringSourceSchema(Schema):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    source = fields.String(required=True, metadata={"description": "the newest revision's Markdown"})
    revision = fields.Integer(required=True)
    published_revision = fields.Integer(required=True, allow_none=True)
    published = fields.Boolean(required=True)
    origin = fields.String(required=True)
    errors = fields.List(fields.Nested(AuthoringProblemSchema), required=True)


class AuthoringSaveRequestSchema(Schema):
    source = fields.String(required=True, validate=validate.Length(max=MAX_SOURCE_BYTES, error=TOO_BIG))
    message = fields.String(load_default="", validate=validate.Length(max=MAX_MESSAGE))
    base_revision = StrictInteger(
        required=True,
        allow_none=True,
        validate=validate.Range(min=0, max=MAX_ID),
        metadata={"description": "the revision the edit started from; null for a new set"},
    )
    publish = StrictBoolean(
        load_default=True, metadata={"description": "false saves a draft learners never see"}
    )


class ChangedQuestionSchema(Schema):
    key = fields.String(required=True)
    old = fields.String(required=True)
    new = fields.String(required=True)
    word_diff = fields.List(
        fields.Tuple((fields.String(), fields.String())),
        required=True,
        metadata={"description": "[op, words] with op 'equal', 'insert' or 'delete'"},
    )


class AuthoringChangesSchema(Schema):
    added = fields.Integer(required=True)
    changed = fields.Integer(required=True)
    retired = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    added_questions = fields.List(fields.String(), required=True)
    changed_questions = fields.List(fields.Nested(ChangedQuestionSchema), required=True)
    retired_questions = fields.List(fields.String(), required=True)
    learners_affected = fields.Integer(
        required=True, metadata={"description": "learners with history on the changed and retired cards"}
    )


class AuthoringSavedSchema(Schema):
    slug = fields.String(required=True)
    revision = fields.Integer(required=True)
    published = fields.Boolean(required=True)
    changes = fields.Nested(AuthoringChangesSchema, required=True)


class AuthoringRevisionSchema(Schema):
    revision = fields.Integer(required=True)
    author = fields.String(required=True, metadata={"description": "a username, or 'files'"})
    created_at = fields.DateTime(required=True)
    message = fields.String(required=True)
    published = fields.Boolean(required=True)
    origin = fields.String(required=True)


class AuthoringRestoreSchema(Schema):
    revision = StrictInteger(required=True, validate=validate.Range(min=1, max=MAX_ID))


class AuthoringConflictSchema(ErrorSchema):
    current_revision = fields.Integer(required=True)
    current_source = fields.String(required=True)
    diff = fields.List(
        fields.Tuple((fields.String(), fields.String())),
        metadata={"description": "[op, line] from the current revision to the text sent"},
    )


class AuthoringErrorsSchema(ErrorSchema):
    errors = fields.Raw(
        metadata={
            "description": "the checker's [{line, message}] or, for a malformed request, the fields' problems"
        }
    )
