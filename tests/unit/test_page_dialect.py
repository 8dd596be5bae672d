"""The page dialect: study pages written for the course site import unchanged."""

from __future__ import annotations

import re

import pytest

from app.content import Dialect, QuestionSet, QuestionType, parse_text
from app.content.render import render_markdown

PAGE = """+++
title = "Reading sequences"
weight = "3"
+++
## Preview
{{< ask_chatgpt >}}
Suggest warm-up questions about ordered data
{{< /ask_chatgpt >}}

1. Why does swapping two words change what a sentence says?

1. What must a reader keep in mind halfway through a long sentence?

## Explain
{{< ask_chatgpt >}}
Describe sequence models in plain words
{{< /ask_chatgpt >}}

A sequence model reads one element at a time and carries a running summary forward.

## Keypoint
{{< ask_chatgpt >}}
Summarise sequence models as a short list
{{< /ask_chatgpt >}}

1. The running summary is called the hidden state.

1. One set of weights is applied at every position.

1. Inputs of any length need no change to the model.

## Review
{{< ask_chatgpt >}}
Quiz me on sequence models
{{< /ask_chatgpt >}}

1. What does the hidden state hold after five tokens have been read?
Answer: A compressed summary of those five tokens, shaped by the learned weights.

It is a vector of fixed size, however many tokens came before.

1. Why can one network read both short and long inputs?
Answer: It repeats one cell with shared weights, so nothing in it depends on the input length.

## Related webpage
{{< ask_chatgpt >}}
Point me to further reading
{{< /ask_chatgpt >}}

- [Notes on sequence models](https://example.org/sequence-notes)
"""

PROMPTS = {
    "preview": "Suggest warm-up questions about ordered data",
    "explain": "Describe sequence models in plain words",
    "keypoint": "Summarise sequence models as a short list",
    "review": "Quiz me on sequence models",
    "Related webpage": "Point me to further reading",
}

CHINESE = """+++
title = "序列模型"
weight = 2
+++
## {preview}
{{{{< ask_chatgpt >}}}}
请出几道热身题
{{{{< /ask_chatgpt >}}}}

1. 为什么词的顺序会改变句子的意思？

1. 读长句子时需要记住什么？

## {explain}
序列模型一次读一个元素，并把摘要向后传递。

## {keypoint}
1. 摘要叫做隐藏状态。

1. 每个位置使用同一组权重。

## {review}
1. 隐藏状态保存了什么？
答：到目前为止读过的输入的摘要。

2. 为什么同一个网络能读不同长度的输入？
答: 因为它在每一步重复同一个单元。
"""

SIMPLIFIED = {"preview": "习题预习", "explain": "说明知识", "keypoint": "条列重点", "review": "知识测验"}
TRADITIONAL = {"preview": "習題預習", "explain": "說明知識", "keypoint": "條列重點", "review": "知識測驗"}


def parse_ok(text: str, path: str = "content/03-sequences.md") -> QuestionSet:
    result = parse_text(path, text)
    assert result.errors == (), result.errors
    assert result.ok
    assert result.question_set is not None
    return result.question_set


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the first line of `text` that contains `needle`."""
    return next(i for i, line in enumerate(text.split("\n"), start=1) if needle in line)


def learner_texts(qs: QuestionSet) -> list[str]:
    """Everything a learner is shown from a set."""
    texts = [qs.title, qs.description, qs.explain]
    texts += [item.text for item in (*qs.preview, *qs.keypoints)]
    texts += [part for item in qs.review for part in (item.question, item.answer, item.explanation)]
    texts += [extra.body for extra in qs.extras]
    return texts


def ids_by_question(text: str, path: str = "content/03-sequences.md") -> dict[str, str]:
    return {item.question: item.id for item in parse_ok(text, path).review}


# --- front matter, title and weight ---------------------------------------------------------------


def test_toml_front_matter_sets_title_and_a_quoted_weight_counts_as_a_number() -> None:
    qs = parse_ok(PAGE)
    assert qs.title == "Reading sequences"
    assert qs.weight == 3
    assert qs.dialect is Dialect.PAGE
    assert qs.slug == "03-sequences"


def test_page_parses_without_warnings() -> None:
    result = parse_text("content/03-sequences.md", PAGE)
    assert result.warnings == ()


def test_yaml_front_matter_is_read_like_toml() -> None:
    text = """---
