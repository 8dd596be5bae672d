"""Split a question-set body into `##` sections, lifting out shortcode blocks and the title."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from difflib import get_close_matches

from app.content.model import Problem, SectionKind

SECTION_NAMES: dict[str, SectionKind] = {
    "preview": SectionKind.PREVIEW,
    "习题预习": SectionKind.PREVIEW,
    "習題預習": SectionKind.PREVIEW,
    "explain": SectionKind.EXPLAIN,
    "说明知识": SectionKind.EXPLAIN,
    "說明知識": SectionKind.EXPLAIN,
    "keypoint": SectionKind.KEYPOINT,
    "keypoints": SectionKind.KEYPOINT,
    "key point": SectionKind.KEYPOINT,
    "key points": SectionKind.KEYPOINT,
    "条列重点": SectionKind.KEYPOINT,
    "條列重點": SectionKind.KEYPOINT,
    "汇总重点": SectionKind.KEYPOINT,
    "彙總重點": SectionKind.KEYPOINT,
    "review": SectionKind.REVIEW,
    "知识测验": SectionKind.REVIEW,
    "知識測驗": SectionKind.REVIEW,
}

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# Every pattern here runs in time linear in the line: no lazy scan can restart from each position.
_HEADING = re.compile(r"^ {0,3}(#{1,2})[ \t]+(.*)$")
_SHORTCODE_OPEN = re.compile(r"^\s*\{\{[<%]\s*([\w-]+)[^}]*[>%]\}\}\s*$")
_SHORTCODE_CLOSE = re.compile(r"^\s*\{\{[<%]\s*/\s*([\w-]+)\s*[>%]\}\}\s*$")
_SHORTCODE_ANY = re.compile(r"\{\{[<%](?:(?!\{\{[<%]|[>%]\}\})[^\n])*+[>%]\}\}")
_SIMILAR_HEADING = 0.7


@dataclass(frozen=True)
class Line:
    """A body line with its 1-based line number in the file."""

    number: int
    text: str


@dataclass
class RawSection:
    """The lines of one `##` section, before its items are parsed."""

    heading: str
    kind: SectionKind | None
    line: int
    lines: list[Line] = field(default_factory=list)
    prompt: str = ""


@dataclass
class SplitBody:
    title: str | None
    sections: list[RawSection]
    errors: list[Problem]
    warnings: list[Problem]


def section_kind(heading: str) -> SectionKind | None:
    """The known section a heading names, matched without regard to case or spacing."""
    return SECTION_NAMES.get(_heading_key(heading))


def _heading_key(heading: str) -> str:
    return " ".join(heading.replace("：", " ").strip().rstrip(":").split()).casefold()


def split_sections(lines: list[Line]) -> SplitBody:
    """Group lines under their `##` headings; drop shortcode blocks, keeping their text as prompts."""
    body = SplitBody(title=None, sections=[], errors=[], warnings=[])
    seen: dict[SectionKind, int] = {}
    current: RawSection | None = None
    fence: str | None = None
    closings = _shortcode_closings(lines)
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if fence is None:
            block_end = _shortcode_block_end(lines, index - 1, closings)
            if block_end is not None:
                if current is not None and not current.prompt:
                    current.prompt = "\n".join(x.text for x in lines[index:block_end]).strip()
                index = block_end + 1
                continue
            heading = _HEADING.match(line.text)
            text = heading.group(2).rstrip(" \t#") if heading else ""
            if heading and len(heading.group(1)) == 2:
                current = _open_section(text, line.number, seen, body)
                continue
            if heading and body.title is None and current is None:
                body.title = _SHORTCODE_ANY.sub("", text).strip()
                continue
        fence = track_fence(line.text, fence)
        if current is None:
            if line.text.strip() and not _SHORTCODE_ANY.fullmatch(line.text.strip()):
                body.warnings.append(Problem(line.number, "text before the first '##' section is ignored"))
            continue
        current.lines.append(Line(line.number, _SHORTCODE_ANY.sub("", line.text)))
    return body


def _open_section(heading: str, number: int, seen: dict[SectionKind, int], body: SplitBody) -> RawSection:
    kind = section_kind(heading)
    section = RawSection(heading=heading.strip(), kind=kind, line=number)
    suggestion = None if kind else similar_heading(heading)
    if suggestion:
        body.warnings.append(
            Problem(
                number,
                f"unknown section '{heading.strip()}' is kept as extra reading: did you mean '## {suggestion}'?",
            )
        )
    if kind is not None and kind in seen:
        body.errors.append(
            Problem(
                number,
                f"section '{heading.strip()}' appears twice (first on line {seen[kind]}): "
                "merge the two into one",
            )
        )
        return section
    if kind is not None:
        seen[kind] = number
    body.sections.append(section)
    return section


def similar_heading(heading: str) -> str | None:
    """The known heading an unknown one is probably meant to be (a typo, another script), if any."""
    key = _heading_key(heading)
    if len(key) > 40:
        return None
    close = get_close_matches(key, SECTION_NAMES, n=1, cutoff=_SIMILAR_HEADING)
    if not close:
        return None
    return close[0].title() if close[0].isascii() else close[0]


def _shortcode_closings(lines: list[Line]) -> dict[str, list[int]]:
    """For each shortcode name, the indices of the lines that close a block of it, in order."""
    closings: dict[str, list[int]] = {}
    for index, line in enumerate(lines):
        closing = _SHORTCODE_CLOSE.match(line.text)
        if closing:
            closings.setdefault(closing.group(1), []).append(index)
    return closings


def _shortcode_block_end(lines: list[Line], start: int, closings: dict[str, list[int]]) -> int | None:
    """Index of the closing line of a shortcode block opened at `start`, else None."""
    opening = _SHORTCODE_OPEN.match(lines[start].text)
    if not opening or "/" in lines[start].text.split(opening.group(1))[0]:
        return None
    ends = closings.get(opening.group(1), [])
    after = bisect_right(ends, start)
    return ends[after] if after < len(ends) else None


def track_fence(text: str, fence: str | None) -> str | None:
    """The open code fence after `text`, so headings inside code are not read as sections."""
    marker = _FENCE.match(text)
    if not marker:
        return fence
    if fence is None:
        return marker.group(1)
    if marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
        return None
    return fence
