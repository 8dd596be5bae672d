"""Moodle XML export: a parsed QuestionSet as a <quiz> Moodle imports (question/format/xml)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from app.content.cloze import CLOZE, split_alternatives
from app.content.model import QuestionSet, QuestionType, ReviewItem

_NUMBER = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot hold
_CLOZE_SPECIAL = re.compile(r"([\\}~#/\"=])")


def export(question_set: QuestionSet) -> str:
    """The set's review questions as Moodle XML (text kept as Markdown, format="markdown")."""
    quiz = ET.Element("quiz")
    category = ET.SubElement(ET.SubElement(quiz, "question", type="category"), "category")
    _text(category, f"$course$/top/{question_set.title}")
    for item in question_set.review:
        quiz.append(_question(item))
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"


def _question(item: ReviewItem) -> ET.Element:
    builders = {
        QuestionType.CHOICE: _choice,
        QuestionType.TRUE_FALSE: _truefalse,
        QuestionType.SHORT: _short,
        QuestionType.CLOZE: _cloze,
        QuestionType.OPEN: _essay,
    }
    return builders[item.type](item)


def _text(parent: ET.Element, value: str) -> ET.Element:
    element = ET.SubElement(parent, "text")
    element.text = _NOT_XML.sub("", value)
    return element


def _rich(parent: ET.Element, tag: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, tag, format="markdown")
    _text(element, value)
    return element


def _head(item: ReviewItem, kind: str, question: str | None = None) -> ET.Element:
    element = ET.Element("question", type=kind)
    _text(ET.SubElement(element, "name"), item.id)
    _rich(element, "questiontext", item.question if question is None else question)
    _rich(element, "generalfeedback", item.explanation)
    ET.SubElement(element, "defaultgrade").text = "1"
    ET.SubElement(element, "penalty").text = "0.3333333"
    ET.SubElement(element, "hidden").text = "0"
    ET.SubElement(element, "idnumber").text = item.id
    return element


def _answer(
    parent: ET.Element, fraction: str, value: str, feedback: str = "", fmt: str = "markdown"
) -> ET.Element:
    answer = ET.SubElement(parent, "answer", fraction=fraction, format=fmt)
    _text(answer, value)
    _rich(answer, "feedback", feedback)
    return answer


def _fraction(value: float) -> str:
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return text or "0"


def _choice(item: ReviewItem) -> ET.Element:
    element = _head(item, "multichoice")
    right = sum(1 for o in item.options if o.correct)
    single = right == 1
    ET.SubElement(element, "single").text = "true" if single else "false"
    ET.SubElement(element, "shuffleanswers").text = "1" if item.shuffle else "0"
    ET.SubElement(element, "answernumbering").text = "none"
    for option in item.options:
        wrong = "0" if single else _fraction(-100 / right)
        fraction = _fraction(100 / right) if option.correct else wrong
        _answer(element, fraction, option.text, option.explanation)
    return element


def _truefalse(item: ReviewItem) -> ET.Element:
    element = _head(item, "truefalse")
    right = item.answer.strip().lower()
    for value in ("true", "false"):
        _answer(element, "100" if value == right else "0", value, fmt="moodle_auto_format")
    return element


def _short(item: ReviewItem) -> ET.Element:
    """A number with a tolerance becomes numerical (its plain-number alternatives too); else shortanswer."""
    tolerance = _absolute_tolerance(item.answer, item.tolerance)
    if tolerance is not None:
        element = _head(item, "numerical")
        numbers = [a.strip() for a in (item.answer, *item.accept) if _NUMBER.match(a)]
        for value in dict.fromkeys(numbers):
            answer = _answer(element, "100", value, fmt="moodle_auto_format")
            ET.SubElement(answer, "tolerance").text = tolerance
        return element
    element = _head(item, "shortanswer")
    ET.SubElement(element, "usecase").text = "0"
    for value in dict.fromkeys((item.answer, *item.accept)):
        _answer(element, "100", value.strip().replace("*", "\\*"), fmt="moodle_auto_format")
    return element


def _absolute_tolerance(answer: str, tolerance: str) -> str | None:
    """The tolerance as an absolute number, or None when the answer is no plain number."""
    if not tolerance or not _NUMBER.match(answer):
        return None
    tolerance = tolerance.strip()
    try:
        if tolerance.endswith("%"):
            return _fraction(abs(float(answer)) * float(tolerance[:-1]) / 100)
        return _fraction(float(tolerance))
    except ValueError:
        return None


def _cloze(item: ReviewItem) -> ET.Element:
    """Each {{cN::a|b::hint}} becomes {1:SHORTANSWER:=a~=b~*#hint} in a cloze (multianswer) question:
    the hint is the feedback Moodle shows for any other answer."""

    def blank(match: re.Match[str]) -> str:
        answers = [a for a in split_alternatives(match.group(2)) if a]
        body = "~".join("=" + _CLOZE_SPECIAL.sub(r"\\\1", a) for a in answers)
        hint = (match.group(3) or "").strip()
        if hint:
            body += "~*#" + _CLOZE_SPECIAL.sub(r"\\\1", hint)
        return "{1:SHORTANSWER:" + body + "}"

    return _head(item, "cloze", CLOZE.sub(blank, item.question))  # Moodle's XML name for multianswer


def _essay(item: ReviewItem) -> ET.Element:
    element = _head(item, "essay")
    ET.SubElement(element, "responseformat").text = "editor"
    ET.SubElement(element, "responserequired").text = "1"
    ET.SubElement(element, "responsefieldlines").text = "10"
    ET.SubElement(element, "attachments").text = "0"
    _rich(element, "graderinfo", item.answer)
    _rich(element, "responsetemplate", "")
    return element
