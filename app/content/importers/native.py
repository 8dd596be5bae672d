"""The shared builder: imported questions to one native-dialect set (see docs/authoring.md)."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

QUESTION_TYPES = ("open", "choice", "true-false", "cloze", "short")


@dataclass(frozen=True)
class ReportLine:
    """One entry of the import report."""

    line: int | None  # source line (1-based) or None
    action: str  # "kept" | "changed" | "dropped"
    message: str


@dataclass(frozen=True)
class ImportedOption:
    """One option of an imported choice question."""

    text: str
    correct: bool
    feedback: str = ""


@dataclass(frozen=True)
class ImportedQuestion:
    """One imported question, before it is written in the native dialect."""

    type: str  # "open" | "choice" | "true-false" | "cloze" | "short"
    text: str  # Markdown question (a cloze uses {{c1::a|b}} syntax)
    line: int | None = None
    options: tuple[ImportedOption, ...] = ()
    answer: str = ""  # open/short/true-false ("True"/"False") answer
    accept: tuple[str, ...] = ()
    explanation: str = ""
    tolerance: str = ""  # e.g. "0.01" for GIFT {#3.14:0.01}
    title: str = ""  # e.g. GIFT ::title::, used for the stable id when present


@dataclass(frozen=True)
class ImportResult:
    """A converted set: native-dialect source, what happened to each construct, title and slug."""

    source: str
    report: tuple[ReportLine, ...]
    title: str
    slug: str


_FIELD_LIKE = re.compile(
    r"^(\s*(?:\*\*|__)?(?:answer|a|答案|答|id|type|tags|covers|explanation|accept|tolerance|near[ _-]?miss|shuffle)"
    r"(?:\*\*|__)?\s*)([:：])",
    re.IGNORECASE,
)
_ITEM_LIKE = re.compile(r"^(\s*\d{1,9})([.)])(?=[ \t]|$)")
_HEADING_LIKE = re.compile(r"^(\s*)(#)")
_OPTION_LIKE = re.compile(r"^(\s*[-*+][ \t]+)\[([ xX])\]")
_OPTION_WHY = " — "


def slugify(text: str, limit: int = 60) -> str:
    """Lower-case ASCII words joined by '-', or '' when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].strip("-")


def normalised(text: str) -> str:
    """Question text with case, spacing and punctuation set aside (the basis of a hashed id)."""
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def question_id(question: ImportedQuestion) -> str:
    """The stable id: the slugified title, else a short hash of the normalised question text."""
    by_title = slugify(question.title, 40)
    if by_title:
        return by_title
    digest = hashlib.sha1(normalised(question.text).encode("utf-8")).hexdigest()[:10]
    return f"q-{digest}"


def _unique(base: str, used: set[str]) -> str:
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    used.add(candidate)
    return candidate


def _escape_line(line: str) -> str:
    """Keep a text line from being read as a field, item, heading or option line."""
    line = _FIELD_LIKE.sub(lambda m: m.group(1) + "\\" + m.group(2), line, count=1)
    line = _ITEM_LIKE.sub(lambda m: m.group(1) + "\\" + m.group(2), line, count=1)
    line = _HEADING_LIKE.sub(lambda m: m.group(1) + "\\#", line, count=1)
    return _OPTION_LIKE.sub(lambda m: m.group(1) + "\\[" + m.group(2) + "]", line, count=1)


def _block(text: str, indent: str = "   ") -> list[str]:
    """Text as indented lines; blank lines stay blank, text lines are escaped."""
    lines = text.strip("\n").splitlines() or [""]
    return [indent + _escape_line(line) if line.strip() else "" for line in lines]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _field(name: str, value: str) -> list[str]:
    body = _block(value)
    first = body[0].strip() if body else ""
    return [f"   {name}: {first}", *body[1:]]


