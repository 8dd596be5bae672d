"""Every content error names the line to fix and says how; a file with errors is not loaded."""

from __future__ import annotations

import pytest

from app.content import ParseResult, Problem, parse_file, parse_text

NATIVE_HEAD = '+++\ndialect = "native"\n+++\n'


def only_error(text: str, path: str = "content/set.md") -> Problem:
    """Parse `text`, check it was refused, and return its single error."""
    result = parse_text(path, text)
    assert result.question_set is None
    assert not result.ok
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


# --- front matter ---------------------------------------------------------------------------------


def test_toml_front_matter_never_closed() -> None:
    text = '+++\ntitle = "Gates"\nweight = 3\n## Review\n1. What is a gate?\nAnswer: A sigmoid layer.\n'
    error = only_error(text)
    assert error.line == 1
    assert "never closed" in error.message
    assert "add a line holding only '+++'" in error.message


def test_yaml_front_matter_never_closed() -> None:
    text = "---\ntitle: Gates\nweight: 3\n## Review\n1. What is a gate?\nAnswer: A sigmoid layer.\n"
    error = only_error(text)
    assert error.line == 1
    assert "never closed" in error.message
    assert "add a line holding only '---'" in error.message


def test_invalid_toml_points_at_the_bad_line_of_the_file() -> None:
    text = '+++\ntitle = "Gates"\nweight = = 3\ndescription = "fine"\n+++\n## Review\n1. Q?\nAnswer: A.\n'
    error = only_error(text)
    assert error.line == 3
    assert "invalid TOML front matter" in error.message
    assert "Invalid value" in error.message


def test_invalid_toml_on_the_last_front_matter_line_points_at_that_line() -> None:
    text = '+++\ntitle = "Gates"\nweight =\n+++\n## Review\n1. Q?\nAnswer: A.\n'
    assert only_error(text).line == 3


def test_invalid_toml_message_is_not_garbled() -> None:
    text = '+++\ntitle = "Gates"\nweight = = 3\n+++\n## Review\n1. Q?\nAnswer: A.\n'
    message = only_error(text).message
    assert "(," not in message
    assert message.count("(") == message.count(")")


@pytest.mark.parametrize(
    ("front", "bad_line"),
    [
        ("title: Gates\n  weight: : 3\ndescription: fine\n", 3),
        ("title: Gates\ndescription: fine\nweight: 3: 4\nslug: gates\n", 4),
        ("title: Gates\n\tweight: 3\n", 3),
        ("title: Gates\ndescription: fine\ntags: [a, b]\nweight: {3\n", 5),
    ],
)
def test_invalid_yaml_points_at_the_bad_line_of_the_file(front: str, bad_line: int) -> None:
    text = f"---\n{front}---\n## Review\n1. Q?\nAnswer: A.\n"
    error = only_error(text)
    assert error.line == bad_line
    assert "invalid YAML front matter" in error.message


def test_yaml_front_matter_that_is_not_a_mapping() -> None:
    error = only_error("---\n- title\n- weight\n---\n## Review\n1. Q?\nAnswer: A.\n")
    assert error.line == 2
    assert "'key: value'" in error.message


def test_invalid_yaml_line_stays_inside_the_file_when_front_matter_holds_unicode_line_separators() -> None:
    text = "---\n" + "\u2028" * 12 + "]\n---\n"
    error = only_error(text)
    assert error.line == 2


# --- weight ---------------------------------------------------------------------------------------


def test_weight_that_is_not_a_number() -> None:
    error = only_error('+++\ntitle = "Gates"\nweight = "heavy"\n+++\n## Review\n1. Q?\nAnswer: A.\n')
    assert error.line == 3
    assert "weight 'heavy' is not a number" in error.message


def test_weight_that_is_not_a_number_points_at_the_weight_line() -> None:
    error = only_error('+++\nweight = "heavy"\ntitle = "Gates"\n+++\n## Review\n1. Q?\nAnswer: A.\n')
    assert error.line == 2


@pytest.mark.parametrize(
    "front",
    ["+++\nweight = inf\n+++\n", '+++\nweight = "inf"\n+++\n', "---\nweight: .inf\n---\n"],
    ids=["toml-float", "toml-string", "yaml"],
)
def test_an_infinite_weight_is_reported_not_raised(front: str) -> None:
    result = parse_text("content/set.md", front + "## Review\n1. Q?\nAnswer: A.\n")
    assert result.question_set is None
    assert [error.line for error in result.errors] == [2]


@pytest.mark.parametrize(
    "front",
    ["+++\nweight = " + "[" * 5000 + "\n+++\n", "---\nweight: " + "[" * 5000 + "\n---\n"],
    ids=["toml", "yaml"],
)
def test_deeply_nested_front_matter_is_reported_not_raised(front: str) -> None:
    result = parse_text("content/set.md", front + "## Review\n1. Q?\nAnswer: A.\n")
    assert result.question_set is None
    assert result.errors
    assert all(1 <= error.line <= 3 for error in result.errors)


