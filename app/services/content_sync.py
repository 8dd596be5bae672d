"""Load content files into the database: the only code that writes question sets and cards."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update

from app.content import ParseResult, Problem, QuestionSet, ReviewItem, SourceFile, parse_file, read_sources
from app.content.identity import Candidate, derived_id, match_by_similarity
from app.extensions import db
from app.models import Card, ContentSet, SyncLock


@dataclass
class SyncReport:
    """What a sync did, counted in cards, plus the files it could not load."""

    added: int = 0
    changed: int = 0
    retired: int = 0
    unchanged: int = 0
    failed: list[ParseResult] = field(default_factory=list)

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
        if report.added or report.retired:
            db.session.execute(
                update(SyncLock).where(SyncLock.id == 1).values(cards_version=SyncLock.cards_version + 1)
            )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


def _take_lock(now: datetime) -> None:
    """Write the lock row first: PostgreSQL locks the row, SQLite the database, until commit."""
    updated = db.session.execute(update(SyncLock).where(SyncLock.id == 1).values(synced_at=now))
    if updated.rowcount == 0:  # type: ignore[attr-defined]
        db.session.add(SyncLock(id=1, synced_at=now, cards_version=0))
        db.session.flush()


def _sync_files(
    sources: list[SourceFile], existing: dict[str, ContentSet], report: SyncReport, now: datetime
) -> list[int]:
    """Load changed files; return the ids of sets whose files did not change."""
    unchanged_sets: list[int] = []
    present = {s.name for s in sources}
    by_slug = {s.slug: s for s in existing.values()}
    for source in sources:
        stored = existing.get(source.name)
        if stored is not None and stored.source_hash == source.digest and stored.retired_at is None:
            unchanged_sets.append(stored.id)
            continue
        result = parse_file(source.name, source.data)
        if result.ok and result.question_set is not None:
            stored, result = _claim_slug(stored, result, by_slug, present, now)
        if not result.ok or result.question_set is None:
            _record_failure(stored, result, report)
            continue
        stored = _store_set(stored, source, result.question_set, report, now)
        by_slug[stored.slug] = stored
    return unchanged_sets


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


def _record_failure(stored: ContentSet | None, result: ParseResult, report: SyncReport) -> None:
    report.failed.append(result)
    if stored is not None:
        stored.problems = [{"line": p.line, "message": p.message} for p in result.errors]


def _store_set(
    stored: ContentSet | None, source: SourceFile, parsed: QuestionSet, report: SyncReport, now: datetime
) -> ContentSet:
    is_new = stored is None
    if stored is None:
        stored = ContentSet(source_path=source.name, created_at=now)
        db.session.add(stored)
    stored.retired_at = None
    stored.source_hash = source.digest
    stored.updated_at = now
    stored.problems = []
    for name, value in _set_columns(parsed).items():
        setattr(stored, name, value)
    db.session.flush()
    _reconcile_cards(stored, parsed, report, now, is_new)
    return stored


def _set_columns(parsed: QuestionSet) -> dict[str, Any]:
    return {
        "slug": parsed.slug,
        "title": parsed.title,
        "description": parsed.description,
        "weight": parsed.weight,
        "dialect": str(parsed.dialect),
        "explain": parsed.explain,
        "preview": [{"text": i.text, "line": i.line} for i in parsed.preview],
        "keypoints": [{"text": i.text, "line": i.line} for i in parsed.keypoints],
        "extras": [{"title": e.title, "body": e.body, "line": e.line} for e in parsed.extras],
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


def _card_columns(item: ReviewItem, position: int) -> dict[str, Any]:
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
        },
    }


_CONTENT_FIELDS = ("type", "question", "answer", "details")


def _reconcile_cards(
    stored: ContentSet, parsed: QuestionSet, report: SyncReport, now: datetime, is_new: bool
) -> None:
    """Match the file's questions to the set's cards: update, add, retire; never delete."""
    cards = [] if is_new else list(db.session.scalars(select(Card).where(Card.set_id == stored.id)))
    pairs = _match_cards(cards, parsed)
    by_key = {c.key: c for c in cards}
    matched: set[str] = set()
    new_rows = []
    for position, item in enumerate(parsed.review):
        columns = _card_columns(item, position) | {"text_key": derived_id(parsed.slug, item.question)}
        card = by_key.get(pairs.get(item.id, ""))
        if card is None:
            new_rows.append(
                {"set_id": stored.id, "key": item.id, "created_at": now, "updated_at": now, **columns}
            )
            report.added += 1
            continue
        matched.add(card.key)
        _update_card(card, columns, report, now)
    if new_rows:
        db.session.execute(insert(Card), new_rows)
    for card in cards:
        if card.key not in matched and card.retired_at is None:
            card.retired_at = now
            report.retired += 1


def _update_card(card: Card, columns: dict[str, Any], report: SyncReport, now: datetime) -> None:
    revived = card.retired_at is not None
    edited = any(getattr(card, name) != columns[name] for name in _CONTENT_FIELDS)
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
    for stored in existing.values():
        if stored.source_path in present or stored.retired_at is not None:
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
