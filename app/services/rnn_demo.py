"""The live demo's use of the shipped models: next words, continuations, one step's numbers, gradient flow,
gates over time and connectivity.

Each folder's models are loaded once per process and shared by every request (prediction never changes
them). The limits a learner's request must respect live here, so the API schemas and the page agree.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from app.rnn import LanguageModel, ModelFileError, Prediction, PromptError, StepDetail, load_model
from app.services.rnn_models import WEIGHTS_DIR, weights_path

CELLS = ("vanilla", "gru", "lstm")
GATED_CELLS = ("gru", "lstm")
CELL_NAMES = {"vanilla": "Vanilla RNN", "gru": "GRU", "lstm": "LSTM"}
MAX_TEXT = 500
K_RANGE = (1, 20)
MIN_TEMPERATURE, MAX_TEMPERATURE = 0.05, 5.0  # colder than 0.05 is greedy in all but name
SCALE_RANGE = (0.5, 3.0)
MAX_WORDS = 50
T = TypeVar("T")
DEFAULT_TEXT = "the hidden state carries what the network has read so far , so the"


class DemoError(ValueError):
    """A request the demo cannot answer, with a message the learner can act on."""


class ModelUnavailable(RuntimeError):
    """The weights of a cell are missing or unreadable."""


@dataclass(frozen=True)
class ModelInfo:
    cell: str
    name: str
    equation: str
    vocab_size: int
    embed: int
    hidden: int
    steps: int
    perplexities: dict[str, float]


class DemoModels:
    """The shipped models of one weights folder, each read on first use and then kept."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._models: dict[str, LanguageModel] = {}
        self._lock = threading.Lock()

    def model(self, cell: str) -> LanguageModel:
        check_cell(cell)
        if cell not in self._models:
            with self._lock:
                if cell not in self._models:
                    self._models[cell] = self._load(cell)
        return self._models[cell]

    def _load(self, cell: str) -> LanguageModel:
        try:
            return load_model(weights_path(cell, self.folder))
        except ModelFileError as exc:
            raise ModelUnavailable(
                f"The {CELL_NAMES[cell]} model is not installed ({exc}). Run `flask rnn train --cell {cell}`."
            ) from exc

    def info(self, cell: str) -> ModelInfo:
        m = self.model(cell)
        return ModelInfo(
            cell, CELL_NAMES[cell], m.cell.equation, len(m.vocab), m.embed, m.hidden, m.steps, m.perplexities
        )

    def installed(self) -> list[ModelInfo]:
        """The models whose weights can be read."""
        infos = []
        for cell in CELLS:
            try:
                infos.append(self.info(cell))
            except ModelUnavailable:
                continue
        return infos

    def predict(self, cell: str, text: str, k: int = 5, temperature: float = 1.0) -> Prediction:
        """The k likeliest next words after `text`, and the hidden state after each of its tokens."""
        check_text(text)
        check_range("k", k, *K_RANGE)
        check_temperature(temperature)
        return _prompted(lambda: self.model(cell).predict(text, k, temperature))

    def generate(
        self,
        cell: str,
        text: str,
        n_words: int,
        temperature: float = 1.0,
        greedy: bool = False,
        seed: int = 0,
    ) -> list[str]:
        """`n_words` more words: the likeliest each time (greedy) or sampled at the temperature."""
        check_text(text)
        check_range("n", n_words, 1, MAX_WORDS)
        check_temperature(temperature)
        return _prompted(lambda: self.model(cell).generate(text, n_words, temperature, greedy, seed))

    def step_details(self, cell: str, text: str, unit: int = 0) -> list[StepDetail]:
        """Every time step's x_t, h_{t-1}, h_t and the equation's terms for one hidden unit."""
        check_text(text)
        model = self.model(cell)
        check_range("unit", unit, 0, model.hidden - 1)
        return _prompted(lambda: model.step_details(text, unit))

    def gradient_norms(self, cell: str, text: str, scale: float = 1.0) -> list[float | None]:
        """||dL/dh_t|| for the last word's loss, first word first; None where a norm overflowed."""
        check_text(text)
        if not SCALE_RANGE[0] <= scale <= SCALE_RANGE[1]:
            raise DemoError(f"The scale must be between {SCALE_RANGE[0]:g} and {SCALE_RANGE[1]:g}.")
        norms = _prompted(lambda: self.model(cell).gradient_norms(text, scale))
        return [n if math.isfinite(n) else None for n in norms]

    def gate_values(self, cell: str, text: str) -> tuple[list[str], dict[str, list[list[float]]]]:
        """The tokens and each gate's values (GRU: update, reset; LSTM: input, forget, output, cell state),
        one row of hidden-size values per token."""
        check_text(text)
        if cell not in GATED_CELLS:
            check_cell(cell)
            raise DemoError(f"The {CELL_NAMES[cell]} has no gates: choose {' or '.join(GATED_CELLS)}.")
        return _prompted(lambda: self.model(cell).gate_values(text))

    def connectivity(self, cell: str, text: str, position: int) -> tuple[list[str], list[float]]:
        """The tokens and ||d h_position / d x_k|| for every token k up to `position`."""
        check_text(text)
        return _prompted(lambda: self.model(cell).connectivity(text, position))


@cache
def demo_models(folder: Path = WEIGHTS_DIR) -> DemoModels:
    """One DemoModels per folder and process."""
    return DemoModels(folder)


def models_from_config(config: Mapping[str, Any]) -> DemoModels:
    """The models of UNROLL_RNN_WEIGHTS_DIR if set, else the shipped ones."""
    folder = config.get("UNROLL_RNN_WEIGHTS_DIR")
    return demo_models(Path(folder) if folder else WEIGHTS_DIR)


def _prompted(call: Callable[[], T]) -> T:
    try:
        return call()
    except PromptError as exc:
        raise DemoError(sentence(str(exc))) from exc


def check_cell(cell: str) -> None:
    if cell not in CELLS:
        raise DemoError(f"The cell must be one of {', '.join(CELLS)}.")


def check_text(text: str) -> None:
    if not text.strip():
        raise DemoError("Type at least one word.")
    if len(text) > MAX_TEXT:
        raise DemoError(f"The text is {len(text)} characters long; the demo reads at most {MAX_TEXT}.")


def check_temperature(temperature: float) -> None:
    if not MIN_TEMPERATURE <= temperature <= MAX_TEMPERATURE:
        raise DemoError(f"The temperature must be from {MIN_TEMPERATURE:g} to {MAX_TEMPERATURE:g}.")


def check_range(name: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise DemoError(f"{name} must be between {low} and {high}.")


def sentence(text: str) -> str:
    """'type at least one word' -> 'Type at least one word.'"""
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:] + "."
