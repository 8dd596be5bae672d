"""The live RNN demo page. It is a GET form, so ?text=, ?cell= and ?temperature= links (from question sets)
open a given state and a prediction shows without JavaScript; static/demo.js makes it live."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue

from app.services import rnn_demo, rnn_training
from app.services.rnn_demo import (
    CELL_NAMES,
    CELLS,
    DEFAULT_TEXT,
    K_RANGE,
    MAX_TEMPERATURE,
    MAX_TEXT,
    MIN_TEMPERATURE,
)

bp = Blueprint("demo", __name__)
K_CHOICES = (3, 5, 10, 20)


@dataclass
class DemoQuery:
    """The page's state as the query string gives it; values that cannot be used fall back, with a note."""

    text: str = DEFAULT_TEXT
    cell: str = "vanilla"
    temperature: float = 1.0
    k: int = 5
    notes: list[str] = field(default_factory=list)


def read_query(args: Mapping[str, str]) -> DemoQuery:
    query = DemoQuery(text=args.get("text", DEFAULT_TEXT))
    if len(query.text) > MAX_TEXT:
        query.notes.append(f"The demo reads at most {MAX_TEXT} characters; the rest of your text was cut.")
        query.text = query.text[:MAX_TEXT]
    cell = args.get("cell", "vanilla")
    if cell in CELLS:
        query.cell = cell
    else:
        query.notes.append(
            f"There is no “{cell}” model here: choose vanilla, gru or lstm. Showing the vanilla RNN."
        )
    query.temperature = _number(args, "temperature", 1.0, MIN_TEMPERATURE, MAX_TEMPERATURE, query.notes)
    query.k = int(_number(args, "k", 5, K_RANGE[0], K_RANGE[1], query.notes))
    return query


def _number(
    args: Mapping[str, str], name: str, default: float, low: float, high: float, notes: list[str]
) -> float:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not low <= value <= high:
        notes.append(f"?{name}= must be a number from {low:g} to {high:g}; using {default:g}.")
        return default
    return value


@bp.get("/demo")
def demo_page() -> ResponseReturnValue:
    """Next-word prediction for the text in the query, and the live views around it."""
    query = read_query(request.args)
    models = rnn_demo.models_from_config(current_app.config)
    installed = models.installed()
    prediction, problem, status = None, None, 200
    if not installed:
        problem, status = "The demo's models are not installed yet. Run `flask rnn train`.", 503
    elif query.cell not in {info.cell for info in installed}:
        problem = f"The {CELL_NAMES[query.cell]} model is not installed."
    elif query.text.strip():
        try:
            prediction = models.predict(query.cell, query.text, query.k, query.temperature)
        except rnn_demo.DemoError as exc:
            problem = str(exc)
    limits = rnn_training.Limits.from_config(current_app.config)
    k_choices = sorted({*K_CHOICES, query.k})
    return render_template(
        "demo.html",
        query=query,
        prediction=prediction,
        problem=problem,
        models=installed,
        cells=CELL_NAMES,
        k_choices=k_choices,
        limits=limits,
        min_steps=rnn_training.MIN_STEPS,
        max_text=MAX_TEXT,
        max_temperature=MAX_TEMPERATURE,
        train_defaults=rnn_training.Settings(),
        train_bounds={
            "lr": rnn_training.LR_RANGE,
            "hidden": rnn_training.HIDDEN_RANGE,
            "clip": rnn_training.CLIP_RANGE,
            "seq_len": rnn_training.SEQ_LEN_RANGE,
        },
        page_data={
            "models": [asdict(info) for info in installed],
            "cells": list(CELLS),
            "cellNames": CELL_NAMES,
            "maxText": MAX_TEXT,
        },
    ), status
