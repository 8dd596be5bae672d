"""Take data out of Unroll: a learner's review log as CSV, and any question set as an Anki package."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from html import escape
from pathlib import Path
from typing import Any

import genanki
from pygments.formatters import HtmlFormatter
from sqlalchemy import func, select

from app.content.cloze import anki_cloze
from app.content.render import plain_text, render_markdown
from app.extensions import db
from app.models import Card, CardProgress, ContentSet, ReviewLog, User
from app.services.catalog import card_faces
from app.srs import Rating

CSV_COLUMNS = (
    "reviewed_at",
    "set",
    "card",
    "question",
    "rating",
    "rating_name",
    "duration_ms",
    "phase_before",
    "phase_after",
    "interval_seconds",
    "undone",
)
RATING_NAMES = {0: "Manual", **{int(rating): rating.name.title() for rating in Rating}}
CSV_CHUNK_ROWS = 1000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet may run a cell starting so


def spreadsheet_safe(cell: object) -> object:
    """A text cell that a spreadsheet would read as a formula, prefixed with a single quote (OWASP's
    advice for CSV injection); numbers and other text are left as they are."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


class UnknownSet(LookupError):
    """No active question set has this slug."""


def review_count(user: User) -> int:
    """Grades logged (undone ones too, as the CSV has them); manual changes (rating 0) are no reviews."""
    return (
        db.session.scalar(select(func.count()).where(ReviewLog.user_id == user.id, ReviewLog.rating >= 1))
        or 0
    )


def _learner_cards(user_id: int) -> dict[int, tuple[str, str, str]]:
    """Set slug, card key and question Markdown of every card in the learner's deck."""
    rows = db.session.execute(
        select(Card.id, ContentSet.slug, Card.key, Card.question)
        .join(ContentSet, ContentSet.id == Card.set_id)
        .where(Card.id.in_(select(CardProgress.card_id).where(CardProgress.user_id == user_id)))
    )
    return {card_id: (slug, key, question) for card_id, slug, key, question in rows}


_LOG_COLUMNS = (
    ReviewLog.reviewed_at,
    ReviewLog.card_id,
    ReviewLog.rating,
    ReviewLog.duration_ms,
    ReviewLog.phase_before,
    ReviewLog.phase_after,
    ReviewLog.interval_seconds,
    ReviewLog.undone_at,
)


