"""Backpropagation through time against central differences (eps 1e-4: the truncation error, ~eps², stays
far below the round-off that 1e-5 gives on the LSTM's smallest recurrent gradients), Adam, clipping, training and perplexity."""

from __future__ import annotations

import numpy as np
import pytest

from app.rnn import UNK, LanguageModel, ModelConfig, Vocabulary, perplexity, train, unigram_perplexity
from app.rnn.optim import Adam, clip_global_norm

VOCAB = Vocabulary((UNK, *(f"w{i}" for i in range(1, 12))))
SENTENCE = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 3, 5, 7]


def tiny_model(cell: str, dtype: type = np.float64, seed: int = 3) -> LanguageModel:
    model = LanguageModel(VOCAB, cell, embed=4, hidden=5, seed=seed, dtype=dtype)
    # Larger, non-zero weights everywhere, so every term of the gradient matters.
    model.params.flat[:] += np.random.default_rng(1).normal(0.0, 0.3, model.params.flat.shape)
    return model


def numeric_gradient(
    model: LanguageModel, inputs: np.ndarray, targets: np.ndarray, eps: float = 1e-4
) -> np.ndarray:
    scratch = model.params.zeros_like()
    flat = model.params.flat
    grad = np.empty_like(flat)
    for i in range(len(flat)):
        kept = flat[i]
        flat[i] = kept + eps
        plus = model.loss_and_grads(inputs, targets, scratch)
        flat[i] = kept - eps
        minus = model.loss_and_grads(inputs, targets, scratch)
        flat[i] = kept
        grad[i] = (plus - minus) / (2 * eps)
    return grad


@pytest.mark.parametrize("cell", ["vanilla", "gru", "lstm"])
def test_bptt_matches_central_differences_in_float64(cell: str) -> None:
    model = tiny_model(cell)
    rng = np.random.default_rng(0)
    inputs, targets = rng.integers(0, len(VOCAB), (3, 6)), rng.integers(0, len(VOCAB), (3, 6))
    analytic = model.params.zeros_like()
    model.loss_and_grads(inputs, targets, analytic)
    numeric = model.params.zeros_like()
    numeric.flat[:] = numeric_gradient(model, inputs, targets)
    errors = {}
    for name in analytic:
        a, n = analytic[name], numeric[name]
        assert np.abs(a).max() > 1e-4, f"{name} has no gradient to check"
        errors[name] = float(np.max(np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), 1e-6)))
    assert max(errors.values()) <= 1e-5, errors


def test_gradient_clipping_scales_all_arrays_together() -> None:
    grads = tiny_model("vanilla").params.zeros_like()
    grads.flat[:] = 1.0
    before = clip_global_norm(grads, 2.0)
    assert before == pytest.approx(np.sqrt(grads.flat.size))
    assert np.linalg.norm(grads.flat) == pytest.approx(2.0)
    assert np.allclose(grads["W_hh"], grads["b_y"][0])
    assert clip_global_norm(grads, 5.0) == pytest.approx(2.0)  # under the limit: unchanged
    assert np.linalg.norm(grads.flat) == pytest.approx(2.0)


def test_adams_first_step_moves_every_weight_by_the_learning_rate_against_its_gradient() -> None:
    model = tiny_model("vanilla")
    before = model.params.flat.copy()
    grads = model.params.zeros_like()
    grads.flat[:] = np.linspace(-3.0, 3.0, grads.flat.size) + 0.01
    Adam(model.params, lr=0.01).step(grads)
    assert np.allclose(model.params.flat - before, -0.01 * np.sign(grads.flat), rtol=1e-4)


@pytest.mark.parametrize("cell", ["vanilla", "gru", "lstm"])
def test_training_lowers_the_loss(cell: str) -> None:
    tokens = np.array(SENTENCE * 40)
    history = train(ModelConfig(VOCAB, cell, 8, 16, seed=0), tokens, steps=80, batch=8, seq_len=10, lr=0.02)
    assert len(history.losses) == 80 and history.model.steps == 80
    assert np.mean(history.losses[-10:]) < 0.5 * history.losses[0]
    assert perplexity(history.model, tokens) < 3.0  # the sentence is learnt: far below 12 words


def test_training_can_be_stopped_by_the_progress_callback() -> None:
    seen: list[int] = []
    history = train(
        ModelConfig(VOCAB), np.array(SENTENCE * 5), 50, 4, 5, on_progress=lambda s, _: seen.append(s) or s < 3
    )
    assert seen == [1, 2, 3]
    assert len(history.losses) == 3 and history.tokens == 3 * 4 * 5


@pytest.mark.parametrize("cell", ["vanilla", "gru", "lstm"])
def test_the_same_seed_gives_bit_identical_weights(cell: str) -> None:
    def run(seed: int) -> bytes:
        tokens = np.array(SENTENCE * 10)
        return train(
            ModelConfig(VOCAB, cell, 8, 16, seed), tokens, 15, 4, 8, seed=seed
        ).model.params.flat.tobytes()

    assert run(7) == run(7)
    assert run(7) != run(8)
    assert LanguageModel(VOCAB, cell, seed=1).params.flat.dtype == np.float32


def test_too_short_a_text_cannot_be_trained_on() -> None:
    with pytest.raises(ValueError, match="more than 20 tokens"):
        train(ModelConfig(VOCAB), np.arange(20) % 12, 1)


def test_a_model_that_knows_nothing_has_the_vocabulary_size_as_perplexity() -> None:
    model = LanguageModel(VOCAB)
    model.params["W_hy"][...] = 0.0  # every logit 0: the uniform distribution
    assert perplexity(model, np.array(SENTENCE * 3), seq_len=5) == pytest.approx(len(VOCAB), rel=1e-5)


def test_the_unigram_baseline_uses_add_one_counts_of_the_training_text() -> None:
    # counts + 1 = [1, 3, 2] of 6; the first test token is context, the others have p = 1/2 and 1/3
    assert unigram_perplexity(np.array([1, 1, 2]), np.array([0, 1, 2])) == pytest.approx(np.sqrt(6))
