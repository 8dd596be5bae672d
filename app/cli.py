"""Command-line tools: `flask content check`, `sync`, `export`, `import`, `export-bank`, users, the scheduler."""

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
from app.content import ParseResult, check_path, expand_paths, parse_text
from app.content.importers import FORMATS, ImportFailed, ImportResult, convert
from app.content.summary import result_json
from app.services import accounts, authoring, bank_export
from app.services.content_sync import sync_content
from app.srs import ReplayError, replay_json
from app.srs.optimize import OptimizeFileError, optimize_json

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


@content_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "format_", type=click.Choice(["auto", *FORMATS]), default="auto", show_default=True)
@click.option(
    "--answers",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The answer list (qa-lists).",
)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the set here, not to stdout."
)
def import_command(file: Path, format_: str, answers: Path | None, output: Path | None) -> None:
    """Convert a question bank (GIFT, Aiken, Moodle XML, Anki, CSV, pages) into one native-dialect set.

    The set goes to stdout (or --output); what was kept, changed and dropped, with source lines, to stderr.
    """
    try:
        result = convert(file.read_bytes(), file.name, format_, answers.read_bytes() if answers else None)
    except ImportFailed as exc:
        raise click.ClickException(f"{file}: {exc}") from exc
    if output is None:
        click.echo(result.source, nl=False)
    else:
        output.write_text(result.source, encoding="utf-8")
    _print_import_report(result, output)


def _print_import_report(result: ImportResult, output: Path | None) -> None:
    for entry in sorted(result.report, key=lambda e: (e.line is None, e.line or 0)):
        where = f"line {entry.line}" if entry.line is not None else "-"
        click.echo(f"{where}: {entry.action}: {entry.message}", err=True)
    counts = {
        action: sum(e.action == action for e in result.report) for action in ("kept", "changed", "dropped")
    }
    errors = parse_text(f"{result.slug}.md", result.source).errors
    for problem in errors:
        click.echo(f"check: line {problem.line}: {problem.message}", err=True)
    where = f" to {output}" if output else ""
    click.echo(
        f"{result.title!r} ({result.slug}){where}: {counts['kept']} kept, {counts['changed']} changed, "
        f"{counts['dropped']} dropped; {len(errors)} error(s) in the converted set.",
        err=True,
    )


@content_cli.command("export-bank")
@click.argument("slug")
@click.option("--format", "format_", type=click.Choice(sorted(bank_export.EXPORT_FORMATS)), required=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not to stdout.")
def export_bank_command(slug: str, format_: str, output: Path | None) -> None:
    """Write a published set as a GIFT or Moodle XML question bank for an LMS."""
    try:
        _name, text = bank_export.export_bank(slug, format_)
    except bank_export.BankExportError as exc:
        raise click.ClickException(str(exc)) from exc
    except SQLAlchemyError as exc:
        raise click.ClickException(
            f"cannot read the database ({type(exc).__name__}); is it set up? Run `flask db upgrade` first."
        ) from exc
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"{slug} written to {output} ({format_}).", err=True)


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


@srs_cli.command("optimize")
@click.argument("file", type=click.File("r", encoding="utf-8"))
def optimize_command(file: TextIO) -> None:
    """Fit FSRS parameters to a review log as Anki's Optimize does; print them with their log loss
    and RMSE(bins), and the defaults' on the same items.

    FILE is JSON ('-' for standard input): {"timezone", "day_start_hour", "reviews": [{"card_id",
    "reviewed_at", "rating"}]}.
    """
    try:
        document = json.load(file)
        click.echo(json.dumps(optimize_json(document), indent=2))
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"{file.name} is not JSON: {exc}") from exc
    except OptimizeFileError as exc:
        raise click.ClickException(f"{file.name}: {exc}") from exc


def register_commands(app: Flask) -> None:
    for group in (content_cli, users_cli, srs_cli, rnn_cli):
        app.cli.add_command(group)
