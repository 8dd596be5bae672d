"""The gradient-flow chart: vanishing at 0.5x and exploding at 3x on the shipped weights."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from app.rnn import LanguageModel, PromptError, load_model
from app.services.rnn_models import weights_path

PROMPTS = [
    "the hidden state carries what the network has read so far",
    "a recurrent network reads one word at a time and updates its state",
    "the gradient vanishes when the recurrent weights are small",
    "the cat sat on the mat and the dog sat on the",
    "an lstm keeps a separate cell state that the gates protect",
    "the model reads the words of the sentence one at a time",
]


@cache
def shipped(cell: str) -> LanguageModel:
    return load_model(weights_path(cell))


def first_over_last(model: LanguageModel, text: str, scale: float, rerun: bool = False) -> float:
    norms = model.gradient_norms(text, scale, rerun)
    return norms[0] / norms[-1]


@pytest.mark.parametrize("text", PROMPTS)
def test_the_vanilla_gradient_vanishes_at_half_and_explodes_at_three_times(text: str) -> None:
    model = shipped("vanilla")
    assert model.predict(text).unknown == []
    half, one, three = (first_over_last(model, text, s) for s in (0.5, 1.0, 3.0))
    assert half <= 1e-2  # the first word gets orders of magnitude less than the last
    assert three >= 1e2  # ... and orders of magnitude more
    assert half < one < three


def test_each_step_back_multiplies_the_vanilla_gradient_by_the_scale() -> None:
    # The definition: scaled recurrent Jacobians along the trained network's own trajectory.
    model, text = shipped("vanilla"), PROMPTS[0]
    base = np.array(model.gradient_norms(text, 1.0))
    distance = np.arange(len(base))[::-1]
    for scale in (0.5, 2.0, 3.0):
        assert np.allclose(model.gradient_norms(text, scale), base * scale**distance, rtol=1e-9)


@pytest.mark.parametrize("text", PROMPTS)
def test_gating_keeps_the_gru_gradient_from_vanishing(text: str) -> None:
    vanilla, gru = shipped("vanilla"), shipped("gru")
    assert first_over_last(gru, text, 0.5) > 30 * first_over_last(vanilla, text, 0.5)
    assert first_over_last(gru, text, 0.5) > 1e-2
    assert first_over_last(gru, text, 3.0) > first_over_last(gru, text, 0.5)


def test_rerunning_the_network_with_scaled_weights_saturates_tanh_and_tames_the_explosion() -> None:
    model = shipped("vanilla")
    for text in PROMPTS:
        assert first_over_last(model, text, 3.0, rerun=True) < first_over_last(model, text, 3.0) / 5


@pytest.mark.parametrize("cell", ["vanilla", "gru", "lstm"])
def test_one_norm_per_word_before_the_last(cell: str) -> None:
    norms = shipped(cell).gradient_norms("the cat sat on the mat", 1.7)
    assert len(norms) == 5 and all(np.isfinite(norms)) and all(n > 0 for n in norms)
    assert len(shipped(cell).gradient_norms("hello world", 1.0)) == 1


def test_a_single_word_has_no_earlier_step_and_the_scale_must_be_positive() -> None:
    with pytest.raises(PromptError, match="two words"):
        shipped("vanilla").gradient_norms("hello", 1.0)
    with pytest.raises(ValueError, match="positive"):
        shipped("vanilla").gradient_norms("hello world", 0.0)


@pytest.mark.parametrize("cell", ["vanilla", "gru", "lstm"])
def test_the_shipped_weights_beat_the_unigram_baseline_and_fit_the_size_budget(cell: str) -> None:
    model = shipped(cell)
    assert model.perplexities["held_out"] < model.perplexities["unigram"]
    assert model.perplexities["train"] < model.perplexities["held_out"]
    assert (model.embed, model.hidden) == (32, 96) and 1000 <= len(model.vocab) <= 2000
    assert sum(weights_path(c).stat().st_size for c in ("vanilla", "gru", "lstm")) < 2 * 1024 * 1024
