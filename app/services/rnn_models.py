"""The demo's language models: gather Unroll's own text, train on it, and ship the weights."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from app.content import QuestionSet, content_files, parse_file
from app.content.cloze import CLOZE, reveal_clozes
from app.rnn import (
    Corpus,
    LanguageModel,
    ModelConfig,
    TrainingHistory,
    corpus_from_texts,
    load_model,
    perplexity,
    train,
    unigram_perplexity,
)
from app.rnn.training import Progress

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "rnn" / "weights"
CORPUS_FOLDER = "rnn"  # plain-text corpus under the content folder: content/rnn/*.txt

# Training settings of the shipped models (see docs/rnn-demo.md for the figures they give).
MIN_COUNT, MAX_VOCAB = 2, 1600
EMBED, HIDDEN = 32, 96
STEPS, BATCH, SEQ_LEN, LR, CLIP = 600, 32, 20, 0.005, 5.0
# The LSTM learns more slowly than the other cells: at 600 steps it still underfits (held-out 80.8, 73.4 at 1000).
CELL_STEPS = {"lstm": 1000}
# The LSTM has a third more weights than the GRU: stored in float16, the three files stay under 2 MB.
STORED_PRECISION: dict[str, type] = {"lstm": np.float16}

_REMOVED = [
    re.compile(r"```.*?```", re.S),  # code blocks
    re.compile(r"\$\$.*?\$\$", re.S),  # display maths
    re.compile(r"\$[^$\n]+\$"),  # inline maths
    re.compile(r"`[^`\n]*`"),  # inline code
    re.compile(r"!\[[^\]]*\]\([^)]*\)"),  # images
    re.compile(r"<[^>\n]+>"),  # HTML tags
    re.compile(r"^\s*\|.*$", re.M),  # table rows
]
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"^\s*(?:#+|>|[-*+]|\d+\.)\s+|\*\*|__|(?<!\w)[*_]|[*_](?!\w)", re.M)


@dataclass(frozen=True)
class TrainingReport:
    """A trained model with its history and perplexities: training text, held-out text, unigram."""

    model: LanguageModel
    history: TrainingHistory
    corpus: Corpus

    @property
    def perplexities(self) -> dict[str, float]:
        return self.model.perplexities


def plain_text(markdown: str) -> str:
    """Prose only: maths, code, tables, images and markup removed, link and cloze text kept."""
    markdown = reveal_clozes(markdown)
    for pattern in _REMOVED:
        markdown = pattern.sub(" ", markdown)
    return " ".join(_MARKUP.sub(" ", _LINK.sub(r"\1", markdown)).split())


def set_texts(question_set: QuestionSet) -> list[str]:
    """The Explain, Keypoint and Review text of one question set."""
    texts = [question_set.explain, *(item.text for item in question_set.keypoints)]
    for item in question_set.review:
        answer = "" if CLOZE.search(item.question) else item.answer  # a cloze's answer repeats its question
        texts += [item.question, answer, item.explanation]
        texts += [part for option in item.options for part in (option.text, option.explanation)]
    return [plain_text(t) for t in texts if t.strip()]


def training_texts(content_dir: Path) -> list[str]:
    """Every set's text (sets with errors are skipped), then every .txt file of content/rnn/, in name order."""
    texts: list[str] = []
    for path in content_files(content_dir):
        result = parse_file(str(path), path.read_bytes())
        if result.question_set is not None:
            texts += set_texts(result.question_set)
    for path in sorted((content_dir / CORPUS_FOLDER).glob("*.txt")):
        texts.append(path.read_text(encoding="utf-8"))
    return texts


def build_corpus(content_dir: Path) -> Corpus:
    """Tokens of Unroll's text, one block in ten held out, vocabulary from the rest."""
    return corpus_from_texts(training_texts(content_dir), MIN_COUNT, MAX_VOCAB)


def train_model(
    corpus: Corpus,
    cell: str = "vanilla",
    steps: int | None = None,
    seed: int = 0,
    on_progress: Progress | None = None,
) -> TrainingReport:
    """Train a fresh model and record its training, held-out and unigram perplexities on it."""
    config = ModelConfig(corpus.vocab, cell, EMBED, HIDDEN, seed)
    steps = CELL_STEPS.get(cell, STEPS) if steps is None else steps
    history = train(config, corpus.train_ids, steps, BATCH, SEQ_LEN, seed, LR, CLIP, on_progress)
    model = history.model
    model.round_to(STORED_PRECISION.get(cell, np.float32))  # measure the weights that will be shipped
    model.perplexities = {
        "train": perplexity(model, corpus.train_ids, SEQ_LEN),
        "held_out": perplexity(model, corpus.held_out_ids, SEQ_LEN),
        "unigram": unigram_perplexity(corpus.train_ids, corpus.held_out_ids, len(corpus.vocab)),
    }
    return TrainingReport(model, history, corpus)


def weights_path(cell: str, folder: Path = WEIGHTS_DIR) -> Path:
    return folder / f"{cell}.npz"


def save_weights(model: LanguageModel, folder: Path = WEIGHTS_DIR) -> Path:
    """Write the model where the demo loads it from; returns the path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = weights_path(model.cell_name, folder)
    model.save(path, STORED_PRECISION.get(model.cell_name, np.float32))
    shipped_model.cache_clear()
    return path


@cache
def shipped_model(cell: str) -> LanguageModel:
    """The shipped model for a cell, loaded once per process (prediction never changes it)."""
    return load_model(weights_path(cell))


def shipped_cells(cells: Iterable[str] = ("vanilla", "gru", "lstm")) -> list[str]:
    """The cells whose weights are present."""
    return [cell for cell in cells if weights_path(cell).exists()]
