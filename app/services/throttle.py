"""Throttling of log-ins, sign-ups and guest starts, shared by every app process and server.

The `limits` library counts fixed windows ("5 per minute;30 per hour") in Redis when REDIS_URL is
set, else in the database's throttle_counters table through `DatabaseStorage` below.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.models import ThrottleCounter

_COUNTERS = ThrottleCounter.__table__
SWEEP_EVERY = 60.0  # seconds between deletions of expired counters, per process


@dataclass(frozen=True)
class Rule:
    """Limits ("5 per minute;30 per hour") on one kind of event for one subject (an address, an account)."""

    kind: str
    limits: str
    subject: str

    def items(self) -> list[RateLimitItem]:
        return parse_many(self.limits)


class Throttle:
    """Counts events per rule in a store every process shares, and says how long a refused
    subject must wait."""

    def __init__(self, storage: Storage) -> None:
        self._limiter = FixedWindowRateLimiter(storage)

    @classmethod
    def from_redis_url(cls, redis_url: str | None) -> Throttle:
        """Redis when a URL is given, else the app's database."""
        return cls(storage_from_string(redis_url) if redis_url else DatabaseStorage())

    def wait(self, rules: list[Rule]) -> int:
        """Seconds until every rule allows one more event (0: allowed now)."""
        waits = [
            self._seconds_left(item, rule)
            for rule in rules
            for item in rule.items()
            if not self._limiter.test(item, rule.kind, rule.subject)
        ]
        return max(waits, default=0)

    def hit(self, rules: list[Rule]) -> None:
        """Count one event against every rule."""
        for rule in rules:
            for item in rule.items():
                self._limiter.hit(item, rule.kind, rule.subject)

    def take(self, rules: list[Rule]) -> int:
        """Count one event and return 0 if every rule allowed it, else the seconds to wait (atomic:
        parallel requests cannot all slip under a limit)."""
        refused = [
            self._seconds_left(item, rule)
            for rule in rules
            for item in rule.items()
            if not self._limiter.hit(item, rule.kind, rule.subject)
        ]
        return max(refused, default=0)

    def _seconds_left(self, item: RateLimitItem, rule: Rule) -> int:
        reset = self._limiter.get_window_stats(item, rule.kind, rule.subject).reset_time
        return max(1, math.ceil(reset - time.time()))


class DatabaseStorage(Storage):
    """A `limits` storage in the app's database (SQLite or PostgreSQL), for fixed windows: each
    counter is one row, incremented by an atomic upsert in its own transaction."""

    STORAGE_SCHEME = ["unroll+database"]  # noqa: RUF012  (how `limits` registers a storage)

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: float | str | bool):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_sweep = 0.0

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = datetime.now(UTC)
        insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
        statement = insert(_COUNTERS).values(
            key=key, count=amount, expires_at=now + timedelta(seconds=expiry)
        )
        expired = _COUNTERS.c.expires_at <= now
        statement = statement.on_conflict_do_update(
            index_elements=[_COUNTERS.c.key],
            set_={
                "count": case((expired, amount), else_=_COUNTERS.c.count + amount),
                "expires_at": case((expired, statement.excluded.expires_at), else_=_COUNTERS.c.expires_at),
            },
        ).returning(_COUNTERS.c.count)
        with db.engine.begin() as connection:
            count = int(connection.execute(statement).scalar_one())
        self._sweep(now)
        return count

    def get(self, key: str) -> int:
        with db.engine.connect() as connection:
            found = connection.execute(
                select(_COUNTERS.c.count).where(
                    _COUNTERS.c.key == key, _COUNTERS.c.expires_at > datetime.now(UTC)
                )
            ).scalar()
        return int(found or 0)

    def get_expiry(self, key: str) -> float:
        with db.engine.connect() as connection:
            found = connection.execute(select(_COUNTERS.c.expires_at).where(_COUNTERS.c.key == key)).scalar()
        return found.timestamp() if found is not None else time.time()

    def check(self) -> bool:
        with db.engine.connect() as connection:
            return connection.execute(select(1)).scalar() == 1

    def reset(self) -> int | None:
        with db.engine.begin() as connection:
            return connection.execute(delete(_COUNTERS)).rowcount

    def clear(self, key: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(delete(_COUNTERS).where(_COUNTERS.c.key == key))

    def _sweep(self, now: datetime) -> None:
        """Delete expired counters, at most once a minute per process."""
        if time.monotonic() < self._next_sweep:
            return
        self._next_sweep = time.monotonic() + SWEEP_EVERY
        with db.engine.begin() as connection:
            connection.execute(delete(_COUNTERS).where(_COUNTERS.c.expires_at <= now))
