"""The card browser's search language, after Anki's: a query string parsed into a small tree.

Terms: free words or "quoted phrases" (matched in the question), `set:<slug>`, `tag:<tag>`,
`is:due|new|learn|review|suspended|buried|leech`, `prop:<name><op><number>` (names s, d, r, lapses,
reps, ivl, due; operators = != < > <= >=), `rated:<days>` or `rated:<days>:<rating>`,
`introduced:<days>`. A leading `-` negates a term or a group; terms side by side must all match;
`or` (any case) joins alternatives; `and` may be written; parentheses group. Pure: no database here,
the services turn the tree into SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

STATES = ("due", "new", "learn", "review", "suspended", "buried", "leech")
PROPERTIES = ("s", "d", "r", "lapses", "reps", "ivl", "due")
OPERATORS = ("<=", ">=", "!=", "=", "<", ">")  # two-character ones first, so "<=" is not read as "<"
MAX_DAYS = 36500
MAX_DEPTH = 40  # nested groups and negations; deeper is no search a person writes
_SPECIAL = "()"


class SearchError(ValueError):
    """A query the browser cannot read; `position` is the 0-based character index it went wrong at."""

    def __init__(self, position: int, message: str) -> None:
        super().__init__(f"{message} (at character {position + 1})")
        self.position = position
        self.reason = message


@dataclass(frozen=True)
class Text:
    """Words (with `*` for any run of characters) to find in the card's question."""

    text: str


@dataclass(frozen=True)
class InSet:
    slug: str


@dataclass(frozen=True)
class Tag:
    """A card tag; `*` matches any run of characters, and `tag:a` also finds child tags `a::b`."""

    tag: str


@dataclass(frozen=True)
class Is:
    state: str


@dataclass(frozen=True)
class Prop:
    """A number about the card compared with `value` (difficulty on Anki's 0-1 scale)."""

    name: str
    op: str
    value: float


@dataclass(frozen=True)
class Rated:
    """Reviewed in the last `days` study days (today is 1), with `rating` if given."""

    days: int
    rating: int | None = None


@dataclass(frozen=True)
class Introduced:
    """First reviewed in the last `days` study days."""

    days: int


@dataclass(frozen=True)
class Not:
    term: Node


@dataclass(frozen=True)
class And:
    terms: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    terms: tuple[Node, ...]


Node = Text | InSet | Tag | Is | Prop | Rated | Introduced | Not | And | Or


@dataclass(frozen=True)
class _Token:
    kind: str  # "(" ")" "-" "word" "quoted"
    text: str
    position: int


def parse(query: str) -> Node | None:
    """The tree of `query`; None for an empty query (every card). Raises SearchError."""
    tokens = _tokens(query)
    if not tokens:
        return None
    parser = _Parser(tokens, len(query))
    node = parser.alternatives()
    if parser.index < len(tokens):
        token = tokens[parser.index]
        raise SearchError(token.position, "')' has no matching '(': remove it or add a '(' before it")
    return node


