"""Find question-set files in a folder and parse them; one broken file never stops the others.

Symbolic links are never followed (a link could bring in any file the server can read): a linked
file or folder is reported as an error. Files over the size limit are reported without being read.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from app.content.limits import MAX_FILE_BYTES, too_big
from app.content.model import ParseResult, Problem
from app.content.parser import parse_file

SUFFIXES = (".md", ".markdown")
SKIPPED_NAMES = {"readme.md"}


@dataclass(frozen=True)
class SourceFile:
    """A content file's bytes, with the path relative to the content folder that names it, or
    the problem that kept it from being read (a link, a file too big, an unreadable file)."""

    path: Path
    name: str
    data: bytes
    problem: Problem | None = None

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def parse(self) -> ParseResult:
        """The file's parse, or its refusal as an error."""
        if self.problem is not None:
            return ParseResult(self.name, None, (self.problem,))
        return parse_file(self.name, self.data)


def content_entries(root: Path) -> list[Path]:
    """Question-set files below `root`, and the links there that are refused, in a stable order."""
    found = []
    for folder, dirs, files in os.walk(root):
        links = [d for d in dirs if (Path(folder) / d).is_symlink() and not d.startswith(".")]
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in links)
        found += [Path(folder) / d for d in links]
        for name in files:
            if name.lower().endswith(SUFFIXES) and name.lower() not in SKIPPED_NAMES:
                found.append(Path(folder) / name)
    return sorted(found)


def content_files(root: Path) -> list[Path]:
    """Question-set files below `root` that are real files, not links, in a stable order."""
    return [p for p in content_entries(root) if not p.is_symlink()]


def fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    """A cheap summary of the folder (names, sizes, times) that changes when any file does."""
    stamps = []
    for path in content_entries(root):
        try:
            info = path.lstat()
        except OSError:
            continue
        stamps.append((str(path), info.st_mtime_ns, info.st_size))
    return tuple(stamps)


def read_sources(root: Path) -> list[SourceFile]:
    """Every question-set file below `root`, read into memory; refused ones carry their problem."""
    sources = []
    for path in content_entries(root):
        name = path.relative_to(root).as_posix()
        data, problem = read_content(path)
        if data is None and problem is None:
            continue  # vanished since the folder was listed
        sources.append(SourceFile(path=path, name=name, data=data or b"", problem=problem))
    return sources


def read_content(path: Path) -> tuple[bytes | None, Problem | None]:
    """A file's bytes, refusing links and files over the size limit before reading them."""
    try:
        # O_NOFOLLOW: a link swapped in after listing is still refused; O_NONBLOCK: a FIFO never hangs.
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if path.is_symlink():
            return None, _link_problem(path)
        if not path.exists():
            return None, None
        return None, Problem(1, f"cannot read the file: {exc.strerror}")
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            return None, Problem(1, "not a regular file")
        oversized = too_big(info.st_size)
        if oversized:
            return None, oversized
        data = handle.read(MAX_FILE_BYTES + 1)
    return data, too_big(len(data))


def _link_problem(path: Path) -> Problem:
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    return Problem(
        1,
        f"a symbolic link (to {target}) is not followed: copy the file or folder into the content folder",
    )


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, and the question-set files (and refused links) inside folders."""
    expanded: list[Path] = []
    for path in paths:
        expanded += content_entries(path) if path.is_dir() else [path]
    return expanded


def check_path(path: Path) -> ParseResult:
    """Parse one file from disk, turning an unreadable, linked or oversized file into an error."""
    data, problem = read_content(path)
    if data is None:
        found = problem or Problem(1, "cannot read the file: it no longer exists")
        return ParseResult(str(path), None, (found,))
    if problem is not None:
        return ParseResult(str(path), None, (problem,))
    return parse_file(str(path), data)
