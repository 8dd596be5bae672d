"""A periodic sweep that submits overdue quizzes, run from requests at most every `interval` seconds."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from app.services.quiz import sweep

log = logging.getLogger(__name__)


class QuizSweeper:
    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._last = float("-inf")
        self._lock = threading.Lock()

    def maybe_sweep(self, now: datetime, grace_s: float) -> int:
        if time.monotonic() - self._last < self.interval or not self._lock.acquire(blocking=False):
            return 0
        try:
            self._last = time.monotonic()
            return sweep(now, grace_s)
        except Exception:  # a failed sweep must not break the request; the next one retries
            log.exception("quiz sweep failed")
            return 0
        finally:
            self._lock.release()
