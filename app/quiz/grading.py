"""Grade a learner's response to a typed question. Pure: the same rules serve study and quizzes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.content.identity import normalise
from app.content.review import CLOZE

_TRUE = {"true", "t", "yes", "1"}
_FALSE = {"false", "f", "no", "0"}
_MARKUP = re.compile(r"[`*_$]")
MAX_RESPONSE_CHARS = 2000  # a typed answer (or one blank's) longer than this is refused, not stored
MAX_BLANKS = 100  # no cloze question has more blanks than this


@dataclass(frozen=True)
class Verdict:
    """Whether a response is right, and for cloze questions which blanks are."""

    correct: bool
    parts: tuple[bool, ...] = ()


class UngradableResponse(ValueError):
    """The response does not have the shape the question type needs."""


def same_answer(response: str, accepted: Sequence[str]) -> bool:
    """True when the response matches one accepted answer, ignoring case, spacing and punctuation."""
    wanted = {normalise(_MARKUP.sub("", a)) for a in accepted if a.strip()}
    return normalise(response) in wanted


def cloze_answers(question: str) -> list[str]:
    """The text of each deletion, in order."""
    return [match.group(2).strip() for match in CLOZE.finditer(question)]


def grade(question_type: str, question: str, answer: str, details: dict[str, Any], response: Any) -> Verdict:
    """Grade a response; open questions are self-graded and raise UngradableResponse."""
    if question_type == "choice":
        return _grade_choice(details.get("options", []), response)
    if question_type == "true-false":
        return Verdict(_truth(response) == (normalise(answer) == "true"))
    if question_type == "short":
        return Verdict(
            _text(response) != "" and same_answer(_text(response), [answer, *details.get("accept", [])])
        )
    if question_type == "cloze":
        return _grade_cloze(question, response)
    raise UngradableResponse("open questions are graded by the learner after seeing the answer")


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


def _grade_cloze(question: str, response: Any) -> Verdict:
    expected = cloze_answers(question)
    response = checked_texts(response)
    if len(response) != len(expected):
        raise UngradableResponse(f"fill in all {len(expected)} blanks")
    parts = tuple(
        same_answer(_text(given), [wanted]) for given, wanted in zip(response, expected, strict=True)
    )
    return Verdict(all(parts), parts)
