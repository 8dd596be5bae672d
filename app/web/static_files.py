"""Static files under content-hashed URLs (`/static/unroll.css?v=<hash>`), cached for a year.

`url_for('static', ...)` adds the first 12 hex digits of the file's SHA-256, so an edited file gets
a new URL and browsers may keep each version for good (`immutable`). A URL without the hash, or
with a stale one, still works, cached only briefly. nginx gives the same treatment to the files it
serves itself (deploy/nginx/unroll.conf).
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any

from flask import Flask, request
from flask.wrappers import Response

YEAR_SECONDS = 365 * 24 * 60 * 60
SHORT_SECONDS = 60 * 60


class StaticHashes:
    """Each static file's hash, recomputed when its modification time changes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._known: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def of(self, filename: str) -> str | None:
        known = self._known.get(filename)
        if known is not None:  # a name seen before: only its modification time is checked
            try:
                if os.stat(self.folder / filename).st_mtime == known[0]:
                    return known[1]
            except OSError:
                return None
        path = (self.folder / filename).resolve()
        if not path.is_relative_to(self.folder.resolve()) or not path.is_file():
            return None
        mtime = os.stat(path).st_mtime
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        with self._lock:
            self._known[filename] = (mtime, digest)
        return digest


def init_static_files(app: Flask) -> None:
    assert app.static_folder is not None
    hashes = StaticHashes(Path(app.static_folder))

    @app.url_defaults
    def add_hash(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            digest = hashes.of(str(values["filename"]))
            if digest is not None:
                values["v"] = digest

    @app.after_request
    def cache_static(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        filename = (request.view_args or {}).get("filename", "")
        hashed = request.args.get("v") is not None and request.args.get("v") == hashes.of(str(filename))
        response.cache_control.public = True
        response.cache_control.max_age = YEAR_SECONDS if hashed else SHORT_SECONDS
        if hashed:
            response.cache_control.immutable = True
        return response
