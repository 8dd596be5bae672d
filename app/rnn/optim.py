"""Adam and global-norm gradient clipping, on the flat parameter buffer: a handful of vector operations."""

from __future__ import annotations

import numpy as np

from app.rnn.params import ParamSet


def clip_global_norm(grads: ParamSet, max_norm: float) -> float:
    """Scale all gradients together so their joint L2 norm is at most `max_norm`; return the norm before."""
    norm = float(np.sqrt(np.dot(grads.flat, grads.flat)))
    if max_norm > 0 and norm > max_norm:
        grads.flat *= max_norm / norm
    return norm


class Adam:
    """Adam (Kingma & Ba 2015) with bias correction; state is two buffers shaped like the parameters."""

    def __init__(
        self, params: ParamSet, lr: float = 0.01, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8
    ):
        self.params, self.lr, self.eps = params, lr, eps
        self.beta1, self.beta2 = betas
        self.m = np.zeros_like(params.flat)
        self.v = np.zeros_like(params.flat)
        self._scratch = np.empty_like(params.flat)
        self.t = 0

    def step(self, grads: ParamSet) -> None:
        """Move the parameters against the gradient, in place."""
        self.t += 1
        g, s = grads.flat, self._scratch
        self.m *= self.beta1
        np.multiply(g, 1.0 - self.beta1, out=s)
        self.m += s
        self.v *= self.beta2
        np.multiply(g, g, out=s)
        s *= 1.0 - self.beta2
        self.v += s
        # p -= lr_t * m / (sqrt(v) + eps_t): the bias corrections folded into two scalars.
        lr_t = float(self.lr * np.sqrt(1.0 - self.beta2**self.t) / (1.0 - self.beta1**self.t))
        eps_t = float(self.eps * np.sqrt(1.0 - self.beta2**self.t))
        np.sqrt(self.v, out=s)
        s += eps_t
        np.divide(self.m, s, out=s)
        s *= lr_t
        self.params.flat -= s
