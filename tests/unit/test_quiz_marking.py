"""A quiz question's mark: the near-miss policy decides, and responses accepted for everyone count."""

from __future__ import annotations

from app.quiz.grading import grade
from app.quiz.marking import ACCEPTED_NOTE, Asked, mark_answer, typed_verdict


def short(answer: str, near_miss: str = "", accept: tuple[str, ...] = ()) -> Asked:
    return Asked("short", (), "Name it.", answer, {"near_miss": near_miss, "accept": list(accept)})


def test_a_near_miss_in_a_long_word_is_right_with_a_note_by_default() -> None:
    mark = mark_answer(short("Backpropagation"), "Backpropogation")
    assert mark.correct and "backpropagation" in mark.note.lower()


def test_the_policy_wrong_and_short_words_make_a_near_miss_wrong() -> None:
    assert not mark_answer(short("Backpropagation", "wrong"), "Backpropogation").correct
    assert not mark_answer(short("forget gate"), "forgot gate").correct
    assert mark_answer(short("forget gate", "accept"), "forgot gate").correct


def test_a_response_accepted_for_everyone_is_right_with_its_own_note() -> None:
    assert not mark_answer(short("Backpropagation through time"), "backprop").correct
    mark = mark_answer(short("Backpropagation through time"), "Backprop!", ["backprop"])
    assert mark.correct and mark.note == ACCEPTED_NOTE
    right = mark_answer(short("Backpropagation through time", accept=("BPTT",)), "bptt", ["backprop"])
    assert right.correct and right.note == ""


def test_accepted_responses_extend_a_one_blank_cloze_but_not_several_blanks() -> None:
    one = "An LSTM adds to its {{c1::cell state}}."
    assert grade("cloze", one, "", {}, ["memory cell"], ["memory cell"]).correct
    assert not grade("cloze", one, "", {}, ["memory cell"]).correct
    two = "The {{c1::forget}} gate and the {{c2::input}} gate."
    assert not grade("cloze", two, "", {}, ["forget", "write"], ["write"]).correct


def test_choices_are_marked_by_option_identity_and_missing_answers_are_wrong() -> None:
    choices = [{"id": "o2", "correct": False}, {"id": "o0", "correct": True}]
    asked = Asked("choice", choices, "Which?", "", {})
    assert mark_answer(asked, ["o0"]).correct and not mark_answer(asked, ["o2"]).correct
    assert not mark_answer(asked, None).correct and typed_verdict(asked, ["o0"]) is None
    assert typed_verdict(short("x"), 42) is None  # not text: ungradable, so wrong
