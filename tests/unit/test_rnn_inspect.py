"""Gates over time and connectivity (the Jacobian of a hidden state w.r.t. earlier inputs) against
finite differences, on tiny models of every cell."""

from __future__ import annotations

import numpy as np
import pytest

from app.rnn import UNK, LanguageModel, PromptError, Vocabulary

WORDS = (UNK, "the", "cat", "sat", "on", "mat", "dog", "ran", ".")
TEXT = "the cat sat on the mat . the dog"


def tiny(cell: str) -> LanguageModel:
    model = LanguageModel(Vocabulary(WORDS), cell, embed=4, hidden=5, seed=3, dtype=np.float64)
    model.params.flat[:] += np.random.default_rng(1).normal(0.0, 0.5, model.params.flat.shape)
    return model


def state_at(model: LanguageModel, xs: np.ndarray, position: int) -> np.ndarray:
    return model.cell.forward(model.params, xs[:, None, :]).hs[position + 1, 0]


def numeric_jacobian_norms(model: LanguageModel, position: int, eps: float = 1e-6) -> list[float]:
    ids = model.vocab.encode(TEXT.split()[: position + 1])
    xs = model.params["embedding"][ids].copy()
    norms = []
    for k in range(position + 1):
        columns = []
        for d in range(xs.shape[1]):
            plus, minus = xs.copy(), xs.copy()
            plus[k, d] += eps
            minus[k, d] -= eps
            columns.append((state_at(model, plus, position) - state_at(model, minus, position)) / (2 * eps))
        norms.append(float(np.linalg.norm(np.array(columns))))
    return norms


@pytest.mark.parametrize("cell", ["vanilla", "gru", "lstm"])
@pytest.mark.parametrize("position", [0, 3, 8])
def test_connectivity_is_the_jacobian_norm_that_finite_differences_give(cell: str, position: int) -> None:
    model = tiny(cell)
    tokens, norms = model.connectivity(TEXT, position)
    assert tokens == TEXT.split() and len(norms) == position + 1
    assert min(norms) > 1e-6  # every earlier word matters a little: nothing to compare is not a check
    assert norms == pytest.approx(numeric_jacobian_norms(model, position), rel=1e-6)


@pytest.mark.parametrize("position", [-1, 9])
def test_a_position_outside_the_text_is_refused(position: int) -> None:
    with pytest.raises(PromptError, match="between 0 and 8"):
        tiny("gru").connectivity(TEXT, position)


def test_lstm_gates_lie_in_0_1_and_follow_the_cell_state_update() -> None:
    model = tiny("lstm")
    tokens, gates = model.gate_values(TEXT)
    assert tokens == TEXT.split() and list(gates) == ["input", "forget", "output", "cell"]
    arrays = {name: np.array(rows) for name, rows in gates.items()}
    assert all(a.shape == (9, 5) for a in arrays.values())
    for name in ("input", "forget", "output"):
        assert ((arrays[name] > 0) & (arrays[name] < 1)).all()
    hidden = model.hidden_states(model.vocab.encode(tokens))
    assert np.allclose(hidden, arrays["output"] * np.tanh(arrays["cell"]), atol=1e-12)
    # c_t - f_t c_{t-1} is i_t g_t, so |c_t - f_t c_{t-1}| <= i_t
    c_prev = np.vstack([np.zeros(5), arrays["cell"][:-1]])
    assert (np.abs(arrays["cell"] - arrays["forget"] * c_prev) <= arrays["input"] + 1e-12).all()


def test_gru_gates_lie_in_0_1_and_the_update_gate_mixes_old_and_new() -> None:
    model = tiny("gru")
    tokens, gates = model.gate_values(TEXT)
    assert list(gates) == ["update", "reset"]
    z, r = np.array(gates["update"]), np.array(gates["reset"])
    assert z.shape == r.shape == (9, 5)
    assert ((z > 0) & (z < 1) & (r > 0) & (r < 1)).all()
    hidden = model.hidden_states(model.vocab.encode(tokens))
    h_prev = np.vstack([np.zeros(5), hidden[:-1]])
    # h_t lies between h_{t-1} and the candidate n_t in [-1, 1], weighted by z: |h_t - z h_{t-1}| <= 1 - z
    assert (np.abs(hidden - z * h_prev) <= 1 - z + 1e-12).all()


def test_the_vanilla_rnn_has_no_gates() -> None:
    with pytest.raises(ValueError, match="no gates"):
        tiny("vanilla").gate_values(TEXT)
