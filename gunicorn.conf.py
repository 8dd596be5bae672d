"""gunicorn settings for `make run`, the Docker image, the deployment tests and bench/load.py.

Threaded workers (gthread): a client that sends its request slowly holds one thread, not a whole
worker, so a handful of slow clients cannot stall the site (docs/deployment.md has the figures).
In production a buffering proxy (deploy/nginx/) reads every request in full before the app sees it.
HOST, PORT, WORKERS and THREADS come from the environment; command-line flags override this file.
"""

import os


def _setting(name: str, default: str) -> str:
    """An environment variable, with an empty value meaning the default (as `make run` passes them)."""
    return os.environ.get(name) or default


wsgi_app = "app:create_app()"
bind = f"{_setting('HOST', '127.0.0.1')}:{_setting('PORT', '8000')}"
workers = int(_setting("WORKERS", "2"))
worker_class = "gthread"
threads = int(_setting("THREADS", "8"))
# A worker takes no more connections than it has threads: one whose threads are all busy (slow
# clients, say) stops accepting and leaves new requests to a worker with a free thread. Hence no
# kept-alive connections either (they would count), which nginx does not need in front anyway.
worker_connections = threads
keepalive = 0
timeout = 30  # seconds a worker may stay silent before it is replaced
graceful_timeout = 20
accesslog = "-"
# gunicorn 25+ opens a control socket at one path per user; several servers on a machine would share it.
control_socket_disable = True
# Which proxy headers to believe is the app's decision (UNROLL_PROXY_COUNT, app/web/headers.py):
# gunicorn's default would take X-Forwarded-Proto from any client on 127.0.0.1 as HTTPS.
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}
