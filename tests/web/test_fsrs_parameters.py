"""The FSRS parameters API and the /settings section, as clients and browsers use them."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import User
from app.services import classes
from app.srs.optimize import DEFAULT_PARAMETERS
from tests.integration.fsrs_data import load_log, write_deck
from tests.srs_synthetic import START, synthetic_log
from tests.web.helpers import csrf_token, log_in

AFTER = START + timedelta(days=151)
LOG = synthetic_log(cards=120, days=150, seed=5)


@pytest.fixture
def tokens(app: Flask, client: FlaskClient, content_dir: Path) -> dict[str, dict[str, str]]:
    with app.app_context():
        write_deck(content_dir, 120)
    app.config["UNROLL_CLOCK"] = lambda: AFTER
    headers = {}
    for name in ("ada", "bob"):
        client.post("/api/v1/users", json={"username": name, "password": "correct horse"})
        token = client.post("/api/v1/tokens", json={"username": name, "password": "correct horse"}).get_json()
        headers[name] = {"Authorization": f"Bearer {token['token']}"}
    return headers


def _user(name: str) -> User:
    return db.session.query(User).filter_by(username=name).one()


def test_get_optimize_and_put_parameters(app: Flask, client: FlaskClient, tokens: dict) -> None:
    ada, bob = tokens["ada"], tokens["bob"]
    got = client.get("/api/v1/study/parameters", headers=ada).get_json()
    assert got["params"] == pytest.approx(list(DEFAULT_PARAMETERS)) and got["source"] == "default"
    assert set(got) == {"params", "source", "optimized_at", "review_count", "log_loss", "rmse_bins"}
    nothing = client.post("/api/v1/study/parameters/optimize", headers=ada, json={}).get_json()
    assert nothing["kept"] is True and "No reviews" in nothing["reason"]
    with app.app_context():
        load_log(_user("ada"), LOG)
    fitted = client.post("/api/v1/study/parameters/optimize", headers=ada, json={}).get_json()
    assert fitted["kept"] is False and fitted["source"] == "own" and fitted["review_count"] == len(LOG)
    assert fitted["log_loss"] is not None and fitted["optimized_at"].startswith("2026-06")
    mine = [*DEFAULT_PARAMETERS[:2], 7.5, *DEFAULT_PARAMETERS[3:]]
    put = client.put("/api/v1/study/parameters", headers=ada, json={"params": mine})
    assert (
        put.status_code == 200 and put.get_json()["params"][2] == 7.5 and put.get_json()["source"] == "manual"
    )
    # bob's parameters are his own business
    assert client.get("/api/v1/study/parameters", headers=bob).get_json()["source"] == "default"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (list(DEFAULT_PARAMETERS[:20]), "21"),
        ([*DEFAULT_PARAMETERS[:20], 0.9], "outside"),
        ([*DEFAULT_PARAMETERS[:20], "x"], "Not a valid number"),
        ("0.2, 1.2", "Not a valid list"),
        ([*DEFAULT_PARAMETERS[:20], "0.15"], "Not a valid number"),  # a number, not a string
    ],
)
def test_put_refuses_what_fsrs_cannot_use(
    client: FlaskClient, tokens: dict, params: object, message: str
) -> None:
    response = client.put("/api/v1/study/parameters", headers=tokens["ada"], json={"params": params})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert client.get("/api/v1/study/parameters", headers=tokens["ada"]).get_json()["source"] == "default"


def test_reschedule_must_be_true_or_false(client: FlaskClient, tokens: dict) -> None:
    body = {"params": list(DEFAULT_PARAMETERS), "reschedule": 1}
    assert client.put("/api/v1/study/parameters", headers=tokens["ada"], json=body).status_code == 422
    assert (
        client.post(
            "/api/v1/study/parameters/optimize", headers=tokens["ada"], json={"reschedule": 0}
        ).status_code
        == 422
    )


def test_parameters_need_a_login(client: FlaskClient, tokens: dict) -> None:
    assert client.get("/api/v1/study/parameters").status_code == 401
    assert client.post("/api/v1/study/parameters/optimize", json={}).status_code == 401
    assert (
        client.put("/api/v1/study/parameters", json={"params": list(DEFAULT_PARAMETERS)}).status_code == 401
    )


def test_settings_section_optimize_evaluate_edit_reset(app: Flask, client: FlaskClient, tokens: dict) -> None:
    log_in(client, "ada", "correct horse")
    page = client.get("/settings").get_data(as_text=True)
    assert "FSRS parameters" in page and "Too few to optimize yet" in page and 'name="w20"' in page
    with app.app_context():
        load_log(_user("ada"), LOG)
    token = csrf_token(client, "/settings")
    assert client.post("/settings/fsrs/optimize", data={}).status_code == 400  # no CSRF token
    done = client.post("/settings/fsrs/optimize", data={"csrf_token": token}, follow_redirects=True)
    assert "predict your reviews better" in done.get_data(as_text=True)
    assert "fitted to your own reviews" in done.get_data(as_text=True)
    evaluated = client.post("/settings/fsrs/evaluate", data={"csrf_token": token}).get_data(as_text=True)
    assert 'id="fsrs-evaluation"' in evaluated and "Default" in evaluated
    typed = {f"w{i}": str(w) for i, w in enumerate(DEFAULT_PARAMETERS)} | {"w5": "abc", "w6": "2.5"}
    refused = client.post("/settings/fsrs/parameters", data=typed | {"csrf_token": token})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "w5 must be a number" in body
    assert 'value="abc"' in body and 'value="2.5"' in body  # nothing typed is lost
    assert body.count('aria-invalid="true"') == 1 and re.search(r'id="w5"[^>]*aria-invalid="true"', body)
    out_of_bounds = client.post("/settings/fsrs/parameters", data=typed | {"w5": "9", "csrf_token": token})
    body = out_of_bounds.get_data(as_text=True)
    assert out_of_bounds.status_code == 422 and "w5 = 9.0 is outside [0.001, 4.0]" in body
    assert body.count('aria-invalid="true"') == 1 and re.search(r'id="w5"[^>]*aria-invalid="true"', body)
    saved = client.post(
        "/settings/fsrs/parameters", data=typed | {"w5": "0.5", "csrf_token": token}, follow_redirects=True
    )
    assert "Parameters saved" in saved.get_data(as_text=True) and "parameters you entered" in saved.get_data(
        as_text=True
    )
    reset = client.post("/settings/fsrs/reset", data={"csrf_token": token}, follow_redirects=True)
    assert "FSRS&#39;s default parameters" in reset.get_data(
        as_text=True
    ) or "FSRS's default parameters" in reset.get_data(as_text=True)


def test_auto_optimize_runs_on_the_settings_page_when_due(
    app: Flask, client: FlaskClient, tokens: dict
) -> None:
    log_in(client, "ada", "correct horse")
    with app.app_context():
        load_log(_user("ada"), LOG)
    token = csrf_token(client, "/settings")
    client.post("/settings/fsrs/auto", data={"auto_optimize": "on", "csrf_token": token})
    app.config["UNROLL_CLOCK"] = lambda: AFTER + timedelta(days=2)
    page = client.get("/settings").get_data(as_text=True)
    assert "Last optimized 2026-06-07" in page and "fitted to your own reviews" in page
    assert 'id="fsrs-auto" checked' in page


def test_only_a_class_instructor_fits_its_pooled_parameters(
    app: Flask, client: FlaskClient, tokens: dict
) -> None:
    with app.app_context():
        ada = _user("ada")
        ada.role = "instructor"
        db.session.commit()
        room = classes.create_class(ada, "RNNs", AFTER)
        room_id = room.id
    log_in(client, "bob", "correct horse")
    token = csrf_token(client, "/settings")
    assert (
        client.post(f"/settings/fsrs/classes/{room_id}/optimize", data={"csrf_token": token}).status_code
        == 404
    )
    client.post("/logout", data={"csrf_token": token})
    log_in(client, "ada", "correct horse")
    page = client.get("/settings").get_data(as_text=True)
    assert "Pooled parameters of your classes" in page and "RNNs" in page
    token = csrf_token(client, "/settings")
    done = client.post(
        f"/settings/fsrs/classes/{room_id}/optimize", data={"csrf_token": token}, follow_redirects=True
    )
    assert done.status_code == 200 and "No reviews to learn from yet" in done.get_data(as_text=True)


def test_the_class_fit_over_the_api_is_for_its_instructor_only(
    app: Flask, client: FlaskClient, tokens: dict
) -> None:
    with app.app_context():
        ada = _user("ada")
        ada.role = "instructor"
        db.session.commit()
        room = classes.create_class(ada, "RNNs", AFTER)
        room_id = room.id
        classes.join(_user("bob"), room.join_code, AFTER)
        load_log(_user("bob"), LOG)
    path = f"/api/v1/classes/{room_id}/parameters/optimize"
    assert client.post(path, headers=tokens["bob"]).status_code == 404  # a learner of the class
    assert client.post("/api/v1/classes/999/parameters/optimize", headers=tokens["ada"]).status_code == 404
    fitted = client.post(path, headers=tokens["ada"]).get_json()
    assert fitted["kept"] is False and len(fitted["params"]) == 21 and fitted["review_count"] > 0
    pooled = client.get("/api/v1/study/parameters", headers=tokens["bob"]).get_json()
    assert pooled["source"] == "class" and pooled["params"] == pytest.approx(fitted["params"])
