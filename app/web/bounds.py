"""Hostile input stops at the door as a 4xx: ids no database column can hold, NUL characters
(PostgreSQL refuses them in text), JSON nested deeper than any request needs, non-finite numbers."""

from __future__ import annotations

import json
import math
from typing import Any

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # ids are INTEGER columns: 32-bit signed on PostgreSQL
MAX_JSON_DEPTH = 32
NUL = "\x00"


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` for database ids: 0 to 2^31 - 1; a longer number matches no route (404)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 0)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def db_int(value: str) -> int:
    """`type=` for request.args/form.get: an id a database column can hold, else ValueError (None)."""
    number = int(value)
    if not 0 <= number <= MAX_ID:
        raise ValueError(f"{value} is out of range")
    return number


def finite_float(value: str) -> float:
    """`type=` for request.args/form.get: a finite float, else ValueError (so nan and inf read as None)."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{value} is not a finite number")
    return number


def register(app: Flask) -> None:
    """Install the bounded `int` converter (before any route is added) and the input guard."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(_guard_input)


def _guard_input() -> None:
    if NUL in request.path or any(
        NUL in key or NUL in value for key, value in request.args.items(multi=True)
    ):
        abort(400, description="The address contains a NUL character.")
    if request.mimetype == "application/x-www-form-urlencoded" or request.mimetype == "multipart/form-data":
        if any(NUL in key or NUL in value for key, value in request.form.items(multi=True)):
            abort(400, description="A form field contains a NUL character.")
    elif request.is_json and request.content_length != 0:
        _check_json(request.get_data(cache=True))


def _check_json(raw: bytes) -> None:
    try:
        data = json.loads(raw)
    except RecursionError:
        abort(400, description=f"The JSON body is nested too deeply (the limit is {MAX_JSON_DEPTH}).")
    except ValueError:
        return  # the view's parser answers invalid JSON with its own message
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if NUL in value:
                abort(400, description="The JSON body contains a NUL character.")
        elif isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                abort(400, description=f"The JSON body is nested too deeply (the limit is {MAX_JSON_DEPTH}).")
            items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            pending.extend((item, depth + 1) for item in items)
