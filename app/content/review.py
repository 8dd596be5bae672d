"""Review questions: answers in both dialects, and typed questions with fields in the native one."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.content.cloze import CLOZE as CLOZE  # re-exported: other modules read it from here
from app.content.cloze import blank_clozes as blank_clozes
from app.content.cloze import empty_alternative, shown_answers
from app.content.identity import derived_id
from app.content.items import RawItem, join_markdown
from app.content.model import Dialect, Option, Problem, QuestionType, ReviewItem
from app.content.policy import PIN, parse_near_miss, parse_shuffle, parse_tolerance
from app.content.sections import Line, track_fence

_ANSWER_WORD = r"(?:answer|a|答案|答)"
_BOLD = r"(?:\*\*|__)"
# 'Answer:', 'A:', '答案：', '答:', with an ASCII or full-width colon, bare or in bold: '**Answer:**', '**答案**：'.
ANSWER_START = re.compile(
    rf"^\s*(?:{_BOLD}{_ANSWER_WORD}\s*[:：]\s*{_BOLD}|{_BOLD}{_ANSWER_WORD}{_BOLD}\s*[:：]|{_ANSWER_WORD}\s*[:：])"
    r"[ \t]*(.*)$",
    re.IGNORECASE,
)
FIELD = re.compile(
    r"^\s*(id|type|tags|covers|explanation|accept|tolerance|near[ _-]?miss|shuffle)\s*:[ \t]*(.*)$",
    re.IGNORECASE,
)
OPTION = re.compile(r"^\s*[-*+][ \t]+\[([ xX])\][ \t]+(.*)$")
ID_FORMAT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
TYPE_NAMES = {
    "open": QuestionType.OPEN,
    "choice": QuestionType.CHOICE,
    "multiple-choice": QuestionType.CHOICE,
    "true-false": QuestionType.TRUE_FALSE,
    "truefalse": QuestionType.TRUE_FALSE,
    "cloze": QuestionType.CLOZE,
    "short": QuestionType.SHORT,
    "short-answer": QuestionType.SHORT,
}
_MULTILINE = {"answer", "explanation"}
_TRUTH = {"true": True, "false": False}
_OPTION_WHY = " — "


@dataclass
class _Draft:
    """A review question as it is read, before it is checked."""

    raw: RawItem
    question: list[str] = field(default_factory=list)
    parts: dict[str, list[str]] = field(default_factory=dict)
    fields: dict[str, tuple[int, str]] = field(default_factory=dict)
    options: list[list[str]] = field(default_factory=list)
    option_marks: list[bool] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def parse_review_item(raw: RawItem, dialect: Dialect, slug: str) -> tuple[ReviewItem | None, list[Problem]]:
    """One review question, or None with the errors that stop it from becoming a card."""
    draft = _read(raw, dialect)
    question = join_markdown(raw.first, draft.question)
    if not question:
        return None, [*draft.problems, Problem(raw.line, "review question has no text")]
    if dialect is Dialect.PAGE:
        return _page_item(draft, question, slug)
    return _native_item(draft, question)


def _read(raw: RawItem, dialect: Dialect) -> _Draft:
    draft = _Draft(raw=raw)
    target: list[str] = draft.question
    fence: str | None = None
    for line in raw.rest:
        if fence is None:
            target = _classify(line, draft, dialect, target)
        else:
            target.append(line.text)
        fence = track_fence(line.text, fence)
    return draft


def _classify(line: Line, draft: _Draft, dialect: Dialect, target: list[str]) -> list[str]:
    """Route one line to the question, answer, a field or an option; return where text goes next."""
    answer = ANSWER_START.match(line.text)
    if answer and "answer" not in draft.parts:
        draft.parts["answer"] = [answer.group(1)]
        draft.fields.setdefault("answer", (line.number, answer.group(1)))
        return draft.parts["answer"]
    if dialect is Dialect.PAGE:
        target.append(line.text)
        return target
    named = FIELD.match(line.text)
    if named:
        name = re.sub(r"^near[ _-]?miss$", "near miss", named.group(1).lower())
        return _field(line, name, named.group(2).strip(), draft, target)
    option = OPTION.match(line.text)
    if (option and target is draft.question) or (option and draft.options and target is draft.options[-1]):
        draft.options.append([option.group(2)])
        draft.option_marks.append(option.group(1) in "xX")
        return draft.options[-1]
    if answer:
        draft.problems.append(Problem(line.number, "a second 'Answer:' line: give one answer per question"))
    target.append(line.text)
    return target


def _field(line: Line, name: str, value: str, draft: _Draft, target: list[str]) -> list[str]:
    if name in draft.fields:
        draft.problems.append(
            Problem(
                line.number, f"field '{name.title()}:' given twice (first on line {draft.fields[name][0]})"
            )
        )
        return target
    draft.fields[name] = (line.number, value)
    if name in _MULTILINE:
        draft.parts[name] = [value]
        return draft.parts[name]
    return target


def _part(draft: _Draft, name: str) -> str:
    lines = draft.parts.get(name)
    return join_markdown(lines[0].strip(), lines[1:]) if lines else ""


def _page_item(draft: _Draft, question: str, slug: str) -> tuple[ReviewItem | None, list[Problem]]:
    answer = _part(draft, "answer")
    if not answer:
        return None, [*draft.problems, _no_answer(draft.raw.line)]
    item = ReviewItem(
        id=derived_id(slug, question),
        type=QuestionType.OPEN,
        question=question,
        answer=answer,
        line=draft.raw.line,
    )
    return item, draft.problems


def _no_answer(line: int) -> Problem:
    return Problem(line, "review question has no answer: add a line starting with 'Answer:' below it")


def _native_item(draft: _Draft, question: str) -> tuple[ReviewItem | None, list[Problem]]:
    problems = list(draft.problems)
    qtype = _resolve_type(draft, question, problems)
    item_id = _explicit_id(draft, problems)
    covers = _covers(draft, problems)
    options = _options(draft)
    answer = _answer_for(qtype, draft, question, options, problems) if qtype else ""
    settings = _settings(draft, problems)
    if problems or qtype is None or item_id is None:
        return None, problems
    return (
        ReviewItem(
            id=item_id,
            type=qtype,
            question=question,
            answer=answer,
            line=draft.raw.line,
            explanation=_part(draft, "explanation"),
            options=options,
            accept=_split(draft, "accept", ";"),
            tags=_split(draft, "tags", ","),
            covers=covers,
            covers_line=draft.fields.get("covers", (0, ""))[0],
            id_is_explicit=True,
            **settings,
        ),
        problems,
    )


def _resolve_type(draft: _Draft, question: str, problems: list[Problem]) -> QuestionType | None:
    inferred = _infer_type(draft, question)
    if "type" not in draft.fields:
        return inferred
    line, value = draft.fields["type"]
    named = TYPE_NAMES.get(value.strip().lower())
    if named is None:
        problems.append(
            Problem(line, f"unknown question type '{value}': use open, choice, true-false, cloze or short")
        )
        return None
    if named is not inferred and not (named is QuestionType.SHORT and inferred is QuestionType.OPEN):
        problems.append(Problem(line, _type_mismatch(named, inferred)))
        return None
    return named


def _type_mismatch(named: QuestionType, inferred: QuestionType) -> str:
    needs = {
        QuestionType.CHOICE: "option lines such as '- [x] right' and '- [ ] wrong'",
        QuestionType.CLOZE: "a deletion such as {{c1::answer}} in the question",
        QuestionType.TRUE_FALSE: "'Answer: True' or 'Answer: False'",
        QuestionType.SHORT: "an 'Answer:' line",
        QuestionType.OPEN: "an 'Answer:' line and no options, deletions, Accept:, Tolerance: or Near miss: line",
    }
    return f"'Type: {named}' does not fit this question (it reads as {inferred}): a {named} question needs {needs[named]}"


def _infer_type(draft: _Draft, question: str) -> QuestionType:
    if draft.options:
        return QuestionType.CHOICE
    if CLOZE.search(question):
        return QuestionType.CLOZE
    if _part(draft, "answer").strip().rstrip(".").lower() in _TRUTH:
        return QuestionType.TRUE_FALSE
    if any(name in draft.fields for name in ("accept", "tolerance", "near miss")):
        return QuestionType.SHORT
    return QuestionType.OPEN


def _explicit_id(draft: _Draft, problems: list[Problem]) -> str | None:
    if "id" not in draft.fields:
        problems.append(
            Problem(draft.raw.line, "review question has no id: add a line 'ID: a-short-name' below it")
        )
        return None
    line, value = draft.fields["id"]
    if not ID_FORMAT.match(value):
        problems.append(Problem(line, f"id '{value}' may hold only letters, digits, '-' and '_'"))
        return None
    return value


def _covers(draft: _Draft, problems: list[Problem]) -> tuple[int, ...]:
    if "covers" not in draft.fields:
        return ()
    line, value = draft.fields["covers"]
    numbers = []
    for piece in filter(None, (p.strip() for p in value.split(","))):
        if not piece.isdigit() or int(piece) < 1:
            problems.append(Problem(line, f"'Covers: {value}' must list key point numbers such as 1, 3"))
            return ()
        numbers.append(int(piece))
    return tuple(numbers)


def _options(draft: _Draft) -> tuple[Option, ...]:
    options = []
    for lines, correct in zip(draft.options, draft.option_marks, strict=True):
        text = join_markdown(lines[0].strip(), lines[1:])
        head, _, why = text.partition(_OPTION_WHY)
        pinned = bool(PIN.search(head) or PIN.search(why))
        head, why = PIN.sub("", head), PIN.sub("", why)
        options.append(Option(text=head.strip(), correct=correct, explanation=why.strip(), pinned=pinned))
    return tuple(options)


def _answer_for(
    qtype: QuestionType, draft: _Draft, question: str, options: tuple[Option, ...], problems: list[Problem]
) -> str:
    answer = _part(draft, "answer")
    line = draft.raw.line
    if qtype is QuestionType.CHOICE:
        if len(options) < 2 or not any(o.correct for o in options):
            problems.append(
                Problem(line, "a choice question needs at least two options and one marked '[x]'")
            )
        return answer or "; ".join(o.text for o in options if o.correct)
    if qtype is QuestionType.CLOZE:
        empty = empty_alternative(question)
        if empty:
            problems.append(
                Problem(line, f"the deletion {empty} has an empty answer: write text on each side of '|'")
            )
        return answer or shown_answers(question)
    if qtype is QuestionType.TRUE_FALSE:
        return "True" if _TRUTH[answer.strip().rstrip(".").lower()] else "False"
    if not answer:
        problems.append(_no_answer(line))
    return answer


def _split(draft: _Draft, name: str, separator: str) -> tuple[str, ...]:
    value = draft.fields.get(name, (0, ""))[1]
    return tuple(piece.strip() for piece in value.split(separator) if piece.strip())


def _settings(draft: _Draft, problems: list[Problem]) -> dict[str, str | bool]:
    """The grading fields Tolerance, Near miss and Shuffle, checked."""
    settings: dict[str, str | bool] = {}
    checks = {
        "tolerance": (
            parse_tolerance,
            "'Tolerance: {}' must be a number such as 0.01, or a percentage such as 1%",
        ),
        "near miss": (parse_near_miss, "'Near miss: {}' must be 'accept' or 'wrong'"),
        "shuffle": (parse_shuffle, "'Shuffle: {}' must be 'yes' or 'no'"),
    }
    for name, (parse, message) in checks.items():
        if name not in draft.fields:
            continue
        line, value = draft.fields[name]
        parsed = parse(value)
        if parsed is None:
            problems.append(Problem(line, message.format(value)))
            continue
        settings[name.replace(" ", "_")] = value.strip() if name == "tolerance" else parsed
    return settings
