"""The grading syntax authors write: cloze alternatives, Tolerance, Near miss, Shuffle, {pin}, sources."""

from __future__ import annotations

import re

import pytest

from app.content import parse_text
from app.content.cloze import anki_cloze, blank_clozes, cloze_blanks, reveal_clozes, split_alternatives
from app.content.model import QuestionSet, ReviewItem
from app.content.policy import Tolerance, grading_details, parse_tolerance
from app.content.rendered import render_set

HEAD = '+++\ndialect = "native"\n{extra}+++\n## Keypoint\n1. A point.\n## Review\n'


def parse(review: str, extra: str = "") -> tuple[QuestionSet | None, list[str]]:
    result = parse_text("set.md", HEAD.format(extra=extra) + review)
    return result.question_set, [p.describe("set.md") for p in result.errors]


def one(review: str, extra: str = "") -> ReviewItem:
    question_set, errors = parse(review, extra)
    assert not errors, errors
    assert question_set is not None
    return question_set.review[0]


def test_alternatives_split_on_pipes_but_not_escaped_or_in_maths_or_code() -> None:
    assert split_alternatives("weight sharing|parameter sharing") == ("weight sharing", "parameter sharing")
    assert split_alternatives(r"\|x\||norm") == ("|x|", "norm")
    assert split_alternatives("$|x|$|abs") == ("$|x|$", "abs")
    assert split_alternatives("`a|b`|c") == ("`a|b`", "c")
    assert split_alternatives("plain") == ("plain",)


def test_blanks_carry_their_number_alternatives_and_hint() -> None:
    blanks = cloze_blanks("{{c1::forget|keep::a gate}} and {{c1::input}} then {{c2::tanh}}")
    assert [(b.number, b.answers, b.hint) for b in blanks] == [
        (1, ("forget", "keep"), "a gate"),
        (1, ("input",), ""),
        (2, ("tanh",), ""),
    ]
    assert blanks[0].shown == "forget" and blanks[0].also == ("keep",)


def test_only_the_first_alternative_is_shown_as_the_answer() -> None:
    item = one("1. CNNs and RNNs both use {{c1::weight sharing|parameter sharing}}.\n   ID: share\n")
    assert item.answer == "weight sharing"
    question_set, _ = parse(
        "1. CNNs and RNNs both use {{c1::weight sharing|parameter sharing}}.\n   ID: share\n"
    )
    assert question_set is not None
    html, _ = render_set(question_set)
    assert html is not None
    assert "parameter" not in html.review[0].answer
    assert "parameter" not in html.review[0].question  # the blank shows no answer at all


def test_reveal_and_anki_forms_keep_only_the_shown_answer() -> None:
    question = "Use {{c1::weight sharing|parameter sharing::hint}} and {{c2::a\\|b|c}}."
    assert reveal_clozes(question) == "Use weight sharing and a|b."
    assert anki_cloze(question) == "Use {{c1::weight sharing::hint}} and {{c2::a|b}}."
    assert blank_clozes(question) == "Use [hint] and [….]".replace("….", "…") + "."


def test_an_empty_alternative_is_an_error_with_its_line() -> None:
    _, errors = parse("1. Both use {{c1::weight sharing||parameter sharing}}.\n   ID: share\n")
    assert errors == [
        "set.md:7: the deletion {{c1::weight sharing||parameter sharing}} has an empty answer: write text on each side of '|'"
    ]


def test_tolerance_near_miss_and_shuffle_fields_are_read() -> None:
    item = one(
        "1. How much?\n   Answer: 0.25\n   Accept: 1/4\n   Tolerance: 1%\n   Near miss: wrong\n   ID: q\n"
    )
    assert (item.tolerance, item.near_miss) == ("1%", "wrong")
    assert grading_details(item) == {"tolerance": "1%", "near_miss": "wrong", "shuffle": True, "pinned": []}


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (
            "Tolerance: about right",
            "set.md:10: 'Tolerance: about right' must be a number such as 0.01, or a percentage such as 1%",
        ),
        ("Near miss: maybe", "set.md:10: 'Near miss: maybe' must be 'accept' or 'wrong'"),
        ("Shuffle: sometimes", "set.md:10: 'Shuffle: sometimes' must be 'yes' or 'no'"),
    ],
)
def test_bad_grading_fields_are_errors_with_their_line(field: str, message: str) -> None:
    _, errors = parse(f"1. How much?\n   Answer: 0.25\n   Accept: 1/4\n   {field}\n   ID: q\n")
    assert errors == [message]


