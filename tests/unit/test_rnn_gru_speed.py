"""The rewrites that make the GRU fast give the same numbers as the plain equations (timing: bench/rnn.py)."""

from __future__ import annotations

import random
import threading
import warnings

import numpy as np
import pytest

from app.rnn import UNK, LanguageModel, Vocabulary, load_model, tokenize
from app.rnn.model import softmax_cross_entropy
from app.rnn.text import _APOSTROPHES, _TOKEN
from app.services.rnn_models import weights_path

WORDS = (UNK, *(f"w{i}" for i in range(1, 40)))


def sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


def reference_gru(model: LanguageModel, ids: np.ndarray) -> np.ndarray:
    """h_t (T, B, H) for ids (T, B) by the module docstring's equations, one gate at a time, in float64."""
    p = {name: value.astype(np.float64) for name, value in model.params.items()}
    size = model.hidden
    w_x, w_h, b = (np.split(p[name], 3, axis=-1) for name in ("W_x", "W_h", "b"))
    h = np.zeros((ids.shape[1], size))
    states = []
    for x in p["embedding"][ids]:
        r = sigmoid(x @ w_x[0] + h @ w_h[0] + b[0])
        z = sigmoid(x @ w_x[1] + h @ w_h[1] + b[1])
        n = np.tanh(x @ w_x[2] + b[2] + r * (h @ w_h[2] + p["b_hn"]))
        h = (1 - z) * n + z * h
        states.append(h)
    return np.array(states).reshape(*ids.shape, size)


def gru_model(seed: int = 2, spread: float = 0.4) -> LanguageModel:
    model = LanguageModel(Vocabulary(WORDS), "gru", embed=6, hidden=8, seed=seed)
    model.params.flat[:] += np.random.default_rng(seed).normal(0.0, spread, model.params.flat.shape)
    return model


def test_the_training_forward_pass_follows_the_equations_for_a_batch() -> None:
    model = gru_model().astype(np.float64)
    ids = np.random.default_rng(0).integers(0, len(WORDS), (7, 3))
    trace = model.cell.forward(model.params, model.params["embedding"][ids])
    assert np.allclose(trace.hs[1:], reference_gru(model, ids), rtol=0, atol=1e-12)
    assert not trace.hs[0].any()


@pytest.mark.parametrize("steps", [0, 1, 2, 5, 63, 64, 65, 200, 1100])
def test_prediction_follows_the_equations_at_every_length(steps: int) -> None:
    model = gru_model()
    ids = np.random.default_rng(steps).integers(0, len(WORDS), steps)
    states = model.hidden_states(ids)
    assert states.shape == (steps, 8) and states.dtype == np.float32
    assert np.allclose(states, reference_gru(model, ids[:, None])[:, 0], rtol=0, atol=1e-5)


def test_prediction_in_float64_agrees_with_float32() -> None:
    model = gru_model()
    ids = np.arange(1, 30) % len(WORDS)
    assert np.allclose(model.astype(np.float64).hidden_states(ids), model.hidden_states(ids), atol=1e-5)


def test_hidden_states_are_a_new_array_each_time_and_continue_from_h0() -> None:
    model = gru_model()
    first = model.hidden_states(np.array([1, 2, 3]))
    kept = first.copy()
    model.hidden_states(np.array([4, 5, 6, 7]))
    model.predict("w8 w9")
    assert np.array_equal(first, kept)
    continued = model.hidden_states(np.array([4, 5]), first[-1])
    assert np.allclose(continued, model.hidden_states(np.array([1, 2, 3, 4, 5]))[3:], atol=1e-6)


def test_gates_that_saturate_exp_give_the_right_states_without_warnings() -> None:
    model = gru_model(seed=4, spread=3.0)  # pre-activations far beyond exp's float32 range
    model.params["W_h"][...] *= 40.0
    ids = np.random.default_rng(1).integers(0, len(WORDS), 12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        states = model.hidden_states(ids)
        model.predict("w1 w2 w3 w4")
    assert np.isfinite(states).all()
    assert np.allclose(states, reference_gru(model, ids[:, None])[:, 0], atol=1e-5)


def test_threads_sharing_a_model_each_get_their_own_answers() -> None:
    model = load_model(weights_path("gru"))
    texts = [f"the hidden state {'carries what the network has read ' * (i % 4)}so far" for i in range(12)]
    expected = [model.predict(text) for text in texts]
    results: dict[int, list[bool]] = {}

    def work(worker: int) -> None:
        order = random.Random(worker).sample(range(len(texts)), len(texts))
        results[worker] = [model.predict(texts[i]) == expected[i] for i in order * 20]

    threads = [threading.Thread(target=work, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 6 and all(all(matches) for matches in results.values())


@pytest.mark.parametrize("cell", ["vanilla", "gru"])
@pytest.mark.parametrize("temperature", [0.05, 0.3, 1.0, 2.5])
def test_predict_gives_the_probabilities_of_the_full_softmax(cell: str, temperature: float) -> None:
    model = load_model(weights_path(cell))
    text = "the gradient vanishes when the recurrent weights are"
    h = model.hidden_states(model.vocab.encode(tokenize(text)))[-1].astype(np.float64)
    logits = (h @ model.params["W_hy"] + model.params["b_y"]) / temperature
    exact = np.exp(logits - logits.max())
    exact /= exact.sum()
    top = model.predict(text, k=8, temperature=temperature).top
    assert [w for w, _ in top] == [
        model.vocab.words[i] for i in np.argsort(-exact[1:], kind="stable")[:8] + 1
    ]
    assert [p for _, p in top] == pytest.approx(exact[[model.vocab.id(w) for w, _ in top]], abs=1e-6)


def test_the_softmax_gradient_is_the_textbook_one() -> None:
    rng = np.random.default_rng(3)
    logits = rng.normal(0, 3, (6, 11))
    targets = rng.integers(0, 11, 6)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    expected = p.copy()
    expected[np.arange(6), targets] -= 1.0
    gradient, loss = softmax_cross_entropy(logits.copy(), targets)
    assert np.allclose(gradient, expected / 6, atol=1e-12)
    assert loss == pytest.approx(-np.mean(np.log(p[np.arange(6), targets])))


def test_the_tokenizer_shortcut_for_plain_text_splits_as_the_pattern_does() -> None:
    chars = "abcXYZ019 '_.,-\t\n\u00e9\u00df\u2019\u0130\u2160\u00b2"
    rng = random.Random(0)
    for _ in range(20000):
        text = "".join(rng.choice(chars) for _ in range(rng.randint(0, 24)))
        assert tokenize(text) == _TOKEN.findall(text.lower().translate(_APOSTROPHES)), repr(text)
