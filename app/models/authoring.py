"""Question-set sources as instructors write them: every revision's Markdown, and a log of changes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime


class SetSource(db.Model):  # type: ignore[name-defined,misc]
    """One question set's source: its newest revision, the one learners see, and where it came from."""

    __tablename__ = "set_sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    origin: Mapped[str] = mapped_column(String(10), default="web")  # who made the newest revision
    file_path: Mapped[str | None] = mapped_column(String(500), nullable=True, unique=True)
    file_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    current_revision: Mapped[int] = mapped_column(Integer, default=0)
    published_revision: Mapped[int | None] = mapped_column(Integer, nullable=True)
    unpublished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SetRevision(db.Model):  # type: ignore[name-defined,misc]
    """One saved version of a set's Markdown; never changed once written."""

    __tablename__ = "set_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("set_sources.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )  # None: the content files
    message: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    origin: Mapped[str] = mapped_column(String(10), default="web")
    errors: Mapped[int] = mapped_column(Integer, default=0)  # the checker's error count for this text

    __table_args__ = (UniqueConstraint("source_id", "number", name="uq_set_revisions_source_number"),)


class AuthoringEvent(db.Model):  # type: ignore[name-defined,misc]
    """The authoring log: who published, restored, unpublished or uploaded what, and when."""

    __tablename__ = "authoring_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("set_sources.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(30))
    revision: Mapped[int | None] = mapped_column(Integer, nullable=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    detail: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_authoring_events_created_at", "created_at"),)
