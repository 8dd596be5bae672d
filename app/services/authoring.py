"""Instructors write, check, publish and restore question sets; the database holds every revision.

Publishing goes through app.services.content_sync (the same parse and card reconciliation as
content files), so card identity and learners' histories behave exactly as with files. Every
function here owns its transaction; every change is logged with its author (AuthoringEvent).
"""

from __future__ import annotations

import difflib
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.exc import IntegrityError

from app.content import ParseResult
from app.content.limits import MAX_FILE_BYTES
from app.content.parser import parse_file, slugify
from app.content.summary import result_json
from app.extensions import db
from app.models import AuthoringEvent, Card, ContentSet, ReviewLog, SetRevision, SetSource, User
from app.services import catalog, content_sync

MAX_SOURCE_BYTES = MAX_FILE_BYTES  # 1 MiB, as for content files
MAX_ZIP_FILES = 500
MAX_ZIP_BYTES = 20 * MAX_FILE_BYTES  # all of a zip's files together, uncompressed
MAX_MESSAGE = 500
FILES_AUTHOR = "files"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,199}$")


@dataclass(frozen=True)
class ChangedQuestion:
    key: str
    old: str
    new: str
    word_diff: list[tuple[str, str]]  # ("equal" | "insert" | "delete", words)


@dataclass(frozen=True)
class Changes:
    added: int
    changed: int
    retired: int
    unchanged: int
    added_questions: list[str]
    changed_questions: list[ChangedQuestion]
    retired_questions: list[str]
    learners_affected: int  # learners with history on the changed and retired cards


@dataclass(frozen=True)
class SetSummary:
    slug: str
    title: str
    origin: str
    revision: int
    published: bool
    errors: int
    author: str
    changed_at: datetime
    learners: int
    file_moved_on: bool


@dataclass(frozen=True)
class SetSourceView:
    slug: str
    title: str
    source: str
    revision: int
    published_revision: int | None
    published: bool
    origin: str
    errors: list[dict[str, Any]]


@dataclass(frozen=True)
class RevisionView:
    revision: int
    author: str
    created_at: datetime
    message: str
    published: bool
    origin: str


@dataclass(frozen=True)
class SaveResult:
    slug: str
    revision: int
    published: bool
    changes: Changes
    created: bool


class AuthoringError(ValueError):
    """Bad input, with a message for the instructor."""


class NotInstructor(AuthoringError):
    """Only instructors write sets."""


class SetNotFound(AuthoringError):
    """No set has this slug."""


class RevisionConflict(AuthoringError):
    """The set moved on since the revision the instructor started from."""

    def __init__(self, current_revision: int, current_source: str) -> None:
        super().__init__(
            f"Someone saved revision {current_revision} of this set since you started editing: "
            "compare it with your text and save again."
        )
        self.current_revision = current_revision
        self.current_source = current_source


class SourceHasErrors(AuthoringError):
    """The checker found errors: nothing was published."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"The set has {len(errors)} error(s); fix them or save a draft.")
        self.errors = errors


NO_CHANGES = Changes(0, 0, 0, 0, [], [], [], 0)


# ----- checking and previewing -------------------------------------------------------------------


def check_source(source: str, filename: str = "set.md") -> dict[str, Any]:
    """One file's entry of `flask content check --json`; nothing is stored."""
    return result_json(_parse(source, filename))


def render_preview(source: str, filename: str = "set.md") -> dict[str, Any]:
    """The set as learners will see it (the shape of catalog.get_set), or {"errors": [...]}."""
    result = _parse(source, filename)
    if not result.ok or result.question_set is None or result.html is None:
        return {"errors": _errors(result)}
    return catalog.preview_set(result.question_set, result.html)


def preview_changes(slug: str | None, source: str) -> Changes:
    """What publishing `source` as set `slug` would change for learners (SourceHasErrors when it
    could not be published)."""
    result = _parse(source, f"{slug or 'set'}.md")
    if not result.ok or result.question_set is None or result.html is None:
        raise SourceHasErrors(_errors(result))
    target = slug or result.question_set.slug
    plan = content_sync.plan_changes(target, result.question_set, result.html)
    changes = _changes(target, plan)
    db.session.rollback()
    return changes


