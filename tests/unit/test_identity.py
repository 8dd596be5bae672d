"""Card identity: derived ids and matching edited questions to the cards they came from."""

from __future__ import annotations

import re

import pytest

from app.content.identity import Candidate, derived_id, match_by_similarity, normalise, similarity

# --- normalise ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What is BPTT?", "what is bptt"),
        ("  What   is\tBPTT ?\n", "what is bptt"),
        ("What is BPTT?!...", "what is bptt"),
        ("Why does tanh—not ReLU—bound the state?", "why does tanh not relu bound the state"),
        ('What is a "hidden state"?', "what is a hidden state"),
        ("Ｗｈａｔ ｉｓ ＢＰＴＴ？", "what is bptt"),
        ("STRASSE and Straße", "strasse and strasse"),
        ("隐藏状态保存了什么？", "隐藏状态保存了什么"),
        ("", ""),
        ("?!", ""),
    ],
)
def test_normalise_ignores_case_spacing_and_punctuation(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_normalise_keeps_words_apart_where_punctuation_separated_them() -> None:
    assert normalise("input/output") == "input output"
    assert normalise("input/output") != normalise("inputoutput")


def test_normalise_keeps_digits() -> None:
    assert normalise("Why 2 gates, not 3?") == "why 2 gates not 3"


# --- derived_id -----------------------------------------------------------------------------------


def test_derived_id_has_a_short_stable_shape() -> None:
    card_id = derived_id("gru", "What does the reset gate decide?")
    assert re.fullmatch(r"q-[0-9a-f]{12}", card_id)
    assert derived_id("gru", "What does the reset gate decide?") == card_id


@pytest.mark.parametrize(
    "variant",
    [
        "what does the reset gate decide?",
        "What does the reset gate decide",
        "  What does the  reset gate decide ? ",
        "WHAT DOES THE RESET GATE DECIDE?!",
        "What does the reset-gate decide?",
    ],
)
def test_derived_id_ignores_case_spacing_and_punctuation(variant: str) -> None:
    assert derived_id("gru", variant) == derived_id("gru", "What does the reset gate decide?")


def test_derived_id_differs_between_questions() -> None:
    questions = [
        "What does the reset gate decide?",
        "What does the update gate decide?",
        "What does the reset gate compute?",
        "Why does the reset gate exist?",
    ]
    assert len({derived_id("gru", q) for q in questions}) == len(questions)


def test_derived_id_differs_between_sets() -> None:
    question = "What does the reset gate decide?"
    assert derived_id("gru", question) != derived_id("lstm", question)


# --- similarity and matching ----------------------------------------------------------------------


def test_similarity_is_one_for_texts_that_differ_only_in_case_and_punctuation() -> None:
    assert similarity("What is BPTT?", "what is bptt") == 1.0


def test_similarity_is_low_for_unrelated_texts() -> None:
    assert similarity("What does the reset gate decide?", "Name two uses of language models.") < 0.5


def test_a_typo_fix_matches_the_old_question() -> None:
    old = [Candidate("q-old", "What does the rest gate decied in a GRU?")]
    new = [Candidate("q-new", "What does the reset gate decide in a GRU?")]
    assert match_by_similarity(old, new) == {"q-new": "q-old"}


def test_unrelated_questions_do_not_match() -> None:
    old = [Candidate("q-old", "What does the reset gate decide in a GRU?")]
    new = [Candidate("q-new", "Why does gradient clipping help exploding gradients?")]
    assert match_by_similarity(old, new) == {}


def test_each_edited_question_finds_its_own_old_card() -> None:
    old = [
        Candidate("q-reset", "What does the reset gate decide in a GRU?"),
        Candidate("q-clip", "Why does gradient cliping help with exploding gradients?"),
    ]
    new = [
        Candidate("n-clip", "Why does gradient clipping help with exploding gradients?"),
        Candidate("n-reset", "What does the reset gate decide in a GRU cell?"),
        Candidate("n-fresh", "Name two tasks a language model can do."),
    ]
    assert match_by_similarity(old, new) == {"n-clip": "q-clip", "n-reset": "q-reset"}


def test_an_old_card_is_used_at_most_once() -> None:
    old = [Candidate("q-old", "What does the reset gate decide in a GRU?")]
    new = [
        Candidate("n-close", "What does the reset gate decide in a GRU cell?"),
        Candidate("n-closer", "What does the reset gate decide in the GRU?"),
    ]
    pairs = match_by_similarity(old, new)
    assert list(pairs.values()) == ["q-old"]
    assert pairs == {"n-closer": "q-old"}


def test_the_best_pair_wins_when_two_old_cards_compete() -> None:
    old = [
        Candidate("q-a", "What does the reset gate decide in a GRU?"),
        Candidate("q-b", "What does the reset gate decide in a GRU cell today?"),
    ]
    new = [Candidate("n", "What does the reset gate decide in a GRU cell?")]
    pairs = match_by_similarity(old, new)
    assert len(pairs) == 1
    assert pairs["n"] == max(old, key=lambda c: similarity(c.text, new[0].text)).key


def test_no_old_key_appears_twice_among_many_similar_questions() -> None:
    old = [Candidate(f"q-{i}", f"What does gate number {i} decide in a GRU?") for i in range(5)]
    new = [Candidate(f"n-{i}", f"What does gate number {i} decide in the GRU?") for i in range(8)]
    pairs = match_by_similarity(old, new)
    assert len(set(pairs.values())) == len(pairs)
    assert {pairs[f"n-{i}"] for i in range(5)} == {f"q-{i}" for i in range(5)}
    assert all(pairs[f"n-{i}"] == f"q-{i}" for i in range(5))


def test_threshold_can_be_raised() -> None:
    old = [Candidate("q-old", "What does the rest gate decied in a GRU?")]
    new = [Candidate("q-new", "What does the reset gate decide in a GRU?")]
    assert match_by_similarity(old, new, threshold=1.0) == {}


def test_nothing_to_match_gives_no_pairs() -> None:
    assert match_by_similarity([], [Candidate("n", "Anything?")]) == {}
    assert match_by_similarity([Candidate("o", "Anything?")], []) == {}
