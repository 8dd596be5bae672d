"""The gated recurrent unit, in the convention of PyTorch and cuDNN (Cho et al. 2014 with the reset gate
applied after the recurrent product):

    r_t = sigmoid(W_xr x_t + W_hr h_{t-1} + b_r)                 reset gate
    z_t = sigmoid(W_xz x_t + W_hz h_{t-1} + b_z)                 update gate
    n_t = tanh(W_xn x_t + b_n + r_t * (W_hn h_{t-1} + b_hn))     candidate state
    h_t = (1 - z_t) * n_t + z_t * h_{t-1}                         z_t near 1 keeps the old state

The parameters hold the three gates as column blocks [r | z | n] of W_x (n_in, 3H), W_h (H, 3H) and
b (3H); b_hn (H) sits inside the reset gate's product. Training's forward pass works gate-major, so each
step's operands are contiguous; its backward pass takes one product per step for all three gates.
"""

from __future__ import annotations

import numpy as np

from app.rnn.cells import Cell, Runner, Terms, Trace, orthogonal, terms, uniform
from app.rnn.params import ParamSet, Shapes


class GRUTrace(Trace):
    """The GRU's forward values, gate-major so every per-step operand is contiguous: gates r and z
    (T, 2, B, H); candidate n, hn = W_hn h + b_hn and h_{t-1} - n, each (T, B, H)."""

    def __init__(self, xs: np.ndarray, hs: np.ndarray, rz: np.ndarray, n: np.ndarray, hn: np.ndarray) -> None:
        super().__init__(xs, hs)
        self.rz, self.n, self.hn = rz, n, hn
        self.h_minus_n = np.empty_like(n)


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
        steps, batch, _ = xs.shape
        n_hidden = params["W_h"].shape[0]
        gx = _per_gate(xs, params["W_x"], params["b"])
        gx[:2] *= 0.5  # sigmoid(a) = (1 + tanh(a / 2)) / 2, and halving is exact
        w_r, w_z, w_n = _blocks(params["W_h"])
        w_r *= 0.5
        w_z *= 0.5
        b_hn, halves = params["b_hn"], np.full((2, batch, n_hidden), 0.5, dtype=xs.dtype)
        hs = np.zeros((steps + 1, batch, n_hidden), dtype=xs.dtype)
        rz = np.empty((steps, 2, batch, n_hidden), dtype=xs.dtype)
        n = np.empty((steps, batch, n_hidden), dtype=xs.dtype)
        trace = GRUTrace(xs, hs, rz, n, np.empty_like(n))
        # Iterating over views made once costs less than indexing every array at every step.
        views = zip(
            hs[:-1],
            hs[1:],
            rz,
            rz[:, 0],
            rz[:, 1],
            trace.hn,
            n,
            trace.h_minus_n,
            gx[:2].swapaxes(0, 1),
            gx[2],
            strict=True,
        )
        for h, h_next, gates, r, z, hn, cand, h_minus_n, x_rz, x_n in views:
            np.dot(h, w_r, out=r)
            np.dot(h, w_z, out=z)
            np.dot(h, w_n, out=hn)
            np.add(gates, x_rz, out=gates)
            np.tanh(gates, out=gates)
            np.multiply(gates, halves, out=gates)
            np.add(gates, halves, out=gates)
            np.add(hn, b_hn, out=hn)
            np.multiply(r, hn, out=cand)
            np.add(cand, x_n, out=cand)
            np.tanh(cand, out=cand)
            np.subtract(h, cand, out=h_minus_n)
            np.multiply(h_minus_n, z, out=h_next)
            np.add(h_next, cand, out=h_next)
        return trace

    def backward(self, params: ParamSet, trace: Trace, dhs: np.ndarray, grads: ParamSet) -> np.ndarray:
        assert isinstance(trace, GRUTrace)
        steps, batch, size = dhs.shape
        r, z = trace.rz[:, 0], trace.rz[:, 1]
        keep = 1.0 - z
        via_z = z * keep * trace.h_minus_n  # dL/d(z pre-activation) = dL/dh_t * via_z
        via_n = keep * (1.0 - trace.n * trace.n)  # dL/d(n pre-activation) = dL/dh_t * via_n
        via_r_and_r = np.empty((steps, batch, 2, size), dtype=dhs.dtype)
        np.multiply(trace.hn * r, 1.0 - r, out=via_r_and_r[:, :, 0])  # d(r pre) = d(n pre) * this
        via_r_and_r[:, :, 1] = r
        # d[t] is (B, 3, H) = [d r-pre | d z-pre | d(W_hn h + b_hn)], the column layout of W_h, so one
        # product per step carries the gradient back through all three gates.
        d = np.empty((steps, batch, 3, size), dtype=dhs.dtype)
        dn, total = np.empty_like(dhs), np.empty_like(dhs)
        carried, product = np.zeros_like(dhs[0]), np.empty_like(dhs[0])
        w_h_t = params["W_h"].T
        back = (a[::-1] for a in (dhs, total, d, dn, via_z, via_n, via_r_and_r, z))
        for dh, tot, d_t, dn_t, vz, vn, vrr, z_t in zip(*back, strict=True):
            np.add(dh, carried, out=tot)
            np.multiply(tot, vz, out=d_t[:, 1])
            np.multiply(tot, vn, out=dn_t)
            np.multiply(dn_t[:, None, :], vrr, out=d_t[:, ::2])
            np.multiply(tot, z_t, out=carried)
            np.dot(d_t.reshape(batch, 3 * size), w_h_t, out=product)
            np.add(carried, product, out=carried)
        trace.dhs = total
        return _weight_grads(params, grads, trace, d.reshape(steps * batch, 3 * size), dn)

    def runner(self, params: ParamSet, embedding: np.ndarray) -> GRURunner:
        return GRURunner(embedding @ params["W_x"] + params["b"], params["W_h"], params["b_hn"])

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


