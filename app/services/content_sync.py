"""Load content files into the database: the only code that writes question sets and cards.

Every Markdown piece is rendered here, once, and stored beside its source (an `html` key in the
JSON columns; the `explain` column holds the Explain section's HTML), so pages never render.
A file that fails and was never loaded is kept as a retired row that holds only its problems, so
every process (and /healthz) can report it.

Files and the web share one path: a set's Markdown, from a file or from the database
(app.services.authoring), is parsed and reconciled with its cards by `_load_source`. Each file's
new contents become a revision authored "files"; a set edited on the web keeps its web version
until its file changes again (docs/authoring.md).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update

from app.content import ParseResult, Problem, QuestionSet, ReviewItem, SourceFile, read_sources
from app.content.identity import Candidate, derived_id, match_by_similarity
from app.content.model import CardHtml, SetHtml
from app.content.policy import grading_details
from app.content.rendered import RENDER_VERSION
from app.extensions import db
from app.models import AuthoringEvent, Card, ContentSet, SetRevision, SetSource, SyncLock

WEB_PREFIX = "~web/"  # the source path of a set written on the web (no content file starts with '~')


@dataclass
class SyncReport:
    """What a sync did, counted in cards, plus the files it could not load."""

    added: int = 0
    changed: int = 0
    retired: int = 0
    unchanged: int = 0
    failed: list[ParseResult] = field(default_factory=list)
    changed_cards: list[tuple[str, str, str]] = field(default_factory=list)  # (key, old, new question)
    added_cards: list[str] = field(default_factory=list)  # questions
    retired_cards: list[tuple[int, str]] = field(default_factory=list)  # (card id, question)

    def summary(self) -> str:
        return (
            f"{self.added} added, {self.changed} changed, {self.retired} retired, {self.unchanged} unchanged"
        )


def sync_content(root: Path, now: datetime) -> SyncReport:
    """Make the database match the files under `root`, in one transaction."""
    sources = read_sources(root)
    report = SyncReport()
    try:
        _take_lock(now)
        existing = {s.source_path: s for s in db.session.scalars(select(ContentSet))}
        fresh = _sync_files(sources, existing, report, now)
        _retire_missing_sets(existing, {s.name for s in sources}, report, now)
        report.unchanged += _count_active_cards(fresh)
        bump_cards_version(report)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


def bump_cards_version(report: SyncReport) -> None:
    """Tell learners' decks to catch up when cards were added, revived or retired."""
    if report.added or report.retired:
        db.session.execute(
            update(SyncLock).where(SyncLock.id == 1).values(cards_version=SyncLock.cards_version + 1)
        )


def take_lock(now: datetime) -> None:
    """Serialise writers of content (syncs and authoring) until the caller's commit."""
    _take_lock(now)


def _take_lock(now: datetime) -> None:
    """Write the lock row first: PostgreSQL locks the row, SQLite the database, until commit."""
    updated = db.session.execute(
        update(SyncLock)
        .where(SyncLock.id == 1)
        .values(synced_at=now, content_version=SyncLock.content_version + 1)
    )
    if updated.rowcount == 0:  # type: ignore[attr-defined]
        db.session.add(SyncLock(id=1, synced_at=now, cards_version=0, content_version=1))
        db.session.flush()


def _sync_files(
    sources: list[SourceFile], existing: dict[str, ContentSet], report: SyncReport, now: datetime
) -> list[int]:
    """Load changed files; return the ids of sets whose files did not change."""
    unchanged_sets: list[int] = []
    present = {s.name for s in sources}
    by_slug = {s.slug: s for s in existing.values()}
    held_by_path = {h.file_path: h for h in db.session.scalars(select(SetSource)) if h.file_path}
    for source in sources:
        stored = existing.get(source.name)
        held = held_by_path.get(source.name)
        file_seen = held is not None and held.file_digest == source.digest
        if file_seen and held is not None and (held.origin == "web" or held.unpublished_at is not None):
            if stored is not None and stored.retired_at is None:
                unchanged_sets.append(stored.id)
            continue  # the web's version (or its unpublishing) wins until the file changes again
        if (
            file_seen
            and stored is not None
            and stored.source_hash == _digest(source)
            and stored.retired_at is None
        ):
            unchanged_sets.append(stored.id)
            continue
        loaded, result = _load_source(source, stored, by_slug, present, report, now)
        if not file_seen:
            _record_file_revision(held, source, result, now)
        if loaded is not None:
            by_slug[loaded.slug] = loaded
    return unchanged_sets


