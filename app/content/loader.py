"""Find question-set files in a folder and parse them; one broken file never stops the others."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from app.content.model import ParseResult, Problem
from app.content.parser import parse_file

SUFFIXES = (".md", ".markdown")
SKIPPED_NAMES = {"readme.md"}


@dataclass(frozen=True)
class SourceFile:
    """A content file's bytes, with the path relative to the content folder that names it."""

    path: Path
    name: str
    data: bytes

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def content_files(root: Path) -> list[Path]:
    """Question-set files below `root`, in a stable order."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if name.lower().endswith(SUFFIXES) and name.lower() not in SKIPPED_NAMES:
                found.append(Path(folder) / name)
    return sorted(found)


def fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    """A cheap summary of the folder (names, sizes, times) that changes when any file does."""
    stamps = []
    for path in content_files(root):
        try:
            info = path.stat()
        except OSError:
            continue
        stamps.append((str(path), info.st_mtime_ns, info.st_size))
    return tuple(stamps)


def read_sources(root: Path) -> list[SourceFile]:
    """Every question-set file below `root`, read into memory."""
    sources = []
    for path in content_files(root):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        sources.append(SourceFile(path=path, name=path.relative_to(root).as_posix(), data=data))
    return sources


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, and the question-set files inside folders."""
    expanded: list[Path] = []
    for path in paths:
        expanded += content_files(path) if path.is_dir() else [path]
    return expanded


def check_path(path: Path) -> ParseResult:
    """Parse one file from disk, turning an unreadable file into an error."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return ParseResult(str(path), None, (Problem(1, f"cannot read the file: {exc.strerror}"),))
    return parse_file(str(path), data)