def review_log_csv(user: User) -> Iterator[str]:
    """The learner's every logged grade, oldest first, as CSV text in chunks (undone ones marked)."""
    cards = _learner_cards(user.id)
    questions: dict[int, str] = {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    logs = db.session.execute(
        select(*_LOG_COLUMNS)
        .where(ReviewLog.user_id == user.id)
        .order_by(ReviewLog.reviewed_at, ReviewLog.id)
        .execution_options(yield_per=CSV_CHUNK_ROWS)
    )
    for number, (at, card_id, rating, duration, before, after, interval, undone_at) in enumerate(logs, 1):
        slug, key, question = cards.get(card_id, ("", "", ""))
        if card_id not in questions:
            questions[card_id] = plain_text(question)
        row = [
            at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            slug,
            key,
            questions[card_id],
            rating,
            RATING_NAMES.get(rating, ""),
            duration,
            before,
            after,
            interval,
            "true" if undone_at is not None else "false",
        ]
        writer.writerow([spreadsheet_safe(cell) for cell in row])
        if number % CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def stable_id(kind: str, slug: str) -> int:
    """An Anki id for a set's deck or note type that stays the same on every export, so a
    re-imported package updates the learner's notes instead of duplicating them."""
    digest = hashlib.sha256(f"unroll:{kind}:{slug}".encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


_CARD_CSS = (
    ".card { font-family: system-ui, sans-serif; font-size: 20px; line-height: 1.5; text-align: left;"
    " color: black; background-color: white; max-width: 40em; margin: 0 auto; }\n"
    ".nightMode.card { color: #e8e6e1; background-color: #1d2027; }\n"
    ".cloze { font-weight: bold; color: #3b3f9e; }\n.nightMode .cloze { color: #a9adff; }\n"
    ".why, .accept { color: #555b66; }\n"
    "pre { overflow-x: auto; padding: 0.6em; border-radius: 6px; }\n"
)


@dataclass(frozen=True)
class _Models:
    basic: genanki.Model
    cloze: genanki.Model


def _models(slug: str) -> _Models:
    css = _CARD_CSS + HtmlFormatter(style="vs").get_style_defs(".highlight")
    basic = genanki.Model(
        stable_id("basic", slug),
        f"Unroll basic ({slug})",
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[
            {"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}\n<hr id=answer>\n{{Back}}"}
        ],
        css=css,
    )
    cloze = genanki.Model(
        stable_id("cloze", slug),
        f"Unroll cloze ({slug})",
        fields=[{"name": "Text"}, {"name": "Back Extra"}],
        templates=[
            {
                "name": "Cloze",
                "qfmt": "{{cloze:Text}}",
                "afmt": "{{cloze:Text}}\n<hr id=answer>\n{{Back Extra}}",
            }
        ],
        css=css,
        model_type=genanki.Model.CLOZE,
    )
    return _Models(basic, cloze)


def _options_html(options: list[dict[str, Any]], right_only: bool) -> str:
    items = [
        f'<li value="{number}">{o["html"]}'
        + (
            f' <span class="why">{o["explanation_html"]}</span>'
            if right_only and o["explanation_html"]
            else ""
        )
        + "</li>"
        for number, o in enumerate(options, 1)
        if o["correct"] or not right_only
    ]
    return f'<ol type="A" class="options">{"".join(items)}</ol>'


def _faces(card: Card) -> tuple[str, str]:
    """Front and back HTML of a Basic note for an open, short, choice or true/false card."""
    face = card_faces(card.type, card.question, card.answer, card.details or {})
    explanation = face["explanation_html"]
    if card.type == "choice":
        several = sum(1 for o in face["options"] if o["correct"]) > 1
        prompt = "Choose every right option." if several else "Choose one option."
        front = f"{face['question_html']}\n<p><em>{prompt}</em></p>\n{_options_html(face['options'], False)}"
        return front, f"<p><strong>Right:</strong></p>\n{_options_html(face['options'], True)}\n{explanation}"
    if card.type == "true-false":
        return (
            f"{face['question_html']}\n<p><em>True or false?</em></p>",
            f"{face['answer_html']}\n{explanation}",
        )
    accepted = "; ".join(escape(a) for a in face["accept"])
    accept = f'<p class="accept">Also accepted: {accepted}</p>' if accepted else ""
    return face["question_html"], f"{face['answer_html']}\n{accept}\n{explanation}"


def _note(card: Card, slug: str, models: _Models) -> genanki.Note:
    tags = [f"unroll::{slug}", *(re.sub(r"\s+", "_", t) for t in (card.details or {}).get("tags", []) if t)]
    guid = genanki.guid_for("unroll", slug, card.key)
    if card.type == "cloze":
        explanation = render_markdown((card.details or {}).get("explanation", ""))
        return genanki.Note(
            models.cloze, [render_markdown(anki_cloze(card.question)), explanation], tags=tags, guid=guid
        )
    return genanki.Note(models.basic, list(_faces(card)), tags=tags, guid=guid)


def anki_package(slug: str) -> bytes:
    """An .apkg of the set's active cards, one note per card (built in a temporary file)."""
    stored = db.session.scalar(
        select(ContentSet).where(ContentSet.slug == slug, ContentSet.retired_at.is_(None))
    )
    if stored is None:
        raise UnknownSet(f"There is no question set called “{slug}”.")
    cards = db.session.scalars(
        select(Card).where(Card.set_id == stored.id, Card.retired_at.is_(None)).order_by(Card.position)
    ).all()
    models = _models(slug)
    deck = genanki.Deck(stable_id("deck", slug), f"Unroll::{stored.title}", description=stored.description)
    for card in cards:
        deck.add_note(_note(card, slug, models))
    with tempfile.TemporaryDirectory(prefix="unroll-apkg-") as folder:
        path = Path(folder) / f"{slug}.apkg"
        genanki.Package(deck).write_to_file(str(path), timestamp=stored.updated_at.timestamp())
        return path.read_bytes()
