"""Schemathesis against /api/v1/openapi.json, in process, as a logged-in API client, with every check.

Bounded to about a minute: EXAMPLES_PER_OPERATION cases for each of the operations, derandomized so a
failure is the same on every run."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from app import create_app
from app.extensions import db
from app.services import accounts
from app.services.content_sync import sync_content
from tests.conftest import app_config
from tests.integration.test_quiz import SET

EXAMPLES_PER_OPERATION = 30
UNLIMITED = "100000 per minute"

# What JSON Schema cannot say, so a schema-valid request may still be refused with the operation's
# documented client-error status: the demo's texts must hold enough words for the model (two for
# gradients, sixty to train on) and a hidden unit must exist in the installed model; a quiz must
# name sets that exist, or the learner must have due or reviewed cards; a username is checked
# after NFKC normalisation; a set's source must pass the checker to be published, its slug must be
# a slug, and `base_revision` must be the newest; a class, an assignment and a set named must exist
# (item analysis names one scope: a set or an assignment); each FSRS parameter has bounds of its own; a
# card-browser search must parse, a reschedule date must not be past, an action names cards by ids or
# by a search (not both), and it is undone once. These operations accept that status for schema-valid data too; every
# other check stays on for them.
SEMANTIC_RULES = """
[[operations]]
include-path-regex = "^/api/v1/(classes|assignments)(/.*)?$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409", "422", "429"]

[[operations]]
include-path-regex = "^/api/v1/study/cards(/actions(/.*)?)?$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409", "422", "429"]

[[operations]]
include-path-regex = "^/api/v1/rnn/(predict|generate|steps|gradients|jobs|gates|connectivity)$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409", "429"]

[[operations]]
include-path-regex = "^/api/v1/quizzes$"
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

[[operations]]
include-path-regex = "^/api/v1/authoring/"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

[[operations]]
include-path = "/api/v1/study/parameters"
include-method = "PUT"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

[[operations]]
include-path = "/api/v1/users"
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]
"""


def _fuzz_app(folder: Path) -> Flask:
    content = folder / "content"
    content.mkdir()
    (content / "gates.md").write_text(SET, encoding="utf-8")
    flask_app = create_app(
        app_config(
            f"sqlite:///{folder / 'fuzz.sqlite3'}",
            content,
            # Thousands of sign-ups and log-ins from one address: the throttles would answer 429.
            UNROLL_SIGNUP_LIMIT=UNLIMITED,
            UNROLL_LOGIN_LIMIT=UNLIMITED,
            UNROLL_LOGIN_ACCOUNT_LIMIT=UNLIMITED,
            UNROLL_GUEST_LIMIT=UNLIMITED,
        )
    )
    with flask_app.app_context():
        db.create_all()
        sync_content(content, datetime.now(UTC))
    return flask_app


def _bearer(flask_app: Flask) -> str:
    """An instructor's token, so the instructor-only operations (authoring, accepting responses)
    are fuzzed past their 403 too."""
    with flask_app.app_context():
        accounts.set_password("fuzzer", "correct horse", "instructor", datetime.now(UTC))
    client = flask_app.test_client()
    reply = client.post("/api/v1/tokens", json={"username": "fuzzer", "password": "correct horse"})
    return f"Bearer {reply.get_json()['token']}"


def _api_schema() -> schemathesis.BaseSchema:
    """Built when the module is collected, as schemathesis makes one test per operation from it
    (its from_fixture loader does not run on this pytest)."""
    flask_app = _fuzz_app(Path(tempfile.mkdtemp(prefix="unroll-fuzz-")))
    config = SchemathesisConfig.from_str(
        f'headers = {{ Authorization = "{_bearer(flask_app)}" }}\n' + SEMANTIC_RULES
    )
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", flask_app, config=config)
    # Revoking the token a request is sent with logs the fuzzer out: every later case would be a 401.
    # The fuzzer's token has id 1, which the generated ids hit, so revoking by id is left out too.
    return loaded.exclude(method="DELETE", path_regex=r"^/api/v1/tokens/")


schema = _api_schema()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_openapi_promises(case: schemathesis.Case) -> None:
    case.call_and_validate()
