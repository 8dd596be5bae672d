"""Quiz rules on plain values: which questions to ask, how open questions become multiple choice,
and the deadline. Time always comes in as an argument."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app.quiz.order import order_for

MIN_QUESTIONS, MAX_QUESTIONS = 5, 50
MIN_SECONDS, MAX_SECONDS = 60, 3 * 60 * 60
DISTRACTORS = 3
GRADABLE = ("choice", "true-false", "cloze", "short")


@dataclass(frozen=True)
class Candidate:
    """A card that could be asked: its content as stored."""

    card_id: int
    set_id: int
    type: str
    question: str
    answer: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Choice:
    """An option as the quiz shows it; `correct` never leaves the server before submission."""

    id: str
    text: str
    correct: bool


@dataclass(frozen=True)
class PlannedQuestion:
    """A question as it will be asked, its choices in the order shown: a choice question's options
    shuffled (ids `o{i}` keep the written index), an open question's made from its set."""

    card_id: int
    type: str
    choices: tuple[Choice, ...] = ()
    multiple: bool = False


class QuizRuleError(ValueError):
    """A quiz request outside the rules, with a message for the learner."""


def check_request(count: int, time_limit_s: int) -> None:
    if not MIN_QUESTIONS <= count <= MAX_QUESTIONS:
        raise QuizRuleError(f"A quiz has {MIN_QUESTIONS} to {MAX_QUESTIONS} questions.")
    if not MIN_SECONDS <= time_limit_s <= MAX_SECONDS:
        raise QuizRuleError("The time limit must be between 1 minute and 3 hours.")


def plan_questions(
    candidates: Sequence[Candidate], count: int, seed: int, siblings: Sequence[Candidate] = ()
) -> list[PlannedQuestion]:
    """Pick up to `count` questions at random: typed ones as they are, open ones as multiple choice
    whose wrong options are other answers from the same set (`siblings`: every card of the sets
    involved; an open question needs three such answers, or it is left out)."""
    rng = random.Random(seed)
    family = siblings or candidates
    pool = [c for c in candidates if c.type in GRADABLE or _distractor_pool(c, family)]
    chosen = rng.sample(pool, min(count, len(pool)))
    return [_plan(c, family, rng) for c in chosen]


def _distractor_pool(card: Candidate, candidates: Sequence[Candidate]) -> list[str]:
    others = {c.answer.strip() for c in candidates if c.set_id == card.set_id and c.type == "open"}
    others.discard(card.answer.strip())
    return sorted(others) if len(others) >= DISTRACTORS else []


def _plan(card: Candidate, candidates: Sequence[Candidate], rng: random.Random) -> PlannedQuestion:
    if card.type == "choice":
        options = card.details.get("options", [])
        shown = order_for(card.details, rng.randrange(2**31))  # stored with the attempt: stable on reload
        choices = [Choice(f"o{i}", options[i]["text"], bool(options[i]["correct"])) for i in shown]
        return PlannedQuestion(card.card_id, "choice", tuple(choices), sum(c.correct for c in choices) > 1)
    if card.type == "open":
        wrong = rng.sample(_distractor_pool(card, candidates), DISTRACTORS)
        texts = [(card.answer.strip(), True)] + [(w, False) for w in wrong]
        rng.shuffle(texts)
        return PlannedQuestion(
            card.card_id, "choice", tuple(Choice(f"o{i}", t, ok) for i, (t, ok) in enumerate(texts))
        )
    return PlannedQuestion(card.card_id, card.type)


@dataclass(frozen=True)
class Deadline:
    """The server's clock for one attempt."""

    started_at: datetime
    ends_at: datetime
    grace: timedelta

    def remaining_s(self, now: datetime) -> int:
        return max(0, int((self.ends_at - now).total_seconds() + 0.999))

    def accepts(self, now: datetime) -> bool:
        """Answers count until the deadline plus the grace period (for the last request in flight)."""
        return now <= self.ends_at + self.grace

    def overdue(self, now: datetime) -> bool:
        return not self.accepts(now)


def score(results: Sequence[bool]) -> tuple[int, int]:
    return sum(results), len(results)
