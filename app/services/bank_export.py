"""A published set as a question bank for an LMS (GIFT or Moodle XML)."""

from __future__ import annotations

import importlib

from sqlalchemy import select

from app.content import QuestionSet
from app.content.parser import parse_text
from app.extensions import db
from app.models import ContentSet, SetRevision, SetSource

EXPORT_FORMATS = {"gift": ("gift", ".gift"), "moodle-xml": ("moodle_xml", ".xml")}


class BankExportError(ValueError):
    """The set or the format cannot be exported (the message says why)."""


def published_set(slug: str) -> QuestionSet:
    """The set learners see under `slug`, parsed from its published source."""
    text = db.session.scalar(
        select(SetRevision.text)
        .join(SetSource, SetRevision.source_id == SetSource.id)
        .join(ContentSet, ContentSet.slug == SetSource.slug)
        .where(
            SetSource.slug == slug,
            SetSource.published_revision.is_not(None),
            SetRevision.number == SetSource.published_revision,
            SetSource.unpublished_at.is_(None),
            ContentSet.retired_at.is_(None),
        )
    )
    db.session.rollback()
    if text is None:
        raise BankExportError(f"no published set {slug!r}")
    result = parse_text(f"{slug}.md", text)
    if result.question_set is None:
        raise BankExportError(f"the published source of {slug!r} does not parse")
    return result.question_set


def export_bank(slug: str, format: str) -> tuple[str, str]:
    """(file name, text) of the published set `slug` in `format` ("gift" or "moodle-xml")."""
    if format not in EXPORT_FORMATS:
        raise BankExportError(f"unknown format {format!r}; known: {', '.join(EXPORT_FORMATS)}")
    module_name, extension = EXPORT_FORMATS[format]
    try:
        module = importlib.import_module(f"app.content.exporters.{module_name}")
    except ModuleNotFoundError as error:
        if error.name and error.name.startswith("app.content.exporters"):
            raise BankExportError(f"{format}: export format not available in this build") from None
        raise
    return f"{slug}{extension}", str(module.export(published_set(slug)))
