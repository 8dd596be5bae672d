"""Marshmallow schemas: they shape API responses and generate the OpenAPI document."""

from __future__ import annotations

from marshmallow import Schema, fields


class SetCountsSchema(Schema):
    preview = fields.Integer(required=True, metadata={"description": "open questions to think about first"})
    keypoint = fields.Integer(required=True)
    review = fields.Integer(required=True, metadata={"description": "review questions (cards)"})


class SetSummarySchema(Schema):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String()
    weight = fields.Integer()
    counts = fields.Nested(SetCountsSchema, required=True)


class HtmlItemSchema(Schema):
    html = fields.String(required=True)


class KeypointSchema(Schema):
    number = fields.Integer(required=True)
    html = fields.String(required=True)


class OptionSchema(Schema):
    html = fields.String(required=True)
    correct = fields.Boolean(required=True)
    explanation_html = fields.String()


class ReviewItemSchema(Schema):
    id = fields.String(required=True, metadata={"description": "the card's stable id within the set"})
    type = fields.String(required=True, metadata={"enum": ["open", "choice", "true-false", "cloze", "short"]})
    question_html = fields.String(required=True)
    answer_html = fields.String(required=True)
    explanation_html = fields.String()
    options = fields.List(fields.Nested(OptionSchema))
    accept = fields.List(fields.String())
    tags = fields.List(fields.String())
    covers = fields.List(fields.Integer(), metadata={"description": "numbers of the key points tested"})


class ExtraSchema(Schema):
    title = fields.String(required=True)
    html = fields.String(required=True)


class SetSchema(SetSummarySchema):
    preview = fields.List(fields.Nested(HtmlItemSchema), required=True)
    explain_html = fields.String(required=True)
    keypoints = fields.List(fields.Nested(KeypointSchema), required=True)
    review = fields.List(fields.Nested(ReviewItemSchema), required=True)
    extras = fields.List(fields.Nested(ExtraSchema))


class SetPathSchema(Schema):
    slug = fields.String(required=True, metadata={"description": "the set's slug, as in /sets/<slug>"})