def diff(old: str, new: str) -> list[tuple[str, str]]:
    """Line operations turning `old` into `new`: ("equal" | "insert" | "delete", line)."""
    return _operations(old.splitlines(), new.splitlines(), lambda op, lines: [(op, line) for line in lines])


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word operations turning `old` into `new`, each run of words joined by spaces."""
    return _operations(old.split(), new.split(), lambda op, words: [(op, " ".join(words))] if words else [])


def _operations(
    a: list[str], b: list[str], runs: Callable[[str, list[str]], list[tuple[str, str]]]
) -> list[tuple[str, str]]:
    """`difflib`'s operations on two token lists, each run of tokens written by `runs`."""
    ops: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops += runs("equal", a[i1:i2])
            continue
        ops += runs("delete", a[i1:i2]) + runs("insert", b[j1:j2])
    return ops


# ----- reading -------------------------------------------------------------------------------------


def list_sets() -> list[SetSummary]:
    """Every set with a source (and every loaded set without one yet), by title."""
    held = list(db.session.scalars(select(SetSource)))
    sets = {s.slug: s for s in db.session.scalars(select(ContentSet)) if not s.slug.startswith("~")}
    learners = _learners_by_set()
    summaries = [_summary(h, sets.get(h.slug), learners) for h in held]
    known = {h.slug for h in held}
    summaries += [
        SetSummary(
            slug=s.slug,
            title=s.title,
            origin="file",
            revision=0,
            published=s.retired_at is None,
            errors=len(s.problems or []),
            author=FILES_AUTHOR,
            changed_at=s.updated_at,
            learners=learners.get(s.id, 0),
            file_moved_on=False,
        )
        for s in sets.values()
        if s.slug not in known and s.retired_at is None
    ]
    db.session.rollback()
    return sorted(summaries, key=lambda s: (s.title.lower(), s.slug))


def get_source(slug: str) -> SetSourceView:
    """A set's newest revision, whether learners see it, and the checker's errors."""
    held = _held(slug)
    text = _revision(held, held.current_revision).text
    stored = _content_set(slug)
    result = _parse(text, _filename(held, stored))
    view = SetSourceView(
        slug=slug,
        title=result.question_set.title if result.question_set else (stored.title if stored else slug),
        source=text,
        revision=held.current_revision,
        published_revision=held.published_revision,
        published=_is_published(held, stored),
        origin=held.origin,
        errors=_errors(result),
    )
    db.session.rollback()
    return view


def revisions(slug: str) -> list[RevisionView]:
    """Every revision of a set, newest first."""
    held = _held(slug)
    rows = db.session.execute(
        select(SetRevision, User.username)
        .outerjoin(User, User.id == SetRevision.author_id)
        .where(SetRevision.source_id == held.id)
        .order_by(SetRevision.number.desc())
    )
    views = [
        RevisionView(r.number, _author(r.author_id, name), r.created_at, r.message, r.published, r.origin)
        for r, name in rows
    ]
    db.session.rollback()
    return views


def revision_text(slug: str, number: int) -> str:
    """The Markdown of one revision."""
    text = _revision(_held(slug), number).text
    db.session.rollback()
    return text


def activity(limit: int = 50) -> list[dict[str, Any]]:
    """The authoring log, newest first: {action, slug, revision, author, created_at, detail}."""
    rows = db.session.execute(
        select(AuthoringEvent, SetSource.slug, User.username)
        .join(SetSource, SetSource.id == AuthoringEvent.source_id)
        .outerjoin(User, User.id == AuthoringEvent.author_id)
        .order_by(AuthoringEvent.created_at.desc(), AuthoringEvent.id.desc())
        .limit(limit)
    )
    events = [
        {
            "action": e.action,
            "slug": slug,
            "revision": e.revision,
            "author": _author(e.author_id, name),
            "created_at": e.created_at,
            "detail": e.detail,
        }
        for e, slug, name in rows
    ]
    db.session.rollback()
    return events


def template_source() -> str:
    """A complete native-dialect set to start from."""
    return TEMPLATE


# ----- writing -------------------------------------------------------------------------------------


def save(
    author: User,
    slug: str,
    source: str,
    message: str,
    base_revision: int | None,
    publish: bool,
    now: datetime,
) -> SaveResult:
    """Save `source` as the set's next revision, published for learners or as a draft.
    Refused when `base_revision` is not the set's newest (RevisionConflict), or when publishing a
    source with errors (SourceHasErrors); then nothing changes."""
    return _write(
        author, slug, source, message, base_revision, publish, now, "publish" if publish else "save-draft"
    )


