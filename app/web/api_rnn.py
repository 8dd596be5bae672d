"""JSON API, version 1: the live RNN demo. Every invalid request is a 400 with a message that says why."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import Response, current_app, jsonify, session
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, ValidationError, fields, validate
from webargs.core import missing
from webargs.flaskparser import FlaskParser

from app.extensions import limiter
from app.services import rnn_demo, rnn_training
from app.services.rnn_demo import (
    CELLS,
    GATED_CELLS,
    K_RANGE,
    MAX_TEMPERATURE,
    MAX_TEXT,
    MAX_WORDS,
    MIN_TEMPERATURE,
    SCALE_RANGE,
)
from app.services.rnn_training import (
    CLIP_RANGE,
    HIDDEN_RANGE,
    LR_RANGE,
    MAX_OWN_TEXT,
    MIN_STEPS,
    SEQ_LEN_RANGE,
    Limits,
    Settings,
)
from app.web.clock import now

T = TypeVar("T")


class _Parser(FlaskParser):
    """Request errors as 400 (flask-smorest's default is 422), with one readable message."""

    DEFAULT_VALIDATION_STATUS = 400

    def handle_error(self, error: ValidationError, req: Any, schema: Schema, **_kwargs: Any) -> Any:
        abort(400, message=_summary(error.messages), messages=error.messages)

    def _handle_invalid_json_error(self, error: Exception, req: Any, *args: Any, **kwargs: Any) -> Any:
        abort(400, message="The request body is not valid JSON.")

    def load_json(self, req: Any, schema: Schema) -> Any:
        """An absent or non-JSON body is refused even when every field has a default ({} asks for them)."""
        data = super().load_json(req, schema)
        if data is missing:
            abort(400, message="Send a JSON object as the request body ({} for every default).")
        return data


def _summary(messages: Any, path: str = "") -> str:
    """{"json": {"k": ["Must be ..."]}} -> "k: Must be ..." (the location is left out)."""
    if isinstance(messages, Mapping):
        parts = [
            _summary(value, path if key in ("json", "_schema") else f"{path}.{key}".lstrip("."))
            for key, value in messages.items()
        ]
        return " ".join(parts)
    if isinstance(messages, list):
        return " ".join(_summary(m, path) for m in messages)
    return f"{path}: {messages}" if path else str(messages)


class _DemoBlueprint(Blueprint):
    ARGUMENTS_PARSER = _Parser()


bp = _DemoBlueprint("rnn_api", __name__, url_prefix="/api/v1", description="The live RNN demo")


# Strict types: a number sent as a string, or true sent for 1, is a wrong type, not a value to guess at.


class StrictFloat(fields.Float):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class StrictInteger(fields.Integer):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class StrictBoolean(fields.Boolean):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def _temperature() -> StrictFloat:
    return StrictFloat(
        load_default=1.0,
        validate=validate.Range(min=MIN_TEMPERATURE, max=MAX_TEMPERATURE),
        metadata={"description": "divides the logits: below 1 sharper, above 1 flatter"},
    )


class PromptSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT))
    cell = fields.String(load_default="vanilla", validate=validate.OneOf(CELLS))


class PredictRequestSchema(PromptSchema):
    k = StrictInteger(load_default=5, validate=validate.Range(*K_RANGE))
    temperature = _temperature()


class GenerateRequestSchema(PromptSchema):
    n = StrictInteger(
        load_default=10, validate=validate.Range(1, MAX_WORDS), metadata={"description": "words"}
    )
    temperature = _temperature()
    greedy = StrictBoolean(load_default=False, metadata={"description": "the likeliest word each time"})
    seed = StrictInteger(load_default=0, validate=validate.Range(0, 2**31 - 1))


class StepsRequestSchema(PromptSchema):
    unit = StrictInteger(
        load_default=0, validate=validate.Range(min=0), metadata={"description": "hidden unit"}
    )


