"""Question sets and their cards as stored: the content files' latest good version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime


class ContentSet(db.Model):  # type: ignore[name-defined,misc]
    """One question-set file as last loaded; retired when its file disappears."""

    __tablename__ = "content_sets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    source_path: Mapped[str] = mapped_column(String(500), unique=True)
    source_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[int] = mapped_column(Integer, default=0)
    dialect: Mapped[str] = mapped_column(String(20))
    explain: Mapped[str] = mapped_column(Text, default="")
    preview: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    keypoints: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    extras: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    prompts: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    front_matter: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    cards: Mapped[list[Card]] = relationship(back_populates="content_set", order_by="Card.position")

    __table_args__ = (Index("ix_content_sets_active_order", "retired_at", "weight", "title"),)

    @property
    def sources(self) -> list[str]:
        """The works the set's facts were checked against (front matter `sources`, checked at parse time)."""
        listed = (self.front_matter or {}).get("sources")
        return [s for s in listed if isinstance(s, str)] if isinstance(listed, list) else []


class Card(db.Model):  # type: ignore[name-defined,misc]
    """One review question; kept, with its history, when its text is edited or it is removed."""

    __tablename__ = "cards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("content_sets.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    text_key: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(20))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    line: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    content_set: Mapped[ContentSet] = relationship(back_populates="cards")

    __table_args__ = (
        UniqueConstraint("set_id", "key", name="uq_cards_set_id_key"),
        Index("ix_cards_set_active", "set_id", "retired_at", "position"),
    )


class SyncLock(db.Model):  # type: ignore[name-defined,misc]
    """A single row that content syncs update first, so only one sync writes at a time. Its
        `cards_version` grows whenever cards are added, revived or retired, so each learner's deck
        is brought up to date lazily, once, on their next study request. `content_version` grows with
    every content write, so each server process knows at once when its cached pages are stale."""

    __tablename__ = "sync_lock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cards_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Grows with every content write (sync, publish, unpublish): cached pages are keyed by it.
    content_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