def restore(author: User, slug: str, number: int, now: datetime) -> SaveResult:
    """Save an old revision's text as a new revision: published when the set is published and the
    text has no errors, a draft otherwise. History is never rewritten."""
    _require_instructor(author)
    held = _held(slug)
    text = _revision(held, number).text
    publish = (
        _is_published(held, _content_set(slug))
        and not _parse(text, _filename(held, _content_set(slug))).errors
    )
    current = held.current_revision
    db.session.rollback()
    return _write(author, slug, text, f"restored revision {number}", current, publish, now, "restore")


def unpublish(author: User, slug: str, now: datetime) -> None:
    """Hide the set and its cards from learners; histories stay, and a publish brings them back."""
    _require_instructor(author)
    try:
        content_sync.take_lock(now)
        held = _held(slug)
        stored = _content_set(slug)
        if stored is not None and stored.retired_at is None:
            content_sync.retire_set(stored, now)
        held.unpublished_at = now
        held.published_revision = None
        _log(held, "unpublish", held.current_revision, author, now, "learners no longer see this set")
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def upload(author: User, files: list[tuple[str, bytes]], now: datetime) -> list[dict[str, Any]]:
    """Publish uploaded `.md` files (or the `.md` files of a `.zip`): one entry per file,
    {"name", "slug", "ok", "errors" | "revision"}. A file with errors is not stored."""
    _require_instructor(author)
    results: list[dict[str, Any]] = []
    for name, data in files:
        if name.lower().endswith(".zip"):
            try:
                members = _unzip(data)
            except AuthoringError as exc:
                results.append(_refused(name, str(exc)))
                continue
            results += [
                _upload_one(author, f"{name}:{member}", member, body, now) for member, body in members
            ]
        else:
            results.append(_upload_one(author, name, name, data, now))
    return results


def export_dir(folder: Path) -> int:
    """Write every published set's published source as `folder/<slug>.md`; the number written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for slug, text in _published_sources():
        (folder / f"{slug}.md").write_text(text, encoding="utf-8")
        written += 1
    return written


def export_zip() -> bytes:
    """Every published set's published source as `<slug>.md` in a zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for slug, text in _published_sources():
            archive.writestr(f"{slug}.md", text)
    return buffer.getvalue()


# ----- internals -------------------------------------------------------------------------------------


def _write(
    author: User,
    slug: str,
    source: str,
    message: str,
    base_revision: int | None,
    publish: bool,
    now: datetime,
    action: str,
) -> SaveResult:
    _require_instructor(author)
    _check_slug(slug)
    _check_size(source)
    _check_size(message)
    try:
        content_sync.take_lock(now)  # one writer at a time, on SQLite and PostgreSQL alike
        saved = _write_locked(
            author, slug, source, message[:MAX_MESSAGE], base_revision, publish, now, action
        )
        db.session.commit()
        return saved
    except IntegrityError:
        db.session.rollback()  # a parallel first save of the same slug won
        held = db.session.scalar(select(SetSource).where(SetSource.slug == slug))
        current = held.current_revision if held else 0
        text = _revision(held, current).text if held and current else ""
        db.session.rollback()
        raise RevisionConflict(current, text) from None
    except Exception:
        db.session.rollback()
        raise


