"""The Elman cell: h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h).

Vectors are rows in code, so W_xh x_t is `x @ W_xh` with W_xh of shape (n_in, n_hidden).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from app.rnn.cells import Cell, Runner, Terms, Trace, orthogonal, terms, uniform
from app.rnn.params import ParamSet, Shapes


class VanillaCell(Cell):
    kind = "vanilla"
    equation = "h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h)"
    recurrent = ("W_hh",)

    def shapes(self, n_in: int, n_hidden: int) -> Shapes:
        return {"W_xh": (n_in, n_hidden), "W_hh": (n_hidden, n_hidden), "b_h": (n_hidden,)}

    def init(self, params: ParamSet, rng: np.random.Generator) -> None:
        n_in, n_hidden = params["W_xh"].shape
        params["W_xh"][...] = uniform(rng, (n_in, n_hidden), n_in)
        params["W_hh"][...] = orthogonal(rng, n_hidden)
        params["b_h"][...] = 0.0

    def forward(self, params: ParamSet, xs: np.ndarray) -> Trace:
        steps, batch, n_in = xs.shape
        w_hh = params["W_hh"]
        a = (xs.reshape(steps * batch, n_in) @ params["W_xh"]).reshape(steps, batch, -1)
        a += params["b_h"]
        hs = np.empty((steps + 1, batch, w_hh.shape[0]), dtype=xs.dtype)
        hs[0] = 0.0
        recurrent = np.empty_like(hs[0])
        for h, a_t, h_next in zip(hs[:-1], a, hs[1:], strict=True):
            np.dot(h, w_hh, out=recurrent)
            np.add(a_t, recurrent, out=recurrent)
            np.tanh(recurrent, out=h_next)
        return Trace(xs, hs)

    def backward(self, params: ParamSet, trace: Trace, dhs: np.ndarray, grads: ParamSet) -> np.ndarray:
        hs, xs = trace.hs, trace.xs
        steps, batch, n_hidden = dhs.shape
        slope = 1.0 - hs[1:] * hs[1:]
        w_hh_t = params["W_hh"].T
        total = np.empty_like(dhs)
        da = np.empty_like(dhs)
        carried = np.zeros((batch, n_hidden), dtype=dhs.dtype)
        for dh, tot, slope_t, da_t in zip(dhs[::-1], total[::-1], slope[::-1], da[::-1], strict=True):
            np.add(dh, carried, out=tot)
            np.multiply(tot, slope_t, out=da_t)
            np.dot(da_t, w_hh_t, out=carried)
        trace.dhs = total
        da2 = da.reshape(steps * batch, n_hidden)
        np.dot(hs[:-1].reshape(steps * batch, n_hidden).T, da2, out=grads["W_hh"])
        np.dot(xs.reshape(steps * batch, -1).T, da2, out=grads["W_xh"])
        np.sum(da2, axis=0, out=grads["b_h"])
        return (da2 @ params["W_xh"].T).reshape(xs.shape)

    def runner(self, params: ParamSet, embedding: np.ndarray) -> VanillaRunner:
        return VanillaRunner(embedding @ params["W_xh"] + params["b_h"], params["W_hh"].copy())

    def explain(
        self, params: ParamSet, x: np.ndarray, h_prev: np.ndarray, unit: int
    ) -> tuple[Terms, dict[str, Terms]]:
        x_part = x @ params["W_xh"][:, unit]
        h_part = h_prev @ params["W_hh"][:, unit]
        bias = params["b_h"][unit]
        return terms(x_part, h_part, bias, np.tanh(x_part + h_part + bias)), {}


class VanillaRunner(Runner):
    def __init__(self, table: np.ndarray, w_hh: np.ndarray) -> None:
        self.table, self.w_hh = table, w_hh

    def run(self, ids: Sequence[int] | np.ndarray, h0: np.ndarray | None = None) -> np.ndarray:
        hs = self.table.take(ids, axis=0)  # a fresh array; each row becomes h_t in place
        h = np.zeros(self.w_hh.shape[0], dtype=hs.dtype) if h0 is None else h0
        recurrent = np.empty_like(h)
        w_hh, dot, add, tanh = self.w_hh, np.dot, np.add, np.tanh
        for row in hs:  # positional out= arguments: a keyword costs a tenth of a microsecond per call
            dot(h, w_hh, recurrent)
            add(row, recurrent, row)
            tanh(row, row)
            h = row
        return hs
