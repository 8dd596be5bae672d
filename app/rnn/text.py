"""Words to token ids: the tokenizer, the vocabulary and a deterministic train/held-out split."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

UNK = "<unk>"
# A word is letters or digits, with inner apostrophes ("don't"); any other visible character is a token.
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*|[^\w\s]|_")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
HELD_OUT_BLOCK = 100


class PromptError(ValueError):
    """The text cannot be used as a prompt (no words, or too few for the question asked)."""


def tokenize(text: str) -> list[str]:
    """Lower-case words and single punctuation marks, in order: "It's 2x." -> ["it's", "2x", "."]."""
    text = text.lower()
    if not text.isascii():
        return _TOKEN.findall(text.translate(_APOSTROPHES))
    if text.replace(" ", "").isalnum():  # ASCII letters, digits and spaces only: the words are the split
        return text.split()
    return _TOKEN.findall(text)


@dataclass(frozen=True)
class Vocabulary:
    """Words by id; id 0 is <unk>, which stands for every word not in the list."""

    words: tuple[str, ...]
    index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.words or self.words[0] != UNK:
            raise ValueError(f"a vocabulary starts with {UNK}")
        if len(set(self.words)) != len(self.words):
            raise ValueError("a vocabulary lists every word once")
        object.__setattr__(self, "index", {w: i for i, w in enumerate(self.words)})

    @classmethod
    def build(cls, tokens: Iterable[str], min_count: int = 2, max_size: int = 2000) -> Vocabulary:
        """The most frequent tokens seen at least `min_count` times; ties go alphabetically."""
        counts = Counter(tokens)
        counts.pop(UNK, None)
        kept = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
        return cls((UNK, *kept[: max(max_size - 1, 0)]))

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.index

    def id(self, word: str) -> int:
        return self.index.get(word, 0)

    def encode(self, tokens: Sequence[str]) -> np.ndarray:
        """Token ids, unknown tokens as 0."""
        get = self.index.get
        return np.array([get(t, 0) for t in tokens], dtype=np.intp)

    def decode(self, ids: Iterable[int]) -> list[str]:
        return [self.words[i] for i in ids]


@dataclass(frozen=True)
class Corpus:
    """A vocabulary built from the training part, and both parts as token ids."""

    vocab: Vocabulary
    train_ids: np.ndarray
    held_out_ids: np.ndarray

    @property
    def sizes(self) -> tuple[int, int]:
        return len(self.train_ids), len(self.held_out_ids)


def split_tokens(tokens: Sequence[str], every: int = 10) -> tuple[list[str], list[str]]:
    """Blocks of 100 tokens; every `every`-th block is held out, so both parts cover the whole text."""
    train: list[str] = []
    held_out: list[str] = []
    for number, start in enumerate(range(0, len(tokens), HELD_OUT_BLOCK)):
        part = held_out if number % every == every - 1 else train
        part.extend(tokens[start : start + HELD_OUT_BLOCK])
    return train, held_out


def corpus_from_texts(
    texts: Iterable[str], min_count: int = 2, max_size: int = 2000, every: int = 10
) -> Corpus:
    """Tokenise texts in order, hold out one block in `every`, and build the vocabulary from the rest."""
    tokens = [token for text in texts for token in tokenize(text)]
    train, held_out = split_tokens(tokens, every)
    vocab = Vocabulary.build(train, min_count, max_size)
    return Corpus(vocab, vocab.encode(train), vocab.encode(held_out))