def _load_source(
    source: SourceFile,
    stored: ContentSet | None,
    by_slug: dict[str, ContentSet],
    present: set[str],
    report: SyncReport,
    now: datetime,
) -> tuple[ContentSet | None, ParseResult]:
    """Parse one set's Markdown and reconcile its cards: the one path for files and the web."""
    result = source.parse()
    if result.ok and stored is not None and _is_placeholder(stored):
        db.session.delete(stored)  # the file loads at last: it gets a real row, or its old one back
        db.session.flush()
        stored = None
    if result.ok and result.question_set is not None:
        stored, result = _claim_slug(stored, result, by_slug, present, now)
    if not result.ok or result.question_set is None or result.html is None:
        _record_failure(stored, source, result, report, now)
        return None, result
    return _store_set(stored, source, result.question_set, result.html, report, now), result


def publish_text(source_path: str, text: str, now: datetime) -> tuple[SyncReport, ParseResult]:
    """Load one set's source text from the database as a file at `source_path` would be loaded.
    The caller owns the transaction and has called `take_lock`; a failed parse writes nothing."""
    source = SourceFile(path=Path(source_path), name=source_path, data=text.encode("utf-8"))
    existing = {s.source_path: s for s in db.session.scalars(select(ContentSet))}
    by_slug = {s.slug: s for s in existing.values()}
    present = {path for path, s in existing.items() if s.retired_at is None} | {source_path}
    report = SyncReport()
    stored = existing.get(source_path)
    result = source.parse()
    if result.ok and result.question_set is not None:
        stored, result = _claim_slug(stored, result, by_slug, present, now)
    if not result.ok or result.question_set is None or result.html is None:
        return report, result
    _store_set(stored, source, result.question_set, result.html, report, now)
    bump_cards_version(report)
    return report, result


def retire_set(stored: ContentSet, now: datetime) -> SyncReport:
    """Hide a set and its cards from learners; every card and its history stays for a republish."""
    report = SyncReport()
    stored.retired_at = now
    retired = db.session.scalars(select(Card).where(Card.set_id == stored.id, Card.retired_at.is_(None)))
    for card in retired:
        card.retired_at = now
        report.retired += 1
        report.retired_cards.append((card.id, card.question))
    bump_cards_version(report)
    return report


def _record_file_revision(
    held: SetSource | None, source: SourceFile, result: ParseResult, now: datetime
) -> None:
    """A file's new contents become a revision authored "files" (published when they loaded)."""
    slug = result.question_set.slug if result.question_set is not None else None
    if held is None and slug is not None:
        held = db.session.scalar(select(SetSource).where(SetSource.slug == slug))
    if held is None:
        if slug is None:
            return  # a file that never loaded has no set to keep a revision for
        held = SetSource(slug=slug, origin="file", current_revision=0)
        db.session.add(held)
        db.session.flush()
    if held.file_digest == source.digest:
        held.file_path = source.name  # a renamed file with the same bytes: no new revision
        return
    overrides_web = held.origin == "web" and held.current_revision > 0
    published = result.ok and result.question_set is not None
    number = held.current_revision + 1
    db.session.add(
        SetRevision(
            source_id=held.id,
            number=number,
            text=source.data.decode("utf-8", errors="replace"),
            author_id=None,
            message=f"from the file {source.name}",
            created_at=now,
            published=published,
            origin="file",
            errors=len(result.errors),
        )
    )
    held.file_path = source.name
    held.file_digest = source.digest
    held.current_revision = number
    held.origin = "file"
    if published:
        held.published_revision = number
        held.unpublished_at = None
    detail = f"{source.name}" + ("" if published else f" has {len(result.errors)} error(s): not published")
    if overrides_web:
        detail = f"the file {source.name} moved on: its version replaces the web's (both stay in history)"
    db.session.add(
        AuthoringEvent(
            source_id=held.id,
            action="file-overrides-web" if overrides_web else "file-import",
            revision=number,
            author_id=None,
            created_at=now,
            detail=detail,
        )
    )
    db.session.flush()


