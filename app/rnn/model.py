"""The word-level language model: embedding -> recurrent cell -> softmax over the vocabulary."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from app.rnn.cells import Cell, Runner, Terms
from app.rnn.gradflow import gradient_norms
from app.rnn.gru import GRUCell
from app.rnn.inspect import connectivity, gate_values
from app.rnn.lstm import LSTMCell
from app.rnn.params import ParamSet
from app.rnn.store import ModelFileError, PathLike, read_model_file, write_model_file
from app.rnn.text import PromptError, Vocabulary, tokenize
from app.rnn.vanilla import VanillaCell

CELLS: dict[str, Callable[[], Cell]] = {"vanilla": VanillaCell, "gru": GRUCell, "lstm": LSTMCell}
EMBEDDING_STD = 0.3  # small inputs keep tanh units out of saturation early in training
SAFE_EXPONENT = 60.0  # exp(+-60) and a vocabulary's sum of them stay far inside float32's range


@dataclass(frozen=True)
class Prediction:
    """The next-word distribution after a text, and the hidden state after each of its tokens."""

    tokens: list[str]
    unknown: list[str]
    top: list[tuple[str, float]]
    hidden: list[list[float]]


@dataclass(frozen=True)
class StepDetail:
    """One time step of the unrolled network, with one unit's equation in real numbers.

    `terms` is the state update's pre-activation for `unit` (vanilla: h_t itself; GRU: the candidate n_t;
    LSTM: the candidate g_t); `gates` holds the GRU's reset and update gates ("r", "z"), the LSTM's input,
    forget and output gates ("i", "f", "o"), and is empty for a vanilla cell.
    """

    token: str
    x: list[float]
    h_prev: list[float]
    h: list[float]
    unit: int
    terms: Terms
    gates: dict[str, Terms]


class LanguageModel:
    """Weights of one model in one flat buffer (float32 to train, float64 for gradient checks)."""

    def __init__(
        self,
        vocab: Vocabulary,
        cell: str = "vanilla",
        embed: int = 32,
        hidden: int = 64,
        seed: int = 0,
        dtype: np.dtype | type = np.float32,
        initialise: bool = True,
    ) -> None:
        if cell not in CELLS:
            raise ValueError(f"unknown cell {cell!r}: choose one of {', '.join(CELLS)}")
        self.vocab, self.cell_name, self.embed, self.hidden, self.seed = vocab, cell, embed, hidden, seed
        self.cell = CELLS[cell]()
        size = len(vocab)
        shapes = {
            "embedding": (size, embed),
            **self.cell.shapes(embed, hidden),
            "W_hy": (hidden, size),
            "b_y": (size,),
        }
        self.params = ParamSet(shapes, dtype)
        self.steps = 0
        self.perplexities: dict[str, float] = {}
        self._runner: Runner | None = None
        self._output: tuple[np.ndarray, np.ndarray, np.ndarray, float] | None = None
        if initialise:
            self._initialise(np.random.default_rng(seed))

    def _initialise(self, rng: np.random.Generator) -> None:
        """Draw every weight from one generator in a fixed order: the same seed, the same bits."""
        self.params["embedding"][...] = EMBEDDING_STD * rng.standard_normal(self.params["embedding"].shape)
        self.cell.init(self.params, rng)
        self.params["W_hy"][...] = rng.uniform(-1, 1, self.params["W_hy"].shape) / np.sqrt(self.hidden)
        self.params["b_y"][...] = 0.0

    def astype(self, dtype: np.dtype | type) -> LanguageModel:
        """A copy in another precision."""
        copy = LanguageModel(self.vocab, self.cell_name, self.embed, self.hidden, self.seed, dtype, False)
        copy.params.flat[:] = self.params.flat
        copy.steps, copy.perplexities = self.steps, dict(self.perplexities)
        return copy

    def weights_changed(self) -> None:
        """Drop the prediction's precomputed tables; training calls this after each update."""
        self._runner = self._output = None

    # Training -----------------------------------------------------------------------------------------

    def loss_and_grads(self, inputs: np.ndarray, targets: np.ndarray, grads: ParamSet) -> float:
        """Mean cross-entropy of `targets` (B, T) given `inputs` (B, T); gradients go into `grads`."""
        params, ids = self.params, np.ascontiguousarray(inputs.T)
        trace = self.cell.forward(params, params["embedding"][ids])
        steps, batch = ids.shape
        flat_h = trace.hs[1:].reshape(steps * batch, self.hidden)
        logits = np.dot(flat_h, params["W_hy"])  # the output layer, batched over every time step
        logits += params["b_y"]
        # d(loss)/d(logits) = scale[:, None] * logits afterwards; the row scaling goes on the (N, hidden)
        # operands of the products, not on the (N, vocabulary) array.
        scale, loss = unscaled_softmax_gradient(logits, targets.T.ravel())
        np.dot((flat_h * scale[:, None]).T, logits, out=grads["W_hy"])
        np.dot(scale, logits, out=grads["b_y"])
        dhs = np.dot(logits, params["W_hy"].T)
        dhs *= scale[:, None]
        dhs = dhs.reshape(steps, batch, self.hidden)
        dxs = self.cell.backward(params, trace, dhs, grads)
        scatter_add_rows(grads["embedding"], ids.ravel(), dxs.reshape(steps * batch, self.embed))
        return loss

    def log_likelihoods(self, inputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """log p(target | inputs so far) for a batch of windows (B, T), each read from the zero state."""
        ids = np.ascontiguousarray(inputs.T)
        trace = self.cell.forward(self.params, self.params["embedding"][ids])
        logits = trace.hs[1:] @ self.params["W_hy"] + self.params["b_y"]
        logits -= logits.max(axis=2, keepdims=True)
        log_z = np.log(np.exp(logits).sum(axis=2))
        picked = np.take_along_axis(logits, targets.T[..., None], axis=2)[..., 0]
        return (picked - log_z).T

    # Inference ----------------------------------------------------------------------------------------

    def hidden_states(self, ids: np.ndarray, h0: np.ndarray | None = None) -> np.ndarray:
        """h_t for every token id (T, hidden), starting from the zero state or `h0`."""
        return self._states(ids, h0)

    def _states(self, ids: Sequence[int] | np.ndarray, h0: np.ndarray | None = None) -> np.ndarray:
        runner = self._runner
        if runner is None:
            runner = self._prepare()
        return runner.run(ids, h0)

    def _prepare(self) -> Runner:
        """Build prediction's precomputed tables for the current weights."""
        runner = self.cell.runner(self.params, self.params["embedding"])
        w_hy, b_y = self.params["W_hy"].copy(), self.params["b_y"].copy()
        reach = float((np.abs(w_hy).sum(axis=0) + np.abs(b_y)).max(initial=0.0))
        self._output = (w_hy, b_y, np.ones(len(b_y), dtype=b_y.dtype), reach)
        self._runner = runner
        return runner

    def next_probabilities(self, h: np.ndarray, temperature: float = 1.0) -> np.ndarray:
        """p(next word | h) after dividing the logits by the temperature; sums to 1 over the vocabulary."""
        weights, total = self._softmax_weights(h, temperature)
        weights /= total
        return weights

    def _softmax_weights(
        self, h: np.ndarray, temperature: float, bounded: bool = False
    ) -> tuple[np.ndarray, float]:
        """exp((z - c) / T) for the logits z after h, and their sum: the softmax before dividing.

        c is the largest logit, unless `bounded` says |h_i| <= 1 (a state the runners computed) and the
        logits then cannot reach exp's range: every |z_j| <= sum_i |W_hy[i, j]| + |b_y[j]|, and c = 0."""
        if not temperature > 0:
            raise ValueError("the temperature must be positive")
        output = self._output
        if output is None:
            self._prepare()
            output = self._output
            assert output is not None
        w_hy, b_y, ones, reach = output
        z = np.dot(h, w_hy)
        np.add(z, b_y, z)
        if not (bounded and reach < SAFE_EXPONENT * temperature):
            np.subtract(z, z.max(), z)
        if temperature != 1.0:
            # A tiny temperature overflows 1/T in float32: the largest logit then gives 0 * inf = NaN
            # where its weight must be exp(0) = 1, and the others -inf, whose weight is 0 as it should be.
            with np.errstate(over="ignore", invalid="ignore"):
                np.multiply(z, 1.0 / temperature, z)
            np.nan_to_num(z, copy=False, nan=0.0, neginf=-np.inf)
        np.exp(z, z)
        return z, float(np.dot(z, ones))  # a product with ones: half the cost of z.sum()

    def predict(self, text: str, k: int = 5, temperature: float = 1.0) -> Prediction:
        """Tokens, unknown words, the k likeliest next words (never <unk>) and the hidden states."""
        if k < 1:
            raise ValueError("k must be at least 1")
        tokens, ids = self._prompt(text)
        runner = self._runner or self._prepare()
        hs = runner.states(ids)  # possibly a view into the runner's buffers, read before its next call
        weights, total = self._softmax_weights(hs[-1], temperature, bounded=True)
        weights[0] = -1.0  # <unk> is not a word to offer
        top = []
        words, argmax, value = self.vocab.words, weights.argmax, weights.item
        for _ in range(min(k, len(weights) - 1)):  # k argmax passes beat a partition for small k
            best = argmax()
            top.append((words[best], value(best) / total))
            weights[best] = -1.0
        unknown = [t for t, i in zip(tokens, ids, strict=True) if i == 0] if 0 in ids else []
        return Prediction(tokens, unknown, top, hs.tolist())

    def generate(
        self, text: str, n_words: int, temperature: float = 1.0, greedy: bool = False, seed: int = 0
    ) -> list[str]:
        """Continue the text by `n_words` words, the likeliest each time or sampled; <unk> is never chosen."""
        if n_words < 0:
            raise ValueError("n_words cannot be negative")
        _, ids = self._prompt(text)
        rng = np.random.default_rng(seed)
        runner = self._runner or self._prepare()
        hs, state = runner.run_state(ids)
        h = hs[-1]
        words: list[int] = []
        for _ in range(n_words):
            word = self._next_word(h, temperature, greedy, rng)
            words.append(word)
            hs, state = runner.run_state([word], state)
            h = hs[-1]
        return self.vocab.decode(words)

    def _next_word(self, h: np.ndarray, temperature: float, greedy: bool, rng: np.random.Generator) -> int:
        """The likeliest word (greedy) or one sampled at the temperature; never <unk> (id 0)."""
        probs = self.next_probabilities(h, 1.0 if greedy else temperature).astype(np.float64)
        probs[0] = 0.0
        total = probs.sum()
        if greedy or not total > 0:  # so cold a temperature that <unk> held all the mass: the likeliest
            if not total > 0:
                probs = self.next_probabilities(h).astype(np.float64)
                probs[0] = 0.0
            return int(np.argmax(probs))
        return int(rng.choice(len(probs), p=probs / total))

    def step_details(self, text: str, unit: int = 0) -> list[StepDetail]:
        """Per time step: x_t, h_{t-1}, h_t and the chosen unit's equation terms (and gates for a GRU)."""
        if not 0 <= unit < self.hidden:
            raise ValueError(f"unit must be between 0 and {self.hidden - 1}")
        tokens, ids = self._prompt(text)
        hs = self._states(ids)
        h_prev = np.vstack([np.zeros((1, self.hidden), dtype=hs.dtype), hs[:-1]])
        details = []
        for t, token in enumerate(tokens):
            x = self.params["embedding"][ids[t]]
            update, gates = self.cell.explain(self.params, x, h_prev[t], unit)
            details.append(
                StepDetail(token, x.tolist(), h_prev[t].tolist(), hs[t].tolist(), unit, update, gates)
            )
        return details

    def gradient_norms(self, text: str, scale: float = 1.0, rerun: bool = False) -> list[float]:
        """||dL/dh_t|| for the loss on the last word, one per earlier word, with the recurrent weights
        scaled by `scale` in the backward pass (and in the forward pass too if `rerun`); see app.rnn.gradflow."""
        return gradient_norms(self, text, scale, rerun)

    def gate_values(self, text: str) -> tuple[list[str], dict[str, list[list[float]]]]:
        """Per gate (GRU: update, reset; LSTM: input, forget, output, and the cell state), one row of H
        values per token; see app.rnn.inspect."""
        return gate_values(self, text)

    def connectivity(self, text: str, position: int) -> tuple[list[str], list[float]]:
        """||d h_position / d x_k|| for every token k up to `position`; see app.rnn.inspect."""
        return connectivity(self, text, position)

    def _prompt(self, text: str) -> tuple[list[str], list[int]]:
        """The tokens and their ids, as a list: the runners take one, and it is cheaper than an array."""
        tokens = tokenize(text)
        if not tokens:
            raise PromptError("type at least one word")
        get = self.vocab.index.get
        return tokens, [get(t, 0) for t in tokens]

    # Storage ------------------------------------------------------------------------------------------

    def round_to(self, dtype: np.dtype | type) -> None:
        """Round the weights to a storage precision in place (they stay in the model's own dtype)."""
        self.params.flat[:] = self.params.flat.astype(dtype)
        self.weights_changed()

    def save(self, path: PathLike, dtype: np.dtype | type = np.float32) -> None:
        """Write the weights (float32, or float16 to halve the file), the vocabulary and the metadata to an
        .npz file; `load_model` reads either into float32."""
        meta = {
            "cell": self.cell_name,
            "embed": self.embed,
            "hidden": self.hidden,
            "vocab_size": len(self.vocab),
            "seed": self.seed,
            "steps": self.steps,
            "perplexities": self.perplexities,
        }
        params = {name: value.astype(dtype) for name, value in self.params.items()}
        write_model_file(path, params, list(self.vocab.words), meta)


def load_model(path: PathLike) -> LanguageModel:
    """Read a model saved by `LanguageModel.save`, in float32."""
    params, words, meta = read_model_file(path)
    try:
        model = LanguageModel(
            Vocabulary(tuple(words)),
            meta["cell"],
            meta["embed"],
            meta["hidden"],
            meta["seed"],
            initialise=False,
        )
        for name, target in model.params.items():
            if params[name].shape != target.shape:
                raise ValueError(f"{name} has shape {params[name].shape}, expected {target.shape}")
            target[...] = params[name]
    except (KeyError, ValueError) as exc:
        raise ModelFileError(f"{os.fspath(path)} does not hold a complete model: {exc}") from exc
    model.steps = int(meta.get("steps", 0))
    model.perplexities = {k: float(v) for k, v in meta.get("perplexities", {}).items()}
    return model


def scatter_add_rows(target: np.ndarray, rows: np.ndarray, values: np.ndarray) -> None:
    """target = 0, then target[rows[i]] += values[i] for every i (repeated rows add up).

    Flat indices take numpy's fast one-dimensional path of `add.at`, several times faster than rows."""
    width = target.shape[1]
    target[...] = 0.0
    flat = (rows[:, None] * width + np.arange(width)).ravel()
    np.add.at(target.reshape(-1), flat, values.ravel())


def softmax_cross_entropy(logits: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, float]:
    """d(mean cross-entropy)/d(logits), computed in place over `logits` (N, V), and the loss."""
    scale, loss = unscaled_softmax_gradient(logits, targets)
    logits *= scale[:, None]
    return logits, loss


def unscaled_softmax_gradient(logits: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, float]:
    """The mean cross-entropy's gradient up to a per-row factor: `logits` (N, V) become, in place, G with
    d(loss)/d(logits) = scale[:, None] * G, and `scale` (N) and the loss are returned.

    G is exp(z - c) with each row's sum subtracted at its target, and scale = 1 / (N * row sum). One shift
    by the batch's largest logit usually replaces the per-row maximum (two passes fewer); if any logit lies
    far enough below it to risk underflow, every row is shifted by its own maximum too. Row sums are a
    product with ones, several times faster than np.sum along rows.
    """
    rows = np.arange(len(targets))
    logits -= logits.max()
    if logits.min() < np.log(np.finfo(logits.dtype).tiny) / 2:
        logits -= logits.max(axis=1, keepdims=True)
    picked = logits[rows, targets]
    np.exp(logits, out=logits)
    sums = np.dot(logits, np.ones(logits.shape[1], dtype=logits.dtype))
    loss = float(np.mean(np.log(sums) - picked))
    logits[rows, targets] -= sums
    return 1.0 / (sums * len(targets)), loss
