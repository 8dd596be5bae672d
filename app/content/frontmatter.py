"""Split TOML (+++) or YAML (---) front matter off a file, reporting errors by file line."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

import yaml

from app.content.model import Problem

_FENCES = {"+++": "TOML", "---": "YAML"}
MAX_FRONT_MATTER_CHARS = 16 * 1024
_TOML_WHERE = re.compile(r"\s*\((?:at line (\d+), column \d+|at end of document)\)")
_HINTS = {
    "TOML": "write each setting as key = value, with text in double quotes",
    "YAML": "write each setting as 'key: value' on its own line",
}


@dataclass(frozen=True)
class FrontMatter:
    """Parsed front matter, the index of the first body line (0-based), and each key's file line."""

    data: dict[str, object]
    body_start: int
    errors: tuple[Problem, ...] = ()
    key_lines: dict[str, int] | None = None

    def line_of(self, key: str) -> int:
        """The file line that sets `key` (the opening fence when it cannot be found)."""
        return (self.key_lines or {}).get(key, 1)


def split_front_matter(lines: list[str]) -> FrontMatter:
    """Parse the front matter at the top of `lines`, if any."""
    if not lines or lines[0].strip() not in _FENCES:
        return FrontMatter({}, 0)
    fence = lines[0].strip()
    kind = _FENCES[fence]
    close = next((i for i in range(1, len(lines)) if lines[i].strip() == fence), None)
    if close is None:
        message = (
            f"{kind} front matter opened with '{fence}' is never closed: "
            f"add a line holding only '{fence}' after the last key"
        )
        return FrontMatter({}, len(lines), (Problem(1, message),))
    block_lines = lines[1:close]
    block = "\n".join(block_lines) + "\n"
    if len(block) > MAX_FRONT_MATTER_CHARS:
        message = (
            f"{kind} front matter is {len(block):,} characters long, over the limit of "
            f"{MAX_FRONT_MATTER_CHARS:,}: keep only the settings there and move text into the sections"
        )
        return FrontMatter({}, close + 1, (Problem(1, message),))
    try:
        data, problem = _parse_toml(block, close) if kind == "TOML" else _parse_yaml(block)
    except RecursionError:
        data, problem = {}, Problem(2, f"{kind} front matter is nested too deeply: {_HINTS[kind]}")
    return FrontMatter(data, close + 1, (problem,) if problem else (), _key_lines(block_lines))


def _key_lines(block_lines: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, line in enumerate(block_lines):
        key = re.match(r"\s*[\"']?([\w-]+)[\"']?\s*[=:]", line) or re.match(r"\s*\[\s*([\w-]+)\s*\]", line)
        if key:
            found.setdefault(key.group(1), index + 2)
    return found


def _parse_toml(block: str, close: int) -> tuple[dict[str, object], Problem | None]:
    try:
        return tomllib.loads(block), None
    except tomllib.TOMLDecodeError as exc:
        where = _TOML_WHERE.search(str(exc))
        block_line = int(where.group(1)) if where and where.group(1) else close - 1
        reason = _TOML_WHERE.sub("", str(exc)).strip()
        line = min(max(block_line, 1), max(close - 1, 1)) + 1
        return {}, Problem(line, f"invalid TOML front matter ({reason}): {_HINTS['TOML']}")


class _AliasRefused(yaml.MarkedYAMLError):
    """An anchor (&name) or alias (*name) in front matter."""


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without anchors and aliases: 300 bytes of nested aliases can expand to megabytes."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _AliasRefused(problem="anchors and aliases are not allowed", problem_mark=event.start_mark)
        return super().compose_node(parent, index)


def _parse_yaml(block: str) -> tuple[dict[str, object], Problem | None]:
    try:
        data = yaml.load(block, Loader=_NoAliasLoader)  # a SafeLoader that also refuses aliases
    except _AliasRefused as exc:
        line = block[: exc.problem_mark.index].count("\n") + 2 if exc.problem_mark else 2
        message = "YAML anchors and aliases ('&name', '*name') are not allowed in front matter: write each value out"
        return {}, Problem(line, message)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # PyYAML also breaks lines at U+2028 and friends; count only real newlines.
        block_line = block[: mark.index].count("\n") + 1 if mark else 1
        block_line = min(block_line, block.count("\n"))
        return {}, Problem(block_line + 1, f"invalid YAML front matter ({exc.problem}): {_HINTS['YAML']}")
    except yaml.YAMLError as exc:
        return {}, Problem(2, f"invalid YAML front matter ({exc}): {_HINTS['YAML']}")
    if data is None:
        return {}, None
    if not isinstance(data, dict):
        return {}, Problem(2, f"front matter must be a set of keys: {_HINTS['YAML']}")
    return {str(key): value for key, value in data.items()}, None
