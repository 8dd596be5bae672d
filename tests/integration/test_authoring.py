"""Authoring rules against a real database: sets written in the database keep card identity and
learners' histories exactly as files do, files become revisions, and every change is logged."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.models import Card, ContentSet, ReviewLog, SetRevision, User
from app.services import accounts, authoring, catalog, study
from app.services.content_sync import sync_content
from tests.conftest import app_config
from tests.integration.test_content_sync import NATIVE_SET, PAGE_SET

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def later(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def teacher(name: str = "teach") -> User:
    return accounts.register(name, "correct horse", T0, role="instructor")


def card_ids(slug: str) -> dict[str, int]:
    """Active cards of a set: {question: id}."""
    rows = db.session.execute(
        select(Card.question, Card.id)
        .join(ContentSet, ContentSet.id == Card.set_id)
        .where(ContentSet.slug == slug, Card.retired_at.is_(None))
    )
    return {str(q): int(i) for q, i in rows.all()}


def study_everything(name: str, slug: str) -> User:
    learner = accounts.register(name, "correct horse", T0)
    for card_id in card_ids(slug).values():
        assert study.grade_card(learner, card_id, 3, later(1)) is not None
    return learner


def reviews_of(user: User) -> int:
    return int(db.session.scalar(select(func.count()).where(ReviewLog.user_id == user.id)) or 0)


def test_a_typo_fix_keeps_the_card_and_every_history(app: Flask) -> None:
    with app.app_context():
        author = teacher()
        first = authoring.save(author, "gates", PAGE_SET, "first", None, True, T0)
        before = card_ids("gates")
        learner = study_everything("ada", "gates")
        fixed = PAGE_SET.replace("Which gate decides", "Which gate decids")
        preview = authoring.preview_changes("gates", fixed)
        saved = authoring.save(author, "gates", fixed, "typo", first.revision, True, later(5))
        after = card_ids("gates")
        assert first.created and first.changes.added == 3
        assert (saved.changes.added, saved.changes.changed, saved.changes.retired) == (0, 1, 0)
        assert preview.changed == 1 and preview.learners_affected == 1
        assert preview.changed_questions[0].word_diff[1:3] == [("delete", "decides"), ("insert", "decids")]
        assert sorted(after.values()) == sorted(before.values())
        assert reviews_of(learner) == 3


def test_a_removed_question_retires_and_putting_it_back_revives_it(app: Flask) -> None:
    with app.app_context():
        author = teacher()
        authoring.save(author, "gates", PAGE_SET, "", None, True, T0)
        gone = card_ids("gates")["How many gates does a GRU have?"]
        shorter = PAGE_SET.split("3. How many gates")[0]
        removed = authoring.save(author, "gates", shorter, "drop one", 1, True, later(1))
        assert (removed.changes.retired, removed.changes.retired_questions) == (
            1,
            ["How many gates does a GRU have?"],
        )
        assert gone not in card_ids("gates").values()
        back = authoring.save(author, "gates", PAGE_SET, "back", 2, True, later(2))
        assert back.changes.added == 1 and card_ids("gates")["How many gates does a GRU have?"] == gone


def test_unpublish_hides_set_and_cards_keeps_histories_and_a_republish_brings_them_back(app: Flask) -> None:
    with app.app_context():
        author = teacher()
        authoring.save(author, "unrolling", NATIVE_SET, "", None, True, T0)
        before = card_ids("unrolling")
        learner = study_everything("ada", "unrolling")
        authoring.unpublish(author, "unrolling", later(5))
        assert catalog.get_set("unrolling") is None
        assert [s.slug for s in catalog.list_sets()] == []
        assert card_ids("unrolling") == {}
        assert study.next_card(learner, later(10_000)).card is None
        assert reviews_of(learner) == 2
        assert authoring.get_source("unrolling").published is False
        again = authoring.save(author, "unrolling", NATIVE_SET, "again", 1, True, later(6))
        assert again.changes.added == 2 and card_ids("unrolling") == before
        assert catalog.get_set("unrolling") is not None and reviews_of(learner) == 2


def test_publishing_errors_is_refused_and_changes_nothing_but_a_draft_with_errors_is_kept(app: Flask) -> None:
    with app.app_context():
        author = teacher()
        authoring.save(author, "unrolling", NATIVE_SET, "", None, True, T0)
        broken = NATIVE_SET.replace("   ID: unroll-params\n", "")
        with pytest.raises(authoring.SourceHasErrors) as refused:
            authoring.save(author, "unrolling", broken, "", 1, True, later(1))
        assert refused.value.errors[0]["line"] == 14 and "ID" in refused.value.errors[0]["message"]
        assert authoring.get_source("unrolling").revision == 1
        draft = authoring.save(author, "unrolling", broken, "wip", 1, False, later(2))
        view = authoring.get_source("unrolling")
        assert (draft.revision, draft.published, view.published_revision, view.source) == (
            2,
            False,
            1,
            broken,
        )
        assert view.errors and len(card_ids("unrolling")) == 2
        assert [s.errors for s in authoring.list_sets()] == [len(view.errors)]


def test_a_stale_base_revision_is_a_conflict_with_the_current_text(app: Flask) -> None:
    with app.app_context():
        one, two = teacher("one"), teacher("two")
        authoring.save(one, "gates", PAGE_SET, "", None, True, T0)
        authoring.save(one, "gates", PAGE_SET + "\n", "", 1, True, later(1))
        with pytest.raises(authoring.RevisionConflict) as conflict:
            authoring.save(two, "gates", PAGE_SET.replace("Gates", "Gated"), "", 1, True, later(2))
        with pytest.raises(authoring.RevisionConflict):
            authoring.save(two, "gates", PAGE_SET, "", None, True, later(2))  # "new" set that exists
        assert conflict.value.current_revision == 2 and conflict.value.current_source == PAGE_SET + "\n"
        assert authoring.get_source("gates").revision == 2


def test_only_instructors_write_and_slugs_and_sizes_are_checked(app: Flask) -> None:
    with app.app_context():
        learner = accounts.register("ada", "correct horse", T0)
        with pytest.raises(authoring.NotInstructor):
            authoring.save(learner, "gates", PAGE_SET, "", None, True, T0)
        author = teacher()
        with pytest.raises(authoring.AuthoringError, match="cannot name a set"):
            authoring.save(author, "../etc", PAGE_SET, "", None, True, T0)
        with pytest.raises(authoring.AuthoringError, match="larger than 1 MB"):
            authoring.save(author, "big", PAGE_SET + "x" * (1024 * 1024), "", None, False, T0)
        with pytest.raises(authoring.SourceHasErrors, match="error"):
            authoring.save(
                author, "other-slug", PAGE_SET.replace("weight = 2", 'slug = "gates"'), "", None, True, T0
            )


def test_restore_is_a_new_revision_and_every_change_is_logged_with_its_author(app: Flask) -> None:
    with app.app_context():
        author = teacher()
        authoring.save(author, "gates", PAGE_SET, "first", None, True, T0)
        authoring.save(author, "gates", PAGE_SET.replace("Gates", "Gating"), "retitle", 1, True, later(1))
        restored = authoring.restore(author, "gates", 1, later(2))
        authoring.unpublish(author, "gates", later(3))
        history = authoring.revisions("gates")
        log = authoring.activity()
        assert restored.revision == 3 and restored.published
        assert authoring.revision_text("gates", 3) == PAGE_SET
        assert [(r.revision, r.author, r.message) for r in history] == [
            (3, "teach", "restored revision 1"),
            (2, "teach", "retitle"),
            (1, "teach", "first"),
        ]
        assert [(e["action"], e["author"], e["revision"]) for e in log] == [
            ("unpublish", "teach", 3),
            ("restore", "teach", 3),
            ("publish", "teach", 2),
            ("publish", "teach", 1),
        ]
        assert ("delete", 'title = "Gates"') in authoring.diff(PAGE_SET, PAGE_SET.replace("Gates", "Gating"))


def test_files_become_revisions_by_files_and_a_web_edit_wins_until_the_file_moves_on(
    app: Flask, content_dir: Path
) -> None:
    file = content_dir / "gates.md"
    file.write_text(PAGE_SET, encoding="utf-8")
    with app.app_context():
        sync_content(content_dir, T0)
        sync_content(content_dir, later(1))  # the same bytes: no new revision
        assert [(r.revision, r.author, r.origin) for r in authoring.revisions("gates")] == [
            (1, "files", "file")
        ]
        author = teacher()
        web = PAGE_SET.replace("Which gate decides", "Which gate alone decides")
        authoring.save(author, "gates", web, "web edit", 1, True, later(2))
        sync_content(content_dir, later(3))  # the file did not change: the web edit stays
        assert "Which gate alone decides what the LSTM cell keeps?" in card_ids("gates")
        assert [s.origin for s in authoring.list_sets()] == ["web"]
        file.unlink()
        sync_content(content_dir, later(4))  # nor does the web version go with its file
        assert catalog.get_set("gates") is not None
        moved = PAGE_SET.replace("How many gates", "How many gates in all")
        file.write_text(moved, encoding="utf-8")
        sync_content(content_dir, later(5))
        summary = authoring.list_sets()[0]
        history = authoring.revisions("gates")
        assert "How many gates in all does a GRU have?" in card_ids("gates")
        assert (summary.origin, summary.author, summary.file_moved_on) == ("file", "files", True)
        assert [(r.revision, r.origin, r.published) for r in history] == [
            (3, "file", True),
            (2, "web", True),
            (1, "file", True),
        ]
        assert authoring.revision_text("gates", 2) == web
        assert authoring.activity()[0]["action"] == "file-overrides-web"


def test_an_unpublished_file_set_stays_unpublished_until_its_file_changes(
    app: Flask, content_dir: Path
) -> None:
    file = content_dir / "gates.md"
    file.write_text(PAGE_SET, encoding="utf-8")
    with app.app_context():
        sync_content(content_dir, T0)
        authoring.unpublish(teacher(), "gates", later(1))
        sync_content(content_dir, later(2))
        assert catalog.get_set("gates") is None
        file.write_text(PAGE_SET + "\n", encoding="utf-8")
        sync_content(content_dir, later(3))
        assert catalog.get_set("gates") is not None


def test_export_then_sync_into_an_empty_database_gives_the_same_sets_and_card_ids(
    app: Flask, content_dir: Path, tmp_path: Path
) -> None:
    (content_dir / "folder").mkdir()
    (content_dir / "folder" / "gates.md").write_text(PAGE_SET, encoding="utf-8")
    with app.app_context():
        sync_content(content_dir, T0)
        author = teacher()
        authoring.save(author, "unrolling", NATIVE_SET, "", None, True, later(1))
        authoring.save(
            author, "draft-only", NATIVE_SET.replace("Unrolling", "Draft"), "", None, False, later(1)
        )
        (content_dir / "gone.md").write_text(PAGE_SET.replace("Gates", "Gone"), encoding="utf-8")
        sync_content(content_dir, later(1))
        (content_dir / "gone.md").unlink()
        sync_content(content_dir, later(1))  # its file is gone: retired, not exported
        exported = tmp_path / "course"
        result = app.test_cli_runner().invoke(args=["content", "export", str(exported)])
        keys = _keys()
        titles = {s.slug: (s.title, s.published) for s in authoring.list_sets()}
    assert titles["draft-only"] == ("Draft", False) and titles["gone"] == ("Gone", False)
    assert result.exit_code == 0 and "2 set(s) written" in result.output
    assert sorted(p.name for p in exported.iterdir()) == ["gates.md", "unrolling.md"]
    fresh = create_app(app_config(f"sqlite:///{tmp_path / 'fresh.sqlite3'}", exported))
    with fresh.app_context():
        db.create_all()
        report = sync_content(exported, later(2))
        fresh_keys = _keys()
        db.engine.dispose()
    assert not report.failed and fresh_keys == keys


def _keys() -> dict[str, list[str]]:
    rows = db.session.execute(
        select(ContentSet.slug, Card.key)
        .join(Card, Card.set_id == ContentSet.id)
        .where(ContentSet.retired_at.is_(None), Card.retired_at.is_(None))
        .order_by(ContentSet.slug, Card.key)
    )
    keys: dict[str, list[str]] = {}
    for slug, key in rows:
        keys.setdefault(slug, []).append(key)
    return keys


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in entries.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def test_uploads_publish_md_and_zip_files_and_refuse_what_is_unsafe(app: Flask) -> None:
    course = _zip(
        {"course/gates.md": PAGE_SET.encode(), "course/README.md": b"# notes", "course/img/a.png": b"x"}
    )
    slip = _zip({"../evil.md": NATIVE_SET.encode()})
    bomb = _zip({"bomb.md": b"a" * (50 * 1024 * 1024)})
    with app.app_context():
        results = authoring.upload(
            teacher(),
            [
                ("unrolling.md", NATIVE_SET.encode()),
                ("course.zip", course),
                ("latin1.md", "caf\xe9".encode("latin-1")),
                ("huge.md", b"x" * (1024 * 1024 + 1)),
                ("slip.zip", slip),
                ("bomb.zip", bomb),
                ("broken.md", b"## Review\n1. A question with no answer?\n"),
            ],
            T0,
        )
        stored = db.session.scalar(select(func.count()).select_from(SetRevision))
        log = authoring.activity()
    by_name = {r["name"]: r for r in results}
    assert by_name["unrolling.md"] == {"name": "unrolling.md", "slug": "unrolling", "ok": True, "revision": 1}
    assert by_name["course.zip:course/gates.md"]["ok"] and len(results) == 7
    assert "not UTF-8" in by_name["latin1.md"]["errors"][0]["message"]
    assert "larger than 1 MB" in by_name["huge.md"]["errors"][0]["message"]
    assert "outside its folder" in by_name["slip.zip"]["errors"][0]["message"]
    assert "larger than 1 MB" in by_name["bomb.zip:bomb.md"]["errors"][0]["message"]
    assert not by_name["broken.md"]["ok"] and by_name["broken.md"]["errors"][0]["line"] == 2
    assert stored == 2 and {e["action"] for e in log} == {"upload"}


def test_check_and_preview_store_nothing(app: Flask) -> None:
    with app.app_context():
        checked = authoring.check_source(authoring.template_source(), "gru.md")
        preview = authoring.render_preview(authoring.template_source())
        bad = authoring.render_preview("no sections here")
        assert db.session.scalar(select(func.count()).select_from(ContentSet)) == 0
    assert checked["errors"] == [] and checked["counts"]["review"] == 5
    assert preview["title"] == "Gates in a GRU" and len(preview["review"]) == 5
    assert "<math" in preview["explain_html"] or "katex" in preview["explain_html"]
    assert bad["errors"]
