"""Prediction, generation, the step-through, and saving and loading a model."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from app.rnn import UNK, LanguageModel, ModelFileError, PromptError, Vocabulary, load_model

WORDS = (UNK, "the", "cat", "sat", "on", "mat", "dog", "ran", ".")


@pytest.fixture(params=["vanilla", "gru", "lstm"])
def model(request: pytest.FixtureRequest) -> LanguageModel:
    model = LanguageModel(Vocabulary(WORDS), request.param, embed=6, hidden=8, seed=5)
    model.params["W_hy"][...] *= 4.0  # a peaked distribution, so temperature has something to change
    model.steps, model.perplexities = 12, {"train": 3.5, "held_out": 5.25, "unigram": 7.0}
    return model


def test_predict_reports_tokens_unknown_words_top_k_and_one_hidden_vector_per_token(
    model: LanguageModel,
) -> None:
    prediction = model.predict("The zebra sat on the", k=3)
    assert prediction.tokens == ["the", "zebra", "sat", "on", "the"]
    assert prediction.unknown == ["zebra"]
    assert len(prediction.top) == 3
    assert all(word != UNK for word, _ in prediction.top)
    probabilities = [p for _, p in prediction.top]
    assert probabilities == sorted(probabilities, reverse=True)
    assert 0 < sum(probabilities) <= 1 + 1e-6
    assert len(prediction.hidden) == 5 and all(len(h) == 8 for h in prediction.hidden)
    assert all(isinstance(v, float) and -1 <= v <= 1 for h in prediction.hidden for v in h)


def test_the_next_word_distribution_sums_to_one_and_agrees_with_top(model: LanguageModel) -> None:
    hidden = model.hidden_states(model.vocab.encode(["the", "cat"]))
    probabilities = model.next_probabilities(hidden[-1], 1.3)
    assert probabilities.shape == (len(WORDS),)
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-5)
    top = model.predict("the cat", k=len(WORDS), temperature=1.3).top
    assert len(top) == len(WORDS) - 1  # every word but <unk>
    assert dict(top) == pytest.approx(
        {w: float(probabilities[i]) for i, w in enumerate(WORDS) if i}, abs=1e-6
    )


def test_low_temperature_sharpens_and_high_temperature_flattens_without_reordering(
    model: LanguageModel,
) -> None:
    def top(temperature: float) -> list[tuple[str, float]]:
        return model.predict("the cat", k=5, temperature=temperature).top

    cold, normal, hot = top(0.05), top(1.0), top(5.0)
    assert [w for w, _ in cold] == [w for w, _ in normal] == [w for w, _ in hot]
    assert cold[0][1] > normal[0][1] > hot[0][1]
    h = model.hidden_states(model.vocab.encode(["the", "cat"]))[-1]
    assert model.next_probabilities(h, 0.01).max() > 0.99  # towards greedy (<unk> included here)
    assert hot[0][1] - hot[-1][1] < normal[0][1] - normal[-1][1]


@pytest.mark.parametrize(("text", "k", "temperature"), [("", 5, 1.0), ("the", 0, 1.0), ("the", 5, 0.0)])
def test_bad_arguments_are_refused(model: LanguageModel, text: str, k: int, temperature: float) -> None:
    with pytest.raises(ValueError):
        model.predict(text, k, temperature)


def test_empty_text_is_a_prompt_error(model: LanguageModel) -> None:
    with pytest.raises(PromptError, match="at least one word"):
        model.predict("   ")


def test_generate_continues_greedily_or_by_seeded_sampling_and_never_writes_unk(model: LanguageModel) -> None:
    greedy = model.generate("the cat", 6, greedy=True)
    assert len(greedy) == 6 and greedy == model.generate("the cat", 6, greedy=True, seed=99)
    assert greedy[0] == model.predict("the cat", k=1).top[0][0]
    sampled = model.generate("the cat", 30, temperature=2.0, seed=4)
    assert sampled == model.generate("the cat", 30, temperature=2.0, seed=4)
    assert UNK not in sampled and set(sampled) <= set(WORDS)
    assert model.generate("the", 0) == []


def test_the_hidden_state_carries_over_when_generation_feeds_words_back(model: LanguageModel) -> None:
    words = model.generate("the cat", 3, greedy=True)
    assert model.predict("the cat " + " ".join(words[:2]), k=1).top[0][0] == words[2]


def test_step_details_give_the_equation_of_one_unit_in_real_numbers(model: LanguageModel) -> None:
    steps = model.step_details("the cat sat", unit=2)
    assert [s.token for s in steps] == ["the", "cat", "sat"]
    assert steps[0].h_prev == [0.0] * 8
    for before, after in itertools.pairwise(steps):
        assert after.h_prev == before.h
    for step in steps:
        assert len(step.x) == 6 and len(step.h) == 8 and step.unit == 2
        t = step.terms
        assert t.total == pytest.approx(t.input + t.recurrent + t.bias)
        assert t.value == pytest.approx(math.tanh(t.total), abs=1e-6)
        if model.cell_name == "vanilla":
            assert step.gates == {}
            assert step.h[2] == pytest.approx(t.value, abs=1e-6)
        elif model.cell_name == "gru":
            assert set(step.gates) == {"r", "z"}
            for gate in step.gates.values():
                assert gate.value == pytest.approx(1 / (1 + math.exp(-gate.total)), abs=1e-6)
            z = step.gates["z"].value
            assert step.h[2] == pytest.approx((1 - z) * t.value + z * step.h_prev[2], abs=1e-6)
        else:
            assert set(step.gates) == {"i", "f", "o"}
            for gate in step.gates.values():
                assert gate.value == pytest.approx(1 / (1 + math.exp(-gate.total)), abs=1e-6)
    if model.cell_name == "lstm":  # h_t = o_t tanh(c_t), c_t = f_t c_{t-1} + i_t g_t, from c_0 = 0
        c = 0.0
        for step in steps:
            g = step.gates
            c = g["f"].value * c + g["i"].value * step.terms.value
            assert step.h[2] == pytest.approx(g["o"].value * math.tanh(c), abs=1e-6)
    with pytest.raises(ValueError, match="unit"):
        model.step_details("the", unit=8)


def test_a_saved_model_loads_with_the_same_weights_vocabulary_and_metadata(
    model: LanguageModel, tmp_path: Path
) -> None:
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = load_model(path)
    assert loaded.params.flat.tobytes() == model.params.flat.tobytes()
    assert loaded.vocab == model.vocab
    assert (loaded.cell_name, loaded.embed, loaded.hidden, loaded.seed) == (model.cell_name, 6, 8, 5)
    assert (loaded.steps, loaded.perplexities) == (12, model.perplexities)
    assert loaded.predict("the dog ran") == model.predict("the dog ran")


def test_a_float64_copy_predicts_what_the_float32_model_predicts(model: LanguageModel) -> None:
    wide = model.astype(np.float64)
    assert wide.params.dtype == np.float64
    assert [w for w, _ in wide.predict("the cat").top] == [w for w, _ in model.predict("the cat").top]


def test_prediction_uses_the_same_forward_pass_as_training(model: LanguageModel) -> None:
    ids = model.vocab.encode(["the", "cat", "sat", "on"])
    trace = model.cell.forward(model.params, model.params["embedding"][ids][:, None, :])
    assert np.allclose(model.hidden_states(ids), trace.hs[1:, 0], atol=1e-6)


def test_a_file_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "junk.npz"
    path.write_bytes(b"not a zip file")
    with pytest.raises(ModelFileError, match="not a model file"):
        load_model(path)
    np.savez(path, meta=np.array('{"format": "other"}'), vocab=np.array(UNK))
    with pytest.raises(ModelFileError, match="format"):
        load_model(path)


def test_an_unknown_cell_is_refused() -> None:
    with pytest.raises(ValueError, match="vanilla, gru, lstm"):
        LanguageModel(Vocabulary(WORDS), "peephole")
