"""Pick up edits to content files while the app runs, without a restart."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from app.content import fingerprint
from app.services.content_sync import SyncReport, sync_content

log = logging.getLogger(__name__)


class ContentWatcher:
    """Re-syncs the content folder when its files change, checking at most every `interval` s."""

    def __init__(self, root: Path, interval: float) -> None:
        self.root = root
        self.interval = interval
        self._seen: tuple[tuple[str, int, int], ...] | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()

    def refresh(self) -> SyncReport | None:
        """Sync if files changed since the last look; a failed sync is logged, never raised."""
        if self.interval < 0 or time.monotonic() - self._checked_at < self.interval:
            return None
        if not self._lock.acquire(blocking=False):
            return None
        try:
            self._checked_at = time.monotonic()
            stamp = fingerprint(self.root)
            if stamp == self._seen:
                return None
            report = sync_content(self.root, datetime.now(UTC))
            self._seen = stamp
            for result in report.failed:
                for problem in result.errors:
                    log.warning("content: %s", problem.describe(result.path))
            return report
        except Exception:  # a bad sync must not take pages down
            log.exception("content sync failed; serving the last loaded content")
            return None
        finally:
            self._lock.release()
