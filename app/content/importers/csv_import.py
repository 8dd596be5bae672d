"""CSV/TSV flashcard exports: Anki's “Notes in Plain Text” (with `#separator:` / `#html:` headers)
or plain front,back columns. A row holding a cloze deletion becomes a cloze question, any other an
open question."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from app.content.importers import ImportFailed
from app.content.importers.html_md import html_to_markdown, looks_like_html, strip_controls
from app.content.importers.native import ImportedQuestion, ImportResult, ReportLine, build_set

MAX_CSV = 16 * 1024 * 1024
_SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|", "colon": ":"}
_CLOZE = re.compile(r"\{\{c\d+::.*?\}\}", re.S)
_HEADER_WORDS = {"front", "back", "question", "answer", "text", "extra", "back extra", "tags", "notes"}
_META_COLUMNS = ("guid column", "notetype column", "deck column", "tags column")


def _decode(data: bytes) -> str:
    if len(data) > MAX_CSV:
        raise ImportFailed(f"The file is larger than {MAX_CSV // (1024 * 1024)} MB.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise ImportFailed("The file is neither UTF-8 nor Windows-1252 text.") from error


def _headers(lines: list[str]) -> tuple[dict[str, str], int]:
    """Anki's `#key:value` header lines at the top, and how many lines they take."""
    headers: dict[str, str] = {}
    count = 0
    for line in lines:
        match = re.fullmatch(r"#([a-z ]+):(.*)", line.strip())
        if match is None:
            break
        headers[match.group(1).strip()] = match.group(2).strip()
        count += 1
    return headers, count


def _delimiter(headers: dict[str, str], body: str, filename: str) -> str:
    named = headers.get("separator")
    if named:
        return _SEPARATORS.get(named.lower(), named[:1])
    sample = "\n".join(body.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        return "\t" if filename.lower().endswith((".tsv", ".txt")) or "\t" in sample else ","


def _meta_columns(headers: dict[str, str]) -> set[int]:
    columns = set()
    for key in _META_COLUMNS:
        value = headers.get(key, "")
        if value.isdigit() and int(value) > 0:
            columns.add(int(value) - 1)
    return columns


def _markdown(text: str, html: bool | None, line: int, report: list[ReportLine]) -> str:
    text, stripped = strip_controls(text)
    if stripped:
        report.append(ReportLine(line, "changed", "control characters removed."))
    if html is False or (html is None and not looks_like_html(text)):
        return text.strip()
    converted = html_to_markdown(text)
    for name in converted.media:
        report.append(ReportLine(line, "dropped", f"media {name!r} is referenced but not imported."))
    return converted.text


def _row_question(
    cells: list[str], line: int, html: bool | None, report: list[ReportLine]
) -> ImportedQuestion | None:
    fields = [_markdown(c, html, line, report) for c in cells]
    while fields and not fields[-1]:
        fields.pop()
    if not fields:
        return None
    cloze_at = next((i for i, f in enumerate(fields) if _CLOZE.search(f)), None)
    if cloze_at is not None:
        rest = [f for i, f in enumerate(fields) if i != cloze_at and f]
        if len(rest) > 1:
            report.append(ReportLine(line, "dropped", f"{len(rest) - 1} extra column(s) not imported."))
        return ImportedQuestion(
            type="cloze", text=fields[cloze_at], line=line, explanation=rest[0] if rest else ""
        )
    if len(fields) < 2 or not fields[1]:
        report.append(ReportLine(line, "dropped", "a row without an answer (no second column)."))
        return None
    if not fields[0]:
        report.append(ReportLine(line, "dropped", "a row without a question (empty first column)."))
        return None
    if any(fields[2:]):
        report.append(
            ReportLine(line, "dropped", f"{len([f for f in fields[2:] if f])} extra column(s) not imported.")
        )
    return ImportedQuestion(type="open", text=fields[0], line=line, answer=fields[1])


def _is_header(cells: list[str]) -> bool:
    words = [c.strip().lower() for c in cells if c.strip()]
    return bool(words) and all(w in _HEADER_WORDS for w in words)


def convert(data: bytes, filename: str, answers: bytes | None = None) -> ImportResult:
    """The rows of a CSV/TSV export as open and cloze questions of a native set."""
    text = _decode(data)
    report: list[ReportLine] = []
    if answers is not None:
        report.append(
            ReportLine(None, "dropped", "A CSV export holds its own answers; the answers file is ignored.")
        )
    lines = text.splitlines(keepends=True)
    headers, skipped = _headers(lines)
    body = "".join(lines[skipped:])
    html_flag = headers.get("html", "").lower()
    html = True if html_flag == "true" else False if html_flag == "false" else None
    for key in headers:
        if key not in ("separator", "html", *_META_COLUMNS):
            report.append(ReportLine(None, "dropped", f"header #{key} is not used."))
    meta = _meta_columns(headers)
    if meta:
        report.append(
            ReportLine(None, "dropped", "the guid, note type, deck and tags columns are not imported.")
        )
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=_delimiter(headers, body, filename))
    questions: list[ImportedQuestion] = []
    start = 1
    try:
        for number, row in enumerate(reader):
            line = skipped + start
            start = reader.line_num + 1
            cells = [c for i, c in enumerate(row) if i not in meta]
            if number == 0 and _is_header(cells):
                report.append(ReportLine(line, "dropped", "the header row."))
                continue
            question = _row_question(cells, line, html, report)
            if question is not None:
                questions.append(question)
    except csv.Error as error:
        raise ImportFailed(f"line {skipped + reader.line_num}: {error}") from error
    if not questions:
        report.append(ReportLine(None, "dropped", "The file holds no question rows."))
    return build_set(Path(filename).stem or "Imported cards", questions, report)