class GradientsRequestSchema(PromptSchema):
    scale = StrictFloat(
        load_default=1.0,
        validate=validate.Range(*SCALE_RANGE),
        metadata={"description": "multiplies the recurrent weights"},
    )


class GatesRequestSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT))
    cell = fields.String(
        load_default="lstm",
        validate=validate.OneOf(GATED_CELLS),
        metadata={"description": "a gated cell (the vanilla RNN has no gates)"},
    )


class ConnectivityRequestSchema(PromptSchema):
    position = StrictInteger(
        required=True,
        validate=validate.Range(min=0),
        metadata={"description": "the token whose hidden state is differentiated, 0 = the first"},
    )


class JobRequestSchema(Schema):
    cell = fields.String(load_default="vanilla", validate=validate.OneOf(CELLS))
    steps = StrictInteger(
        load_default=200,
        validate=validate.Range(MIN_STEPS, Limits.max_steps, error="Must be between {min} and {max}."),
        metadata={"description": "training steps (a server may allow fewer: UNROLL_RNN_TRAIN_MAX_STEPS)"},
    )
    text = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=MAX_OWN_TEXT),
        metadata={"description": "your own training text (default: Unroll's)"},
    )
    lr = StrictFloat(
        load_default=Settings.lr,
        validate=validate.Range(*LR_RANGE),
        metadata={"description": "Adam's learning rate"},
    )
    hidden = StrictInteger(
        load_default=Settings.hidden,
        validate=validate.Range(*HIDDEN_RANGE),
        metadata={"description": "hidden units"},
    )
    clip = StrictBoolean(load_default=True, metadata={"description": "clip the global gradient norm"})
    clip_threshold = StrictFloat(
        load_default=Settings.clip,
        validate=validate.Range(*CLIP_RANGE),
        metadata={"description": "the norm it is clipped to"},
    )
    truncation = StrictInteger(
        load_default=Settings.seq_len,
        validate=validate.Range(*SEQ_LEN_RANGE),
        metadata={"description": "truncated BPTT: the window length in words"},
    )


class WordSchema(Schema):
    word = fields.String(required=True)
    p = fields.Float(required=True)


class PredictionSchema(Schema):
    tokens = fields.List(fields.String(), required=True)
    unknown = fields.List(fields.String(), required=True, metadata={"description": "words read as <unk>"})
    top = fields.List(fields.Nested(WordSchema), required=True)
    hidden = fields.List(
        fields.List(fields.Float()), required=True, metadata={"description": "h_t per token"}
    )


class GenerationSchema(Schema):
    words = fields.List(fields.String(), required=True)


class TermsSchema(Schema):
    input = fields.Float(required=True)
    recurrent = fields.Float(required=True)
    bias = fields.Float(required=True)
    total = fields.Float(required=True)
    value = fields.Float(required=True)


class StepSchema(Schema):
    token = fields.String(required=True)
    x = fields.List(fields.Float(), required=True)
    h_prev = fields.List(fields.Float(), required=True)
    h = fields.List(fields.Float(), required=True)
    terms = fields.Nested(TermsSchema, required=True)
    gates = fields.Dict(keys=fields.String(), values=fields.Nested(TermsSchema), required=True)


class StepsSchema(Schema):
    cell = fields.String(required=True)
    equation = fields.String(required=True)
    unit = fields.Integer(required=True)
    steps = fields.List(fields.Nested(StepSchema), required=True)


class NormsSchema(Schema):
    norms = fields.List(
        fields.Float(allow_none=True),
        required=True,
        metadata={"description": "||dL/dh_t|| per time step, first word first (null if it overflowed)"},
    )


class GatesSchema(Schema):
    tokens = fields.List(fields.String(), required=True)
    gates = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.List(fields.Float())),
        required=True,
        metadata={
            "description": "per gate, one row of hidden-size values per token. LSTM: input, forget, output "
            "(sigmoid gates, in [0, 1]) and cell (the cell state c_t, any real number); GRU: update, reset"
        },
    )


