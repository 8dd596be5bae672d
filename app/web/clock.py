"""The server's clock for views: real UTC time, or a test's controllable clock (UNROLL_CLOCK)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app


def now() -> datetime:
    clock = current_app.config.get("UNROLL_CLOCK")
    return clock() if clock else datetime.now(UTC)
