"""The RNN demo's API contract and every way a request can be wrong, and the page's query parameters."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import TrainingJob
from app.rnn import tokenize
from tests.web.helpers import csrf_token

PROJECT_CONTENT = Path(__file__).resolve().parents[2] / "content"

LONG = (
    "the network reads the sentence one word at a time and keeps a hidden state that carries "
    "what it has read so far from one step to the next step"
)


@pytest.fixture
def headers(client: FlaskClient) -> dict[str, str]:
    """The CSRF header a page script sends (a guest needs no login for the demo)."""
    return {"X-CSRFToken": csrf_token(client, "/demo")}


def post(client: FlaskClient, headers: dict[str, str], path: str, body: Any) -> tuple[int, Any]:
    response = client.post(f"/api/v1/rnn/{path}", json=body, headers=headers)
    return response.status_code, response.get_json()


# The contract -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["vanilla", "gru"])
def test_predict_returns_sorted_top_words_and_one_hidden_vector_per_token(
    client: FlaskClient, headers: dict[str, str], cell: str
) -> None:
    status, body = post(
        client, headers, "predict", {"text": "The hidden state zzqx of the", "cell": cell, "k": 7}
    )
    assert status == 200, body
    assert body["tokens"] == ["the", "hidden", "state", "zzqx", "of", "the"]
    assert body["unknown"] == ["zzqx"]
    probs = [entry["p"] for entry in body["top"]]
    assert len(probs) == 7 and probs == sorted(probs, reverse=True)
    assert all(p > 0 for p in probs) and sum(probs) <= 1 + 1e-6
    assert "<unk>" not in [entry["word"] for entry in body["top"]]
    assert len(body["hidden"]) == len(body["tokens"])
    assert len({len(h) for h in body["hidden"]}) == 1
    assert all(-1 <= v <= 1 for h in body["hidden"] for v in h)


def test_predict_defaults_and_temperature(client: FlaskClient, headers: dict[str, str]) -> None:
    _, default = post(client, headers, "predict", {"text": "the cat sat on the"})
    assert len(default["top"]) == 5
    _, sharp = post(client, headers, "predict", {"text": "the cat sat on the", "temperature": 0.5})
    _, flat = post(client, headers, "predict", {"text": "the cat sat on the", "temperature": 5})
    assert sharp["top"][0]["word"] == default["top"][0]["word"] == flat["top"][0]["word"]
    assert sharp["top"][0]["p"] > default["top"][0]["p"] > flat["top"][0]["p"]


def test_generate_greedy_is_repeatable_and_sampling_follows_the_seed(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    body = {"text": "the hidden state", "n": 8, "greedy": True}
    first, second = post(client, headers, "generate", body), post(client, headers, "generate", body)
    assert first[0] == 200 and first == second and len(first[1]["words"]) == 8
    sampled = {"text": "the hidden state", "n": 8, "temperature": 1.5, "seed": 7, "cell": "gru"}
    assert post(client, headers, "generate", sampled) == post(client, headers, "generate", sampled)


@pytest.mark.parametrize("cell", ["vanilla", "gru"])
def test_steps_give_each_token_and_the_units_equation(
    client: FlaskClient, headers: dict[str, str], cell: str
) -> None:
    status, body = post(client, headers, "steps", {"text": "the cat sat", "cell": cell, "unit": 5})
    assert status == 200, body
    assert body["unit"] == 5 and "h_{t-1}" in body["equation"]
    assert [s["token"] for s in body["steps"]] == ["the", "cat", "sat"]
    for before, step in zip([None, *body["steps"]], body["steps"], strict=False):
        terms = step["terms"]
        assert math.isclose(terms["input"] + terms["recurrent"] + terms["bias"], terms["total"], abs_tol=1e-5)
        assert math.isclose(math.tanh(terms["total"]), terms["value"], abs_tol=1e-5)
        assert step["h_prev"] == (before["h"] if before else [0.0] * len(step["h"]))
        if cell == "vanilla":
            assert step["gates"] == {} and math.isclose(step["h"][5], terms["value"], abs_tol=1e-5)
        else:
            z = step["gates"]["z"]["value"]
            mixed = (1 - z) * terms["value"] + z * step["h_prev"][5]
            assert set(step["gates"]) == {"r", "z"} and math.isclose(step["h"][5], mixed, abs_tol=1e-5)


def test_gradient_norms_one_per_time_step_vanish_and_explode(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    norms = {}
    for scale in (0.5, 1.0, 3.0):
        status, body = post(client, headers, "gradients", {"text": LONG, "scale": scale, "cell": "vanilla"})
        assert status == 200, body
        norms[scale] = body["norms"]
    assert len(norms[1.0]) == len(tokenize(LONG)) - 1  # every step before the last word, first word first
    assert norms[0.5][0] / norms[0.5][-1] < 1e-3  # vanishing: orders of magnitude smaller at the first word
    assert norms[3.0][0] / norms[3.0][-1] > 1e3  # exploding
    status, body = post(client, headers, "gradients", {"text": LONG, "cell": "gru"})
    assert status == 200 and len(body["norms"]) == len(norms[1.0])


def test_lstm_gates_are_one_row_per_token_and_sigmoid_gates_lie_in_0_1(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    status, body = post(client, headers, "gates", {"text": LONG, "cell": "lstm"})
    assert status == 200, body
    assert body["tokens"] == tokenize(LONG)
    assert set(body["gates"]) == {"input", "forget", "output", "cell"}
    for name, rows in body["gates"].items():
        assert len(rows) == len(body["tokens"]) and {len(r) for r in rows} == {96}
        if name != "cell":
            assert all(0 <= v <= 1 for row in rows for v in row)
    assert any(abs(v) > 1 for row in body["gates"]["cell"] for v in row)  # c_t is not squashed


def test_gru_gates_are_update_and_reset(client: FlaskClient, headers: dict[str, str]) -> None:
    status, body = post(client, headers, "gates", {"text": "the cat sat", "cell": "gru"})
    assert status == 200 and set(body["gates"]) == {"update", "reset"}
    assert all(0 <= v <= 1 for rows in body["gates"].values() for row in rows for v in row)


@pytest.mark.parametrize("cell", ["vanilla", "gru", "lstm"])
def test_connectivity_gives_one_norm_per_word_up_to_the_position(
    client: FlaskClient, headers: dict[str, str], cell: str
) -> None:
    status, body = post(client, headers, "connectivity", {"text": LONG, "position": 12, "cell": cell})
    assert status == 200, body
    assert body["tokens"] == tokenize(LONG) and len(body["norms"]) == 13
    assert all(n >= 0 for n in body["norms"]) and body["norms"][-1] > 0


def test_the_vanilla_rnn_forgets_the_start_where_the_gru_still_hears_it(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    def ratio(cell: str) -> float:
        norms = post(client, headers, "connectivity", {"text": LONG, "position": 20, "cell": cell})[1][
            "norms"
        ]
        return norms[0] / norms[-1]

    assert ratio("gru") > 5 * ratio("vanilla")


def test_models_lists_the_three_shipped_cells_with_their_perplexities(client: FlaskClient) -> None:
    models = client.get("/api/v1/rnn/models").get_json()
    assert [m["cell"] for m in models] == ["vanilla", "gru", "lstm"]
    assert all(m["perplexities"]["held_out"] < m["perplexities"]["unigram"] for m in models)
    assert models[2]["name"] == "LSTM" and "c_t = f_t * c_{t-1}" in models[2]["equation"]
    assert all(m["vocab_size"] > 100 and m["hidden"] > 0 for m in models)


def test_the_openapi_document_describes_the_demo_and_its_400s(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("predict", "generate", "steps", "gradients", "gates", "connectivity", "jobs"):
        operation = paths[f"/api/v1/rnn/{path}"]["post"]
        assert "400" in operation["responses"] and "422" not in operation["responses"]
    assert "get" in paths["/api/v1/rnn/jobs/{job_id}"]


# Every kind of wrong request is a 400 with a message -------------------------------------------------------

BAD = [
    ("predict", {"text": ""}, "text"),
    ("predict", {"text": "   "}, "Type at least one word"),
    ("predict", {"text": "a" * 501}, "text"),
    ("predict", {"text": "the", "k": 0}, "k"),
    ("predict", {"text": "the", "k": 21}, "k"),
    ("predict", {"text": "the", "temperature": 0}, "temperature"),
    ("predict", {"text": "the", "temperature": 6}, "temperature"),
    ("predict", {"text": "the", "cell": "peephole"}, "cell"),
    ("predict", {"text": 5}, "text: Not a valid string"),
    ("predict", {"text": ["the"]}, "text"),
    ("predict", {"text": "the", "k": "5"}, "k: Not a valid integer"),
    ("predict", {"text": "the", "k": 2.5}, "k"),
    ("predict", {"text": "the", "k": True}, "k"),
    ("predict", {"text": "the", "temperature": "1"}, "temperature: Not a valid number"),
    ("predict", {"text": "the", "cell": None}, "cell"),
    ("predict", {"k": 5}, "text: Missing data"),
    ("predict", ["the"], "Invalid input type"),
    ("predict", {"text": "the", "colour": "red"}, "colour: Unknown field"),
    ("gradients", {"text": ""}, "text"),
    ("gradients", {"text": "a" * 501}, "text"),
    ("gradients", {"text": "cat"}, "at least two words"),
    ("gradients", {"text": "the cat", "scale": 0.4}, "scale"),
    ("gradients", {"text": "the cat", "scale": 3.5}, "scale"),
    ("gradients", {"text": "the cat", "scale": "2"}, "scale"),
    ("gradients", {"text": "the cat", "cell": "peephole"}, "cell"),
    ("gates", {"text": "the cat", "cell": "vanilla"}, "cell: Must be one of: gru, lstm"),
    ("gates", {"text": "the cat", "cell": "peephole"}, "cell"),
    ("gates", {"text": "a" * 501}, "text"),
    ("gates", {"text": "  "}, "Type at least one word"),
    ("connectivity", {"text": "the cat sat", "position": 3}, "Position must be between 0 and 2"),
    ("connectivity", {"text": "the cat sat", "position": -1}, "position"),
    ("connectivity", {"text": "the cat sat", "position": "1"}, "position: Not a valid integer"),
    ("connectivity", {"text": "the cat sat"}, "position: Missing data"),
    ("connectivity", {"text": "the cat", "position": 0, "cell": "peephole"}, "cell"),
    ("connectivity", {"text": "a" * 501, "position": 0}, "text"),
    ("generate", {"text": "the", "n": 0}, "n"),
    ("generate", {"text": "the", "n": 51}, "n"),
    ("generate", {"text": "the", "greedy": "yes"}, "greedy"),
    ("generate", {"text": "the", "greedy": 1}, "greedy"),
    ("generate", {"text": "the", "temperature": 0}, "temperature"),
    ("steps", {"text": "the", "unit": -1}, "unit"),
    ("steps", {"text": "the", "unit": 10_000}, "unit must be between 0 and"),
    ("steps", {"text": ""}, "text"),
    ("jobs", {"cell": "peephole"}, "cell"),
    ("jobs", {"steps": 5}, "steps: Must be between 10 and 300"),
    ("jobs", {"steps": 100_000}, "steps: Must be between 10 and 300"),
    ("jobs", {"steps": "50"}, "steps"),
    ("jobs", {"text": "too short to learn from"}, "at least 60 words"),
    ("jobs", {"lr": 0.5}, "lr"),
    ("jobs", {"hidden": 65}, "hidden"),
    ("jobs", {"hidden": 2}, "hidden"),
    ("jobs", {"truncation": 41}, "truncation"),
    ("jobs", {"clip_threshold": 0}, "clip_threshold"),
    ("jobs", {"clip": "no"}, "clip"),
]


@pytest.mark.parametrize(("path", "body", "says"), BAD, ids=[f"{p}-{b}"[:60] for p, b, _ in BAD])
def test_a_bad_request_is_a_400_with_a_message(
    client: FlaskClient, headers: dict[str, str], path: str, body: Any, says: str
) -> None:
    status, answer = post(client, headers, path, body)
    assert status == 400, answer
    assert answer["code"] == 400 and says in answer["message"], answer


def test_a_body_that_is_not_json_is_a_400(client: FlaskClient, headers: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/rnn/predict", data="{text: the", content_type="application/json", headers=headers
    )
    assert response.status_code == 400
    assert response.get_json()["message"] == "The request body is not valid JSON."


def test_a_script_without_cookies_needs_no_csrf_token(client: FlaskClient) -> None:
    """A plain HTTP client (curl, a notebook) calls the public demo API as it is; a logged-in page
    script still sends its token (tests/web/test_logins.py)."""
    response = client.post("/api/v1/rnn/predict", json={"text": "the"})
    assert response.status_code == 200


# Training jobs over HTTP ------------------------------------------------------------------------------------


def wait_for(client: FlaskClient, job_id: int, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/rnn/jobs/{job_id}").get_json()
        if not job["active"]:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s")


@pytest.fixture
def quiet_jobs(app: Flask) -> Iterator[None]:
    """Leave no training process behind for the next test."""
    yield
    with app.app_context():
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and db.session.query(TrainingJob).filter_by(slot=1).count():
            db.session.rollback()
            time.sleep(0.1)


def test_a_visitor_trains_one_model_at_a_time_and_others_wait_their_turn(
    app: Flask, client: FlaskClient, headers: dict[str, str], quiet_jobs: None
) -> None:
    app.config["UNROLL_CONTENT_DIR"] = str(PROJECT_CONTENT)
    started = client.post("/api/v1/rnn/jobs", json={"cell": "vanilla", "steps": 40}, headers=headers)
    assert started.status_code == 202, started.get_json()
    job = started.get_json()
    assert job["status"] == "queued" and job["active"] and job["steps"] == 40

    again = client.post("/api/v1/rnn/jobs", json={"steps": 40}, headers=headers)
    assert again.status_code == 409
    assert "still training" in again.get_json()["message"] and again.get_json()["job"] == job["id"]
    assert int(again.headers["Retry-After"]) >= 1

    other = app.test_client()
    other_headers = {"X-CSRFToken": csrf_token(other, "/demo")}
    busy = other.post("/api/v1/rnn/jobs", json={"steps": 40}, headers=other_headers)
    assert busy.status_code == 429
    assert re.search(
        r"Another learner's model is training.*Try again in about \d+ s", busy.get_json()["message"]
    )
    assert int(busy.headers["Retry-After"]) >= 1
    assert other.get(f"/api/v1/rnn/jobs/{job['id']}").status_code == 404  # not theirs to watch

    done = wait_for(client, job["id"])
    assert done["status"] == "done", done
    assert len(done["losses"]) == 40 and done["step"] == 40 and done["sample"]
    assert other.post("/api/v1/rnn/jobs", json={"steps": 10}, headers=other_headers).status_code == 202


def test_a_learner_sets_the_cell_learning_rate_hidden_size_truncation_and_clipping(
    app: Flask, client: FlaskClient, headers: dict[str, str], quiet_jobs: None
) -> None:
    app.config["UNROLL_CONTENT_DIR"] = str(PROJECT_CONTENT)
    body = {"cell": "lstm", "steps": 30, "lr": 0.02, "hidden": 8, "truncation": 5, "clip": False}
    started = client.post("/api/v1/rnn/jobs", json=body, headers=headers)
    assert started.status_code == 202, started.get_json()
    done = wait_for(client, started.get_json()["id"])
    assert done["status"] == "done" and done["cell"] == "lstm", done
    assert len(done["losses"]) == 30 and done["losses"][-1] < done["losses"][0]


# The page ---------------------------------------------------------------------------------------------------


def test_the_demo_page_honours_text_cell_and_temperature(client: FlaskClient) -> None:
    response = client.get("/demo?text=the+cat+sat&cell=gru&temperature=0.5&k=3")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'<textarea id="demo-text"[^>]*>the cat sat</textarea>', page)
    assert 'name="cell" value="gru" checked' in page and 'name="cell" value="vanilla" checked' not in page
    assert 'value="0.5"' in page and ">0.50</output>" in page
    assert re.search(r"the GRU expects “[^”]+” \(\d+\.\d%\)", page)
    assert page.count('<li class="bar">') == 3
    assert '<option value="3" selected>' in page


def test_the_page_without_a_query_predicts_for_an_example(client: FlaskClient) -> None:
    page = client.get("/demo").get_data(as_text=True)
    assert page.count('<li class="bar">') == 5 and "the Vanilla RNN expects" in page
    assert re.search(r'<a href="/demo" aria-current="page">Demo</a>', page)


@pytest.mark.parametrize(
    ("query", "note"),
    [
        ("cell=peephole", "There is no “peephole” model here"),
        ("temperature=0", "?temperature= must be a number from 0.05 to 5"),
        ("temperature=hot", "?temperature= must be a number"),
        ("k=99", "?k= must be a number from 1 to 20"),
        ("text=" + "a" * 600, "at most 500 characters"),
    ],
)
def test_unusable_query_values_fall_back_with_a_note(client: FlaskClient, query: str, note: str) -> None:
    response = client.get(f"/demo?{query}")
    assert response.status_code == 200
    assert note in response.get_data(as_text=True)
    assert '<li class="bar">' in response.get_data(as_text=True)


def test_empty_text_shows_a_hint_instead_of_a_prediction(client: FlaskClient) -> None:
    page = client.get("/demo?text=").get_data(as_text=True)
    assert "Type at least one word." in page and '<li class="bar">' not in page