class ConnectivitySchema(Schema):
    tokens = fields.List(fields.String(), required=True)
    norms = fields.List(
        fields.Float(),
        required=True,
        metadata={"description": "||d h_position / d x_k||_F for k = 0..position, first word first"},
    )


class ModelInfoSchema(Schema):
    cell = fields.String(required=True)
    name = fields.String(required=True)
    equation = fields.String(required=True)
    vocab_size = fields.Integer(required=True)
    embed = fields.Integer(required=True)
    hidden = fields.Integer(required=True)
    steps = fields.Integer(required=True)
    perplexities = fields.Dict(keys=fields.String(), values=fields.Float())


class JobSchema(Schema):
    id = fields.Integer(required=True)
    status = fields.String(
        required=True, metadata={"enum": ["queued", "running", "done", "stopped", "failed"]}
    )
    active = fields.Boolean(required=True)
    cell = fields.String(required=True)
    steps = fields.Integer(required=True)
    step = fields.Integer(required=True)
    losses = fields.List(
        fields.Float(), required=True, metadata={"description": "mean cross-entropy per step"}
    )
    message = fields.String(allow_none=True)
    sample = fields.String(allow_none=True, metadata={"description": "text the trained model wrote"})
    vocab_size = fields.Integer(allow_none=True)
    cpu_seconds = fields.Float(allow_none=True)
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)


def _models() -> rnn_demo.DemoModels:
    return rnn_demo.models_from_config(current_app.config)


def _answer(call: Callable[[rnn_demo.DemoModels], T]) -> T:
    """Run a demo call; the learner's mistakes are 400s, missing weights a 503."""
    try:
        return call(_models())
    except rnn_demo.DemoError as exc:
        abort(400, message=str(exc))
    except rnn_demo.ModelUnavailable as exc:
        abort(503, message=str(exc))


@bp.post("/rnn/predict")
@bp.arguments(PredictRequestSchema)
@bp.response(200, PredictionSchema)
@bp.alt_response(503, description="The model's weights are not installed")
def predict(body: dict[str, Any]) -> Any:
    """The k likeliest next words after the text, and the hidden state after each of its tokens."""
    got = _answer(lambda m: m.predict(body["cell"], body["text"], body["k"], body["temperature"]))
    top = [{"word": word, "p": p} for word, p in got.top]
    return {"tokens": got.tokens, "unknown": got.unknown, "top": top, "hidden": got.hidden}


@bp.post("/rnn/generate")
@bp.arguments(GenerateRequestSchema)
@bp.response(200, GenerationSchema)
def generate(body: dict[str, Any]) -> Any:
    """Continue the text by n words, greedily or by sampling at the temperature."""
    words = _answer(
        lambda m: m.generate(
            body["cell"], body["text"], body["n"], body["temperature"], body["greedy"], body["seed"]
        )
    )
    return {"words": words}


@bp.post("/rnn/steps")
@bp.arguments(StepsRequestSchema)
@bp.response(200, StepsSchema)
def steps(body: dict[str, Any]) -> Any:
    """The unrolled network: x_t, h_{t-1} and h_t at every step, and one unit's equation in numbers."""
    details = _answer(lambda m: m.step_details(body["cell"], body["text"], body["unit"]))
    equation = _answer(lambda m: m.info(body["cell"]).equation)
    return {"cell": body["cell"], "equation": equation, "unit": body["unit"], "steps": details}


@bp.post("/rnn/gradients")
@bp.arguments(GradientsRequestSchema)
@bp.response(200, NormsSchema)
def gradients(body: dict[str, Any]) -> Any:
    """How much of the last word's loss gradient reaches each earlier time step."""
    return {"norms": _answer(lambda m: m.gradient_norms(body["cell"], body["text"], body["scale"]))}


@bp.post("/rnn/gates")
@bp.arguments(GatesRequestSchema)
@bp.response(200, GatesSchema)
def gates(body: dict[str, Any]) -> Any:
    """A gated cell's gates at every word (LSTM: input, forget, output and the cell state; GRU: update,
    reset)."""
    tokens, values = _answer(lambda m: m.gate_values(body["cell"], body["text"]))
    return {"tokens": tokens, "gates": values}


