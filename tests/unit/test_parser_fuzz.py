"""Property tests: the parser never raises, and every problem points at a line of the file."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.content import ParseResult, parse_file, parse_text

FRAGMENTS = [
    "+++",
    "---",
    "## Review",
    "## Preview",
    "## Keypoint",
    "## Explain",
    "## 知识测验",
    "## Related",
    "# Title",
    "1. ",
    "2) ",
    "Answer:",
    "A: ",
    "答：",
    "- [x] ",
    "- [ ] ",
    " — ",
    "{{c1::",
    "::hint",
    "}}",
    "ID: ",
    "Type: ",
    "choice",
    "Covers: ",
    "Accept: ",
    "Tags: ",
    "Explanation: ",
    "True",
    'dialect = "native"',
    "dialect: native",
    'title = "',
    "```",
    "~~~",
    "{{< a >}}",
    "{{< /a >}}",
    "\n",
    "\n",
    "\n\n",
    "\r\n",
    "   ",
    "x",
]

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


HEADING_LINES = [
    "## Review",
    "## review",
    "## Preview",
    "## Key points",
    "## Explain",
    "## 知识测验",
    "## Related webpage",
    "# A title",
]
LINE_STARTS = [
    "",
    "1. ",
    "1. ",
    "2) ",
    "   ",
    "Answer: ",
    "   Answer: ",
    "A: ",
    "答：",
    "   - [x] ",
    "   - [ ] ",
    "   ID: ",
    "   Type: ",
    "   Covers: ",
    "   Accept: ",
    "   Tags: ",
    "   Explanation: ",
    "```",
    "   ~~~python",
    "{{< ask >}}",
    "{{< /ask >}}",
    "+++",
    "---",
]
LINE_ENDS = [
    "",
    "What is a state?",
    "True",
    "False",
    "q1",
    "choice",
    "cloze",
    "open",
    "1, 2",
    "7",
    "{{c1::tanh}} bounds it",
    "{{c1::x::hint}}",
    "a — why",
    "x; y",
    "weight = 2",
    'title = "T"',
    "title: T",
]
HEADS = ["", '+++\ndialect = "native"\n+++\n', "---\ndialect: native\n---\n", '+++\ntitle = "T"\n+++\n']


def mixed(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Documents stitched together from format fragments and arbitrary text."""
    return st.lists(st.one_of(st.sampled_from(FRAGMENTS), text), max_size=60).map("".join)


def line_by_line(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Documents shaped like question sets: front matter, then lines that start like the format's."""
    body = st.tuples(st.sampled_from(LINE_STARTS), st.one_of(st.sampled_from(LINE_ENDS), text)).map("".join)
    line = st.one_of(st.sampled_from(HEADING_LINES), body, body, body)
    return st.tuples(st.sampled_from(HEADS), st.lists(line, max_size=40).map("\n".join)).map("".join)


ANY_TEXT = st.text(max_size=400)


ANY_DOCUMENT = st.one_of(
    st.text(max_size=400), mixed(st.text(max_size=12)), line_by_line(st.text(max_size=12))
)
ANY_BYTES = st.one_of(
    st.binary(max_size=400),
    line_by_line(st.text(max_size=8)).map(str.encode),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS).map(str.encode), st.binary(max_size=8)), max_size=60).map(
        b"".join
    ),
)


def line_count(text: str) -> int:
    """Lines as the parser counts them: CRLF and CR are line ends, nothing else is."""
    return len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def assert_lines_in_file(result: ParseResult, lines: int) -> None:
    for problem in (*result.errors, *result.warnings):
        assert 1 <= problem.line <= lines + 1, (problem, lines)
        assert problem.message.strip()


@SETTINGS
@given(ANY_DOCUMENT)
def test_parse_text_never_raises(text: str) -> None:
    result = parse_text("content/fuzz.md", text)
    assert isinstance(result, ParseResult)
    assert result.path == "content/fuzz.md"


@SETTINGS
@given(ANY_BYTES)
def test_parse_file_never_raises(data: bytes) -> None:
    result = parse_file("content/fuzz.md", data)
    assert isinstance(result, ParseResult)


@SETTINGS
@given(ANY_DOCUMENT)
def test_parse_text_problems_point_at_lines_of_the_file(text: str) -> None:
    result = parse_text("content/fuzz.md", text)
    assert_lines_in_file(result, line_count(text))


@SETTINGS
@given(ANY_BYTES)
def test_parse_file_problems_point_at_lines_of_the_file(data: bytes) -> None:
    result = parse_file("content/fuzz.md", data)
    lines = line_count(data.decode("utf-8-sig", errors="replace"))
    assert_lines_in_file(result, lines)


@SETTINGS
@given(ANY_DOCUMENT)
def test_a_set_is_returned_exactly_when_there_are_no_errors(text: str) -> None:
    result = parse_text("content/fuzz.md", text)
    if result.errors:
        assert result.question_set is None
        assert not result.ok
    else:
        assert result.question_set is not None
        assert result.ok


@SETTINGS
@given(ANY_DOCUMENT)
def test_review_ids_in_a_loaded_set_are_unique(text: str) -> None:
    result = parse_text("content/fuzz.md", text)
    if result.question_set is not None:
        ids = [item.id for item in result.question_set.review]
        assert len(ids) == len(set(ids))
