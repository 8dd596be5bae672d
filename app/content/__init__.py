"""Pure content core: Markdown question sets to typed values. Imports neither Flask nor SQLAlchemy."""

from app.content.loader import (
    SourceFile,
    check_path,
    content_entries,
    content_files,
    expand_paths,
    fingerprint,
    read_sources,
)
from app.content.model import (
    Dialect,
    ExtraSection,
    Item,
    Option,
    ParseResult,
    Problem,
    QuestionSet,
    QuestionType,
    ReviewItem,
)
from app.content.parser import parse_file, parse_text

__all__ = [
    "Dialect",
    "ExtraSection",
    "Item",
    "Option",
    "ParseResult",
    "Problem",
    "QuestionSet",
    "QuestionType",
    "ReviewItem",
    "SourceFile",
    "check_path",
    "content_entries",
    "content_files",
    "expand_paths",
    "fingerprint",
    "parse_file",
    "parse_text",
    "read_sources",
]