def _write_locked(
    author: User,
    slug: str,
    source: str,
    message: str,
    base_revision: int | None,
    publish: bool,
    now: datetime,
    action: str,
) -> SaveResult:
    held = db.session.scalar(select(SetSource).where(SetSource.slug == slug))
    current = held.current_revision if held is not None else 0
    if (base_revision or 0) != current:
        raise RevisionConflict(current, _revision(held, current).text if held is not None and current else "")
    stored = _content_set(slug)
    if held is None and stored is not None and _unimported_file(stored):
        raise AuthoringError(
            f"The set '{slug}' comes from the file {stored.source_path}, which has not been imported "
            "as a revision yet: run `flask content sync` (the running app does it within seconds)."
        )
    filename = _filename(held, stored, slug)
    result = _parse(source, filename)
    errors = _errors(result)
    if result.question_set is not None and result.question_set.slug != slug:
        errors.append(
            {
                "line": 1,
                "message": f"the slug in the source ('{result.question_set.slug}') is not this set's "
                f"('{slug}'): remove it or write slug = \"{slug}\"",
            }
        )
    if publish and errors:
        raise SourceHasErrors(errors)
    created = held is None
    if held is None:
        held = SetSource(slug=slug, origin="web", current_revision=0)
        db.session.add(held)
        db.session.flush()
    number = held.current_revision + 1
    changes = NO_CHANGES
    if publish:
        assert result.question_set is not None and result.html is not None
        changes = _changes(slug, content_sync.plan_changes(slug, result.question_set, result.html))
        source_path = stored.source_path if stored is not None else f"{content_sync.WEB_PREFIX}{slug}.md"
        report, loaded = content_sync.publish_text(source_path, source, now)
        if not loaded.ok:
            raise SourceHasErrors(_errors(loaded))
        changes = Changes(
            report.added,
            report.changed,
            report.retired,
            report.unchanged,
            changes.added_questions,
            changes.changed_questions,
            changes.retired_questions,
            changes.learners_affected,
        )
        held.published_revision = number
        held.unpublished_at = None
    db.session.add(
        SetRevision(
            source_id=held.id,
            number=number,
            text=source,
            author_id=author.id,
            message=message,
            created_at=now,
            published=publish,
            origin="web",
            errors=len(errors),
        )
    )
    held.current_revision = number
    held.origin = "web"
    _log(held, action, number, author, now, message)
    db.session.flush()
    return SaveResult(slug, number, publish, changes, created)


def _upload_one(author: User, label: str, name: str, data: bytes, now: datetime) -> dict[str, Any]:
    if len(data) > MAX_SOURCE_BYTES:
        return _refused(label, f"the file is larger than 1 MB ({len(data):,} bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return _refused(label, f"the file is not UTF-8 text (byte {exc.start}): save it as UTF-8")
    result = _parse(text, PurePosixPath(name).name)
    if result.question_set is None or result.errors:
        return {"name": label, "slug": None, "ok": False, "errors": _errors(result)}
    slug = result.question_set.slug
    held = db.session.scalar(select(SetSource).where(SetSource.slug == slug))
    base = held.current_revision if held is not None else None
    db.session.rollback()
    try:
        saved = _write(author, slug, text, f"uploaded {PurePosixPath(name).name}", base, True, now, "upload")
    except SourceHasErrors as exc:
        return {"name": label, "slug": slug, "ok": False, "errors": exc.errors}
    except AuthoringError as exc:
        return _refused(label, str(exc), slug)
    return {"name": label, "slug": slug, "ok": True, "revision": saved.revision}


def _refused(name: str, message: str, slug: str | None = None) -> dict[str, Any]:
    return {"name": name, "slug": slug, "ok": False, "errors": [{"line": 1, "message": message}]}


def _unzip(data: bytes) -> list[tuple[str, bytes]]:
    """The `.md` files of a zip, refusing paths outside its folder and bounding what is unpacked."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise AuthoringError("the file is not a zip archive") from None
    with archive:
        entries = [e for e in archive.infolist() if not e.is_dir()]
        for entry in entries:
            _check_member_path(entry.filename)
        wanted = [e for e in entries if _is_set_file(e.filename)]
        if len(wanted) > MAX_ZIP_FILES:
            raise AuthoringError(f"the zip holds {len(wanted)} sets; at most {MAX_ZIP_FILES} at once")
        members: list[tuple[str, bytes]] = []
        total = 0
        for entry in wanted:
            body = _read_member(archive, entry)
            total += len(body)
            if total > MAX_ZIP_BYTES:
                raise AuthoringError(f"the zip unpacks to more than {MAX_ZIP_BYTES // MAX_FILE_BYTES} MB")
            members.append((entry.filename, body))
    return members


def _check_member_path(name: str) -> None:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or re.match(r"^[A-Za-z]:", name):
        raise AuthoringError(f"the zip has a path outside its folder ({name}): nothing was imported")


def _is_set_file(name: str) -> bool:
    path = PurePosixPath(name)
    hidden = any(part.startswith((".", "__MACOSX")) for part in path.parts)
    return not hidden and path.suffix.lower() in (".md", ".markdown") and path.name.lower() != "readme.md"


def _read_member(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bytes:
    """A member's bytes, never more than the size limit plus one, whatever its header claims."""
    with archive.open(entry) as handle:  # an oversized file is then refused by _upload_one
        return handle.read(MAX_SOURCE_BYTES + 1)


def _published_sources() -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(SetSource.slug, SetRevision.text)
        .join(SetRevision, SetRevision.source_id == SetSource.id)
        .join(ContentSet, ContentSet.slug == SetSource.slug)
        .where(
            SetSource.published_revision.is_not(None),
            SetRevision.number == SetSource.published_revision,
            SetSource.unpublished_at.is_(None),
            ContentSet.retired_at.is_(None),  # a file set whose file is gone is not served either
        )
        .order_by(SetSource.slug)
    )
    published = [(slug, text) for slug, text in rows]
    db.session.rollback()
    return published


