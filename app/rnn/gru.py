"""The gated recurrent unit, in the convention of PyTorch and cuDNN (Cho et al. 2014 with the reset gate
applied after the recurrent product):

    r_t = sigmoid(W_xr x_t + W_hr h_{t-1} + b_r)                 reset gate
    z_t = sigmoid(W_xz x_t + W_hz h_{t-1} + b_z)                 update gate
    n_t = tanh(W_xn x_t + b_n + r_t * (W_hn h_{t-1} + b_hn))     candidate state
    h_t = (1 - z_t) * n_t + z_t * h_{t-1}                         z_t near 1 keeps the old state

The parameters hold the three gates as column blocks [r | z | n] of W_x (n_in, 3H), W_h (H, 3H) and
b (3H); b_hn (H) sits inside the reset gate's product. Training's forward pass takes one stacked product
per step for the three gates, gate-major so that each step's operands are contiguous; its backward pass
takes one product per step for all three gates. Prediction has its own runner, `GRURunner`.

At these sizes (a step's operands hold 16 x 64 numbers in training, 64 in prediction) NumPy's cost is
mostly per call, so the code counts calls: out= arguments go by position (a keyword costs about 0.1 µs),
views are made once rather than at every step, and operands are contiguous wherever the layout allows.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from app.rnn.cells import Cell, Runner, Terms, Trace, orthogonal, terms, uniform
from app.rnn.params import ParamSet, Shapes


class GRUTrace(Trace):
    """The GRU's forward values, each (T, B, H) and contiguous: the gates r and z, hn = W_hn h + b_hn, the
    candidate n and h_{t-1} - n. (NumPy is about twice as fast on whole contiguous arrays as on strided
    views, so the backward pass's vectorised work wants one array per quantity.)"""

    def __init__(self, xs: np.ndarray, hs: np.ndarray) -> None:
        super().__init__(xs, hs)
        shape = (hs.shape[0] - 1, *hs.shape[1:])
        self.r, self.z, self.hn, self.n, self.h_minus_n = (np.empty(shape, dtype=hs.dtype) for _ in range(5))


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
        size = params["W_h"].shape[0]
        # sigmoid(a) = (1 + tanh(a / 2)) / 2, so the r and z columns are halved (exact in floating point).
        half = _halved_gates(size, xs.dtype)
        product = np.dot(xs.reshape(steps * batch, n_in), params["W_x"] * half)  # all steps at once
        gx = np.empty((steps, 3, batch, size), dtype=xs.dtype)  # gate-major within a step
        np.add(
            product.reshape(steps, batch, 3, size).swapaxes(1, 2),
            (params["b"] * half).reshape(3, 1, size),
            gx,
        )
        # One stacked product per step gives the three gates' recurrent parts, gate-major: (3, B, H).
        w_h = np.ascontiguousarray((params["W_h"] * half).reshape(size, 3, size).swapaxes(0, 1))
        b_hn = np.tile(params["b_hn"], (batch, 1))  # a full operand: cheaper than a broadcast one
        halves = np.full((2, batch, size), 0.5, dtype=xs.dtype)
        half_one = halves[0]
        hs = np.empty((steps + 1, batch, size), dtype=xs.dtype)
        hs[0] = 0.0
        trace = GRUTrace(xs, hs)
        g = np.empty((3, batch, size), dtype=xs.dtype)  # a step's three recurrent products, gate-major
        g_rz, g_r, g_z, g_hn = g[:2], g[0], g[1], g[2]
        matmul, add, multiply, subtract, tanh = np.matmul, np.add, np.multiply, np.subtract, np.tanh
        # Views made once, and out= by position: both cost less than indexing or keywords at every step.
        views = zip(
            hs[:-1], hs[1:], trace.r, trace.z, trace.hn, trace.n, trace.h_minus_n, gx[:, :2], gx[:, 2],
            strict=True,
        )  # fmt: skip
        for h, h_next, r, z, hn, n, h_minus_n, x_rz, x_n in views:
            matmul(h, w_h, g)
            add(g_rz, x_rz, g_rz)
            tanh(g_rz, g_rz)
            multiply(g_rz, halves, g_rz)
            add(g_r, half_one, r)
            add(g_z, half_one, z)
            add(g_hn, b_hn, hn)
            multiply(r, hn, n)
            add(n, x_n, n)
            tanh(n, n)
            subtract(h, n, h_minus_n)
            multiply(h_minus_n, z, h_next)
            add(h_next, n, h_next)
        return trace

    def backward(self, params: ParamSet, trace: Trace, dhs: np.ndarray, grads: ParamSet) -> np.ndarray:
        assert isinstance(trace, GRUTrace)
        steps, batch, size = dhs.shape
        r, z, hn = trace.r, trace.z, trace.hn
        # dL/dh_t (recurrent part included) times per-gate factors gives every pre-activation gradient:
        # d[t] (B, 3, H) = dL/dh_t * [d r-pre | d z-pre | d(W_hn h + b_hn)] per unit of dL/dh_t, laid out
        # as W_h's columns, so one product per step carries the gradient back through all three gates.
        factors = np.empty((3, *dhs.shape), dtype=dhs.dtype)  # one contiguous array per gate
        f_r, f_z, f_hn = factors
        via_n = np.multiply(trace.n, trace.n)  # dL/d(n pre-activation) = dL/dh_t * via_n
        np.subtract(1.0, via_n, via_n)
        np.subtract(1.0, z, f_z)
        np.multiply(via_n, f_z, via_n)
        np.multiply(f_z, z, f_z)
        np.multiply(f_z, trace.h_minus_n, f_z)
        np.multiply(via_n, r, f_hn)
        np.subtract(1.0, r, f_r)
        np.multiply(f_r, hn, f_r)
        np.multiply(f_r, f_hn, f_r)
        d = np.empty((steps, batch, 3, size), dtype=dhs.dtype)
        total = np.empty_like(dhs)
        carried, product = np.zeros_like(dhs[0]), np.empty_like(dhs[0])
        w_h_t = np.ascontiguousarray(params["W_h"].T)
        add, multiply, dot = np.add, np.multiply, np.dot
        per_step = (
            dhs,
            total,
            factors.swapaxes(0, 1),
            d.swapaxes(1, 2),
            d.reshape(steps, batch, 3 * size),
            z,
        )
        back = zip(*(a[::-1] for a in per_step), strict=True)
        for dh, tot, f_t, d_t, d_flat, z_t in back:
            add(dh, carried, tot)
            multiply(tot, f_t, d_t)
            multiply(tot, z_t, carried)
            dot(d_flat, w_h_t, product)
            add(carried, product, carried)
        trace.dhs = total
        np.multiply(total, via_n, via_n)  # now dL/d(n pre-activation)
        return _weight_grads(params, grads, trace, d.reshape(steps * batch, 3 * size), via_n)

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


def _halved_gates(size: int, dtype: np.dtype) -> np.ndarray:
    """[0.5 (r, z columns) | 1 (n columns)]: multiplying by it halves the r and z pre-activations."""
    half = np.ones(3 * size, dtype=dtype)
    half[: 2 * size] = 0.5
    return half


def _weight_grads(
    params: ParamSet, grads: ParamSet, trace: GRUTrace, wide: np.ndarray, dn: np.ndarray
) -> np.ndarray:
    """Parameter gradients from the pre-activation gradients `wide` (T * B, 3H), batched over all steps;
    sums over the rows are products with a vector of ones, several times faster than np.sum here."""
    rows, size = wide.shape[0], wide.shape[1] // 3
    ones = np.ones(rows, dtype=wide.dtype)
    np.dot(trace.hs[:-1].reshape(rows, size).T, wide, out=grads["W_h"])
    np.dot(ones, wide[:, 2 * size :], out=grads["b_hn"])
    wide[:, 2 * size :] = dn.reshape(rows, size)  # the input side sees the candidate's own gradient
    np.dot(trace.xs.reshape(rows, -1).T, wide, out=grads["W_x"])
    np.dot(ones, wide, out=grads["b"])
    return np.dot(wide, params["W_x"].T).reshape(trace.xs.shape)


class _Workspace:
    """One thread's buffers for `GRURunner.states` and, made once, the per-step views into them.

    `h` holds the states as rows [h_t | 1]: the constant 1 lets one product give W_hn h + b_hn."""

    def __init__(self, capacity: int, size: int, dtype: np.dtype) -> None:
        self.capacity = capacity
        self.h = np.zeros((capacity + 1, size + 1), dtype=dtype)
        self.h[:, size] = 1.0
        g = np.empty(4 * size, dtype=dtype)  # [r, z: -pre-activation, then d | W_hn h + b_hn | n]
        gates = g[: 2 * size]
        self.scratch = (
            g[: 3 * size],
            gates,
            g[2 * size : 3 * size],
            g[3 * size :],
            gates[:size],
            gates[size:],
        )
        self.steps = list(zip(self.h[:-1], self.h[:-1, :size], self.h[1:, :size], strict=True))
        self.h0, self.h1 = self.h[0, :size], self.h[1, :size]


class GRURunner(Runner):
    """The GRU step with NumPy's per-call overhead in mind (a 64-wide operation costs about 0.2 µs, almost
    all of it overhead), so the step is one product and nine vector operations:

    - sigmoid(a) = 1 / (1 + exp(-a)), so the gates are kept as d = 1 + exp(-a) and r * hn and z * (h - n)
      are divisions; the r and z columns are negated (exact), so exp gets -a straight from the product;
    - b_hn is a last row of W_h that multiplies a constant 1 carried after the state, so one product gives
      W_hn h + b_hn;
    - the first step from the zero state depends on the first word only, so its state, and the second
      step's recurrent product, are tabled for every word of the vocabulary.

    Each thread keeps its buffers, and the views into them, between calls: the web server's threads share
    one model."""

    FIRST_CAPACITY, MAX_CAPACITY = 64, 1024  # steps a thread's buffers hold, at first and at most
    EXP_LIMIT = 80.0  # float32 exp overflows above 88.7

    def __init__(self, table: np.ndarray, w_h: np.ndarray, b_hn: np.ndarray) -> None:
        self.n_hidden = size = w_h.shape[0]
        dtype = table.dtype
        sign = np.ones(3 * size, dtype=dtype)
        sign[: 2 * size] = -1.0
        self.table = table * sign
        self.w = np.vstack([w_h, np.concatenate([np.zeros(2 * size, dtype=dtype), b_hn])]) * sign
        self.ones = np.ones(2 * size, dtype=dtype)
        self.rows = list(zip(self.table[:, : 2 * size], self.table[:, 2 * size :], strict=True))
        # With |h| <= 1 a gate's |pre-activation| is at most this; beyond EXP_LIMIT, exp may overflow to
        # inf, which still gives the right gate (0), but NumPy would warn.
        reach = np.abs(self.table[:, : 2 * size]).max(initial=0.0) + np.abs(w_h[:, : 2 * size]).sum(0).max()
        self.quiet = bool(reach < self.EXP_LIMIT)
        first = self._first_step()
        self.first = list(zip(first[:, :size], first @ self.w, strict=True))  # h_1, and the next product
        self._local = threading.local()

    def _first_step(self) -> np.ndarray:
        """[h_1 | 1] from the zero state, for every word, by the operations of `states`."""
        size, table = self.n_hidden, self.table
        with np.errstate(over="ignore"):
            d = np.exp(table[:, : 2 * size] + self.w[size, : 2 * size])
        np.add(d, self.ones, out=d)
        n = self.w[size, 2 * size :] / d[:, :size]
        np.add(n, table[:, 2 * size :], out=n)
        np.tanh(n, out=n)
        h = np.ones((len(table), size + 1), dtype=table.dtype)
        np.subtract(0.0, n, out=h[:, :size])
        np.divide(h[:, :size], d[:, size:], out=h[:, :size])
        np.add(h[:, :size], n, out=h[:, :size])
        return h

    def run(self, ids: Sequence[int] | np.ndarray, h0: np.ndarray | None = None) -> np.ndarray:
        return self.states(ids, h0).copy()

    def states(self, ids: Sequence[int] | np.ndarray, h0: np.ndarray | None = None) -> np.ndarray:
        """Like `run`, but a view into this thread's buffers: valid until its next call."""
        if self.quiet:
            return self._states(ids, h0)
        with np.errstate(over="ignore"):
            return self._states(ids, h0)

    def _workspace(self, steps: int) -> _Workspace:
        """This thread's buffers, grown to hold `steps` steps."""
        ws = getattr(self._local, "ws", None)
        capacity = max(steps, 2 * ws.capacity if ws is not None else self.FIRST_CAPACITY)
        if capacity > self.MAX_CAPACITY:  # a rare long text: buffers for this call only
            return _Workspace(steps, self.n_hidden, self.table.dtype)
        ws = self._local.ws = _Workspace(capacity, self.n_hidden, self.table.dtype)
        return ws

    def _states(self, ids: Sequence[int] | np.ndarray, h0: np.ndarray | None) -> np.ndarray:
        if isinstance(ids, np.ndarray):
            ids = ids.tolist()
        count = len(ids)
        ws = getattr(self._local, "ws", None)
        if ws is None or count > ws.capacity:
            ws = self._workspace(count)
        g, gates, hn, n, d_r, d_z = ws.scratch
        if h0 is not None:
            ws.h0[...] = h0
            recur, steps = True, ws.steps[:count]
        elif count:
            ws.h1[...], g[...] = self.first[ids[0]]
            recur, steps, ids = False, ws.steps[1:count], ids[1:]
        else:
            return ws.h[1:1, : self.n_hidden]
        w, ones, rows = self.w, self.ones, self.rows
        dot, add, divide, subtract, exp, tanh = np.dot, np.add, np.divide, np.subtract, np.exp, np.tanh
        for (h_aug, h, out), word in zip(steps, ids, strict=True):  # out= arguments by position: faster
            x_gates, x_n = rows[word]
            if recur:  # from the zero state, the second step's product comes from the table
                dot(h_aug, w, g)
            recur = True
            add(gates, x_gates, gates)
            exp(gates, gates)
            add(gates, ones, gates)  # d = 1 / sigmoid(pre-activation)
            divide(hn, d_r, n)
            add(n, x_n, n)
            tanh(n, n)
            subtract(h, n, out)
            divide(out, d_z, out)
            add(out, n, out)
        return ws.h[1 : count + 1, : self.n_hidden]
