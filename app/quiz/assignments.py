"""Assigned quizzes on plain values: a learner's window (the assignment's, with their
accommodation laid over it), whether an attempt may start, when it must end, how attempts make a
grade, and when the right answers may be seen. Time always comes in as an argument."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

GRADING = ("highest", "last", "first", "average")
REVIEW = ("immediately", "after_close", "never")
GRADING_NAMES = {
    "highest": "Highest attempt",
    "last": "Last attempt",
    "first": "First attempt",
    "average": "Average of attempts",
}
REVIEW_NAMES = {
    "immediately": "Right after each attempt",
    "after_close": "After the quiz closes",
    "never": "Never",
}


@dataclass(frozen=True)
class Window:
    """When a learner may attempt an assignment, for how long, and how often (attempts 0: no limit)."""

    opens_at: datetime | None
    closes_at: datetime | None
    time_limit_s: int
    attempts: int


@dataclass(frozen=True)
class Accommodation:
    """One learner's override; None keeps the assignment's value."""

    opens_at: datetime | None = None
    closes_at: datetime | None = None
    time_limit_s: int | None = None
    attempts: int | None = None


def effective(base: Window, override: Accommodation | None) -> Window:
    """The learner's window: each field their override sets replaces the assignment's."""
    if override is None:
        return base
    return replace(
        base,
        opens_at=override.opens_at if override.opens_at is not None else base.opens_at,
        closes_at=override.closes_at if override.closes_at is not None else base.closes_at,
        time_limit_s=override.time_limit_s if override.time_limit_s is not None else base.time_limit_s,
        attempts=override.attempts if override.attempts is not None else base.attempts,
    )


def status(window: Window, now: datetime) -> str:
    """`upcoming` before it opens, `closed` from its close time on, `open` in between."""
    if window.opens_at is not None and now < window.opens_at:
        return "upcoming"
    if window.closes_at is not None and now >= window.closes_at:
        return "closed"
    return "open"


def attempts_left(window: Window, used: int) -> int | None:
    """Attempts still allowed; None when there is no limit."""
    return None if window.attempts == 0 else max(0, window.attempts - used)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z").strip()


def refusal(window: Window, used: int, now: datetime, shown: Callable[[datetime], str] = _iso) -> str | None:
    """Why an attempt may not start now (None: it may). The window opens at `opens_at` inclusive
    and closes at `closes_at` exclusive; `shown` writes a time as the learner reads it."""
    state = status(window, now)
    if state == "upcoming":
        assert window.opens_at is not None
        return f"This quiz opens at {shown(window.opens_at)}."
    if state == "closed":
        assert window.closes_at is not None
        return f"This quiz closed at {shown(window.closes_at)}."
    if attempts_left(window, used) == 0:
        plural = "attempt" if window.attempts == 1 else "attempts"
        return f"You have used all {window.attempts} {plural} at this quiz."
    return None


def attempt_end(started_at: datetime, time_limit_s: int, closes_at: datetime | None) -> datetime:
    """An attempt ends at its time limit or at the close time, whichever comes first."""
    end = started_at + timedelta(seconds=time_limit_s)
    return end if closes_at is None else max(started_at, min(end, closes_at))


def grade(method: str, fractions: Sequence[float]) -> float | None:
    """The grade from submitted attempts' score fractions, in the order they were started;
    None when there are none."""
    if not fractions:
        return None
    if method == "highest":
        return max(fractions)
    if method == "last":
        return fractions[-1]
    if method == "first":
        return fractions[0]
    if method == "average":
        return sum(fractions) / len(fractions)
    raise ValueError(f"unknown grading method {method!r}")


def answers_visible(review: str, closes_at: datetime | None, now: datetime) -> bool:
    """Whether a submitted attempt may show its right answers: at once, once the learner's close
    time has passed (never, if there is no close time), or never."""
    if review == "immediately":
        return True
    if review == "after_close":
        return closes_at is not None and now >= closes_at
    return False


def zone(name: str) -> ZoneInfo:
    """The IANA zone by name; UTC for a name the system does not know."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def as_utc(moment: datetime, zone_name: str) -> datetime:
    """A time as entered: one without an offset is a wall-clock time in `zone_name`."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone(zone_name))
    return moment.astimezone(UTC)


def local(moment: datetime, zone_name: str) -> datetime:
    return moment.astimezone(zone(zone_name))


def local_text(moment: datetime, zone_name: str) -> str:
    """A time as a person in `zone_name` reads it, with the zone's abbreviation."""
    return local(moment, zone_name).strftime("%a %d %b %Y, %H:%M %Z")
