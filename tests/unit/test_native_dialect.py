"""The native dialect: typed review questions with fields, ids and links to key points."""

from __future__ import annotations

import pytest

from app.content import Dialect, Option, QuestionSet, QuestionType, ReviewItem, parse_text
from app.content.render import render_markdown
from app.content.review import blank_clozes

NATIVE = """+++
title = "Inside a recurrent cell"
weight = 2
dialect = "native"
description = "What happens at one time step."
+++
## Keypoint
1. One set of weights is reused at every time step.
2. tanh keeps every hidden unit inside a bounded range.
3. Gradients travel backwards through the unrolled steps.

## Review
1. Describe what the hidden state carries from one step to the next.
   Answer: A summary of every input read so far.
   Explanation: The cell rewrites it at each step from the old state and the new input.
   ID: state-carries
   Type: open
   Tags: state, basics
   Covers: 1, 3

2. Which function squashes any real number into a bounded interval?

   - [ ] ReLU — it grows without limit for positive inputs.
   - [x] tanh — its outputs stay strictly between minus one and one.
   - [ ] identity

   Explanation: Only one of the three is bounded on both sides.
   ID: bounded-squash
   Type: choice
   Covers: 2

3. Which of these cells have gates?

   - [x] LSTM
   - [x] GRU
   - [ ] Elman network — it has no gates at all.

   ID: gated-cells
   Tags: gates

4. A plain Elman cell has an output gate.

   Answer: False
   Explanation: Gates arrived with the LSTM; the Elman cell only mixes state and input.
   ID: elman-no-gate
   Type: true-false

5. Reusing weights keeps the parameter count independent of the sequence length.

   Answer: True
   ID: weights-length
   Covers: 1

6. Training unrolls the loop into a {{c1::feed-forward graph}} whose depth is the {{c2::sequence length::how many steps?}}.

   ID: unroll-cloze
   Type: cloze

7. What does the abbreviation LSTM stand for?

   Answer: Long short-term memory
   Accept: long short term memory; LSTM cell
   ID: lstm-name
   Type: short

8. Write the loop that runs a cell over a sequence.
Answer: Step through the inputs and feed the state back in:

```python
for t in range(len(xs)):
    h = cell(h, xs[t])
1. this line only looks like a new question
## Nor is this a section
Answer: nor is this a second answer
Type: essay
```

Explanation: The loop body is the same at every step.
ID: loop-code

9. Name two tasks a sequence model handles well.
   Answer: Two common ones:

   1. tagging each word of a sentence
   2. translating a sentence into another language

   ID: two-tasks
   Tags: uses
"""


@pytest.fixture(scope="module")
def qs() -> QuestionSet:
    result = parse_text("content/02-cell.md", NATIVE)
    assert result.errors == (), result.errors
    assert result.warnings == (), result.warnings
    assert result.question_set is not None
    return result.question_set


def by_id(qs: QuestionSet, item_id: str) -> ReviewItem:
    matches = [item for item in qs.review if item.id == item_id]
    assert len(matches) == 1, [item.id for item in qs.review]
    return matches[0]


def line_of(needle: str) -> int:
    return next(i for i, line in enumerate(NATIVE.split("\n"), start=1) if needle in line)


def test_the_set_is_native_with_its_front_matter(qs: QuestionSet) -> None:
    assert qs.dialect is Dialect.NATIVE
    assert qs.title == "Inside a recurrent cell"
    assert qs.weight == 2
    assert qs.description == "What happens at one time step."
    assert qs.counts == {"preview": 0, "keypoint": 3, "review": 9}


def test_every_question_keeps_its_explicit_id_in_file_order(qs: QuestionSet) -> None:
    assert [item.id for item in qs.review] == [
        "state-carries",
        "bounded-squash",
        "gated-cells",
        "elman-no-gate",
        "weights-length",
        "unroll-cloze",
        "lstm-name",
        "loop-code",
        "two-tasks",
    ]
    assert all(item.id_is_explicit for item in qs.review)


def test_each_question_points_at_its_own_line(qs: QuestionSet) -> None:
    assert by_id(qs, "state-carries").line == line_of("1. Describe what the hidden state")
    assert by_id(qs, "two-tasks").line == line_of("9. Name two tasks")


def test_every_question_type_is_recognised(qs: QuestionSet) -> None:
    assert {item.id: item.type for item in qs.review} == {
        "state-carries": QuestionType.OPEN,
        "bounded-squash": QuestionType.CHOICE,
        "gated-cells": QuestionType.CHOICE,
        "elman-no-gate": QuestionType.TRUE_FALSE,
        "weights-length": QuestionType.TRUE_FALSE,
        "unroll-cloze": QuestionType.CLOZE,
        "lstm-name": QuestionType.SHORT,
        "loop-code": QuestionType.OPEN,
        "two-tasks": QuestionType.OPEN,
    }


def test_types_inferred_without_type_lines_agree_with_the_explicit_ones(qs: QuestionSet) -> None:
    without_types = "\n".join(line for line in NATIVE.split("\n") if not line.strip().startswith("Type:"))
    result = parse_text("content/02-cell.md", without_types)
    assert result.errors == ()
    assert result.question_set is not None
    assert [item.type for item in result.question_set.review] == [item.type for item in qs.review]


def test_open_question_with_all_its_fields(qs: QuestionSet) -> None:
    item = by_id(qs, "state-carries")
    assert item.question == "Describe what the hidden state carries from one step to the next."
    assert item.answer == "A summary of every input read so far."
    assert item.explanation == "The cell rewrites it at each step from the old state and the new input."
    assert item.tags == ("state", "basics")
    assert item.covers == (1, 3)
    assert item.options == ()