# --- review questions -----------------------------------------------------------------------------


def test_page_review_question_without_an_answer() -> None:
    text = """## Review
1. What does a forget gate do?
Answer: It scales down parts of the cell state.

2. What does an input gate do?

3. What does an output gate do?
Answer: It decides what part of the cell state is shown.
"""
    error = only_error(text)
    assert error.line == 5
    assert "has no answer" in error.message
    assert "add a line starting with 'Answer:'" in error.message


def test_native_review_question_without_an_answer() -> None:
    text = NATIVE_HEAD + "## Review\n1. Explain what a reset gate does.\n   ID: reset-gate\n"
    error = only_error(text)
    assert error.line == 5
    assert "add a line starting with 'Answer:'" in error.message


def test_unknown_question_type_points_at_the_type_line() -> None:
    text = NATIVE_HEAD + "## Review\n1. Explain recurrence.\n   Answer: A loop.\n   Type: essay\n   ID: rec\n"
    error = only_error(text)
    assert error.line == 7
    assert "unknown question type 'essay'" in error.message
    assert "use open, choice, true-false, cloze or short" in error.message


@pytest.mark.parametrize(
    ("type_name", "needs"),
    [
        ("choice", "option lines such as '- [x] right'"),
        ("cloze", "a deletion such as {{c1::answer}}"),
        ("true-false", "'Answer: True' or 'Answer: False'"),
    ],
)
def test_a_type_that_does_not_fit_the_question(type_name: str, needs: str) -> None:
    text = (
        NATIVE_HEAD
        + f"## Review\n1. Explain recurrence.\n   Answer: A loop.\n   Type: {type_name}\n   ID: rec\n"
    )
    error = only_error(text)
    assert error.line == 7
    assert f"'Type: {type_name}' does not fit this question" in error.message
    assert needs in error.message


def test_a_choice_without_a_correct_option() -> None:
    text = NATIVE_HEAD + "## Review\n1. Pick the gated cell.\n   - [ ] Elman\n   - [ ] Jordan\n   ID: pick\n"
    error = only_error(text)
    assert error.line == 5
    assert "one marked '[x]'" in error.message


def test_a_duplicated_section() -> None:
    text = """## Review
1. What is a time step?
Answer: One position in the sequence.

## Preview
1. How long can a sequence be?

## review
1. What is unrolling?
Answer: Copying the cell once per step.
"""
    error = only_error(text)
    assert error.line == 8
    assert "appears twice (first on line 1)" in error.message
    assert "merge the two into one" in error.message


def test_a_duplicated_id_in_the_native_dialect() -> None:
    text = (
        NATIVE_HEAD
        + "## Review\n1. Explain recurrence.\n   Answer: A loop.\n   ID: rec\n\n"
        + "2. Explain unrolling.\n   Answer: One copy per step.\n   ID: rec\n"
    )
    error = only_error(text)
    assert error.line == 9
    assert "duplicated id 'rec' (first used on line 5)" in error.message
    assert "give this question its own ID" in error.message


def test_a_duplicated_question_in_the_page_dialect() -> None:
    text = """## Review
1. What is a hidden state?
Answer: The summary carried between steps.

2. what is a HIDDEN state
Answer: The cell's memory.
"""
    error = only_error(text)
    assert error.line == 5
    assert "repeats the one on line 2" in error.message
    assert "remove one of them or reword it" in error.message


def test_a_native_question_without_an_id() -> None:
    text = NATIVE_HEAD + "## Review\n1. Explain recurrence.\n   Answer: A loop.\n"
    error = only_error(text)
    assert error.line == 5
    assert "has no id" in error.message
    assert "add a line 'ID: a-short-name'" in error.message


def test_an_id_with_spaces() -> None:
    text = NATIVE_HEAD + "## Review\n1. Explain recurrence.\n   Answer: A loop.\n   ID: the loop\n"
    error = only_error(text)
    assert error.line == 7
    assert "only letters, digits, '-' and '_'" in error.message


COVERS = (
    NATIVE_HEAD
    + "## Keypoint\n1. Weights are shared.\n2. State is carried.\n\n"
    + "## Review\n1. Explain recurrence.\n   Answer: A loop.\n   ID: rec\n   Covers: 1, 3\n"
)


def test_covers_naming_a_key_point_that_does_not_exist() -> None:
    error = only_error(COVERS)
    assert "'Covers: 3' names a key point that does not exist (the set has 2)" in error.message


def test_covers_error_points_at_the_covers_line() -> None:
    assert only_error(COVERS).line == 12


