"""Class pages, the roster CSV and the classes API as a browser and a client see them."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Card, CardProgress, ContentSet, ReviewLog, User
from app.services import accounts, classes
from app.services import roster as roster_rows
from tests.web.helpers import csrf_token, log_in

PASSWORD = "correct horse battery"
NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def people(app: Flask) -> Flask:
    app.config["UNROLL_CLOCK"] = Clock()
    with app.app_context():
        for name in ("ada", "bob"):
            accounts.register(name, PASSWORD, NOW)
        for name in ("teach", "other"):
            accounts.register(name, PASSWORD, NOW, role="instructor")
    return app


def client_for(app: Flask, name: str | None) -> FlaskClient:
    client = app.test_client()
    if name:
        log_in(client, name, PASSWORD)
    return client


def post(client: FlaskClient, path: str, data: dict[str, str] | None = None, page: str = "/classes"):  # type: ignore[no-untyped-def]
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, page)})


def make_class(app: Flask, name: str = "RNN autumn", *learners: str) -> tuple[int, str]:
    with app.app_context():
        teach = accounts.find_user("teach")
        assert teach is not None
        classroom = classes.create_class(teach, name, NOW)
        for learner in learners:
            user = accounts.find_user(learner)
            assert user is not None
            classes.join(user, classroom.join_code, NOW)
        return classroom.id, classroom.join_code


def text(response) -> str:  # type: ignore[no-untyped-def]
    return str(response.get_data(as_text=True))


def test_an_instructor_creates_a_class_and_sees_its_link_and_code(people: Flask) -> None:
    teach = client_for(people, "teach")
    page = text(teach.get("/classes"))
    assert "Create class" in page and "Join a class with its code" in page
    created = post(teach, "/classes", {"name": "RNN autumn"})
    assert created.status_code == 302
    page = text(teach.get(created.headers["Location"]))
    assert "RNN autumn" in page and "No learners yet" in page
    link = re.search(r'value="(http://localhost/join/([A-Z0-9]{8}))"', page)
    assert link, page
    code = link.group(2)
    assert f"{code[:4]}-{code[4:]}" in page
    assert "RNN autumn" in text(teach.get("/classes"))
    empty = post(teach, "/classes", {"name": "  "})
    assert empty.status_code == 422 and 'id="class-name-error">A class needs a name' in text(empty)
    blank = post(teach, "/classes/join", {"join_code": " - "})  # each form's error stays with its field
    assert blank.status_code == 404 and 'id="join-code-error">No class has that join code' in text(blank)
    assert 'id="class-name-error"' not in text(blank)


def test_a_learner_cannot_create_a_class_but_joins_by_code(people: Flask) -> None:
    class_id, code = make_class(people)
    ada = client_for(people, "ada")
    page = text(ada.get("/classes"))
    assert "Create class" not in page and "You are in no class yet" in page
    assert post(ada, "/classes", {"name": "Mine"}).status_code == 403
    unknown = post(ada, "/classes/join", {"join_code": "ZZZZ-ZZZZ"})
    assert unknown.status_code == 404 and "No class has that join code" in text(unknown)
    joined = post(ada, "/classes/join", {"join_code": f"{code[:4].lower()}-{code[4:]}"})
    assert joined.headers["Location"].endswith(f"/classes/{class_id}")
    page = text(ada.get(f"/classes/{class_id}"))
    assert "RNN autumn" in page and "Taught by teach" in page and "Roster" not in page
    assert "RNN autumn" in text(ada.get("/classes"))


def test_a_logged_in_learner_confirms_before_joining_by_link(people: Flask) -> None:
    class_id, code = make_class(people)
    bob = client_for(people, "bob")
    page = text(bob.get(f"/join/{code}"))
    assert "Join “RNN autumn”" in page and "Join the class" in page
    with people.app_context():
        assert classes.learners(class_id) == []  # looking at the link joins nobody
    joined = post(bob, f"/join/{code}", page=f"/join/{code}")
    assert joined.headers["Location"].endswith(f"/classes/{class_id}")
    with people.app_context():
        assert [u.username for u in classes.learners(class_id)] == ["bob"]
    assert bob.get("/join/NOSUCH23").status_code == 404


def test_a_visitor_joins_by_link_as_a_guest_and_registering_keeps_the_place(people: Flask) -> None:
    class_id, code = make_class(people)
    visitor = client_for(people, None)
    page = text(visitor.get(f"/join/{code}"))
    assert "Join as a guest" in page and f"/login?next=/join/{code}" in page
    joined = post(visitor, f"/join/{code}", page=f"/join/{code}")
    assert joined.headers["Location"].endswith(f"/classes/{class_id}")
    page = text(visitor.get(f"/classes/{class_id}"))
    assert "You joined as a guest" in page and "Register to keep them" in page
    registered = visitor.post(
        f"/register?next=/classes/{class_id}",
        data={"username": "newbie", "password": PASSWORD, "confirm": PASSWORD,
              "csrf_token": csrf_token(visitor, "/register")},
    )  # fmt: skip
    assert registered.status_code == 302, text(registered)
    assert registered.headers["Location"].endswith(f"/classes/{class_id}")
    assert "You joined as a guest" not in text(visitor.get(f"/classes/{class_id}"))
    with people.app_context():
        assert [u.username for u in classes.learners(class_id)] == ["newbie"]


def test_a_visitor_is_sent_to_log_in_for_every_class_page(people: Flask) -> None:
    class_id, _ = make_class(people, "C", "ada")
    visitor = client_for(people, None)
    for path in ("/classes", f"/classes/{class_id}", f"/classes/{class_id}/roster.csv"):
        response = visitor.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def _reviews(app: Flask, username: str, count: int) -> None:
    """`count` passed reviews of review cards today for this learner."""
    with app.app_context():
        user = accounts.find_user(username)
        assert user is not None
        content = db.session.query(ContentSet).first()
        if content is None:
            content = ContentSet(slug="s", source_path="s.md", source_hash="x", title="S", dialect="native",
                                 created_at=NOW, updated_at=NOW)  # fmt: skip
            db.session.add(content)
            db.session.flush()
        for i in range(count):
            card = Card(set_id=content.id, key=f"{username}{i}", text_key=f"{username}{i}", position=i, type="open",
                        question="Q", answer="A", details={}, created_at=NOW, updated_at=NOW)  # fmt: skip
            db.session.add(card)
            db.session.flush()
            progress = CardProgress(
                user_id=user.id, card_id=card.id, set_id=content.id, phase="review", due=NOW
            )
            db.session.add(progress)
            db.session.flush()
            db.session.add(
                ReviewLog(
                    user_id=user.id,
                    card_id=card.id,
                    progress_id=progress.id,
                    rating=3,
                    reviewed_at=NOW - timedelta(hours=1),
                    phase_before="review",
                    phase_after="review",
                    state_before={},
                    state_after={},
                )
            )
        db.session.commit()


def _roster_names(page: str) -> list[str]:
    return re.findall(r'<th scope="row">([a-z]+)', page)


def test_the_roster_sorts_on_the_server_and_says_how(people: Flask) -> None:
    class_id, _ = make_class(people, "C", "ada", "bob")
    _reviews(people, "bob", 3)
    _reviews(people, "ada", 1)
    teach = client_for(people, "teach")
    page = text(teach.get(f"/classes/{class_id}"))
    assert _roster_names(page) == ["ada", "bob"]
    assert 'aria-sort="ascending"' in page and "sort=learner&amp;dir=desc" in page
    page = text(teach.get(f"/classes/{class_id}?sort=month&dir=desc"))
    assert _roster_names(page) == ["bob", "ada"]
    assert re.search(r'<th scope="col" aria-sort="descending" class="num">\s*<a[^>]*>Reviews, 30 days', page)
    assert "sort=month&amp;dir=asc" in page
    assert _roster_names(text(teach.get(f"/classes/{class_id}?sort=month"))) == ["ada", "bob"]
    assert _roster_names(text(teach.get(f"/classes/{class_id}?sort=nonsense&dir=up"))) == ["ada", "bob"]
    # figures shown: bob's 3 reviews today, 100% true retention, 3 due today, a 1-day streak
    row = page.split('<th scope="row">bob')[1].split("</tr>")[0]
    cells = re.findall(r'<td class="num">(.*?)</td>', row, re.S)
    assert [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells[:7]] == [
        "3", "3", "3", "100% of 3", "3", "1 day", "0 of 0",
    ]  # fmt: skip


def test_removing_a_learner_and_a_new_code(people: Flask) -> None:
    class_id, code = make_class(people, "C", "ada", "bob")
    teach = client_for(people, "teach")
    with people.app_context():
        ada_id = accounts.find_user("ada").id  # type: ignore[union-attr]
    page = f"/classes/{class_id}"
    removed = post(teach, f"/classes/{class_id}/learners/{ada_id}/remove", page=page)
    assert removed.status_code == 302
    shown = text(teach.get(page))
    assert "ada was removed from the class" in shown and _roster_names(shown) == ["bob"]
    assert post(teach, f"/classes/{class_id}/learners/{ada_id}/remove", page=page).status_code == 404
    ada = client_for(people, "ada")
    assert ada.get(page).status_code == 404
    assert post(teach, f"/classes/{class_id}/code", page=page).status_code == 302
    shown = text(teach.get(page))
    assert "the old ones no longer work" in shown and code not in shown
    assert post(ada, "/classes/join", {"join_code": code}).status_code == 404
    assert ada.get(f"/join/{code}").status_code == 404


def test_a_co_instructor_and_a_new_name(people: Flask) -> None:
    class_id, _ = make_class(people, "C", "ada")
    teach, other = client_for(people, "teach"), client_for(people, "other")
    page = f"/classes/{class_id}"
    assert other.get(page).status_code == 404
    refused = post(teach, f"/classes/{class_id}/instructors", {"username": "ada"}, page=page)
    assert "no instructor account called" in text(teach.get(refused.headers["Location"]))
    post(teach, f"/classes/{class_id}/instructors", {"username": "Other"}, page=page)
    assert "Instructors: other, teach." in text(other.get(page))
    post(other, f"/classes/{class_id}/rename", {"name": "Gated cells"}, page=page)
    shown = text(teach.get(page))
    assert "<h1>Gated cells</h1>" in shown
    with people.test_request_context():  # the other class features' pages, linked once they exist
        for endpoint in ("classes_assignments.index", "classes_assignments.gradebook"):
            assert f'href="{url_for(endpoint, class_id=class_id)}"' in shown


def test_a_learner_leaves_a_class(people: Flask) -> None:
    class_id, _ = make_class(people, "C", "ada")
    ada = client_for(people, "ada")
    left = post(ada, f"/classes/{class_id}/leave", page=f"/classes/{class_id}")
    assert left.headers["Location"].endswith("/classes")
    assert ada.get(f"/classes/{class_id}").status_code == 404
    assert post(ada, f"/classes/{class_id}/leave").status_code == 404


def test_the_roster_csv_has_the_api_fields_and_is_spreadsheet_safe(people: Flask) -> None:
    class_id, code = make_class(people, "C", "ada")
    _reviews(people, "ada", 2)
    with people.app_context():
        hostile = User(username="=HYPERLINK(1)", created_at=NOW)
        db.session.add(hostile)
        db.session.commit()
        classes.join(hostile, code, NOW)
    teach = client_for(people, "teach")
    response = teach.get(f"/classes/{class_id}/roster.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(text(response))))
    assert list(rows[0]) == list(roster_rows.RosterRow.COLUMNS)
    assert [r["username"] for r in rows] == ["'=HYPERLINK(1)", "ada"]
    ada = rows[1]
    assert (ada["reviews_7_days"], ada["true_retention"], ada["due_today"], ada["streak_days"]) == (
        "2",
        "1.0",
        "2",
        "1",
    )
    assert rows[0]["true_retention"] == "" and rows[0]["quiz_score"] == ""
    api = teach.get(f"/api/v1/classes/{class_id}").get_json()
    assert {k: str(v) for k, v in api["learners"][1].items() if v is not None} == {
        k: v for k, v in ada.items() if v != ""
    }


def bearer(client: FlaskClient, name: str) -> dict[str, str]:
    body = client.post("/api/v1/tokens", json={"username": name, "password": PASSWORD}).get_json()
    return {"Authorization": f"Bearer {body['token']}"}


def test_the_classes_api(people: Flask) -> None:
    client = people.test_client()
    teach, ada, other = bearer(client, "teach"), bearer(client, "ada"), bearer(client, "other")
    created = client.post("/api/v1/classes", json={"name": "API class"}, headers=teach)
    assert created.status_code == 201
    body = created.get_json()
    assert set(body) == {"id", "name", "join_code"} and body["name"] == "API class"
    assert client.post("/api/v1/classes", json={"name": "Mine"}, headers=ada).status_code == 403
    assert client.post("/api/v1/classes", json={"name": ""}, headers=teach).status_code == 422
    assert client.post("/api/v1/classes", json={}, headers=teach).status_code == 422

    joined = client.post("/api/v1/classes/join", json={"join_code": body["join_code"].lower()}, headers=ada)
    assert joined.status_code == 200 and joined.get_json() == {"id": body["id"], "name": "API class"}
    missing = client.post("/api/v1/classes/join", json={"join_code": "ZZZZZZZZ"}, headers=ada)
    assert missing.status_code == 404 and "join code" in missing.get_json()["message"]

    detail = client.get(f"/api/v1/classes/{body['id']}", headers=teach).get_json()
    assert detail["name"] == "API class" and detail["instructors"] == ["teach"]
    assert [(x["username"], x["guest"], x["reviews_30_days"]) for x in detail["learners"]] == [
        ("ada", False, 0)
    ]
    assert client.get("/api/v1/classes", headers=ada).get_json() == [
        {"id": body["id"], "name": "API class", "role": "learner"}
    ]
    assert client.get("/api/v1/classes", headers=teach).get_json()[0]["role"] == "instructor"

    rotated = client.post(f"/api/v1/classes/{body['id']}/join-code", headers=teach).get_json()
    assert rotated["join_code"] != body["join_code"]
    assert (
        client.post("/api/v1/classes/join", json={"join_code": body["join_code"]}, headers=other).status_code
        == 404
    )
    ada_id = detail["learners"][0]["id"]
    assert client.delete(f"/api/v1/classes/{body['id']}/learners/{ada_id}", headers=teach).status_code == 204
    assert client.get(f"/api/v1/classes/{body['id']}", headers=teach).get_json()["learners"] == []
    assert client.delete(f"/api/v1/classes/{body['id']}/learners/{ada_id}", headers=teach).status_code == 404


def test_the_openapi_document_lists_the_classes_api(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"post"} <= set(paths["/api/v1/classes"]) and "get" in paths["/api/v1/classes"]
    assert "post" in paths["/api/v1/classes/join"]
    assert "get" in paths["/api/v1/classes/{class_id}"]
    assert "403" in paths["/api/v1/classes"]["post"]["responses"]
    assert "404" in paths["/api/v1/classes/join"]["post"]["responses"]
    assert "post" in paths["/api/v1/classes/{class_id}/join-code"]
    assert "delete" in paths["/api/v1/classes/{class_id}/learners/{user_id}"]


def _instructor_endpoints(class_id: int, learner_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", f"/classes/{class_id}/roster.csv"),
        ("POST", f"/classes/{class_id}/code"),
        ("POST", f"/classes/{class_id}/rename"),
        ("POST", f"/classes/{class_id}/instructors"),
        ("POST", f"/classes/{class_id}/learners/{learner_id}/remove"),
        ("GET", f"/api/v1/classes/{class_id}"),
        ("POST", f"/api/v1/classes/{class_id}/join-code"),
        ("DELETE", f"/api/v1/classes/{class_id}/learners/{learner_id}"),
    ]


@pytest.mark.parametrize("who", ["other", "ada", "bob"])
def test_only_its_instructors_reach_a_class(people: Flask, who: str) -> None:
    """Another instructor, a learner of the class and a learner outside it all find no such class,
    on every instructor page and API call; the class is unchanged after."""
    class_id, code = make_class(people, "C", "ada")
    with people.app_context():
        ada_id = accounts.find_user("ada").id  # type: ignore[union-attr]
    browser = client_for(people, who)
    token = bearer(people.test_client(), who)
    form = {"csrf_token": csrf_token(browser, "/classes"), "name": "Taken", "username": who}
    for method, path in _instructor_endpoints(class_id, ada_id):
        if path.startswith("/api/"):
            response = browser.open(path, method=method, headers=token, json={})
        else:
            response = browser.open(path, method=method, data=form)
        assert response.status_code == 404, (method, path)
    if who != "ada":
        assert browser.get(f"/classes/{class_id}").status_code == 404
    with people.app_context():
        assert [u.username for u in classes.learners(class_id)] == ["ada"]
        classroom = classes.instructor_class(accounts.find_user("teach"), class_id)  # type: ignore[arg-type]
        assert (classroom.name, classroom.join_code) == ("C", code)


def test_a_visitor_gets_401_from_the_api_and_the_login_page_from_forms(people: Flask) -> None:
    class_id, code = make_class(people, "C", "ada")
    visitor = client_for(people, None)
    for method, path in [("GET", "/api/v1/classes"), ("POST", "/api/v1/classes"), ("POST", "/api/v1/classes/join"),
                         *[(m, p) for m, p in _instructor_endpoints(class_id, 1) if p.startswith("/api/")]]:  # fmt: skip
        assert visitor.open(path, method=method, json={"name": "x", "join_code": code}).status_code == 401, (
            path
        )
    token = csrf_token(visitor, "/login")
    for method, path in [("POST", "/classes"), ("POST", "/classes/join"),
                         *[(m, p) for m, p in _instructor_endpoints(class_id, 1) if not p.startswith("/api/")]]:  # fmt: skip
        response = visitor.open(
            path, method=method, data={"csrf_token": token, "join_code": code, "name": "x"}
        )
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    with people.app_context():
        assert [u.username for u in classes.learners(class_id)] == ["ada"]


def test_forms_need_the_csrf_token(people: Flask) -> None:
    class_id, code = make_class(people, "C")
    ada = client_for(people, "ada")
    assert ada.post(f"/join/{code}").status_code == 400
    assert ada.post("/classes/join", data={"join_code": code}).status_code == 400
    with people.app_context():
        assert classes.learners(class_id) == []


@pytest.mark.parametrize("code", ["A" * 5000, "ÉÉÉÉ-ÉÉÉÉ", "%27%20OR%201%3D1", "---"])
def test_odd_codes_find_no_class(people: Flask, code: str) -> None:
    make_class(people, "C")
    ada = client_for(people, "ada")
    assert ada.get(f"/join/{code}").status_code == 404
    assert post(ada, "/classes/join", {"join_code": code}).status_code == 404
    token = bearer(people.test_client(), "ada")
    assert ada.post("/api/v1/classes/join", json={"join_code": code}, headers=token).status_code in {404, 422}
