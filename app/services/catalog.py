"""Read question sets for pages and the API, with the HTML that sync rendered from their Markdown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import func, select

from app.content.model import Option, QuestionSet, SetHtml
from app.content.render import remote_images_as_links, sanitise
from app.content.rendered import card_html
from app.extensions import db
from app.models import Card, ContentSet, SyncLock
from app.services.content_sync import failed_files, unsaved_rows
from app.services.quiz import fixed_quiz


@dataclass(frozen=True)
class SetSummary:
    slug: str
    title: str
    description: str
    weight: int
    counts: dict[str, int]


@dataclass(frozen=True)
class ContentVersion:
    """How far the content has come: a number that grows with every content write, and when the
    last one happened (None before the first sync)."""

    number: int
    changed_at: datetime | None

    @property
    def key(self) -> str:
        """What names this version for caches: its number and time, so a database rebuilt from
        scratch (numbers start again) never meets pages cached from the old one."""
        return f"{self.number}@{self.changed_at.isoformat() if self.changed_at else '-'}"


def content_version() -> ContentVersion:
    row = db.session.execute(
        select(SyncLock.content_version, SyncLock.synced_at).where(SyncLock.id == 1)
    ).first()
    return ContentVersion(0, None) if row is None else ContentVersion(int(row[0] or 0), row[1])


def list_sets() -> list[SetSummary]:
    """Active sets in course order, with the number of preview questions, key points and cards."""
    active_cards = (
        select(Card.set_id, func.count().label("n"))
        .where(Card.retired_at.is_(None))
        .group_by(Card.set_id)
        .subquery()
    )
    rows = db.session.execute(
        select(ContentSet, func.coalesce(active_cards.c.n, 0))
        .outerjoin(active_cards, active_cards.c.set_id == ContentSet.id)
        .where(ContentSet.retired_at.is_(None))
        .order_by(ContentSet.weight, ContentSet.title)
    )
    return [
        SetSummary(
            slug=s.slug,
            title=s.title,
            description=s.description,
            weight=s.weight,
            counts={"preview": len(s.preview), "keypoint": len(s.keypoints), "review": n},
        )
        for s, n in rows
    ]


def get_set(slug: str, remote_images: bool = False) -> dict[str, Any] | None:
    """One active set with every item rendered, or None when there is no such set (images from
    other sites as links unless `remote_images` lets HTTPS ones load)."""
    stored = db.session.scalar(
        select(ContentSet).where(ContentSet.slug == slug, ContentSet.retired_at.is_(None))
    )
    if stored is None:
        return None
    cards = db.session.scalars(
        select(Card).where(Card.set_id == stored.id, Card.retired_at.is_(None)).order_by(Card.position)
    ).all()
    return _set_view(stored, list(cards), remote_images) | {"quiz": fixed_quiz(stored)}


def preview_set(parsed: QuestionSet, html: SetHtml, source_path: str = "set.md") -> dict[str, Any]:
    """A parsed set exactly as get_set would show it once published (no quiz; nothing stored)."""
    stored, cards = unsaved_rows(parsed, html, source_path)
    return _set_view(stored, cards, remote_images=False) | {"quiz": None}


def _set_view(stored: ContentSet, cards: list[Card], remote_images: bool) -> dict[str, Any]:
    shown = partial(remote_images_as_links, keep_https=remote_images)
    return {
        "slug": stored.slug,
        "title": stored.title,
        "description": stored.description,
        "weight": stored.weight,
        "counts": {"preview": len(stored.preview), "keypoint": len(stored.keypoints), "review": len(cards)},
        "preview": [{"html": shown(_stored_html(i))} for i in stored.preview],
        # sync stored HTML; cleaning it again costs microseconds
        "explain_html": shown(sanitise(stored.explain)),
        "keypoints": [
            {"number": n, "html": shown(_stored_html(i))} for n, i in enumerate(stored.keypoints, 1)
        ],
        "review": [_card_view(card, remote_images) for card in cards],
        "extras": [{"title": e["title"], "html": shown(_stored_html(e))} for e in stored.extras],
        "problems": list(stored.problems),
        "source_path": stored.source_path,
        "sources": stored.sources,
    }


def _card_view(card: Card, remote_images: bool) -> dict[str, Any]:
    faces = card_faces(card.type, card.question, card.answer, card.details or {}, remote_images)
    return {"id": card.key} | faces


def _stored_html(item: dict[str, Any]) -> str:
    """The HTML sync stored for a piece; a row from before sync stored HTML is cleaned text until then."""
    return str(item["html"]) if "html" in item else sanitise(str(item.get("text") or item.get("body") or ""))


def card_faces(
    card_type: str, question: str, answer: str, details: dict[str, Any], remote_images: bool = False
) -> dict[str, Any]:
    """A card's parts as sanitised HTML: the question as first shown, the answer and explanations
    (images from other sites as links unless `remote_images` lets HTTPS ones load)."""
    html = details.get("html") or _render_faces(card_type, question, answer, details)
    shown = partial(remote_images_as_links, keep_https=remote_images)

    return {
        "type": card_type,
        "question_html": shown(html["question"]),
        "answer_html": shown(html["answer"]),
        "explanation_html": shown(html["explanation"]),
        "options": [
            {
                "html": shown(face["html"]),
                "correct": o["correct"],
                "explanation_html": shown(face["explanation_html"]),
            }
            for o, face in zip(details.get("options", []), html["options"], strict=False)
        ],
        "accept": list(details.get("accept", [])),
        "tags": list(details.get("tags", [])),
        "covers": list(details.get("covers", [])),
    }


def _render_faces(card_type: str, question: str, answer: str, details: dict[str, Any]) -> dict[str, Any]:
    """Faces of a card stored before sync kept its HTML (the next sync stores them)."""
    options = [Option(o["text"], o["correct"], o.get("explanation", "")) for o in details.get("options", [])]
    return card_html(card_type, question, answer, details.get("explanation", ""), options).to_json()


def content_health() -> dict[str, Any]:
    """How many sets are served, and every content file whose latest version failed (with its line)."""
    served = db.session.scalar(
        select(func.count()).select_from(ContentSet).where(ContentSet.retired_at.is_(None))
    )
    return {"sets": served or 0, "errors": failed_files()}


def database_ok(statement_timeout: float | None = None) -> bool:
    """True when the database answers a trivial query. With `statement_timeout` (seconds), each
    statement of this transaction stops after that long (PostgreSQL's statement_timeout)."""
    if statement_timeout is not None and db.engine.dialect.name == "postgresql":
        milliseconds = str(max(1, round(statement_timeout * 1000)))
        db.session.execute(select(func.set_config("statement_timeout", milliseconds, True)))
    db.session.execute(select(1))
    return True
