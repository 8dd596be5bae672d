"""Moodle XML export: each question type as Moodle writes it, and a round trip over every set in content/."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app.content import QuestionSet, parse_file, parse_text
from app.content.cloze import cloze_blanks
from app.content.exporters.moodle_xml import export
from app.content.importers.moodle_xml import convert

CONTENT = Path(__file__).parent.parent.parent / "content"
_PLAIN_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
SETS = sorted(CONTENT.glob("*.md"))

SAMPLE = """+++
title = "Sample & <gates>"
dialect = "native"
+++

## Review

1. Which cells are gated?

   - [x] LSTM — it has three gates.
   - [x] GRU
   - [ ] Elman RNN — no gates at all.

   Explanation: Gates decide what to keep.
   ID: gated

2. Which activation keeps outputs in (-1, 1)?

   - [ ] sigmoid
   - [x] tanh

   Shuffle: no
   ID: tanh

3. A GRU has a forget gate.

   Answer: False
   ID: gru-forget

4. Which algorithm trains an unrolled RNN?

   Answer: Backpropagation through time
   Accept: BPTT; back*prop
   ID: bptt

5. What is e to two decimal places?

   Answer: 2.72
   Tolerance: 1%
   ID: e-value

6. The {{c1::forget}} gate and the {{c2::cell state|memory cell}} carry memory; a~b}#/"=\\ is {{c3::a~b}#/"=\\}}.

   ID: cloze

7. Why do gates help?

   Answer: They keep the gradient from vanishing.

   Over many steps.
   ID: why
"""


@pytest.fixture(scope="module")
def sample() -> QuestionSet:
    parsed = parse_text("sample.md", SAMPLE)
    assert parsed.errors == ()
    assert parsed.question_set is not None
    return parsed.question_set


@pytest.fixture(scope="module")
def quiz(sample: QuestionSet) -> ET.Element:
    return ET.fromstring(export(sample))


def _question(quiz: ET.Element, name: str) -> ET.Element:
    found = [q for q in quiz.findall("question") if q.findtext("name/text") == name]
    assert len(found) == 1
    return found[0]


def _answers(question: ET.Element) -> list[tuple[str | None, str | None]]:
    return [(a.get("fraction"), a.findtext("text")) for a in question.findall("answer")]


def test_the_export_is_well_formed_xml_with_a_category(quiz: ET.Element):
    assert quiz.tag == "quiz"
    first = quiz.findall("question")[0]
    assert first.get("type") == "category"
    assert first.findtext("category/text") == "$course$/top/Sample & <gates>"
    assert len(quiz.findall("question")) == 8


def test_choice_becomes_multichoice_with_fractions_and_option_feedback(quiz: ET.Element):
    gated = _question(quiz, "gated")
    assert gated.get("type") == "multichoice"
    assert gated.findtext("single") == "false"
    assert _answers(gated) == [("50", "LSTM"), ("50", "GRU"), ("-50", "Elman RNN")]
    assert [a.findtext("feedback/text") for a in gated.findall("answer")] == [
        "it has three gates.",
        "",
        "no gates at all.",
    ]
    assert gated.findtext("generalfeedback/text") == "Gates decide what to keep."
    single = _question(quiz, "tanh")
    assert (single.findtext("single"), single.findtext("shuffleanswers")) == ("true", "0")
    assert _answers(single) == [("0", "sigmoid"), ("100", "tanh")]


def test_true_false_becomes_truefalse(quiz: ET.Element):
    question = _question(quiz, "gru-forget")
    assert question.get("type") == "truefalse"
    assert _answers(question) == [("0", "true"), ("100", "false")]


def test_short_answer_keeps_its_alternatives_with_moodle_wildcards_escaped(quiz: ET.Element):
    question = _question(quiz, "bptt")
    assert question.get("type") == "shortanswer"
    assert _answers(question) == [
        ("100", "Backpropagation through time"),
        ("100", "BPTT"),
        ("100", "back\\*prop"),
    ]


def test_a_numeric_short_answer_with_tolerance_becomes_numerical(quiz: ET.Element):
    question = _question(quiz, "e-value")
    assert question.get("type") == "numerical"
    assert _answers(question) == [("100", "2.72")]
    assert question.findtext("answer/tolerance") == "0.0272"


def test_cloze_becomes_a_moodle_cloze_question_with_escaped_answers(quiz: ET.Element):
    question = _question(quiz, "cloze")
    assert question.get("type") == "cloze"
    assert question.findtext("questiontext/text") == (
        "The {1:SHORTANSWER:=forget} gate and the {1:SHORTANSWER:=cell state~=memory cell} carry memory; "
        'a~b}#/"=\\ is {1:SHORTANSWER:=a\\~b\\}\\#\\/\\"\\=\\\\}.'
    )


def test_open_becomes_essay_with_the_model_answer_as_grader_information(quiz: ET.Element):
    question = _question(quiz, "why")
    assert question.get("type") == "essay"
    assert (
        question.findtext("graderinfo/text") == "They keep the gradient from vanishing.\n\nOver many steps."
    )
    assert question.find("graderinfo").get("format") == "markdown"


def _key(question) -> tuple:
    if question.type == "choice":
        right: tuple = tuple((o.text, o.correct) for o in question.options)
    elif question.type == "cloze":
        right = tuple(b.answers for b in cloze_blanks(question.question))
    elif question.tolerance:  # Moodle's numerical type holds plain numbers only
        right = (question.answer.strip(), tuple(a for a in question.accept if _PLAIN_NUMBER.match(a)))
    else:
        right = (question.answer.strip(), tuple(question.accept))
    # Moodle grades cloze blanks in order: blank numbers come back as c1, c2, c3...
    text = re.sub(r"\{\{c\d+::", "{{c::", question.question)
    return question.id, question.type.value, text, right, question.explanation


def test_sample_round_trip_keeps_questions_types_and_right_answers(sample: QuestionSet):
    back = parse_text("back.md", convert(export(sample).encode(), "sample.xml", None).source)
    assert back.errors == ()
    assert back.question_set is not None
    assert [_key(q) for q in back.question_set.review] == [_key(q) for q in sample.review]
    assert back.question_set.title == "Sample & <gates>"


@pytest.mark.parametrize("path", SETS, ids=[p.stem for p in SETS])
def test_every_content_set_survives_export_and_import(path: Path):
    parsed = parse_file(str(path), path.read_bytes())
    assert parsed.question_set is not None
    original = parsed.question_set
    result = convert(export(original).encode("utf-8"), path.name, None)
    assert [r for r in result.report if r.action == "dropped"] == []
    back = parse_text(f"{result.slug}.md", result.source)
    assert back.errors == ()
    assert back.question_set is not None
    assert [_key(q) for q in back.question_set.review] == [_key(q) for q in original.review]
    assert [q.tolerance != "" for q in back.question_set.review] == [
        q.tolerance != "" for q in original.review
    ]


def test_control_characters_are_left_out_so_the_xml_stays_well_formed():
    parsed = parse_text(
        "ctl.md",
        '+++\ndialect = "native"\n+++\n\n## Review\n\n1. A bell\x07 rings.\n\n   Answer: True\n   ID: bell\n',
    )
    assert parsed.question_set is not None
    quiz = ET.fromstring(export(parsed.question_set))
    assert quiz.findall("question")[1].findtext("questiontext/text") == "A bell rings."
