"""The LSTM: its fast forward passes give the plain equations' numbers, state carries over, forget bias 1."""

from __future__ import annotations

import numpy as np
import pytest

from app.rnn import UNK, LanguageModel, Vocabulary

WORDS = (UNK, *(f"w{i}" for i in range(1, 40)))


def sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


def reference_lstm(model: LanguageModel, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """h_t and c_t (T, B, H) for ids (T, B) by the module docstring's equations, in float64."""
    p = {name: value.astype(np.float64) for name, value in model.params.items()}
    w_x, w_h, b = (np.split(p[name], 4, axis=-1) for name in ("W_x", "W_h", "b"))
    h = np.zeros((ids.shape[1], model.hidden))
    c = np.zeros_like(h)
    hs, cs = [], []
    for x in p["embedding"][ids]:
        i, f, g, o = (x @ w_x[k] + h @ w_h[k] + b[k] for k in range(4))
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        hs.append(h)
        cs.append(c)
    shape = (*ids.shape, model.hidden)
    return np.array(hs).reshape(shape), np.array(cs).reshape(shape)


def lstm_model(seed: int = 2, spread: float = 0.4) -> LanguageModel:
    model = LanguageModel(Vocabulary(WORDS), "lstm", embed=6, hidden=8, seed=seed)
    model.params.flat[:] += np.random.default_rng(seed).normal(0.0, spread, model.params.flat.shape)
    return model


def test_the_forget_gate_starts_open_with_bias_one_and_the_other_biases_at_zero() -> None:
    b = LanguageModel(Vocabulary(WORDS), "lstm", embed=6, hidden=8).params["b"]
    assert b.dtype == np.float32
    assert (b[8:16] == 1.0).all() and not b[:8].any() and not b[16:].any()


def test_the_training_forward_pass_follows_the_equations_for_a_batch() -> None:
    model = lstm_model().astype(np.float64)
    ids = np.random.default_rng(0).integers(0, len(WORDS), (7, 3))
    trace = model.cell.forward(model.params, model.params["embedding"][ids])
    hs, cs = reference_lstm(model, ids)
    assert np.allclose(trace.hs[1:], hs, rtol=0, atol=1e-12)
    assert np.allclose(trace.cs[1:], cs, rtol=0, atol=1e-12)
    assert ((trace.gates[:, [0, 1, 3]] > 0) & (trace.gates[:, [0, 1, 3]] < 1)).all()


@pytest.mark.parametrize("steps", [0, 1, 2, 5, 63, 64, 65, 200, 1100])
def test_prediction_follows_the_equations_at_every_length(steps: int) -> None:
    model = lstm_model()
    ids = np.random.default_rng(steps).integers(0, len(WORDS), steps)
    states = model.hidden_states(ids)
    assert states.shape == (steps, 8) and states.dtype == np.float32
    assert np.allclose(states, reference_lstm(model, ids[:, None])[0][:, 0], rtol=0, atol=1e-5)


def test_a_run_continued_from_its_state_equals_one_long_run() -> None:
    model = lstm_model()
    runner = model.cell.runner(model.params, model.params["embedding"])
    ids = [3, 9, 1, 22, 5, 7, 30]
    whole, _ = runner.run_state(ids)
    first, state = runner.run_state(ids[:4])
    rest, _ = runner.run_state(ids[4:], state)
    assert state.shape == (16,)
    assert np.allclose(np.vstack([first, rest]), whole, atol=1e-6)
    without_c, _ = runner.run_state(ids[4:], state[:8])  # h alone: the cell state is forgotten
    assert not np.allclose(without_c, rest, atol=1e-3)
