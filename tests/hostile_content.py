"""Generators of hostile question-set files: each one broke or stalled the app before issue 9.

Every generator returns the bytes of one file. `HOSTILE` names them all; `write_huge` writes the
50 MB file in pieces, without holding it in memory.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

MB = 1024 * 1024
PAGE_HEAD = '+++\ntitle = "Hostile"\n+++\n## Review\n1. What is hostile here?\nAnswer: '
NATIVE_HEAD = '+++\ntitle = "Hostile"\ndialect = "native"\n+++\n## Review\n1. '


def _page(body: str) -> bytes:
    return (PAGE_HEAD + body + "\n").encode()


def cloze_openings(size: int = 9 * 1024) -> bytes:
    """A native question of repeated '{{c1::' that never close (9 KB stalled pages for minutes)."""
    return (NATIVE_HEAD + "{{c1::" * (size // 6) + "\n   ID: q1\n").encode()


def yaml_alias_bomb() -> bytes:
    """About 300 bytes of nested YAML aliases that expand to tens of megabytes."""
    lines = ["---", "title: Bomb", "a: &a [x, x, x, x, x, x, x, x, x]"]
    for depth, name in enumerate("bcdefg"):
        previous = "abcdefg"[depth]
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return ("\n".join([*lines, "---", "## Review", "1. Q?", "Answer: A.", ""])).encode()


def backtick_run(count: int = 100_000) -> bytes:
    return _page("`" * count)


def backtick_runs_of_every_length(size: int = MB - 1024) -> bytes:
    """Unmatched runs of 1 to 32 backticks (within the run limit), filling about 1 MB."""
    pieces, total, length = [], 0, 1
    while total < size:
        piece = "`" * length + "x "
        pieces.append(piece)
        total += len(piece)
        length = length % 32 + 1
    return _page("".join(pieces)[:size])


def nested_lists(depth: int = 1000) -> bytes:
    return _page("\n" + "".join(" " * (4 * i) + "- x\n" for i in range(depth)))


def list_markers_on_one_line(depth: int = 1000) -> bytes:
    return _page("\n" + "- " * depth + "x")


def nested_quotes(depth: int = 10_000) -> bytes:
    return _page("\n" + "> " * depth + "x")


def nested_brackets(depth: int = 5_000) -> bytes:
    return _page("[" * depth + "x" + "]" * depth)


def open_brackets(count: int = 10_000) -> bytes:
    return _page("![" * count)


def nested_emphasis(depth: int = 50_000) -> bytes:
    return _page("*_" * depth + "x" + "_*" * depth)


def dense_emphasis(size: int = MB - 1024) -> bytes:
    return _page(("***a" * (size // 4))[:size])


def unclosed_tags(count: int = 20_000) -> bytes:
    return _page("<a " * count)


def random_punctuation(size: int = MB - 1024, seed: int = 9) -> bytes:
    """About 1 MB of random Markdown punctuation, spaces and newlines."""
    chooser = random.Random(seed)
    return _page("".join(chooser.choice("`*_[]()<>!#-+~|\\$:{}= \n") for _ in range(size)))


def heaviest_allowed(size: int = MB - 4096) -> bytes:
    """A file just inside every bound, as costly to render as the bounds allow: dense markup,
    the most paragraphs, the most highlighted code, a thousand questions, prose for the rest."""
    dense = "An *RNN* keeps a `hidden state` and [links](https://example.org) it across **steps**.\n\n"
    prose = "An ordinary sentence about recurrent networks and the state they carry. " * 12 + "\n\n"
    code = "```python\n" + "h = tanh(W @ h + U @ x)\n" * 1_900 + "```\n\n"
    review = "".join(
        f"{n}. Why does step {n} reuse the weights?\nAnswer: To read any length.\n\n" for n in range(1, 1000)
    )
    explain = dense * 2_000 + code
    explain += prose * ((size - len(explain) - len(review) - 100) // len(prose))
    return ('+++\ntitle = "Big"\n+++\n## Explain\n' + explain + "## Review\n" + review).encode()


def write_huge(path: Path, size: int = 50 * MB) -> None:
    """A 50 MB file of ordinary text, written in 1 MB pieces."""
    chunk = ("An ordinary sentence about recurrent networks. " * 22000)[:MB].encode()
    with path.open("wb") as handle:
        handle.write(PAGE_HEAD.encode())
        for _ in range(size // MB):
            handle.write(chunk)


HOSTILE: dict[str, Callable[[], bytes]] = {
    "cloze-openings-9k": cloze_openings,
    "cloze-openings-1m": lambda: cloze_openings(MB - 1024),
    "yaml-alias-bomb": yaml_alias_bomb,
    "backtick-run-100k": backtick_run,
    "backtick-runs-1m": backtick_runs_of_every_length,
    "nested-lists": nested_lists,
    "list-markers-one-line": list_markers_on_one_line,
    "nested-quotes": nested_quotes,
    "nested-brackets": nested_brackets,
    "open-brackets": open_brackets,
    "nested-emphasis": nested_emphasis,
    "dense-emphasis-1m": dense_emphasis,
    "unclosed-tags": unclosed_tags,
    "random-punctuation-1m": random_punctuation,
}


def consecutive_headings(count: int = 20_000) -> bytes:
    """Headings with no blank line between them: the engine splits the block once per heading."""
    return _page("\n" + "### a\n" * count)


def many_paragraphs(count: int = 24_000) -> bytes:
    return _page("\n" + "a\n\n" * count)


def long_highlighted_code(lines: int = 12_000) -> bytes:
    return _page("\n```python\n" + "x = 1 + 2\n\n" * lines + "```\n")


HOSTILE |= {
    "consecutive-headings": consecutive_headings,
    "many-paragraphs": many_paragraphs,
    "long-highlighted-code": long_highlighted_code,
}


def many_lines(count: int = 500_000) -> bytes:
    return _page("\n" * count)


HOSTILE["many-lines"] = many_lines
