"""How much of the last word's loss gradient reaches each earlier time step."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from app.rnn.text import PromptError, tokenize

if TYPE_CHECKING:
    from app.rnn.model import LanguageModel


def gradient_norms(model: LanguageModel, text: str, scale: float = 1.0, mode: str = "linear") -> list[float]:
    """DRAFT."""
    tokens = tokenize(text)
    if len(tokens) < 2:
        raise PromptError("type at least two words: the loss is on the last one")
    ids = model.vocab.encode(tokens)
    base = model.params.astype(np.float64)
    scaled = base.copy()
    for name in model.cell.recurrent:
        scaled[name][...] *= scale
    run_with = scaled if mode == "full" else base
    trace = model.cell.forward(run_with, base["embedding"][ids[:-1]][:, None, :])
    logits = trace.hs[-1, 0] @ base["W_hy"] + base["b_y"]
    probs = np.exp(logits - logits.max())
    probs /= probs.sum()
    probs[ids[-1]] -= 1.0
    dhs = np.zeros_like(trace.hs[1:])
    dhs[-1, 0] = base["W_hy"] @ probs
    model.cell.backward(scaled, trace, dhs, base.zeros_like())
    assert trace.dhs is not None
    return np.linalg.norm(trace.dhs[:, 0, :], axis=1).tolist()
