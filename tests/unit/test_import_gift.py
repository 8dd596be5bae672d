"""GIFT import, question by question, against banks written for these tests; GIFT export round trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.content import QuestionSet, ReviewItem, parse_file, parse_text
from app.content.exporters.gift import export
from app.content.importers import ImportFailed, ImportResult, convert, detect

BANKS = Path(__file__).parents[1] / "fixtures" / "banks" / "gift"
CONTENT = Path(__file__).parents[2] / "content"


def imported(name: str) -> tuple[ImportResult, dict[str, ReviewItem], QuestionSet]:
    result = convert((BANKS / name).read_bytes(), name)
    parsed = parse_text(f"{result.slug}.md", result.source)
    assert parsed.errors == () and parsed.question_set is not None
    return result, {item.id: item for item in parsed.question_set.review}, parsed.question_set


def messages(result: ImportResult, line: int) -> list[tuple[str, str]]:
    return [(e.action, e.message) for e in result.report if e.line == line]


@pytest.fixture(scope="module")
def every() -> tuple[ImportResult, dict[str, ReviewItem], QuestionSet]:
    return imported("every-construct.gift")


def test_the_category_names_the_set_and_the_file_its_slug(every) -> None:
    result, _, qset = every
    assert (qset.title, qset.slug) == ("Recurrent networks", "every-construct")
    assert ("changed", "category '$course$/Recurrent networks': questions are kept in one set") in messages(
        result, 2
    )


def test_titles_become_ids_and_comments_are_not_questions(every) -> None:
    _, items, _ = every
    assert list(items) == [
        "gate-range", "two-right", "gru-forget", "bptt-true", "bptt-name", "steps", "pi", "range",
        "missing-word", "missing-choice", "match", "escapes", "html", "general",
    ]  # fmt: skip
    assert not any("A bank written" in item.question for item in items.values())


def test_single_answer_choice_keeps_option_feedback(every) -> None:
    item = every[1]["gate-range"]
    assert item.type.value == "choice" and item.question.startswith("Which activation")
    assert [(o.text, o.correct, o.explanation) for o in item.options] == [
        ("tanh", True, "Right: tanh maps into (-1, 1)."),
        ("sigmoid", False, "Its outputs lie between 0 and 1."),
        ("ReLU", False, "It is unbounded above."),
    ]


def test_weighted_options_are_right_when_their_weight_is_positive(every) -> None:
    result, items, _ = every
    item = items["two-right"]
    assert item.question == "Which of these are **gated** recurrent cells?"
    assert [(o.text, o.correct) for o in item.options] == [
        ("LSTM", True),
        ("GRU", True),
        ("Elman network", False),
    ]
    assert (
        "changed",
        "partial-credit weights: every option with a positive weight is a right option",
    ) in messages(result, 10)


def test_true_false_with_feedback(every) -> None:
    result, items, _ = every
    assert (items["gru-forget"].type.value, items["gru-forget"].answer) == ("true-false", "False")
    assert "update and reset gates" in items["gru-forget"].explanation
    assert (items["bptt-true"].answer, items["bptt-true"].explanation) == ("True", "")
    assert ("changed", "right- and wrong-answer feedback joined into the explanation") in messages(result, 17)


def test_short_answer_keeps_full_credit_answers_and_reports_partial_ones(every) -> None:
    result, items, _ = every
    item = items["bptt-name"]
    assert (item.type.value, item.answer, item.accept) == ("short", "backpropagation through time", ("BPTT",))
    assert ("dropped", "answer 'backprop' with 50% credit (only full-credit answers are kept)") in messages(
        result, 21
    )


def test_numerical_answers_tolerances_and_ranges(every) -> None:
    result, items, _ = every
    assert (items["steps"].type.value, items["steps"].answer, items["steps"].tolerance) == (
        "short",
        "4096",
        "",
    )
    assert (items["pi"].answer, items["pi"].tolerance) == ("3.14", "0.01")
    assert (items["range"].answer, items["range"].tolerance) == ("3", "2")
    assert ("changed", "range 1..5 became its midpoint with a tolerance of half its width") in messages(
        result, 31
    )


def test_missing_word_becomes_a_cloze_or_a_choice_with_a_blank(every) -> None:
    _, items, _ = every
    assert items["missing-word"].type.value == "cloze"
    assert (
        items["missing-word"].question == "An RNN applies the same {{c1::weights|parameters}} at every step."
    )
    choice = items["missing-choice"]
    assert choice.question == "The LSTM was published in _____ by Hochreiter and Schmidhuber."
    assert [(o.text, o.correct) for o in choice.options] == [("1990", False), ("1997", True), ("2014", False)]


def test_matching_becomes_one_cloze_blank_per_pair(every) -> None:
    result, items, _ = every
    assert items["match"].type.value == "cloze"
    assert (
        "- LSTM → {{c1::three}}" in items["match"].question
        and "- Elman → {{c3::none}}" in items["match"].question
    )
    assert ("changed", "matching question became a cloze: one blank per pair") in messages(result, 37)


def test_an_essay_has_no_invented_answer(every) -> None:
    result, items, qset = every
    assert "essay" not in items
    assert [p.text for p in qset.preview] == ["Explain in your own words why gradients vanish."]
    assert ("changed", "an essay has no answer in GIFT; none was invented") in messages(result, 43)
    assert ("changed", "a question with no answer became a preview question") in messages(result, 43)


def test_escaped_characters_are_literal(every) -> None:
    item = every[1]["escapes"]
    assert item.question == "Which symbols mark GIFT answers: ~, = and #, inside { and } with a title: ?"
    assert (item.answer, item.explanation) == ("~ and =", "they start answers")


def test_html_is_kept_and_reported_and_general_feedback_explains(every) -> None:
    result, items, qset = every
    assert items["html"].question == "<p>Which gate decides <b>what to forget</b>?</p>"
    assert ("changed", "HTML kept as raw HTML (sanitised when shown)") in messages(result, 49)
    assert items["general"].explanation == "The cell state is the LSTM's long-term memory."
    assert "This line has no answer block" in qset.explain


def test_what_cannot_be_read_is_reported_dropped() -> None:
    result, items, _ = imported("feedback-and-weights.gift")
    assert [(o.text, o.correct) for o in items["weights"].options] == [
        ("LSTM", True), ("GRU", True), ("Conv1D", False),
    ]  # fmt: skip
    assert (items["numbers"].answer, items["numbers"].accept) == ("3", ())
    assert ("dropped", "numerical answer '4' with 50% credit") in messages(result, 9)
    dropped = {e.line: e.message for e in result.report if e.action == "dropped"}
    assert ("dropped", "numerical feedback for any other answer") in messages(result, 9)
    assert (items["bare"].type.value, items["bare"].answer) == ("short", "maybe")
    assert ("changed", "HTML kept as raw HTML (sanitised when shown)") not in messages(result, 15)
    assert "unbalanced" in dropped[17]
    assert dropped[19] == "a choice question with an empty option"
    assert ("kept", "choice question") not in messages(result, 19)
    assert dropped[21] == "numerical answer 'three' is not a number, a number:tolerance or a range"
    assert set(items) == {"weights", "numbers", "bare"}


def test_importing_the_same_file_again_gives_the_same_ids() -> None:
    data = (BANKS / "every-construct.gift").read_bytes()
    first, second = convert(data, "a.gift"), convert(data, "a.gift")
    assert first.source == second.source
    untitled = b"What carries memory?{=the cell state}\n\nIs a GRU gated?{T}\n"
    ids = [i.id for i in parse_text("u.md", convert(untitled, "u.gift").source).question_set.review]
    assert ids == [i.id for i in parse_text("u.md", convert(untitled, "u.gift").source).question_set.review]
    assert all(i.startswith("q-") for i in ids) and len(set(ids)) == 2


def test_auto_detection_and_unreadable_files() -> None:
    assert detect(b"Q?{T}", "bank.gift") == "gift"
    assert detect(b"::a::Q?{=x ~y}", "bank.txt") == "gift"
    assert detect(b"Which?\nA. one\nB. two\nANSWER: B\n", "bank.txt") == "aiken"
    assert detect(b'<?xml version="1.0"?><quiz></quiz>', "export") == "moodle-xml"
    assert detect(b"front,back\nQ,A\n", "deck.csv") == "csv"
    assert detect(b"PK\x03\x04", "deck.apkg") == "apkg"
    assert detect(b"1. Why?\n", "questions.txt", answers=b"1. Because.") == "qa-lists"
    assert detect(b"Preview\nUser ask:\nx\nChatGPT answer:\ny", "page.txt") == "page-export"
    with pytest.raises(ImportFailed, match="unknown format 'pdf'"):
        convert(b"x", "a.pdf", "pdf")
    with pytest.raises(ImportFailed, match="not UTF-8"):
        convert(b"\xff\xfe{T}", "bad.gift")
    with pytest.raises(ImportFailed, match="no GIFT question"):
        convert(b"// only a comment\n", "empty.gift")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.text(max_size=40),
            st.sampled_from(
                [
                    "{",
                    "}",
                    "~",
                    "=",
                    "#",
                    "->",
                    "::",
                    "\\",
                    "%50%",
                    "{T}",
                    "{#",
                    "..",
                    ":",
                    "\n\n",
                    "//",
                    "$CATEGORY:",
                    "[html]",
                    "{{c1::",
                ]
            ),
        ),
        max_size=30,
    ).map("".join)
)
def test_arbitrary_text_gives_a_set_or_import_failed(text: str) -> None:
    try:
        result = convert(text.encode("utf-8", "surrogatepass"), "fuzz.gift", "gift")
    except ImportFailed:
        return
    assert parse_text("fuzz.md", result.source).errors == ()


def _same(original: ReviewItem, again: ReviewItem) -> None:
    assert (again.type, again.question.strip(), again.answer.strip()) == (
        original.type, original.question.strip(), original.answer.strip(),
    )  # fmt: skip
    assert [(o.text, o.correct) for o in again.options] == [(o.text, o.correct) for o in original.options]
    assert set(again.accept) == set(original.accept) - {original.answer}
    assert again.explanation.strip() == original.explanation.strip()


@pytest.mark.parametrize("path", sorted(CONTENT.glob("*.md")), ids=lambda p: p.name)
def test_every_set_round_trips_through_gift(path: Path) -> None:
    original = parse_file(str(path), path.read_bytes()).question_set
    assert original is not None
    again = parse_text(path.name, convert(export(original).encode(), f"{original.slug}.gift").source)
    assert again.errors == () and again.question_set is not None
    assert again.question_set.title == original.title
    before = {item.id: item for item in original.review}
    after = {item.id: item for item in again.question_set.review}
    assert list(after) == list(before)
    for key, item in before.items():
        _same(item, after[key])


def test_the_shapes_moodle_itself_exports() -> None:
    result, items, _ = imported("moodle-export-style.gift")
    assert (items["hidden-size"].type.value, items["hidden-size"].answer, items["hidden-size"].tolerance) == (
        "short", "8", "",
    )  # fmt: skip
    assert [(o.text, o.correct) for o in items["two-gates"].options] == [("GRU", True), ("LSTM", False)]
    assert (items["tf"].answer, items["tf"].explanation) == ("True", "Yes: the cell state is its memory.")
    assert (items["sa"].answer, items["sa"].accept) == (
        "backpropagation through time",
        ("back-propagation through time",),
    )
    assert ("changed", "[moodle] text read as Markdown") in messages(result, 2)


def test_gift_export_shapes() -> None:
    source = """+++
title = "Shapes"
dialect = "native"
+++
## Review
1. Pick the gated cells.
   - [x] LSTM — three gates
   - [x] GRU
   - [ ] Elman
   ID: many
2. Width {{c1::8|eight}} units here.
   ID: one-blank
3. What is 1/4 as a decimal?
   Answer: 0.25
   Accept: .25; 1/4
   Tolerance: 10%
   ID: num
4. Why share weights?
   Answer: So any length works.
   Explanation: See unrolling.
   ID: open
"""
    qset = parse_text("shapes.md", source).question_set
    text = export(qset)
    assert (
        "::many::[markdown]Pick the gated cells.{\n\t~%50%LSTM#three gates\n\t~%50%GRU\n\t~%-100%Elman\n}"
        in text
    )
    assert '// unroll-cloze: {"text": "Width {{c1::8|eight}} units here."}\n' in text
    assert "::one-blank::[markdown]Width {=8 =eight} units here." in text
    assert (
        '// unroll-accept: ["1/4"]\n::num::[markdown]What is 1/4 as a decimal?{#=0.25:0.025 =.25:0.025}'
        in text
    )
    assert (
        '// unroll-answer: "So any length works."\n::open::[markdown]Why share weights?{####See unrolling.}'
        in text
    )
