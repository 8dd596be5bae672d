"""Issue 12: the plain-text page export and the question list + answer list, question by question."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.content import parse_text
from app.content.importers import ImportFailed, ImportResult, convert, detect, page_export, qa_lists
from app.content.model import QuestionSet

FIXTURES = Path(__file__).parent.parent / "fixtures" / "banks" / "pages"
ROOT = Path(__file__).resolve().parents[2]
SEEDS = next(
    (p for p in (ROOT.parent / "shared" / "seeds", ROOT.parent.parent / "shared" / "seeds") if p.is_dir()),
    ROOT.parent / "shared" / "seeds",
)


def _read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _parsed(result: ImportResult) -> QuestionSet:
    parsed = parse_text(f"{result.slug}.md", result.source)
    assert parsed.errors == (), parsed.errors
    assert parsed.question_set is not None
    return parsed.question_set


def _messages(result: ImportResult, action: str) -> list[tuple[int | None, str]]:
    return [(entry.line, entry.message) for entry in result.report if entry.action == action]


# --- the plain-text page export ------------------------------------------------------------------


def test_the_page_export_keeps_title_sections_and_reads_restarting_numbers_in_order() -> None:
    result = page_export.convert(_read("gated_cells_page.txt"), "gated_cells_page.txt", None)
    qs = _parsed(result)

    assert qs.title == "Gated recurrent cells" and result.slug == "gated-recurrent-cells"
    assert [item.text for item in qs.preview][:3] == [
        "Why does a plain recurrent cell forget early inputs?",
        "Which gates does an LSTM cell have?",
        "How does a GRU cell manage with fewer gates?",
    ]
    assert qs.explain.startswith("A gated cell decides, at every step,")
    assert "element by element." in qs.explain and "User ask" not in qs.explain
    assert [item.text for item in qs.keypoints] == [
        "An LSTM keeps a separate cell state next to its hidden state.",
        "A GRU merges the two states and uses an update gate and a reset gate.",
    ]


def test_each_review_question_keeps_its_answer_over_several_paragraphs() -> None:
    qs = _parsed(page_export.convert(_read("gated_cells_page.txt"), "p.txt", None))

    assert [(q.type, q.question) for q in qs.review] == [
        ("open", "What does the forget gate of an LSTM control?"),
        ("open", "Why do gates help gradients flow?"),
    ]
    assert qs.review[0].answer == "How much of the previous cell state is carried into the next step."
    assert qs.review[1].answer.startswith("The additive update of the cell state")
    assert qs.review[1].answer.endswith("A forget gate close to 1 keeps that path open.")


def test_prompts_are_dropped_and_reported_with_their_lines() -> None:
    result = page_export.convert(_read("gated_cells_page.txt"), "p.txt", None)
    dropped = _messages(result, "dropped")

    assert [line for line, message in dropped if "prompt" in message] == [5, 15, 26, 36]
    assert any("list three questions a beginner could ask" in message for _, message in dropped)
    assert "list three questions" not in result.source and "ChatGPT" not in result.source


def test_the_restarted_numbering_and_an_unanswered_review_question_are_reported() -> None:
    result = page_export.convert(_read("gated_cells_page.txt"), "p.txt", None)
    changed = _messages(result, "changed")
    qs = _parsed(result)

    assert (32, "key point numbered 1 counted as number 2") in changed
    assert (44, "review question numbered 1 counted as number 2") in changed
    assert any(line == 50 and "became a preview question" in message for line, message in changed)
    assert qs.preview[-1].text == "Name one task where a GRU is a good first choice."


def test_importing_the_same_page_twice_gives_the_same_ids() -> None:
    first = _parsed(page_export.convert(_read("gated_cells_page.txt"), "a.txt", None))
    second = _parsed(page_export.convert(_read("gated_cells_page.txt"), "b.txt", None))

    assert [q.id for q in first.review] == [q.id for q in second.review]
    assert len({q.id for q in first.review}) == 2


def test_auto_detection_sends_a_page_with_prompts_to_the_page_export_importer() -> None:
    result = convert(_read("gated_cells_page.txt"), "gated_cells_page.txt")

    assert result.title == "Gated recurrent cells"


def test_text_with_no_section_is_refused_with_a_reason() -> None:
    with pytest.raises(ImportFailed, match="no Preview, Explain, Keypoint or Review section"):
        page_export.convert(b"just some words\nand more words\n", "x.txt", None)


# --- the question list and the answer list -------------------------------------------------------


def test_questions_pair_with_answers_by_number_and_the_unanswered_become_preview() -> None:
    result = qa_lists.convert(_read("sequence_questions.txt"), "q.txt", _read("sequence_answers.txt"))
    qs = _parsed(result)

    assert qs.title == "Sequence models"
    assert [q.question for q in qs.review] == [
        "What is a time step in a sequence model?",
        "Why are the weights shared across time steps?",
        "What limits truncated backpropagation through time?",
    ]
    assert qs.review[0].answer.startswith("A time step is one position of the sequence")
    assert qs.review[1].answer == (
        "Sharing lets one set of weights handle sequences of any length.\n"
        "It also keeps the parameter count independent of the length."
    )
    assert qs.review[2].answer == "Dependencies longer than the truncation window get no gradient."
    assert [item.text for item in qs.preview] == ["How is a hidden state initialised?"]


def test_the_question_list_report_names_every_line_it_did_not_keep() -> None:
    result = qa_lists.convert(_read("sequence_questions.txt"), "q.txt", _read("sequence_answers.txt"))
    dropped = _messages(result, "dropped")
    changed = _messages(result, "changed")

    assert (1, "page header: “Course portal”") in dropped and (2, "page header: “Menu”") in dropped
    assert any(line == 15 and "Next: Attention" in message for line, message in dropped)
    assert any(line == 15 and "©2024 Course portal" in message for line, message in dropped)
    assert (None, "answer list line 7: answer 7 has no question 7") in dropped
    assert (None, "answer list line 3: question 1 already has an answer under it") in dropped
    assert (None, "answer list line 4: an answer without a number, taken as answer 2") in changed
    assert (13, "question 4 has no answer: it became a preview question") in changed
    assert "Next: Attention" not in result.source and "Course portal" not in result.source
    answer_lines = [e.message.split(":")[0] for e in result.report if e.line is None]
    assert answer_lines == ["answer list line 3", "answer list line 4", "answer list line 7"]


def test_a_numbered_question_list_without_answers_becomes_preview_questions() -> None:
    result = qa_lists.convert(_read("numbered_questions.txt"), "numbered_questions.txt", None)
    qs = _parsed(result)

    assert qs.title == "Embeddings for sequences" and qs.review == ()
    assert len(qs.preview) == 3
    assert len([m for _, m in _messages(result, "changed") if "became a preview question" in m]) == 3


def test_a_numbered_answer_list_pairs_by_number() -> None:
    result = convert(_read("numbered_questions.txt"), "n.txt", "auto", _read("numbered_answers.txt"))
    qs = _parsed(result)

    assert [(q.question, q.answer) for q in qs.review] == [
        ("What does an embedding layer map each token to?", "A dense vector of a fixed, small size."),
        (
            "Why is a one-hot input wasteful for a large vocabulary?",
            "Its length equals the vocabulary size and all but one entry are zero.",
        ),
    ]
    assert [item.text for item in qs.preview] == [
        "Can embeddings be trained together with the recurrent layer?"
    ]


def test_a_file_with_no_question_is_refused() -> None:
    with pytest.raises(ImportFailed, match="no question found"):
        qa_lists.convert(b"Only a heading\n\nand a sentence.\n", "x.txt", None)


# --- never raise, and the seeds convert -----------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=600), st.one_of(st.none(), st.text(max_size=200)))
def test_arbitrary_text_gives_a_result_or_import_failed(text: str, answers: str | None) -> None:
    extra = answers.encode("utf-8") if answers is not None else None
    for module in (page_export, qa_lists):
        try:
            result = module.convert(text.encode("utf-8"), "x.txt", extra)
        except ImportFailed:
            continue
        assert isinstance(result, ImportResult) and result.source.startswith("+++")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Review",
                "Preview",
                "Explain",
                "Keypoint",
                "User ask:",
                "ChatGPT answer:",
                "  1. Why?",
                "Answer: Because.",
                "",
                "# Title",
                "- 2. x",
                "plain words",
            ]
        ),
        max_size=30,
    )
)
def test_page_shaped_noise_never_raises(lines: list[str]) -> None:
    data = "\n".join(lines).encode("utf-8")
    for module in (page_export, qa_lists):
        with contextlib.suppress(ImportFailed):
            module.convert(data, "x.txt", data)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed pages are not checked out next to the project")
def test_the_seed_pages_convert_without_error() -> None:
    page = next(SEEDS.glob("001_*.txt")).read_bytes()
    questions = next(SEEDS.glob("002_*.txt")).read_bytes()
    answers = next(SEEDS.glob("004_*.txt")).read_bytes()

    for result in (
        page_export.convert(page, "001.txt", None),
        qa_lists.convert(questions, "002.txt", answers),
    ):
        _parsed(result)


def test_a_page_export_without_its_prompts_is_still_found_by_its_section_lines() -> None:
    page = (FIXTURES / "gated_cells_page.txt").read_text(encoding="utf-8")
    without_prompts = "\n".join(
        line for line in page.splitlines() if not line.startswith(("User ask:", "ChatGPT answer:"))
    )
    assert detect(without_prompts.encode("utf-8"), "page.txt") == "page-export"
    assert detect(b"1. What is an RNN?\n2. Why unroll it?\n", "list.txt") == "qa-lists"
