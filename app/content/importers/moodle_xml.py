"""Moodle XML import: multichoice, truefalse, shortanswer, numerical, essay and cloze (multianswer).

DTDs and entities are refused before parsing, so no entity expansion ("billion laughs") can happen.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import PurePath
from typing import ClassVar

from app.content.importers import ImportFailed
from app.content.importers.native import ImportedOption, ImportedQuestion, ImportResult, ReportLine, build_set

_DANGEROUS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DECLARED = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']""")
_QUESTION_TAG = re.compile(r"<question\b")
_CLOZE = re.compile(r"\{(\d*):([A-Z_]+):((?:\\.|[^\\}])*)\}")
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_SHORT_KINDS = {"SHORTANSWER", "SA", "MW", "SHORTANSWER_C", "SAC", "MWC"}
_NUMERIC_KINDS = {"NUMERICAL", "NM"}
_CHOICE_PREFIX = ("MULTICHOICE", "MC")
_MULTI_PREFIX = ("MULTIRESPONSE", "MR")
_SKIPPED = {
    "category": None,
    "description": "a description (no question)",
    "matching": "a matching question",
    "ddwtos": "a drag-and-drop question",
    "gapselect": "a select-missing-words question",
    "calculated": "a calculated question",
    "calculatedsimple": "a calculated question",
    "calculatedmulti": "a calculated question",
    "random": "a random question",
    "randomsamatch": "a random matching question",
    "ddimageortext": "a drag-and-drop question",
    "ddmarker": "a drag-and-drop question",
}


@dataclass
class _Context:
    files: set[str] = field(default_factory=set)
    report: list[ReportLine] = field(default_factory=list)
    preview: list[str] = field(default_factory=list)


def convert(data: bytes, filename: str, answers: bytes | None = None) -> ImportResult:
    """Convert a Moodle XML question bank into one native-dialect set, with its report."""
    if _DANGEROUS.search(data):
        raise ImportFailed("the XML declares a DTD or entities, which are refused")
    text = _decode(data)
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise ImportFailed(f"not well-formed XML at line {line}: {exc}") from exc
    if root.tag != "quiz":
        raise ImportFailed(f"not a Moodle XML bank: the root element is <{root.tag}>, not <quiz>")
    context = _Context()
    if answers is not None:
        context.report.append(
            ReportLine(None, "dropped", "Moodle XML holds its own answers: the answers file was ignored")
        )
    lines = [text.count("\n", 0, m.start()) + 1 for m in _QUESTION_TAG.finditer(text)]
    title, questions = "", []
    for index, element in enumerate(root.findall("question")):
        line = lines[index] if index < len(lines) else None
        kind = element.get("type", "")
        if kind == "category":
            category = _text(element.find("category"))
            title = title or category.rstrip("/").rsplit("/", 1)[-1].removeprefix("$course$").strip()
            context.report.append(
                ReportLine(line, "changed", f"category {category!r}: its questions join one set")
            )
            continue
        question = _question(element, kind, line, context)
        if question is not None:
            questions.append(question)
    if not questions and not context.preview:
        context.report.append(ReportLine(None, "dropped", "no question that maps to Unroll was found"))
    title = (
        title or PurePath(filename or "moodle").stem.replace("_", " ").replace("-", " ").strip() or "Moodle"
    )
    return build_set(title, questions, context.report, preview=context.preview)


