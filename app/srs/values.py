"""Plain values of the scheduling core: ratings, phases, one learner's card state and an answer's outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Any

from app.srs.display import format_interval


class Rating(IntEnum):
    """The four answer buttons, numbered as Anki and FSRS number them."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


class Phase(StrEnum):
    """Where a card is in its life: Anki's card types new, learn, review and relearn."""

    NEW = "new"
    LEARNING = "learning"
    REVIEW = "review"
    RELEARNING = "relearning"


@dataclass(frozen=True)
class SrsCard:
    """The scheduling state of one learner's card, as plain JSON-safe values.

    `scheduled_days` is Anki's card interval: the review interval of a review card, and the interval a
    relearning card had when it lapsed. `remaining_steps` counts the learning or relearning steps left,
    the current one included, as Anki's `left` does. Stability and difficulty are stored at the precision
    Anki stores them (4 and 3 decimals), because the next review is computed from the stored values.
    """

    phase: Phase
    due: datetime | None
    stability: float | None
    difficulty: float | None
    last_review: datetime | None
    scheduled_days: int = 0
    remaining_steps: int = 0
    reps: int = 0
    lapses: int = 0

    def __post_init__(self) -> None:
        for name in ("due", "last_review"):
            value = getattr(self, name)
            if value is not None and value.utcoffset() is None:
                raise ValueError(f"SrsCard.{name} must be timezone-aware, got naive {value.isoformat()}")
        for name in ("scheduled_days", "remaining_steps", "reps", "lapses"):
            if getattr(self, name) < 0:
                raise ValueError(f"SrsCard.{name} must not be negative, got {getattr(self, name)}")
        studied = (self.due, self.stability, self.difficulty, self.last_review)
        if self.phase is not Phase.NEW and None in studied:
            raise ValueError(f"a {self.phase} card needs due, stability, difficulty and last_review")

    @classmethod
    def new(cls) -> SrsCard:
        """A card never answered: no memory state yet, due whenever the learner meets it."""
        return cls(phase=Phase.NEW, due=None, stability=None, difficulty=None, last_review=None)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (datetimes as ISO-8601 UTC), for storage and the review log."""
        return {
            "phase": self.phase.value,
            "due": iso_utc(self.due),
            "stability": self.stability,
            "difficulty": self.difficulty,
            "last_review": iso_utc(self.last_review),
            "scheduled_days": self.scheduled_days,
            "remaining_steps": self.remaining_steps,
            "reps": self.reps,
            "lapses": self.lapses,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SrsCard:
        """Rebuild a card from `to_dict()` output; raises ValueError naming the bad field."""
        try:
            return cls(
                phase=Phase(data["phase"]),
                due=_parse_instant(data["due"]),
                stability=_optional_float(data["stability"]),
                difficulty=_optional_float(data["difficulty"]),
                last_review=_parse_instant(data["last_review"]),
                scheduled_days=int(data["scheduled_days"]),
                remaining_steps=int(data["remaining_steps"]),
                reps=int(data["reps"]),
                lapses=int(data["lapses"]),
            )
        except KeyError as missing:
            raise ValueError(f"SrsCard dict is missing the key {missing}") from None
        except TypeError as error:
            raise ValueError(f"SrsCard dict has a value of the wrong type: {error}") from None


@dataclass(frozen=True)
class Outcome:
    """What one answer button does: the card after the answer and when it comes back.

    `interval` runs from the answer until `card.due`. `days` is set when the card is due at the start of
    a day (a review card, or a learning step that crossed the day's rollover): Anki labels those buttons
    in whole days ("1d"), not in the hours left until that day starts. `leech` is true when this answer
    is a lapse that meets Anki's leech rule.
    """

    card: SrsCard
    interval: timedelta
    leech: bool = False
    days: int | None = None

    @property
    def label(self) -> str:
        """The button text Anki would show: "1m", "10m", "3d", "3.2mo"."""
        if self.days is not None:
            return format_interval(timedelta(days=self.days))
        return format_interval(self.interval)


def iso_utc(instant: datetime | None) -> str | None:
    """ISO-8601 in UTC with a Z suffix, the one format Unroll writes times in."""
    if instant is None:
        return None
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _parse_instant(text: str | None) -> datetime | None:
    if text is None:
        return None
    if not isinstance(text, str):
        raise ValueError(f"expected an ISO-8601 string or null, got {text!r}")
    instant = datetime.fromisoformat(text)
    if instant.utcoffset() is None:
        raise ValueError(f"{text!r} has no UTC offset; write it as ISO-8601 UTC, e.g. 2025-01-31T09:00:00Z")
    return instant.astimezone(UTC)


def _optional_float(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number or null, got {value!r}")
    return float(value)
