"""The card browser's search parser: every term, operator and combination, and its errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.srs.search import (
    And,
    InSet,
    Introduced,
    Is,
    Not,
    Or,
    Prop,
    Rated,
    SearchError,
    Tag,
    Text,
    parse,
)


@pytest.mark.parametrize("query", ["", "   ", "\t\n"])
def test_an_empty_query_finds_every_card(query: str) -> None:
    assert parse(query) is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hidden", Text("hidden")),
        ('"hidden state"', Text("hidden state")),
        ("set:lstm", InSet("lstm")),
        ('set:"LSTM"', InSet("lstm")),
        ("tag:Sampling", Tag("sampling")),
        ("tag:gate*", Tag("gate*")),
        *[
            (f"is:{state}", Is(state))
            for state in ("due", "new", "learn", "review", "suspended", "buried", "leech")
        ],
        ("IS:Due", Is("due")),
        ("rated:7", Rated(7)),
        ("rated:7:1", Rated(7, 1)),
        ("rated:1:4", Rated(1, 4)),
        ("introduced:30", Introduced(30)),
        ("h_t:", Text("h_t:")),
        ("e.g.:x", Text("e.g.:x")),
        ("a-b", Text("a-b")),
    ],
)
def test_single_terms(query: str, expected: object) -> None:
    assert parse(query) == expected


@pytest.mark.parametrize("op", ["=", "!=", "<", ">", "<=", ">="])
@pytest.mark.parametrize(
    ("name", "value", "number"),
    [
        ("s", "21", 21.0),
        ("d", "0.7", 0.7),
        ("r", "0.8", 0.8),
        ("lapses", "3", 3.0),
        ("reps", "10", 10.0),
        ("ivl", "5", 5.0),
        ("due", "-1", -1.0),
    ],
)
def test_every_property_with_every_operator(op: str, name: str, value: str, number: float) -> None:
    assert parse(f"prop:{name}{op}{value}") == Prop(name, op, number)


def test_terms_side_by_side_must_all_match_and_and_may_be_written() -> None:
    expected = And((InSet("gru"), Is("due"), Text("gate")))
    assert parse("set:gru is:due gate") == expected
    assert parse("set:gru and is:due AND gate") == expected


def test_or_binds_looser_than_and_and_parentheses_group() -> None:
    assert parse("a b or c") == Or((And((Text("a"), Text("b"))), Text("c")))
    assert parse("a (b or c)") == And((Text("a"), Or((Text("b"), Text("c")))))
    assert parse("a OR b Or c") == Or((Text("a"), Text("b"), Text("c")))


def test_minus_negates_a_term_or_a_group() -> None:
    assert parse("-is:new") == Not(Is("new"))
    assert parse('-"hidden state"') == Not(Text("hidden state"))
    assert parse("-(is:new or is:learn) prop:lapses>=3") == And(
        (Not(Or((Is("new"), Is("learn")))), Prop("lapses", ">=", 3.0))
    )
    assert parse("--x") == Not(Not(Text("x")))
    assert parse("a - b") == And((Text("a"), Text("-"), Text("b")))


@pytest.mark.parametrize(
    ("query", "position", "words"),
    [
        ("(a", 0, "never closed"),
        ("a)", 1, "no matching '('"),
        ("()", 1, "empty parentheses"),
        ("or a", 0, "missing before 'or'"),
        ("a or", 2, "after it"),
        ("a or )", 2, "after it"),
        ("and a", 0, "before it"),
        ("a and", 2, "after it"),
        ('"open', 0, "never closed"),
        ('""', 0, "empty quotes"),
        ("set:", 4, "slug"),
        ("tag:", 4, "needs a tag"),
        ("is:sleeping", 3, "not a card state"),
        ("prop:ease>2", 5, "needs a property"),
        ("prop:s", 6, "needs a comparison"),
        ("prop:s>=many", 8, "needs a number"),
        ("prop:s>inf", 7, "finite"),
        ("prop:d>7", 7, "between 0 and 1"),
        ("prop:r<=1.5", 8, "between 0 and 1"),
        ("rated:", 6, "number of days"),
        ("rated:0", 6, "number of days"),
        ("rated:x:1", 6, "number of days"),
        ("rated:7:5", 8, "1 (Again)"),
        ("rated:7:", 8, "1 (Again)"),
        ("introduced:-3", 11, "number of days"),
        ("(" * 50 + "a" + ")" * 50, 40, "nested"),
    ],
)
def test_errors_say_where_and_what_was_expected(query: str, position: int, words: str) -> None:
    with pytest.raises(SearchError) as error:
        parse(query)
    assert error.value.position == position
    assert words in str(error.value)
    assert f"(at character {position + 1})" in str(error.value)


_PIECES = st.sampled_from(
    [
        "(",
        ")",
        "-",
        " ",
        '"',
        ":",
        "or",
        "and",
        "set:",
        "tag:",
        "is:",
        "prop:",
        "rated:",
        "introduced:",
        "s",
        "d",
        "r",
        "lapses",
        ">",
        "<",
        "=",
        "!",
        "0.5",
        "7",
        "new",
        "due",
        "x",
        "*",
        "\\",
    ]
)


@settings(max_examples=600, deadline=None)
@given(st.one_of(st.text(), st.lists(_PIECES, max_size=30).map("".join)))
def test_any_string_parses_or_raises_the_named_error(query: str) -> None:
    try:
        parse(query)
    except SearchError as error:
        assert 0 <= error.position <= len(query)
