"""What the network does inside, per word: its gates over time, and how strongly each earlier word
affects the hidden state at a chosen position (the norm of a Jacobian, computed by backpropagation)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from app.rnn.text import PromptError, tokenize

if TYPE_CHECKING:
    from app.rnn.model import LanguageModel

GATE_NAMES = {"gru": ("update", "reset"), "lstm": ("input", "forget", "output", "cell")}


def gate_values(model: LanguageModel, text: str) -> tuple[list[str], dict[str, list[list[float]]]]:
    """The tokens and, per gate, one row per token (H values): the GRU's update z_t and reset r_t, the
    LSTM's input i_t, forget f_t and output o_t, and its cell state c_t ("cell", not a gate: any real
    number). Computed in float64 by the training forward pass."""
    names = GATE_NAMES.get(model.cell_name)
    if names is None:
        raise ValueError("the vanilla RNN has no gates: choose gru or lstm")
    tokens, trace = _forward(model, text)
    if model.cell_name == "gru":
        arrays = {"update": trace.z[:, 0], "reset": trace.r[:, 0]}
    else:
        gates = trace.gates[:, :, 0]
        arrays = {"input": gates[:, 0], "forget": gates[:, 1], "output": gates[:, 3], "cell": trace.cs[1:, 0]}
    return tokens, {name: arrays[name].tolist() for name in names}


def connectivity(model: LanguageModel, text: str, position: int) -> tuple[list[str], list[float]]:
    """||d h_position / d x_k||_F for k = 0..position, where x_k is the embedding of token k.

    One backward pass carries the whole H x H Jacobian: the forward pass runs H identical copies of the
    text as a batch, and copy j starts backpropagation from the unit vector e_j at h_position, so the
    gradient that reaches x_k in copy j is row j of the Jacobian d h_position / d x_k. It is the cell's own
    BPTT, so it follows every path: the recurrence and, for gated cells, the gates and the LSTM's cell state.
    """
    tokens = tokenize(text)
    if not tokens:
        raise PromptError("type at least one word")
    if not 0 <= position < len(tokens):
        raise PromptError(f"position must be between 0 and {len(tokens) - 1}, the text's last word")
    ids = model.vocab.encode(tokens[: position + 1])
    weights = model.params.astype(np.float64)
    size = model.hidden
    xs = np.ascontiguousarray(np.repeat(weights["embedding"][ids][:, None, :], size, axis=1))
    trace = model.cell.forward(weights, xs)
    seeds = np.zeros((position + 1, size, size))
    seeds[position] = np.eye(size)
    dxs = model.cell.backward(weights, trace, seeds, weights.zeros_like())
    return tokens, np.sqrt(np.einsum("tjd,tjd->t", dxs, dxs)).tolist()


def _forward(model: LanguageModel, text: str) -> tuple[list[str], Any]:
    tokens = tokenize(text)
    if not tokens:
        raise PromptError("type at least one word")
    weights = model.params.astype(np.float64)
    ids = model.vocab.encode(tokens)
    return tokens, model.cell.forward(weights, weights["embedding"][ids][:, None, :])
