"""The gated recurrent unit, in the convention of PyTorch and cuDNN (Cho et al. 2014 with the reset gate
applied after the recurrent product):

    r_t = sigmoid(W_xr x_t + W_hr h_{t-1} + b_r)                 reset gate
    z_t = sigmoid(W_xz x_t + W_hz h_{t-1} + b_z)                 update gate
    n_t = tanh(W_xn x_t + b_n + r_t * (W_hn h_{t-1} + b_hn))     candidate state
    h_t = (1 - z_t) * n_t + z_t * h_{t-1}                         z_t near 1 keeps the old state

In code the three gates are column blocks [r | z | n] of W_x (n_in, 3H), W_h (H, 3H) and b (3H), so one
matrix product per step serves all three; b_hn (H) sits inside the reset gate's product.
"""

from __future__ import annotations

import numpy as np

from app.rnn.cells import Cell, Terms, Trace, orthogonal, sigmoid_, terms, uniform
from app.rnn.params import ParamSet, Shapes


class GRUTrace(Trace):
    """The GRU's forward values: gates r|z (T, B, 2H), candidate n and W_hn h + b_hn (T, B, H)."""

    def __init__(self, xs: np.ndarray, hs: np.ndarray, rz: np.ndarray, n: np.ndarray, hn: np.ndarray) -> None:
        super().__init__(xs, hs)
        self.rz, self.n, self.hn = rz, n, hn


class GRUCell(Cell):
    kind = "gru"
    equation = (
        "h_t = (1 - z_t) * n_t + z_t * h_{t-1},  n_t = tanh(W_xn x_t + b_n + r_t * (W_hn h_{t-1} + b_hn))"
    )
    recurrent = ("W_h",)

    def shapes(self, n_in: int, n_hidden: int) -> Shapes:
        return {
            "W_x": (n_in, 3 * n_hidden),
            "W_h": (n_hidden, 3 * n_hidden),
            "b": (3 * n_hidden,),
            "b_hn": (n_hidden,),
        }

    def init(self, params: ParamSet, rng: np.random.Generator) -> None:
        n_in, width = params["W_x"].shape
        n_hidden = width // 3
        params["W_x"][...] = uniform(rng, (n_in, width), n_in)
        for gate in range(3):
            params["W_h"][:, gate * n_hidden : (gate + 1) * n_hidden] = orthogonal(rng, n_hidden)
        params["b"][...] = 0.0
        params["b_hn"][...] = 0.0

    def forward(self, params: ParamSet, xs: np.ndarray) -> GRUTrace:
        steps, batch, n_in = xs.shape
        w_h, b_hn = params["W_h"], params["b_hn"]
        n_hidden = w_h.shape[0]
        gx = (xs.reshape(steps * batch, n_in) @ params["W_x"]).reshape(steps, batch, -1)
        gx += params["b"]
        hs = np.empty((steps + 1, batch, n_hidden), dtype=xs.dtype)
        hs[0] = 0.0
        rz = np.empty((steps, batch, 2 * n_hidden), dtype=xs.dtype)
        n = np.empty((steps, batch, n_hidden), dtype=xs.dtype)
        hn = np.empty_like(n)
        gh = np.empty((batch, 3 * n_hidden), dtype=xs.dtype)
        for t in range(steps):
            _step(hs[t], gx[t], w_h, b_hn, gh, rz[t], n[t], hn[t], hs[t + 1])
        return GRUTrace(xs, hs, rz, n, hn)

    def backward(self, params: ParamSet, trace: Trace, dhs: np.ndarray, grads: ParamSet) -> np.ndarray:
        assert isinstance(trace, GRUTrace)
        steps, batch, n_hidden = dhs.shape
        h_prev, xs = trace.hs[:-1], trace.xs
        r, z, n = trace.rz[..., :n_hidden], trace.rz[..., n_hidden:], trace.n
        via_z = (h_prev - n) * z * (1.0 - z)  # dL/d(z pre-activation) = dL/dh_t * via_z
        via_n = (1.0 - z) * (1.0 - n * n)  # dL/d(n pre-activation) = dL/dh_t * via_n
        via_r = trace.hn * r * (1.0 - r)  # dL/d(r pre-activation) = dL/d(n pre-activation) * via_r
        dg = np.empty(
            (steps, batch, 3 * n_hidden), dtype=dhs.dtype
        )  # [d r-pre | d z-pre | d (W_hn h + b_hn)]
        dn = np.empty_like(dhs)
        total = np.empty_like(dhs)
        carried = np.zeros((batch, n_hidden), dtype=dhs.dtype)
        product = np.empty_like(carried)
        w_h_t = params["W_h"].T
        for t in range(steps - 1, -1, -1):
            np.add(dhs[t], carried, out=total[t])
            np.multiply(total[t], via_z[t], out=dg[t, :, n_hidden : 2 * n_hidden])
            np.multiply(total[t], via_n[t], out=dn[t])
            np.multiply(dn[t], via_r[t], out=dg[t, :, :n_hidden])
            np.multiply(dn[t], r[t], out=dg[t, :, 2 * n_hidden :])
            np.multiply(total[t], z[t], out=carried)
            np.dot(dg[t], w_h_t, out=product)
            carried += product
        trace.dhs = total
        return _weight_grads(params, grads, xs, h_prev, dg, dn)

    def input_table(self, params: ParamSet, embedding: np.ndarray) -> np.ndarray:
        return embedding @ params["W_x"] + params["b"]

    def run(self, params: ParamSet, rows: np.ndarray, h0: np.ndarray | None = None) -> np.ndarray:
        w_h, b_hn = params["W_h"], params["b_hn"]
        n_hidden = w_h.shape[0]
        hs = np.empty((len(rows) + 1, n_hidden), dtype=rows.dtype)
        hs[0] = 0.0 if h0 is None else h0
        gh = np.empty(3 * n_hidden, dtype=rows.dtype)
        rz = np.empty(2 * n_hidden, dtype=rows.dtype)
        n = np.empty(n_hidden, dtype=rows.dtype)
        hn = np.empty(n_hidden, dtype=rows.dtype)
        for t in range(len(rows)):
            _step(hs[t], rows[t], w_h, b_hn, gh, rz, n, hn, hs[t + 1])
        return hs[1:]

    def explain(
        self, params: ParamSet, x: np.ndarray, h_prev: np.ndarray, unit: int
    ) -> tuple[Terms, dict[str, Terms]]:
        n_hidden = params["W_h"].shape[0]
        cols = [unit, n_hidden + unit, 2 * n_hidden + unit]
        x_part = x @ params["W_x"][:, cols]
        h_part = h_prev @ params["W_h"][:, cols]
        bias = params["b"][cols]
        r, z = 1.0 / (1.0 + np.exp(-(x_part[:2] + h_part[:2] + bias[:2])))
        reset = r * (h_part[2] + params["b_hn"][unit])
        n = np.tanh(x_part[2] + reset + bias[2])
        gates = {
            "r": terms(x_part[0], h_part[0], bias[0], r),
            "z": terms(x_part[1], h_part[1], bias[1], z),
        }
        return terms(x_part[2], reset, bias[2], n), gates


