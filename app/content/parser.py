"""Parse one question-set file into a QuestionSet, collecting every problem with its line."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import PurePath

from app.content.frontmatter import split_front_matter
from app.content.items import parse_simple_items, split_items
from app.content.limits import MAX_REVIEW_QUESTIONS, check_body, too_big, too_many_lines
from app.content.model import (
    Dialect,
    ExtraSection,
    Item,
    ParseResult,
    Problem,
    QuestionSet,
    ReviewItem,
    SectionKind,
)
from app.content.policy import check_sources, parse_near_miss
from app.content.rendered import render_set
from app.content.review import parse_review_item
from app.content.sections import Line, RawSection, split_sections

_SLUG_JUNK = re.compile(r"[^\w]+", re.UNICODE)


def slugify(text: str) -> str:
    """A URL-safe name: lowercase words joined by hyphens."""
    return _SLUG_JUNK.sub("-", text.casefold()).strip("-_") or "set"


def decode(data: bytes) -> tuple[str | None, Problem | None]:
    """UTF-8 text of a file, or the line holding its first byte that is not UTF-8 or is NUL (which
    no text needs and PostgreSQL cannot store)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, Problem(line, "the file is not UTF-8 text: save it with UTF-8 encoding")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, Problem(line, "the file contains a NUL character (byte 0): remove it")
    return text, None


def parse_file(path: str, data: bytes) -> ParseResult:
    """Parse and render the bytes of the file at `path` (the path names the set and the errors)."""
    oversized = too_big(len(data))
    if oversized:
        return _failed(path, oversized)
    text, problem = decode(data)
    if text is None:
        return ParseResult(path, None, (problem,) if problem else ())
    result = parse_text(path, text)
    if result.question_set is None:
        return result
    html, problems = render_set(result.question_set)
    if html is None:
        return ParseResult(path, None, (*result.errors, *problems), result.warnings)
    return ParseResult(path, result.question_set, result.errors, result.warnings, html)