title: Gated cells
weight: 7
description: Why gates help a cell remember.
slug: gates
---
## Review
1. What does a gate output?
Answer: A number between zero and one for every unit it controls.
"""
    qs = parse_ok(text, "content/07-lstm.md")
    assert qs.title == "Gated cells"
    assert qs.weight == 7
    assert qs.description == "Why gates help a cell remember."
    assert qs.slug == "gates"
    assert qs.dialect is Dialect.PAGE
    assert [item.answer for item in qs.review] == [
        "A number between zero and one for every unit it controls."
    ]


def test_title_comes_from_the_first_top_heading_when_there_is_no_front_matter() -> None:
    text = "# Unrolling a loop\n\n## Review\n1. What is unrolled?\nAnswer: The loop over time steps.\n"
    qs = parse_ok(text, "content/05-unrolling.md")
    assert qs.title == "Unrolling a loop"
    assert qs.weight == 0


def test_title_comes_from_the_heading_when_front_matter_has_no_title() -> None:
    text = "+++\nweight = 4\n+++\n# Unrolling a loop\n## Review\n1. What is unrolled?\nAnswer: The loop.\n"
    qs = parse_ok(text, "content/05-unrolling.md")
    assert qs.title == "Unrolling a loop"
    assert qs.weight == 4


def test_title_falls_back_to_the_file_name() -> None:
    text = "## Review\n1. What is unrolled?\nAnswer: The loop over time steps.\n"
    qs = parse_ok(text, "content/unrolling_the-loop.md")
    assert qs.title == "unrolling the loop"
    assert qs.slug == "unrolling_the-loop"


def test_front_matter_title_wins_over_the_heading() -> None:
    text = '+++\ntitle = "From front matter"\n+++\n# From heading\n## Review\n1. Q?\nAnswer: A.\n'
    assert parse_ok(text).title == "From front matter"


# --- shortcode prompts ----------------------------------------------------------------------------


def test_shortcode_prompts_are_kept_per_section() -> None:
    assert parse_ok(PAGE).prompts == PROMPTS


def test_shortcode_blocks_never_reach_what_learners_see() -> None:
    qs = parse_ok(PAGE)
    for text in learner_texts(qs):
        assert "ask_chatgpt" not in text
        assert "{{<" not in text
        for prompt in PROMPTS.values():
            assert prompt not in text


# --- Preview and Keypoint -------------------------------------------------------------------------


def test_preview_items_are_counted_in_order_although_each_is_numbered_1() -> None:
    qs = parse_ok(PAGE)
    assert [item.text for item in qs.preview] == [
        "Why does swapping two words change what a sentence says?",
        "What must a reader keep in mind halfway through a long sentence?",
    ]
    assert [item.line for item in qs.preview] == [
        line_of(PAGE, "Why does swapping"),
        line_of(PAGE, "What must a reader"),
    ]


def test_keypoints_separated_by_blank_lines_are_separate_items() -> None:
    qs = parse_ok(PAGE)
    assert [item.text for item in qs.keypoints] == [
        "The running summary is called the hidden state.",
        "One set of weights is applied at every position.",
        "Inputs of any length need no change to the model.",
    ]
    assert qs.counts == {"preview": 2, "keypoint": 3, "review": 2}


def test_explain_section_is_kept_as_markdown() -> None:
    assert parse_ok(PAGE).explain == (
        "A sequence model reads one element at a time and carries a running summary forward."
    )


# --- Review ---------------------------------------------------------------------------------------


def test_review_questions_are_open_questions_with_their_answers() -> None:
    qs = parse_ok(PAGE)
    assert [item.question for item in qs.review] == [
        "What does the hidden state hold after five tokens have been read?",
        "Why can one network read both short and long inputs?",
    ]
    assert all(item.type is QuestionType.OPEN for item in qs.review)
    assert [item.line for item in qs.review] == [
        line_of(PAGE, "What does the hidden state hold"),
        line_of(PAGE, "Why can one network"),
    ]
    assert qs.review[1].answer == (
        "It repeats one cell with shared weights, so nothing in it depends on the input length."
    )


def test_an_answer_runs_over_two_paragraphs_until_the_next_question() -> None:
    answer = parse_ok(PAGE).review[0].answer
    assert answer.startswith("A compressed summary of those five tokens")
    assert answer.endswith("It is a vector of fixed size, however many tokens came before.")
    assert "Why can one network" not in answer


def test_the_two_paragraphs_of_an_answer_stay_two_paragraphs() -> None:
    answer = parse_ok(PAGE).review[0].answer
    assert render_markdown(answer).count("<p>") == 2


def test_the_short_answer_prefix_a_colon_is_accepted() -> None:
    text = "## Review\n1. Which cell has a forget gate?\nA: The LSTM cell.\n\n2. Is a GRU gated?\na: Yes.\n"
    qs = parse_ok(text)
    assert [item.answer for item in qs.review] == ["The LSTM cell.", "Yes."]


def test_an_unknown_section_is_kept_as_extra_reading() -> None:
    qs = parse_ok(PAGE)
    assert len(qs.extras) == 1
    extra = qs.extras[0]
    assert extra.title == "Related webpage"
    assert extra.body == "- [Notes on sequence models](https://example.org/sequence-notes)"
    assert extra.line == line_of(PAGE, "## Related webpage")


def test_section_headings_are_matched_without_regard_to_case() -> None:
    text = """## PREVIEW
1. What is a time step?

## explain
Each step reads one input.

## Key points
1. Steps share weights.

