"""The plain-text export of a study page: a title, then Preview / Explain / Keypoint / Review.

Each section may open with the prompt that produced it (`User ask:` ... `ChatGPT answer:`); prompts
are dropped and reported. Numbered items are counted in order, whatever number they carry, so the
`1.` that restarts for every item (Markdown auto-numbering) is read correctly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath

from app.content.importers import ImportFailed
from app.content.importers._text import NUMBERED, decode, one_line, paragraphs
from app.content.importers.native import ImportedQuestion, ImportResult, ReportLine, build_set

SECTIONS = {
    "preview": "preview",
    "explain": "explain",
    "keypoint": "keypoint",
    "keypoints": "keypoint",
    "key points": "keypoint",
    "review": "review",
}
PROMPT_START = re.compile(r"^\s*(user ask|user|prompt|question asked)\s*:\s*(.*)$", re.IGNORECASE)
PROMPT_END = re.compile(
    r"^\s*(chatgpt answer|chatgpt|assistant|answer from chatgpt)\s*:\s*(.*)$", re.IGNORECASE
)
ANSWER = re.compile(r"^\s*(?:\*\*|__)?(?:answer|a)\s*[:：]\s*(?:\*\*|__)?\s*(.*)$", re.IGNORECASE)


@dataclass
class Section:
    """The body lines of one section, with the source line number of each."""

    name: str
    line: int
    body: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Item:
    """A numbered item: its first line, the number it carries and the lines it spans."""

    line: int
    number: int
    lines: list[str] = field(default_factory=list)
    answer: list[str] | None = None


def convert(data: bytes, filename: str, answers: bytes | None = None) -> ImportResult:
    """Convert a plain-text page export into a native-dialect set, with the report."""
    text = decode(data)
    report: list[ReportLine] = []
    if answers is not None:
        report.append(ReportLine(None, "dropped", "an answer file is not used by the page-export format"))
    title, sections = _split(text.split("\n"), report)
    if not sections:
        raise ImportFailed(
            "no Preview, Explain, Keypoint or Review section found (each is a line of its own)"
        )
    preview: list[str] = []
    keypoints: list[str] = []
    explain = ""
    questions: list[ImportedQuestion] = []
    for section in sections:
        if section.name == "preview":
            preview += _list_items(section, report, "preview question")
        elif section.name == "keypoint":
            keypoints += _list_items(section, report, "key point")
        elif section.name == "explain":
            explain = _explain(section, report, explain)
        else:
            questions += _review(section, report, preview)
    title = title or PurePath(filename).stem or "Imported page"
    report.sort(key=lambda entry: entry.line or 0)
    return build_set(title, questions, report, preview=preview, explain=explain, keypoints=keypoints)


def _split(lines: list[str], report: list[ReportLine]) -> tuple[str, list[Section]]:
    """The title (first non-blank line before any section) and the sections in order."""
    title = ""
    sections: list[Section] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        name = SECTIONS.get(line.strip().lower().rstrip(":"))
        if name and name not in seen:
            seen.add(name)
            sections.append(Section(name, number))
        elif sections:
            sections[-1].body.append((number, line))
        elif line.strip() and not title:
            title = line.strip().lstrip("#").strip()
            report.append(ReportLine(number, "kept", f"title “{title[:80]}”"))
        elif line.strip():
            report.append(
                ReportLine(number, "dropped", f"text before the first section: “{line.strip()[:80]}”")
            )
    for section in sections:
        section.body = _drop_prompt(section, report)
    return title, sections


def _drop_prompt(section: Section, report: list[ReportLine]) -> list[tuple[int, str]]:
    """Remove a `User ask:` ... `ChatGPT answer:` prompt from the section's body and report it."""
    body = section.body
    start = next((i for i, (_, line) in enumerate(body) if line.strip()), None)
    if start is None or not PROMPT_START.match(body[start][1]):
        return body
    end = next((i for i in range(start, len(body)) if PROMPT_END.match(body[i][1])), None)
    stop = end if end is not None else len(body)
    prompt = one_line([line for _, line in body[start:stop]])
    report.append(ReportLine(body[start][0], "dropped", f"{section.name} prompt: “{prompt[:120]}”"))
    if end is None:
        return []
    rest = PROMPT_END.match(body[end][1])
    tail = rest.group(2) if rest else ""
    return ([(body[end][0], tail)] if tail.strip() else []) + body[end + 1 :]


def _items(
    body: list[tuple[int, str]], report: list[ReportLine], what: str
) -> tuple[list[Item], list[tuple[int, str]]]:
    """Numbered items of a section and the lines before the first one."""
    items: list[Item] = []
    before: list[tuple[int, str]] = []
    for number, line in body:
        match = NUMBERED.match(line)
        if match:
            items.append(Item(number, int(match.group(1)), [match.group(2)]))
        elif items:
            answer = ANSWER.match(line)
            if answer and items[-1].answer is None:
                items[-1].answer = [answer.group(1)]
            elif items[-1].answer is not None:
                items[-1].answer.append(line)
            else:
                items[-1].lines.append(line)
        else:
            before.append((number, line))
    _report_numbering(items, report, what)
    return items, before


def _report_numbering(items: list[Item], report: list[ReportLine], what: str) -> None:
    """Say when the written numbers differ from the order the items are counted in."""
    for position, item in enumerate(items, start=1):
        if item.number != position:
            report.append(
                ReportLine(
                    item.line, "changed", f"{what} numbered {item.number} counted as number {position}"
                )
            )


def _report_loose(before: list[tuple[int, str]], report: list[ReportLine], section: str) -> None:
    text = one_line([line for _, line in before])
    if text:
        report.append(
            ReportLine(before[0][0], "dropped", f"{section}: text outside the numbered list: “{text[:120]}”")
        )


def _list_items(section: Section, report: list[ReportLine], what: str) -> list[str]:
    """Preview questions or key points, one line each."""
    items, before = _items(section.body, report, what)
    _report_loose([b for b in before if b[1].strip()], report, section.name)
    out: list[str] = []
    for item in items:
        text = one_line(item.lines + (item.answer or []))
        if text:
            out.append(text)
            report.append(ReportLine(item.line, "kept", f"{what}: “{text[:80]}”"))
        else:
            report.append(ReportLine(item.line, "dropped", f"empty {what}"))
    return out


def _explain(section: Section, report: list[ReportLine], earlier: str) -> str:
    text = paragraphs([line for _, line in section.body])
    if text:
        report.append(ReportLine(section.line, "kept", f"explanation ({len(text.split())} words)"))
    return "\n\n".join(part for part in (earlier, text) if part)


def _review(section: Section, report: list[ReportLine], preview: list[str]) -> list[ImportedQuestion]:
    """Review questions with their `Answer:` paragraphs; a question without an answer becomes a preview question."""
    items, before = _items(section.body, report, "review question")
    _report_loose([b for b in before if b[1].strip()], report, "review")
    questions: list[ImportedQuestion] = []
    for item in items:
        text = one_line(item.lines)
        answer = paragraphs(item.answer or [])
        if not text:
            report.append(ReportLine(item.line, "dropped", "empty review question"))
        elif not answer:
            preview.append(text)
            report.append(
                ReportLine(
                    item.line,
                    "changed",
                    f"review question without an answer became a preview question: “{text[:80]}”",
                )
            )
        else:
            questions.append(ImportedQuestion(type="open", text=text, line=item.line, answer=answer))
            report.append(ReportLine(item.line, "kept", f"review question with its answer: “{text[:80]}”"))
    return questions
