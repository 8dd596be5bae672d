"""Question banks from other tools to native-dialect sets. Pure: imports neither Flask nor SQLAlchemy.

Each format module exposes `convert(data: bytes, filename: str, answers: bytes | None) -> ImportResult`.
"""

from __future__ import annotations

import importlib
import zipfile
from collections.abc import Callable
from io import BytesIO

from app.content.importers.native import (
    ImportedOption,
    ImportedQuestion,
    ImportResult,
    ReportLine,
    build_set,
)

FORMATS = ("gift", "aiken", "moodle-xml", "apkg", "csv", "page-export", "qa-lists")
_MODULES = {
    "gift": "gift",
    "aiken": "aiken",
    "moodle-xml": "moodle_xml",
    "apkg": "apkg",
    "csv": "csv_import",
    "page-export": "page_export",
    "qa-lists": "qa_lists",
}
_EXTENSIONS = {
    ".gift": "gift",
    ".aiken": "aiken",
    ".xml": "moodle-xml",
    ".apkg": "apkg",
    ".colpkg": "apkg",
    ".csv": "csv",
    ".tsv": "csv",
}


class ImportFailed(ValueError):
    """The file cannot be read at all (the message names the line when it is known)."""


Converter = Callable[[bytes, str, "bytes | None"], ImportResult]


def _converter(format: str) -> Converter:
    """The format module's `convert`, imported only when asked for."""
    try:
        module = importlib.import_module(f"app.content.importers.{_MODULES[format]}")
    except ModuleNotFoundError as error:
        if error.name and error.name.startswith("app.content.importers"):
            raise ImportFailed(f"{format}: format not available") from None
        raise
    return module.convert  # type: ignore[no-any-return]


def _text_head(data: bytes) -> str:
    return data[:65536].decode("utf-8", errors="replace").lstrip("\ufeff")


def _looks_like_gift(text: str) -> bool:
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    return (
        "{" in body
        and "}" in body
        and (
            "::" in body
            or "$CATEGORY:" in body
            or "{T}" in body
            or "{F}" in body
            or "=" in body
            or "~" in body
            or "{}" in body
        )
    )


def _looks_like_aiken(text: str) -> bool:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return any(
        line.upper().startswith("ANSWER:") and len(line.split(":", 1)[1].strip()) == 1 for line in lines
    )


_SECTION_LINES = ("preview", "explain", "keypoint", "review")


def _looks_like_page_export(text: str) -> bool:
    """A page's prompt blocks, or its four section lines in their order."""
    if "User ask:" in text or "ChatGPT answer:" in text:
        return True
    lines = [line.strip().lower() for line in text.splitlines()]
    found = [lines.index(name) for name in _SECTION_LINES if name in lines]
    return len(found) == len(_SECTION_LINES) and found == sorted(found)


def detect(data: bytes, filename: str, answers: bytes | None = None) -> str:
    """The format of a file, from its extension and then its content."""
    name = filename.lower()
    for extension, format in _EXTENSIONS.items():
        if name.endswith(extension):
            return format
    if data[:4] == b"PK\x03\x04" and zipfile.is_zipfile(BytesIO(data)):
        return "apkg"
    text = _text_head(data)
    stripped = text.lstrip()
    if stripped.startswith(("<?xml", "<quiz")):
        return "moodle-xml"
    if answers is not None:
        return "qa-lists"
    if stripped.startswith(("#separator:", "#html:", "#notetype", "#deck", "#columns:")):
        return "csv"  # Anki's "Notes in Plain Text" export, whatever its extension
    if _looks_like_page_export(text):
        return "page-export"
    if _looks_like_aiken(text):
        return "aiken"
    if _looks_like_gift(text):
        return "gift"
    if name.endswith((".txt", ".md")):
        return "qa-lists"
    first = text.splitlines()[0] if text.splitlines() else ""
    if "\t" in first or first.count(",") >= 1:
        return "csv"
    raise ImportFailed("cannot tell the format of this file; name it with --format")


def convert(data: bytes, filename: str, format: str = "auto", answers: bytes | None = None) -> ImportResult:
    """Convert a bank to one native-dialect set with its report; ImportFailed when it cannot be read."""
    if format == "auto":
        format = detect(data, filename, answers)
    if format not in FORMATS:
        raise ImportFailed(f"unknown format {format!r}; known: {', '.join(FORMATS)}")
    return _converter(format)(data, filename, answers)


__all__ = [
    "FORMATS",
    "ImportFailed",
    "ImportResult",
    "ImportedOption",
    "ImportedQuestion",
    "ReportLine",
    "build_set",
    "convert",
    "detect",
]
