"""Benchmark: next-word prediction latency and training throughput of the NumPy RNN, on one core.

Usage: python bench/rnn.py [--calls 20000] [--steps 400]
Model: vocabulary 300, embedding 32, hidden 64; training batch 16, sequence length 20 (float32); the
vanilla, GRU and LSTM cells in turn.
Goal: `predict` on a 5-word prompt under 30 µs (median), training above 200,000 tokens/s (best and
median of three rounds are printed, since other jobs on a shared machine slow some rounds). For reference,
the same model in PyTorch on this CPU, one thread: about 90 µs and 140,000 tokens/s.
"""

from __future__ import annotations

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"  # one core: set before NumPy loads its BLAS

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from app.rnn import UNK, LanguageModel, ModelConfig, Vocabulary, train  # noqa: E402

VOCAB, EMBED, HIDDEN, BATCH, SEQ_LEN = 300, 32, 64, 16, 20
PROMPT = "w3 w17 w5 w42 w8"


def zipf_tokens(size: int, n: int, seed: int = 0) -> np.ndarray:
    """A token stream with word frequencies like a natural text's (rank^-1)."""
    weights = 1.0 / np.arange(1, size + 1)
    return np.random.default_rng(seed).choice(size, n, p=weights / weights.sum())


def prediction_latency(model: LanguageModel, calls: int) -> tuple[float, float]:
    """Median and 95th percentile, in microseconds, of `predict` on the 5-word prompt."""
    for _ in range(1000):
        model.predict(PROMPT)
    times = []
    clock = time.perf_counter_ns
    for _ in range(calls):
        start = clock()
        model.predict(PROMPT)
        times.append(clock() - start)
    times.sort()
    return statistics.median(times) / 1000, times[int(0.95 * len(times))] / 1000


def training_throughput(model: LanguageModel, tokens: np.ndarray, steps: int, rounds: int = 3) -> list[float]:
    """Tokens per second in each of `rounds` runs of `steps` training steps (after a short warm-up)."""
    train(model, tokens, 20, BATCH, SEQ_LEN, seed=1)
    return [train(model, tokens, steps, BATCH, SEQ_LEN, seed=2 + r).tokens_per_second for r in range(rounds)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--steps", type=int, default=400)
    args = parser.parse_args()
    vocab = Vocabulary((UNK, *(f"w{i}" for i in range(1, VOCAB))))
    tokens = zipf_tokens(VOCAB, 200_000)
    print(
        f"vocabulary {VOCAB}, embedding {EMBED}, hidden {HIDDEN}, batch {BATCH}, sequence {SEQ_LEN}, one thread"
    )
    for cell in ("vanilla", "gru", "lstm"):
        model = ModelConfig(vocab, cell, EMBED, HIDDEN, seed=0).build()
        rates = training_throughput(model, tokens, args.steps)
        median, p95 = prediction_latency(model, args.calls)
        print(f"{cell:8s} predict (5 words): median {median:6.1f} µs, p95 {p95:6.1f} µs (goal < 30 µs)")
        print(
            f"{cell:8s} training: best {max(rates):9,.0f} tokens/s, median {statistics.median(rates):9,.0f} "
            f"of {len(rates)} rounds (goal > 200,000)"
        )


if __name__ == "__main__":
    main()