def _digest(source: SourceFile) -> str:
    """The file's hash, with the renderer's version: a new renderer makes every set render again."""
    return hashlib.sha256(f"{RENDER_VERSION}:{source.digest}".encode()).hexdigest()


def _claim_slug(
    stored: ContentSet | None,
    result: ParseResult,
    by_slug: dict[str, ContentSet],
    present: set[str],
    now: datetime,
) -> tuple[ContentSet | None, ParseResult]:
    """The row a file's set goes into: a renamed file takes over its old row and history."""
    assert result.question_set is not None
    slug = result.question_set.slug
    holder = by_slug.get(slug)
    if holder is None or holder is stored:
        return stored, result
    if holder.source_path in present and holder.retired_at is None:
        clash = Problem(1, f"slug '{slug}' is already used by {holder.source_path}: set another 'slug'")
        return stored, ParseResult(result.path, None, (clash,), result.warnings)
    if stored is None:
        holder.source_path = result.path
        return holder, result
    holder.slug = f"{slug}-retired-{holder.id}"
    holder.retired_at = holder.retired_at or now
    db.session.flush()
    return stored, result


def _record_failure(
    stored: ContentSet | None, source: SourceFile, result: ParseResult, report: SyncReport, now: datetime
) -> None:
    report.failed.append(result)
    if stored is None:
        stored = _failed_placeholder(source, now)
    stored.problems = [{"line": p.line, "message": p.message} for p in result.errors]


def _failed_placeholder(source: SourceFile, now: datetime) -> ContentSet:
    """A retired row for a file that never loaded: it carries the file's problems, nothing else."""
    name_hash = hashlib.sha256(source.name.encode()).hexdigest()[:16]
    stored = ContentSet(
        source_path=source.name,
        slug=f"~failed-{name_hash}",  # no file's slug starts with '~'
        source_hash="",
        title=source.name[:300],
        dialect="page",
        created_at=now,
        updated_at=now,
        retired_at=now,
    )
    db.session.add(stored)
    return stored


def _is_placeholder(stored: ContentSet) -> bool:
    return stored.source_hash == "" and stored.slug.startswith("~failed-")


def failed_files() -> list[dict[str, Any]]:
    """Every content file whose latest version failed, with its problems: [{file, line, message}]."""
    rows = db.session.execute(
        select(ContentSet.source_path, ContentSet.problems).order_by(ContentSet.source_path)
    )
    return [
        {"file": path, "line": problem.get("line", 1), "message": problem.get("message", "")}
        for path, problems in rows
        for problem in problems or []
    ]


def _store_set(
    stored: ContentSet | None,
    source: SourceFile,
    parsed: QuestionSet,
    html: SetHtml,
    report: SyncReport,
    now: datetime,
) -> ContentSet:
    is_new = stored is None
    if stored is None:
        stored = ContentSet(source_path=source.name, created_at=now)
        db.session.add(stored)
    stored.retired_at = None
    stored.source_hash = _digest(source)
    stored.updated_at = now
    stored.problems = []
    for name, value in _set_columns(parsed, html).items():
        setattr(stored, name, value)
    db.session.flush()
    _reconcile_cards(stored, parsed, html.review, report, now, is_new)
    return stored