def _question_lines(number: int, question: ImportedQuestion, qid: str, report: list[ReportLine]) -> list[str]:
    text = _block(question.text)
    lines = [f"{number}. {text[0].strip()}", *text[1:], ""]
    if question.type == "choice":
        lines.extend(_option_lines(question, report))
        lines.append("")
        lines.append("   Type: choice")
    elif question.type == "true-false":
        lines.append(f"   Answer: {question.answer}")
    elif question.type == "short":
        lines.extend(_field("Answer", _one_line(question.answer)))
        accept = [
            _one_line(a)
            for a in question.accept
            if _one_line(a) and _one_line(a) != _one_line(question.answer)
        ]
        if any(";" in a for a in accept):
            report.append(
                ReportLine(question.line, "changed", "an accepted answer held ';'; it was written as ','")
            )
            accept = [a.replace(";", ",") for a in accept]
        if accept:
            lines.append("   Accept: " + "; ".join(dict.fromkeys(accept)))
        if question.tolerance:
            lines.append(f"   Tolerance: {question.tolerance}")
        if not accept and not question.tolerance:
            lines.append("   Type: short")
    elif question.type == "open":
        lines.extend(_field("Answer", question.answer))
    if question.explanation.strip():
        lines.extend(_field("Explanation", question.explanation))
    lines.append(f"   ID: {qid}")
    lines.append("")
    return lines


def _option_lines(question: ImportedQuestion, report: list[ReportLine]) -> list[str]:
    lines = []
    for option in question.options:
        text = _one_line(option.text)
        if _OPTION_WHY.strip() in text:
            report.append(
                ReportLine(question.line, "changed", "an option held ' — '; it was written as ' - '")
            )
            text = text.replace("—", "-")
        mark = "x" if option.correct else " "
        why = _one_line(option.feedback)
        lines.append(f"   - [{mark}] {text}" + (f"{_OPTION_WHY}{why}" if why else ""))
    return lines


def _problem(question: ImportedQuestion) -> str:
    """Why a question cannot be written as a review question, or ''."""
    if question.type not in QUESTION_TYPES:
        return f"unknown question type {question.type!r}"
    if not question.text.strip():
        return "a question with no text"
    if question.type == "choice":
        if len(question.options) < 2:
            return "a choice question with fewer than two options"
        if not any(o.correct for o in question.options):
            return "a choice question with no right option"
        if any(not _one_line(o.text) for o in question.options):
            return "a choice question with an empty option"
    if question.type == "true-false" and question.answer not in ("True", "False"):
        return "a true/false question whose answer is neither True nor False"
    if question.type == "short" and not question.answer.strip():
        return "a short-answer question with no answer"
    if question.type == "cloze" and "{{c" not in question.text:
        return "a cloze question with no deletion"
    return ""


def unwritable(question: ImportedQuestion) -> str:
    """Why build_set will drop this question (reported there), or '' when it will be written."""
    return _problem(question)


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def build_set(
    title: str,
    questions: Sequence[ImportedQuestion],
    report: list[ReportLine],
    preview: Sequence[str] = (),
    explain: str = "",
    keypoints: Sequence[str] = (),
    slug: str | None = None,
) -> ImportResult:
    """Write the native dialect; open questions with no answer become preview questions (reported)."""
    title = _one_line(title) or "Imported questions"
    slug = slugify(slug or "") or slugify(title) or "imported"
    previews = [_one_line(p) for p in preview if p.strip()]
    review: list[str] = []
    used: set[str] = set()
    number = 0
    for question in questions:
        if question.type == "open" and question.text.strip() and not question.answer.strip():
            previews.append(_one_line(question.text))
            report.append(
                ReportLine(question.line, "changed", "a question with no answer became a preview question")
            )
            continue
        problem = _problem(question)
        if problem:
            report.append(ReportLine(question.line, "dropped", problem))
            continue
        number += 1
        review.extend(_question_lines(number, question, _unique(question_id(question), used), report))
    parts = ["+++", f"title = {_toml(title)}", f"slug = {_toml(slug)}", 'dialect = "native"', "+++", ""]
    if previews:
        parts += ["## Preview", ""] + [f"{i}. {_escape_line(p)}" for i, p in enumerate(previews, 1)] + [""]
    if explain.strip() or not (previews or review or keypoints):
        parts += ["## Explain", "", explain.strip() or f"Imported from {title}.", ""]
    points = [_one_line(k) for k in keypoints if k.strip()]
    if points:
        parts += ["## Keypoint", ""] + [f"{i}. {_escape_line(k)}" for i, k in enumerate(points, 1)] + [""]
    if review:
        parts += ["## Review", "", *review]
    source = "\n".join(parts).rstrip("\n") + "\n"
    return ImportResult(source=source, report=tuple(report), title=title, slug=slug)
