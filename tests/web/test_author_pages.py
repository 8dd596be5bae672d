"""The authoring pages as an instructor's browser uses them: who may open them, CSRF on every form,
writing, checking, publishing, conflicts, history, upload and export (SQLite and PostgreSQL)."""

from __future__ import annotations

import html
import io
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.services import accounts, authoring
from app.services.content_sync import sync_content
from app.web.author_view import line_diff, word_diff
from tests.web.helpers import csrf_token, log_in

PASSWORD = "correct horse"
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TINY = """+++
title = "Tiny set"
slug = "tiny"
dialect = "native"
+++

## Explain

The state is $h_t = \\tanh(W h_{t-1})$.

## Review

1. What does an RNN carry from step to step?

   Answer: Its hidden state.
   ID: tiny-carry

2. Which cell has three gates?

   - [x] The LSTM
   - [ ] The GRU — it has two.

   ID: tiny-gates
"""
BROKEN = TINY.replace("   Answer: Its hidden state.", "   Oops: nothing here.")
BROKEN_LINE = 13
PAGES = ["/author", "/author/new", "/author/sets/tiny", "/author/sets/tiny/history", "/author/export.zip"]


@pytest.fixture
def people(app: Flask) -> Flask:
    with app.app_context():
        accounts.register("ada", PASSWORD, T0)
        accounts.register("teach", PASSWORD, T0, role="instructor")
        accounts.register("other", PASSWORD, T0, role="instructor")
    return app


@pytest.fixture
def teacher(people: Flask) -> FlaskClient:
    client = people.test_client()
    log_in(client, "teach", PASSWORD)
    return client


def _save(
    client: FlaskClient, source: str, action: str, base: int | None = None, slug: str = "", message: str = ""
) -> TestResponse:
    token = csrf_token(client, "/author")
    data = {
        "csrf_token": token,
        "source": source,
        "action": action,
        "base_revision": "" if base is None else str(base),
        "slug": slug,
        "message": message,
    }
    return client.post("/author/save", data=data)


def _published(client: FlaskClient, source: str = TINY, base: int | None = None) -> None:
    response = _save(client, source, "publish", base, slug="tiny")
    assert response.status_code == 302, response.get_data(as_text=True)


def test_visitors_are_sent_to_log_in_and_learners_are_refused(people: Flask) -> None:
    visitor = people.test_client()
    for path in PAGES:
        response = visitor.get(path)
        assert response.status_code == 302, path
        assert "/login" in response.headers["Location"]
    learner = people.test_client()
    log_in(learner, "ada", PASSWORD)
    for path in PAGES:
        assert learner.get(path).status_code == 403, path
    token = csrf_token(learner, "/")
    refused = learner.post("/author/save", data={"csrf_token": token, "source": TINY, "action": "publish"})
    assert refused.status_code == 403
    assert learner.get("/sets/tiny").status_code == 404  # nothing was published


def test_every_form_needs_its_csrf_token(teacher: FlaskClient) -> None:
    for path, data in [
        ("/author/save", {"source": TINY, "action": "publish", "slug": "tiny"}),
        ("/author/preview", {"source": TINY}),
        ("/author/sets/tiny/restore", {"revision": "1"}),
        ("/author/sets/tiny/unpublish", {}),
        ("/author/upload", {"files": (io.BytesIO(TINY.encode()), "tiny.md")}),
    ]:
        assert teacher.post(path, data=data).status_code == 400, path
    page = teacher.get("/author").get_data(as_text=True)
    assert "Tiny set" not in page
    new = teacher.get("/author/new").get_data(as_text=True)
    assert new.count('name="csrf_token"') >= 2  # the editor's form and the log-out form


