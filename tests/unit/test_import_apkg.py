"""Anki packages converted to native sets, note by note (real decks written with genanki)."""

from __future__ import annotations

import contextlib
import io
import sqlite3
import zipfile
from pathlib import Path

import genanki
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.content import parse_file
from app.content.importers import ImportFailed, apkg
from app.content.importers.html_md import html_to_markdown
from app.content.importers.native import ImportedQuestion, ImportResult, build_set
from app.content.model import QuestionSet

VOCABULARY = genanki.Model(
    1607392319,
    "Vocabulary",
    fields=[{"name": "Word"}, {"name": "Meaning"}],
    templates=[{"name": "Card 1", "qfmt": "{{Word}}", "afmt": "{{Meaning}}"}],
)


def package(tmp_path: Path, notes: list[genanki.Note], name: str = "RNN::Gates") -> bytes:
    deck = genanki.Deck(2059400110, name)
    for note in notes:
        deck.add_note(note)
    path = tmp_path / "deck.apkg"
    genanki.Package(deck).write_to_file(str(path), timestamp=1_700_000_000)
    return path.read_bytes()


def basic(front: str, back: str, tags: tuple[str, ...] = ()) -> genanki.Note:
    return genanki.Note(genanki.BASIC_MODEL, [front, back], guid=genanki.guid_for(front), tags=list(tags))


def cloze(text: str, extra: str = "") -> genanki.Note:
    return genanki.Note(genanki.CLOZE_MODEL, [text, extra], guid=genanki.guid_for(text))


def imported(data: bytes, filename: str = "gates.apkg") -> tuple[ImportResult, QuestionSet]:
    result = apkg.convert(data, filename, None)
    parsed = parse_file(f"{result.slug}.md", result.source.encode())
    assert parsed.errors == () and parsed.question_set is not None, (parsed.errors, result.source)
    return result, parsed.question_set


def report(result: ImportResult) -> list[tuple[str, str]]:
    return [(r.action, r.message) for r in result.report]


@pytest.fixture
def deck(tmp_path: Path) -> bytes:
    return package(
        tmp_path,
        [
            basic("What does the <b>forget gate</b> decide?", "What the cell state drops.<br>Per unit."),
            cloze("An LSTM has {{c1::three}} gates and a {{c2::cell state::memory}}.", "Count them."),
            basic("Which curve is this?<img src='sigmoid.png'>", "The sigmoid [sound:sigmoid.mp3]"),
            basic("<div>List the GRU gates:</div><ul><li>one</li><li>two</li></ul>", "update &amp; reset"),
            genanki.Note(VOCABULARY, ["unroll", "copy the cell"], guid="vocab-1"),
            basic("A question with no answer yet", "", tags=("todo",)),
        ],
    )


def test_basic_and_cloze_notes_become_questions(deck: bytes) -> None:
    result, qset = imported(deck)
    assert result.title == "Gates"
    forget, lstm, curve, gru = qset.review
    assert (forget.type, forget.question) == ("open", "What does the **forget gate** decide?")
    assert forget.answer == "What the cell state drops.\nPer unit."
    assert lstm.type == "cloze"
    assert lstm.question == "An LSTM has {{c1::three}} gates and a {{c2::cell state::memory}}."
    assert lstm.explanation == "Count them."
    assert (curve.question, curve.answer) == ("Which curve is this?", "The sigmoid")
    assert (
        gru.question.startswith("List the GRU gates:") and "- one" in gru.question and "- two" in gru.question
    )
    assert gru.answer == "update & reset"


def test_media_other_note_types_and_empty_backs_are_reported(deck: bytes) -> None:
    result, _ = imported(deck)
    assert report(result) == [
        ("dropped", "note 3: media 'sigmoid.png' is referenced but not imported."),
        ("dropped", "note 3: media 'sigmoid.mp3' is referenced but not imported."),
        ("dropped", "note 5: note type 'Vocabulary' is neither Basic nor Cloze."),
        ("dropped", "note 6: the back is empty, so the question has no answer."),
        ("dropped", "the tags of 1 note(s) are not imported."),
    ]


def test_same_package_gives_the_same_ids(deck: bytes) -> None:
    _, first = imported(deck)
    _, second = imported(deck)
    assert [q.id for q in first.review] == [q.id for q in second.review]


def test_an_anki_pipe_stays_literal_and_mathjax_becomes_dollars(tmp_path: Path) -> None:
    data = package(
        tmp_path,
        [cloze(r"The norm {{c1::\(\|W\|\)}} and {{c2::a|b}}."), basic(r"\(h_t\)?", r"\[h_t = f(h_{t-1})\]")],
    )
    _, qset = imported(data)
    norm, maths = qset.review
    assert "{{c2::a\\|b}}" in norm.question
    assert maths.question == "$h_t$?" and maths.answer == "$$h_t = f(h_{t-1})$$"


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_the_newest_collection_format_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ImportFailed, match=r"collection\.anki21b.*not supported"):
        apkg.convert(zipped({"collection.anki21b": b"\x28\xb5\x2f\xfd", "media": b""}), "new.apkg", None)


def test_an_archive_with_a_path_outside_is_not_extracted(tmp_path: Path) -> None:
    data = zipped({"../../collection.anki2": b"x", "/etc/collection.anki21": b"x"})
    with pytest.raises(ImportFailed, match="no collection"):
        apkg.convert(data, "evil.apkg", None)
    assert not (tmp_path.parent / "collection.anki2").exists()


def test_a_collection_that_unpacks_too_large_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(apkg, "MAX_COLLECTION", 64 * 1024)
    with pytest.raises(ImportFailed, match="larger than"):
        apkg.convert(zipped({"collection.anki2": bytes(1024 * 1024)}), "bomb.apkg", None)


def test_a_colpkg_reads_like_an_apkg(deck: bytes) -> None:
    _, qset = imported(deck, "collection.colpkg")
    assert len(qset.review) == 4


def test_a_collection_that_is_not_sqlite_fails() -> None:
    with pytest.raises(ImportFailed):
        apkg.convert(zipped({"collection.anki2": b"not a database" * 100}), "x.apkg", None)


def test_a_collection_without_tables_fails(tmp_path: Path) -> None:
    path = tmp_path / "empty.anki2"
    sqlite3.connect(path).close()
    with pytest.raises(ImportFailed):
        apkg.convert(zipped({"collection.anki2": path.read_bytes()}), "x.apkg", None)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600))
def test_arbitrary_bytes_never_raise_anything_but_import_failed(data: bytes) -> None:
    with contextlib.suppress(ImportFailed):
        apkg.convert(data, "any.apkg", None)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_collection_bytes_never_raise_anything_but_import_failed(data: bytes) -> None:
    with contextlib.suppress(ImportFailed):
        apkg.convert(zipped({"collection.anki2": data}), "any.apkg", None)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="<>/&;#x=\"' abc\\()[]{}:lipbrdvumathsound", max_size=120))
def test_arbitrary_html_in_a_field_gives_a_set_that_parses(html: str) -> None:
    text = html_to_markdown(html).text
    result = build_set("Fuzz", [ImportedQuestion(type="open", text="Why?", answer=text or "x")], [])
    assert parse_file("fuzz.md", result.source.encode()).errors == ()
