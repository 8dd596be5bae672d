"""SQLAlchemy models: the tables Unroll stores."""

from app.models.content import Card, ContentSet, SyncLock

__all__ = ["Card", "ContentSet", "SyncLock"]
