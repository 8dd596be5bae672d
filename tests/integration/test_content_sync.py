"""`content sync` against a real database: cards keep their identity and history across edits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Card, ContentSet
from app.services.content_sync import sync_content
from app.services.content_watch import ContentWatcher

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

PAGE_SET = """+++
title = "Gates"
weight = 2
+++
## Preview
1. Why would a network want to forget?

## Keypoint
1. Gates are sigmoid-valued multipliers.

## Review
1. What range do gate values take?
Answer: Between zero and one, because a sigmoid produces them.

2. Which gate decides what the LSTM cell keeps?
Answer: The forget gate.

3. How many gates does a GRU have?
Answer: Two: the update gate and the reset gate.
"""

NATIVE_SET = """+++
title = "Unrolling"
dialect = "native"
weight = 1
+++
## Keypoint
1. The same weights are used at every step.

## Review
1. An unrolled RNN reuses {{c1::the same weights}} at every time step.
   ID: unroll-shared
   Covers: 1

2. Does unrolling add parameters?
   - [ ] Yes — unrolling copies the cell, not its weights.
   - [x] No
   ID: unroll-params
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def sync(app: Flask, folder: Path, now: datetime = NOW):
    with app.app_context():
        return sync_content(folder, now)


def cards_by_key(app: Flask, slug: str) -> dict[str, Card]:
    with app.app_context():
        query = select(Card).join(ContentSet).where(ContentSet.slug == slug)
        return {card.key: card for card in db.session.scalars(query)}


def test_first_sync_adds_every_card_and_a_second_changes_nothing(app: Flask, content_dir: Path) -> None:
    write(content_dir, "gates.md", PAGE_SET)
    write(content_dir, "unrolling.md", NATIVE_SET)

    first = sync(app, content_dir)
    second = sync(app, content_dir, NOW + timedelta(minutes=5))

    assert (first.added, first.changed, first.retired, first.unchanged) == (5, 0, 0, 0)
    assert (second.added, second.changed, second.retired, second.unchanged) == (0, 0, 0, 5)
    assert set(cards_by_key(app, "unrolling")) == {"unroll-shared", "unroll-params"}


def test_a_typo_fix_keeps_the_card_and_its_history(app: Flask, content_dir: Path) -> None:
    path = write(content_dir, "gates.md", PAGE_SET)
    sync(app, content_dir)
    before = cards_by_key(app, "gates")
    original = next(c for c in before.values() if "Which gate decides" in c.question)

    write(content_dir, "gates.md", PAGE_SET.replace("Which gate decides", "Wich gate decides"))
    path.write_text(path.read_text().replace("The forget gate.", "The forget gate (f_t)."))
    report = sync(app, content_dir, NOW + timedelta(days=1))

    after = cards_by_key(app, "gates")
    edited = after[original.key]
    assert (report.added, report.changed, report.retired) == (0, 1, 0)
    assert edited.id == original.id
    assert edited.question.startswith("Wich gate decides")
    assert edited.answer == "The forget gate (f_t)."
    assert edited.created_at == NOW
    assert len(after) == 3


def test_reordering_questions_keeps_their_ids(app: Flask, content_dir: Path) -> None:
    write(content_dir, "gates.md", PAGE_SET)
    sync(app, content_dir)
    ids_before = {c.question: (c.key, c.id) for c in cards_by_key(app, "gates").values()}

    head, _, review = PAGE_SET.partition("## Review\n")
    items = review.strip().split("\n\n")
    write(content_dir, "gates.md", head + "## Review\n" + "\n\n".join(reversed(items)) + "\n")
    report = sync(app, content_dir)

    after = cards_by_key(app, "gates").values()
    assert {c.question: (c.key, c.id) for c in after} == ids_before
    assert sorted((c.position, c.question[:8]) for c in after)[0][1] == "How many"
    assert (report.added, report.changed, report.retired) == (0, 0, 0)


def test_a_removed_question_retires_its_card_and_putting_it_back_revives_it(
    app: Flask, content_dir: Path
) -> None:
    write(content_dir, "gates.md", PAGE_SET)
    sync(app, content_dir)
    without = PAGE_SET.split("3. How many gates")[0]
    write(content_dir, "gates.md", without)

    removed = sync(app, content_dir, NOW + timedelta(hours=1))
    retired = [c for c in cards_by_key(app, "gates").values() if c.retired_at is not None]
    write(content_dir, "gates.md", PAGE_SET)
    restored = sync(app, content_dir, NOW + timedelta(hours=2))

    assert removed.retired == 1
    assert [c.question[:17] for c in retired] == ["How many gates do"]
    assert retired[0].retired_at == NOW + timedelta(hours=1)
    assert restored.added == 1
    assert all(c.retired_at is None for c in cards_by_key(app, "gates").values())
    assert cards_by_key(app, "gates")[retired[0].key].id == retired[0].id


