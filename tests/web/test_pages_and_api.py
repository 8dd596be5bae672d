"""Pages, API and CLI through Flask's test client and CLI runner."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app import create_app
from app.services.content_sync import sync_content
from tests.conftest import app_config

SET = """+++
title = "Gated cells"
description = "Why gates help."
weight = 3
dialect = "native"
+++
## Preview
1. What could a gate close?

## Explain
A gate multiplies by $\\sigma(a)$. Templates stay text: {{ 7 * 7 }} and {% if x %}.

<script>alert("x")</script><img src="x.png" onerror="alert(1)">

```python
h = np.tanh(W @ x)
```

## Keypoint
1. Gates take values in $(0, 1)$.
2. An LSTM adds to its cell state.

## Review
1. Which activation produces gate values?
   - [x] sigmoid
   - [ ] tanh — its range is (−1, 1), so it could flip signs.
   Explanation: Gates scale, so they need (0, 1).
   ID: gate-activation
   Covers: 1

2. The LSTM cell state is updated by {{c1::addition}}.
   ID: cell-add
   Covers: 2

## Related reading
- Olah's post on LSTMs.
"""


@pytest.fixture
def loaded(app: Flask, content_dir: Path) -> Flask:
    (content_dir / "gates.md").write_text(SET, encoding="utf-8")
    with app.app_context():
        sync_content(content_dir, datetime.now(UTC))
    return app


def test_index_lists_sets_with_their_sizes(loaded: Flask, client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert 'href="/sets/gates"' in page
    assert "Gated cells" in page and "Why gates help." in page
    assert "1 preview question" in page and "2 key points" in page and "2 review questions" in page


def test_set_page_shows_every_section_sanitised_and_never_as_a_template(
    loaded: Flask, client: FlaskClient
) -> None:
    response = client.get("/sets/gates")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for heading in ("Preview", "Explain", "Key points", "Review", "Related reading"):
        assert f">{heading}</h2>" in page
    assert "{{ 7 * 7 }}" in page and "{% if x %}" in page
    assert not re.search(r"(?<![\w-])49(?![\w-])", page)  # as a word: a random token may hold "49"
    assert "<script>alert" not in page and "onerror" not in page
    assert 'xmlns="http://www.w3.org/1998/Math/MathML"' in page and 'aria-label="sigma(a)"' in page
    assert '<div class="highlight">' in page
    assert "its range is (−1, 1)" in page
    assert "[…]" in page and "addition" in page  # the cloze shows a blank, the answer only in the reveal


def test_unknown_set_is_a_404_page(loaded: Flask, client: FlaskClient) -> None:
    response = client.get("/sets/nope")
    assert response.status_code == 404
    assert "text/html" in response.content_type
    assert "There is no question set called “nope”." in response.get_data(as_text=True)


def test_api_lists_sets_and_returns_one_with_html(loaded: Flask, client: FlaskClient) -> None:
    listing = client.get("/api/v1/sets").get_json()
    detail = client.get("/api/v1/sets/gates").get_json()

    assert listing == [
        {
            "slug": "gates",
            "title": "Gated cells",
            "description": "Why gates help.",
            "weight": 3,
            "counts": {"preview": 1, "keypoint": 2, "review": 2},
        }
    ]
    assert [q["id"] for q in detail["review"]] == ["gate-activation", "cell-add"]
    assert detail["review"][0]["type"] == "choice"
    assert detail["review"][0]["options"][1]["explanation_html"].startswith("its range")
    assert detail["keypoints"][1] == {"number": 2, "html": "<p>An LSTM adds to its cell state.</p>"}
    assert "<script" not in json.dumps(detail)


def test_api_errors_are_json(loaded: Flask, client: FlaskClient) -> None:
    missing = client.get("/api/v1/sets/nope")
    no_route = client.get("/api/v1/nothing-here")
    wrong_method = client.post("/api/v1/sets")

    assert missing.status_code == 404
    assert missing.get_json()["message"] == "There is no question set called 'nope'."
    assert no_route.status_code == 404 and no_route.get_json()["code"] == 404
    assert wrong_method.status_code in (400, 405) and "message" in wrong_method.get_json()


def test_openapi_document_describes_the_endpoints_from_the_schemas(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["info"]["title"] == "Unroll API"
    assert {"/api/v1/sets", "/api/v1/sets/{slug}"} <= set(spec["paths"])
    review_item = spec["components"]["schemas"]["ReviewItem"]
    assert {"id", "type", "question_html", "answer_html"} <= set(review_item["required"])


def test_healthz_checks_the_database(client: FlaskClient, tmp_path: Path) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok", "content": {"sets": 0, "errors": []}}
    broken = create_app(app_config(f"sqlite:///{tmp_path}/missing/dir/x.sqlite3", tmp_path))
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"


def test_content_check_json_reports_each_file(runner: FlaskCliRunner, content_dir: Path) -> None:
    (content_dir / "gates.md").write_text(SET, encoding="utf-8")
    (content_dir / "broken.md").write_text("+++\ntitle = 'x'\n## Review\n", encoding="utf-8")

    result = runner.invoke(args=["content", "check", "--json"])
    files = {Path(f["path"]).name: f for f in json.loads(result.output)["files"]}

    assert result.exit_code == 1
    assert files["gates.md"]["counts"] == {"preview": 1, "keypoint": 2, "review": 2}
    assert files["gates.md"]["review"][1]["answer"] == "addition"
    assert files["gates.md"]["errors"] == []
    assert files["broken.md"]["errors"][0]["line"] == 1
    assert "never closed" in files["broken.md"]["errors"][0]["message"]


def test_content_check_names_file_and_line(runner: FlaskCliRunner, content_dir: Path) -> None:
    bad = content_dir / "bad.md"
    bad.write_text("## Review\n1. A question without an answer?\n", encoding="utf-8")

    result = runner.invoke(args=["content", "check", str(bad)])

    assert result.exit_code == 1
    assert f"{bad}:2: review question has no answer" in result.output


def test_content_check_passes_a_clean_folder(runner: FlaskCliRunner, content_dir: Path) -> None:
    (content_dir / "gates.md").write_text(SET, encoding="utf-8")
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0
    assert "1 files checked, 0 with errors." in result.output


def test_content_sync_prints_counts_and_is_idempotent(runner: FlaskCliRunner, content_dir: Path) -> None:
    (content_dir / "gates.md").write_text(SET, encoding="utf-8")
    first = runner.invoke(args=["content", "sync"])
    second = runner.invoke(args=["content", "sync"])
    assert "Cards: 2 added, 0 changed, 0 retired, 0 unchanged." in first.output
    assert "Cards: 0 added, 0 changed, 0 retired, 2 unchanged." in second.output


def test_an_unmigrated_database_is_a_clear_503_not_a_500(tmp_path: Path) -> None:
    bare = create_app(app_config(f"sqlite:///{tmp_path / 'empty.sqlite3'}", tmp_path)).test_client()
    page = bare.get("/")
    api = bare.get("/api/v1/sets")
    assert page.status_code == 503 and "flask db upgrade" in page.get_data(as_text=True)
    assert api.status_code == 503 and "flask db upgrade" in api.get_json()["message"]
