"""Live-training jobs of the RNN demo: who asked, how far the job got, and its loss at every step."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime

ACTIVE = ("queued", "running")  # the states that hold a slot


class TrainingJob(db.Model):  # type: ignore[name-defined,misc]
    """One bounded training run in a separate process; every app process reads its progress here.

    While a job is queued or running it holds `slot` (1..the number of slots) and `active_visitor`;
    both are unique, so the database itself refuses a second job on a busy slot or for the same
    visitor. A finished job sets both back to NULL (NULLs never collide).
    """

    __tablename__ = "training_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visitor: Mapped[str] = mapped_column(String(64), index=True)
    cell: Mapped[str] = mapped_column(String(16))
    steps: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(
        String(16), default="queued"
    )  # queued, running, done, stopped, failed
    step: Mapped[int] = mapped_column(Integer, default=0)
    losses: Mapped[list[float]] = mapped_column(JSON, default=list)
    message: Mapped[str | None] = mapped_column(String(500), nullable=True)
    sample: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    vocab_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cpu_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    pid: Mapped[int | None] = mapped_column(Integer, nullable=True)
    slot: Mapped[int | None] = mapped_column(Integer, nullable=True, unique=True)
    active_visitor: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE
