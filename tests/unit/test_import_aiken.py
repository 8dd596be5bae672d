"""Aiken import: question by question, malformed items reported with their line, never a crash."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from app.content import parse_text
from app.content.importers import ImportFailed, convert
from app.content.importers.aiken import convert as aiken_convert

FIXTURES = Path(__file__).parent.parent / "fixtures" / "banks" / "aiken"


def _imported(name: str):
    result = aiken_convert((FIXTURES / name).read_bytes(), name, None)
    parsed = parse_text(f"{result.slug}.md", result.source)
    assert parsed.errors == ()
    assert parsed.question_set is not None
    return result, parsed.question_set.review


def test_each_aiken_question_becomes_a_choice_question_with_its_right_option():
    _, review = _imported("mixed.txt")
    assert [q.question for q in review] == [
        "Which cell has a separate memory cell next to its hidden state?",
        "Which function squashes its input into (0, 1)?",
        "Which step unrolls the network through time?",
    ]
    assert all(q.type == "choice" for q in review)
    assert [[(o.text, o.correct) for o in q.options] for q in review] == [
        [("LSTM", True), ("GRU", False), ("Elman RNN", False)],
        [("tanh", False), ("sigmoid", True), ("ReLU", False), ("identity", False)],
        [("BPTT", True), ("Dropout", False)],
    ]


def test_malformed_aiken_items_are_reported_dropped_with_their_line():
    result, _ = _imported("mixed.txt")
    dropped = {(r.line, r.message) for r in result.report if r.action == "dropped"}
    assert (14, "no 'ANSWER:' line after the options") in dropped
    assert (21, "'ANSWER: E' names no option") in dropped
    assert any(line == 23 and "fewer than two options" in message for line, message in dropped)
    kept = [r.line for r in result.report if r.action == "kept"]
    assert kept == [1, 7, 25]


def test_importing_the_same_aiken_file_again_gives_the_same_ids():
    data = (FIXTURES / "mixed.txt").read_bytes()
    assert aiken_convert(data, "mixed.txt", None).source == aiken_convert(data, "mixed.txt", None).source


def test_auto_detection_sends_an_aiken_file_to_the_aiken_importer():
    result = convert((FIXTURES / "mixed.txt").read_bytes(), "bank.aiken")
    assert "- [x] LSTM" in result.source


def test_a_file_that_is_not_utf8_is_refused_with_import_failed():
    try:
        aiken_convert(b"Q?\nA. \xff\nB. b\nANSWER: A\n", "bad.txt", None)
    except ImportFailed as failed:
        assert "UTF-8" in str(failed)
    else:
        raise AssertionError("expected ImportFailed")


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_text_gives_a_result_or_import_failed(text: str):
    try:
        result = aiken_convert(text.encode("utf-8", "surrogatepass"), "any.txt", None)
    except ImportFailed:
        return
    assert parse_text("any.md", result.source).errors == ()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(min_size=1, max_size=30),
            st.lists(st.text(min_size=1, max_size=20), min_size=0, max_size=5),
            st.sampled_from(["A", "B", "C", "Z", "", "AB"]),
        ),
        max_size=5,
    )
)
def test_aiken_shaped_text_gives_a_result_or_import_failed(items):
    blocks = []
    for question, options, answer in items:
        lines = [question] + [f"{chr(65 + i)}. {o}" for i, o in enumerate(options)] + [f"ANSWER: {answer}"]
        blocks.append("\n".join(lines))
    try:
        result = aiken_convert("\n\n".join(blocks).encode("utf-8", "surrogatepass"), "any.txt", None)
    except ImportFailed:
        return
    assert parse_text("any.md", result.source).errors == ()