def _decode(data: bytes) -> str:
    """UTF-8, or the encoding the XML declaration names."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        declared = _DECLARED.match(data)
        if declared is None:
            raise ImportFailed(f"the file is not UTF-8 and declares no encoding (byte {exc.start})") from exc
        try:
            return data.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError) as error:
            raise ImportFailed(f"the file is not in its declared encoding {declared.group(1)!r}") from error


def _question(element: ET.Element, kind: str, line: int | None, context: _Context) -> ImportedQuestion | None:
    """One <question>, or None when it is dropped (and reported)."""
    name = _text(element.find("name"))
    context.files = {f.get("name", "") for f in element.iter("file")}
    if kind in _SKIPPED:
        context.report.append(ReportLine(line, "dropped", f"{_SKIPPED[kind]} {name!r} has no Unroll type"))
        return None
    converters = {
        "multichoice": _multichoice,
        "truefalse": _truefalse,
        "shortanswer": _shortanswer,
        "numerical": _numerical,
        "essay": _essay,
        "cloze": _multianswer,  # Moodle writes multianswer questions as type="cloze"
        "multianswer": _multianswer,
    }
    converter = converters.get(kind)
    if converter is None:
        context.report.append(
            ReportLine(line, "dropped", f"question type {kind!r} ({name!r}) has no Unroll type")
        )
        return None
    text = _rich(element.find("questiontext"), line, context)
    if not text:
        context.report.append(ReportLine(line, "dropped", f"{kind} {name!r} has no question text"))
        return None
    explanation = _rich(element.find("generalfeedback"), line, context)
    base = ImportedQuestion("open", text, line, explanation=explanation, title=name)
    return converter(element, base, context)


def _answers(element: ET.Element) -> list[tuple[float, ET.Element]]:
    result = []
    for answer in element.findall("answer"):
        try:
            fraction = float(answer.get("fraction", "0"))
        except ValueError:
            fraction = 0.0
        result.append((fraction, answer))
    return result


def _multichoice(element: ET.Element, base: ImportedQuestion, context: _Context) -> ImportedQuestion | None:
    single = _text(element.find("single")).lower() not in ("false", "0")
    options, partial = [], False
    for fraction, answer in _answers(element):
        body = _rich(answer, base.line, context)
        if not body:
            continue
        feedback = _rich(answer.find("feedback"), base.line, context)
        options.append(ImportedOption(body, fraction > 0, feedback))
        partial = partial or (single and 0 < fraction < 100)
    if not any(o.correct for o in options) or len(options) < 2:
        context.report.append(
            ReportLine(base.line, "dropped", f"multiple choice {base.title!r} has no right option")
        )
        return None
    if partial:
        context.report.append(
            ReportLine(base.line, "changed", f"{base.title!r}: partial-credit options count as right")
        )
    mode = "one right option" if single else "several right options"
    context.report.append(ReportLine(base.line, "kept", f"multiple choice ({mode}): {base.title}"))
    return _replace(base, type="choice", options=tuple(options))


def _truefalse(element: ET.Element, base: ImportedQuestion, context: _Context) -> ImportedQuestion | None:
    right, right_feedback, other_feedback = None, "", []
    for fraction, answer in _answers(element):
        value = _text(answer).strip().lower()
        note = _rich(answer.find("feedback"), base.line, context)
        if fraction >= 100 and value in ("true", "false"):
            right, right_feedback = value.capitalize(), note
        elif note:
            other_feedback.append(note)
    if right is None:
        context.report.append(
            ReportLine(base.line, "dropped", f"true/false {base.title!r} names no right answer")
        )
        return None
    explanation = base.explanation or right_feedback
    if base.explanation and right_feedback:
        other_feedback.append(right_feedback)
    for note in other_feedback:
        context.report.append(
            ReportLine(base.line, "dropped", f"{base.title!r}: answer feedback {note[:60]!r}")
        )
    context.report.append(ReportLine(base.line, "kept", f"true/false: {base.title}"))
    return _replace(base, type="true-false", answer=right, explanation=explanation)


def _shortanswer(element: ET.Element, base: ImportedQuestion, context: _Context) -> ImportedQuestion | None:
    right = []
    for fraction, answer in _answers(element):
        value = html.unescape(_text(answer)).strip()
        if not value:
            continue
        if fraction < 100:
            if fraction > 0:
                context.report.append(
                    ReportLine(base.line, "dropped", f"{base.title!r}: partial-credit answer {value!r}")
                )
            continue
        if "*" in value.replace("\\*", ""):
            context.report.append(
                ReportLine(base.line, "dropped", f"{base.title!r}: wildcard answer {value!r}")
            )
            continue
        right.append(value.replace("\\*", "*"))
    if not right:
        context.report.append(
            ReportLine(base.line, "dropped", f"short answer {base.title!r} has no fully right answer")
        )
        return None
    if _text(element.find("usecase")).strip() == "1":
        context.report.append(
            ReportLine(
                base.line, "changed", f"{base.title!r}: case-sensitive answers are compared without case"
            )
        )
    context.report.append(ReportLine(base.line, "kept", f"short answer: {base.title}"))
    return _replace(base, type="short", answer=right[0], accept=tuple(dict.fromkeys(right[1:])))


def _numerical(element: ET.Element, base: ImportedQuestion, context: _Context) -> ImportedQuestion | None:
    right: list[str] = []
    tolerance = ""
    for fraction, answer in _answers(element):
        value = _text(answer).strip()
        if fraction >= 100 and value and value != "*":
            if not right:
                tolerance = _text(answer.find("tolerance")).strip()
                tolerance = "" if _is_zero(tolerance) else tolerance
            right.append(value)
        elif value and fraction < 100:
            context.report.append(
                ReportLine(base.line, "dropped", f"{base.title!r}: answer {value!r} worth {fraction:g}%")
            )
    if not right:
        context.report.append(
            ReportLine(base.line, "dropped", f"numerical {base.title!r} has no fully right answer")
        )
        return None
    if element.find("units/unit") is not None:
        context.report.append(ReportLine(base.line, "dropped", f"{base.title!r}: units are not kept"))
    context.report.append(
        ReportLine(base.line, "kept", f"numerical (short answer with tolerance): {base.title}")
    )
    accept = tuple(dict.fromkeys(right[1:]))
    return _replace(base, type="short", answer=right[0], accept=accept, tolerance=tolerance)


def _essay(element: ET.Element, base: ImportedQuestion, context: _Context) -> ImportedQuestion | None:
    model = _rich(element.find("graderinfo"), base.line, context)
    if not model:
        context.preview.append(base.text)
        context.report.append(
            ReportLine(
                base.line,
                "changed",
                f"essay {base.title!r} has no model answer (graderinfo): it became a preview question",
            )
        )
        return None
    context.report.append(
        ReportLine(base.line, "kept", f"essay (open question, graderinfo as the answer): {base.title}")
    )
    return _replace(base, type="open", answer=model)


def _multianswer(element: ET.Element, base: ImportedQuestion, context: _Context) -> ImportedQuestion | None:
    """Cloze: each embedded {n:TYPE:answers} becomes a {{cK::...}} deletion when it maps."""
    blanks = 0
    problems: list[str] = []
    notes: list[str] = []

    def blank(match: re.Match[str]) -> str:
        nonlocal blanks
        kind, body = match.group(2), match.group(3)
        right, hint = _cloze_right(kind, body, problems, notes)
        if not right:
            return match.group(0)
        blanks += 1
        alternatives = "|".join(a.replace("|", "\\|") for a in right)
        if hint and not any(mark in hint for mark in ("::", "}}", "{{")):
            alternatives += f"::{hint}"
        return f"{{{{c{blanks}::{alternatives}}}}}"

    text = _CLOZE.sub(blank, base.text)
    if problems:
        for problem in problems:
            context.report.append(ReportLine(base.line, "dropped", f"cloze {base.title!r}: {problem}"))
        return None
    if not blanks:
        context.report.append(ReportLine(base.line, "dropped", f"cloze {base.title!r} has no blank"))
        return None
    for note in notes:
        context.report.append(ReportLine(base.line, "changed", f"cloze {base.title!r}: {note}"))
    context.report.append(ReportLine(base.line, "kept", f"cloze with {blanks} blank(s): {base.title}"))
    return _replace(base, type="cloze", text=text)


def _cloze_right(kind: str, body: str, problems: list[str], notes: list[str]) -> tuple[list[str], str]:
    """The fully right answers of one embedded subquestion and its hint (the feedback of a `*`
    catch-all answer); a problem is noted when it does not map."""
    kind = kind.upper()
    right, numeric, hint = [], kind in _NUMERIC_KINDS, ""
    if not (kind in _SHORT_KINDS or numeric or kind.startswith(_CHOICE_PREFIX)):
        problems.append(
            f"a {kind} blank has no Unroll equivalent"
            if not kind.startswith(_MULTI_PREFIX)
            else f"a {kind} (several right options) blank cannot be a typed blank"
        )
        return [], ""
    for piece in re.split(r"(?<!\\)~", body):
        part, feedback = (*re.split(r"(?<!\\)#", piece, maxsplit=1), "")[:2]
        if part.strip() == "*" and feedback.strip():
            hint = _unescape_cloze(feedback).strip()
            continue
        weight = _WEIGHT.match(part)
        credit = 100.0 if part.startswith("=") else float(weight.group(1)) if weight else 0.0
        full = credit >= 100
        value = _unescape_cloze(part[weight.end() :] if weight else part.removeprefix("=")).strip()
        if numeric and ":" in value:
            value, tolerance = value.split(":", 1)
            if not _is_zero(tolerance):
                problems.append(f"the numeric blank {value!r} allows {tolerance}: a cloze blank is exact")
        if full and value and value != "*":
            right.append(html.unescape(value))
        elif value and 0 < credit < 100:
            notes.append(f"the partial-credit answer {value!r} was dropped")
    if kind.startswith(_CHOICE_PREFIX) and right:
        notes.append(f"the drop-down blank {right[0]!r} became a typed blank")
    if not right:
        problems.append(f"a {kind} blank has no fully right answer")
    return right, hint


def _unescape_cloze(value: str) -> str:
    return re.sub(r"\\([~}#/\"\\=])", r"\1", value)


def _is_zero(value: str) -> bool:
    try:
        return float(value or "0") == 0
    except ValueError:
        return True


def _replace(base: ImportedQuestion, **changes: object) -> ImportedQuestion:
    from dataclasses import replace

    return replace(base, **changes)  # type: ignore[arg-type]


def _text(element: ET.Element | None) -> str:
    """The <text> child of an element (or its own text)."""
    if element is None:
        return ""
    child = element.find("text")
    return (child.text if child is not None else element.text) or ""


def _rich(element: ET.Element | None, line: int | None, context: _Context) -> str:
    """An element's text as Markdown, by its format attribute; images are reported."""
    if element is None:
        return ""
    raw = _text(element)
    fmt = element.get("format", "html")
    if fmt == "markdown":
        return raw.strip()
    if fmt == "plain_text":
        return raw.strip()
    converter = _Markdown()
    converter.feed(raw)
    converter.close()
    for source in converter.images:
        name = source.split("/")[-1]
        if source.startswith("@@PLUGINFILE@@") and name in context.files:
            context.report.append(ReportLine(line, "dropped", f"embedded image {name!r} is not imported"))
        else:
            context.report.append(
                ReportLine(line, "dropped", f"image {source!r} is referenced but not in the file")
            )
    return converter.markdown()


