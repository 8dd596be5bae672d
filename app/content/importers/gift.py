"""GIFT (Moodle's plain-text question format) to a native-dialect set.

Moodle's question/format/gift is the reference for the syntax; this parser is written for Unroll.
A `// unroll-cloze: "<json>"` comment written by Unroll's GIFT export restores a cloze question
that GIFT can only carry as a short answer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import PurePath

from app.content.importers.native import (
    ImportedOption,
    ImportedQuestion,
    ImportResult,
    ReportLine,
    build_set,
    unwritable,
)

# Escaped characters are swapped for private-use characters while parsing, and restored at the end.
_ESCAPES = {
    "\\": "\ue000",
    "~": "\ue001",
    "=": "\ue002",
    "#": "\ue003",
    "{": "\ue004",
    "}": "\ue005",
    ":": "\ue006",
}
_RESTORE = {v: k for k, v in _ESCAPES.items()}
_CLOZE_MARK = "// unroll-cloze:"
_ANSWER_MARK = "// unroll-answer:"
_ACCEPT_MARK = "// unroll-accept:"
_FORMAT = re.compile(r"^\s*\[(html|markdown|plain|moodle)\]", re.IGNORECASE)
_TITLE = re.compile(r"^\s*::(.*?)::", re.DOTALL)
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_TAG = re.compile(r"<[^>]+>")
_NUMBER = r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_RANGE = re.compile(rf"^({_NUMBER})\.\.({_NUMBER})$")
_TOLERANCE = re.compile(rf"^({_NUMBER})(?::({_NUMBER}))?$")
_TRUE = {"t", "true"}
_FALSE = {"f", "false"}
BLANK = "_____"


@dataclass
class _Chunk:
    """One question's lines, as written."""

    line: int
    text: str
    cloze: str = ""
    answer: str = ""
    accept: str = ""
    comments: list[str] = field(default_factory=list)