@bp.post("/rnn/connectivity")
@bp.arguments(ConnectivityRequestSchema)
@bp.response(200, ConnectivitySchema)
def connectivity(body: dict[str, Any]) -> Any:
    """How strongly each earlier word affects the hidden state at `position`: the Frobenius norm of the
    Jacobian of h_position with respect to each earlier word's embedding."""
    tokens, norms = _answer(lambda m: m.connectivity(body["cell"], body["text"], body["position"]))
    return {"tokens": tokens, "norms": norms}


@bp.get("/rnn/models")
@bp.response(200, ModelInfoSchema(many=True))
def models() -> Any:
    """The installed models: sizes, equation and perplexities."""
    return _models().installed()


# Live training -------------------------------------------------------------------------------------


def visitor_id() -> str:
    """Who the limits count: the account when logged in, else a random id kept in the session."""
    if current_user.is_authenticated:
        return f"user-{current_user.id}"
    if "demo_visitor" not in session:
        session["demo_visitor"] = secrets.token_urlsafe(16)
    return f"guest-{session['demo_visitor']}"


def _training_limit() -> str:
    return str(current_app.config.get("UNROLL_RNN_TRAIN_RATE", "60 per hour"))


def _refusal(exc: rnn_training.JobRefused) -> Response:
    """409 or 429 with the error body every API error has, plus when to retry and the blocking job.
    Built here because the app's 429 handler words its message for the login limiter."""
    name = "Conflict" if exc.status == 409 else "Too Many Requests"
    body = {"code": exc.status, "status": name, "message": exc.message, "error": exc.message}
    response = jsonify(body | {"retry_after": exc.retry_after, "job": exc.job_id})
    response.status_code = exc.status
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


@bp.errorhandler(RateLimitExceeded)
def _too_many_jobs(error: RateLimitExceeded) -> Response:
    """The hourly job limit: Retry-After and the body both say when the next job may start."""
    current = limiter.current_limit
    wait = max(1, int(current.reset_at - time.time())) if current else 3600
    message = f"Training jobs are limited to {error.description}; the next may start in {wait} seconds."
    return _refusal(rnn_training.JobRefused(429, message, wait))


@bp.post("/rnn/jobs")
@limiter.limit(_training_limit, deduct_when=lambda response: response.status_code == 202)  # jobs started
@bp.arguments(JobRequestSchema)
@bp.response(202, JobSchema)
@bp.alt_response(409, description="This visitor's previous job is still running (see Retry-After)")
@bp.alt_response(429, description="The machine is training as many models as it allows (see Retry-After)")
def start_job(body: dict[str, Any]) -> Any:
    """Train a small model (embedding 16, hidden 32 unless set) in a separate, CPU-limited process; poll the job."""
    config = current_app.config
    try:
        return rnn_training.start_job(
            visitor_id(),
            body["cell"],
            body["steps"],
            body["text"],
            now(),
            config["SQLALCHEMY_DATABASE_URI"],
            config["UNROLL_CONTENT_DIR"],
            rnn_training.Limits.from_config(config),
            Settings(
                body["lr"],
                body["hidden"],
                body["clip_threshold"] if body["clip"] else None,
                body["truncation"],
            ),
        )
    except rnn_training.JobError as exc:
        abort(400, message=str(exc))
    except rnn_training.JobRefused as exc:
        return _refusal(exc)


@bp.get("/rnn/jobs/<int:job_id>")
@bp.response(200, JobSchema)
@bp.alt_response(404, description="No job of yours has this id")
def get_job(job_id: int) -> Any:
    """A training job's progress: its status and the loss at every step so far."""
    job = rnn_training.get_job(job_id, visitor_id())
    if job is None:
        abort(404, message="You have no training job with this id.")
    return job
