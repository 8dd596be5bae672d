"""Counters of the log-in and sign-up throttle, for deployments without Redis."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime


class ThrottleCounter(db.Model):  # type: ignore[name-defined,misc]
    """One fixed-window counter (the `limits` library's key), shared by every app process."""

    __tablename__ = "throttle_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
