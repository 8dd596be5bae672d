"""How the authoring pages show things: diffs as rows, the preview's context, a source's slug."""

from __future__ import annotations

from typing import Any

from app.services import authoring

_ADDED = {"+", "insert", "added", "add", "ins", "missing", "new"}
_REMOVED = {"-", "delete", "removed", "remove", "del", "extra", "old"}


def kind(op: str) -> str:
    """One name for a diff operation, whatever the differ called it: added, removed or same."""
    op = str(op).strip().lower()
    if op in _ADDED:
        return "added"
    if op in _REMOVED:
        return "removed"
    return "same"


def line_diff(ops: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Line diff rows with old and new line numbers (a removed line has no new number)."""
    rows: list[dict[str, Any]] = []
    old = new = 0
    for op, text in ops:
        what = kind(op)
        for line in _lines(str(text)):
            old += what != "added"
            new += what != "removed"
            rows.append(
                {
                    "kind": what,
                    "old": old if what != "added" else None,
                    "new": new if what != "removed" else None,
                    "text": line,
                }
            )
    return with_context(rows)


def _lines(text: str) -> list[str]:
    """A diff op's text as lines: a differ may give one line (with or without its newline) or several."""
    return text[:-1].split("\n") if text.endswith("\n") else text.split("\n")


def with_context(rows: list[dict[str, Any]], context: int = 3) -> list[dict[str, Any]]:
    """Only the changed rows and `context` unchanged rows around each; a gap row stands for the rest."""
    changed = [i for i, r in enumerate(rows) if r["kind"] != "same"]
    keep = {j for i in changed for j in range(i - context, i + context + 1)}
    shown: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        if i in keep:
            shown.append(row)
        elif not shown or shown[-1]["kind"] != "gap":
            shown.append({"kind": "gap", "old": None, "new": None, "text": "…"})
    return shown


def word_diff(value: Any) -> list[tuple[str, str]]:
    """A changed question's word diff as (kind, text) pairs; a plain string is shown as it is."""
    if isinstance(value, str):
        return [("same", value)]
    return [(kind(op), str(text)) for op, text in value or []]


def preview_context(source: str) -> dict[str, Any]:
    """What the preview template needs: the set as learners see it, or the errors that stop it."""
    try:
        rendered = authoring.render_preview(source)
    except authoring.AuthoringError as exc:
        return {"s": None, "preview_errors": [{"line": None, "message": str(exc)}]}
    if rendered.get("errors") and not rendered.get("title"):
        return {"s": None, "preview_errors": rendered["errors"]}
    return {"s": rendered, "preview_errors": []}


def check(source: str) -> dict[str, Any]:
    """The checker's entry for the source; a source it refuses outright (over 1 MB) is one error."""
    try:
        return authoring.check_source(source)
    except authoring.AuthoringError as exc:
        return {"slug": None, "title": None, "errors": [{"line": None, "message": str(exc)}], "warnings": []}


def slug_of(source: str) -> str:
    """The slug the source's front matter names ("" when it names none)."""
    return str(check(source).get("slug") or "")