def parse_text(path: str, text: str) -> ParseResult:
    """Parse Markdown source; never raises, reports problems instead."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not text.strip():
        return _failed(path, Problem(1, "the file is empty: add at least a '## Review' section"))
    too_long = too_many_lines(len(lines))
    if too_long:
        return _failed(path, too_long)
    front = split_front_matter(lines)
    if front.errors:
        return ParseResult(path, None, front.errors)
    body_lines = [Line(i + 1, lines[i]) for i in range(front.body_start, len(lines))]
    too_costly = check_body(body_lines)
    if too_costly:
        return ParseResult(path, None, tuple(too_costly))
    body = split_sections(body_lines)
    errors, warnings = list(body.errors), list(body.warnings)
    meta, meta_errors = _metadata(path, front.data, body.title, front.line_of("weight"))
    errors += meta_errors
    errors += _check_quiz(front.data.get("quiz"), front.line_of("quiz"))
    grading, grading_errors = _grading_settings(front.data, front.line_of)
    meta |= grading
    errors += grading_errors
    known = {s.kind: s for s in body.sections if s.kind is not None}
    if not known:
        errors.append(
            Problem(
                front.body_start + 1,
                "no known section: add '## Preview', '## Explain', '## Keypoint' or '## Review'",
            )
        )
        return ParseResult(path, None, tuple(errors), tuple(warnings))
    question_set, set_errors, set_warnings = _build(meta, known, body.sections, front.data)
    errors += set_errors
    warnings += set_warnings
    return ParseResult(path, None if errors else question_set, tuple(errors), tuple(warnings))


def _failed(path: str, problem: Problem) -> ParseResult:
    return ParseResult(path, None, (problem,))


def _metadata(
    path: str, data: dict[str, object], heading: str | None, weight_line: int
) -> tuple[dict[str, object], list[Problem]]:
    errors: list[Problem] = []
    stem = PurePath(path).stem
    title = str(data.get("title") or heading or stem.replace("_", " ").replace("-", " ")).strip()
    weight = _whole_number(data.get("weight", 0))
    if weight is None:
        errors.append(
            Problem(weight_line, f"weight '{data.get('weight')}' is not a number: write e.g. weight = 3")
        )
        weight = 0
    dialect = Dialect.NATIVE if str(data.get("dialect", "")).lower() == "native" else Dialect.PAGE
    return {
        "slug": slugify(str(data.get("slug") or stem)),
        "title": title,
        "weight": weight,
        "dialect": dialect,
        "description": str(data.get("description") or ""),
    }, errors


def _grading_settings(
    data: dict[str, object], line_of: Callable[[str], int]
) -> tuple[dict[str, object], list[Problem]]:
    """Front matter `sources` (a list of strings) and `near_miss` ("accept" or "wrong")."""
    errors = []
    sources, problem = check_sources(data.get("sources"))
    if problem:
        errors.append(Problem(line_of("sources"), problem))
    near_miss = ""
    if "near_miss" in data:
        near_miss = parse_near_miss(str(data["near_miss"])) or ""
        if not near_miss or not isinstance(data["near_miss"], str):
            errors.append(Problem(line_of("near_miss"), 'near_miss must be "accept" or "wrong"'))
    return {"sources": sources, "near_miss": near_miss}, errors


QUIZ_BOUNDS = {"questions": (5, 50), "time_limit": (60, 10800), "attempts": (0, 100)}


def _check_quiz(settings: object, line: int) -> list[Problem]:
    """A quiz fixed in front matter: [quiz] questions (5-50), time_limit (seconds), attempts (0 = any)."""
    if settings is None:
        return []
    if not isinstance(settings, dict):
        return [Problem(line, "quiz must be a table: [quiz] with questions, time_limit and attempts")]
    problems = []
    for key, value in settings.items():
        if key not in QUIZ_BOUNDS:
            problems.append(
                Problem(line, f"unknown quiz setting '{key}': use questions, time_limit or attempts")
            )
            continue
        low, high = QUIZ_BOUNDS[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            problems.append(Problem(line, f"quiz {key} must be a whole number from {low} to {high}"))
    return problems


def _whole_number(value: object) -> int | None:
    """A weight as an int: 3, 3.0 and "3" all give 3; anything else, None."""
    try:
        number = float(str(value))
    except ValueError:
        return None
    return int(number) if math.isfinite(number) else None


def _build(
    meta: dict[str, object],
    known: dict[SectionKind | None, RawSection],
    sections: list[RawSection],
    front_matter: dict[str, object],
) -> tuple[QuestionSet, list[Problem], list[Problem]]:
    errors: list[Problem] = []
    warnings: list[Problem] = []
    preview = _simple(known.get(SectionKind.PREVIEW), "preview question", warnings)
    keypoints = _simple(known.get(SectionKind.KEYPOINT), "key point", warnings)
    dialect = meta["dialect"]
    assert isinstance(dialect, Dialect)
    review = _review(known.get(SectionKind.REVIEW), dialect, str(meta["slug"]), errors, warnings)
    if meta.get("near_miss"):  # the set's policy, for questions that do not name their own
        review = [
            item if item.near_miss else replace(item, near_miss=str(meta["near_miss"])) for item in review
        ]
    errors += _check_covers(review, len(keypoints))
    explain = known.get(SectionKind.EXPLAIN)
    question_set = QuestionSet(
        slug=str(meta["slug"]),
        title=str(meta["title"]),
        weight=int(str(meta["weight"])),
        dialect=dialect,
        description=str(meta["description"]),
        preview=preview,
        explain=_markdown(explain),
        keypoints=keypoints,
        review=tuple(review),
        extras=tuple(
            ExtraSection(title=s.heading, body=_markdown(s), line=s.line) for s in sections if s.kind is None
        ),
        prompts={str(s.kind or s.heading): s.prompt for s in sections if s.prompt},
        front_matter=dict(front_matter),
        sources=tuple(meta.get("sources") or ()),  # type: ignore[arg-type]
    )
    return question_set, errors, warnings


def _markdown(section: RawSection | None) -> str:
    return "\n".join(line.text for line in section.lines).strip() if section else ""


def _simple(section: RawSection | None, what: str, warnings: list[Problem]) -> tuple[Item, ...]:
    if section is None:
        return ()
    items, problems = parse_simple_items(section.lines, what)
    warnings += problems
    return items


def _review(
    section: RawSection | None,
    dialect: Dialect,
    slug: str,
    errors: list[Problem],
    warnings: list[Problem],
) -> list[ReviewItem]:
    if section is None:
        return []
    raw_items, problems = split_items(section.lines, "review question")
    warnings += problems
    if len(raw_items) > MAX_REVIEW_QUESTIONS:
        errors.append(
            Problem(
                raw_items[MAX_REVIEW_QUESTIONS].line,
                f"more than {MAX_REVIEW_QUESTIONS} review questions: split the set into several files",
            )
        )
        return []
    review: list[ReviewItem] = []
    first_line: dict[str, int] = {}
    for raw in raw_items:
        item, item_problems = parse_review_item(raw, dialect, slug)
        errors += item_problems
        if item is None:
            continue
        if item.id in first_line:
            errors.append(Problem(item.line, _duplicate_message(item, first_line[item.id])))
            continue
        first_line[item.id] = item.line
        review.append(item)
    return review


def _duplicate_message(item: ReviewItem, first: int) -> str:
    if item.id_is_explicit:
        return f"duplicated id '{item.id}' (first used on line {first}): give this question its own ID"
    return (
        f"this question repeats the one on line {first} (ignoring case and punctuation): "
        "remove one of them or reword it"
    )


def _check_covers(review: list[ReviewItem], keypoint_count: int) -> list[Problem]:
    return [
        Problem(
            item.covers_line or item.line,
            f"'Covers: {number}' names a key point that does not exist (the set has {keypoint_count})",
        )
        for item in review
        for number in item.covers
        if number > keypoint_count
    ]
