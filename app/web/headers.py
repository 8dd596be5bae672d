"""Security headers on every response, Secure cookies over HTTPS, and which proxies to believe.

Pages load scripts, styles and images from this site only (a page's inline script needs the
request's nonce, `csp_nonce()` in templates); no site may frame them. Over HTTPS, as the request or
a trusted proxy's `X-Forwarded-Proto` says, browsers are told to keep to HTTPS (HSTS) and every
cookie (session with its CSRF token, remember-me) is marked `Secure`.
"""

from __future__ import annotations

import inspect
import secrets
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, request
from werkzeug.middleware.proxy_fix import ProxyFix

HSTS = "max-age=31536000"  # a year; subdomains are the operator's business, not the app's
FIXED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def init_headers(app: Flask) -> None:
    """Trust exactly UNROLL_PROXY_COUNT proxies, and send the headers below with every response."""
    proxies = int(app.config.get("UNROLL_PROXY_COUNT", 0))
    if proxies > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
    app.response_class = SecureOverHttpsResponse
    app.add_template_global(csp_nonce)
    app.after_request(add_security_headers)


def csp_nonce() -> str:
    """This request's nonce for inline scripts (made when a template first asks for it)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


def remote_images_allowed() -> bool:
    """Whether content may show images from other sites over HTTPS (UNROLL_ALLOW_REMOTE_IMAGES)."""
    return bool(current_app.config.get("UNROLL_ALLOW_REMOTE_IMAGES"))


def content_security_policy() -> str:
    scripts = "'self'" + (f" 'nonce-{g.csp_nonce}'" if "csp_nonce" in g else "")
    images = "'self' data:" + (" https:" if remote_images_allowed() else "")
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self'",
            f"img-src {images}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def add_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", content_security_policy())
    for name, value in FIXED_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


_SET_COOKIE = inspect.signature(Response.set_cookie)


class SecureOverHttpsResponse(Response):
    """Flask's response, whose cookies are all `Secure` when the request came over HTTPS: the
    session cookie (which holds the CSRF token), Flask-Login's remember-me cookie and any other."""

    def set_cookie(self, *args: Any, **kwargs: Any) -> None:
        bound = _SET_COOKIE.bind(self, *args, **kwargs)
        if has_request_context() and request.is_secure:
            bound.arguments["secure"] = True
        super().set_cookie(*bound.args[1:], **bound.kwargs)
