"""Question banks on the authoring pages: convert an uploaded bank, and export a set as GIFT or Moodle XML."""

from __future__ import annotations

import importlib
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePath

from app.content import parse_text
from app.content.importers import ImportFailed, ImportResult, ReportLine, convert

BANK_EXTENSIONS = (".gift", ".txt", ".xml", ".apkg", ".colpkg", ".csv", ".tsv", ".aiken")
EXPORTS = {
    "gift": ("app.content.exporters.gift", "GIFT", "text/plain; charset=utf-8", "gift"),
    "moodle-xml": ("app.content.exporters.moodle_xml", "Moodle XML", "application/xml; charset=utf-8", "xml"),
}


class ExportUnavailable(Exception):
    """The exporter is missing or the set cannot be read; the message says which, for the instructor."""


@dataclass(frozen=True)
class Download:
    """An exported set: its text, media type and file name."""

    text: str
    mimetype: str
    filename: str


def is_bank(filename: str) -> bool:
    """A file the upload converts (a question bank) rather than stores as a set."""
    return PurePath(filename.lower()).suffix in BANK_EXTENSIONS


def convert_bank(filename: str, data: bytes, answers: bytes | None) -> ImportResult:
    """The bank as a native-dialect set with its report; ImportFailed when it cannot be read."""
    return convert(data, filename, "auto", answers)


def report_counts(report: tuple[ReportLine, ...]) -> dict[str, int]:
    """How many report entries were kept, changed and dropped."""
    counts = Counter(entry.action for entry in report)
    return {action: counts.get(action, 0) for action in ("kept", "changed", "dropped")}


def export_bank(slug: str, source: str, format: str) -> Download:
    """The set's source exported with the format's exporter (imported only when asked for)."""
    module_name, label, mimetype, extension = EXPORTS[format]
    parsed = parse_text(f"{slug}.md", source)
    if parsed.question_set is None:
        raise ExportUnavailable(f"This set has errors, so it cannot be exported as {label}. Fix them first.")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            raise ExportUnavailable(
                f"{label} export is not available in this version of Unroll yet."
            ) from None
        raise
    return Download(module.export(parsed.question_set), mimetype, f"{slug}.{extension}")


__all__ = ["ExportUnavailable", "ImportFailed", "convert_bank", "export_bank", "is_bank", "report_counts"]
