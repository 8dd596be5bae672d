"""Study days start at 04:00 local time, across time zones and DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.srs import DayClock, Phase, Rating, SchedulerConfig, SrsCard, answer
from app.srs.scheduler import elapsed_days

NEW_YORK = DayClock("America/New_York")
TOKYO = DayClock("Asia/Tokyo")


def local(clock: DayClock, text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(clock.timezone))


def test_day_numbers_count_from_1970_at_the_rollover_hour() -> None:
    utc = DayClock()
    assert utc.day_number(datetime(1970, 1, 1, 4, tzinfo=UTC)) == 0
    assert utc.day_number(datetime(1970, 1, 1, 3, 59, tzinfo=UTC)) == -1
    assert utc.day_start(0) == datetime(1970, 1, 1, 4, tzinfo=UTC)


def test_tokyo_day_turns_at_four_local_which_is_19_00_utc() -> None:
    # 2025-05-10 is day 20218 (days since 1970-01-01); it starts at 04:00 JST = 2025-05-09 19:00 UTC
    assert TOKYO.day_number(datetime(2025, 5, 9, 18, 59, 59, tzinfo=UTC)) == 20217
    assert TOKYO.day_number(datetime(2025, 5, 9, 19, 0, tzinfo=UTC)) == 20218
    assert TOKYO.day_start(20218) == datetime(2025, 5, 9, 19, 0, tzinfo=UTC)
    # 01:30 and 23:50 local on the same date belong to different study days
    assert TOKYO.day_number(local(TOKYO, "2025-05-10T01:30")) == 20217
    assert TOKYO.day_number(local(TOKYO, "2025-05-10T23:50")) == 20218


def test_new_york_day_turns_at_four_local_in_winter_and_summer() -> None:
    winter = NEW_YORK.day_number(local(NEW_YORK, "2025-01-15T04:00"))
    assert NEW_YORK.day_number(local(NEW_YORK, "2025-01-15T03:59")) == winter - 1
    assert NEW_YORK.day_start(winter) == datetime(2025, 1, 15, 9, tzinfo=UTC)  # EST, UTC-5
    summer = NEW_YORK.day_number(local(NEW_YORK, "2025-07-15T04:00"))
    assert NEW_YORK.day_start(summer) == datetime(2025, 7, 15, 8, tzinfo=UTC)  # EDT, UTC-4


def test_dst_days_last_23_and_25_hours() -> None:
    spring = NEW_YORK.day_number(local(NEW_YORK, "2025-03-08T12:00"))  # clocks go forward 2025-03-09 02:00
    assert NEW_YORK.day_start(spring + 1) - NEW_YORK.day_start(spring) == timedelta(hours=23)
    autumn = NEW_YORK.day_number(local(NEW_YORK, "2025-11-01T12:00"))  # back on 2025-11-02 02:00
    assert NEW_YORK.day_start(autumn + 1) - NEW_YORK.day_start(autumn) == timedelta(hours=25)
    # every day still starts at 04:00 on the wall clock
    for day in (spring, spring + 1, autumn, autumn + 1):
        assert NEW_YORK.day_start(day).astimezone(ZoneInfo("America/New_York")).hour == 4


def test_next_rollover_is_computed_in_the_current_offset_as_anki_does() -> None:
    # On the eve of spring forward (EST, UTC-5) Anki's next rollover is 04:00 at UTC-5 = 09:00Z,
    # an hour after the true day start (04:00 EDT = 08:00Z)
    eve = local(NEW_YORK, "2025-03-08T10:00")
    assert NEW_YORK.next_rollover(eve) == datetime(2025, 3, 9, 9, tzinfo=UTC)
    assert NEW_YORK.day_start(NEW_YORK.day_number(eve) + 1) == datetime(2025, 3, 9, 8, tzinfo=UTC)
    # on an ordinary day both agree
    plain = local(NEW_YORK, "2025-01-15T10:00")
    assert NEW_YORK.next_rollover(plain) == NEW_YORK.day_start(NEW_YORK.day_number(plain) + 1)
    # before 04:00 the next rollover is today's
    assert NEW_YORK.next_rollover(local(NEW_YORK, "2025-01-15T01:00")) == datetime(2025, 1, 15, 9, tzinfo=UTC)


def studied_at(when: datetime) -> SrsCard:
    """A review card last reviewed at `when`."""
    return SrsCard(
        phase=Phase.REVIEW,
        due=when + timedelta(days=1),
        stability=5.0,
        difficulty=5.0,
        last_review=when,
        scheduled_days=1,
    )


def test_elapsed_days_count_study_days_not_24_hour_periods() -> None:
    # Tokyo: 23:50 and 00:30 are the same study day (0 days), 01:30 and 04:30 different ones (1 day)
    assert (
        elapsed_days(studied_at(local(TOKYO, "2025-05-12T23:50")), local(TOKYO, "2025-05-13T00:30"), TOKYO)
        == 0
    )
    assert (
        elapsed_days(studied_at(local(TOKYO, "2025-05-10T01:30")), local(TOKYO, "2025-05-10T04:30"), TOKYO)
        == 1
    )
    # 40 hours apart, yet two study days later: Monday 03:00 still belongs to Sunday
    assert (
        elapsed_days(studied_at(local(TOKYO, "2025-05-12T03:00")), local(TOKYO, "2025-05-13T19:00"), TOKYO)
        == 2
    )


def test_fall_back_counts_like_anki() -> None:
    # Reviewed 04:30 EDT on 2025-11-01, the first hour of a 25-hour study day; answered again on
    # 2025-11-02 at 10:00 EST. Anki: (next rollover 2025-11-03 09:00Z - 2025-11-01 08:30Z) // 24 h = 2,
    # one more than the day numbers differ. The golden case from Anki shows the same.
    last, now = local(NEW_YORK, "2025-11-01T04:30"), local(NEW_YORK, "2025-11-02T10:00")
    assert NEW_YORK.day_number(now) - NEW_YORK.day_number(last) == 1
    assert elapsed_days(studied_at(last), now, NEW_YORK) == 2


def test_a_review_card_is_due_at_the_start_of_its_day_in_the_learners_zone() -> None:
    config = SchedulerConfig(fuzz=False)
    card = answer(SrsCard.new(), Rating.EASY, local(TOKYO, "2025-05-10T23:50"), config, TOKYO, seed=1).card
    # 8 days after study day 2025-05-10, at 04:00 JST
    assert card.due == local(TOKYO, "2025-05-18T04:00")
    assert card.due.astimezone(ZoneInfo("Asia/Tokyo")).date() == date(2025, 5, 18)


def test_bad_clocks_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        DayClock("Mars/Olympus")
    with pytest.raises(ValueError, match="day_start_hour must be 0-23"):
        DayClock("UTC", 24)
    with pytest.raises(ValueError, match="timezone-aware"):
        DayClock().day_number(datetime(2025, 1, 1))
