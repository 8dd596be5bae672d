"""CSV/TSV flashcard exports converted to native sets, question by question."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.content import parse_file
from app.content.importers import ImportFailed, convert, csv_import, detect
from app.content.importers.native import ImportResult
from app.content.model import QuestionSet

BANKS = Path(__file__).parent.parent / "fixtures" / "banks" / "csv"


def imported(name: str) -> tuple[ImportResult, QuestionSet]:
    result = csv_import.convert((BANKS / name).read_bytes(), name, None)
    parsed = parse_file(f"{Path(name).stem}.md", result.source.encode())
    assert parsed.errors == () and parsed.question_set is not None, parsed.errors
    return result, parsed.question_set


def messages(result: ImportResult) -> list[tuple[int | None, str, str]]:
    return [(r.line, r.action, r.message) for r in result.report]


def test_anki_plain_text_export_with_headers() -> None:
    result, qset = imported("anki_notes.txt")
    first, cloze, picture = qset.review
    assert first.type == "open"
    assert first.question == "What does an RNN carry from one step to the next?"
    assert first.answer == "Its **hidden state**,\na vector."  # the tags column is not a field
    assert cloze.type == "cloze" and "{{c1::forget}}" in cloze.question
    assert cloze.explanation == "*Only in an LSTM.*"
    assert (picture.question, picture.answer) == ("What is shown here?", "The network & its copies")
    assert messages(result) == [
        (None, "dropped", "the guid, note type, deck and tags columns are not imported."),
        (6, "dropped", "a row without an answer (no second column)."),
        (7, "dropped", "media 'unrolled.png' is referenced but not imported."),
    ]


def test_front_back_columns_with_a_header_row() -> None:
    result, qset = imported("front_back.csv")
    clip, gru, bptt = qset.review
    assert (clip.type, clip.question) == ("open", "Why clip gradients?")
    assert clip.answer.startswith("So that one large step")
    assert gru.type == "cloze" and gru.question == "A GRU has {{c1::two}} gates."
    assert (bptt.question, bptt.answer) == ("What does BPTT stand for?", "Backpropagation through time")
    assert (1, "dropped", "the header row.") in messages(result)


def test_delimiter_is_sniffed_and_extra_columns_reported() -> None:
    result, qset = imported("semicolon.csv")
    (only,) = qset.review
    assert (only.question, only.answer) == (
        "What is the length of an unrolled RNN?",
        "The number of time steps",
    )
    assert (2, "dropped", "1 extra column(s) not imported.") in messages(result)


def test_same_file_gives_the_same_ids() -> None:
    _, first = imported("front_back.csv")
    _, second = imported("front_back.csv")
    assert [q.id for q in first.review] == [q.id for q in second.review]
    assert len({q.id for q in first.review}) == 3


def test_a_file_without_rows_is_reported() -> None:
    result = csv_import.convert(b"", "empty.csv", None)
    assert (None, "dropped", "The file holds no question rows.") in messages(result)


def test_undecodable_bytes_fail_with_a_message() -> None:
    with pytest.raises(ImportFailed):
        csv_import.convert(b"\x81\x8d\x8f\x90\x9d", "bad.csv", None)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise_anything_but_import_failed(data: bytes) -> None:
    try:
        result = csv_import.convert(data, "any.csv", None)
    except ImportFailed:
        return
    assert isinstance(result.source, str)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.text(max_size=30), min_size=1, max_size=4), max_size=5))
def test_arbitrary_rows_give_a_set_that_parses(rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    try:
        result = csv_import.convert(buffer.getvalue().encode(), "rows.csv", None)
    except ImportFailed:
        return
    parsed = parse_file("rows.md", result.source.encode())
    assert parsed.errors == ()


HEADERS = st.sampled_from(
    ["#separator:tab\n", "#separator:Comma\n", "#separator:\"\n", "#separator:\\\n", "#html:true\n", "#html:false\n",
     "#tags column:2\n", "#guid column:0\n", "#notetype column:99\n", "#deck:x\n"]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(HEADERS, max_size=4), st.text(alphabet="ab{}:c1\t,;|\"'<>&#\n ", max_size=120))
def test_anki_headers_and_arbitrary_rows_give_a_set_or_import_failed(headers: list[str], body: str) -> None:
    try:
        result = csv_import.convert(("".join(headers) + body).encode(), "notes.txt", None)
    except ImportFailed:
        return
    assert parse_file("notes.md", result.source.encode()).errors == ()


def test_an_anki_plain_text_export_is_found_by_its_headers_whatever_its_extension() -> None:
    data = (BANKS / "anki_notes.txt").read_bytes()
    assert detect(data, "anki_notes.txt") == "csv"
    assert convert(data, "anki_notes.txt").report  # converted, with its report