def test_a_new_set_starts_from_the_template_and_is_hidden_until_published(
    teacher: FlaskClient, people: Flask
) -> None:
    page = html.unescape(teacher.get("/author/new").get_data(as_text=True))
    assert 'dialect = "native"' in page and "## Review" in page
    assert "No errors" in page  # the template passes the checker
    assert 'class="gutter"' in page and 'id="learner-view"' in page
    assert "review-item" in page  # its questions are previewed as learners see them

    draft = _save(teacher, TINY, "draft", message="first go")
    assert draft.status_code == 302 and draft.headers["Location"].endswith("/author/sets/tiny")
    editor = teacher.get("/author/sets/tiny").get_data(as_text=True)
    assert "Saved revision 1 as a draft" in editor
    assert "Revision 1, not published" in editor
    learner = people.test_client()
    log_in(learner, "ada", PASSWORD)
    assert learner.get("/sets/tiny").status_code == 404

    review = _save(teacher, TINY, "review", base=1, slug="tiny")
    text = review.get_data(as_text=True)
    assert review.status_code == 200
    assert "Publish Tiny set?" in text
    assert re.search(r"<strong>2</strong> questions added", text)
    assert "What does an RNN carry from step to step?" in text
    assert learner.get("/sets/tiny").status_code == 404  # the summary changes nothing

    _published(teacher, base=1)
    assert "Published revision 2: 2 added" in teacher.get("/author/sets/tiny").get_data(as_text=True)
    seen = learner.get("/sets/tiny").get_data(as_text=True)
    assert "What does an RNN carry from step to step?" in seen and "<math" in seen


def test_source_with_errors_is_not_published_and_its_errors_are_listed_with_lines(
    teacher: FlaskClient, people: Flask
) -> None:
    for action in ("review", "publish"):
        response = _save(teacher, BROKEN, action, slug="tiny")
        text = response.get_data(as_text=True)
        assert response.status_code == 422, action
        assert "cannot be published" in text
        assert f'data-line="{BROKEN_LINE}"' in text and "has no answer" in text
        assert "Oops: nothing here." in text  # the instructor's text comes back to fix
    learner = people.test_client()
    log_in(learner, "ada", PASSWORD)
    assert learner.get("/sets/tiny").status_code == 404
    assert _save(teacher, BROKEN, "draft", slug="tiny").status_code == 302  # a draft may have errors
    listed = teacher.get("/author").get_data(as_text=True)
    assert "Tiny set" in listed or "tiny" in listed
    assert 'class="error-count">1<' in listed


def test_the_publish_page_shows_a_typo_fix_as_one_changed_question_with_a_word_diff(
    teacher: FlaskClient,
) -> None:
    _published(teacher)
    fixed = TINY.replace("What does an RNN carry from step to step?", "What does an RNN carry between steps?")
    text = _save(teacher, fixed, "review", base=1, slug="tiny").get_data(as_text=True)
    assert re.search(r"<strong>0</strong> questions added", text)
    assert re.search(r"<strong>1</strong> changed", text)
    assert re.search(r"<strong>0</strong> retired", text)
    assert "<del>" in text and "<ins>" in text
    _published(teacher, fixed, base=1)
    assert "1 changed" in teacher.get("/author/sets/tiny").get_data(as_text=True)


def test_a_stale_save_is_refused_with_the_current_revision_and_a_diff(
    teacher: FlaskClient, people: Flask
) -> None:
    _published(teacher)
    other = people.test_client()
    log_in(other, "other", PASSWORD)
    theirs = TINY.replace("Its hidden state.", "Its hidden state vector.")
    assert _save(other, theirs, "publish", base=1, slug="tiny").status_code == 302
    mine = TINY.replace("Which cell has three gates?", "Which cell has three gates, forget among them?")
    response = _save(teacher, mine, "publish", base=1, slug="tiny")
    text = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Not saved" in text and "revision 2" in text
    assert "diff-added" in text and "diff-removed" in text
    assert "forget among them" in text  # the instructor's text is kept on the page
    current = teacher.get("/author/sets/tiny").get_data(as_text=True)
    assert "Its hidden state vector." in current and "forget among them" not in current
    assert _save(teacher, mine, "draft", base=2, slug="tiny").status_code == 302  # on top of theirs


