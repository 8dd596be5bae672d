"""The tokenizer, the vocabulary and the deterministic train/held-out split."""

from __future__ import annotations

import numpy as np
import pytest

from app.rnn import UNK, Vocabulary, corpus_from_texts, split_tokens, tokenize


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("", []),
        ("   \n\t ", []),
        ("Hello, World!", ["hello", ",", "world", "!"]),
        ("THE Cat", ["the", "cat"]),
        ("don't stop", ["don't", "stop"]),
        ("don\u2019t", ["don't"]),  # a typographic apostrophe counts as one
        ("the dogs' bowls", ["the", "dogs", "'", "bowls"]),
        ("next-word prediction", ["next", "-", "word", "prediction"]),
        ("3.14 and 2x", ["3", ".", "14", "and", "2x"]),
        ("café naïve", ["café", "naïve"]),
        ("h_t", ["h", "_", "t"]),
        ("<unk>", ["<", "unk", ">"]),  # typing the marker never produces the marker
        ("wait...", ["wait", ".", ".", "."]),
    ],
)
def test_tokenize(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens


def test_the_vocabulary_keeps_frequent_words_most_frequent_first_ties_alphabetically() -> None:
    vocab = Vocabulary.build(["b", "a", "c", "a", "b", "d", "d", "e"], min_count=2)
    assert vocab.words == (UNK, "a", "b", "d")
    assert Vocabulary.build(["x", "y", "y", "z", "z", "z"], min_count=1, max_size=3).words == (UNK, "z", "y")


def test_unknown_words_map_to_id_zero_and_back() -> None:
    vocab = Vocabulary((UNK, "the", "cat"))
    ids = vocab.encode(["the", "dog", "cat"])
    assert ids.tolist() == [1, 0, 2]
    assert vocab.decode(ids.tolist()) == ["the", UNK, "cat"]
    assert "cat" in vocab and "dog" not in vocab
    assert vocab.encode([]).shape == (0,)


def test_a_literal_unk_in_the_corpus_is_not_a_second_entry() -> None:
    assert Vocabulary.build([UNK, UNK, "a", "a"]).words == (UNK, "a")


@pytest.mark.parametrize("words", [("the", UNK), (UNK, "a", "a"), ()])
def test_a_malformed_vocabulary_is_refused(words: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="vocabulary"):
        Vocabulary(words)


def test_every_tenth_block_of_100_tokens_is_held_out() -> None:
    tokens = [f"w{i}" for i in range(1050)]
    train, held_out = split_tokens(tokens)
    assert held_out == tokens[900:1000]
    assert train == tokens[:900] + tokens[1000:]
    assert split_tokens(tokens) == (train, held_out)


def test_the_corpus_builds_its_vocabulary_from_the_training_part_only() -> None:
    text = " ".join(["the cat sat on the mat and the dog ."] * 90)  # 900 tokens: blocks 0 to 8
    corpus = corpus_from_texts([text, "zebra zebra"], min_count=2)  # block 9: held out
    assert set(corpus.vocab.words) == {UNK, "the", "cat", "sat", "on", "mat", "and", "dog", "."}
    assert corpus.sizes == (900, 2)
    assert corpus.held_out_ids.tolist() == [0, 0]
    assert corpus.held_out_ids.dtype == np.intp