def test_a_broken_file_keeps_its_last_good_version_and_others_still_load(
    app: Flask, content_dir: Path
) -> None:
    write(content_dir, "gates.md", PAGE_SET)
    sync(app, content_dir)
    write(content_dir, "gates.md", PAGE_SET.replace("Answer: The forget gate.", ""))
    write(content_dir, "unrolling.md", NATIVE_SET)

    report = sync(app, content_dir)

    assert [r.path for r in report.failed] == ["gates.md"]
    assert report.failed[0].errors[0].line == 15
    assert len(cards_by_key(app, "gates")) == 3
    assert len(cards_by_key(app, "unrolling")) == 2
    with app.app_context():
        stored = db.session.scalar(select(ContentSet).where(ContentSet.slug == "gates"))
        assert stored is not None and "no answer" in stored.problems[0]["message"]


def test_a_deleted_file_retires_its_set_and_a_renamed_file_keeps_its_cards(
    app: Flask, content_dir: Path
) -> None:
    old = write(
        content_dir, "gates.md", PAGE_SET.replace('title = "Gates"', 'title = "Gates"\nslug = "gates"')
    )
    sync(app, content_dir)
    ids = {c.key: c.id for c in cards_by_key(app, "gates").values()}

    old.rename(content_dir / "lstm-gates.md")
    renamed = sync(app, content_dir)
    (content_dir / "lstm-gates.md").unlink()
    deleted = sync(app, content_dir)

    assert (renamed.added, renamed.retired, renamed.unchanged) == (0, 0, 3)
    assert {c.key: c.id for c in cards_by_key(app, "gates").values()} == ids
    assert deleted.retired == 3
    with app.app_context():
        stored = db.session.scalar(select(ContentSet).where(ContentSet.slug == "gates"))
        assert stored is not None and stored.retired_at is not None


def test_a_changed_native_id_is_a_new_card(app: Flask, content_dir: Path) -> None:
    write(content_dir, "unrolling.md", NATIVE_SET)
    sync(app, content_dir)
    write(content_dir, "unrolling.md", NATIVE_SET.replace("ID: unroll-params", "ID: unroll-no-new-params"))

    report = sync(app, content_dir)

    assert (report.added, report.retired) == (1, 1)
    assert cards_by_key(app, "unrolling")["unroll-params"].retired_at is not None


def test_two_files_with_one_slug_load_the_first_and_report_the_second(app: Flask, content_dir: Path) -> None:
    write(content_dir, "a.md", NATIVE_SET.replace("weight = 1", 'weight = 1\nslug = "same"'))
    write(content_dir, "b.md", PAGE_SET.replace("weight = 2", 'weight = 2\nslug = "same"'))

    report = sync(app, content_dir)

    assert [r.path for r in report.failed] == ["b.md"]
    assert "already used by a.md" in report.failed[0].errors[0].message
    assert set(cards_by_key(app, "same")) == {"unroll-shared", "unroll-params"}


def test_the_watcher_picks_up_an_edit_without_a_restart(app: Flask, content_dir: Path) -> None:
    path = write(content_dir, "unrolling.md", NATIVE_SET)
    watcher = ContentWatcher(content_dir, interval=0)
    with app.app_context():
        assert watcher.refresh() is not None
        assert watcher.refresh() is None
        path.write_text(NATIVE_SET.replace('title = "Unrolling"', 'title = "Unrolling a loop"'))
        report = watcher.refresh()
        title = db.session.scalar(select(ContentSet.title).where(ContentSet.slug == "unrolling"))
    assert report is not None and report.failed == []
    assert title == "Unrolling a loop"


def test_a_sets_sources_are_stored_and_a_cloze_shows_only_its_first_alternative(
    app: Flask, content_dir: Path
) -> None:
    text = NATIVE_SET.replace(
        "weight = 1\n", 'weight = 1\nsources = ["Elman, J. L. (1990). Finding structure in time."]\n'
    ).replace("{{c1::the same weights}}", "{{c1::the same weights|shared weights}}")
    write(content_dir, "unrolling.md", text)
    sync(app, content_dir)
    with app.app_context():
        stored = db.session.scalar(select(ContentSet).where(ContentSet.slug == "unrolling"))
        assert stored is not None
        assert stored.sources == ["Elman, J. L. (1990). Finding structure in time."]
    card = cards_by_key(app, "unrolling")["unroll-shared"]
    assert card.answer == "the same weights"
    assert "shared weights" not in card.details["html"]["answer"]