def test_history_shows_every_revision_with_a_diff_and_restores_as_a_new_revision(
    teacher: FlaskClient,
) -> None:
    _published(teacher)
    _published(teacher, TINY.replace("Its hidden state.", "A vector."), base=1)
    text = teacher.get("/author/sets/tiny/history").get_data(as_text=True)
    assert "Revision 2 (current)" in text and "Revision 1" in text
    assert "A vector." in text and "diff-added" in text
    assert "Restore revision 1" in text and "Restore revision 2" not in text
    token = csrf_token(teacher, "/author/sets/tiny/history")
    restored = teacher.post("/author/sets/tiny/restore", data={"csrf_token": token, "revision": "1"})
    assert restored.status_code == 302
    text = teacher.get("/author/sets/tiny/history").get_data(as_text=True)
    assert "Revision 3 (current)" in text and "Restored revision 1 as revision 3" in text
    assert "Its hidden state." in teacher.get("/author/sets/tiny").get_data(as_text=True)


def test_the_list_shows_each_set_with_origin_revision_author_and_the_activity_log(
    people: Flask, teacher: FlaskClient, content_dir: Path
) -> None:
    (content_dir / "tiny.md").write_text(TINY, encoding="utf-8")
    with people.app_context():
        sync_content(content_dir, T0)
    text = teacher.get("/author").get_data(as_text=True)
    row = re.search(r"<tr>\s*<td><a href=\"/author/sets/tiny\">Tiny set</a>.*?</tr>", text, re.S)
    assert row, text
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)
    assert cells[1].strip() == "file" and cells[2].strip() == "1" and "files" in cells[3]
    _published(teacher, TINY.replace("Its hidden state.", "A vector."), base=1)
    text = teacher.get("/author").get_data(as_text=True)
    row = re.search(r"<tr>\s*<td><a href=\"/author/sets/tiny\">Tiny set</a>.*?</tr>", text, re.S)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)  # type: ignore[union-attr]
    assert cells[1].strip() == "web" and cells[2].strip() == "2" and "teach" in cells[3]
    assert "Activity" in text and "published" in text


