"""Issue 12 on /author: an uploaded question bank opens in the editor with its report, and nothing is
stored until the instructor saves; GIFT and Moodle XML downloads are for instructors only."""

from __future__ import annotations

import html
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.services import accounts, authoring
from tests.web.helpers import csrf_token, log_in

PASSWORD = "correct horse"
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
BANKS = Path(__file__).parent.parent / "fixtures" / "banks" / "pages"
SMALL = """+++
title = "Small set"
slug = "small"
dialect = "native"
+++

## Review

1. What does an RNN carry from step to step?

   Answer: Its hidden state.
   ID: small-carry
"""


@pytest.fixture
def people(app: Flask) -> Flask:
    with app.app_context():
        accounts.register("ada", PASSWORD, T0)
        accounts.register("teach", PASSWORD, T0, role="instructor")
    return app


@pytest.fixture
def teacher(people: Flask) -> FlaskClient:
    client = people.test_client()
    log_in(client, "teach", PASSWORD)
    return client


def _upload(client: FlaskClient, name: str, answers: str | None = None) -> str:
    token = csrf_token(client, "/author")
    data: dict[str, object] = {
        "csrf_token": token,
        "files": [(io.BytesIO((BANKS / name).read_bytes()), name)],
    }
    if answers:
        data["answers"] = (io.BytesIO((BANKS / answers).read_bytes()), answers)
    response = client.post("/author/upload", data=data)
    assert response.status_code == 200, response.get_data(as_text=True)
    return html.unescape(response.get_data(as_text=True))


def _stored(app: Flask) -> list[str]:
    with app.app_context():
        return [s.slug for s in authoring.list_sets()]


def test_an_uploaded_page_export_opens_in_the_editor_with_its_report_and_nothing_is_stored(
    teacher: FlaskClient, people: Flask
) -> None:
    page = _upload(teacher, "gated_cells_page.txt")

    assert "Import report for gated_cells_page.txt" in page
    assert "kept" in page and "changed" in page and "dropped" in page
    assert "preview prompt: “User ask: list three questions a beginner could ask about gated cells”" in page
    assert (
        'title = "Gated recurrent cells"' in page and "What does the forget gate of an LSTM control?" in page
    )
    assert "No errors" in page  # the converted set passes the checker
    assert "Nothing is stored yet" in page
    assert _stored(people) == []
    assert "Gated recurrent cells" not in teacher.get("/author").get_data(as_text=True)


def test_saving_the_converted_set_stores_it(teacher: FlaskClient, people: Flask) -> None:
    page = _upload(teacher, "gated_cells_page.txt")
    source = page.split('name="source"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    token = csrf_token(teacher, "/author")

    saved = teacher.post("/author/save", data={"csrf_token": token, "source": source, "action": "draft"})

    assert saved.status_code == 302
    assert _stored(people) == ["gated-recurrent-cells"]


def test_a_question_list_with_its_answer_list_pairs_answers_and_reports_the_rest(
    teacher: FlaskClient,
) -> None:
    page = _upload(teacher, "sequence_questions.txt", answers="sequence_answers.txt")

    assert "Dependencies longer than the truncation window get no gradient." in page
    assert "question 4 has no answer: it became a preview question" in page
    assert "answer list line 7: answer 7 has no question 7" in page


def test_an_unreadable_bank_is_refused_with_the_reason_and_nothing_is_stored(
    teacher: FlaskClient, people: Flask
) -> None:
    token = csrf_token(teacher, "/author")
    data = {"csrf_token": token, "files": [(io.BytesIO(b"only words, no sections"), "notes.txt")]}
    response = teacher.post("/author/upload", data=data, follow_redirects=True)

    assert "notes.txt could not be converted" in html.unescape(response.get_data(as_text=True))
    assert _stored(people) == []


def test_a_bank_must_be_uploaded_on_its_own(teacher: FlaskClient, people: Flask) -> None:
    token = csrf_token(teacher, "/author")
    files = [
        (io.BytesIO(SMALL.encode()), "small.md"),
        (io.BytesIO((BANKS / "gated_cells_page.txt").read_bytes()), "p.txt"),
    ]
    response = teacher.post(
        "/author/upload", data={"csrf_token": token, "files": files}, follow_redirects=True
    )

    assert "Upload a question bank on its own" in html.unescape(response.get_data(as_text=True))
    assert _stored(people) == []


def _publish_small(client: FlaskClient) -> None:
    token = csrf_token(client, "/author")
    data = {"csrf_token": token, "source": SMALL, "action": "publish", "slug": "small"}
    assert client.post("/author/save", data=data).status_code == 302


@pytest.mark.parametrize(
    ("format", "extension"),
    [("gift", "gift"), ("moodle-xml", "xml")],
)
def test_instructors_download_a_set_for_their_lms(teacher: FlaskClient, format: str, extension: str) -> None:
    _publish_small(teacher)
    assert f"/author/sets/small/export/{format}" in teacher.get("/author").get_data(as_text=True)
    assert f"/author/sets/small/export/{format}" in teacher.get("/author/sets/small").get_data(as_text=True)
    assert f"/author/sets/small/export/{format}" in teacher.get("/sets/small").get_data(as_text=True)

    token = csrf_token(teacher, "/author/sets/small")
    draft = SMALL.replace("What does an RNN carry from step to step?", "A draft learners never see?")
    assert draft != SMALL
    saved = {"csrf_token": token, "source": draft, "action": "draft", "slug": "small", "base_revision": "1"}
    assert teacher.post("/author/save", data=saved).status_code == 302

    response = teacher.get(f"/author/sets/small/export/{format}")

    assert response.status_code == 200
    assert f'filename="small.{extension}"' in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert "What does an RNN carry from step to step?" in text  # the set as learners see it
    assert "A draft learners never see?" not in text


def test_learners_get_403_for_downloads_and_uploads(teacher: FlaskClient, people: Flask) -> None:
    _publish_small(teacher)
    learner = people.test_client()
    log_in(learner, "ada", PASSWORD)

    for format in ("gift", "moodle-xml"):
        assert learner.get(f"/author/sets/small/export/{format}").status_code == 403
    assert "/export/gift" not in learner.get("/sets/small").get_data(as_text=True)
    token = csrf_token(learner, "/")
    data = {
        "csrf_token": token,
        "files": [(io.BytesIO((BANKS / "gated_cells_page.txt").read_bytes()), "p.txt")],
    }
    assert learner.post("/author/upload", data=data).status_code == 403
    assert _stored(people) == ["small"]


def test_an_unknown_export_format_is_not_found(teacher: FlaskClient) -> None:
    _publish_small(teacher)
    assert teacher.get("/author/sets/small/export/docx").status_code == 404
