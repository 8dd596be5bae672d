"""Questions to look at, each with its reason in plain words. Thresholds follow Moodle's quiz
statistics help (discrimination: below 0.20 weak, negative probably invalid) and common item
analysis practice (facility below 0.10 or above 0.90 says little); the study ones are Unroll's."""

from __future__ import annotations

from dataclasses import dataclass

from app.analytics.items import ItemStats, OptionCount
from app.analytics.study import CardStudy

LOW_DISCRIMINATION = 0.2
LOW_FACILITY = 0.1
HIGH_FACILITY = 0.9
HIGH_FIRST_AGAIN = 0.5
MIN_FIRST_REVIEWS = 3  # a rate out of fewer learners says nothing yet
MIN_RESPONSES_FOR_UNUSED = 5  # with fewer answers, a distractor nobody picked is just chance


SHOWN_OPTION_CHARS = 80  # a long option is cut in a reason; the options table has it whole


@dataclass(frozen=True)
class Flag:
    code: str
    reason: str


def flags_for(stats: ItemStats | None, study: CardStudy | None) -> list[Flag]:
    """Every reason to look at one question, quiz figures first, then study ones."""
    found: list[Flag] = []
    if stats is not None:
        found += _discrimination_flags(stats.discrimination)
        found += _facility_flags(stats.facility)
        found += _distractor_flags(stats)
    if study is not None:
        found += _study_flags(study)
    return found


def _discrimination_flags(value: float | None) -> list[Flag]:
    if value is None:
        return []
    if value < 0:
        return [
            Flag(
                "negative-discrimination",
                f"Discrimination {value:.2f} is negative: learners who did worse on the rest of the "
                "quiz got this right more often than those who did better. Check the right answer "
                "and the wording.",
            )
        ]
    if value < LOW_DISCRIMINATION:
        return [
            Flag(
                "low-discrimination",
                f"Discrimination {value:.2f} is below {LOW_DISCRIMINATION:.2f}: this question hardly "
                "separates the learners who know the topic from those who do not.",
            )
        ]
    return []


def _facility_flags(value: float | None) -> list[Flag]:
    if value is None:
        return []
    if value < LOW_FACILITY:
        return [
            Flag(
                "very-hard",
                f"Only {value:.0%} answered it right: it may be wrong, unclear or not yet taught.",
            )
        ]
    if value > HIGH_FACILITY:
        return [
            Flag("very-easy", f"{value:.0%} answered it right: it tells you little about who knows what.")
        ]
    return []


def _distractor_flags(stats: ItemStats) -> list[Flag]:
    found = []
    for option in stats.options:
        if option.correct:
            continue
        if option.chosen == 0 and stats.responses >= MIN_RESPONSES_FOR_UNUSED:
            found.append(
                Flag(
                    "unused-distractor",
                    f"Nobody of {stats.responses} chose the wrong option “{_short(option.text)}”: it distracts "
                    "no one; replace it with a mistake learners really make.",
                )
            )
        elif _strong_pick_more(option, stats):
            found.append(
                Flag(
                    "strong-distractor",
                    f"The wrong option “{_short(option.text)}” was chosen by {option.top} of the top third "
                    f"and {option.bottom} of the bottom third: it may be a second right answer.",
                )
            )
    return found


def _short(text: str) -> str:
    return text if len(text) <= SHOWN_OPTION_CHARS else text[: SHOWN_OPTION_CHARS - 1].rstrip() + "…"


def _strong_pick_more(option: OptionCount, stats: ItemStats) -> bool:
    if not stats.top_asked or not stats.bottom_asked or option.top == 0:
        return False
    return option.top / stats.top_asked > option.bottom / stats.bottom_asked


def _study_flags(study: CardStudy) -> list[Flag]:
    found = []
    rate = study.first_again_rate
    if rate is not None and study.first_reviews >= MIN_FIRST_REVIEWS and rate >= HIGH_FIRST_AGAIN:
        found.append(
            Flag(
                "high-first-again",
                f"{rate:.0%} of {study.first_reviews} learners pressed Again on their first review: "
                "the card may be unclear or ask for something not yet taught.",
            )
        )
    if study.leeches:
        learners = "learner has" if study.leeches == 1 else "learners have"
        found.append(
            Flag(
                "leech",
                f"{study.leeches} {learners} it as a leech (forgotten again and again): "
                "consider splitting it or adding a hint.",
            )
        )
    return found
