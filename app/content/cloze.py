"""Cloze deletions: `{{c1::answer|other answer::hint}}`, their alternatives and their groups."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A deletion ends at the first '}}' and holds no other deletion; the possessive scans never
# backtrack, so a file full of unclosed '{{c1::' costs linear time, not minutes.
CLOZE = re.compile(r"\{\{c(\d++)::((?:(?!\}\}|::|\{\{c\d)[\s\S])*+)(?:::((?:(?!\}\}|\{\{c\d)[\s\S])*+))?\}\}")
# A '|' splits alternatives unless escaped (`\|`) or inside `$maths$` or `code`.
_PIECE = re.compile(r"\\\||\$[^$]*\$|`[^`]*`|\||[^|$`\\]+|[\s\S]")


@dataclass(frozen=True)
class ClozeBlank:
    """One deletion: its number (blanks sharing one accept their answers in any order among
    themselves), every accepted answer (the first is the one shown) and its hint."""

    number: int
    answers: tuple[str, ...]
    hint: str = ""

    @property
    def shown(self) -> str:
        """The answer displayed wherever the blank's answer is shown."""
        return self.answers[0] if self.answers else ""

    @property
    def also(self) -> tuple[str, ...]:
        """The other accepted answers, for an "also accepted" line."""
        return self.answers[1:]


def split_alternatives(body: str) -> tuple[str, ...]:
    """The alternatives of a deletion, in order: `a|b` gives ('a', 'b'); `\\|` is a literal pipe."""
    alternatives, current = [], []
    for piece in _PIECE.findall(body):
        if piece == "|":
            alternatives.append("".join(current))
            current = []
        else:
            current.append("|" if piece == "\\|" else piece)
    alternatives.append("".join(current))
    return tuple(a.strip() for a in alternatives)


def cloze_blanks(question: str) -> tuple[ClozeBlank, ...]:
    """Every deletion of a question, in reading order (empty alternatives dropped)."""
    return tuple(
        ClozeBlank(
            int(m.group(1)), tuple(a for a in split_alternatives(m.group(2)) if a), (m.group(3) or "").strip()
        )
        for m in CLOZE.finditer(question)
    )


def empty_alternative(question: str) -> str | None:
    """The first deletion with an empty answer or alternative (`{{c1::a||b}}`), if any."""
    for match in CLOZE.finditer(question):
        if not all(split_alternatives(match.group(2))):
            return match.group(0)
    return None


def blank_clozes(question: str) -> str:
    """A cloze question as a learner first sees it: each deletion a blank, or its hint."""
    return CLOZE.sub(lambda m: f"[{m.group(3) or '…'}]", question)


def reveal_clozes(question: str) -> str:
    """A cloze question with each deletion replaced by its shown (first) answer."""
    return CLOZE.sub(lambda m: split_alternatives(m.group(2))[0], question)


def anki_cloze(question: str) -> str:
    """The question in Anki's cloze syntax, which has no alternatives: only the shown answer stays."""

    def one(match: re.Match[str]) -> str:
        hint = f"::{match.group(3)}" if match.group(3) is not None else ""
        return f"{{{{c{match.group(1)}::{split_alternatives(match.group(2))[0]}{hint}}}}}"

    return CLOZE.sub(one, question)


def shown_answers(question: str) -> str:
    """A cloze question's answer as displayed: the shown answer of each blank, joined by '; '."""
    return "; ".join(blank.shown for blank in cloze_blanks(question))
