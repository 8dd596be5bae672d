"""Every link from the course's sets to the demo opens a state the demo can show: a known cell, a word
position inside the text, a view that exists."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from app.rnn import tokenize
from app.services.rnn_demo import CELLS

CONTENT = Path(__file__).resolve().parents[2] / "content"
TEMPLATE = Path(__file__).resolve().parents[2] / "app" / "templates" / "demo.html"
LINK = re.compile(r"\]\((/demo\?[^)\s]+)\)")


def demo_links() -> list[tuple[str, str]]:
    return [
        (path.name, m.group(1))
        for path in sorted(CONTENT.glob("*.md"))
        for m in LINK.finditer(path.read_text())
    ]


def test_every_demo_link_names_a_cell_a_word_of_its_text_and_a_view_of_the_page() -> None:
    links = demo_links()
    views = set(re.findall(r'id="([a-z-]+)"', TEMPLATE.read_text()))
    assert len(links) > 20
    for name, link in links:
        url = urlparse(link)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        assert query.get("cell", "vanilla") in CELLS, (name, link)
        if "position" in query:
            assert 0 <= int(query["position"]) < len(tokenize(query["text"])), (name, link)
        if url.fragment:
            assert url.fragment in views, (name, link)


def test_the_sets_that_teach_gates_and_long_range_memory_link_to_the_new_views() -> None:
    by_set: dict[str, set[str]] = {}
    for name, link in demo_links():
        by_set.setdefault(name, set()).add(urlparse(link).fragment)
    assert {"gates", "connectivity"} <= by_set["07-lstm.md"]
    assert {"gates", "connectivity"} <= by_set["08-gru.md"]
    assert "connectivity" in by_set["06-vanishing-exploding-gradients.md"]
    assert "connectivity" in by_set["02-hidden-state-and-unrolling.md"]
