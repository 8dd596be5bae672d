"""A set exported as an Anki package by Unroll itself imports back as the same questions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flask import Flask

from app.content import parse_file
from app.content.importers import apkg, convert
from app.services.content_sync import sync_content
from app.services.export import anki_package

SET = """+++
title = "Gated cells"
dialect = "native"
+++
## Review
1. Why do gates use a **sigmoid**?
   Answer: Its output lies in $(0, 1)$.
   ID: why-sigmoid

2. Which activation produces gate values?

   - [x] sigmoid
   - [ ] tanh
   - [ ] ReLU

   ID: gate-activation

3. The LSTM cell state is updated by {{c1::addition}} and gated by the {{c2::forget gate}}.
   ID: cell-add

4. A GRU has a separate cell state.

   Answer: False
   ID: gru-cell

5. How many gates does a GRU have?
   Answer: two
   Accept: 2
   ID: gru-gates
   Type: short
"""


def test_an_exported_package_imports_back_as_the_same_questions(app: Flask, content_dir: Path) -> None:
    (content_dir / "gates.md").write_text(SET, encoding="utf-8")
    original = parse_file("gates.md", SET.encode()).question_set
    assert original is not None
    with app.app_context():
        sync_content(content_dir, datetime.now(UTC))
        data = anki_package("gates")

    result = convert(data, "gates.apkg")
    assert result == apkg.convert(data, "gates.apkg", None)
    back = parse_file("gates.md", result.source.encode())
    assert back.errors == () and back.question_set is not None, (back.errors, result.source)
    assert result.title == "Gated cells" and [r.message for r in result.report] == [
        "the tags of 5 note(s) are not imported."
    ]

    def shape(question: object) -> tuple[object, ...]:
        return (
            question.type,  # type: ignore[attr-defined]
            question.question,  # type: ignore[attr-defined]
            question.answer,  # type: ignore[attr-defined]
            tuple(question.accept),  # type: ignore[attr-defined]
            tuple((o.text, o.correct) for o in question.options),  # type: ignore[attr-defined]
        )

    assert [shape(q) for q in back.question_set.review] == [shape(q) for q in original.review]


CONTENT = Path(__file__).resolve().parents[2] / "content"


def test_every_set_in_content_survives_an_anki_round_trip(app: Flask, content_dir: Path) -> None:
    originals = {}
    for source in sorted(CONTENT.glob("*.md")):
        (content_dir / source.name).write_bytes(source.read_bytes())
        parsed = parse_file(source.name, source.read_bytes()).question_set
        assert parsed is not None
        originals[parsed.slug] = parsed
    with app.app_context():
        sync_content(content_dir, datetime.now(UTC))
        packages = {slug: anki_package(slug) for slug in originals}
    differences = []
    for slug, data in packages.items():
        original = originals[slug]
        result = apkg.convert(data, f"{slug}.apkg", None)
        back = parse_file(f"{slug}.md", result.source.encode())
        assert back.errors == () and back.question_set is not None, (slug, back.errors)
        mine = [
            (q.type, q.answer if q.type != "open" else "", tuple(o.correct for o in q.options))
            for q in original.review
        ]
        theirs = [
            (q.type, q.answer if q.type != "open" else "", tuple(o.correct for o in q.options))
            for q in back.question_set.review
        ]
        if mine != theirs:
            differences.append((slug, [(a, b) for a, b in zip(mine, theirs, strict=False) if a != b][:3]))
    assert differences == []
