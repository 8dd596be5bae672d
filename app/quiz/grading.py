"""Grade a learner's response to a typed question. Pure: the same rules serve study and quizzes.

A typed answer (short answer, or one cloze blank) is right when it equals an accepted answer
after these equivalences: case, punctuation, spacing and a leading article; hyphens, spaces or
nothing between words; British or American spelling; singular or plural; and numbers in any
form (0.25 = .25 = 1/4 = 25%), within the question's `Tolerance:` or the rounding its text asks
for. A typo of one or two letters in a long enough word is a near miss: `almost`, not right; a
quiz decides with `quiz_mark`, a study session lets the learner grade themselves.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from app.content.cloze import ClozeBlank, cloze_blanks
from app.content.identity import normalise
from app.content.policy import Tolerance, parse_tolerance
from app.quiz.nearmiss import LONG_WORD, Diff, char_diff, near_missed_words
from app.quiz.numbers import Precision, asked_precision, find_numbers, same_number
from app.quiz.wording import same_words, words

_TRUE = {"true", "t", "yes", "1"}
_FALSE = {"false", "f", "no", "0"}
_MARKUP = re.compile(r"`|\$|\*\*|__")
MAX_RESPONSE_CHARS = 2000  # a typed answer (or one blank's) longer than this is refused, not stored
MAX_BLANKS = 100  # no cloze question has more blanks than this
_MAX_GROUP = 12  # blanks in one any-order group matched optimally; larger groups are matched in order


@dataclass(frozen=True)
class Check:
    """One typed answer compared with what is accepted: a short answer, or the blank typed in one box.

    `expected` is the accepted answer the response was compared with (the one it matched, or the
    closest), `shown` the answer to display (the blank's first alternative, or the short answer),
    `also` the other accepted answers, `diff` the character difference of response and `expected`
    as ('same' | 'extra' | 'missing', text) segments, and `near_missed` the expected words that
    were typed with a forgivable typo (set only when `almost`)."""

    correct: bool
    almost: bool = False
    response: str = ""
    expected: str = ""
    shown: str = ""
    also: tuple[str, ...] = ()
    diff: Diff = ()
    near_missed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    """Whether a response is right.

    `correct`: every part right. `parts`: for a cloze, one bool per blank, in the order of the
    boxes (a blank of an any-order group is right when its response matched a distinct blank of
    the group). `almost`: not right, but every wrong part is a near miss (show `checks[i].diff`;
    in a quiz pass the verdict to `quiz_mark`). `checks`: the detail of each typed answer, one
    for a short answer, one per box for a cloze; empty for choice and true/false questions."""

    correct: bool
    parts: tuple[bool, ...] = ()
    almost: bool = False
    checks: tuple[Check, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The verdict as plain JSON values, for an API response or a page script."""
        return {
            "correct": self.correct,
            "parts": list(self.parts),
            "almost": self.almost,
            "checks": [
                {
                    "correct": c.correct,
                    "almost": c.almost,
                    "response": c.response,
                    "expected": c.expected,
                    "shown": c.shown,
                    "also": list(c.also),
                    "diff": [{"op": op, "text": text} for op, text in c.diff],
                    "near_missed": list(c.near_missed),
                }
                for c in self.checks
            ],
        }


@dataclass(frozen=True)
class Mark:
    """A quiz's final mark for a response, and a note to show with it ('' when there is none)."""

    correct: bool
    note: str = ""


class UngradableResponse(ValueError):
    """The response does not have the shape the question type needs."""


@dataclass(frozen=True)
class _Rules:
    tolerance: Tolerance | None = None
    precision: Precision | None = None


def same_answer(response: str, accepted: Sequence[str]) -> bool:
    """True when the response equals one accepted answer under the grader's equivalences."""
    return check_answer(response, accepted).correct


def check_answer(
    response: str,
    accepted: Sequence[str],
    tolerance: Tolerance | None = None,
    precision: Precision | None = None,
    shown: str | None = None,
) -> Check:
    """Compare one typed answer with every accepted one (the first is shown unless `shown` is given)."""
    wanted = [_MARKUP.sub("", a).strip() for a in accepted if a.strip()]
    display = shown if shown is not None else (accepted[0] if accepted else "")
    also = tuple(a for a in accepted if a.strip() and a != display)
    base = Check(False, response=response, shown=display, also=also)
    rules = _Rules(tolerance, precision)
    typed = _MARKUP.sub("", response)  # markup goes from both sides alike
    if not response.strip():
        return _with(base, expected=wanted[0] if wanted else "")
    for answer in wanted:
        if _equal(typed, answer, rules):
            return _with(base, correct=True, expected=answer, diff=(("same", response),))
    for answer in wanted:
        missed = None if find_numbers(answer)[1] else near_missed_words(words(typed), words(answer))
        if missed:
            return _with(
                base, almost=True, expected=answer, diff=char_diff(response, answer), near_missed=missed
            )
    closest = wanted[0] if wanted else ""
    return _with(base, expected=closest, diff=char_diff(response, closest))


def _with(base: Check, **changes: Any) -> Check:
    return Check(**{**base.__dict__, **changes})


def _equal(response: str, answer: str, rules: _Rules) -> bool:
    template, numbers = find_numbers(answer)
    if not numbers:
        return same_words(words(response), words(answer))
    given_template, given = find_numbers(response)
    return (
        len(given) == len(numbers)
        and same_words(words(given_template), words(template))
        and all(
            same_number(g, n, rules.tolerance, rules.precision) for g, n in zip(given, numbers, strict=True)
        )
    )


def cloze_answers(question: str) -> list[str]:
    """The shown answer of each blank, in order (one entry per box the learner fills in)."""
    return [blank.shown for blank in cloze_blanks(question)]


def grade(
    question_type: str,
    question: str,
    answer: str,
    details: dict[str, Any],
    response: Any,
    accepted: Sequence[str] = (),
) -> Verdict:
    """Grade a response; open questions are self-graded and raise UngradableResponse.

    `details` is the card's stored details: `options` for choice questions (the response lists
    indexes into them, as written in the file, whatever order they were shown in), `accept` for
    short answers, and the optional `tolerance` ('0.01', '1%'). `accepted`: responses an
    instructor accepted for everyone, right as well for a short answer or a one-blank cloze
    (ignored for clozes of several blanks, whose responses cannot be split among the blanks)."""
    if question_type == "choice":
        return _grade_choice(details.get("options", []), response)
    if question_type == "true-false":
        return Verdict(_truth(response) == (normalise(answer) == "true"))
    rules = _Rules(parse_tolerance(str(details.get("tolerance") or "")), asked_precision(question))
    if question_type == "short":
        given = _text(response)
        listed = [answer, *details.get("accept", []), *accepted]
        check = check_answer(given, listed, rules.tolerance, rules.precision)
        return Verdict(check.correct, (), check.almost, (check,))
    if question_type == "cloze":
        return _grade_cloze(question, response, rules, tuple(accepted))
    raise UngradableResponse("open questions are graded by the learner after seeing the answer")


def quiz_mark(verdict: Verdict, policy: str = "") -> Mark:
    """A quiz's mark under the question's near-miss policy (`details["near_miss"]`): 'accept',
    'wrong', or '' for the default, which accepts a near miss only in words of 8+ letters."""
    if verdict.correct:
        return Mark(True)
    if not verdict.almost:
        return Mark(False)
    missed = [word for check in verdict.checks for word in check.near_missed]
    listed = ", ".join(f"“{word}”" for word in missed)
    accept = policy == "accept" or (policy != "wrong" and all(len(word) >= LONG_WORD for word in missed))
    if accept:
        return Mark(True, f"Accepted with a typo: check the spelling of {listed}.")
    return Mark(False, f"Almost: a typo in {listed} counts as wrong here.")


def _grade_choice(options: list[dict[str, Any]], response: Any) -> Verdict:
    if not isinstance(response, list) or not all(isinstance(i, int) for i in response):
        raise UngradableResponse("choose options by their numbers, e.g. [0, 2]")
    if any(i < 0 or i >= len(options) for i in response):
        raise UngradableResponse(f"option numbers run from 0 to {len(options) - 1}")
    chosen = set(response)
    right = {i for i, option in enumerate(options) if option.get("correct")}
    return Verdict(chosen == right)


def _truth(response: Any) -> bool:
    if isinstance(response, bool):
        return response
    text = normalise(_text(response))
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise UngradableResponse("answer true or false")


def _text(response: Any) -> str:
    return checked_text(response).strip()


def checked_text(response: Any) -> str:
    """A typed response, refused when it is not text or longer than MAX_RESPONSE_CHARS."""
    if not isinstance(response, str):
        raise UngradableResponse("type your answer as text")
    if len(response) > MAX_RESPONSE_CHARS:
        raise UngradableResponse(f"an answer has at most {MAX_RESPONSE_CHARS} characters")
    return response


def checked_texts(response: Any) -> list[str]:
    """The blanks of a cloze response: at most MAX_BLANKS texts, each checked by checked_text."""
    if isinstance(response, str):
        response = [response]
    if not isinstance(response, list) or len(response) > MAX_BLANKS:
        raise UngradableResponse("fill in the blanks with text")
    return [checked_text(given) for given in response]


def _grade_cloze(question: str, response: Any, rules: _Rules, accepted: tuple[str, ...] = ()) -> Verdict:
    blanks = cloze_blanks(question)
    if len(blanks) == 1 and accepted:
        only = blanks[0]
        blanks = (replace(only, answers=(*only.answers, *accepted)),)
    given = [text.strip() for text in checked_texts(response)]
    if len(given) != len(blanks):
        raise UngradableResponse(f"fill in all {len(blanks)} blanks")
    checks: list[Check | None] = [None] * len(blanks)
    for positions in _groups(blanks):
        for box, check in zip(positions, _match_group(given, blanks, positions, rules), strict=True):
            checks[box] = check
    done = tuple(c for c in checks if c is not None)
    correct = all(c.correct for c in done)
    almost = not correct and all(c.correct or c.almost for c in done)
    return Verdict(correct, tuple(c.correct for c in done), almost, done)


def _groups(blanks: tuple[ClozeBlank, ...]) -> list[list[int]]:
    """Box positions of the blanks sharing each cloze number, in order of first appearance."""
    groups: dict[int, list[int]] = {}
    for position, blank in enumerate(blanks):
        groups.setdefault(blank.number, []).append(position)
    return list(groups.values())


def _match_group(
    given: list[str], blanks: tuple[ClozeBlank, ...], positions: list[int], rules: _Rules
) -> list[Check]:
    """Each response of the group matched to a distinct blank of it, most right answers first."""

    def check(box: int, blank: int) -> Check:
        b = blanks[positions[blank]]
        return check_answer(given[positions[box]], b.answers, rules.tolerance, rules.precision, b.shown)

    size = len(positions)
    if size == 1 or size > _MAX_GROUP:
        return [check(i, i) for i in range(size)]
    table = [[check(i, j) for j in range(size)] for i in range(size)]
    weight = [[_weight(c, i, j, size) for j, c in enumerate(row)] for i, row in enumerate(table)]
    return [table[i][j] for i, j in enumerate(best_assignment(weight))]


def _weight(check: Check, box: int, blank: int, size: int) -> int:
    """Most right answers first, then most near misses; on a tie, credit goes to the earlier box,
    and a wrong box keeps the blank written at its place."""
    points = check.correct * (size + 1) + check.almost
    return 10_000 * points + 20 * (points > 0) * (size - box) + (box == blank)


def best_assignment(weight: list[list[int]]) -> list[int]:
    """For a square table of weights, the column for each row (all distinct) with the largest sum."""
    size = len(weight)
    best: dict[int, tuple[int, list[int]]] = {0: (0, [])}
    for row in range(size):
        following: dict[int, tuple[int, list[int]]] = {}
        for mask, (total, columns) in best.items():
            for column in range(size):
                if mask >> column & 1:
                    continue
                candidate = (total + weight[row][column], [*columns, column])
                key = mask | 1 << column
                if key not in following or candidate[0] > following[key][0]:
                    following[key] = candidate
        best = following
    return best[(1 << size) - 1][1]
