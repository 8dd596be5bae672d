"""Split TOML (+++) or YAML (---) front matter off a file, reporting errors by file line."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

import yaml

from app.content.model import Problem

_FENCES = {"+++": "TOML", "---": "YAML"}
_TOML_LINE = re.compile(r"at line (\d+)")


@dataclass(frozen=True)
class FrontMatter:
    """Parsed front matter and the index of the first body line (0-based)."""

    data: dict[str, object]
    body_start: int
    errors: tuple[Problem, ...] = ()


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
    block = "\n".join(lines[1:close])
    data, problem = _parse_toml(block) if kind == "TOML" else _parse_yaml(block)
    return FrontMatter(data, close + 1, (problem,) if problem else ())


def _parse_toml(block: str) -> tuple[dict[str, object], Problem | None]:
    try:
        return tomllib.loads(block), None
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        block_line = int(found.group(1)) if found else 1
        reason = _TOML_LINE.sub("", str(exc)).strip(" ()")
        return {}, Problem(block_line + 1, f"invalid TOML front matter: {reason}")


def _parse_yaml(block: str) -> tuple[dict[str, object], Problem | None]:
    try:
        data = yaml.safe_load(block)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        block_line = mark.line + 1 if mark else 1
        return {}, Problem(block_line + 1, f"invalid YAML front matter: {exc.problem or exc}")
    except yaml.YAMLError as exc:
        return {}, Problem(2, f"invalid YAML front matter: {exc}")
    if data is None:
        return {}, None
    if not isinstance(data, dict):
        return {}, Problem(2, "front matter must be a list of 'key: value' lines")
    return {str(key): value for key, value in data.items()}, None
