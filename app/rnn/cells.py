"""The interface every recurrent cell implements, and the values they report about one step."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.rnn.params import ParamSet, Shapes


@dataclass(frozen=True)
class Terms:
    """One unit's pre-activation split as the equation reads: input + recurrent + bias = total -> value."""

    input: float
    recurrent: float
    bias: float
    total: float
    value: float


class Trace:
    """What a forward pass keeps for the backward pass; `hs[t + 1]` is h_t and `hs[0]` the zero state."""

    def __init__(self, xs: np.ndarray, hs: np.ndarray) -> None:
        self.xs = xs
        self.hs = hs
        self.dhs: np.ndarray | None = None  # filled by backward: dL/dh_t, recurrent part included


class Runner(ABC):
    """Prediction's forward pass over one sequence: every word's input pre-activation (embedding times
    input weights, plus bias) is looked up from a table computed once, so a step costs one small matrix
    product and a few vector operations."""

    @abstractmethod
    def run(self, ids: Sequence[int] | np.ndarray, h0: np.ndarray | None = None) -> np.ndarray:
        """Hidden states (T, n_hidden), a new array, after each token id, from the zero state or `h0`."""

    def states(self, ids: Sequence[int] | np.ndarray, h0: np.ndarray | None = None) -> np.ndarray:
        """Like `run`, but possibly a view into the runner's buffers, valid until its next call."""
        return self.run(ids, h0)

    def run_state(
        self, ids: Sequence[int] | np.ndarray, state: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Hidden states and the state to carry into the next call (h_T here; an LSTM adds c_T)."""
        hs = self.run(ids, state)
        return hs, hs[-1]


class Cell(ABC):
    """A recurrent cell over batches laid out time-major: xs (T, B, n_in) -> hs (T + 1, B, n_hidden)."""

    kind: str
    equation: str
    recurrent: tuple[str, ...]  # the recurrent weight matrices (what the gradient-flow slider scales)

    @abstractmethod
    def shapes(self, n_in: int, n_hidden: int) -> Shapes: ...

    @abstractmethod
    def init(self, params: ParamSet, rng: np.random.Generator) -> None: ...

    @abstractmethod
    def forward(self, params: ParamSet, xs: np.ndarray) -> Trace: ...

    @abstractmethod
    def backward(self, params: ParamSet, trace: Trace, dhs: np.ndarray, grads: ParamSet) -> np.ndarray:
        """Write the cell's parameter gradients into `grads`, set `trace.dhs` and return dL/dxs."""

    @abstractmethod
    def runner(self, params: ParamSet, embedding: np.ndarray) -> Runner:
        """A fast single-sequence forward pass for prediction, with the input side precomputed."""

    @abstractmethod
    def explain(
        self, params: ParamSet, x: np.ndarray, h_prev: np.ndarray, unit: int
    ) -> tuple[Terms, dict[str, Terms]]:
        """The state update's terms for one unit, and the gates' terms (none for a vanilla cell)."""


def uniform(rng: np.random.Generator, shape: tuple[int, ...], fan_in: int) -> np.ndarray:
    """Glorot-style uniform initialisation, scaled by the fan-in."""
    bound = 1.0 / np.sqrt(fan_in)
    return rng.uniform(-bound, bound, size=shape)


def orthogonal(rng: np.random.Generator, n: int) -> np.ndarray:
    """A random orthogonal matrix: every singular value 1, so the untrained recurrence neither shrinks
    nor grows a gradient on its own."""
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def terms(x_part: float, h_part: float, bias: float, value: float) -> Terms:
    return Terms(float(x_part), float(h_part), float(bias), float(x_part + h_part + bias), float(value))