def _tokens(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    index = 0
    while index < len(query):
        char = query[index]
        if char.isspace():
            index += 1
        elif char in _SPECIAL:
            tokens.append(_Token(char, char, index))
            index += 1
        elif char == "-" and _starts_term(query, index + 1):
            tokens.append(_Token("-", char, index))
            index += 1
        elif char == '"':
            start = index
            text, index = _quoted(query, index)
            tokens.append(_Token("quoted", text, start))
        else:
            start = index
            text, index = _bare(query, index)
            tokens.append(_Token("word", text, start))
    return tokens


def _starts_term(query: str, index: int) -> bool:
    return index < len(query) and not query[index].isspace() and query[index] != ")"


def _quoted(query: str, start: int) -> tuple[str, int]:
    """The text of a "quoted phrase" starting at `start`, and the index after its closing quote."""
    end = query.find('"', start + 1)
    if end < 0:
        raise SearchError(start, "a quote is never closed: add a closing '\"'")
    return query[start + 1 : end], end + 1


def _bare(query: str, index: int) -> tuple[str, int]:
    """A word up to a space or parenthesis; a quote inside it (`set:"a b"`) runs to its closing quote."""
    parts: list[str] = []
    while index < len(query) and not query[index].isspace() and query[index] not in _SPECIAL:
        if query[index] == '"':
            text, index = _quoted(query, index)
            parts.append(text)
        else:
            parts.append(query[index])
            index += 1
    return "".join(parts), index


class _Parser:
    """Recursive descent: alternatives := all ('or' all)*; all := unary+; unary := '-' unary | atom."""

    def __init__(self, tokens: list[_Token], length: int) -> None:
        self.tokens = tokens
        self.index = 0
        self.length = length
        self.depth = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def alternatives(self) -> Node:
        terms = [self.all_of()]
        while (token := self.peek()) is not None and _is_word(token, "or"):
            self.index += 1
            if self.peek() is None or self.peek().kind == ")":  # type: ignore[union-attr]
                raise SearchError(token.position, "'or' needs a search term after it")
            terms.append(self.all_of())
        return terms[0] if len(terms) == 1 else Or(tuple(terms))

    def all_of(self) -> Node:
        terms: list[Node] = []
        while (token := self.peek()) is not None and token.kind != ")" and not _is_word(token, "or"):
            if _is_word(token, "and"):
                if not terms:
                    raise SearchError(token.position, "'and' needs a search term before it")
                self.index += 1
                following = self.peek()
                if following is None or following.kind == ")" or _is_word(following, "or"):
                    raise SearchError(token.position, "'and' needs a search term after it")
                continue
            terms.append(self.unary())
        if not terms:
            if token is None:
                raise SearchError(self.length, "a search term is missing at the end")
            if token.kind == ")":
                raise SearchError(token.position, "')' has no matching '(': remove it or add a '(' before it")
            raise SearchError(token.position, "a search term is missing before 'or'")
        return terms[0] if len(terms) == 1 else And(tuple(terms))

    def unary(self) -> Node:
        token = self.tokens[self.index]
        if token.kind not in ("-", "("):
            return self.atom()
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise SearchError(
                token.position, f"more than {MAX_DEPTH} nested groups or '-': simplify the search"
            )
        if token.kind == "-":
            self.index += 1
            node: Node = Not(self.unary())
        else:
            node = self.atom()
        self.depth -= 1
        return node

    def atom(self) -> Node:
        token = self.tokens[self.index]
        self.index += 1
        if token.kind == "(":
            if (inner := self.peek()) is not None and inner.kind == ")":
                raise SearchError(inner.position, "empty parentheses: put a search term inside them")
            node = self.alternatives()
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise SearchError(token.position, "'(' is never closed: add a ')'")
            self.index += 1
            return node
        if token.kind == "quoted":
            return _text(token)
        return _term(token)


def _is_word(token: _Token, word: str) -> bool:
    return token.kind == "word" and token.text.lower() == word


def _text(token: _Token) -> Text:
    if not token.text.strip():
        raise SearchError(token.position, "empty quotes: put the words to find between them")
    return Text(token.text)


def _term(token: _Token) -> Node:
    key, colon, value = token.text.partition(":")
    if not colon:
        return _text(token)
    reader = _READERS.get(key.lower())
    if reader is None:
        return _text(token)  # "h_t:" or "e.g.:" is text to find, as in Anki
    return reader(value, token.position + len(key) + 1)


def _in_set(value: str, at: int) -> Node:
    if not value:
        raise SearchError(at, "set: needs a set's slug, e.g. set:lstm")
    return InSet(value.lower())


def _tag(value: str, at: int) -> Node:
    if not value:
        raise SearchError(at, "tag: needs a tag, e.g. tag:sampling")
    return Tag(value.lower())


def _is(value: str, at: int) -> Node:
    if value.lower() not in STATES:
        raise SearchError(at, f"is:{value} is not a card state: use one of " + ", ".join(STATES))
    return Is(value.lower())


def _prop(value: str, at: int) -> Node:
    name = ""
    while len(name) < len(value) and value[len(name)].isalpha():
        name += value[len(name)]
    if name.lower() not in PROPERTIES:
        raise SearchError(at, "prop: needs a property, one of " + ", ".join(PROPERTIES) + ", e.g. prop:s>21")
    rest = value[len(name) :]
    op = next((o for o in OPERATORS if rest.startswith(o)), None)
    if op is None:
        raise SearchError(at + len(name), f"prop:{name} needs a comparison (= != < > <= >=) and a number")
    number = _number(rest[len(op) :], at + len(name) + len(op), f"prop:{name}{op}")
    if name.lower() in ("d", "r") and not 0 <= number <= 1:
        raise SearchError(at + len(name) + len(op), f"prop:{name} is between 0 and 1, e.g. prop:{name}>0.7")
    return Prop(name.lower(), op, number)


def _number(text: str, at: int, after: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise SearchError(at, f"{after} needs a number, e.g. {after}21") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise SearchError(at, f"{after} needs a finite number, e.g. {after}21")
    return number


def _days(text: str, at: int, example: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_DAYS:
        raise SearchError(at, f"a number of days from 1 to {MAX_DAYS} is needed here, e.g. {example}")
    return int(text)


def _rated(value: str, at: int) -> Node:
    days, colon, rating = value.partition(":")
    count = _days(days, at, "rated:7 or rated:7:1")
    if not colon:
        return Rated(count)
    if rating not in ("1", "2", "3", "4"):
        raise SearchError(
            at + len(days) + 1, "the rating after rated:<days>: is 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy)"
        )
    return Rated(count, int(rating))


def _introduced(value: str, at: int) -> Node:
    return Introduced(_days(value, at, "introduced:30"))


_READERS = {
    "set": _in_set,
    "tag": _tag,
    "is": _is,
    "prop": _prop,
    "rated": _rated,
    "introduced": _introduced,
}
