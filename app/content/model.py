"""Typed values for parsed question sets: the content core's vocabulary."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class QuestionType(StrEnum):
    """The kinds of review question a set can hold."""

    OPEN = "open"
    CHOICE = "choice"
    TRUE_FALSE = "true-false"
    CLOZE = "cloze"
    SHORT = "short"


class Dialect(StrEnum):
    """Page dialect: imported study pages. Native dialect: Unroll's typed questions."""

    PAGE = "page"
    NATIVE = "native"


class SectionKind(StrEnum):
    """The four sections every question set is built from."""

    PREVIEW = "preview"
    EXPLAIN = "explain"
    KEYPOINT = "keypoint"
    REVIEW = "review"


@dataclass(frozen=True)
class Problem:
    """An error or warning about a content file, pointing at a line a person can fix."""

    line: int
    message: str

    def describe(self, path: str) -> str:
        return f"{path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Option:
    """One option of a multiple-choice question."""

    text: str
    correct: bool
    explanation: str = ""
    pinned: bool = False  # written ` {pin}`: keeps its place when options are shuffled


@dataclass(frozen=True)
class ReviewItem:
    """One review question: the unit that becomes a flashcard."""

    id: str
    type: QuestionType
    question: str
    answer: str
    line: int
    explanation: str = ""
    options: tuple[Option, ...] = ()
    accept: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    covers: tuple[int, ...] = ()
    covers_line: int = 0
    id_is_explicit: bool = False
    tolerance: str = ""  # 'Tolerance:' as written, e.g. '0.01' or '1%'; '' for exact numbers
    near_miss: str = ""  # 'accept', 'wrong', or '' for the default (accept only for words of 8+ letters)
    shuffle: bool = True  # 'Shuffle: no' keeps the options in their written order


@dataclass(frozen=True)
class Item:
    """A numbered Preview question or key point, as Markdown source."""

    text: str
    line: int


@dataclass(frozen=True)
class ExtraSection:
    """A `##` section that is none of the four: kept as extra reading."""

    title: str
    body: str
    line: int


@dataclass(frozen=True)
class QuestionSet:
    """A parsed question-set file."""

    slug: str
    title: str
    weight: int
    dialect: Dialect
    description: str = ""
    preview: tuple[Item, ...] = ()
    explain: str = ""
    keypoints: tuple[Item, ...] = ()
    review: tuple[ReviewItem, ...] = ()
    extras: tuple[ExtraSection, ...] = ()
    prompts: dict[str, str] = field(default_factory=dict)
    front_matter: dict[str, object] = field(default_factory=dict)
    sources: tuple[str, ...] = ()  # front matter `sources`: the works the set's facts were checked against

    @property
    def counts(self) -> dict[str, int]:
        return {
            "preview": len(self.preview),
            "keypoint": len(self.keypoints),
            "review": len(self.review),
        }


@dataclass(frozen=True)
class CardHtml:
    """A review question's parts as sanitised HTML: the question as first shown (clozes blanked)."""

    question: str
    answer: str
    explanation: str = ""
    options: tuple[tuple[str, str], ...] = ()  # each option and its explanation

    def to_json(self) -> dict[str, object]:
        """The faces as a card stores them (under `details["html"]`)."""
        return {
            "question": self.question,
            "answer": self.answer,
            "explanation": self.explanation,
            "options": [{"html": text, "explanation_html": why} for text, why in self.options],
        }


@dataclass(frozen=True)
class SetHtml:
    """Every Markdown piece of a set rendered once, when the file is checked or synced."""

    preview: tuple[str, ...]
    explain: str
    keypoints: tuple[str, ...]
    extras: tuple[str, ...]
    review: tuple[CardHtml, ...]


@dataclass(frozen=True)
class ParseResult:
    """What parsing one file gives: a set when it has no errors, and every problem found."""

    path: str
    question_set: QuestionSet | None
    errors: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    html: SetHtml | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and self.question_set is not None