def _protect(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            if nxt == "n":
                out.append("\n")
                i += 2
                continue
        out.append(char)
        i += 1
    return "".join(out)


def _restore(text: str) -> str:
    return "".join(_RESTORE.get(c, c) for c in text).strip()


def _chunks(text: str, report: list[ReportLine]) -> tuple[list[_Chunk], list[str]]:
    """Questions split at blank lines, with comments and categories taken out."""
    chunks: list[_Chunk] = []
    categories: list[str] = []
    current: list[str] = []
    start = 0
    cloze = answer = accept = ""
    for number, raw in enumerate([*text.splitlines(), ""], 1):
        stripped = raw.strip()
        if stripped.startswith(_CLOZE_MARK):
            cloze = stripped[len(_CLOZE_MARK) :].strip()
            continue
        if stripped.startswith(_ANSWER_MARK):
            answer = stripped[len(_ANSWER_MARK) :].strip()
            continue
        if stripped.startswith(_ACCEPT_MARK):
            accept = stripped[len(_ACCEPT_MARK) :].strip()
            continue
        if stripped.startswith("//"):
            continue
        if stripped.startswith("$CATEGORY:"):
            category = stripped[len("$CATEGORY:") :].strip()
            categories.append(category)
            report.append(
                ReportLine(number, "changed", f"category {category!r}: questions are kept in one set")
            )
            continue
        if stripped:
            if not current:
                start = number
            current.append(raw)
            continue
        if current:
            chunks.append(_Chunk(start, "\n".join(current), cloze, answer, accept))
            current, cloze, answer, accept = [], "", "", ""
    return chunks, categories


def _split_answers(body: str) -> list[tuple[str, str]]:
    """`=a#fb ~b` to [("=", "a#fb"), ("~", "b")]; text before the first marker is ignored."""
    parts: list[tuple[str, str]] = []
    for match in re.finditer(r"([=~])([^=~]*)", body):
        parts.append((match.group(1), match.group(2)))
    return parts


def _weight(text: str) -> tuple[float | None, str]:
    match = _WEIGHT.match(text.strip())
    if not match:
        return None, text.strip()
    return float(match.group(1)), text.strip()[match.end() :]


def _feedback(text: str) -> tuple[str, str]:
    head, _, feedback = text.partition("#")
    return head.strip(), feedback.strip()


def _text(raw: str) -> str:
    return _restore(raw)


class _Question:
    """Parses one chunk; `result` is an ImportedQuestion, or None (then the report says why)."""

    def __init__(self, chunk: _Chunk, report: list[ReportLine]) -> None:
        self.chunk = chunk
        self.line = chunk.line
        self.report = report

    def note(self, action: str, message: str) -> None:
        self.report.append(ReportLine(self.line, action, message))

    def parse(self) -> ImportedQuestion | str | None:
        """The question, a description's text (str), or None when it is dropped."""
        text = _protect(self.chunk.text)
        title = ""
        match = _TITLE.match(text)
        if match:
            title = _restore(match.group(1))
            text = text[match.end() :]
        markup = "markdown"
        fmt = _FORMAT.match(text)
        if fmt:
            markup = fmt.group(1).lower()
            text = text[fmt.end() :]
        if markup == "html" and _TAG.search(text):
            self.note("changed", "HTML kept as raw HTML (sanitised when shown)")
        if markup == "moodle":
            self.note("changed", "[moodle] text read as Markdown")
        if self.chunk.cloze:
            restored = self._cloze_comment(title)
            if restored is not None:
                return restored
        open_at, close_at = text.find("{"), text.rfind("}")
        if open_at < 0 and close_at < 0:
            return _text(text)
        if open_at < 0 or close_at < open_at:
            self.note("dropped", "unbalanced '{' and '}' (escape a literal brace as \\{ or \\})")
            return None
        before = _text(text[:open_at])
        after = _text(text[close_at + 1 :])
        body = text[open_at + 1 : close_at]
        if "{" in body or "}" in body:
            self.note("dropped", "more than one answer block in one question")
            return None
        return self._answer(before, after, body.strip(), title)

    def _model_answer(self) -> str:
        if not self.chunk.answer:
            return ""
        try:
            value = json.loads(self.chunk.answer)
        except ValueError:
            value = None
        if not isinstance(value, str) or not value.strip():
            self.note("dropped", "an unreadable unroll-answer comment")
            return ""
        return value

    def _cloze_comment(self, title: str) -> ImportedQuestion | None:
        try:
            value = json.loads(self.chunk.cloze)
        except ValueError:
            value = None
        if not isinstance(value, dict) or not isinstance(value.get("text"), str):
            self.note("dropped", "an unreadable unroll-cloze comment (the question is read as written)")
            return None
        explanation = value.get("explanation", "")
        return ImportedQuestion(
            type="cloze",
            text=value["text"],
            line=self.line,
            explanation=explanation if isinstance(explanation, str) else "",
            title=title,
        )

    def _answer(self, before: str, after: str, body: str, title: str) -> ImportedQuestion | None:
        body, _, general = body.partition("####")
        general = _restore(general)
        missing_word = bool(after)
        stem = f"{before} {BLANK} {after}".strip() if missing_word else before
        if not body.strip():
            model = self._model_answer()
            if model:
                self.note("kept", "essay with its model answer from the unroll-answer comment")
                return ImportedQuestion(
                    "open", stem, self.line, answer=model, explanation=general, title=title
                )
            if general:
                self.note("dropped", "essay general feedback (it is not a model answer)")
            self.note("changed", "an essay has no answer in GIFT; none was invented")
            return ImportedQuestion("open", stem, self.line, title=title)
        head = body.strip()
        if head.startswith("#"):
            return self._numerical(stem, head[1:], general, title)
        if "~" not in head and "=" in head and "->" in head:
            return self._matching(before, after, head, general, title)
        if head.split("#", 1)[0].strip().lower() in _TRUE | _FALSE:
            return self._true_false(stem, head, general, title)
        if "~" not in head and "=" not in head:
            head = "=" + head  # like Moodle: a bare answer is a short answer
        return self._choice_or_short(before, after, head, general, title)

    def _true_false(self, stem: str, head: str, general: str, title: str) -> ImportedQuestion | None:
        value, *feedback = head.split("#")
        truth = value.strip().lower()
        if truth not in _TRUE | _FALSE:
            self.note(
                "dropped",
                f"answer block {_restore(head)!r} is not T, F, a choice, a short answer or a number",
            )
            return None
        texts = [_restore(f) for f in feedback if _restore(f)]
        explanation = "\n\n".join(dict.fromkeys([*texts[::-1], general] if general else texts[::-1]))
        if len(dict.fromkeys(texts)) > 1:
            self.note("changed", "right- and wrong-answer feedback joined into the explanation")
        return ImportedQuestion(
            "true-false",
            stem,
            self.line,
            answer="True" if truth in _TRUE else "False",
            explanation=explanation,
            title=title,
        )

    def _choice_or_short(
        self, before: str, after: str, head: str, general: str, title: str
    ) -> ImportedQuestion | None:
        answers = _split_answers(head)
        if not answers:
            self.note("dropped", "an empty answer block")
            return None
        if any(mark == "~" for mark, _ in answers):
            return self._choice(before, after, answers, general, title)
        return self._short(before, after, answers, general, title)

    def _choice(
        self, before: str, after: str, answers: list[tuple[str, str]], general: str, title: str
    ) -> ImportedQuestion | None:
        options: list[ImportedOption] = []
        partial = False
        for mark, raw in answers:
            weight, rest = _weight(raw)
            text, feedback = _feedback(rest)
            correct = mark == "=" or (weight is not None and weight > 0)
            if weight is not None and 0 < weight < 100:
                partial = True
            options.append(ImportedOption(_restore(text), correct, _restore(feedback)))
        if partial:
            self.note(
                "changed", "partial-credit weights: every option with a positive weight is a right option"
            )
        stem = f"{before} {BLANK} {after}".strip() if after else before
        return ImportedQuestion("choice", stem, self.line, tuple(options), explanation=general, title=title)

    def _short(
        self, before: str, after: str, answers: list[tuple[str, str]], general: str, title: str
    ) -> ImportedQuestion | None:
        right: list[str] = []
        feedback: list[str] = []
        for _mark, raw in answers:
            weight, rest = _weight(raw)
            text, why = _feedback(rest)
            text = _restore(text)
            if weight is not None and weight < 100:
                self.note(
                    "dropped", f"answer {text!r} with {weight:g}% credit (only full-credit answers are kept)"
                )
                continue
            if text:
                right.append(text)
            if _restore(why):
                feedback.append(_restore(why))
        if not right:
            self.note("dropped", "a short answer with no full-credit answer")
            return None
        explanation = "\n\n".join(dict.fromkeys([*feedback, general] if general else feedback))
        if after and not any(_bad_cloze(a) for a in right):
            alternatives = "|".join(a.replace("|", "\\|") for a in right)
            text = f"{before} {{{{c1::{alternatives}}}}} {after}".strip()
            return ImportedQuestion("cloze", text, self.line, explanation=explanation, title=title)
        stem = f"{before} {BLANK} {after}".strip() if after else before
        return ImportedQuestion(
            "short",
            stem,
            self.line,
            answer=right[0],
            accept=tuple(right[1:]),
            explanation=explanation,
            title=title,
        )

    def _numerical(self, stem: str, head: str, general: str, title: str) -> ImportedQuestion | None:
        answers = _split_answers(head) if head.lstrip().startswith("=") else [("=", head)]
        kept: tuple[str, str] | None = None
        accept: list[str] = []
        feedback = ""
        for mark, raw in answers:
            weight, rest = _weight(raw)
            value, why = _feedback(rest)
            value = _restore(value).replace(" ", "")
            if mark == "~" or value == "*":
                self.note("dropped", "numerical feedback for any other answer")
                continue
            if weight is not None and weight < 100:
                self.note("dropped", f"numerical answer {value!r} with {weight:g}% credit")
                continue
            parsed = _number(value)
            if parsed is None:
                self.note(
                    "dropped", f"numerical answer {value!r} is not a number, a number:tolerance or a range"
                )
                return None
            if kept is not None:
                accept.append(parsed[0])
                if parsed[1] != kept[1]:
                    self.note("changed", f"numerical answer {value!r} takes the first answer's tolerance")
                continue
            kept, feedback = parsed, _restore(why)
            if _RANGE.match(value):
                self.note("changed", f"range {value} became its midpoint with a tolerance of half its width")
        if kept is None:
            self.note("dropped", "a numerical question with no full-credit answer")
            return None
        answer, tolerance = kept
        accept.extend(self._extra_accept())
        explanation = "\n\n".join(x for x in (feedback, general) if x)
        return ImportedQuestion(
            "short",
            stem,
            self.line,
            answer=answer,
            accept=tuple(accept),
            tolerance=tolerance,
            explanation=explanation,
            title=title,
        )

    def _extra_accept(self) -> list[str]:
        """Accepted answers a numerical question cannot hold, from an unroll-accept comment."""
        if not self.chunk.accept:
            return []
        try:
            value = json.loads(self.chunk.accept)
        except ValueError:
            value = None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.note("dropped", "an unreadable unroll-accept comment")
            return []
        return [v for v in value if v.strip()]

    def _matching(
        self, before: str, after: str, head: str, general: str, title: str
    ) -> ImportedQuestion | None:
        pairs: list[str] = []
        number = 0
        for _mark, raw in _split_answers(head):
            left, arrow, right = raw.partition("->")
            left, right = _restore(left), _restore(right)
            if not arrow or not right:
                self.note("dropped", f"matching item {left!r} without '-> answer'")
                continue
            if _bad_cloze(right):
                self.note("dropped", f"matching answer {right!r} cannot be a cloze blank")
                continue
            if not left:
                self.note("dropped", f"matching distractor {right!r} (a cloze has no distractors)")
                continue
            number += 1
            pairs.append(f"- {left} → {{{{c{number}::{right.replace('|', chr(92) + '|')}}}}}")
        if not pairs:
            self.note("dropped", "a matching question with no pairs")
            return None
        self.note("changed", "matching question became a cloze: one blank per pair")
        stem = " ".join(x for x in (before, after) if x)
        return ImportedQuestion(
            "cloze", stem + "\n\n" + "\n".join(pairs), self.line, explanation=general, title=title
        )


def _bad_cloze(answer: str) -> bool:
    return not answer.strip() or "}}" in answer or "::" in answer or "{{" in answer


def _number(value: str) -> tuple[str, str] | None:
    """'4096' -> ('4096', ''); '3.14:0.01' -> ('3.14', '0.01'); '1..5' -> ('3', '2')."""
    match = _RANGE.match(value)
    if match:
        low, high = sorted((float(match.group(1)), float(match.group(2))))
        return f"{(low + high) / 2:g}", f"{(high - low) / 2:g}"
    match = _TOLERANCE.match(value)
    if not match:
        return None
    tolerance = match.group(2) or ""
    if tolerance and float(tolerance) == 0:
        tolerance = ""
    return match.group(1), tolerance.lstrip("-")


def parse(text: str, title: str, slug: str | None = None) -> ImportResult:
    """GIFT text to a native-dialect set with its report."""
    report: list[ReportLine] = []
    chunks, categories = _chunks(text.replace("\r\n", "\n").replace("\r", "\n"), report)
    questions: list[ImportedQuestion] = []
    descriptions: list[str] = []
    for chunk in chunks:
        parsed = _Question(chunk, report).parse()
        if isinstance(parsed, str):
            if parsed:
                descriptions.append(parsed)
                report.append(
                    ReportLine(
                        chunk.line, "changed", "a description (no answer block) became explanation text"
                    )
                )
        elif parsed is not None:
            questions.append(parsed)
            if not unwritable(parsed):
                report.append(ReportLine(chunk.line, "kept", f"{parsed.type} question"))
    if categories:
        title = categories[0].rstrip("/").rsplit("/", 1)[-1].strip() or title
    return build_set(title, questions, report, explain="\n\n".join(descriptions), slug=slug)


def convert(data: bytes, filename: str, answers: bytes | None = None) -> ImportResult:
    """Read a GIFT file (UTF-8) into one set; `answers` is not used by this format."""
    from app.content.importers import ImportFailed

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFailed(f"the file is not UTF-8 (byte {error.start})") from None
    if "\x00" in text:
        raise ImportFailed("the file holds a NUL character")
    stem = PurePath(filename).stem or "imported"
    result = parse(text, stem.replace("-", " ").replace("_", " "), slug=stem)
    if "## Review" not in result.source and "## Preview" not in result.source:
        raise ImportFailed("no GIFT question found")
    return result
