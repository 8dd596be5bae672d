"""The item analysis page, CSV and API as an instructor, another instructor, a learner and a
visitor meet them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Assignment
from app.services import accounts, classes
from app.services.content_sync import sync_content
from tests.integration.test_item_analysis import SET, T0, setup_class, take
from tests.web.helpers import log_in

PASSWORD = "correct horse"
HOSTILE = SET.replace("A plain RNN has gates.", "=HYPERLINK(1) says a plain RNN has gates.")


@pytest.fixture
def taught(app: Flask, content_dir: Path) -> dict[str, int]:
    """A class of five learners who each took one quiz at the set, an assignment, and another
    instructor with a class of their own."""
    (content_dir / "gates.md").write_text(HOSTILE, encoding="utf-8")
    with app.app_context():
        sync_content(content_dir, T0)
        _, class_id, learners = setup_class()
        plan = [
            ("right", "right"),
            ("right", "right"),
            ("right", "wrong"),
            ("right", None),
            ("tanh", "wrong"),
        ]
        for learner, (act, gru) in zip(learners, plan, strict=True):
            take(learner, {"gate-act": act, "gru-forget": gru})
        other = accounts.register("other", PASSWORD, T0, role="instructor")
        other_class = classes.create_class(other, "Elsewhere", T0)
        mine = Assignment(
            class_id=class_id, title="Week 1", sets=["gates"], count=5, time_limit_s=300, created_at=T0
        )
        theirs = Assignment(
            class_id=other_class.id, title="Theirs", sets=["gates"], count=5, time_limit_s=300, created_at=T0
        )
        db.session.add_all([mine, theirs])
        db.session.commit()
        return {"class": class_id, "assignment": mine.id, "theirs": theirs.id}


def test_instructor_reads_the_table_chart_and_flags(client: FlaskClient, taught: dict[str, int]) -> None:
    log_in(client, "teach", PASSWORD)
    chooser = client.get(f"/classes/{taught['class']}/items").get_data(as_text=True)
    assert "Gates" in chooser and "Week 1" in chooser and "Theirs" not in chooser
    page = client.get(f"/classes/{taught['class']}/items?set=gates")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Item analysis: Gates" in text and "5 submitted attempts counted" in text
    assert "Which activation produces gate values?" in text
    assert ">80%<" in text  # facility of the choice question, 4 of 5
    assert "<svg" in text and 'role="img"' in text and "Facility against discrimination" in text
    assert "Nobody of 5 chose the wrong option “relu”" in text
    assert "tanh" in text and "1 of 5" in text  # option frequencies
    assert "=HYPERLINK(1) says a plain RNN has gates." in text  # shown as text, not run anywhere


def test_csv_has_a_row_per_question_and_no_formulas(client: FlaskClient, taught: dict[str, int]) -> None:
    log_in(client, "teach", PASSWORD)
    reply = client.get(f"/classes/{taught['class']}/items.csv?set=gates")
    assert reply.status_code == 200 and reply.mimetype == "text/csv"
    assert "attachment" in reply.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(reply.get_data(as_text=True))))
    assert len(rows) == 5
    act = next(r for r in rows if r["card"] == "gate-act")
    assert act["facility"] == "0.8000" and act["responses"] == "5" and "relu" in act["flags"]
    hostile = next(r for r in rows if r["card"] == "rnn-gates")
    assert hostile["question"].startswith("'=HYPERLINK")


def test_api_gives_fractions_and_nulls(client: FlaskClient, taught: dict[str, int]) -> None:
    log_in(client, "teach", PASSWORD)
    reply = client.get(f"/api/v1/classes/{taught['class']}/items?set=gates")
    assert reply.status_code == 200
    body = reply.get_json()
    assert body["attempts"] == 5 and body["which_attempts"] == "highest"
    assert "internal_consistency" in body and "error_ratio" in body and "standard_error" in body
    act = next(i for i in body["items"] if i["card"] == "gate-act")
    assert act["facility"] == pytest.approx(0.8) and act["responses"] == 5
    assert {o["text"]: o["chosen"] for o in act["options"]} == {"sigmoid": 4, "tanh": 1, "relu": 0}
    assert any(f["code"] == "unused-distractor" for f in act["flags"])
    assert act["first_again_rate"] == pytest.approx(0.2)
    unanswered = next(i for i in body["items"] if i["card"] == "lstm-out")
    assert unanswered["facility"] == 0.0 and unanswered["discrimination"] is None
    assignment = client.get(f"/api/v1/classes/{taught['class']}/items?assignment={taught['assignment']}")
    assert assignment.status_code == 200 and assignment.get_json()["attempts"] == 0
    assert assignment.get_json()["internal_consistency"] is None


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("", 400),
        ("?set=gates&assignment=1", 400),
        ("?assignment=x", 400),
        ("?set=nope", 404),
        ("?attempts=best&set=gates", 422),
    ],
)
def test_api_refuses_a_missing_or_unknown_scope(
    client: FlaskClient, taught: dict[str, int], query: str, status: int
) -> None:
    log_in(client, "teach", PASSWORD)
    reply = client.get(f"/api/v1/classes/{taught['class']}/items{query}")
    assert reply.status_code == status and reply.get_json()["message"]


def test_page_refuses_bad_scopes_with_a_message(client: FlaskClient, taught: dict[str, int]) -> None:
    log_in(client, "teach", PASSWORD)
    base = f"/classes/{taught['class']}/items"
    assert client.get(f"{base}?set=gates&assignment=1").status_code == 400
    assert client.get(f"{base}?set=nope").status_code == 404
    theirs = client.get(f"{base}?assignment={taught['theirs']}")
    assert theirs.status_code == 404 and "no such assignment" in theirs.get_data(as_text=True)


@pytest.mark.parametrize("who", ["other", "learner1"])
def test_another_instructor_and_a_learner_find_no_such_class(
    client: FlaskClient, taught: dict[str, int], who: str
) -> None:
    log_in(client, who, PASSWORD)
    for path in ("/items", "/items?set=gates", "/items.csv?set=gates"):
        assert client.get(f"/classes/{taught['class']}{path}").status_code == 404
    assert client.get(f"/api/v1/classes/{taught['class']}/items?set=gates").status_code == 404


def test_visitors_log_in_first_and_the_api_wants_a_token(client: FlaskClient, taught: dict[str, int]) -> None:
    page = client.get(f"/classes/{taught['class']}/items?set=gates")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert client.get(f"/api/v1/classes/{taught['class']}/items?set=gates").status_code == 401
    token = client.post("/api/v1/tokens", json={"username": "teach", "password": PASSWORD}).get_json()[
        "token"
    ]
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/classes/{taught['class']}/items?set=gates", headers=bearer).status_code == 200


def test_openapi_documents_the_endpoint(client: FlaskClient, taught: dict[str, int]) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/classes/{class_id}/items"]["get"]
    assert {"200", "400", "404"} <= set(operation["responses"])
    assert "internal_consistency" in spec["components"]["schemas"]["ItemReport"]["properties"]
