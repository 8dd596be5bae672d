"""Authoring pages: instructors list, write, check, preview, publish and restore question sets."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from app.content.importers import ReportLine
from app.services import authoring
from app.web import author_banks
from app.web.author_view import check, line_diff, preview_context, slug_of, word_diff
from app.web.clock import now
from app.web.instructor import current_instructor

bp = Blueprint("author", __name__, url_prefix="/author")
NEW_SET_INTRO = (
    "This template is a complete set: give it your own title, slug and question IDs, write your "
    "questions, then save a draft or publish it."
)


@bp.before_request
@login_required
def instructors_only() -> None:
    """Visitors go to the log-in page (login_required); learners and guests get 403."""
    current_instructor()


@bp.get("")
def index() -> str:
    return render_template("author/index.html", sets=authoring.list_sets(), log=authoring.activity())


@bp.get("/new")
def new() -> str:
    return _editor(None, authoring.template_source(), None, "", intro=NEW_SET_INTRO)


@bp.get("/sets/<slug>")
def edit(slug: str) -> str:
    view = _source(slug)
    return _editor(slug, view.source, view.revision, "", view=view)


def _source(slug: str) -> authoring.SetSourceView:
    try:
        return authoring.get_source(slug)
    except authoring.SetNotFound:
        abort(404, description=f"There is no question set called “{slug}”.")


def _editor(
    slug: str | None,
    source: str,
    base: int | None,
    message: str,
    view: authoring.SetSourceView | None = None,
    errors: list[dict[str, Any]] | None = None,
    notice: str = "",
    intro: str = "",
    imported: tuple[str, tuple[ReportLine, ...]] | None = None,
) -> str:
    checked = check(source)
    return render_template(
        "author/edit.html",
        slug=slug,
        source=source,
        base=base,
        message=message,
        view=view,
        errors=errors if errors is not None else checked.get("errors", []),
        warnings=checked.get("warnings", []),
        notice=notice,
        intro=intro,
        imported_from=imported[0] if imported else "",
        report=imported[1] if imported else (),
        report_counts=author_banks.report_counts(imported[1]) if imported else {},
        **preview_context(source),
    )


@bp.post("/save")
def save() -> ResponseReturnValue:
    """Save as a draft, show what publishing would change, or publish (after that page)."""
    form = _SaveForm.read()
    if form.action == "review":
        return _review(form)
    try:
        done = authoring.save(
            current_instructor(), form.slug, form.source, form.message, form.base,
            publish=form.action == "publish", now=now(),
        )  # fmt: skip
    except authoring.RevisionConflict as exc:
        return _conflict(form, exc), 409
    except authoring.SourceHasErrors as exc:
        notice = "This source has errors, so it cannot be published. Fix them, or save it as a draft."
        return _editor(
            form.slug_or_none, form.source, form.base, form.message, errors=exc.errors, notice=notice
        ), 422
    except authoring.AuthoringError as exc:
        return _editor(form.slug_or_none, form.source, form.base, form.message, notice=str(exc)), 400
    flash(_saved_message(done))
    return redirect(url_for("author.edit", slug=done.slug))


def _saved_message(done: authoring.SaveResult) -> str:
    c = done.changes
    if not done.published:
        return f"Saved revision {done.revision} as a draft: learners do not see it."
    return (
        f"Published revision {done.revision}: {c.added} added, {c.changed} changed, "
        f"{c.retired} retired, {c.unchanged} unchanged."
    )


def _review(form: _SaveForm) -> ResponseReturnValue:
    checked = check(form.source)
    errors = checked.get("errors", [])
    if errors:
        notice = "This source has errors, so it cannot be published. Fix them, or save it as a draft."
        return _editor(
            form.slug_or_none, form.source, form.base, form.message, errors=errors, notice=notice
        ), 422
    changes = authoring.preview_changes(form.slug_or_none, form.source)
    title = checked.get("title") or form.slug
    return render_template("author/publish.html", form=form, changes=changes, title=title, ops=word_diff)


def _conflict(form: _SaveForm, exc: authoring.RevisionConflict) -> str:
    return render_template(
        "author/conflict.html",
        form=form,
        current_revision=exc.current_revision,
        current_source=exc.current_source,
        diff=line_diff(authoring.diff(exc.current_source, form.source)),
    )


class _SaveForm:
    """The editor's fields, as posted by the editor, the publish page or the conflict page."""

    def __init__(self, source: str, message: str, base: int | None, slug: str, action: str) -> None:
        self.source, self.message, self.base, self.slug, self.action = source, message, base, slug, action

    @classmethod
    def read(cls) -> _SaveForm:
        source = request.form.get("source", "").replace("\r\n", "\n")
        base_text = request.form.get("base_revision", "").strip()
        action = request.form.get("action", "draft")
        if action not in {"draft", "review", "publish"}:
            abort(400, description="Unknown action.")
        base = int(base_text) if base_text.isdigit() else None
        slug = request.form.get("slug", "").strip() or slug_of(source)
        return cls(source, request.form.get("message", "").strip(), base, slug, action)

    @property
    def slug_or_none(self) -> str | None:
        return self.slug or None


