"""A quiz question's mark from its stored answer: the grader's verdict under the question's
near-miss policy, counting the responses an instructor accepted for everyone. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.quiz.grading import Mark, UngradableResponse, Verdict, grade, quiz_mark

ACCEPTED_NOTE = "Accepted by the instructor for everyone."


@dataclass(frozen=True)
class Asked:
    """A question as a quiz asked it: its type there (an open card is asked as choice), its
    choices, and the card's stored content."""

    type: str
    choices: Sequence[Mapping[str, Any]]
    question: str
    answer: str
    details: Mapping[str, Any]


def typed_verdict(asked: Asked, response: Any, accepted: Sequence[str] = ()) -> Verdict | None:
    """The grader's verdict on a typed or true/false response; None for choice questions, a
    missing response, or one the question cannot grade."""
    if response is None or asked.type == "choice":
        return None
    try:
        return grade(asked.type, asked.question, asked.answer, dict(asked.details), response, accepted)
    except UngradableResponse:
        return None


def mark_answer(asked: Asked, response: Any, accepted: Sequence[str] = ()) -> Mark:
    """Right or wrong, with a note when a near miss was judged or an accepted response matched."""
    if response is None:
        return Mark(False)
    if asked.type == "choice":
        right = {c["id"] for c in asked.choices if c["correct"]}
        return Mark(isinstance(response, list) and set(response) == right)
    mark = _policy_mark(asked, response, ())
    if mark.correct or not accepted:
        return mark
    overridden = _policy_mark(asked, response, accepted)
    return Mark(True, ACCEPTED_NOTE) if overridden.correct else mark


def _policy_mark(asked: Asked, response: Any, accepted: Sequence[str]) -> Mark:
    verdict = typed_verdict(asked, response, accepted)
    if verdict is None:
        return Mark(False)
    return quiz_mark(verdict, str(asked.details.get("near_miss") or ""))
