"""Issue 9: pages in the seed format as real sites write them (their variants of headings and
answer markers), and warnings for a `##` heading that is close to a known one."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.content import check_path, parse_text

FIXTURES = Path(__file__).parent.parent / "fixtures" / "seed_variants"


def test_a_simplified_chinese_page_with_its_variants_loads_whole() -> None:
    result = check_path(FIXTURES / "simplified.md")

    assert result.ok, result.errors
    qs = result.question_set
    assert qs is not None and qs.counts == {"preview": 2, "keypoint": 2, "review": 3}
    assert [item.answer for item in qs.review] == [
        "它记住已经读过的内容，供下一步使用。",
        "参数数量不随序列长度增长。",
        "随时间反向传播。",
    ]
    assert qs.extras == () and result.warnings == ()


def test_a_traditional_chinese_page_loads_and_a_mixed_script_heading_is_questioned() -> None:
    result = check_path(FIXTURES / "traditional.md")

    assert result.ok, result.errors
    qs = result.question_set
    assert qs is not None and qs.counts == {"preview": 1, "keypoint": 1, "review": 2}
    assert qs.review[1].answer == "反覆乘上小於一的數，梯度越來越小。"
    [warning] = result.warnings
    assert warning.line == 21
    assert warning.message == (
        "unknown section '彙總重点' is kept as extra reading: did you mean '## 彙總重點'?"
    )


def test_an_english_page_with_bold_and_full_width_markers_and_a_typo_heading() -> None:
    result = check_path(FIXTURES / "english.md")

    assert result.ok, result.errors
    qs = result.question_set
    assert qs is not None and [item.answer for item in qs.review] == [
        "It keeps what has been read so far for the next step.",
        "The number of parameters does not grow with the length of the sequence.",
        "Backpropagation through time.",
    ]
    assert [(w.line, w.message) for w in result.warnings] == [
        (14, "unknown section 'Reveiw' is kept as extra reading: did you mean '## Review'?")
    ]
    assert [extra.title for extra in qs.extras] == ["Reveiw", "Related reading"]


@pytest.mark.parametrize(
    "marker",
    [
        "Answer:",
        "Answer：",
        "A:",
        "答案：",
        "答案:",
        "答：",
        "答:",
        "**Answer:**",
        "**Answer**:",
        "**答案：**",
        "__答案__：",
    ],
)
def test_every_answer_marker_variant(marker: str) -> None:
    result = parse_text("p.md", f"## Review\n1. Why?\n{marker} Because.\n")
    assert result.ok and result.question_set is not None
    assert result.question_set.review[0].answer == "Because."


@pytest.mark.parametrize("heading", ["汇总重点", "彙總重點", "Key points", "条列重点", "條列重點"])
def test_every_key_point_heading(heading: str) -> None:
    result = parse_text("p.md", f"## {heading}\n1. A point.\n")
    assert result.ok and result.question_set is not None and len(result.question_set.keypoints) == 1


def test_a_heading_far_from_every_known_one_is_extra_reading_without_a_warning() -> None:
    result = parse_text("p.md", "## Review\n1. Q?\nAnswer: A.\n\n## Related webpage\nSee the demo.\n")
    assert result.warnings == ()
