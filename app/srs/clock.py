"""Study days: a learner's day starts at a fixed local hour (4 am by default), as in Anki."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

EPOCH = date(1970, 1, 1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class DayClock:
    """Numbers a learner's study days in their own time zone.

    Day 0 is the study day that starts on 1970-01-01 at `day_start_hour` local time; a day runs from
    that hour to the same hour on the next calendar date, so it lasts 23 or 25 hours across a DST change.
    """

    timezone: str = "UTC"
    day_start_hour: int = 4

    def __post_init__(self) -> None:
        if not 0 <= self.day_start_hour <= 23:
            raise ValueError(f"day_start_hour must be 0-23, got {self.day_start_hour}")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {self.timezone!r}; use an IANA name such as 'Europe/Paris'"
            ) from None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)  # ZoneInfo caches instances by key

    def day_number(self, instant: datetime) -> int:
        """The study day `instant` falls in."""
        local = _aware(instant).astimezone(self.zone)
        day = (local.date() - EPOCH).days
        return day - 1 if local.hour < self.day_start_hour else day

    def day_start(self, day: int) -> datetime:
        """The UTC instant study day `day` starts."""
        local = datetime.combine(EPOCH + timedelta(days=day), time(self.day_start_hour), tzinfo=self.zone)
        return local.astimezone(UTC)

    def next_rollover(self, instant: datetime) -> datetime:
        """The next day start after `instant`, computed exactly as Anki computes `next_day_at`.

        Anki takes the rollover hour on today's local date in the UTC offset in force *now*, adding 24
        hours once it has passed. That equals `day_start(day_number(instant) + 1)` except on the day
        before a DST change, where it is an hour off; Anki counts FSRS elapsed days, and decides whether a
        learning step reaches into the next day, from this instant, so the scheduler does too.
        """
        local = _aware(instant).astimezone(self.zone)
        offset = timezone(local.utcoffset() or timedelta(0))
        rollover = datetime.combine(local.date(), time(self.day_start_hour), tzinfo=offset)
        if rollover <= instant:
            rollover += DAY
        return rollover.astimezone(UTC)


def _aware(instant: datetime) -> datetime:
    if instant.utcoffset() is None:
        raise ValueError(f"instants must be timezone-aware, got naive {instant.isoformat()}")
    return instant