class _Markdown(HTMLParser):
    """A small HTML -> Markdown converter: paragraphs, breaks, emphasis, code, lists, links."""

    _INLINE: ClassVar[dict[str, str]] = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.images: list[str] = []
        self.lists: list[list[int]] = []
        self.links: list[str] = []
        self.pre = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag in ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr"):
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")
        elif tag in self._INLINE and not self.pre:
            self.parts.append(self._INLINE[tag])
        elif tag == "pre":
            self.pre = True
            self.parts.append("\n\n```\n")
        elif tag in ("ul", "ol"):
            self.lists.append([0 if tag == "ol" else -1])
            self.parts.append("\n")
        elif tag == "li":
            counter = self.lists[-1] if self.lists else [-1]
            indent = "   " * max(len(self.lists) - 1, 0)
            if counter[0] >= 0:
                counter[0] += 1
                self.parts.append(f"\n{indent}{counter[0]}. ")
            else:
                self.parts.append(f"\n{indent}- ")
        elif tag == "a":
            self.links.append(values.get("href", ""))
            self.parts.append("[")
        elif tag == "img":
            self.images.append(values.get("src", ""))
            alt = values.get("alt", "").strip()
            if alt:
                self.parts.append(f"[image: {alt}]")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table"):
            self.parts.append("\n\n")
        elif tag == "tr":
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag in self._INLINE and not self.pre:
            self.parts.append(self._INLINE[tag])
        elif tag == "pre":
            self.pre = False
            self.parts.append("\n```\n\n")
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self.parts.append("\n\n")
        elif tag == "a" and self.links:
            href = self.links.pop()
            self.parts.append(f"]({href})" if href.startswith(("http://", "https://", "/")) else "]")

    def handle_data(self, data: str) -> None:
        self.parts.append(data if self.pre else re.sub(r"\s+", " ", data))

    def markdown(self) -> str:
        text = "".join(self.parts).replace("\xa0", " ")
        lines = [line.rstrip() if line.startswith("    ") else line.strip() for line in text.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