def test_upload_several_files_and_a_zip_through_the_page_then_export_the_course(teacher: FlaskClient) -> None:
    second = TINY.replace('slug = "tiny"', 'slug = "second"').replace("Tiny set", "Second set")
    second = second.replace("ID: tiny-", "ID: second-")
    token = csrf_token(teacher, "/author")
    files = [(io.BytesIO(TINY.encode()), "tiny.md"), (io.BytesIO(BROKEN.encode()), "broken.md")]
    response = teacher.post("/author/upload", data={"csrf_token": token, "files": files})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 of 2 files saved" in text
    saved, refused = text.split("<strong>broken.md</strong>")
    assert "<strong>tiny.md</strong>" in saved and "saved as revision 1" in saved
    assert "not saved" in refused and f"Line {BROKEN_LINE}: review question has no answer" in refused
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("course/second.md", second)
    buffer.seek(0)
    response = teacher.post("/author/upload", data={"csrf_token": token, "files": [(buffer, "course.zip")]})
    assert "second" in response.get_data(as_text=True)
    listed = teacher.get("/author").get_data(as_text=True)
    assert "Second set" in listed and "Tiny set" in listed

    export = teacher.get("/author/export.zip")
    assert export.status_code == 200 and export.mimetype == "application/zip"
    assert "attachment" in export.headers["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(export.data)).namelist()
    assert any(n.endswith("tiny.md") for n in names) and any(n.endswith("second.md") for n in names)


def test_an_empty_upload_says_what_to_choose(teacher: FlaskClient) -> None:
    token = csrf_token(teacher, "/author")
    response = teacher.post("/author/upload", data={"csrf_token": token}, follow_redirects=True)
    assert "Choose one or more .md files" in response.get_data(as_text=True)


def test_the_preview_renders_math_code_and_options_as_learners_see_them(teacher: FlaskClient) -> None:
    token = csrf_token(teacher, "/author/new")
    source = TINY.replace("## Review", "```python\nprint('hi')\n```\n\n## Review")
    response = teacher.post("/author/preview", data={"source": source}, headers={"X-CSRFToken": token})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<math" in text and "highlight" in text
    assert 'class="options"' in text and "The LSTM" in text
    broken = teacher.post(
        "/author/preview", data={"source": "no front matter"}, headers={"X-CSRFToken": token}
    )
    assert "The checker says" in broken.get_data(as_text=True)


def test_an_unknown_set_is_404_and_unpublish_hides_a_set(teacher: FlaskClient, people: Flask) -> None:
    assert teacher.get("/author/sets/nope").status_code == 404
    assert teacher.get("/author/sets/nope/history").status_code == 404
    _published(teacher)
    learner = people.test_client()
    log_in(learner, "ada", PASSWORD)
    assert learner.get("/sets/tiny").status_code == 200
    token = csrf_token(teacher, "/author/sets/tiny")
    assert teacher.post("/author/sets/tiny/unpublish", data={"csrf_token": token}).status_code == 302
    assert learner.get("/sets/tiny").status_code == 404
    assert "Unpublished" in teacher.get("/author/sets/tiny").get_data(as_text=True)


def test_a_new_set_with_the_slug_of_an_existing_one_is_refused_not_overwritten(teacher: FlaskClient) -> None:
    _published(teacher)
    response = _save(teacher, TINY.replace("Its hidden state.", "Something else."), "publish")
    text = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "already exists" in text and "Nothing was overwritten" in text
    assert "Something else." not in teacher.get("/author/sets/tiny").get_data(as_text=True)


def test_only_instructors_see_the_author_link_and_the_edit_button(
    teacher: FlaskClient, people: Flask
) -> None:
    _published(teacher)
    assert 'href="/author"' in teacher.get("/").get_data(as_text=True)
    assert 'href="/author/sets/tiny"' in teacher.get("/sets/tiny").get_data(as_text=True)
    learner = people.test_client()
    log_in(learner, "ada", PASSWORD)
    assert 'href="/author' not in learner.get("/").get_data(as_text=True)
    assert 'href="/author' not in learner.get("/sets/tiny").get_data(as_text=True)


def test_the_list_says_when_a_file_moved_on_after_a_web_edit(
    people: Flask, teacher: FlaskClient, content_dir: Path
) -> None:
    file = content_dir / "tiny.md"
    file.write_text(TINY, encoding="utf-8")
    with people.app_context():
        sync_content(content_dir, T0)
    _published(teacher, TINY.replace("Its hidden state.", "A web edit."), base=1)
    assert "The file moved on" not in teacher.get("/author").get_data(as_text=True)
    file.write_text(TINY.replace("Its hidden state.", "A file edit."), encoding="utf-8")
    with people.app_context():
        sync_content(content_dir, datetime.now(UTC) + timedelta(minutes=1))  # after the web edit
    text = teacher.get("/author").get_data(as_text=True)
    assert "The file moved on" in text and 'href="/author/sets/tiny/history"' in text
    history = teacher.get("/author/sets/tiny/history").get_data(as_text=True)
    assert "A web edit." in history and "A file edit." in history  # both kept


def test_line_diffs_keep_three_unchanged_lines_around_each_change() -> None:
    old = "\n".join(f"line {i}" for i in range(1, 21))
    rows = line_diff(authoring.diff(old, old.replace("line 10", "line ten")))
    assert [r["kind"] for r in rows] == ["gap", *["same"] * 3, "removed", "added", *["same"] * 3, "gap"]
    assert (rows[4]["old"], rows[4]["new"], rows[5]["old"], rows[5]["new"]) == (10, None, None, 10)
    assert rows[5]["text"] == "line ten"
    assert word_diff([("equal", "a"), ("delete", "b"), ("insert", "c")]) == [
        ("same", "a"),
        ("removed", "b"),
        ("added", "c"),
    ]


TOO_BIG = re.compile(r"larger than 1 MB|over the limit of 1,048,576")  # the service's words, or the checker's


def test_a_source_over_1_mb_is_refused_with_a_message_and_the_text_kept(teacher: FlaskClient) -> None:
    huge = TINY.replace("The state is", "The state is " + "very " * 230_000)
    for action, slug in (("draft", "tiny"), ("review", ""), ("publish", "")):
        response = _save(teacher, huge, action, slug=slug)
        assert response.status_code in (400, 422), action
        assert TOO_BIG.search(response.get_data(as_text=True)), action
    token = csrf_token(teacher, "/author/new")
    preview = teacher.post("/author/preview", data={"source": huge}, headers={"X-CSRFToken": token})
    assert TOO_BIG.search(preview.get_data(as_text=True))
    assert teacher.get("/author/sets/tiny").status_code == 404  # nothing stored
