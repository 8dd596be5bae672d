"""How much of the last word's loss gradient reaches each earlier time step, with scaled recurrent weights.

Backpropagation through time multiplies the gradient by one Jacobian per step,
dL/dh_{t-1} = J_t^T dL/dh_t, with J_t = diag(1 - h_t^2) W_hh for the vanilla cell. Scaling W_hh by s
multiplies every Jacobian by s, so over k steps the gradient changes by about s^k: it vanishes for
s < 1 and explodes for s > 1 once the product of the Jacobians' gains crosses 1.

Measured naively, by running the network again with s * W_hh, the tanh units saturate at s = 3
(|h| -> 1, so 1 - h^2 -> 0) and the saturation cancels most of the growth. The default definition
therefore keeps the forward pass the network really runs and scales the recurrent matrix in the
backward pass only: the Jacobians are s * W along the trained network's trajectory (the linearisation
used by Pascanu, Mikolov and Bengio 2013). `rerun=True` gives the other, saturating, measurement.
For a GRU, s scales W_hr, W_hz and W_hn; the update gate's path z_t * h_{t-1} is no weight and keeps
passing gradient, which is why gating protects against vanishing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from app.rnn.text import PromptError, tokenize

if TYPE_CHECKING:
    from app.rnn.model import LanguageModel


def gradient_norms(model: LanguageModel, text: str, scale: float = 1.0, rerun: bool = False) -> list[float]:
    """||dL/dh_t|| for the cross-entropy of the text's last word given the words before it.

    norms[i] belongs to tokens[i] (the state after reading it), first word first; there is one fewer
    than there are tokens, because the last token is the target. Computed in float64.
    """
    if not scale > 0:
        raise ValueError("the scale must be positive")
    tokens = tokenize(text)
    if len(tokens) < 2:
        raise PromptError("type at least two words: the loss is on the last one")
    ids = model.vocab.encode(tokens)
    weights = model.params.astype(np.float64)
    scaled = weights.copy()
    for name in model.cell.recurrent:
        scaled[name][...] *= scale
    trace = model.cell.forward(scaled if rerun else weights, weights["embedding"][ids[:-1]][:, None, :])
    dhs = np.zeros_like(trace.hs[1:])
    dhs[-1, 0] = last_word_gradient(weights["W_hy"], weights["b_y"], trace.hs[-1, 0], int(ids[-1]))
    model.cell.backward(scaled, trace, dhs, weights.zeros_like())
    assert trace.dhs is not None
    return np.linalg.norm(trace.dhs[:, 0, :], axis=1).tolist()


def last_word_gradient(w_hy: np.ndarray, b_y: np.ndarray, h: np.ndarray, target: int) -> np.ndarray:
    """dL/dh for L = -log softmax(h W_hy + b_y)[target]."""
    z = h @ w_hy + b_y
    p = np.exp(z - z.max())
    p /= p.sum()
    p[target] -= 1.0
    return w_hy @ p