def _blocks(w: np.ndarray) -> list[np.ndarray]:
    """Contiguous copies of the r, z and n column blocks of a (rows, 3H) weight matrix."""
    size = w.shape[1] // 3
    return [np.ascontiguousarray(w[:, g * size : (g + 1) * size]) for g in range(3)]


def _per_gate(xs: np.ndarray, w_x: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Input pre-activations of all steps, gate-major: (3, T, B, H)."""
    steps, batch, n_in = xs.shape
    size = w_x.shape[1] // 3
    product = xs.reshape(steps * batch, n_in) @ w_x
    out = np.empty((3, steps, batch, size), dtype=xs.dtype)
    np.add(
        product.reshape(steps * batch, 3, size).transpose(1, 0, 2),
        b.reshape(3, 1, size),
        out=out.reshape(3, -1, size),
    )
    return out


def _weight_grads(
    params: ParamSet, grads: ParamSet, trace: GRUTrace, wide: np.ndarray, dn: np.ndarray
) -> np.ndarray:
    """Parameter gradients from the pre-activation gradients `wide` (T * B, 3H), batched over all steps."""
    rows, size = wide.shape[0], wide.shape[1] // 3
    np.dot(trace.hs[:-1].reshape(rows, size).T, wide, out=grads["W_h"])
    np.sum(wide[:, 2 * size :], axis=0, out=grads["b_hn"])
    wide[:, 2 * size :] = dn.reshape(rows, size)  # the input side sees the candidate's own gradient
    flat_x = trace.xs.reshape(rows, -1)
    np.dot(flat_x.T, wide, out=grads["W_x"])
    np.sum(wide, axis=0, out=grads["b"])
    return np.dot(wide, params["W_x"].T).reshape(trace.xs.shape)


class GRURunner(Runner):
    """The GRU step with two exact rewrites: the r and z columns are halved, because
    sigmoid(a) = (1 + tanh(a / 2)) / 2 and halving is exact in binary floating point; and b_hn is a last
    row of W_h that multiplies a constant 1 carried after the state, so one product gives W_hn h + b_hn."""

    def __init__(self, table: np.ndarray, w_h: np.ndarray, b_hn: np.ndarray) -> None:
        self.n_hidden = n_hidden = w_h.shape[0]
        self.table = table.copy()
        self.table[:, : 2 * n_hidden] *= 0.5
        self.w = np.vstack([w_h, np.concatenate([np.zeros(2 * n_hidden, dtype=w_h.dtype), b_hn])])
        self.w[:, : 2 * n_hidden] *= 0.5
        self.halves = np.full(2 * n_hidden, 0.5, dtype=table.dtype)

    def run(self, ids: np.ndarray, h0: np.ndarray | None = None) -> np.ndarray:
        size, w, halves = self.n_hidden, self.w, self.halves
        gx = self.table.take(ids, axis=0)
        hs = np.empty((len(ids) + 1, size + 1), dtype=gx.dtype)
        hs[:, size] = 1.0
        hs[0, :size] = 0.0 if h0 is None else h0
        scratch = np.empty(6 * size, dtype=gx.dtype)  # [gh: r z n | r z | n]
        gh_rz, hn, rz, n = (
            scratch[: 2 * size],
            scratch[2 * size : 3 * size],
            scratch[3 * size : 5 * size],
            scratch[5 * size :],
        )
        gh, r, z = scratch[: 3 * size], rz[:size], rz[size:]
        steps = zip(gx[:, : 2 * size], gx[:, 2 * size :], hs[:-1], hs[:-1, :size], hs[1:, :size], strict=True)
        for x_rz, x_n, h_aug, h, out in steps:
            np.dot(h_aug, w, out=gh)
            np.add(x_rz, gh_rz, out=rz)
            np.tanh(rz, out=rz)
            np.multiply(rz, halves, out=rz)  # an array operand: cheaper than a Python scalar
            np.add(rz, halves, out=rz)
            np.multiply(r, hn, out=n)
            np.add(n, x_n, out=n)
            np.tanh(n, out=n)
            np.subtract(h, n, out=out)
            np.multiply(out, z, out=out)
            np.add(out, n, out=out)
        return hs[1:, :size]
