"""GIFT export: a parsed QuestionSet as Moodle's plain-text question format (question/format/gift).

GIFT has no multi-blank cloze, no grader information and no words among numerical answers, so
comments Moodle ignores carry them for Unroll's own GIFT import: `// unroll-cloze: {"text": ...}`,
`// unroll-answer: "..."` (an essay's model answer) and `// unroll-accept: [...]`.
"""

from __future__ import annotations

import json
import re

from app.content.cloze import CLOZE, split_alternatives
from app.content.model import Option, QuestionSet, QuestionType, ReviewItem

_SPECIAL = re.compile(r"([\\~=#{}:])")
_NUMBER = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")
BLANK = "_____"


def escape(text: str) -> str:
    """GIFT's escapes for its special characters; newlines as `\\n` so a question stays one block."""
    escaped = _SPECIAL.sub(r"\\\1", text.strip())
    return escaped.replace("\r\n", "\n").replace("\n", "\\n")


def export(question_set: QuestionSet) -> str:
    """The set's review questions as GIFT, one block per question, titled by the question's id."""
    blocks = [f"// {question_set.title}", f"$CATEGORY: $course$/top/{' '.join(question_set.title.split())}"]
    blocks.extend(_question(item) for item in question_set.review)
    return "\n\n".join(blocks) + "\n"


def _head(item: ReviewItem, question: str | None = None) -> str:
    return f"::{escape(item.id)}::[markdown]{escape(item.question if question is None else question)}"


def _general(item: ReviewItem) -> str:
    return f"####{escape(item.explanation)}" if item.explanation.strip() else ""


def _question(item: ReviewItem) -> str:
    if item.type is QuestionType.CHOICE:
        return _choice(item)
    if item.type is QuestionType.TRUE_FALSE:
        return f"{_head(item)}{{{item.answer.upper()}{_general(item)}}}"
    if item.type is QuestionType.SHORT:
        return _short(item)
    if item.type is QuestionType.CLOZE:
        return _cloze(item)
    answer = f"// unroll-answer: {json.dumps(item.answer, ensure_ascii=False)}\n"
    return f"{answer}{_head(item)}{{{_general(item)}}}"


def _weight(count: int) -> str:
    return f"{100 / count:.5f}".rstrip("0").rstrip(".")


def _option(option: Option, mark: str) -> str:
    why = f"#{escape(option.explanation)}" if option.explanation.strip() else ""
    return f"\t{mark}{escape(option.text)}{why}"


def _choice(item: ReviewItem) -> str:
    right = sum(o.correct for o in item.options)
    lines = []
    for option in item.options:
        if right == 1:
            mark = "=" if option.correct else "~"
        else:
            mark = f"~%{_weight(right)}%" if option.correct else "~%-100%"
        lines.append(_option(option, mark))
    general = _general(item)
    return _head(item) + "{\n" + "\n".join(lines) + (f"\n\t{general}" if general else "") + "\n}"


def _absolute(answer: str, tolerance: str) -> str | None:
    tolerance = tolerance.strip()
    try:
        if tolerance.endswith("%"):
            value = abs(float(answer)) * float(tolerance[:-1]) / 100
        else:
            value = float(tolerance)
    except ValueError:
        return None
    return f"{value:.10g}"


def _short(item: ReviewItem) -> str:
    if item.tolerance and _NUMBER.match(item.answer):
        tolerance = _absolute(item.answer, item.tolerance)
        if tolerance is not None:
            numbers = [a.strip() for a in dict.fromkeys((item.answer, *item.accept)) if _NUMBER.match(a)]
            others = [a for a in item.accept if not _NUMBER.match(a) and a.strip()]
            comment = f"// unroll-accept: {json.dumps(others, ensure_ascii=False)}\n" if others else ""
            body = " ".join(f"={n}:{tolerance}" for n in numbers)
            return f"{comment}{_head(item)}{{#{body}{_general(item)}}}"
    answers = " ".join(f"={escape(a)}" for a in dict.fromkeys((item.answer, *item.accept)) if a.strip())
    return f"{_head(item)}{{{answers}{_general(item)}}}"


def _cloze(item: ReviewItem) -> str:
    """One blank with text after it: a missing-word question; otherwise a short answer over all blanks."""
    restore = {"text": item.question}
    if item.explanation.strip():
        restore["explanation"] = item.explanation
    comment = f"// unroll-cloze: {json.dumps(restore, ensure_ascii=False)}\n"
    matches = list(CLOZE.finditer(item.question))
    if len(matches) == 1 and item.question[matches[0].end() :].strip():
        match = matches[0]
        answers = " ".join(f"={escape(a)}" for a in split_alternatives(match.group(2)) if a)
        before, after = item.question[: match.start()], item.question[match.end() :]
        block = f"{escape(before)} {{{answers}{_general(item)}}} {escape(after)}"
        return f"{comment}::{escape(item.id)}::[markdown]{block}"
    shown = []

    def blank(match: re.Match[str]) -> str:
        shown.append(split_alternatives(match.group(2))[0])
        hint = f" ({match.group(3)})" if match.group(3) else ""
        return f"{BLANK}{hint}"

    text = CLOZE.sub(blank, item.question)
    return f"{comment}{_head(item, text)}{{={escape(', '.join(shown))}{_general(item)}}}"