@pytest.mark.parametrize(
    ("text", "tolerance"),
    [
        ("0.01", Tolerance(parse_tolerance("0.01").amount)),  # type: ignore[union-attr]
        ("1%", Tolerance(parse_tolerance("0.01").amount, relative=True)),  # type: ignore[union-attr]
        ("±0.5", Tolerance(parse_tolerance("0.5").amount)),  # type: ignore[union-attr]
        ("1e-3", Tolerance(parse_tolerance("0.001").amount)),  # type: ignore[union-attr]
    ],
)
def test_tolerances_parse(text: str, tolerance: Tolerance) -> None:
    assert parse_tolerance(text) == tolerance


def test_pinned_options_and_shuffle_no() -> None:
    item = one(
        "1. Which?\n"
        "   - [ ] tanh — no\n"
        "   - [ ] ReLU\n"
        "   - [x] All of the above {pin}\n"
        "   - [ ] None of the above {pin} — one is right\n"
        "   Shuffle: no\n"
        "   ID: q\n"
    )
    assert [(o.text, o.pinned, o.explanation) for o in item.options] == [
        ("tanh", False, "no"),
        ("ReLU", False, ""),
        ("All of the above", True, ""),
        ("None of the above", True, "one is right"),
    ]
    assert item.shuffle is False
    assert grading_details(item)["pinned"] == [2, 3]


def test_a_pin_after_the_explanation_also_pins() -> None:
    item = one("1. Which?\n   - [x] All of the above — every one is right {pin}\n   - [ ] none\n   ID: q\n")
    assert item.options[0].pinned and item.options[0].explanation == "every one is right"


def test_the_set_near_miss_policy_applies_where_a_question_names_none() -> None:
    question_set, errors = parse(
        "1. A?\n   Answer: x\n   Accept: y\n   ID: a\n2. B?\n   Answer: x\n   Accept: y\n   Near miss: accept\n   ID: b\n",
        'near_miss = "wrong"\n',
    )
    assert not errors and question_set is not None
    assert [item.near_miss for item in question_set.review] == ["wrong", "accept"]


def test_a_bad_set_near_miss_policy_is_an_error() -> None:
    _, errors = parse("1. A?\n   Answer: x\n   ID: a\n", 'near_miss = "sometimes"\n')
    assert errors == ['set.md:3: near_miss must be "accept" or "wrong"']


def test_sources_are_read_into_the_set() -> None:
    question_set, errors = parse(
        "1. A?\n   Answer: x\n   ID: a\n",
        'sources = ["Hochreiter, S. and Schmidhuber, J. (1997). Long short-term memory.", "Elman (1990). Finding structure in time."]\n',
    )
    assert not errors and question_set is not None
    assert question_set.sources == (
        "Hochreiter, S. and Schmidhuber, J. (1997). Long short-term memory.",
        "Elman (1990). Finding structure in time.",
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"Elman (1990)."', "sources must be a list of strings"),
        ('["Elman (1990).", 3]', "source 2 is not a non-empty string"),
        ('["  "]', "source 1 is not a non-empty string"),
        ('["' + "x" * 501 + '"]', "source 1 is 501 characters long, over 500"),
        ("[" + ", ".join(['"a"'] * 41) + "]", "sources lists 41 entries, over the limit of 40"),
    ],
)
def test_bad_sources_are_errors_with_their_line(value: str, message: str) -> None:
    _, errors = parse("1. A?\n   Answer: x\n   ID: a\n", f'description = "d"\nsources = {value}\n')
    assert len(errors) == 1
    assert errors[0].startswith(f"set.md:4: {message}")


def test_a_set_without_the_new_syntax_is_read_as_before() -> None:
    item = one("1. The gates: {{c1::forget}}, {{c2::input}}.\n   ID: g\n")
    assert item.answer == "forget; input"
    assert (item.tolerance, item.near_miss, item.shuffle) == ("", "", True)


def test_every_review_example_in_the_authoring_guide_parses() -> None:
    from pathlib import Path

    guide = (Path(__file__).parents[2] / "docs" / "authoring.md").read_text(encoding="utf-8")
    examples = [e for e in re.findall(r"```markdown\n(\d+\. .*?)```", guide, re.DOTALL) if "ID:" in e]
    assert len(examples) >= 7
    header = '+++\ndialect = "native"\n+++\n## Keypoint\n1. One.\n2. Two.\n## Review\n'
    result = parse_text("guide.md", header + "\n".join(examples))
    assert not result.errors, [p.describe("guide.md") for p in result.errors]
    assert result.question_set is not None
    ids = {item.id for item in result.question_set.review}
    assert {"lstm-gates", "exploding-cause", "gate-fraction"} <= ids


def test_a_tolerance_or_near_miss_makes_a_question_short_answer() -> None:
    assert one("1. How much?\n   Answer: 0.25\n   Tolerance: 0.01\n   ID: q\n").type == "short"
    assert one("1. Name it.\n   Answer: backpropagation\n   Near miss: wrong\n   ID: q\n").type == "short"
    assert one("1. Name it.\n   Answer: backpropagation\n   ID: q\n").type == "open"