def _changes(slug: str, plan: content_sync.SyncReport) -> Changes:
    changed_ids = [c.id for c in _cards_by_key(slug, plan)]
    affected = _learners_with_history(changed_ids + [card_id for card_id, _ in plan.retired_cards])
    return Changes(
        added=plan.added,
        changed=plan.changed,
        retired=plan.retired,
        unchanged=plan.unchanged,
        added_questions=list(plan.added_cards),
        changed_questions=[
            ChangedQuestion(k, old, new, word_diff(old, new)) for k, old, new in plan.changed_cards
        ],
        retired_questions=[question for _, question in plan.retired_cards],
        learners_affected=affected,
    )


def _cards_by_key(slug: str, plan: content_sync.SyncReport) -> list[Card]:
    keys = [key for key, _, _ in plan.changed_cards]
    if not keys:
        return []
    in_set = select(ContentSet.id).where(ContentSet.slug == slug).scalar_subquery()
    return list(db.session.scalars(select(Card).where(Card.set_id == in_set, Card.key.in_(keys))))


def _learners_with_history(card_ids: list[int]) -> int:
    if not card_ids:
        return 0
    return int(
        db.session.scalar(
            select(func.count(distinct(ReviewLog.user_id))).where(
                ReviewLog.card_id.in_(card_ids), ReviewLog.rating >= 1
            )
        )
        or 0
    )


def _learners_by_set() -> dict[int, int]:
    rows = db.session.execute(
        select(Card.set_id, func.count(distinct(ReviewLog.user_id)))
        .join(Card, Card.id == ReviewLog.card_id)
        .where(ReviewLog.rating >= 1)  # manual browser changes (rating 0) are no reviews
        .group_by(Card.set_id)
    )
    return {int(set_id): int(count) for set_id, count in rows.all()}


def _summary(held: SetSource, stored: ContentSet | None, learners: dict[int, int]) -> SetSummary:
    newest = _revision(held, held.current_revision)
    author = db.session.get(User, newest.author_id) if newest.author_id else None
    last = db.session.scalar(
        select(AuthoringEvent.action)
        .where(AuthoringEvent.source_id == held.id)
        .order_by(AuthoringEvent.created_at.desc(), AuthoringEvent.id.desc())
        .limit(1)
    )
    return SetSummary(
        slug=held.slug,
        title=stored.title if stored is not None else _draft_title(newest.text, held.slug),
        origin=held.origin,
        revision=held.current_revision,
        published=_is_published(held, stored),
        errors=newest.errors,
        author=_author(newest.author_id, author.username if author else None),
        changed_at=newest.created_at,
        learners=learners.get(stored.id, 0) if stored is not None else 0,
        file_moved_on=last == "file-overrides-web",
    )


def _unimported_file(stored: ContentSet) -> bool:
    """A live set loaded from a file before the database kept sources (its sync is due)."""
    return stored.retired_at is None and not stored.source_path.startswith(content_sync.WEB_PREFIX)


def _draft_title(text: str, slug: str) -> str:
    """The title of a set never published: from its newest revision, else its slug."""
    parsed = parse_file(f"{slug}.md", text.encode("utf-8", errors="replace")).question_set
    return parsed.title if parsed is not None else slug


def _held(slug: str) -> SetSource:
    held = db.session.scalar(select(SetSource).where(SetSource.slug == slug))
    if held is None or held.current_revision == 0:
        db.session.rollback()
        raise SetNotFound(f"There is no question set called '{slug}'.")
    return held


def _revision(held: SetSource | None, number: int) -> SetRevision:
    found = (
        db.session.scalar(
            select(SetRevision).where(SetRevision.source_id == held.id, SetRevision.number == number)
        )
        if held is not None
        else None
    )
    if found is None:
        raise SetNotFound(f"This set has no revision {number}.")
    return found


