"""Server-rendered pages: the list of sets and one set."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from app.services import catalog
from app.web.headers import remote_images_allowed

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> str:
    return render_template("index.html", sets=catalog.list_sets())


@bp.get("/sets/<slug>")
def show_set(slug: str) -> str:
    question_set = catalog.get_set(slug, remote_images_allowed())
    if question_set is None:
        abort(404, description=f"There is no question set called “{slug}”.")
    return render_template("set.html", s=question_set)
