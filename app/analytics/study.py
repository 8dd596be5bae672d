"""Study measures of a card across a class's learners, from their review logs and card progress:
how often the first review was Again, how often a review card was forgotten (a lapse), the mean
FSRS difficulty, and how many learners have it as a leech."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

AGAIN = 1
REVIEW_PHASE = "review"


@dataclass(frozen=True)
class Review:
    """One review that stands (undone ones are left out before they get here)."""

    card: int
    learner: int
    rating: int
    reviewed_at: datetime
    phase_before: str


@dataclass(frozen=True)
class Progress:
    """One learner's state of one card: FSRS difficulty (None before the first review), leech."""

    card: int
    learner: int
    difficulty: float | None
    leech: bool


@dataclass(frozen=True)
class CardStudy:
    learners: int  # learners with at least one review of the card
    first_reviews: int
    first_again_rate: float | None
    review_reviews: int  # reviews of the card while it was in the review phase
    lapse_rate: float | None
    mean_difficulty: float | None
    leeches: int


def card_study(reviews: Iterable[Review], progress: Iterable[Progress]) -> dict[int, CardStudy]:
    """Per card: Again on each learner's first review (their earliest), lapses (Again on a card in
    the review phase) over reviews in that phase, mean difficulty and leeches."""
    first: dict[tuple[int, int], Review] = {}
    phase_reviews: dict[int, int] = defaultdict(int)
    lapses: dict[int, int] = defaultdict(int)
    for review in reviews:
        key = (review.card, review.learner)
        if key not in first or review.reviewed_at < first[key].reviewed_at:
            first[key] = review
        if review.phase_before == REVIEW_PHASE:
            phase_reviews[review.card] += 1
            lapses[review.card] += review.rating == AGAIN
    firsts: dict[int, list[Review]] = defaultdict(list)
    for (card, _), review in first.items():
        firsts[card].append(review)
    difficulties: dict[int, list[float]] = defaultdict(list)
    leeches: dict[int, int] = defaultdict(int)
    for row in progress:
        if row.difficulty is not None:
            difficulties[row.card].append(row.difficulty)
        leeches[row.card] += row.leech
    cards = set(firsts) | set(difficulties) | set(leeches)
    return {
        card: CardStudy(
            learners=len(firsts[card]),
            first_reviews=len(firsts[card]),
            first_again_rate=_rate(sum(r.rating == AGAIN for r in firsts[card]), len(firsts[card])),
            review_reviews=phase_reviews[card],
            lapse_rate=_rate(lapses[card], phase_reviews[card]),
            mean_difficulty=_mean(difficulties[card]),
            leeches=leeches[card],
        )
        for card in cards
    }


def _rate(count: int, out_of: int) -> float | None:
    return count / out_of if out_of else None


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None