def _content_set(slug: str) -> ContentSet | None:
    return db.session.scalar(select(ContentSet).where(ContentSet.slug == slug))


def _is_published(held: SetSource, stored: ContentSet | None) -> bool:
    return held.unpublished_at is None and stored is not None and stored.retired_at is None


def _filename(held: SetSource | None, stored: ContentSet | None, slug: str | None = None) -> str:
    """The name the set's source is parsed under: its file's path, or `<slug>.md`."""
    if stored is not None:
        return stored.source_path
    if held is not None and held.file_path:
        return held.file_path
    return f"{content_sync.WEB_PREFIX}{slug or (held.slug if held else 'set')}.md"


def _parse(source: str, filename: str) -> ParseResult:
    """The checker's parse; a source over 1 MB is one error at line 1, as for a file."""
    return parse_file(filename, source.encode("utf-8", errors="replace"))


def _errors(result: ParseResult) -> list[dict[str, Any]]:
    return [{"line": p.line, "message": p.message} for p in result.errors]


def _check_size(source: str) -> None:
    """Refuse text over 1 MB, with a NUL, or not Unicode (a lone surrogate from JSON's \\ud800)."""
    try:
        source.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise AuthoringError(
            f"The text is not valid Unicode (an unpaired surrogate at character {exc.start + 1})."
        ) from None
    if "\x00" in source:
        raise AuthoringError("The text contains a NUL character (byte 0): remove it.")
    size = len(source.encode("utf-8"))
    if size > MAX_SOURCE_BYTES:
        raise AuthoringError(f"The source is larger than 1 MB ({size:,} bytes): split the set in two.")


def _check_slug(slug: str) -> None:
    if not _SLUG.match(slug) or slugify(slug) != slug:
        raise AuthoringError(
            f"'{slug}' cannot name a set: use lower-case letters, digits and hyphens, e.g. 'gru-gates'."
        )


def _require_instructor(user: User) -> None:
    if user.role != "instructor":
        raise NotInstructor("Only instructors write question sets.")


def _author(author_id: int | None, name: str | None) -> str:
    return FILES_AUTHOR if author_id is None else (name or "(deleted account)")


def _log(
    held: SetSource, action: str, revision: int | None, author: User, now: datetime, detail: str
) -> None:
    db.session.add(
        AuthoringEvent(
            source_id=held.id,
            action=action,
            revision=revision,
            author_id=author.id,
            created_at=now,
            detail=detail,
        )
    )


TEMPLATE = """+++
title = "Gates in a GRU"
slug = "gru-gates-template"
weight = 50
dialect = "native"
description = "What the update and reset gates of a GRU decide, with one worked step."
+++

## Preview

1. How does a GRU decide how much of its old state to keep?
2. What would happen to a GRU whose update gate were always 1?

## Explain

A GRU keeps one state vector $h_t$ and two gates. The **update gate** $z_t$ mixes the old state
with a candidate:

$$
h_t = (1 - z_t) \\odot h_{t-1} + z_t \\odot \\tilde h_t
$$

The **reset gate** $r_t$ decides how much of $h_{t-1}$ the candidate $\\tilde h_t$ may read.

```python
h = (1 - z) * h_prev + z * h_candidate
```

## Keypoints

1. The update gate interpolates between the old state and the candidate.
2. The reset gate controls how much of the old state the candidate sees.

## Review

1. Which gate of a GRU mixes the old state with the candidate?

   - [x] the update gate
   - [ ] the reset gate — it only shapes the candidate.
   - [ ] the output gate — a GRU has none; the LSTM does.

   Explanation: $h_t = (1 - z_t) \\odot h_{t-1} + z_t \\odot \\tilde h_t$.
   ID: gru-update-gate
   Covers: 1

2. A GRU whose update gate is always 0 copies its old state unchanged.

   Answer: True
   Explanation: with $z_t = 0$, $h_t = h_{t-1}$.
   ID: gru-gate-zero
   Covers: 1

3. The reset gate controls how much of {{c1::the old state}} the candidate reads.

   ID: gru-reset-cloze
   Covers: 2

4. How many gates does a GRU have?

   Answer: 2
   Accept: two
   ID: gru-gate-count

5. Why can a GRU carry information over many steps?

   Answer: When its update gate stays near 0 the state is copied almost unchanged, so gradients
   pass back through many steps without vanishing.
   ID: gru-long-memory
"""