def test_field_lines_do_not_leak_into_question_or_answer(qs: QuestionSet) -> None:
    # loop-code is left out: its code block quotes field-like lines on purpose.
    for item in (item for item in qs.review if item.id != "loop-code"):
        for text in (item.question, item.answer, item.explanation):
            for name in ("ID:", "Type:", "Tags:", "Covers:", "Accept:", "Explanation:"):
                assert name not in text, (item.id, text)


def test_choice_with_one_correct_option_and_per_option_explanations(qs: QuestionSet) -> None:
    item = by_id(qs, "bounded-squash")
    assert item.question == "Which function squashes any real number into a bounded interval?"
    assert item.options == (
        Option(text="ReLU", correct=False, explanation="it grows without limit for positive inputs."),
        Option(text="tanh", correct=True, explanation="its outputs stay strictly between minus one and one."),
        Option(text="identity", correct=False, explanation=""),
    )
    assert item.answer == "tanh"
    assert item.explanation == "Only one of the three is bounded on both sides."
    assert item.covers == (2,)


def test_choice_with_several_correct_options(qs: QuestionSet) -> None:
    item = by_id(qs, "gated-cells")
    assert [(o.text, o.correct) for o in item.options] == [
        ("LSTM", True),
        ("GRU", True),
        ("Elman network", False),
    ]
    assert item.options[2].explanation == "it has no gates at all."
    assert item.answer == "LSTM; GRU"
    assert item.tags == ("gates",)


def test_true_false_questions_hold_true_or_false(qs: QuestionSet) -> None:
    false_item = by_id(qs, "elman-no-gate")
    assert false_item.question == "A plain Elman cell has an output gate."
    assert false_item.answer == "False"
    assert false_item.explanation.startswith("Gates arrived with the LSTM")
    true_item = by_id(qs, "weights-length")
    assert true_item.answer == "True"
    assert true_item.covers == (1,)


def test_cloze_answer_is_the_deleted_text_without_the_hint(qs: QuestionSet) -> None:
    item = by_id(qs, "unroll-cloze")
    assert "{{c1::feed-forward graph}}" in item.question
    assert item.answer == "feed-forward graph; sequence length"
    assert "how many steps?" not in item.answer


def test_cloze_blanks_show_the_hint_where_there_is_one(qs: QuestionSet) -> None:
    shown = blank_clozes(by_id(qs, "unroll-cloze").question)
    assert shown == "Training unrolls the loop into a […] whose depth is the [how many steps?]."
    assert "feed-forward graph" not in shown
    assert "sequence length" not in shown


def test_short_answer_with_accepted_alternatives(qs: QuestionSet) -> None:
    item = by_id(qs, "lstm-name")
    assert item.answer == "Long short-term memory"
    assert item.accept == ("long short term memory", "LSTM cell")


def test_code_block_inside_an_answer_splits_neither_items_nor_sections(qs: QuestionSet) -> None:
    item = by_id(qs, "loop-code")
    assert "1. this line only looks like a new question" in item.answer
    assert "## Nor is this a section" in item.answer
    assert "Answer: nor is this a second answer\nType: essay\n```" in item.answer
    assert item.answer.startswith("Step through the inputs")
    assert item.explanation == "The loop body is the same at every step."
    assert qs.extras == ()
    assert "this line only looks" not in " ".join(item.question for item in qs.review)


def test_code_block_inside_an_answer_is_highlighted(qs: QuestionSet) -> None:
    html = render_markdown(by_id(qs, "loop-code").answer)
    assert '<div class="highlight">' in html
    assert "<span class=" in html
    assert "<h2>" not in html
    assert '<span class="c1">## Nor is this a section</span>' in html


def test_list_indented_by_three_spaces_stays_inside_the_answer(qs: QuestionSet) -> None:
    item = by_id(qs, "two-tasks")
    assert item.answer.startswith("Two common ones:")
    assert "1. tagging each word of a sentence" in item.answer
    assert "2. translating a sentence into another language" in item.answer
    assert item.tags == ("uses",)


def test_list_inside_an_answer_renders_as_a_list(qs: QuestionSet) -> None:
    html = render_markdown(by_id(qs, "two-tasks").answer)
    assert "<ol>" in html
    assert html.count("<li>") == 2


def test_yaml_front_matter_can_choose_the_native_dialect() -> None:
    text = "---\ndialect: native\n---\n## Review\n1. Is a GRU gated?\n   Answer: True\n   ID: gru-gated\n"
    result = parse_text("content/gru.md", text)
    assert result.errors == ()
    assert result.question_set is not None
    assert result.question_set.dialect is Dialect.NATIVE
    assert [(i.id, i.type, i.answer) for i in result.question_set.review] == [
        ("gru-gated", QuestionType.TRUE_FALSE, "True")
    ]


def test_field_lines_may_sit_at_the_left_margin() -> None:
    text = """+++
dialect = "native"
+++
## Review
1. Which gate decides what enters the cell?
Answer: The input gate
Accept: input
ID: input-gate
"""
    result = parse_text("content/lstm.md", text)
    assert result.errors == ()
    assert result.question_set is not None
    item = result.question_set.review[0]
    assert (item.id, item.type, item.answer, item.accept) == (
        "input-gate",
        QuestionType.SHORT,
        "The input gate",
        ("input",),
    )