## REVIEW
1. What is shared between steps?
Answer: The weights.
"""
    qs = parse_ok(text)
    assert [item.text for item in qs.preview] == ["What is a time step?"]
    assert qs.explain == "Each step reads one input."
    assert [item.text for item in qs.keypoints] == ["Steps share weights."]
    assert [item.answer for item in qs.review] == ["The weights."]
    assert qs.extras == ()


@pytest.mark.parametrize("heading", ["Keypoint", "Keypoints", "Key points", "KEYPOINTS", "key Points"])
def test_every_spelling_of_the_keypoint_heading_is_recognised(heading: str) -> None:
    qs = parse_ok(f"## {heading}\n1. Steps share weights.\n")
    assert [item.text for item in qs.keypoints] == ["Steps share weights."]
    assert qs.extras == ()


# --- Chinese headings -----------------------------------------------------------------------------


@pytest.mark.parametrize("names", [SIMPLIFIED, TRADITIONAL], ids=["simplified", "traditional"])
def test_chinese_section_headings_and_answer_prefixes(names: dict[str, str]) -> None:
    text = CHINESE.format(**names)
    qs = parse_ok(text, "content/02-序列.md")
    assert qs.title == "序列模型"
    assert qs.weight == 2
    assert [item.text for item in qs.preview] == [
        "为什么词的顺序会改变句子的意思？",
        "读长句子时需要记住什么？",
    ]
    assert qs.explain == "序列模型一次读一个元素，并把摘要向后传递。"
    assert [item.text for item in qs.keypoints] == ["摘要叫做隐藏状态。", "每个位置使用同一组权重。"]
    assert [(item.question, item.answer) for item in qs.review] == [
        ("隐藏状态保存了什么？", "到目前为止读过的输入的摘要。"),
        ("为什么同一个网络能读不同长度的输入？", "因为它在每一步重复同一个单元。"),
    ]
    assert qs.extras == ()
    assert qs.prompts == {"preview": "请出几道热身题"}
    assert all("请出几道热身题" not in text for text in learner_texts(qs))


# --- derived ids ----------------------------------------------------------------------------------


def test_page_dialect_ids_are_derived_from_the_question() -> None:
    qs = parse_ok(PAGE)
    for item in qs.review:
        assert re.fullmatch(r"q-[0-9a-f]{12}", item.id), item.id
        assert item.id_is_explicit is False
    assert len({item.id for item in qs.review}) == len(qs.review)


def test_ids_survive_reordering_the_questions() -> None:
    first = "1. What does a reset gate decide?\nAnswer: How much of the past feeds the new candidate.\n"
    second = "1. What does an update gate decide?\nAnswer: How much of the state is replaced.\n"
    before = ids_by_question(f"## Review\n{first}\n{second}")
    after = ids_by_question(f"## Review\n{second}\n{first}")
    assert before == after
    assert len(set(before.values())) == 2


def test_ids_survive_moving_the_review_section() -> None:
    review = "## Review\n1. What does a reset gate decide?\nAnswer: How much of the past is used.\n"
    preview = "## Preview\n1. Why gate anything?\n"
    assert ids_by_question(review + preview) == ids_by_question(preview + review)


@pytest.mark.parametrize(
    "edited",
    [
        "what does a reset gate decide?",
        "WHAT DOES A RESET GATE DECIDE?",
        "What  does a reset\tgate decide ?",
        "What does a reset gate decide",
        "What does a reset gate decide?!",
        "What does a reset-gate decide?",
        'What does a "reset gate" decide?',
        "What does a (reset) gate decide?",
        "What does a reset gate decide？",
    ],
)
def test_ids_survive_case_spacing_and_punctuation_edits(edited: str) -> None:
    original = parse_ok("## Review\n1. What does a reset gate decide?\nAnswer: The past it uses.\n")
    changed = parse_ok(f"## Review\n1. {edited}\nAnswer: The past it uses.\n")
    assert changed.review[0].id == original.review[0].id


def test_ids_do_not_depend_on_the_answer() -> None:
    original = parse_ok("## Review\n1. What does a reset gate decide?\nAnswer: The past it uses.\n")
    changed = parse_ok("## Review\n1. What does a reset gate decide?\nAnswer: Something else now.\n")
    assert changed.review[0].id == original.review[0].id


def test_different_questions_get_different_ids() -> None:
    text = """## Review
1. What does a reset gate decide?
Answer: How much of the past is used.

2. What does an update gate decide?
Answer: How much of the state is replaced.

3. What does a reset gate compute?
Answer: A vector of values between zero and one.
"""
    ids = [item.id for item in parse_ok(text).review]
    assert len(ids) == 3
    assert len(set(ids)) == 3


def test_the_same_question_in_two_sets_gets_two_ids() -> None:
    text = "## Review\n1. What does a reset gate decide?\nAnswer: How much of the past is used.\n"
    assert parse_ok(text, "content/gru.md").review[0].id != parse_ok(text, "content/lstm.md").review[0].id
