"""Proxy headers count only when configured, with the real servers: gunicorn as `make run` starts it
believes no client's X-Forwarded-Proto, and the shipped nginx overwrites a client's own while adding
the security headers to the static files it serves itself."""

from __future__ import annotations

import gzip
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

from tests.deploy.servers import Gunicorn, Nginx, nginx_binary, running

CLAIMS_HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "unroll.example"}


def headers(url: str, **extra: str) -> Message:
    with urllib.request.urlopen(urllib.request.Request(url, headers=extra), timeout=5) as response:
        assert response.status == 200
        return response.headers


@pytest.fixture(scope="module")
def behind_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Gunicorn, Nginx]]:
    """gunicorn told to trust one proxy, and nginx with the shipped site configuration in front."""
    binary = nginx_binary()
    if binary is None:
        pytest.skip("nginx is not installed (make test installs Debian's nginx where apt exists)")
    folder = tmp_path_factory.mktemp("proxied")
    app = Gunicorn(folder, f"sqlite:///{folder / 'unroll.sqlite3'}")
    app.env["UNROLL_PROXY_COUNT"] = "1"
    app.prepare()
    nginx_prefix = folder / "nginx"
    nginx_prefix.mkdir()
    with running(app):
        proxy = Nginx(binary, nginx_prefix, upstream=f"127.0.0.1:{app.port}")
        with running(proxy):
            yield app, proxy


def test_gunicorn_alone_believes_no_forwarded_proto(tmp_path: Path) -> None:
    app = Gunicorn(tmp_path, f"sqlite:///{tmp_path / 'unroll.sqlite3'}")
    app.prepare()
    with running(app):
        page = headers(app.url + "/", **CLAIMS_HTTPS)
    assert "Strict-Transport-Security" not in page
    assert "default-src 'self'" in page["Content-Security-Policy"]


def test_through_nginx_a_clients_own_forwarded_proto_is_replaced(
    behind_proxy: tuple[Gunicorn, Nginx],
) -> None:
    app, proxy = behind_proxy
    page = headers(proxy.url + "/", **CLAIMS_HTTPS)
    assert "Strict-Transport-Security" not in page  # nginx says http: it served plain HTTP
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    # the app trusts one proxy, so straight at it the header counts: only nginx may reach it
    assert headers(app.url + "/", **CLAIMS_HTTPS)["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize("path", ["/static/unroll.css", "/static/demo.js", "/static/favicon.svg"])
def test_static_files_from_nginx_carry_the_security_headers(
    behind_proxy: tuple[Gunicorn, Nginx], path: str
) -> None:
    _, proxy = behind_proxy
    got = headers(proxy.url + path)
    assert got["X-Content-Type-Options"] == "nosniff"
    assert got["Referrer-Policy"] == "same-origin"
    assert got["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in got["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in got


def test_through_nginx_pages_are_compressed(behind_proxy: tuple[Gunicorn, Nginx]) -> None:
    _, proxy = behind_proxy
    request = urllib.request.Request(proxy.url + "/", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert "Learn recurrent neural networks" in gzip.decompress(response.read()).decode()
