"""Unroll: learn recurrent neural networks in the browser."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, request

from app.config import settings_from_environment
from app.extensions import api, csrf, db, limiter, migrate, tune_sqlite


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, then CLI commands."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(settings_from_environment(Path(app.instance_path), dict(config or {})))
    from app.web import bounds

    bounds.register(app)  # its `int` converter must be in place before any route is added
    _init_extensions(app)
    _register_blueprints(app)
    _watch_content(app)
    _sweep_quizzes(app)
    from app.cli import register_commands

    register_commands(app)
    logging.basicConfig(level=logging.INFO)
    return app


def _init_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (tables must be known to Alembic and create_all)

    db.init_app(app)
    with app.app_context():
        tune_sqlite(db.engine, app.config["UNROLL_DB_STATEMENT_TIMEOUT"])
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    csrf.init_app(app)
    from app.web.api_schemas import ErrorSchema

    api.ERROR_SCHEMA = ErrorSchema  # declares the keys every API error body has
    api.init_app(app)
    limiter.init_app(app)
    from app.web.headers import init_headers
    from app.web.security import init_security

    init_security(app)
    init_headers(app)


def _register_blueprints(app: Flask) -> None:
    from app.web import api as api_routes
    from app.web import (
        api_accounts,
        api_authoring,
        api_cards,
        api_fsrs,
        api_instructor,
        api_quiz,
        api_rnn,
        api_simulate,
        api_study,
        auth,
        author,
        cards,
        demo,
        errors,
        health,
        instructor,
        pages,
        quiz,
        stats,
        study,
    )
    from app.web.classes import api_assignments, api_classes, api_items, assignments, items, roster

    for blueprint in (
        pages.bp,
        health.bp,
        auth.bp,
        study.bp,
        cards.bp,
        stats.bp,
        quiz.bp,
        demo.bp,
        instructor.bp,
        author.bp,
        roster.bp,
        assignments.bp,
        items.bp,
    ):
        app.register_blueprint(blueprint)
    for api_blueprint in (
        api_routes.bp,
        api_accounts.bp,
        api_study.bp,
        api_cards.bp,
        api_simulate.bp,
        api_quiz.bp,
        api_rnn.bp,
        api_instructor.bp,
        api_authoring.bp,
        api_classes.bp,
        api_assignments.bp,
        api_items.bp,
        api_fsrs.bp,
    ):
        api.register_blueprint(api_blueprint)
    errors.register(app)


def _watch_content(app: Flask) -> None:
    from app.services.content_watch import ContentWatcher

    watcher = ContentWatcher(
        Path(app.config["UNROLL_CONTENT_DIR"]), app.config["UNROLL_CONTENT_RELOAD_SECONDS"]
    )
    app.extensions["unroll_content_watcher"] = watcher

    @app.before_request
    def refresh_content() -> None:
        if request.endpoint not in {"static", "health.healthz"}:
            watcher.refresh_for_request(app)


def _sweep_quizzes(app: Flask) -> None:
    """Submit quizzes whose time ran out even if their learner never comes back (every 30 s at most)."""
    from app.services.quiz_sweep import QuizSweeper
    from app.web.clock import now

    sweeper = QuizSweeper(interval=30.0)

    @app.before_request
    def sweep_quizzes() -> None:
        if request.endpoint not in {"static", "health.healthz"}:
            sweeper.maybe_sweep(now(), float(app.config["UNROLL_QUIZ_GRACE_SECONDS"]))