def _step(
    h: np.ndarray,
    gx: np.ndarray,
    w_h: np.ndarray,
    b_hn: np.ndarray,
    gh: np.ndarray,
    rz: np.ndarray,
    n: np.ndarray,
    hn: np.ndarray,
    out: np.ndarray,
) -> None:
    """One GRU step for a batch or one vector, every result written into a preallocated buffer."""
    n_hidden = h.shape[-1]
    np.dot(h, w_h, out=gh)
    np.add(gx[..., : 2 * n_hidden], gh[..., : 2 * n_hidden], out=rz)
    sigmoid_(rz)
    np.add(gh[..., 2 * n_hidden :], b_hn, out=hn)
    np.multiply(rz[..., :n_hidden], hn, out=n)
    n += gx[..., 2 * n_hidden :]
    np.tanh(n, out=n)
    np.subtract(h, n, out=out)
    out *= rz[..., n_hidden:]
    out += n


def _weight_grads(
    params: ParamSet, grads: ParamSet, xs: np.ndarray, h_prev: np.ndarray, dg: np.ndarray, dn: np.ndarray
) -> np.ndarray:
    """Parameter gradients from the per-step pre-activation gradients, batched over all time steps."""
    steps, batch, width = dg.shape
    n_hidden = width // 3
    dg2 = dg.reshape(steps * batch, width)
    np.dot(h_prev.reshape(steps * batch, n_hidden).T, dg2, out=grads["W_h"])
    np.sum(dg2[:, 2 * n_hidden :], axis=0, out=grads["b_hn"])
    dg[..., 2 * n_hidden :] = dn  # the input side sees the candidate's own pre-activation gradient
    np.dot(xs.reshape(steps * batch, -1).T, dg2, out=grads["W_x"])
    np.sum(dg2, axis=0, out=grads["b"])
    return (dg2 @ params["W_x"].T).reshape(xs.shape)