def test_a_malformed_covers_value_points_at_the_covers_line() -> None:
    text = NATIVE_HEAD + "## Keypoint\n1. A.\n\n## Review\n1. Q?\n   Answer: A.\n   ID: q\n   Covers: first\n"
    error = only_error(text)
    assert error.line == 11
    assert "must list key point numbers such as 1, 3" in error.message


# --- whole files ----------------------------------------------------------------------------------


def test_a_file_that_is_not_utf8_names_the_line_of_the_bad_byte() -> None:
    data = b"## Review\n1. What is a gate?\nAnswer: A layer.\n2. Caf\xe9 au lait?\nAnswer: No.\n"
    result = parse_file("content/set.md", data)
    assert result.question_set is None
    assert [error.line for error in result.errors] == [4]
    assert "save it with UTF-8 encoding" in result.errors[0].message


def test_a_utf8_byte_order_mark_is_accepted() -> None:
    data = b"\xef\xbb\xbf" + "## Review\n1. Qu'est-ce qu'une porte ?\nAnswer: Une couche sigmoïde.\n".encode()
    result = parse_file("content/set.md", data)
    assert result.errors == ()
    assert result.question_set is not None
    assert result.question_set.review[0].answer == "Une couche sigmoïde."


@pytest.mark.parametrize(
    "text", ["", "   ", "\n\n\n", " \t\n  \r\n"], ids=["empty", "spaces", "newlines", "mixed"]
)
def test_an_empty_or_blank_file(text: str) -> None:
    error = only_error(text)
    assert error.line == 1
    assert "the file is empty" in error.message
    assert "add at least a '## Review' section" in error.message


def test_a_file_with_no_known_section() -> None:
    text = '+++\ntitle = "Notes"\n+++\n## Further reading\n- a link\n'
    error = only_error(text)
    assert error.line == 4
    assert "no known section" in error.message
    assert "add '## Preview', '## Explain', '## Keypoint' or '## Review'" in error.message


def test_crlf_line_endings_do_not_shift_line_numbers() -> None:
    text = "## Review\r\n1. Q one?\r\nAnswer: A.\r\n\r\n2. Q two?\r\n"
    error = only_error(text)
    assert error.line == 5


ERROR_FILES = {
    "toml-open": '+++\ntitle = "x"\n## Review\n1. Q?\nAnswer: A.\n',
    "yaml-open": "---\ntitle: x\n## Review\n1. Q?\nAnswer: A.\n",
    "toml-bad": '+++\ntitle = = "x"\n+++\n## Review\n1. Q?\nAnswer: A.\n',
    "yaml-bad": "---\ntitle: [x\n---\n## Review\n1. Q?\nAnswer: A.\n",
    "no-answer": "## Review\n1. Q?\n",
    "unknown-type": NATIVE_HEAD + "## Review\n1. Q?\n   Answer: A.\n   Type: essay\n   ID: q\n",
    "misfit-type": NATIVE_HEAD + "## Review\n1. Q?\n   Answer: A.\n   Type: cloze\n   ID: q\n",
    "dup-section": "## Review\n1. Q?\nAnswer: A.\n## Review\n1. R?\nAnswer: B.\n",
    "dup-id": NATIVE_HEAD + "## Review\n1. Q?\n   Answer: A.\n   ID: q\n2. R?\n   Answer: B.\n   ID: q\n",
    "dup-question": "## Review\n1. Q?\nAnswer: A.\n2. q\nAnswer: B.\n",
    "empty": "",
    "no-section": "Just some text.\n",
    "no-id": NATIVE_HEAD + "## Review\n1. Q?\n   Answer: A.\n",
    "covers": NATIVE_HEAD + "## Review\n1. Q?\n   Answer: A.\n   ID: q\n   Covers: 1\n",
}


@pytest.mark.parametrize("text", list(ERROR_FILES.values()), ids=list(ERROR_FILES))
def test_a_file_with_errors_is_not_loaded(text: str) -> None:
    result = parse_text("content/broken.md", text)
    assert isinstance(result, ParseResult)
    assert result.path == "content/broken.md"
    assert result.errors
    assert result.question_set is None
    assert result.ok is False
    for error in result.errors:
        assert error.line >= 1
        assert error.describe("content/broken.md").startswith(f"content/broken.md:{error.line}: ")


def test_problems_in_several_questions_are_all_reported() -> None:
    text = (
        NATIVE_HEAD
        + "## Review\n1. Q one?\n   Answer: A.\n\n"
        + "2. Q two?\n   Answer: B.\n   Type: essay\n   ID: two\n\n"
        + "3. Q three?\n   ID: three\n"
    )
    result = parse_text("content/set.md", text)
    assert result.question_set is None
    assert sorted(error.line for error in result.errors) == [5, 10, 13]
