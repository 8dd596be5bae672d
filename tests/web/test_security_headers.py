"""Security headers on every kind of response; HSTS and Secure cookies only over HTTPS, as the
request or a configured proxy says; images from other sites in content only when allowed."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db
from app.services import accounts
from app.services.content_sync import sync_content
from tests.conftest import app_config
from tests.web.helpers import csrf_token

PASSWORD = "correct horse battery"
SET = """+++
title = "Pictures"
slug = "pictures"
description = "Images in content."
weight = 1
dialect = "native"
+++
## Preview
1. What does the unrolled network look like?

## Explain
![the unrolled network](https://images.example.org/unrolled.png)
![over plain http](http://images.example.org/plain.png)
![our own](/static/favicon.svg)

| step | state |
|:-----|------:|
| 1 | 0.462 |

## Keypoint
1. An RNN unrolls over time.

## Review
1. What loops back? ![a loop](https://images.example.org/loop.png)
   Answer: The hidden state.
   ID: loop
   Covers: 1
"""


def policy(response: Any) -> dict[str, str]:
    """The Content-Security-Policy header as directive -> sources."""
    header = response.headers["Content-Security-Policy"]
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] for d in (p.strip() for p in header.split(";"))}


def assert_protected(response: Any) -> None:
    csp = policy(response)
    assert csp["default-src"] == "'self'"
    assert csp["script-src"].startswith("'self'") and "unsafe" not in csp["script-src"]
    assert csp["style-src"] == "'self'"
    assert csp["img-src"] == "'self' data:"
    assert csp["object-src"] == "'none'" and csp["base-uri"] == "'self'"
    assert csp["form-action"] == "'self'" and csp["frame-ancestors"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.fixture
def loaded(app: Flask, content_dir: Path) -> Flask:
    (content_dir / "pictures.md").write_text(SET, encoding="utf-8")
    with app.app_context():
        sync_content(content_dir, datetime.now(UTC))
    return app


def make_app(tmp_path: Path, content_dir: Path, **extra: Any) -> Flask:
    app = create_app(app_config(f"sqlite:///{tmp_path / 'own.sqlite3'}", content_dir, **extra))
    with app.app_context():
        db.create_all()
        accounts.register("ada", PASSWORD, datetime.now(UTC))
        sync_content(content_dir, datetime.now(UTC))
    return app


@pytest.mark.parametrize(
    ("path", "status", "kind"),
    [
        ("/", 200, "text/html"),
        ("/demo", 200, "text/html"),
        ("/api/v1/sets", 200, "application/json"),
        ("/api/v1/openapi.json", 200, "application/json"),
        ("/static/unroll.css", 200, "text/css"),
        ("/static/demo.js", 200, "text/javascript"),
        ("/sets/no-such-set", 404, "text/html"),
        ("/api/v1/sets/no-such-set", 404, "application/json"),
        ("/static/no-such-file.js", 404, "text/html"),
        ("/healthz", 200, "application/json"),
    ],
)
def test_every_kind_of_response_carries_the_headers(
    client: FlaskClient, path: str, status: int, kind: str
) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.content_type.startswith(kind)
    assert_protected(response)
    assert "Strict-Transport-Security" not in response.headers


def test_refused_methods_and_bad_forms_carry_them_too(client: FlaskClient) -> None:
    assert_protected(client.delete("/api/v1/sets"))  # 405
    assert_protected(client.post("/login", data={"username": "x"}))  # 400: no CSRF token


def test_the_only_inline_script_carries_a_fresh_nonce_the_policy_names(client: FlaskClient) -> None:
    nonces = []
    for _ in range(2):
        response = client.get("/demo")
        page = response.get_data(as_text=True)
        inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
        assert inline, "the demo page has its data block"
        for attributes in inline:
            nonce = re.search(r'nonce="([^"]+)"', attributes)
            assert nonce is not None, attributes
            assert f"'nonce-{nonce.group(1)}'" in policy(response)["script-src"]
            nonces.append(nonce.group(1))
    assert nonces[0] != nonces[-1]


TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"


@pytest.mark.parametrize("template", sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")))
def test_no_template_has_an_unnonced_script_handler_or_style(template: str) -> None:
    source = (TEMPLATES / template).read_text(encoding="utf-8")
    for script in re.findall(r"<script\b[^>]*>", source):
        assert "src=" in script or "csp_nonce()" in script, script
    assert not re.search(r"\son[a-z]+\s*=", source), "inline event handler"
    assert not re.search(r"\sstyle\s*=", source), "inline style attribute"
    assert "<style" not in source


def test_https_gets_hsts_and_secure_session_and_remember_cookies(loaded: Flask) -> None:
    with loaded.app_context():
        accounts.register("ada", PASSWORD, datetime.now(UTC))
    client = loaded.test_client()
    page = client.get("/login", base_url="https://localhost")
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert_protected(page)
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post(
        "/login",
        data={"username": "ada", "password": PASSWORD, "csrf_token": token},
        base_url="https://localhost",
        headers={"Referer": "https://localhost/login"},  # Flask-WTF checks it over HTTPS
    )
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    names = {c.split("=", 1)[0] for c in cookies}
    assert {"session", "remember_token"} <= names
    for cookie in cookies:
        assert "; Secure" in cookie and "HttpOnly" in cookie, cookie
    assert client.get("/settings", base_url="https://localhost").status_code == 200


def test_plain_http_gets_no_hsts_and_no_secure_cookies(loaded: Flask) -> None:
    with loaded.app_context():
        accounts.register("ada", PASSWORD, datetime.now(UTC))
    client = loaded.test_client()
    token = csrf_token(client)
    response = client.post("/login", data={"username": "ada", "password": PASSWORD, "csrf_token": token})
    assert "Strict-Transport-Security" not in response.headers
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" not in c for c in cookies)


def csrf_token_from(page: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def guest_cookies(client: FlaskClient, headers: dict[str, str]) -> list[str]:
    token = csrf_token_from(client.get("/study", headers=headers).get_data(as_text=True))
    response = client.post("/guest", data={"csrf_token": token}, headers=headers)
    assert response.status_code == 302
    return response.headers.getlist("Set-Cookie")


FORWARDED = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-For": "203.0.113.9",
    "X-Forwarded-Host": "unroll.example",
    "Referer": "https://unroll.example/study",  # the CSRF check compares it with the forwarded host
}


def test_forwarded_headers_are_ignored_without_a_configured_proxy(tmp_path: Path, content_dir: Path) -> None:
    client = make_app(tmp_path, content_dir).test_client()
    assert "Strict-Transport-Security" not in client.get("/", headers=FORWARDED).headers
    assert all("Secure" not in c for c in guest_cookies(client, FORWARDED))


def test_forwarded_proto_counts_from_one_configured_proxy(tmp_path: Path, content_dir: Path) -> None:
    client = make_app(tmp_path, content_dir, UNROLL_PROXY_COUNT=1).test_client()
    assert client.get("/", headers=FORWARDED).headers["Strict-Transport-Security"] == "max-age=31536000"
    cookies = guest_cookies(client, FORWARDED)
    assert cookies and all("; Secure" in c for c in cookies)
    # two forwarded addresses, one trusted proxy: the client's own claim is not believed
    spoofed = FORWARDED | {"X-Forwarded-Proto": "https, http"}
    assert "Strict-Transport-Security" not in client.get("/", headers=spoofed).headers


def test_remote_images_in_content_are_links_and_tables_align_without_styles(
    loaded: Flask, client: FlaskClient
) -> None:
    page = client.get("/sets/pictures").get_data(as_text=True)
    assert not re.search(r"<img[^>]+src=\"(?:https?:)?//", page)
    assert (
        '<a href="https://images.example.org/unrolled.png" class="remote-image" rel="noopener noreferrer">'
        "the unrolled network (image at images.example.org)</a>"
    ) in page
    assert 'href="http://images.example.org/plain.png"' in page
    assert '<img alt="our own" src="/static/favicon.svg">' in page
    assert '<td align="right">0.462</td>' in page and "style=" not in page
    detail = client.get("/api/v1/sets/pictures").get_json()
    assert "<img" not in detail["review"][0]["question_html"]
    assert "a loop (image at images.example.org)" in detail["review"][0]["question_html"]


def test_a_deployment_may_allow_https_images(tmp_path: Path, content_dir: Path) -> None:
    (content_dir / "pictures.md").write_text(SET, encoding="utf-8")
    client = make_app(tmp_path, content_dir, UNROLL_ALLOW_REMOTE_IMAGES=True).test_client()
    response = client.get("/sets/pictures")
    page = response.get_data(as_text=True)
    assert policy(response)["img-src"] == "'self' data: https:"
    assert '<img alt="the unrolled network" src="https://images.example.org/unrolled.png">' in page
    assert 'href="http://images.example.org/plain.png"' in page  # plain HTTP stays a link
    question = client.get("/api/v1/sets/pictures").get_json()["review"][0]["question_html"]
    assert 'src="https://images.example.org/loop.png"' in question


def test_study_shows_remote_images_as_links(loaded: Flask, client: FlaskClient) -> None:
    token = csrf_token(client, "/study")
    client.post("/guest", data={"csrf_token": token})
    card = client.get("/api/v1/study/next").get_json()["card"]
    assert "<img" not in card["front_html"] and "a loop (image at images.example.org)" in card["front_html"]
    assert "a loop (image at" in client.get("/study/pictures").get_data(as_text=True)
