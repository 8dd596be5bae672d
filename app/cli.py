"""Command-line tools: `flask content check`, `sync` and `export`, users, the scheduler."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from app.cli_rnn import rnn_cli
from app.content import ParseResult, check_path, expand_paths
from app.content.summary import result_json
from app.services import accounts, authoring
from app.services.content_sync import sync_content
from app.srs import ReplayError, replay_json

content_cli = AppGroup("content", help="Check and load the question sets in content/.")


@content_cli.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print every file's parse as JSON.")
def check_command(paths: tuple[Path, ...], as_json: bool) -> None:
    """Validate question-set files or folders (default: the content folder)."""
    targets = expand_paths(paths or (Path(current_app.config["UNROLL_CONTENT_DIR"]),))
    missing = [p for p in targets if not p.exists()]
    results = [check_path(p) for p in targets if p.exists()]
    if as_json:
        click.echo(json.dumps({"files": [result_json(r) for r in results]}, ensure_ascii=False, indent=2))
    else:
        _print_report(results)
    for path in missing:
        click.echo(f"{path}: no such file or folder", err=True)
    if missing or any(r.errors for r in results):
        sys.exit(1)


def _print_report(results: list[ParseResult]) -> None:
    for result in results:
        for problem in result.errors:
            click.echo(f"{problem.describe(result.path)}: error")
        for problem in result.warnings:
            click.echo(f"{problem.describe(result.path)}: warning")
    bad = sum(1 for r in results if r.errors)
    click.echo(f"{len(results)} files checked, {bad} with errors.")


@content_cli.command("sync")
def sync_command() -> None:
    """Load the content folder into the database; files with errors keep their last good version."""
    root = Path(current_app.config["UNROLL_CONTENT_DIR"])
    try:
        report = sync_content(root, datetime.now(UTC))
    except SQLAlchemyError as exc:
        raise click.ClickException(
            f"cannot write to the database ({type(exc).__name__}); is it set up? Run `flask db upgrade` first."
        ) from exc
    for result in report.failed:
        for problem in result.errors:
            click.echo(f"{problem.describe(result.path)}: error (not loaded)", err=True)
    click.echo(f"Cards: {report.summary()}.")
    if report.failed:
        click.echo(f"{len(report.failed)} file(s) not loaded; every other set is up to date.", err=True)


@content_cli.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def export_command(folder: Path) -> None:
    """Write every published set's current source as FOLDER/<slug>.md (a course in git)."""
    try:
        written = authoring.export_dir(folder)
    except SQLAlchemyError as exc:
        raise click.ClickException(
            f"cannot read the database ({type(exc).__name__}); is it set up? Run `flask db upgrade` first."
        ) from exc
    click.echo(f"{written} set(s) written to {folder}.")


users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create")
@click.argument("name")
@click.option("--instructor", is_flag=True, help="Give the account the instructor role.")
@click.password_option(help="The password (asked for when not given).")
def create_user_command(name: str, instructor: bool, password: str) -> None:
    """Create an account, or reset an existing one's password and role."""
    try:
        user = accounts.set_password(
            name, password, "instructor" if instructor else "learner", datetime.now(UTC)
        )
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{user.username} is ready ({user.role}).")


srs_cli = AppGroup("srs", help="The FSRS scheduler.")


@srs_cli.command("replay")
@click.argument("file", type=click.File("r", encoding="utf-8"))
def replay_command(file: TextIO) -> None:
    """Replay review histories through the scheduler and print the due time after each review.

    FILE is JSON ('-' for standard input): {"config": {...}, "histories": [{"reviews": [...]}]}.
    """
    try:
        document = json.load(file)
        click.echo(json.dumps(replay_json(document), indent=2))
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"{file.name} is not JSON: {exc}") from exc
    except ReplayError as exc:
        raise click.ClickException(str(exc)) from exc


def register_commands(app: Flask) -> None:
    for group in (content_cli, users_cli, srs_cli, rnn_cli):
        app.cli.add_command(group)
