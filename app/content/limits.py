"""Bounds that keep one hostile content file from costing more than a few seconds to check.

The Markdown engine is slow, or recursive, on a few constructs: deep nesting, long backtick runs,
'[' and '<' that are never closed (each scans the rest of its paragraph or file), and sheer amounts
of markup. These checks run on the raw body lines, in linear time, before any Markdown is rendered,
and report the line an author can fix. The file's text is an upper bound on every piece rendered
from it, so a file that passes keeps every render bounded.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from app.content.model import Problem
from app.content.sections import Line, track_fence

MAX_FILE_BYTES = 1024 * 1024
MAX_LINES = 50_000
MAX_NESTING = 16
MAX_BACKTICK_RUN = 32
MAX_SCAN = 2_000_000
MAX_MARKUP = 40_000
MAX_BLOCKS = 10_000
MAX_BLOCK_WEIGHT = 4_000_000
MAX_HIGHLIGHTED = 100_000
MAX_REVIEW_QUESTIONS = 1000

_CONTAINER = re.compile(r"[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))")
_THEMATIC_BREAK = re.compile(r"[ \t]*(?:[-*_][ \t]*){3,}")
_BACKTICKS = re.compile(r"`+")
_TAG_START = re.compile(r"<[A-Za-z/!?]")
_MARKUP = re.compile(r"[*_`\[\]<>!|&\\~$]")
_LONG_RUN = re.compile(f"`{{{MAX_BACKTICK_RUN + 1}}}")
# Each nesting level takes at least one character of a line's prefix: fewer cannot be too deep.
_DEEP_PREFIX = re.compile(rf"^[ \t>*+\-0-9.)]{{{MAX_NESTING + 1}}}", re.MULTILINE)


def too_big(size: int) -> Problem | None:
    """The error for a file over the size bound, found from its size alone."""
    if size <= MAX_FILE_BYTES:
        return None
    return Problem(
        1, f"the file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}: split it into several sets"
    )


def too_many_lines(count: int) -> Problem | None:
    """The error for a file of more lines than the bound, before any line is looked at."""
    if count <= MAX_LINES:
        return None
    return Problem(MAX_LINES + 1, f"the file has {count:,} lines, over the limit of {MAX_LINES:,}: split it")


def check_body(lines: list[Line]) -> list[Problem]:
    """The first bound the body breaks, at the first line that breaks it (cheapest checks first).
    A check whose quick look over the whole text finds nothing to fear is skipped."""
    text = "\n".join(line.text for line in lines)
    checks = (
        (_backtick_runs, _LONG_RUN.search(text) is not None),
        (_nesting, _DEEP_PREFIX.search(text) is not None),
        (_markup, len(_MARKUP.findall(text)) > MAX_MARKUP),
        (_highlighted, "```" in text or "~~~" in text),
        (_blocks, True),
        (_unclosed_brackets, "[" in text),
        (_unclosed_tags, "<" in text),
    )
    for check, needed in checks:
        problem = check(lines) if needed else None
        if problem is not None:
            return [problem]
    return []


def _nesting(lines: list[Line]) -> Problem | None:
    for line in lines:
        depth = _depth(line.text)
        if depth > MAX_NESTING:
            return Problem(
                line.number,
                f"lists, quotes or indentation nested {depth} levels deep (at most {MAX_NESTING}): "
                "flatten this part",
            )
    return None


def _depth(text: str) -> int:
    """Nesting levels a line opens: every four columns of indentation, and each '>' or list marker."""
    expanded = text.expandtabs(4)
    indent = len(expanded) - len(expanded.lstrip(" "))
    if _THEMATIC_BREAK.fullmatch(text):
        return indent // 4
    markers, position = 0, 0
    while marker := _CONTAINER.match(expanded, position):
        markers += 1
        position = marker.end()
    return indent // 4 + markers


def _backtick_runs(lines: list[Line]) -> Problem | None:
    for line in lines:
        longest = max((len(run) for run in _BACKTICKS.findall(line.text)), default=0)
        if longest > MAX_BACKTICK_RUN:
            return Problem(
                line.number,
                f"a run of {longest} backticks (at most {MAX_BACKTICK_RUN}): shorten it",
            )
    return None


def _markup(lines: list[Line]) -> Problem | None:
    count = 0
    for line in lines:
        count += len(_MARKUP.findall(line.text))
        if count > MAX_MARKUP:
            return Problem(
                line.number,
                f"more than {MAX_MARKUP:,} Markdown symbols (such as * _ ` [ < |) by this line: "
                "split the file into several sets",
            )
    return None


def _blocks(lines: list[Line]) -> Problem | None:
    """The engine spends time per block, and splits a block line by line (square in its length)."""
    weight = 0
    for number, block in enumerate(_paragraphs(lines), 1):
        weight += len(block) ** 2
        if number > MAX_BLOCKS:
            return Problem(
                block[0].number,
                f"more than {MAX_BLOCKS:,} paragraphs or blocks: split the file into several sets",
            )
        if weight > MAX_BLOCK_WEIGHT:
            return Problem(
                block[0].number,
                f"a block of {len(block):,} lines without a blank line (too many such lines in the file): "
                "separate paragraphs, headings and lists with blank lines",
            )
    return None


def _highlighted(lines: list[Line]) -> Problem | None:
    """Code blocks that name a language are highlighted, which costs far more than plain text."""
    total, fence, highlighted = 0, None, False
    for line in lines:
        opened = fence is None
        fence = track_fence(line.text, fence)
        if opened and fence is not None:
            highlighted = bool(line.text.strip().lstrip("`~").strip())
        elif fence is not None and highlighted:
            total += len(line.text) + 1
            if total > MAX_HIGHLIGHTED:
                return Problem(
                    line.number,
                    f"more than {MAX_HIGHLIGHTED:,} characters of highlighted code: "
                    "move long listings to files and show only the key lines",
                )
    return None


def _paragraphs(lines: list[Line]) -> list[list[Line]]:
    """Lines grouped as the Markdown engine scans them for closing delimiters: up to a blank line."""
    groups: list[list[Line]] = [[]]
    for line in lines:
        if line.text.strip():
            groups[-1].append(line)
        elif groups[-1]:
            groups.append([])
    return [g for g in groups if g]


def _unclosed_brackets(lines: list[Line]) -> Problem | None:
    """Each '[' makes the engine scan to its ']' (or the paragraph's end): bound the total scanned."""
    scanned = 0
    for paragraph in _paragraphs(lines):
        text, starts = _joined(paragraph)
        opened: list[int] = []
        for index, char in _brackets(text):
            if char == "[":
                opened.append(index)
                if len(opened) > MAX_NESTING:
                    return _bracket_problem(paragraph, starts, index, "nested")
            elif opened:
                scanned += index - opened.pop()
        scanned += sum(len(text) - index for index in opened)
        if scanned > MAX_SCAN:
            first = opened[0] if opened else 0
            return _bracket_problem(paragraph, starts, first, "unclosed")
    return None


def _brackets(text: str) -> list[tuple[int, str]]:
    found = []
    for match in re.finditer(r"\\?[\[\]]", text):
        if not match.group().startswith("\\"):
            found.append((match.start(), match.group()))
    return found


def _bracket_problem(paragraph: list[Line], starts: list[int], index: int, how: str) -> Problem:
    line = _line_at(paragraph, starts, index)
    if how == "nested":
        return Problem(line, f"'[' nested more than {MAX_NESTING} deep: close them or write \\[")
    return Problem(line, "too many '[' without a matching ']': close them or write \\[ for a bracket")


def _unclosed_tags(lines: list[Line]) -> Problem | None:
    """The HTML reader scans from each '<tag' to the next '>' of the whole text: bound the total."""
    text, starts = _joined(lines)
    positions = [m.start() for m in _TAG_START.finditer(text)]
    closes = [m.start() for m in re.finditer(">", text)] if positions else []
    scanned = 0
    for index in positions:
        after = bisect_left(closes, index)
        scanned += (closes[after] if after < len(closes) else len(text)) - index
        if scanned > MAX_SCAN:
            return Problem(
                _line_at(lines, starts, index),
                "too many '<' that open an HTML tag and are never closed by '>': "
                "close them or write &lt; for a literal '<'",
            )
    return None


def _joined(lines: list[Line]) -> tuple[str, list[int]]:
    """The lines as one text, and where each line starts in it."""
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line.text) + 1
    return "\n".join(line.text for line in lines), starts


def _line_at(lines: list[Line], starts: list[int], index: int) -> int:
    return lines[bisect_right(starts, index) - 1].number
