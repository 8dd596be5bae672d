"""Moodle XML import: every question type, question by question, with its report."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.content import parse_text
from app.content.importers import ImportFailed, convert
from app.content.importers.moodle_xml import convert as moodle_convert

FIXTURES = Path(__file__).parent.parent / "fixtures" / "banks" / "moodle_xml"


def _imported(name: str):
    result = moodle_convert((FIXTURES / name).read_bytes(), name, None)
    parsed = parse_text(f"{result.slug}.md", result.source)
    assert parsed.errors == ()
    assert parsed.question_set is not None
    return result, parsed.question_set


@pytest.fixture(scope="module")
def every_type():
    result, question_set = _imported("every_type.xml")
    return result, {q.id: q for q in question_set.review}, question_set


def _report(result, line: int) -> list[tuple[str, str]]:
    return [(r.action, r.message) for r in result.report if r.line == line]


def test_the_category_names_the_set(every_type):
    result, _, question_set = every_type
    assert question_set.title == "Recurrent basics"
    assert result.slug == "recurrent-basics"


def test_single_answer_multichoice_keeps_options_feedback_and_explanation(every_type):
    _, questions, _ = every_type
    q = questions["gate-count"]
    assert q.type == "choice"
    assert q.question == "How many gates does an **LSTM** cell have?"
    assert [(o.text, o.correct, o.explanation) for o in q.options] == [
        ("Three", True, "Right."),
        ("Two", False, "That is the GRU."),
        ("One", False, ""),
    ]
    assert q.explanation == "Forget, input and output."


def test_multiple_answer_multichoice_marks_every_positive_option_right(every_type):
    _, questions, _ = every_type
    q = questions["gated-cells"]
    assert [(o.text, o.correct) for o in q.options] == [("LSTM", True), ("GRU", True), ("Elman RNN", False)]


def test_truefalse_takes_the_right_answer_and_its_feedback(every_type):
    result, questions, _ = every_type
    q = questions["gru-forget"]
    assert (q.type, q.answer, q.explanation) == ("true-false", "False", "Right: update and reset gates.")
    assert ("dropped", "'gru-forget': answer feedback 'No: update and reset gates.'") in _report(result, 23)


def test_shortanswer_keeps_full_credit_answers_and_reports_partial_ones(every_type):
    result, questions, _ = every_type
    q = questions["bptt-name"]
    assert (q.type, q.answer, q.accept) == ("short", "backpropagation through time", ("BPTT",))
    assert ("dropped", "'bptt-name': partial-credit answer 'backpropagation'") in _report(result, 29)


def test_numerical_becomes_short_answer_with_its_tolerance(every_type):
    _, questions, _ = every_type
    q = questions["pi-approx"]
    assert (q.type, q.answer, q.tolerance) == ("short", "3.14", "0.01")


def test_essay_with_graderinfo_becomes_an_open_question_with_the_model_answer(every_type):
    _, questions, _ = every_type
    q = questions["why-gates"]
    assert q.type == "open"
    assert q.answer == "They let the gradient flow through the cell state *without* repeated squashing."


def test_essay_without_model_answer_is_reported_and_no_answer_is_invented(every_type):
    result, questions, question_set = every_type
    assert "open-reflection" not in questions
    assert [p.text for p in question_set.preview] == ["Describe a sequence task you care about."]
    assert any(a == "changed" and "no model answer" in m for a, m in _report(result, 47))


def test_cloze_blanks_become_deletions_and_dropdowns_are_reported(every_type):
    result, questions, _ = every_type
    q = questions["cloze-gates"]
    assert q.type == "cloze"
    assert q.question == "A GRU has an {{c1::update|update gate}} gate and a {{c2::reset}} gate."
    assert ("changed", "cloze 'cloze-gates': the drop-down blank 'reset' became a typed blank") in _report(
        result, 52
    )


def test_unmapped_types_and_missing_images_are_reported(every_type):
    result, questions, _ = every_type
    assert "match-cells" not in questions
    assert ("dropped", "a matching question 'match-cells' has no Unroll type") in _report(result, 56)
    assert questions["diagram"].question == "What does this unrolled graph show? [image: an unrolled RNN]"
    assert ("dropped", "image '@@PLUGINFILE@@/unrolled.png' is referenced but not in the file") in _report(
        result, 60
    )


def test_every_question_of_the_fixture_is_accounted_for(every_type):
    result, questions, _ = every_type
    assert list(questions) == [
        "gate-count", "gated-cells", "gru-forget", "bptt-name", "pi-approx", "why-gates", "cloze-gates", "diagram",
    ]  # fmt: skip
    assert len([r for r in result.report if r.action == "kept"]) == 8


def test_cloze_numbers_escapes_and_unmappable_blanks():
    result, question_set = _imported("cloze_and_media.xml")
    questions = {q.id: q for q in question_set.review}
    assert questions["cloze-numeric"].question.startswith("An LSTM layer with {{c1::4}} gate blocks")
    assert "{{c2::one}two}}" in questions["cloze-numeric"].question
    assert any("partial-credit answer 'half'" in r.message for r in result.report if r.line == 3)
    assert "cloze-multiresponse" not in questions
    assert "cloze-tolerance" not in questions
    messages = [(r.line, r.action, r.message) for r in result.report]
    assert (
        7,
        "dropped",
        "cloze 'cloze-multiresponse': a MULTIRESPONSE (several right options) blank cannot be a typed blank",
    ) in messages
    assert (
        11,
        "dropped",
        "cloze 'cloze-tolerance': the numeric blank '2.718' allows 0.01: a cloze blank is exact",
    ) in messages


def test_embedded_images_html_and_unanswerable_questions():
    result, question_set = _imported("cloze_and_media.xml")
    questions = {q.id: q for q in question_set.review}
    messages = [(r.line, r.action, r.message) for r in result.report]
    assert (15, "dropped", "embedded image 'cell.png' is not imported") in messages
    assert questions["embedded-picture"].question == "Which cell is drawn here?\n\n[image: a cell]"
    html = questions["html-options"]
    assert html.question == (
        "- first point\n- second point\n\nWhich of the [cells](https://example.org/rnn) above uses `tanh`?"
    )
    assert [o.text for o in html.options] == ["The *vanilla* RNN", "None"]
    assert (31, "dropped", "a description (no question) 'intro' has no Unroll type") in messages
    assert (35, "dropped", "multiple choice 'no-right' has no right option") in messages


def test_importing_the_same_file_again_gives_the_same_source_and_ids():
    data = (FIXTURES / "every_type.xml").read_bytes()
    assert moodle_convert(data, "a.xml", None).source == moodle_convert(data, "a.xml", None).source


def test_auto_detection_reads_an_xml_file_as_moodle_xml():
    assert "ID: gate-count" in convert((FIXTURES / "every_type.xml").read_bytes(), "bank.xml").source


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY a "aaaa">]><quiz>&a;</quiz>',
        b'<!DOCTYPE quiz SYSTEM "file:///etc/passwd"><quiz/>',
        b"<quiz><question type='truefalse'>",
        b"<html><body/></html>",
        b"\xff\xfe<quiz/>",
    ],
    ids=["entity", "external-dtd", "unclosed", "not-a-quiz", "not-utf8"],
)
def test_dtds_entities_and_broken_files_are_refused_with_import_failed(data: bytes):
    with pytest.raises(ImportFailed):
        moodle_convert(data, "bad.xml", None)


def test_a_broken_file_names_its_line():
    with pytest.raises(ImportFailed, match="line 3"):
        moodle_convert(b"<quiz>\n<question>\n<name></nam>\n</quiz>", "bad.xml", None)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_text_gives_a_result_or_import_failed(text: str):
    try:
        result = moodle_convert(text.encode("utf-8", "surrogatepass"), "any.xml", None)
    except ImportFailed:
        return
    assert parse_text("any.md", result.source).errors == ()


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(
        ["multichoice", "truefalse", "shortanswer", "numerical", "essay", "multianswer", "other"]
    ),
    _TEXT,
    st.lists(st.tuples(st.sampled_from(["100", "0", "50", "-100", "x"]), _TEXT), max_size=4),
)
def test_quiz_shaped_xml_gives_a_result_or_import_failed(kind: str, question: str, answers):
    from xml.sax.saxutils import escape

    body = "".join(f'<answer fraction="{f}"><text>{escape(a)}</text></answer>' for f, a in answers)
    xml = f'<quiz><question type="{kind}"><name><text>n</text></name><questiontext format="html"><text>{escape(question)}</text></questiontext>{body}</question></quiz>'
    try:
        result = moodle_convert(xml.encode("utf-8"), "any.xml", None)
    except ImportFailed:
        return
    assert parse_text("any.md", result.source).errors == ()


def test_a_file_in_its_declared_latin1_encoding_is_read():
    xml = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n<quiz>\n<question type="truefalse">'
        '<name><text>cafe</text></name><questiontext format="plain_text"><text>Caf\u00e9 is French.</text>'
        '</questiontext><answer fraction="100"><text>true</text></answer>'
        '<answer fraction="0"><text>false</text></answer></question>\n</quiz>'
    ).encode("latin-1")
    result = moodle_convert(xml, "latin.xml", None)
    assert "1. Caf\u00e9 is French." in result.source
    assert "Answer: True" in result.source
