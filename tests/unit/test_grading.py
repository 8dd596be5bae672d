"""The grader's rules: for each, answers a learner who knows the answer gives, and wrong ones."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.quiz.grading import UngradableResponse, Verdict, best_assignment, check_answer, grade, quiz_mark
from app.quiz.nearmiss import char_diff, edit_distance


def short(expected: str, response: str, question: str = "?", **details: Any) -> Verdict:
    return grade("short", question, expected, details, response)


def right(expected: str, response: str, question: str = "?", **details: Any) -> bool:
    return short(expected, response, question, **details).correct


# --- numbers -----------------------------------------------------------------------------------

QUARTER = [
    "0.25",
    ".25",
    "1/4",
    "25%",
    "25 percent",
    "25 per cent",
    "2.5e-1",
    "0.250",
    "$\\frac{1}{4}$",
    " 0.25 ",
    "25 %",
    "2.5E-1",
]
FOUR_MILLION = [
    "4e6",
    "4×10^6",
    "4x10^6",
    "4*10^6",
    "4·10^6",
    "4,000,000",
    "4000000",
    "4 million",
    "4 × 10⁶",
    "4e+6",
]


@pytest.mark.parametrize("expected", QUARTER)
@pytest.mark.parametrize("response", QUARTER)
def test_a_quarter_in_every_form_is_one_number(expected: str, response: str) -> None:
    assert right(expected, response)


@pytest.mark.parametrize("expected", FOUR_MILLION)
@pytest.mark.parametrize("response", FOUR_MILLION)
def test_four_million_in_every_form_is_one_number(expected: str, response: str) -> None:
    assert right(expected, response)


@pytest.mark.parametrize(
    ("expected", "response"),
    [
        (".76", "76"),
        ("76", ".76"),
        ("0.76", "76"),
        ("-1", "1"),
        ("1", "-1"),
        ("−1", "1"),
        ("0.25", "0.26"),
        ("0.25", "2.5"),
        ("1/4", "4"),
        ("25%", "25"),
        ("4e6", "4e5"),
        ("4,000,000", "400,000"),
        ("4×10^6", "4"),
        ("0.25", "0.25 0.25"),
        ("0.25", "quarter"),
        ("0.25", ""),
        ("3", "3 gates"),
        ("4 million", "4"),
        ("2", "2s"),  # numbers are never pluralised
        ("1990", "1990s"),
        ("4M", "4K"),
    ],
)
def test_different_numbers_never_match(expected: str, response: str) -> None:
    assert not right(expected, response)


def test_negative_numbers_match_in_any_form() -> None:
    assert right("-0.5", "−.5")
    assert right("-1/2", "-0.5")
    assert right("−2", "-2")


def test_numbers_with_the_same_words_around_them_compare_as_numbers() -> None:
    assert right("0.25 seconds", "1/4 seconds")
    assert right("0.25 seconds", ".25 second")
    assert right("about 4 million parameters", "about 4,000,000 parameters")
    assert not right("0.25 seconds", "0.25 minutes")
    assert not right("0.25 seconds", "0.5 seconds")


def test_a_square_root_sign_equals_sqrt() -> None:
    assert right("√64", "sqrt(64)")
    assert right("sqrt 64", "√64")


def test_number_words_equal_digits() -> None:
    assert right("3 gates", "three gates")
    assert right("two", "2")
    assert not right("two", "3")


@pytest.mark.parametrize(
    ("tolerance", "response", "ok"),
    [
        ("0.01", "0.25", True),
        ("0.01", "0.26", True),
        ("0.01", "0.24", True),
        ("0.01", "0.2601", False),
        ("0.01", "0.27", False),
        ("1%", "0.2525", True),
        ("1%", "0.2475", True),
        ("1%", "0.253", False),
        ("1%", "-0.25", False),
    ],
)
def test_a_stated_tolerance_is_honoured(tolerance: str, response: str, ok: bool) -> None:
    assert right("0.25", response, tolerance=tolerance) is ok


def test_relative_tolerance_scales_with_the_number() -> None:
    assert right("4e6", "4,030,000", tolerance="1%")
    assert not right("4e6", "4,050,000", tolerance="1%")


@pytest.mark.parametrize(
    ("question", "expected", "response", "ok"),
    [
        ("Give $e$ to two decimal places.", "2.71828", "2.72", True),
        ("Give $e$ to two decimal places.", "2.71828", "2.718", True),
        ("Give $e$ to two decimal places.", "2.71828", "2.71", False),
        ("Give $e$ to two decimal places.", "2.71828", "2.7", False),
        ("Round to 2 decimal places.", "0.25", "0.254", True),
        ("To 3 significant figures, what is it?", "0.0012345", "0.00123", True),
        ("To 3 significant figures, what is it?", "0.0012345", "0.00124", False),
        ("To 3 significant figures, what is it?", "123456", "123000", True),
        ("To 3 significant figures, what is it?", "123456", "124000", False),
        ("What is it, to 1 d.p.?", "0.76", "0.8", True),
        ("What is it?", "2.71828", "2.72", False),
    ],
)
def test_a_rounding_asked_in_the_question_is_honoured(
    question: str, expected: str, response: str, ok: bool
) -> None:
    assert right(expected, response, question) is ok


def test_a_malformed_tolerance_is_ignored_rather_than_crashing() -> None:
    assert not right("0.25", "0.26", tolerance="about right")


# --- words -------------------------------------------------------------------------------------

SAME_WORDS = [
    ("centred", "centered"),
    ("zero-centred", "zero centered"),
    ("normalise", "normalize"),
    ("layer normalisation", "layer normalization"),
    ("modelling", "modeling"),
    ("labelled data", "labeled data"),
    ("behaviour", "behavior"),
    ("colour", "color"),
    ("centre", "center"),
    ("fibre", "fiber"),
    ("analyse", "analyze"),
    ("defence", "defense"),
    ("end-of-sequence", "end of sequence"),
    ("end-of-sequence token", "endofsequence token"),
    ("end of sequence", "end-of-sequence"),
    ("time step", "timestep"),
    ("LSTM", "LSTMs"),
    ("GRU", "GRUs"),
    ("gate", "gates"),
    ("bias", "biases"),
    ("probability", "probabilities"),
    ("matrix", "matrices"),
    ("the forget gate", "forget gate"),
    ("forget gate", "The forget gate"),
    ("a hidden state", "hidden state"),
    ("an encoder", "Encoder"),
    ("Backpropagation through time", "backpropagation Through Time."),
    ("tanh", "  `tanh`  "),
    ("*vanishing* gradients", "vanishing gradients"),
    ("naïve", "naive"),
]


@pytest.mark.parametrize(("expected", "response"), SAME_WORDS)
def test_equivalent_wordings_are_right(expected: str, response: str) -> None:
    assert right(expected, response)
    assert right(response, expected)


DIFFERENT_WORDS = [
    ("input", "inputs gate"),
    ("input gate", "output gate"),
    ("forget", "forgot"),
    ("forget gate", "forget"),
    ("encoder", "decoder"),
    ("exploding", "vanishing"),
    ("tanh", "tan"),
    ("sigmoid", "softmax"),
    ("the", "a"),
    ("filled", "filed"),
    ("LSTM", "GRU"),
    ("left to right", "right to left"),
    ("gates", ""),
]


@pytest.mark.parametrize(("expected", "response"), DIFFERENT_WORDS)
def test_wrong_words_stay_wrong(expected: str, response: str) -> None:
    assert not right(expected, response)


def test_accept_lists_alternatives_and_the_answer_keeps_working() -> None:
    assert right("Backpropagation through time", "BPTT", accept=["BPTT", "back-propagation through time"])
    assert right("Backpropagation through time", "back propagation through time", accept=["BPTT"])
    assert not right("Backpropagation through time", "RTRL", accept=["BPTT"])


# --- cloze alternatives and any-order groups ---------------------------------------------------

SHARING = "CNNs and RNNs both rely on {{c1::weight sharing|parameter sharing|tied weights}}."
GATES = "The three gates are the {{c1::forget}}, {{c1::input}} and {{c1::output}} gates."


def cloze(question: str, *responses: str) -> Verdict:
    return grade("cloze", question, "", {}, list(responses))


@pytest.mark.parametrize(
    "response", ["weight sharing", "parameter sharing", "Tied weights", "weight-sharing"]
)
def test_any_alternative_of_a_blank_is_right(response: str) -> None:
    assert cloze(SHARING, response).correct


@pytest.mark.parametrize("response", ["weight", "sharing", "weight sharing|parameter sharing", "parameter"])
def test_a_blank_rejects_what_none_of_its_alternatives_says(response: str) -> None:
    assert not cloze(SHARING, response).correct


def test_the_first_alternative_is_shown_and_the_rest_listed() -> None:
    check = cloze(SHARING, "tied weights").checks[0]
    assert check.shown == "weight sharing"
    assert check.also == ("parameter sharing", "tied weights")


def test_an_escaped_pipe_is_part_of_the_answer() -> None:
    question = "The norm is written {{c1::\\|x\\||norm of x}}."
    assert cloze(question, "|x|").checks[0].shown == "|x|"
    assert cloze(question, "|x|").correct
    assert cloze(question, "norm of x").correct
    assert not cloze(question, "y").correct


def test_a_pipe_inside_maths_does_not_split_alternatives() -> None:
    question = "The absolute value is {{c1::$|x|$|abs x}}."
    assert cloze(question, "abs x").correct
    assert cloze(question, "|x|").correct


@pytest.mark.parametrize(
    "responses",
    [
        ("forget", "input", "output"),
        ("output", "forget", "input"),
        ("input", "output", "forget"),
        ("Output", "the input", "forget"),
    ],
)
def test_blanks_sharing_a_number_accept_any_order(responses: tuple[str, ...]) -> None:
    verdict = cloze(GATES, *responses)
    assert verdict.correct
    assert verdict.parts == (True, True, True)


def test_a_repeated_answer_counts_once_in_a_group() -> None:
    verdict = cloze(GATES, "forget", "forget", "forget")
    assert not verdict.correct
    assert verdict.parts == (True, False, False)


def test_parts_report_each_box_in_a_group() -> None:
    verdict = cloze(GATES, "output", "reset", "forget")
    assert verdict.parts == (True, False, True)
    assert verdict.checks[1].shown == "input"  # the blank no other box took


def test_distinct_numbers_keep_their_order() -> None:
    question = "The {{c1::encoder}} reads the input and the {{c2::decoder}} writes the output."
    assert cloze(question, "encoder", "decoder").correct
    verdict = cloze(question, "decoder", "encoder")
    assert not verdict.correct
    assert verdict.parts == (False, False)


def test_groups_and_ordered_blanks_mix() -> None:
    question = "{{c1::LSTM}} gates: {{c2::forget}}, {{c2::input}}; cell: {{c3::c_t}}."
    assert cloze(question, "LSTM", "input", "forget", "c_t").correct
    assert cloze(question, "LSTM", "input", "forget", "c_t").parts == (True, True, True, True)
    assert not cloze(question, "input", "LSTM", "forget", "c_t").correct


def test_alternatives_work_inside_a_group() -> None:
    question = (
        "Two names: {{c1::BPTT|backpropagation through time}} and {{c1::RTRL|real-time recurrent learning}}."
    )
    assert cloze(question, "real time recurrent learning", "bptt").correct


def test_the_wrong_number_of_blanks_is_refused() -> None:
    with pytest.raises(UngradableResponse):
        cloze(GATES, "forget", "input")


@given(st.lists(st.lists(st.integers(0, 3), min_size=4, max_size=4), min_size=4, max_size=4))
def test_best_assignment_beats_every_permutation(weight: list[list[int]]) -> None:
    from itertools import permutations

    chosen = best_assignment(weight)
    assert sorted(chosen) == [0, 1, 2, 3]
    best = max(sum(weight[i][p[i]] for i in range(4)) for p in permutations(range(4)))
    assert sum(weight[i][chosen[i]] for i in range(4)) == best


@given(st.permutations(["forget", "input", "output", "cell"]))
def test_every_order_of_a_group_is_right(order: list[str]) -> None:
    question = "{{c1::forget}} {{c1::input}} {{c1::output}} {{c1::cell}}"
    assert cloze(question, *order).correct


# --- near misses -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "response"),
    [
        ("backpropagation", "backpropogation"),  # 15 letters, 1 typo
        ("backpropagation", "bakcpropogation"),  # a swap and a typo
        ("recurrent", "recurent"),
        ("vanishing gradients", "vanishng gradients"),
        ("encoder", "encoer"),  # 7 letters, 1 typo
        ("forget", "forgot"),
    ],
)
def test_a_typo_in_a_long_enough_word_is_almost(expected: str, response: str) -> None:
    verdict = short(expected, response)
    assert not verdict.correct
    assert verdict.almost


@pytest.mark.parametrize(
    ("expected", "response"),
    [
        ("gate", "gute"),  # 4 letters: no typo forgiven
        ("tanh", "tang"),
        ("encoder", "decoder"),  # 2 edits in 7 letters
        ("recurrent", "recursive"),
        ("backpropagation", "backprop"),
        ("0.25", "0.26"),  # numbers are never near misses
        ("1990", "1991"),
        ("forget gate", "forgot input"),
        ("forget gate", "forgot"),
        ("decrease", "increase"),  # opposites a letter or two apart are other words, not typos
        ("decreasing", "increasing"),
        ("bidirectional", "unidirectional"),
        ("interlayer", "intralayer"),
        ("backpropagation", "xackpropagation"),
        ("time steps", "time stop"),  # 'step' has 4 letters: no typo forgiven in it
    ],
)
def test_other_wrong_answers_are_not_almost(expected: str, response: str) -> None:
    verdict = short(expected, response)
    assert not verdict.correct
    assert not verdict.almost


def test_a_near_miss_carries_a_diff_a_ui_can_highlight() -> None:
    check = short("backpropagation", "Backpropogation").checks[0]
    assert check.near_missed == ("backpropagation",)
    assert check.diff == (("same", "Backprop"), ("extra", "o"), ("missing", "a"), ("same", "gation"))
    typed = "".join(text for op, text in check.diff if op != "missing")
    wanted = "".join(text for op, text in check.diff if op != "extra")
    assert typed == "Backpropogation"
    assert wanted.lower() == "backpropagation"


@given(st.text(max_size=30), st.text(max_size=30))
def test_a_diff_rebuilds_both_texts(response: str, expected: str) -> None:
    diff = char_diff(response, expected)
    assert "".join(text for op, text in diff if op != "missing") == response
    rebuilt = "".join(text for op, text in diff if op != "extra")
    assert rebuilt.casefold() == expected.casefold()


def test_edit_distance_counts_a_swap_as_one() -> None:
    assert edit_distance("recurrent", "reucrrent", 2) == 1
    assert edit_distance("forget", "forgot", 2) == 1
    assert edit_distance("abc", "xyz", 1) == 2  # capped at limit + 1


@pytest.mark.parametrize(
    ("expected", "response", "policy", "ok"),
    [
        ("backpropagation", "backpropogation", "", True),  # default: 8+ letters are accepted
        ("encoder", "encoer", "", False),  # default: shorter words are not
        ("encoder", "encoer", "accept", True),
        ("backpropagation", "backpropogation", "wrong", False),
        ("backpropagation", "backpropagation", "wrong", True),
        ("backpropagation", "RTRL", "accept", False),
    ],
)
def test_quiz_mark_follows_the_near_miss_policy(expected: str, response: str, policy: str, ok: bool) -> None:
    verdict = short(expected, response)
    mark = quiz_mark(verdict, policy)
    assert mark.correct is ok
    assert bool(mark.note) is verdict.almost  # a near miss always comes with a note


def test_a_near_miss_in_one_blank_makes_the_cloze_almost() -> None:
    verdict = cloze(GATES, "forget", "input", "ouptut")
    assert not verdict.correct
    assert verdict.almost
    assert verdict.parts == (True, True, False)
    assert quiz_mark(verdict).correct is False  # "output" has 6 letters
    assert quiz_mark(verdict, "accept").correct is True


def test_check_answer_picks_the_accepted_answer_it_matched() -> None:
    check = check_answer("BPTT", ["Backpropagation through time", "BPTT"])
    assert check.correct and check.expected == "BPTT" and check.shown == "Backpropagation through time"


# --- the other question types keep their behaviour ---------------------------------------------


def test_true_false_and_choice_are_unchanged() -> None:
    assert grade("true-false", "?", "True", {}, "yes").correct
    assert not grade("true-false", "?", "False", {}, True).correct
    options = {"options": [{"text": "a", "correct": False}, {"text": "b", "correct": True}]}
    assert grade("choice", "?", "b", options, [1]).correct
    assert not grade("choice", "?", "b", options, [0, 1]).correct
    with pytest.raises(UngradableResponse):
        grade("open", "?", "x", {}, "x")


@pytest.mark.parametrize(
    ("expected", "response"),
    [
        ("h_{t-1}", "h_{t+1}"),
        ("x < 0", "x > 0"),
        ("C++", "C"),
        ("a = b", "a b"),
        ("√64", "64"),
        ("sqrt(64)", "64"),
    ],
)
def test_signs_that_change_the_meaning_are_not_ignored(expected: str, response: str) -> None:
    assert not right(expected, response)
    assert right(expected, expected)


# --- properties --------------------------------------------------------------------------------


@given(st.text(min_size=1, max_size=40).filter(lambda t: any(ch.isalnum() for ch in t)))
def test_every_answer_is_right_for_itself_in_any_case_and_spacing(answer: str) -> None:
    assert right(answer, answer)
    assert right(answer, f"  {answer}  ")


@given(st.text(max_size=40), st.text(max_size=40), st.sampled_from(["", "0.01", "1%"]))
def test_grading_never_crashes(expected: str, response: str, tolerance: str) -> None:
    verdict = short(expected or "x", response, "to two decimal places?", tolerance=tolerance)
    assert not (verdict.correct and verdict.almost)


@given(st.decimals(min_value=-(10**6), max_value=10**6, places=4, allow_nan=False, allow_infinity=False))
def test_a_number_equals_its_other_forms_and_not_its_negation_or_tenfold(value: object) -> None:
    from decimal import Decimal

    assert isinstance(value, Decimal)
    text = f"{value:f}"
    assert right(text, f"{value:e}")
    assert right(text, f"{value * 100:f}%")
    assert right(text, f"{value:,f}")
    if value != 0:
        assert not right(text, f"{-value:f}")
        assert not right(text, f"{value * 10:f}")


def test_every_answer_in_the_course_is_right_for_itself() -> None:
    """Each `Answer:`, `Accept:` entry and cloze alternative in content/ passes as typed."""
    from pathlib import Path

    from app.content import parse_file
    from app.content.cloze import cloze_blanks

    checked = 0
    for path in sorted((Path(__file__).parents[2] / "content").glob("*.md")):
        question_set = parse_file(path.name, path.read_bytes()).question_set
        assert question_set is not None, path
        for item in question_set.review:
            details = {"accept": list(item.accept), "tolerance": item.tolerance}
            if item.type == "short":
                for typed in (item.answer, *item.accept):
                    assert grade("short", item.question, item.answer, details, typed).correct, (path, item.id)
                    checked += 1
                assert not grade("short", item.question, item.answer, details, "zzzz").correct
            elif item.type == "cloze":
                blanks = cloze_blanks(item.question)
                for choice in range(max(len(b.answers) for b in blanks)):
                    typed = [b.answers[min(choice, len(b.answers) - 1)] for b in blanks]
                    assert grade("cloze", item.question, "", details, typed).correct, (path, item.id)
                    checked += 1
    assert checked > 50


def test_a_verdict_serialises_to_plain_json() -> None:
    import json

    verdict = cloze(GATES, "forget", "input", "ouptut")
    data = json.loads(json.dumps(verdict.to_json()))
    assert data["correct"] is False and data["almost"] is True
    assert data["parts"] == [True, True, False]
    assert data["checks"][2]["shown"] == "output"
    assert data["checks"][2]["diff"] == [
        {"op": "same", "text": "ou"},
        {"op": "missing", "text": "t"},
        {"op": "same", "text": "p"},
        {"op": "extra", "text": "t"},
        {"op": "same", "text": "ut"},
    ]
