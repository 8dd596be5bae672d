"""Training by truncated backpropagation through time on random windows, and perplexity."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from app.rnn.model import LanguageModel
from app.rnn.optim import Adam, clip_global_norm
from app.rnn.text import Vocabulary

Progress = Callable[[int, float], bool | None]


@dataclass(frozen=True)
class ModelConfig:
    """What a new model is built from; the seed fixes every initial weight."""

    vocab: Vocabulary
    cell: str = "vanilla"
    embed: int = 32
    hidden: int = 64
    seed: int = 0

    def build(self) -> LanguageModel:
        return LanguageModel(self.vocab, self.cell, self.embed, self.hidden, self.seed)


@dataclass
class TrainingHistory:
    """The trained model and its mean cross-entropy (nats per token) at every step."""

    model: LanguageModel
    losses: list[float] = field(default_factory=list)
    seconds: float = 0.0
    tokens: int = 0

    @property
    def tokens_per_second(self) -> float:
        return self.tokens / self.seconds if self.seconds > 0 else 0.0


def train(
    model_or_config: LanguageModel | ModelConfig,
    token_ids: np.ndarray,
    steps: int = 1000,
    batch: int = 16,
    seq_len: int = 20,
    seed: int = 0,
    lr: float = 0.01,
    clip: float = 5.0,
    on_progress: Progress | None = None,
) -> TrainingHistory:
    """Adam on batches of random windows; `on_progress(step, loss)` may return False to stop early.

    A model is trained in place; a config is built into a new model first. Windows start from the zero
    state, as prediction does. The window positions come from `seed`, so a run is reproducible.
    """
    model = model_or_config if isinstance(model_or_config, LanguageModel) else model_or_config.build()
    ids = np.asarray(token_ids, dtype=np.intp)
    if len(ids) <= seq_len:
        raise ValueError(f"need more than {seq_len} tokens to train on, got {len(ids)}")
    rng = np.random.default_rng(seed)
    grads, optimiser = model.params.zeros_like(), Adam(model.params, lr)
    history = TrainingHistory(model)
    offsets = np.arange(seq_len + 1)
    started = time.perf_counter()
    for step in range(1, steps + 1):
        window = ids[rng.integers(0, len(ids) - seq_len, size=batch)[:, None] + offsets]
        loss = model.loss_and_grads(window[:, :-1], window[:, 1:], grads)
        clip_global_norm(grads, clip)
        optimiser.step(grads)
        model.weights_changed()
        history.losses.append(loss)
        if on_progress is not None and on_progress(step, loss) is False:
            break
    history.seconds = time.perf_counter() - started
    history.tokens = len(history.losses) * batch * seq_len
    model.steps += len(history.losses)
    return history


def perplexity(model: LanguageModel, token_ids: np.ndarray, seq_len: int = 20, chunk: int = 256) -> float:
    """exp(mean negative log-likelihood) of every token but the first, read in windows of `seq_len`
    predictions from the zero state (the context the model was trained with), `chunk` windows at a time."""
    ids = np.asarray(token_ids, dtype=np.intp)
    if len(ids) < 2:
        raise ValueError("need at least two tokens to measure perplexity")
    full = (len(ids) - 1) // seq_len
    windows = ids[np.arange(full)[:, None] * seq_len + np.arange(seq_len + 1)]
    parts = [
        model.log_likelihoods(part[:, :-1], part[:, 1:]).ravel()
        for part in (windows[i : i + chunk] for i in range(0, full, chunk))
    ]
    tail = ids[full * seq_len :]
    if len(tail) > 1:
        parts.append(model.log_likelihoods(tail[None, :-1], tail[None, 1:]).ravel())
    return float(np.exp(-np.mean(np.concatenate(parts), dtype=np.float64)))


def unigram_perplexity(train_ids: np.ndarray, test_ids: np.ndarray, vocab_size: int | None = None) -> float:
    """The baseline that ignores context: add-one smoothed word frequencies of the training text,
    scored on the same tokens `perplexity` scores (all test tokens but the first)."""
    train = np.asarray(train_ids, dtype=np.intp)
    test = np.asarray(test_ids, dtype=np.intp)[1:]
    size = vocab_size or int(max(train.max(initial=0), test.max(initial=0))) + 1
    counts = np.bincount(train, minlength=size).astype(np.float64) + 1.0
    log_p = np.log(counts[test] / counts.sum())
    return float(np.exp(-log_p.mean()))
