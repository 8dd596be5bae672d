"""Aiken import: a question line, options `A.` or `A)`, then `ANSWER: X`; blank lines between items."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath

from app.content.importers import ImportFailed
from app.content.importers.native import ImportedOption, ImportedQuestion, ImportResult, ReportLine, build_set

_OPTION = re.compile(r"^\s*([A-Za-z])\s*[.)]\s+(.*\S)\s*$")
_ANSWER = re.compile(r"^\s*ANSWER\s*:\s*(.*?)\s*$", re.IGNORECASE)


@dataclass
class _Block:
    line: int
    question: list[str] = field(default_factory=list)
    options: list[tuple[str, str]] = field(default_factory=list)
    answer: str | None = None
    answer_line: int = 0
    stray: list[int] = field(default_factory=list)


def convert(data: bytes, filename: str, answers: bytes | None = None) -> ImportResult:
    """Convert an Aiken file; malformed items are reported "dropped" with their line."""
    text = _decode(data)
    report: list[ReportLine] = []
    if answers is not None:
        report.append(
            ReportLine(None, "dropped", "an Aiken file holds its own answers: the answers file was ignored")
        )
    questions = []
    for block in _blocks(text):
        question = _question(block, report)
        if question is not None:
            questions.append(question)
    if not questions:
        report.append(ReportLine(None, "dropped", "no Aiken question found"))
    title = PurePath(filename or "aiken").stem or "aiken"
    return build_set(title.replace("_", " ").replace("-", " ").strip() or "Aiken", questions, report)


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed(f"the file is not UTF-8 (byte {exc.start})") from exc
    if "\x00" in text:
        raise ImportFailed("the file holds a NUL character: it is not an Aiken text file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _blocks(text: str) -> list[_Block]:
    """Split the file into items: an item ends at its ANSWER line (or at a blank line after options)."""
    blocks: list[_Block] = []
    current: _Block | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            if current is not None:
                blocks.append(current)
                current = None
            continue
        if current is None:
            current = _Block(number)
        answer = _ANSWER.match(raw)
        option = _OPTION.match(raw)
        if answer and current.question:
            current.answer, current.answer_line = answer.group(1), number
            blocks.append(current)
            current = None
        elif option and current.question:
            current.options.append((option.group(1).upper(), option.group(2)))
        elif not current.options:
            current.question.append(raw.strip())
        else:
            current.stray.append(number)
    if current is not None:
        blocks.append(current)
    return blocks


def _question(block: _Block, report: list[ReportLine]) -> ImportedQuestion | None:
    text = "\n".join(block.question).strip()
    if len(block.options) < 2:
        report.append(
            ReportLine(
                block.line, "dropped", f"not an Aiken question (fewer than two options): {text[:60]!r}"
            )
        )
        return None
    if block.answer is None:
        report.append(ReportLine(block.line, "dropped", "no 'ANSWER:' line after the options"))
        return None
    letters = [letter for letter, _ in block.options]
    if len(set(letters)) != len(letters):
        report.append(ReportLine(block.line, "dropped", "two options share a letter"))
        return None
    wanted = block.answer.strip().upper()
    if len(wanted) != 1 or wanted not in letters:
        report.append(ReportLine(block.answer_line, "dropped", f"'ANSWER: {block.answer}' names no option"))
        return None
    for number in block.stray:
        report.append(ReportLine(number, "dropped", "a line after the options that is no option"))
    report.append(ReportLine(block.line, "kept", f"multiple choice: {text[:60]}"))
    options = tuple(ImportedOption(body, letter == wanted) for letter, body in block.options)
    return ImportedQuestion("choice", text, block.line, options)
