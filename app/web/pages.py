"""Server-rendered pages: the list of sets and one set, each rendered once per content version."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from app.services import catalog
from app.web.classes.assignments import my_assignments
from app.web.headers import remote_images_allowed
from app.web.page_cache import content_page, rendered_pages

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    version = catalog.content_version()
    sets = rendered_pages().get_or_render(("index", version.key), catalog.list_sets)
    mine = my_assignments()
    if mine:  # the learner's assigned quizzes change with the clock: always rendered afresh
        return render_template("index.html", sets=sets, mine=mine)
    return content_page(version, ("index",), lambda: render_template("index.html", sets=sets, mine=mine))


@dataclass(frozen=True)
class RenderedSet:
    """What a set page shows the same way to everyone: its summary and its rendered body."""

    summary: dict[str, Any]
    body: Markup


def _render_set(slug: str, remote_images: bool) -> RenderedSet | None:
    question_set = catalog.get_set(slug, remote_images)
    if question_set is None:
        return None
    summary = {
        k: question_set[k] for k in ("slug", "title", "description", "problems", "source_path", "quiz")
    }
    return RenderedSet(summary, Markup(render_template("_set_body.html", s=question_set)))


@bp.get("/sets/<slug>")
def show_set(slug: str) -> ResponseReturnValue:
    version = catalog.content_version()
    remote = remote_images_allowed()
    page = rendered_pages().get_or_render(
        ("set", slug, remote, version.key), lambda: _render_set(slug, remote)
    )
    if page is None:
        abort(404, description=f"There is no question set called “{slug}”.")
    return content_page(
        version, ("set", slug, remote), lambda: render_template("set.html", s=page.summary, body=page.body)
    )
