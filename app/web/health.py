"""Liveness that proves the database answers, with the content files that failed to load.

The probe runs in a thread of its own and the request waits for it at most UNROLL_HEALTH_TIMEOUT
seconds, so a database that hangs gets a 503 in time instead of holding the request (and a
load balancer's check) until the worker is killed.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import SQLAlchemyError

from app.services.catalog import content_health, database_ok

bp = Blueprint("health", __name__)


class HealthProbe:
    """One probe at a time per app: a request that comes while one runs waits for that one, so a
    hanging database gathers no pile of stuck probe threads however often /healthz is asked."""

    def __init__(self, app: Flask) -> None:
        self._app = app
        self._lock = threading.Lock()
        self._running: Future[dict[str, Any]] | None = None

    def report(self, timeout: float) -> dict[str, Any]:
        """The content report; TimeoutError when the database took longer than `timeout` seconds."""
        with self._lock:
            if self._running is None or self._running.done():
                self._running = Future()
                threading.Thread(
                    target=self._probe, args=(self._running, timeout), name="healthz", daemon=True
                ).start()
            running = self._running
        return running.result(timeout)

    def _probe(self, future: Future[dict[str, Any]], timeout: float) -> None:
        try:
            with self._app.app_context():
                database_ok(statement_timeout=timeout)
                future.set_result(content_health())
        except BaseException as error:  # handed to the waiting request, which answers for it
            future.set_exception(error)


@bp.record_once
def _attach_probe(state: BlueprintSetupState) -> None:
    state.app.extensions["unroll_health_probe"] = HealthProbe(state.app)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    timeout = float(current_app.config["UNROLL_HEALTH_TIMEOUT"])
    probe: HealthProbe = current_app.extensions["unroll_health_probe"]
    try:
        content = probe.report(timeout)
    except SQLAlchemyError:
        return jsonify(status="error", message="the database does not answer"), 503
    except TimeoutError:
        message = f"the database did not answer within {timeout:g} s"
        return jsonify(status="error", message=message), 503
    return jsonify(status="ok", content=content)
