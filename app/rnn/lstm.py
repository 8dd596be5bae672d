"""The LSTM cell (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000):

    i_t = sigmoid(W_xi x_t + W_hi h_{t-1} + b_i)        input gate
    f_t = sigmoid(W_xf x_t + W_hf h_{t-1} + b_f)        forget gate (b_f starts at 1: remember by default)
    g_t = tanh(W_xg x_t + W_hg h_{t-1} + b_g)           candidate
    o_t = sigmoid(W_xo x_t + W_ho h_{t-1} + b_o)        output gate
    c_t = f_t * c_{t-1} + i_t * g_t                     cell state
    h_t = o_t * tanh(c_t)

The parameters hold the four blocks as columns [i | f | g | o] of W_x (n_in, 4H), W_h (H, 4H) and b (4H).
As in the GRU, sigmoid(a) = (1 + tanh(a / 2)) / 2, so the sigmoid columns are halved (exact) and one tanh
over all four blocks gives every gate. Training keeps each step's operands contiguous and gate-major, and
moves the gradient back through the four blocks with one (B x 4H)(4H x H) product per step.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from app.rnn.cells import Cell, Runner, Terms, Trace, orthogonal, terms, uniform
from app.rnn.params import ParamSet, Shapes

GATES = ("input", "forget", "candidate", "output")
FORGET_BIAS = 1.0


class LSTMTrace(Trace):
    """The LSTM's forward values: `gates` (T, 4, B, H) holds i, f, g, o; `cs` (T + 1, B, H) the cell
    states, cs[0] the zero state; `tcs` (T, B, H) tanh(c_t)."""

    def __init__(self, xs: np.ndarray, hs: np.ndarray) -> None:
        super().__init__(xs, hs)
        steps, batch, size = hs.shape[0] - 1, hs.shape[1], hs.shape[2]
        self.gates = np.empty((steps, 4, batch, size), dtype=hs.dtype)
        self.cs = np.empty_like(hs)
        self.cs[0] = 0.0
        self.tcs = np.empty((steps, batch, size), dtype=hs.dtype)
        self.dcs: np.ndarray | None = None  # filled by backward: dL/dc_t


def _gate_scale(size: int, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """[0.5, 0.5, 1, 0.5] and [0.5, 0.5, 0, 0.5] per block: tanh(a / 2) * 0.5 + 0.5 = sigmoid(a)."""
    scale = np.full(4 * size, 0.5, dtype=dtype)
    scale[2 * size : 3 * size] = 1.0
    shift = np.full(4 * size, 0.5, dtype=dtype)
    shift[2 * size : 3 * size] = 0.0
    return scale, shift


class LSTMCell(Cell):
    kind = "lstm"
    equation = "c_t = f_t * c_{t-1} + i_t * g_t,  h_t = o_t * tanh(c_t)"
    recurrent = ("W_h",)

    def shapes(self, n_in: int, n_hidden: int) -> Shapes:
        return {"W_x": (n_in, 4 * n_hidden), "W_h": (n_hidden, 4 * n_hidden), "b": (4 * n_hidden,)}

    def init(self, params: ParamSet, rng: np.random.Generator) -> None:
        n_in, width = params["W_x"].shape
        size = width // 4
        params["W_x"][...] = uniform(rng, (n_in, width), n_in)
        for gate in range(4):
            params["W_h"][:, gate * size : (gate + 1) * size] = orthogonal(rng, size)
        params["b"][...] = 0.0
        params["b"][size : 2 * size] = FORGET_BIAS

    def forward(self, params: ParamSet, xs: np.ndarray) -> LSTMTrace:
        steps, batch, n_in = xs.shape
        size = params["W_h"].shape[0]
        scale, shift = _gate_scale(size, xs.dtype)
        product = np.dot(xs.reshape(steps * batch, n_in), params["W_x"] * scale)
        gx = np.empty((steps, 4, batch, size), dtype=xs.dtype)  # gate-major within a step
        np.add(
            product.reshape(steps, batch, 4, size).swapaxes(1, 2),
            (params["b"] * scale).reshape(4, 1, size),
            gx,
        )
        w_h = np.ascontiguousarray((params["W_h"] * scale).reshape(size, 4, size).swapaxes(0, 1))
        scales = np.ascontiguousarray(np.broadcast_to(scale.reshape(4, 1, size), (4, batch, size)))
        shifts = np.ascontiguousarray(np.broadcast_to(shift.reshape(4, 1, size), (4, batch, size)))
        hs = np.empty((steps + 1, batch, size), dtype=xs.dtype)
        hs[0] = 0.0
        trace = LSTMTrace(xs, hs)
        g = np.empty((4, batch, size), dtype=xs.dtype)
        tmp = np.empty((batch, size), dtype=xs.dtype)
        matmul, add, multiply, tanh = np.matmul, np.add, np.multiply, np.tanh
        views = zip(hs[:-1], hs[1:], trace.cs[:-1], trace.cs[1:], trace.gates, trace.tcs, gx, strict=True)
        for h, h_next, c, c_next, gates, tc, x_t in views:
            matmul(h, w_h, g)
            add(g, x_t, g)
            tanh(g, g)
            multiply(g, scales, g)
            add(g, shifts, gates)
            i, f, cand, o = gates
            multiply(f, c, c_next)
            multiply(i, cand, tmp)
            add(c_next, tmp, c_next)
            tanh(c_next, tc)
            multiply(o, tc, h_next)
        return trace

    def backward(self, params: ParamSet, trace: Trace, dhs: np.ndarray, grads: ParamSet) -> np.ndarray:
        assert isinstance(trace, LSTMTrace)
        steps, batch, size = dhs.shape
        gates, tcs = trace.gates, trace.tcs
        i, f, cand, o = (gates[:, k] for k in range(4))
        # Per unit of dL/dc_t (i, f, g) or of dL/dh_t (o), the pre-activation gradients:
        factors = np.empty((steps, 4, batch, size), dtype=dhs.dtype)
        np.multiply(cand, i * (1.0 - i), factors[:, 0])
        np.multiply(trace.cs[:-1], f * (1.0 - f), factors[:, 1])
        np.multiply(i, 1.0 - cand * cand, factors[:, 2])
        np.multiply(tcs, o * (1.0 - o), factors[:, 3])
        via_c = o * (1.0 - tcs * tcs)  # dc_t gets dL/dh_t * via_c
        forget = np.ascontiguousarray(f)
        d = np.empty((steps, batch, 4, size), dtype=dhs.dtype)
        total, dcs = np.empty_like(dhs), np.empty_like(dhs)
        carried_h, carried_c = np.zeros_like(dhs[0]), np.zeros_like(dhs[0])
        w_h_t = np.ascontiguousarray(params["W_h"].T)
        add, multiply, dot = np.add, np.multiply, np.dot
        per_step = (
            dhs,
            total,
            dcs,
            via_c,
            forget,
            factors,
            d.swapaxes(1, 2),
            d.reshape(steps, batch, 4 * size),
        )
        for dh, tot, dc, via_c_t, f_t, fac, d_t, d_flat in zip(*(a[::-1] for a in per_step), strict=True):
            add(dh, carried_h, tot)
            multiply(tot, via_c_t, dc)
            add(dc, carried_c, dc)
            multiply(dc, f_t, carried_c)
            multiply(dc, fac[:3], d_t[:3])
            multiply(tot, fac[3], d_t[3])
            dot(d_flat, w_h_t, carried_h)
        trace.dhs, trace.dcs = total, dcs
        wide = d.reshape(steps * batch, 4 * size)
        rows = wide.shape[0]
        np.dot(trace.hs[:-1].reshape(rows, size).T, wide, out=grads["W_h"])
        np.dot(trace.xs.reshape(rows, -1).T, wide, out=grads["W_x"])
        np.dot(np.ones(rows, dtype=wide.dtype), wide, out=grads["b"])
        return np.dot(wide, params["W_x"].T).reshape(trace.xs.shape)

    def runner(self, params: ParamSet, embedding: np.ndarray) -> LSTMRunner:
        return LSTMRunner(embedding @ params["W_x"] + params["b"], params["W_h"])

    def explain(
        self, params: ParamSet, x: np.ndarray, h_prev: np.ndarray, unit: int
    ) -> tuple[Terms, dict[str, Terms]]:
        """The candidate g_t's terms, and the gates' (i, f, o). The cell state is not in `Terms`: h_t
        shows its effect, and the gates endpoint reports it."""
        size = params["W_h"].shape[0]
        cols = [unit, size + unit, 2 * size + unit, 3 * size + unit]
        x_part = x @ params["W_x"][:, cols]
        h_part = h_prev @ params["W_h"][:, cols]
        bias = params["b"][cols]
        pre = x_part + h_part + bias
        sig = 1.0 / (1.0 + np.exp(-pre))
        gates = {
            name: terms(x_part[k], h_part[k], bias[k], sig[k]) for k, name in ((0, "i"), (1, "f"), (3, "o"))
        }
        return terms(x_part[2], h_part[2], bias[2], np.tanh(pre[2])), gates


class _Workspace:
    """One thread's buffers for `LSTMRunner` and, made once, the per-step views into them."""

    def __init__(self, capacity: int, size: int, dtype: np.dtype) -> None:
        self.capacity = capacity
        self.h = np.zeros((capacity + 1, size), dtype=dtype)
        self.c = np.zeros(size, dtype=dtype)
        self.g = np.empty(4 * size, dtype=dtype)
        self.tmp = np.empty(size, dtype=dtype)
        self.gates = tuple(self.g[k * size : (k + 1) * size] for k in range(4))
        self.steps = list(zip(self.h[:-1], self.h[1:], strict=True))


