"""Numbered list items: Preview questions, key points, and the raw blocks of review questions."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

from app.content.model import Item, Problem
from app.content.sections import Line, track_fence

ITEM_START = re.compile(r"^ {0,2}\d{1,9}[.)](?:[ \t]+(.*))?$")


@dataclass
class RawItem:
    """A numbered item's first line and the lines that follow it."""

    line: int
    first: str
    rest: list[Line] = field(default_factory=list)


def split_items(lines: list[Line], what: str) -> tuple[list[RawItem], list[Problem]]:
    """Cut a section into numbered items; numbering may restart, blank lines may separate."""
    items: list[RawItem] = []
    warnings: list[Problem] = []
    fence: str | None = None
    for line in lines:
        start = ITEM_START.match(line.text) if fence is None else None
        if start:
            items.append(RawItem(line.number, (start.group(1) or "").strip()))
        elif items:
            items[-1].rest.append(line)
        elif line.text.strip():
            warnings.append(Problem(line.number, f"text before the first numbered {what} is ignored"))
        fence = track_fence(line.text, fence)
    return items, warnings


def join_markdown(first: str, rest: list[str]) -> str:
    """The Markdown source of an item: its first line and its dedented continuation."""
    paragraph_break = bool(rest) and not rest[0].strip()
    body = textwrap.dedent("\n".join(rest)).strip("\n")
    separator = "\n\n" if paragraph_break else "\n"
    text = f"{first}{separator}{body}" if first and body else first or body
    return text.strip()


def parse_simple_items(lines: list[Line], what: str) -> tuple[tuple[Item, ...], list[Problem]]:
    """Preview questions and key points: numbered items whose text is free Markdown."""
    raw, warnings = split_items(lines, what)
    items = []
    for entry in raw:
        text = join_markdown(entry.first, [x.text for x in entry.rest])
        if text:
            items.append(Item(text=text, line=entry.line))
        else:
            warnings.append(Problem(entry.line, f"empty {what} is ignored"))
    return tuple(items), warnings
