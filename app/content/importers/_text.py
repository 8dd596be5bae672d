"""Small text helpers shared by the plain-text importers (page export, question lists)."""

from __future__ import annotations

import re

from app.content.importers import ImportFailed

NUMBERED = re.compile(r"^\s*(?:[-*]\s+)?(\d{1,4})(?:[.)]\s+|\.(?=[^\W\d_]))(.*)$")
BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
MAX_BYTES = 5_000_000


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without BOM), else Windows-1252, else Latin-1."""
    if len(data) > MAX_BYTES:
        raise ImportFailed(f"the file is larger than {MAX_BYTES // 1_000_000} MB")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = data.decode("latin-1")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def paragraphs(lines: list[str]) -> str:
    """Join source lines into Markdown paragraphs: indentation removed, blank runs collapsed."""
    out: list[str] = []
    for line in lines:
        stripped = line.strip()
        if not stripped:
            if out and out[-1] != "":
                out.append("")
            continue
        out.append("\\" + stripped if stripped.startswith("#") else stripped)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)


def one_line(lines: list[str]) -> str:
    """Join lines into one line of text (a list item or question)."""
    return " ".join(part.strip() for part in lines if part.strip())
