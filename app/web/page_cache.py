"""Content pages rendered once per content version, and answered with 304 on a repeat visit.

A set page's body is the same for every reader of one content version, so each process renders it
once and keeps it (a bounded LRU) under the version read from the database on every request: a
publish, sync or hot reload on any process changes that number, and every process renders anew.
The per-user parts (header, instructor buttons, the CSRF token) are rendered on each request, and
the ETag covers them: it names the content version and who is looking (user, role, login session
and the session's CSRF token), so a browser's repeat visit gets a 304 only for an identical page.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import Response, current_app, g, make_response, request, session
from flask_login import current_user

from app.services.catalog import ContentVersion

T = TypeVar("T")
MAX_PAGES = 512
MISSING = object()


class RenderedPages:
    """A bounded, thread-safe LRU of rendered fragments; the key carries the content version."""

    def __init__(self, size: int = MAX_PAGES) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_render(self, key: Hashable, render: Callable[[], T]) -> T:
        with self._lock:
            found = self._items.get(key, MISSING)
            if found is not MISSING:
                self._items.move_to_end(key)
                return found  # type: ignore[no-any-return]
        value = render()  # outside the lock: two threads may render the same page once each
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def rendered_pages() -> RenderedPages:
    """This app's cache (one per app: tests run many apps, each on its own database)."""
    pages = current_app.extensions.get("unroll_pages")
    if pages is None:
        pages = current_app.extensions.setdefault("unroll_pages", RenderedPages())
    return pages  # type: ignore[no-any-return]


def _viewer() -> str | None:
    """Who the per-user parts of a page are rendered for; None when the page must not be reused
    (a message is waiting to be shown once, or the session has no CSRF token yet)."""
    if session.get("_flashes"):
        return None
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    raw_token = session.get(field)
    if not raw_token:
        return None
    if current_user.is_authenticated:
        who = f"{current_user.id}:{current_user.role}:{int(current_user.is_guest)}:{current_user.username}"
    else:
        who = "visitor"
    return f"{who}|{raw_token}|{int(bool(g.get('database_down')))}"


def page_etag(version: ContentVersion, *parts: object) -> str | None:
    """The ETag of a content page as this viewer sees it, or None when it must not be reused."""
    viewer = _viewer()
    if viewer is None:
        return None
    seed = "|".join([version.key, viewer, *(str(p) for p in parts)])
    return hashlib.sha256(seed.encode()).hexdigest()[:32]


def content_page(version: ContentVersion, parts: tuple[object, ...], render: Callable[[], str]) -> Response:
    """A content page with validators: a matching If-None-Match gets a 304 without rendering;
    otherwise the page, which the browser keeps but asks about again each time (no-cache) and
    shares with no one (private)."""
    etag = page_etag(version, *parts)
    if etag is not None and request.if_none_match.contains(etag):
        return _with_validators(Response(status=304), version, etag)
    response = make_response(render())
    # A first visit's session gets its CSRF token while the page renders: the ETag can name it now.
    return _with_validators(response, version, etag or page_etag(version, *parts))


def _with_validators(response: Response, version: ContentVersion, etag: str | None) -> Response:
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    if etag is not None:
        response.set_etag(etag)
        if version.changed_at is not None:
            response.last_modified = version.changed_at
    return response
