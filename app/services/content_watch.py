"""Pick up edits to content files while the app runs, without a restart."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask

from app.content import fingerprint
from app.services.content_sync import SyncReport, sync_content

log = logging.getLogger(__name__)

# How long a request waits for a sync it started: a quick edit shows at once, while a slow file
# (up to the seconds content checks may take) never holds a page past this.
REQUEST_WAIT_SECONDS = 0.5


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
        if not self._due() or not self._lock.acquire(blocking=False):
            return None
        try:
            return self._sync_if_changed()
        finally:
            self._lock.release()

    def refresh_for_request(self, app: Flask, wait: float = REQUEST_WAIT_SECONDS) -> None:
        """Sync in a thread of its own, waiting for it at most `wait` seconds."""
        if not self._due() or not self._lock.acquire(blocking=False):
            return
        worker = threading.Thread(target=self._sync_in_thread, args=(app,), name="content-sync", daemon=True)
        worker.start()
        worker.join(wait)

    def _sync_in_thread(self, app: Flask) -> None:
        try:
            with app.app_context():
                self._sync_if_changed()
        finally:
            self._lock.release()

    def _due(self) -> bool:
        return self.interval >= 0 and time.monotonic() - self._checked_at >= self.interval

    def _sync_if_changed(self) -> SyncReport | None:
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