def _set_columns(parsed: QuestionSet, html: SetHtml) -> dict[str, Any]:
    return {
        "slug": parsed.slug,
        "title": parsed.title,
        "description": parsed.description,
        "weight": parsed.weight,
        "dialect": str(parsed.dialect),
        "explain": html.explain,
        "preview": [
            {"text": i.text, "line": i.line, "html": h}
            for i, h in zip(parsed.preview, html.preview, strict=True)
        ],
        "keypoints": [
            {"text": i.text, "line": i.line, "html": h}
            for i, h in zip(parsed.keypoints, html.keypoints, strict=True)
        ],
        "extras": [
            {"title": e.title, "body": e.body, "line": e.line, "html": h}
            for e, h in zip(parsed.extras, html.extras, strict=True)
        ],
        "prompts": dict(parsed.prompts),
        "front_matter": _json_safe(parsed.front_matter),
    }


def _json_safe(value: Any) -> Any:
    """Front matter values as JSON can store them (TOML dates become text)."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _card_columns(item: ReviewItem, html: CardHtml, position: int) -> dict[str, Any]:
    return {
        "position": position,
        "type": str(item.type),
        "question": item.question,
        "answer": item.answer,
        "line": item.line,
        "details": {
            "explanation": item.explanation,
            "options": [
                {"text": o.text, "correct": o.correct, "explanation": o.explanation} for o in item.options
            ],
            "accept": list(item.accept),
            "tags": list(item.tags),
            "covers": list(item.covers),
            "html": html.to_json(),
        }
        | grading_details(item),
    }


_CONTENT_FIELDS = ("type", "question", "answer", "details")


def _reconcile_cards(
    stored: ContentSet,
    parsed: QuestionSet,
    faces: tuple[CardHtml, ...],
    report: SyncReport,
    now: datetime,
    is_new: bool,
) -> None:
    """Match the file's questions to the set's cards: update, add, retire; never delete."""
    cards = [] if is_new else list(db.session.scalars(select(Card).where(Card.set_id == stored.id)))
    pairs = _match_cards(cards, parsed)
    by_key = {c.key: c for c in cards}
    matched: set[str] = set()
    new_rows = []
    for position, (item, html) in enumerate(zip(parsed.review, faces, strict=True)):
        columns = _card_columns(item, html, position) | {"text_key": derived_id(parsed.slug, item.question)}
        card = by_key.get(pairs.get(item.id, ""))
        if card is None:
            new_rows.append(
                {"set_id": stored.id, "key": item.id, "created_at": now, "updated_at": now, **columns}
            )
            report.added += 1
            report.added_cards.append(item.question)
            continue
        matched.add(card.key)
        _update_card(card, columns, report, now)
    if new_rows:
        db.session.execute(insert(Card), new_rows)
    for card in cards:
        if card.key not in matched and card.retired_at is None:
            card.retired_at = now
            report.retired += 1
            report.retired_cards.append((card.id, card.question))


def _update_card(card: Card, columns: dict[str, Any], report: SyncReport, now: datetime) -> None:
    revived = card.retired_at is not None
    edited = any(_source_of(getattr(card, name)) != _source_of(columns[name]) for name in _CONTENT_FIELDS)
    if revived:
        report.added_cards.append(columns["question"])
    elif edited:
        report.changed_cards.append((card.key, card.question, columns["question"]))
    for name, value in columns.items():
        if getattr(card, name) != value:
            setattr(card, name, value)
    card.retired_at = None
    if revived:
        report.added += 1
    elif edited:
        report.changed += 1
    else:
        report.unchanged += 1
    if revived or edited:
        card.updated_at = now


def _source_of(value: Any) -> Any:
    """A card field without its rendered HTML: a new renderer alone does not count as an edit."""
    return {k: v for k, v in value.items() if k != "html"} if isinstance(value, dict) else value


def _match_cards(cards: list[Card], parsed: QuestionSet) -> dict[str, str]:
    """{question id: existing card key}: by id, then by the text-derived id, then by similarity."""
    keys = {c.key for c in cards}
    by_text = {c.text_key: c.key for c in cards}
    pairs: dict[str, str] = {}
    for item in parsed.review:
        if item.id in keys:
            pairs[item.id] = item.id
        elif not item.id_is_explicit and item.id in by_text and by_text[item.id] not in pairs.values():
            pairs[item.id] = by_text[item.id]
    taken = set(pairs.values())
    loose_new = [i for i in parsed.review if i.id not in pairs and not i.id_is_explicit]
    loose_old = [c for c in cards if c.key not in taken and c.key not in {i.id for i in parsed.review}]
    if loose_new and loose_old:
        similar = match_by_similarity(
            [Candidate(c.key, f"{c.question}\n{c.answer}") for c in loose_old],
            [Candidate(i.id, f"{i.question}\n{i.answer}") for i in loose_new],
        )
        pairs.update(similar)
    return pairs


def _retire_missing_sets(
    existing: dict[str, ContentSet], present: set[str], report: SyncReport, now: datetime
) -> None:
    """Retire the sets whose files are gone, except sets written or last edited on the web."""
    web_slugs = set(db.session.scalars(select(SetSource.slug).where(SetSource.origin == "web")))
    for stored in existing.values():
        if stored.source_path in present or stored.source_path.startswith(WEB_PREFIX):
            continue
        if stored.slug in web_slugs:
            continue
        if stored.problems:
            stored.problems = []  # a file that is gone has nothing left to fix
        if stored.retired_at is not None:
            continue
        stored.retired_at = now
        report.retired += db.session.execute(
            update(Card).where(Card.set_id == stored.id, Card.retired_at.is_(None)).values(retired_at=now)
        ).rowcount  # type: ignore[attr-defined]


def _count_active_cards(set_ids: list[int]) -> int:
    if not set_ids:
        return 0
    counts: Counter[int] = Counter()
    query = select(Card.set_id, func.count()).where(Card.retired_at.is_(None)).group_by(Card.set_id)
    for set_id, count in db.session.execute(query):
        counts[set_id] = count
    return sum(counts[i] for i in set_ids)


def plan_changes(slug: str, parsed: QuestionSet, html: SetHtml) -> SyncReport:
    """What publishing `parsed` as set `slug` would do to its cards, found by the same matching as
    a publish, without writing anything."""
    report = SyncReport()
    stored = db.session.scalar(select(ContentSet).where(ContentSet.slug == slug))
    cards = [] if stored is None else list(db.session.scalars(select(Card).where(Card.set_id == stored.id)))
    pairs = _match_cards(cards, parsed)
    by_key = {c.key: c for c in cards}
    matched: set[str] = set()
    for position, (item, face) in enumerate(zip(parsed.review, html.review, strict=True)):
        card = by_key.get(pairs.get(item.id, ""))
        if card is not None:
            matched.add(card.key)
        if card is None or card.retired_at is not None or (stored is not None and stored.retired_at):
            report.added += 1
            report.added_cards.append(item.question)
            continue
        columns = _card_columns(item, face, position)
        if any(_source_of(getattr(card, name)) != _source_of(columns[name]) for name in _CONTENT_FIELDS):
            report.changed += 1
            report.changed_cards.append((card.key, card.question, item.question))
        else:
            report.unchanged += 1
    live = stored is not None and stored.retired_at is None
    for card in cards:
        if live and card.key not in matched and card.retired_at is None:
            report.retired += 1
            report.retired_cards.append((card.id, card.question))
    return report


def unsaved_rows(parsed: QuestionSet, html: SetHtml, source_path: str) -> tuple[ContentSet, list[Card]]:
    """The rows a set would be stored as, never added to the session: for previews."""
    stored = ContentSet(source_path=source_path, problems=[], **_set_columns(parsed, html))
    cards = [
        Card(key=item.id, **_card_columns(item, face, position))
        for position, (item, face) in enumerate(zip(parsed.review, html.review, strict=True))
    ]
    return stored, cards
