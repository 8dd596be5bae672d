"""A list of questions, optionally paired by number with a separate list of answers (`--answers`).

The question list has one question per line, numbered (`3. ...`) or ending in `?`; a paragraph under a
question is its answer. Lines before the first question are the page header: a `# ` or `> ` line gives
the title, the rest is reported dropped. The answer list holds items `- 3. ...`, `3. ...` or a bare
`- ...` (taken as the next number). Questions left without an answer become preview questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath

from app.content.importers import ImportFailed
from app.content.importers._text import BULLET, NUMBERED, decode, one_line, paragraphs
from app.content.importers.native import ImportedQuestion, ImportResult, ReportLine, build_set

SENTENCE_END = (".", "!", ":", ";", "?", "”", '"')
TITLE = re.compile(r"^\s*(?:#+|>)\s*(.+?)\s*#*$")


@dataclass
class Entry:
    """A question or an answer: its number, first source line and text lines."""

    number: int
    line: int
    lines: list[tuple[int, str]] = field(default_factory=list)
    inline: list[tuple[int, str]] = field(default_factory=list)


def convert(data: bytes, filename: str, answers: bytes | None = None) -> ImportResult:
    """Convert a question list (and its answer list, when given) into a native-dialect set."""
    report: list[ReportLine] = []
    title, questions = _questions(decode(data).split("\n"), report)
    if not questions:
        raise ImportFailed("no question found: write one question per line, numbered or ending in '?'")
    answer_title, by_number = (
        _answers(decode(answers).split("\n"), report) if answers is not None else ("", {})
    )
    title = title or answer_title or PurePath(filename).stem or "Imported questions"
    paired = [_pair(q, by_number, report) for q in questions]
    imported = [q for q in paired if q.answer]
    preview = [q.text for q in paired if not q.answer]
    for number in sorted(set(by_number) - {q.number for q in questions}):
        entry = by_number[number]
        report.append(
            ReportLine(
                None, "dropped", f"answer list line {entry.line}: answer {number} has no question {number}"
            )
        )
    report.sort(key=_order)
    return build_set(title, imported, report, preview=preview)


def _order(entry: ReportLine) -> tuple[int, int]:
    """Question-list lines first, by line; then answer-list lines, by their line in that file."""
    if entry.line is not None:
        return (0, entry.line)
    found = re.match(r"answer list line (\d+)", entry.message)
    return (1, int(found.group(1)) if found else 0)


def _is_question(line: str) -> re.Match[str] | None:
    match = NUMBERED.match(line)
    if match and match.group(2).strip():
        return match
    return None


def _questions(lines: list[str], report: list[ReportLine]) -> tuple[str, list[Entry]]:
    """The title and the questions, each with the paragraph written under it, if any."""
    title = ""
    entries: list[Entry] = []
    for number, line in enumerate(lines, start=1):
        numbered = _is_question(line)
        if numbered or line.strip().endswith("?"):
            count = int(numbered.group(1)) if numbered else len(entries) + 1
            text = numbered.group(2) if numbered else line
            entries.append(Entry(count, number, [(number, text)]))
        elif entries:
            entries[-1].inline.append((number, line))
        elif (heading := TITLE.match(line)) and not title:
            title = heading.group(1)
            report.append(ReportLine(number, "kept", f"title “{title[:80]}”"))
        elif line.strip():
            report.append(ReportLine(number, "dropped", f"page header: “{line.strip()[:80]}”"))
    _renumber(entries, report)
    return title, entries


def _renumber(entries: list[Entry], report: list[ReportLine]) -> None:
    """Numbers must be unique: a repeated number (`1.` auto-numbering) is replaced by the position."""
    numbers = [e.number for e in entries]
    if len(set(numbers)) == len(numbers):
        return
    for position, entry in enumerate(entries, start=1):
        if entry.number != position:
            report.append(
                ReportLine(
                    entry.line, "changed", f"question numbered {entry.number} counted as number {position}"
                )
            )
            entry.number = position


def _answers(lines: list[str], report: list[ReportLine]) -> tuple[str, dict[int, Entry]]:
    """The answer list's title line (if any) and its answers by number."""
    title = ""
    entries: dict[int, Entry] = {}
    current: Entry | None = None
    for number, line in enumerate(lines, start=1):
        numbered, bullet = NUMBERED.match(line), BULLET.match(line)
        if numbered or bullet:
            count = int(numbered.group(1)) if numbered else (current.number + 1 if current else 1)
            text = numbered.group(2) if numbered else bullet.group(1) if bullet else ""
            if not numbered:
                report.append(
                    ReportLine(
                        None,
                        "changed",
                        f"answer list line {number}: an answer without a number, taken as answer {count}",
                    )
                )
            if count in entries:
                report.append(
                    ReportLine(
                        None, "dropped", f"answer list line {number}: a second answer numbered {count}"
                    )
                )
                current = Entry(count, number)
                continue
            current = entries[count] = Entry(count, number, [(number, text)])
        elif current is not None:
            current.lines.append((number, line))
        elif line.strip() and not title:
            title = (TITLE.match(line) or re.match(r"(.*)", line.strip())).group(1)
        elif line.strip():
            report.append(
                ReportLine(
                    None,
                    "dropped",
                    f"answer list line {number}: text before the first answer: “{line.strip()[:80]}”",
                )
            )
    return title, entries


def _inline_answer(entry: Entry, report: list[ReportLine]) -> str:
    """The paragraph under a question, when it reads as prose; page clutter is reported dropped."""
    kept: list[str] = []
    for block in _blocks(entry.inline):
        text = one_line([line for _, line in block])
        if text.endswith(SENTENCE_END) or len(text.split()) >= 12:
            kept += [line for _, line in block] + [""]
        else:
            report.append(
                ReportLine(block[0][0], "dropped", f"a short line that is not an answer: “{text[:80]}”")
            )
    return paragraphs(kept)


def _blocks(lines: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    blocks: list[list[tuple[int, str]]] = [[]]
    for number, line in lines:
        if line.strip():
            blocks[-1].append((number, line))
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def _pair(question: Entry, answers: dict[int, Entry], report: list[ReportLine]) -> ImportedQuestion:
    """The question with its answer: the paragraph under it, else the answer list's item."""
    text = one_line([line for _, line in question.lines])
    inline = _inline_answer(question, report)
    listed = answers.get(question.number)
    listed_text = paragraphs([line for _, line in listed.lines]) if listed else ""
    if inline and listed_text:
        line = listed.line if listed else 0
        message = f"answer list line {line}: question {question.number} already has an answer under it"
        report.append(ReportLine(None, "dropped", message))
    answer = inline or listed_text
    if answer:
        where = "under it" if inline else f"from answer {question.number} of the answer list"
        report.append(
            ReportLine(question.line, "kept", f"question {question.number} with its answer {where}")
        )
    else:
        report.append(
            ReportLine(
                question.line,
                "changed",
                f"question {question.number} has no answer: it became a preview question",
            )
        )
    return ImportedQuestion(type="open", text=text, line=question.line, answer=answer)