@bp.post("/preview")
def preview() -> ResponseReturnValue:
    """The learner's view of the posted source, as an HTML fragment for the editor's preview pane
    (the header X-Preview-Ok says whether it parsed, so the editor may keep the last good one)."""
    context = preview_context(request.form.get("source", ""))
    html = render_template("author/_preview.html", **context)
    return html, 200, {"X-Preview-Ok": "1" if context["s"] else "0"}


@bp.get("/sets/<slug>/history")
def history(slug: str) -> str:
    view = _source(slug)
    revisions = authoring.revisions(slug)
    texts = {r.revision: authoring.revision_text(slug, r.revision) for r in revisions}
    diffs = {
        r.revision: line_diff(authoring.diff(texts.get(r.revision - 1, ""), texts[r.revision]))
        for r in revisions
    }
    return render_template("author/history.html", view=view, revisions=revisions, diffs=diffs)


@bp.post("/sets/<slug>/restore")
def restore(slug: str) -> ResponseReturnValue:
    number = request.form.get("revision", "")
    if not number.isdigit():
        abort(400, description="Say which revision to restore.")
    try:
        done = authoring.restore(current_instructor(), slug, int(number), now())
    except authoring.SetNotFound:
        abort(404, description=f"There is no question set called “{slug}”.")
    except authoring.AuthoringError as exc:
        flash(str(exc))
        return redirect(url_for("author.history", slug=slug))
    flash(f"Restored revision {number} as revision {done.revision}. " + _saved_message(done))
    return redirect(url_for("author.history", slug=slug))


@bp.post("/sets/<slug>/unpublish")
def unpublish(slug: str) -> ResponseReturnValue:
    try:
        authoring.unpublish(current_instructor(), slug, now())
    except authoring.SetNotFound:
        abort(404, description=f"There is no question set called “{slug}”.")
    except authoring.AuthoringError as exc:
        flash(str(exc))
    else:
        flash("Unpublished: learners no longer see this set; their history is kept.")
    return redirect(url_for("author.edit", slug=slug))


@bp.post("/upload")
def upload() -> ResponseReturnValue:
    files = [(f.filename or "upload.md", f.read()) for f in request.files.getlist("files") if f.filename]
    if not files:
        flash("Choose one or more .md files, a .zip of a course folder, or one question bank.")
        return redirect(url_for("author.index"))
    if any(author_banks.is_bank(name) for name, _ in files):
        return _import_bank(files)
    try:
        results = authoring.upload(current_instructor(), files, now())
    except authoring.AuthoringError as exc:
        flash(str(exc))
        return redirect(url_for("author.index"))
    return render_template("author/uploaded.html", results=results)


def _import_bank(files: list[tuple[str, bytes]]) -> ResponseReturnValue:
    """Convert one uploaded bank and open it in the editor with its report; nothing is stored."""
    if len(files) != 1:
        flash("Upload a question bank on its own: one bank file (with its answer list, if any) at a time.")
        return redirect(url_for("author.index"))
    name, data = files[0]
    answers_file = request.files.get("answers")
    answers = answers_file.read() if answers_file and answers_file.filename else None
    try:
        result = author_banks.convert_bank(name, data, answers)
    except author_banks.ImportFailed as exc:
        flash(f"{name} could not be converted: {exc}")
        return redirect(url_for("author.index"))
    intro = (
        f"Converted from {name}. Nothing is stored yet: read the report, correct the set, "
        "then save a draft or publish it."
    )
    return _editor(
        None, result.source, None, f"Imported from {name}", intro=intro, imported=(name, result.report)
    )


@bp.get("/sets/<slug>/export/<format>")
def export_bank(slug: str, format: str) -> ResponseReturnValue:
    """The set as learners see it (its published revision; the newest one while it has never been
    published) as a GIFT or Moodle XML file, to take to an LMS."""
    if format not in author_banks.EXPORTS:
        abort(404, description=f"Unknown export format “{format}”.")
    view = _source(slug)
    served = view.published_revision
    source = authoring.revision_text(slug, served) if served and served != view.revision else view.source
    try:
        download = author_banks.export_bank(slug, source, format)
    except author_banks.ExportUnavailable as exc:
        flash(str(exc))
        return redirect(url_for("author.edit", slug=slug))
    headers = {"Content-Disposition": f'attachment; filename="{download.filename}"'}
    return Response(download.text, mimetype=download.mimetype, headers=headers)


@bp.get("/export.zip")
def export() -> Response:
    stamp = now().strftime("%Y%m%d-%H%M")
    return Response(
        authoring.export_zip(),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="unroll-course-{stamp}.zip"'},
    )
