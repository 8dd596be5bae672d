"""Assigned quizzes' rules on plain values: windows, overrides, refusals, ends, grades, review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.quiz.assignments import (
    Accommodation,
    Window,
    answers_visible,
    as_utc,
    attempt_end,
    attempts_left,
    effective,
    grade,
    local_text,
    refusal,
    status,
)

OPEN = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CLOSE = datetime(2026, 11, 2, 17, 0, tzinfo=UTC)
BASE = Window(opens_at=OPEN, closes_at=CLOSE, time_limit_s=600, attempts=2)


@pytest.mark.parametrize(
    ("method", "expected"),
    [("highest", 0.9), ("last", 0.5), ("first", 0.4), ("average", 0.6)],
)
def test_grading_methods(method: str, expected: float) -> None:
    assert grade(method, [0.4, 0.9, 0.5]) == pytest.approx(expected)


def test_no_submitted_attempt_has_no_grade() -> None:
    assert all(grade(method, []) is None for method in ("highest", "last", "first", "average"))


def test_average_of_one_attempt_is_that_attempt() -> None:
    assert grade("average", [0.7]) == pytest.approx(0.7)


def test_unknown_grading_method_is_an_error() -> None:
    with pytest.raises(ValueError, match="median"):
        grade("median", [0.5])


def test_override_replaces_only_the_fields_it_sets() -> None:
    later = CLOSE + timedelta(days=2)
    mine = effective(BASE, Accommodation(closes_at=later, time_limit_s=900))
    assert mine == Window(opens_at=OPEN, closes_at=later, time_limit_s=900, attempts=2)
    assert effective(BASE, None) == BASE
    assert effective(BASE, Accommodation()) == BASE


def test_override_can_give_unlimited_attempts() -> None:
    assert effective(BASE, Accommodation(attempts=0)).attempts == 0


def test_window_opens_at_its_open_time_and_closes_at_its_close_time() -> None:
    second = timedelta(seconds=1)
    assert status(BASE, OPEN - second) == "upcoming"
    assert status(BASE, OPEN) == "open"
    assert status(BASE, CLOSE - second) == "open"
    assert status(BASE, CLOSE) == "closed"


def test_refusals_name_the_reason() -> None:
    assert refusal(BASE, 0, OPEN - timedelta(minutes=1)) == "This quiz opens at 2026-11-02 09:00 UTC."
    assert refusal(BASE, 0, OPEN) is None
    assert refusal(BASE, 1, CLOSE - timedelta(seconds=1)) is None
    assert refusal(BASE, 0, CLOSE) == "This quiz closed at 2026-11-02 17:00 UTC."
    assert refusal(BASE, 2, OPEN) == "You have used all 2 attempts at this quiz."
    one = Window(None, None, 600, 1)
    assert refusal(one, 1, OPEN) == "You have used all 1 attempt at this quiz."


def test_refusal_writes_times_as_told() -> None:
    assert refusal(BASE, 0, OPEN - timedelta(hours=1), shown=lambda t: "nine") == "This quiz opens at nine."


def test_zero_attempts_means_unlimited() -> None:
    unlimited = Window(None, None, 600, 0)
    assert refusal(unlimited, 1000, OPEN) is None
    assert attempts_left(unlimited, 1000) is None
    assert attempts_left(BASE, 1) == 1
    assert attempts_left(BASE, 5) == 0


def test_no_window_is_always_open() -> None:
    assert status(Window(None, None, 600, 1), datetime(1999, 1, 1, tzinfo=UTC)) == "open"


def test_attempt_ends_at_the_time_limit_or_the_close_time() -> None:
    assert attempt_end(OPEN, 600, CLOSE) == OPEN + timedelta(minutes=10)
    late = CLOSE - timedelta(minutes=3)
    assert attempt_end(late, 600, CLOSE) == CLOSE
    assert attempt_end(late, 600, None) == late + timedelta(minutes=10)
    assert attempt_end(CLOSE + timedelta(minutes=1), 600, CLOSE) == CLOSE + timedelta(minutes=1)


def test_answers_visible_by_review_policy() -> None:
    assert answers_visible("immediately", CLOSE, OPEN)
    assert not answers_visible("after_close", CLOSE, CLOSE - timedelta(seconds=1))
    assert answers_visible("after_close", CLOSE, CLOSE)
    assert not answers_visible("after_close", None, CLOSE + timedelta(days=999))
    assert not answers_visible("never", CLOSE, CLOSE + timedelta(days=999))


def test_times_without_offset_are_in_the_class_zone() -> None:
    entered = datetime(2026, 7, 1, 9, 30)
    assert as_utc(entered, "Europe/Paris") == datetime(2026, 7, 1, 7, 30, tzinfo=UTC)
    assert as_utc(entered.replace(tzinfo=UTC), "Europe/Paris") == datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
    assert as_utc(entered, "Not/AZone") == datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
    assert local_text(CLOSE, "America/New_York") == "Mon 02 Nov 2026, 12:00 EST"