class LSTMRunner(Runner):
    """Prediction's LSTM step: one product and nine vector operations into per-thread buffers (the step
    from the zero state is tabled per word, with the next step's recurrent product). The state carried
    between calls (`run_state`) is [h | c]."""

    FIRST_CAPACITY, MAX_CAPACITY = 64, 1024

    def __init__(self, table: np.ndarray, w_h: np.ndarray) -> None:
        self.n_hidden = size = w_h.shape[0]
        dtype = table.dtype
        self.scale, self.shift = _gate_scale(size, dtype)
        self.table = table * self.scale
        self.w = w_h * self.scale
        self.rows = list(self.table)
        gates = np.tanh(self.table) * self.scale + self.shift  # from the zero state: the input side only
        c1 = gates[:, :size] * gates[:, 2 * size : 3 * size]
        h1 = gates[:, 3 * size :] * np.tanh(c1)
        self.first = list(zip(h1, c1, h1 @ self.w, strict=True))
        self._local = threading.local()

    def run(self, ids: Sequence[int] | np.ndarray, h0: np.ndarray | None = None) -> np.ndarray:
        return self.states(ids, h0).copy()

    def run_state(
        self, ids: Sequence[int] | np.ndarray, state: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Hidden states (T, H) and the final [h | c] (2H), from the zero state or `state` ([h | c],
        or h alone with c = 0)."""
        hs, ws = self._states(ids, state)
        h = ws.h[len(hs)]  # h_T, or the starting state for no ids
        return hs.copy(), np.concatenate([h, ws.c])

    def states(self, ids: Sequence[int] | np.ndarray, h0: np.ndarray | None = None) -> np.ndarray:
        """Like `run`, but a view into this thread's buffers: valid until its next call."""
        return self._states(ids, h0)[0]

    def _workspace(self, steps: int) -> _Workspace:
        """This thread's buffers, grown to hold `steps` steps."""
        ws = getattr(self._local, "ws", None)
        capacity = max(steps, 2 * ws.capacity if ws is not None else self.FIRST_CAPACITY)
        if capacity > self.MAX_CAPACITY:  # a rare long text: buffers for this call only
            return _Workspace(steps, self.n_hidden, self.table.dtype)
        ws = self._local.ws = _Workspace(capacity, self.n_hidden, self.table.dtype)
        return ws

    def _states(
        self, ids: Sequence[int] | np.ndarray, h0: np.ndarray | None
    ) -> tuple[np.ndarray, _Workspace]:
        if isinstance(ids, np.ndarray):
            ids = ids.tolist()
        count, size = len(ids), self.n_hidden
        ws = getattr(self._local, "ws", None)
        if ws is None or count > ws.capacity:
            ws = self._workspace(count)
        g, tmp, c = ws.g, ws.tmp, ws.c
        i, f, cand, o = ws.gates
        if h0 is not None:
            ws.h[0] = h0[:size]
            c[...] = h0[size:] if len(h0) == 2 * size else 0.0
            recur, steps = True, ws.steps[:count]
        elif count:
            ws.h[1], c[...], g[...] = self.first[ids[0]]
            recur, steps, ids = False, ws.steps[1:count], ids[1:]
        else:
            ws.h[0], c[...] = 0.0, 0.0
            return ws.h[1:1], ws
        w, rows, scale, shift = self.w, self.rows, self.scale, self.shift
        dot, add, multiply, tanh = np.dot, np.add, np.multiply, np.tanh
        for (h, out), word in zip(steps, ids, strict=True):  # out= arguments by position: faster
            if recur:  # from the zero state, the second step's product comes from the table
                dot(h, w, g)
            recur = True
            add(g, rows[word], g)
            tanh(g, g)
            multiply(g, scale, g)
            add(g, shift, g)
            multiply(f, c, c)
            multiply(i, cand, tmp)
            add(c, tmp, c)
            tanh(c, tmp)
            multiply(o, tmp, out)
        return ws.h[1 : count + 1], ws
