"""Issue 9: hostile content files are reported quickly, with their line, and never hang a check.

The issue states the bound: no file up to 1 MB may make a check take more than 5 s. The checks
here measure the CPU time of this process, so other work on the machine cannot make them flaky;
every file meets the bound with a wide margin (the heaviest allowed file takes about 2 s).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from app.content import check_path, content_files, parse_text, read_sources
from app.content.limits import MAX_FILE_BYTES
from app.content.review import CLOZE
from tests.hostile_content import HOSTILE, MB, heaviest_allowed, write_huge, yaml_alias_bomb

ISSUE_9_CHECK_SECONDS = 5.0

EXPECTED = {
    "cloze-openings-9k": "no answer",
    "cloze-openings-1m": "no answer",
    "yaml-alias-bomb": "anchors and aliases",
    "backtick-run-100k": "backticks",
    "backtick-runs-1m": "Markdown symbols",
    "nested-lists": "over the limit",
    "list-markers-one-line": "nested 1000 levels",
    "nested-quotes": "nested 10000 levels",
    "nested-brackets": "'[' nested",
    "open-brackets": "'[' nested",
    "nested-emphasis": "Markdown symbols",
    "dense-emphasis-1m": "Markdown symbols",
    "unclosed-tags": "never closed by '>'",
    "random-punctuation-1m": "Markdown symbols",
    "consecutive-headings": "without a blank line",
    "many-paragraphs": "paragraphs or blocks",
    "long-highlighted-code": "highlighted code",
    "many-lines": "lines, over the limit",
}


def timed_check(path: Path):  # type: ignore[no-untyped-def]
    start = time.process_time()
    result = check_path(path)
    return result, time.process_time() - start


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_file_is_reported_with_its_line_within_the_bound(name: str, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.md"
    path.write_bytes(HOSTILE[name]())

    result, seconds = timed_check(path)

    assert seconds < ISSUE_9_CHECK_SECONDS, f"{name}: {seconds:.1f} s"
    assert not result.ok and result.path == str(path)
    assert EXPECTED[name] in result.errors[0].message
    assert result.errors[0].line >= 1
    assert set(HOSTILE) == set(EXPECTED)


def test_the_heaviest_file_the_bounds_allow_checks_within_the_bound(tmp_path: Path) -> None:
    path = tmp_path / "heaviest.md"
    path.write_bytes(heaviest_allowed())
    assert MB - 8192 < path.stat().st_size <= MAX_FILE_BYTES

    result, seconds = timed_check(path)

    assert result.ok, result.errors
    assert result.html is not None and "<code>hidden state</code>" in result.html.explain
    assert seconds < ISSUE_9_CHECK_SECONDS


def test_a_50_mb_file_is_refused_without_being_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.md"
    write_huge(path)

    result, seconds = timed_check(path)

    assert seconds < 0.5
    assert result.errors[0].line == 1
    assert f"over the limit of {MAX_FILE_BYTES:,}" in result.errors[0].message
    [source] = read_sources(tmp_path)
    assert source.data == b"" and source.problem is not None


def test_yaml_aliases_are_refused_at_their_line() -> None:
    result = parse_text("bomb.md", yaml_alias_bomb().decode())

    [error] = result.errors
    assert error.line == 3  # the first anchor, on the third line of the file
    assert "anchors and aliases" in error.message and result.question_set is None


def test_plain_yaml_front_matter_still_loads() -> None:
    result = parse_text("plain.md", "---\ntitle: Plain\nweight: 2\n---\n## Review\n1. Q?\nAnswer: A.\n")
    assert result.ok and result.question_set is not None and result.question_set.weight == 2


def test_the_cloze_pattern_is_linear_on_unclosed_openings() -> None:
    start = time.process_time()
    assert CLOZE.search("{{c1::" * 200_000) is None
    assert time.process_time() - start < 1.0  # minutes before issue 9
    assert [m.groups() for m in CLOZE.finditer("{{c1::a::hint}} {{c2::$h_{t}$}}")] == [
        ("1", "a", "hint"),
        ("2", "$h_{t}$", None),
    ]


def test_a_front_matter_over_its_bound_is_reported() -> None:
    text = '+++\ntitle = "x"\nnote = "' + "a" * 20_000 + '"\n+++\n## Review\n1. Q?\nAnswer: A.\n'
    [error] = parse_text("long.md", text).errors
    assert error.line == 1 and "front matter is" in error.message


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_links_in_the_content_folder_are_refused_not_followed(kind: str, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.md"
    secret.write_text("+++\ntitle = 'Secret'\n+++\n## Review\n1. Q?\nAnswer: the secret.\n", encoding="utf-8")
    content = tmp_path / "content"
    content.mkdir()
    link = content / ("linked.md" if kind == "file" else "linked")
    os.symlink(secret if kind == "file" else outside, link)

    [source] = read_sources(content)
    result = check_path(link)

    assert content_files(content) == []
    assert source.name == link.name and source.data == b""
    assert source.parse().errors[0].message.startswith("a symbolic link (to ")
    assert "is not followed" in result.errors[0].message
    assert result.question_set is None
